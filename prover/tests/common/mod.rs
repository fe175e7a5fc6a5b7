//! The interop tests' harness: the pinned JavaScript tools (snarkjs, solc, an EVM) and
//! independent readers and writers of the iden3 formats (`.r1cs`, `.wtns`, `.zkey`, `.ptau`).

pub mod iden3;
pub mod js;

use std::io::Write;
use std::process::{Command, Output};

/// Says something in the test log even when the harness captures output (a skip must be
/// visible in CI): written to the process's stderr directly, not through `eprintln!`.
pub fn note(msg: &str) {
    let _ = writeln!(std::io::stderr(), "{msg}");
}

/// A process's stdout and stderr, for messages.
pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// SHA-256, lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// Runs `c`, which must succeed.
pub fn run(c: &mut Command, what: &str) {
    let o = c.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(o.status.success(), "{what} failed:\n{}", text(&o));
}
