//! Fingerprints this crate's source: `SOURCE_DIGEST` keys every cache of something derived
//! from the circuit (the prover's prepared matrices), so a changed circuit never reuses one.

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn main() {
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let mut all = vec![root.join("Cargo.toml")];
    files(&root.join("src"), &mut all);
    all.sort();
    let mut h = Sha256::new();
    for p in &all {
        let rel = p.strip_prefix(&root).unwrap_or(p);
        h.update(rel.to_string_lossy().replace('\\', "/").as_bytes());
        h.update([0]);
        h.update(std::fs::read(p).unwrap_or_default());
        h.update([0]);
    }
    println!(
        "cargo:rustc-env=ZKCONTRIB_CIRCUIT_SOURCE_DIGEST={}",
        hex(&h.finalize())
    );
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=Cargo.toml");
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}
