//! zkcontrib prover library.
//!
//! The contributor side of zkcontrib, following the flow of data: [`ingest`] reads a trace file,
//! [`policy_file`] reads and encodes a policy, the native rules of `zkcontrib-circuits` evaluate
//! the trace, and [`report`] / [`picture`] explain the result.
// `unsafe` only in `msm::ifma` (AVX-512 IFMA lanes) and `arith::mont::mul_asm` (aarch64 Montgomery
// multiplication), hot paths; denied elsewhere.
#![deny(unsafe_code)]
#![deny(missing_docs)]
#![warn(rust_2018_idioms)]

pub mod arith;
pub mod contribution;
pub mod export;
pub mod fft;
pub mod groth16;
pub mod ingest;
pub mod keys;
pub mod msm;
pub mod picture;
pub mod policy_file;
pub mod prepared;
pub mod prove;
pub mod qap;
pub mod report;
pub mod runtime;
pub mod session;
pub mod sparse;
pub mod verify;
