//! Shared fixtures for the zkcontrib benchmarks: one place that knows where the real traces and
//! policies live, so every bench measures the same inputs.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::path::{Path, PathBuf};
use zkcontrib_circuits::encode::Point;
use zkcontrib_circuits::policy::Policy;

/// The repository's `fixtures/` folder.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

/// Loads a fixture policy by file name.
pub fn policy(name: &str) -> Policy {
    zkcontrib_prover::policy_file::load_policy(&fixtures().join(name))
        .unwrap_or_else(|e| panic!("fixture policy {name}: {e}"))
}

/// Loads a fixture trace by file name, encoded.
pub fn trace(name: &str) -> Vec<Point> {
    zkcontrib_prover::ingest::read_points(&fixtures().join(name))
        .unwrap_or_else(|e| panic!("fixture trace {name}: {e}"))
}
