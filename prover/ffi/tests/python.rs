//! The UniFFI bindings: this crate's `uniffi-bindgen` generates Python, Kotlin and Swift from
//! the built cdylib; the Python test (`tests/python/test_session.py`, stdlib unittest) proves
//! the fixture trace through them, and the bundle it writes verifies here too. Kotlin and
//! Swift are generated (that generation works is checked) but not compiled.

mod common;

use common::{assert_verifies, cdylib_name, fixture, lib_dir, run};
use std::path::Path;
use std::process::Command;

fn generate(language: &str, out: &Path) {
    let lib = lib_dir().join(cdylib_name());
    let (code, _) = run(Command::new(env!("CARGO_BIN_EXE_uniffi-bindgen"))
        .args(["generate", "--no-format", "--library"])
        .arg(&lib)
        .args(["--language", language, "--out-dir"])
        .arg(out));
    assert_eq!(code, 0, "uniffi-bindgen generate --language {language}");
}

#[test]
fn kotlin_and_swift_bindings_are_generated() {
    let dir = tempfile::tempdir().unwrap();
    generate("kotlin", &dir.path().join("kotlin"));
    generate("swift", &dir.path().join("swift"));
    let kt = dir
        .path()
        .join("kotlin/uniffi/zkcontrib_ffi/zkcontrib_ffi.kt");
    let kt = std::fs::read_to_string(&kt).unwrap_or_else(|e| panic!("{}: {e}", kt.display()));
    assert!(
        kt.contains("class Session") && kt.contains("fun `pushMany`("),
        "Kotlin API"
    );
    let swift = std::fs::read_to_string(dir.path().join("swift/zkcontrib_ffi.swift")).unwrap();
    assert!(
        swift.contains("class Session") && swift.contains("func pushMany("),
        "Swift API"
    );
    assert!(dir.path().join("swift/zkcontrib_ffiFFI.h").exists());
}

#[test]
fn the_python_bindings_prove_push_cancel_resume_and_verify() {
    let f = fixture();
    let dir = tempfile::tempdir().unwrap();
    let bindings = dir.path().join("python");
    generate("python", &bindings);
    std::fs::copy(lib_dir().join(cdylib_name()), bindings.join(cdylib_name())).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/test_session.py");
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let out = Command::new(&python)
        .arg(&script)
        .arg("-v")
        .env("ZKC_BINDINGS_DIR", &bindings)
        .env("ZKC_KEYS_DIR", &f.keys_dir)
        .env("ZKC_POLICY", &f.policy)
        .env("ZKC_FIXES_CSV", &f.fixes_csv)
        .env("ZKC_TMP", dir.path())
        .output()
        .unwrap_or_else(|e| panic!("{python}: {e}"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    eprintln!("{stderr}");
    assert!(out.status.success(), "the Python tests failed");
    assert!(stderr.contains("Ran 3 tests"), "{stderr}");
    let b = assert_verifies(&std::fs::read(dir.path().join("py-bundle.json")).unwrap());
    assert_eq!(b["claims"]["points"], common::POINTS);
}
