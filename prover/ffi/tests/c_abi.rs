//! The C ABI from C and from Rust: `examples/c/prove.c` is compiled with `cc` against the
//! generated header and this crate's cdylib, proves the fixture trace (TEST shape) with progress
//! callbacks, and its bundle verifies; cancelled from its callback it exits with
//! `ZKC_CANCELLED` and a second run resumes to a bundle that verifies. The Rust tests below
//! call the entry points directly with NULLs and bad fixes.

mod common;

use common::{assert_verifies, fixture, lib_dir, run};
use std::ffi::{CStr, CString};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use zkcontrib_ffi::c::*;

/// `prove.c` compiled once per test binary.
fn prove_exe() -> &'static Path {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    EXE.get_or_init(|| {
        let f = fixture();
        let exe = f.root.join("prove");
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/c/prove.c");
        let include = Path::new(env!("OUT_DIR")).join("include");
        let lib = lib_dir();
        let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
        let (code, _) = run(Command::new(&cc)
            .args([
                "-std=c11",
                "-Wall",
                "-Wextra",
                "-Werror",
                "-pedantic",
                "-D_DEFAULT_SOURCE",
            ])
            .arg("-I")
            .arg(&include)
            .arg(&src)
            .arg("-o")
            .arg(&exe)
            .arg(format!("-L{}", lib.display()))
            .arg("-lzkcontrib_ffi")
            .arg(format!("-Wl,-rpath,{}", lib.display())));
        assert_eq!(code, 0, "{cc} failed on {}", src.display());
        exe
    })
}

fn prove(state: &Path, bundle: &Path, opening: &Path, extra: &[&str]) -> (i32, String) {
    let f = fixture();
    run(Command::new(prove_exe())
        .arg(&f.keys_dir)
        .arg("test")
        .arg(&f.policy)
        .arg(&f.fixes_csv)
        .args([state, bundle, opening])
        .args(extra))
}

fn number_after(text: &str, label: &str) -> usize {
    let i = text
        .find(label)
        .unwrap_or_else(|| panic!("no {label:?} in {text}"))
        + label.len();
    text[i..]
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap()
}

#[test]
fn the_c_program_proves_the_trace_with_progress_and_the_bundle_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let (state, bundle, opening) = (
        dir.path().join("state"),
        dir.path().join("bundle.json"),
        dir.path().join("opening.json"),
    );
    let (code, out) = prove(&state, &bundle, &opening, &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("started: pushed 300"), "{out}");
    // Five chunks, each a chunk-proven event and three phase events.
    assert_eq!(number_after(&out, "chunks proven: "), 5, "{out}");
    assert!(number_after(&out, "progress events: ") >= 20, "{out}");
    let b = assert_verifies(&std::fs::read(&bundle).unwrap());
    assert_eq!(b["chunks"].as_array().unwrap().len(), 5);
    assert_eq!(b["claims"]["points"], 300);
    let o: serde_json::Value = serde_json::from_slice(&std::fs::read(&opening).unwrap()).unwrap();
    assert_eq!(o["contribution_id"], b["contribution_id"]);
}

#[test]
fn cancelled_from_the_callback_the_c_program_resumes_to_a_bundle_that_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let (state, bundle, opening) = (
        dir.path().join("state"),
        dir.path().join("bundle.json"),
        dir.path().join("opening.json"),
    );
    let (code, out) = prove(&state, &bundle, &opening, &["--cancel-after-first-chunk"]);
    assert_eq!(code, 3, "ZKC_CANCELLED expected: {out}");
    assert!(state.exists() && !bundle.exists());
    let pushed = number_after(&out, "started: pushed ");
    assert!(pushed < common::POINTS, "it stopped pushing: {out}");

    let (code, out) = prove(&state, &bundle, &opening, &[]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        number_after(&out, "resumed: pushed "),
        common::POINTS - pushed
    );
    let b = assert_verifies(&std::fs::read(&bundle).unwrap());
    assert_eq!(b["claims"]["points"], 300);
}

fn message(err: &zkc_error) -> String {
    assert!(!err.message.is_null());
    // SAFETY: set by the library: a NUL-terminated string.
    unsafe { CStr::from_ptr(err.message) }
        .to_string_lossy()
        .into_owned()
}

fn c(s: &Path) -> CString {
    CString::new(s.to_str().unwrap()).unwrap()
}

#[test]
fn null_pointers_and_bad_fixes_are_errors_not_crashes() {
    let f = fixture();
    let (keys, policy) = (c(&f.keys_dir), c(&f.policy));
    let (shape, submitter) = (c(Path::new("test")), c(Path::new("0x0d3e40")));
    let mut err = zkc_error {
        code: zkc_code::ZKC_OK,
        message: std::ptr::null_mut(),
    };
    // SAFETY: valid or NULL pointers, as the header allows.
    unsafe {
        let s = zkc_session_start(
            std::ptr::null(),
            shape.as_ptr(),
            policy.as_ptr(),
            submitter.as_ptr(),
            std::ptr::null(),
            std::ptr::null(),
            &mut err,
        );
        assert!(s.is_null());
        assert_eq!(err.code, zkc_code::ZKC_BAD_INPUT);
        assert_eq!(message(&err), "`keys_dir` is NULL");

        // The same zkc_error again: the old message is freed, the new one set.
        let nowhere = c(&f.root.join("no-keys-here"));
        let s = zkc_session_start(
            nowhere.as_ptr(),
            shape.as_ptr(),
            policy.as_ptr(),
            submitter.as_ptr(),
            std::ptr::null(),
            std::ptr::null(),
            &mut err,
        );
        assert!(s.is_null());
        assert_eq!(err.code, zkc_code::ZKC_CONFIG, "{}", message(&err));

        let bad_submitter = c(Path::new("0xnothex"));
        let s = zkc_session_start(
            keys.as_ptr(),
            shape.as_ptr(),
            policy.as_ptr(),
            bad_submitter.as_ptr(),
            std::ptr::null(),
            std::ptr::null(),
            &mut err,
        );
        assert!(s.is_null());
        assert_eq!(err.code, zkc_code::ZKC_BAD_INPUT, "{}", message(&err));

        let no_state = zkc_session_resume(
            keys.as_ptr(),
            shape.as_ptr(),
            policy.as_ptr(),
            submitter.as_ptr(),
            std::ptr::null(),
            std::ptr::null(),
            &mut err,
        );
        assert!(no_state.is_null());
        assert_eq!(err.code, zkc_code::ZKC_BAD_INPUT, "{}", message(&err));

        let mut status = zkc_status::default();
        assert_eq!(
            zkc_session_status(std::ptr::null(), &mut status, &mut err),
            zkc_code::ZKC_BAD_INPUT
        );
        assert_eq!(
            zkc_session_push(
                std::ptr::null_mut(),
                0.0,
                0.0,
                0,
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                std::ptr::null_mut()
            ),
            zkc_code::ZKC_BAD_INPUT,
            "a NULL err is allowed"
        );
        zkc_session_cancel(std::ptr::null());
        zkc_session_free(std::ptr::null_mut());

        let s = zkc_session_start(
            keys.as_ptr(),
            shape.as_ptr(),
            policy.as_ptr(),
            submitter.as_ptr(),
            std::ptr::null(),
            std::ptr::null(),
            &mut err,
        );
        assert!(!s.is_null(), "{}", message(&err));
        assert_eq!(err.code, zkc_code::ZKC_OK);
        let t = 1_501_339_595_000;
        for (lat, lon, ms, what) in [
            (f64::NAN, -121.9, t, "point 0: latitude is not finite"),
            (90.5, -121.9, t, "point 0: latitude is out of range"),
            (37.3, f64::INFINITY, t, "point 0: longitude is not finite"),
            (37.3, -180.01, t, "point 0: longitude is out of range"),
            (37.3, -121.9, -1, "point 0: time is out of range"),
            (
                37.3,
                -121.9,
                253_402_300_800_000,
                "point 0: time is out of range",
            ),
        ] {
            let code = zkc_session_push(
                s,
                lat,
                lon,
                ms,
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                &mut err,
            );
            assert_eq!(code, zkc_code::ZKC_BAD_INPUT);
            assert!(message(&err).starts_with(what), "{}", message(&err));
        }
        let fixes = [
            zkc_fix {
                lat: 37.3,
                lon: -121.9,
                unix_ms: t,
            },
            zkc_fix {
                lat: 37.3,
                lon: f64::NAN,
                unix_ms: t + 1000,
            },
        ];
        let code = zkc_session_push_many(
            s,
            fixes.as_ptr(),
            2,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            &mut err,
        );
        assert_eq!(code, zkc_code::ZKC_BAD_INPUT);
        assert!(
            message(&err).starts_with("point 1: longitude"),
            "{}",
            message(&err)
        );
        assert_eq!(
            zkc_session_status(s, &mut status, &mut err),
            zkc_code::ZKC_OK
        );
        assert_eq!(status.points, 0, "a rejected fix (or batch) pushes nothing");

        // Two fixes in the wrong order: pushed, reported, the trace can no longer qualify.
        let mut r = zkc_push_result::default();
        let mut v = std::ptr::null_mut();
        assert_eq!(
            zkc_session_push(s, 37.3, -121.9, t, &mut r, &mut v, &mut err),
            zkc_code::ZKC_OK
        );
        zkc_string_free(v);
        assert_eq!(
            zkc_session_push(s, 37.3, -121.9, t - 1000, &mut r, &mut v, &mut err),
            zkc_code::ZKC_OK
        );
        assert!(r.broken >= 1);
        assert!(!v.is_null());
        zkc_string_free(v);
        assert_eq!(
            zkc_session_finish(
                s,
                std::ptr::null(),
                std::ptr::null(),
                std::ptr::null_mut(),
                &mut err
            ),
            zkc_code::ZKC_REJECTED,
            "{}",
            message(&err)
        );
        zkc_session_free(s);
        zkc_error_clear(&mut err);
        assert!(err.message.is_null());
    }
}
