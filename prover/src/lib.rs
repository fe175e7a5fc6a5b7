//! The contributor side of zkcontrib: from a recorded GPS trace and a network's policy to a
//! contribution bundle that a validator accepts without seeing the trace. The library is what
//! a phone app links (through `prover/ffi`'s C ABI or UniFFI bindings, or directly from Rust);
//! the `zkcontrib` command-line tool (feature `cli`) is a thin layer over it.
//!
//! In the order data flows:
//!
//! | step | modules |
//! |---|---|
//! | read a trace (GPX, CSV, GeoJSON), with errors that name the file and the point | [`ingest`] |
//! | read a policy file and its region, encode it (`zkcontrib-circuits` does the encoding) | [`policy_file`] |
//! | check the trace natively and explain the result (text, JSON, SVG) | [`report`], `picture` (feature `picture`) |
//! | keys: development setup, ceremony import, the prepared local copy that loads in a fraction of a second | [`keys`], [`prepared`] |
//! | prove: a shape's matrices, the tuned Groth16 prover (FFT, MSM, branch-free field arithmetic) | [`matrices`], [`prove`], [`groth16`], [`fft`], [`msm`], [`arith`], [`sparse`], [`qap`] |
//! | a whole contribution, after the trip or while recording (resumable) | [`contribution`], [`session`] |
//! | check a bundle as a validator does; snarkjs, Solidity and iden3 formats | [`verify`], [`interop`] |
//! | the device: threads, default directories, peak memory | [`runtime`] |
//!
//! The statement (circuits, rules, planning, public inputs) is `zkcontrib-circuits`; the
//! validator library is `zkcontrib-verifier`; the pairing and lane arithmetic the MSM shares
//! with it is `zkcontrib-engine`.
//!
//! ## Features
//!
//! - `parallel` (default): proving on rayon's thread pool.
//! - `cli` (default): the `zkcontrib` binary and what only it needs (clap, indicatif) and
//!   `picture`. An app builds with `default-features = false, features = ["parallel"]`.
//! - `picture`: the SVG picture of a checked trace (`svg`).
//! - `bench`: the hooks the benches time (the floor, stock arkworks); not API.
//! - `slow-tests`: the long test suites (snarkjs/solc/EVM interop, every real fixture, the
//!   README tour).
//!
//! `unsafe` is only in `msm::ifma` (AVX-512 IFMA lanes) and `arith::mont`'s `*_asm` kernels
//! (the aarch64 Montgomery multiplication, addition and subtraction), hot paths, and in two
//! libc calls (`runtime::release_free_heap`'s `malloc_trim`, the low-power session workers'
//! `setpriority`); denied elsewhere.
#![deny(unsafe_code)]
#![deny(missing_docs)]
#![warn(rust_2018_idioms)]

pub mod arith;
pub mod contribution;
pub mod fft;
pub mod groth16;
pub mod ingest;
pub mod interop;
pub mod keys;
pub mod matrices;
pub mod msm;
#[cfg(feature = "picture")]
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
