//! # zkcontrib-circuits: the statement
//!
//! What a zkcontrib proof says, as plain Rust, in the order data flows: the fixed-point
//! encoding of a GPS trace ([`encode`]), the canonical policy and its `policy_id` ([`policy`],
//! with the region's items and their Merkle tree: [`region`], [`merkle`], [`poseidon`]), the
//! native rule engine ([`rules`], with [`projection`] for distances) that the circuit must
//! match exactly, the chunking ([`plan`], [`window`]), the chain of chunk states and public
//! inputs ([`statement`], [`witness`]) and, with feature `r1cs`, the circuit ([`circuit`],
//! [`gadgets`]).
//!
//! ```
//! use zkcontrib_circuits::{encode::Point, policy::{Policy, PolicyInput}, rules::evaluate};
//! use geo::{polygon, MultiPolygon};
//!
//! let policy = Policy::compile(&PolicyInput {
//!     name: "square".into(),
//!     region: MultiPolygon(vec![polygon![
//!         (x: 10.0, y: 45.0), (x: 10.1, y: 45.0), (x: 10.1, y: 45.1), (x: 10.0, y: 45.1)
//!     ]]),
//!     exclude: None,
//!     not_before_ms: 1,
//!     not_after_ms: 2_000_000_000_000,
//!     min_interval_ms: 1_000,
//!     max_interval_ms: 10_000,
//!     max_speed_mmps: 10_000,
//!     min_points: 2,
//!     min_distance_m: 10,
//!     min_inside_bp: 10_000,
//! })
//! .unwrap();
//! let trace = [
//!     Point::from_degrees(45.05, 10.05, 1_500_000_000_000).unwrap(),
//!     Point::from_degrees(45.0501, 10.05, 1_500_000_005_000).unwrap(), // ≈ 11 m north, 5 s later
//! ];
//! let eval = evaluate(&policy, &trace);
//! assert!(eval.qualifies());
//! assert_eq!(eval.claims.points, 2);
//! assert_eq!(eval.claims.distance_m, 11);
//! assert_eq!(eval.claims.duration_s, 5);
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(rust_2018_idioms)]

#[cfg(feature = "r1cs")]
pub mod circuit;
pub mod encode;
#[cfg(feature = "r1cs")]
pub mod gadgets;
pub mod merkle;
pub mod plan;
pub mod policy;
pub mod poseidon;
pub mod projection;
pub mod range;
pub mod region;
pub mod rules;
pub mod shape;
pub mod statement;
pub mod window;
pub mod witness;

/// SHA-256 (hex) of this crate's source files and manifest, computed by its build script.
/// Anything derived from the circuit and cached on disk (the prover's prepared matrices) is
/// keyed by it, so a changed circuit never reuses a stale cache.
pub const SOURCE_DIGEST: &str = env!("ZKCONTRIB_CIRCUIT_SOURCE_DIGEST");
