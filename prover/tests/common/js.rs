//! The pinned JavaScript tools (`tests/js/package.json`: snarkjs, solc, @ethereumjs/evm),
//! installed once with `npm ci` into `target/tmp/zkcontrib-js`, and the phase-1 file the
//! ceremony test uses.

use super::iden3::write_test_ptau;
use super::{note, run, sha256_hex, text};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::Instant;

pub struct Js {
    pub dir: PathBuf,
}

impl Js {
    pub fn snarkjs(&self, args: &[&dyn AsRef<OsStr>]) -> Output {
        let cli = self.dir.join("node_modules/snarkjs/build/cli.cjs");
        let mut c = Command::new("node");
        c.arg(cli).current_dir(&self.dir);
        for a in args {
            c.arg(a.as_ref());
        }
        c.output().expect("run node")
    }

    /// snarkjs, which must succeed; returns its output.
    pub fn snarkjs_ok(&self, args: &[&dyn AsRef<OsStr>]) -> String {
        let t0 = Instant::now();
        let o = self.snarkjs(args);
        let t = text(&o);
        let shown: Vec<String> = args
            .iter()
            .map(|a| a.as_ref().to_string_lossy().into_owned())
            .collect();
        // snarkjs exits 0 after some errors (a malformed beacon hash, for one): look too.
        assert!(
            o.status.success() && !t.contains("[ERROR]"),
            "snarkjs {shown:?} failed:\n{t}"
        );
        note(&format!(
            "snarkjs {} ({:.1} s)",
            shown.first().cloned().unwrap_or_default()
                + " "
                + shown.get(1).map(String::as_str).unwrap_or(""),
            t0.elapsed().as_secs_f64()
        ));
        t
    }
}

/// The pinned tools, installed once; `None` (with a printed reason) without node or npm.
pub fn js() -> Option<&'static Js> {
    static JS: OnceLock<Option<Js>> = OnceLock::new();
    JS.get_or_init(|| {
        for tool in ["node", "npm"] {
            let found = Command::new(tool)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success());
            if !found {
                note(&format!(
                    "SKIPPED: `{tool}` is not on PATH, so the snarkjs/solc/EVM interop tests cannot run; install Node.js 18+ with npm to run them"
                ));
                return None;
            }
        }
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/js");
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("zkcontrib-js");
        std::fs::create_dir_all(&dir).unwrap();
        let mut stamp = Vec::new();
        for f in ["package.json", "package-lock.json", "evm.mjs"] {
            let bytes = std::fs::read(src.join(f)).unwrap();
            stamp.extend_from_slice(sha256_hex(&bytes).as_bytes());
            std::fs::write(dir.join(f), bytes).unwrap();
        }
        let stamp_path = dir.join("node_modules/.zkcontrib-stamp");
        if std::fs::read(&stamp_path).ok().as_deref() != Some(&stamp[..]) {
            let t = Instant::now();
            note("installing the pinned JavaScript tools (npm ci) into target/tmp/zkcontrib-js");
            run(
                Command::new("npm")
                    .args(["ci", "--no-audit", "--no-fund", "--ignore-scripts"])
                    .current_dir(&dir),
                "npm ci in target/tmp/zkcontrib-js",
            );
            std::fs::write(&stamp_path, &stamp).unwrap();
            note(&format!("npm ci: {:.1} s", t.elapsed().as_secs_f64()));
        }
        Some(Js { dir })
    })
    .as_ref()
}

/// The phase-1 file for the ceremony test: `$ZKCONTRIB_PTAU`, or [`write_test_ptau`] cached
/// beside the JavaScript tools.
pub fn test_ptau(js: &Js, power: u32) -> PathBuf {
    if let Some(p) = std::env::var_os("ZKCONTRIB_PTAU") {
        note(&format!(
            "phase 1: $ZKCONTRIB_PTAU = {}",
            Path::new(&p).display()
        ));
        return PathBuf::from(p);
    }
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _g = LOCK.lock().unwrap();
    let path = js.dir.join(format!("ptau/test-known-tau-{power}.ptau"));
    if !path.exists() {
        let t = Instant::now();
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, write_test_ptau(power)).unwrap();
        std::fs::rename(&tmp, &path).unwrap();
        note(&format!(
            "phase 1: made a test powers of tau (power {power}, known τ) in {:.1} s",
            t.elapsed().as_secs_f64()
        ));
    }
    path
}
