//! zkcontrib prover library.
#![deny(missing_docs)]

pub mod ingest;
