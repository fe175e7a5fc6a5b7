//! R1CS gadgets (feature `r1cs`, arkworks 0.6 `ark-r1cs-std` over the BN254 scalar field).
//!
//! Each gadget has a native twin in the parent crate with the same name and the same
//! semantics, and is tested against it: `gadgets::poseidon` ↔ `crate::poseidon`,
//! `gadgets::range` ↔ `crate::range`, `gadgets::window` ↔ `crate::window`,
//! `gadgets::region` ↔ `crate::region`, `gadgets::merkle` ↔ `crate::merkle`,
//! `gadgets::statement` ↔ `crate::statement`, `gadgets::rules` ↔ `crate::rules`, `gadgets::projection` ↔ `crate::projection`.

pub mod merkle;
pub mod poseidon;
pub mod projection;
pub mod range;
pub mod region;
pub mod rules;
pub mod statement;
pub mod window;
