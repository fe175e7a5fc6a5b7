//! The BN254 arithmetic under zkcontrib's verifier, and the vector lanes its prover shares.
//!
//! Everything here is a faster way to compute something arkworks already computes; every
//! module's tests compare it with arkworks (or with the scalar twin in this crate) on random
//! and edge-case values. The verifier (`zkcontrib-verifier`) decides *what* to check — strict
//! decoding, the statement, the pairing equation, batching — and calls this crate for *how*:
//!
//! | module | what |
//! |---|---|
//! | [`decompress`] | compressed G1/G2 points, many square roots at a time |
//! | [`curve`] | the G2 subgroup check, fixed-base sums for the public inputs, GLV scaling of a batch's `A` points |
//! | [`glv`] | one point's GLV (Straus) multiplication, the scalar twin of the lanes' |
//! | [`lines`] | Miller-loop lines (fixed and per proof, affine, shared inversions) and the Miller loop |
//! | [`fe`] | the final exponentiation (cyclotomic squarings, hard part) |
//! | `lanes` | AVX-512 IFMA field arithmetic: eight `Fq` values in 52-bit limbs per vector |
//! | `lane_glv`, `lane_lines` | the batch's GLV scaling, lines and Miller loop on those lanes |
//!
//! ## The lanes, and this crate's `unsafe`
//!
//! With `std`, on x86-64 CPUs with AVX-512 IFMA (Intel since Ice Lake, AMD since Zen 4;
//! detected at run time by [`lanes::available`], switched off by the environment variable
//! `ZKCONTRIB_NO_LANES=1`), the hot loops run on 52-bit-limb lanes; the results are the same
//! as the scalar path's, which runs everywhere else (`no_std`, wasm32, other CPUs). The three
//! lane modules are the workspace's only `unsafe` code outside the prover's MSM:
//! reinterpreting `[u64; 8]` as a vector register and calling `#[target_feature]` functions
//! after the run-time check. The verifier crate itself is `forbid(unsafe_code)`.
//!
//! ## Features
//!
//! - `std` (default): the IFMA lanes (x86-64); without it the crate is `no_std` (`alloc`).
//! - `parallel`: the batch's lines on rayon's thread pool.
#![deny(unsafe_code)]
#![deny(missing_docs)]
#![warn(rust_2018_idioms)]
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod curve;
pub mod decompress;
pub mod fe;
pub mod glv;
#[cfg(all(feature = "std", target_arch = "x86_64"))]
pub mod lane_glv;
#[cfg(all(feature = "std", target_arch = "x86_64"))]
pub mod lane_lines;
#[cfg(all(feature = "std", target_arch = "x86_64"))]
pub mod lanes;
pub mod lines;
