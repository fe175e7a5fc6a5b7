//! What the binding tests share: TEST-shape keys from a seeded setup, the policy and a CSV of
//! fixes (`lat,lon,unix_ms`) from the Santa Clara Garmin run, in a temporary folder.

#![allow(dead_code)]

use rand::{rngs::StdRng, SeedableRng};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use zkcontrib_circuits::shape::TEST;

/// Fixes used: 5 TEST chunks of 66 points, the last one short.
pub const POINTS: usize = 300;

pub struct Fixture {
    _dir: tempfile::TempDir,
    pub root: PathBuf,
    pub keys_dir: PathBuf,
    pub policy: PathBuf,
    pub fixes_csv: PathBuf,
}

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

/// Made once per test binary.
pub fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        let keys_dir = root.join("keys");
        let k = zkcontrib_prover::keys::setup(TEST, &mut StdRng::seed_from_u64(1)).unwrap();
        k.write(&keys_dir).unwrap();
        let trace = zkcontrib_prover::ingest::read_trace(
            &fixtures().join("garmin-activity-santa-clara.gpx"),
        )
        .unwrap();
        let mut csv = String::from("lat,lon,unix_ms\n");
        for p in trace.points.iter().take(POINTS) {
            // `{}` prints the shortest text that parses back to the same f64.
            writeln!(csv, "{},{},{}", p.lat, p.lon, p.time_ms).unwrap();
        }
        let fixes_csv = root.join("fixes.csv");
        std::fs::write(&fixes_csv, csv).unwrap();
        Fixture {
            _dir: dir,
            keys_dir,
            policy: fixtures().join("santa-clara-2017.toml"),
            fixes_csv,
            root,
        }
    })
}

/// Where cargo put this crate's cdylib: `target/<profile>/deps`, beside the test binary
/// (`cargo test` builds it there and does not copy it up to `target/<profile>` as
/// `cargo build` does).
pub fn lib_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let deps = exe.parent().unwrap();
    let found = [deps, deps.parent().unwrap()]
        .into_iter()
        .find(|d| d.join(cdylib_name()).exists())
        .map(Path::to_path_buf);
    found.unwrap_or_else(|| panic!("no {} beside {}", cdylib_name(), exe.display()))
}

/// The file name of the cdylib on this platform.
pub fn cdylib_name() -> String {
    format!(
        "{}zkcontrib_ffi{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    )
}

/// Verifies a bundle with the prover's validator code; returns the bundle JSON parsed.
pub fn assert_verifies(bundle: &[u8]) -> serde_json::Value {
    let f = fixture();
    let policy = zkcontrib_prover::policy_file::load_policy(&f.policy).unwrap();
    let entry = zkcontrib_prover::verify::PolicyEntry::new(&policy);
    let o = zkcontrib_prover::verify::verify_bundle(&f.keys_dir, &entry, bundle);
    assert!(o.is_accepted(), "{o}");
    serde_json::from_slice(bundle).unwrap()
}

/// Runs `cmd`, returning (exit code, stdout); stderr is shown.
pub fn run(cmd: &mut Command) -> (i32, String) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    eprintln!("{}", String::from_utf8_lossy(&out.stderr));
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}
