//! R1CS gadgets (feature `r1cs`, arkworks 0.6 `ark-r1cs-std` over the BN254 scalar field).
//!
//! Each gadget has a native twin in the parent crate with the same name and the same
//! semantics, and is tested against it: `gadgets::poseidon` ↔ `crate::poseidon`,
//! `gadgets::range` ↔ `crate::range`.

pub mod poseidon;
pub mod range;
