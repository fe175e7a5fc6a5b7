//! `zkcontrib setup`, `prove`, `verify` and `demo` end to end on the TEST shape: outputs and
//! exit codes (0 ok, 1 rejected, 2 bad input).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

fn zkcontrib(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zkcontrib"))
        .args(args)
        .current_dir(fixtures())
        .env("ZKCONTRIB_KEYS_DIR", dir.join("keys"))
        .output()
        .expect("run zkcontrib")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The first 100 points of the Garmin run as CSV (7 TEST chunks).
fn short_trace(dir: &Path) -> PathBuf {
    let t =
        zkcontrib_prover::ingest::read_trace(&fixtures().join("garmin-activity-santa-clara.gpx"))
            .unwrap();
    let mut csv = String::from("time,lat,lon\n");
    for p in t.points.iter().take(100) {
        csv += &format!("{},{},{}\n", p.time_ms, p.lat, p.lon);
    }
    let path = dir.join("short.csv");
    std::fs::write(&path, csv).unwrap();
    path
}

#[test]
fn setup_prove_verify_and_their_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = zkcontrib(d, &["setup", "--shape", "test"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let t = text(&out);
    assert!(t.contains("WARNING: development setup"), "{t}");
    assert!(t.contains("vk hash       0x"), "{t}");
    // A second setup keeps the keys.
    let again = zkcontrib(d, &["setup", "--shape", "test"]);
    assert!(text(&again).contains("keys exist"), "{}", text(&again));
    // Setup wrote the prepared copy, so the first prove starts fast.
    assert!(d.join("keys/test/proving.prepared").exists());

    let trace = short_trace(d);
    let bundle = d.join("bundle.json");
    let (trace_s, bundle_s) = (trace.to_str().unwrap(), bundle.to_str().unwrap());
    let prove = |policy: &str, submitter: &str| {
        zkcontrib(
            d,
            &[
                "prove",
                "--trace",
                trace_s,
                "--policy",
                policy,
                "--submitter",
                submitter,
                "--shape",
                "test",
                "--threads",
                "1",
                "--out",
                bundle_s,
            ],
        )
    };
    let out = prove("santa-clara-2017.toml", "0xabcdef");
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(t.contains("claims        100 points"), "{t}");
    assert!(t.contains("chunks        2 x 66 points"), "{t}");
    assert!(t.contains("peak memory"), "{t}");
    assert!(t.contains("s loading the keys"), "{t}");
    assert!(!t.contains("preparing"), "{t}");
    assert!(d.join("bundle.opening.json").exists());
    let opening = std::fs::read_to_string(d.join("bundle.opening.json")).unwrap();
    let blinding: serde_json::Value = serde_json::from_str(&opening).unwrap();
    let b = std::fs::read_to_string(&bundle).unwrap();
    assert!(!b.contains(blinding["blinding"].as_str().unwrap()));

    let verify = |policy: &str, files: &[&str], json: bool| {
        let mut args = vec!["verify", "--policy", policy];
        args.extend_from_slice(files);
        if json {
            args.push("--json");
        }
        zkcontrib(d, &args)
    };
    let out = verify("santa-clara-2017.toml", &[bundle_s], false);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("valid: 100 points"), "{}", text(&out));
    let out = verify("santa-clara-2017.toml", &[bundle_s], true);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["valid"], true);

    // Another policy: rejected, exit 1.
    let out = verify("santa-clara-10hz.toml", &[bundle_s], false);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("another policy"), "{}", text(&out));
    // An edited claim among valid bundles: exit 1, the file named.
    let edited = d.join("edited.json");
    std::fs::write(&edited, b.replace("\"points\": 100", "\"points\": 101")).unwrap();
    let out = verify(
        "santa-clara-2017.toml",
        &[bundle_s, edited.to_str().unwrap()],
        false,
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("edited.json: INVALID"),
        "{}",
        text(&out)
    );
    // Not a bundle: exit 2.
    let out = verify("santa-clara-2017.toml", &[trace_s], false);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    // No verifying key: a configuration problem (exit 2) that points to the network's keys.
    let out = zkcontrib(
        d,
        &[
            "verify",
            "--policy",
            "santa-clara-2017.toml",
            bundle_s,
            "--keys-dir",
            d.join("no-keys-here").to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("CANNOT VERIFY"), "{}", text(&out));
    assert!(text(&out).contains("published"), "{}", text(&out));
    assert!(!text(&out).contains("MALFORMED"), "{}", text(&out));

    // A trace that breaks the policy: refused, rules named, exit 1, no bundle written.
    std::fs::remove_file(&bundle).unwrap();
    let out = prove("santa-clara-strict.toml", "0xabcdef");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("not proving"), "{}", text(&out));
    assert!(!bundle.exists());
    // … and before any key is read: the same refusal without keys.
    let out = zkcontrib(
        d,
        &[
            "prove",
            "--trace",
            trace_s,
            "--policy",
            "santa-clara-strict.toml",
            "--submitter",
            "0xabcdef",
            "--shape",
            "test",
            "--out",
            bundle_s,
            "--keys-dir",
            d.join("no-keys-here").to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("not proving"), "{}", text(&out));
    // A malformed submitter: exit 2 before anything is done.
    let out = prove("santa-clara-2017.toml", "abcdef");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("--submitter"), "{}", text(&out));
    // Keys of an unknown shape: exit 2 naming the command to run.
    let out = zkcontrib(
        d,
        &[
            "prove",
            "--trace",
            trace_s,
            "--policy",
            "santa-clara-2017.toml",
            "--submitter",
            "0x01",
            "--out",
            bundle_s,
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("zkcontrib setup --shape earth"),
        "{}",
        text(&out)
    );
}

#[test]
fn demo_runs_on_a_fresh_keys_dir() {
    let dir = tempfile::tempdir().unwrap();
    let out = zkcontrib(dir.path(), &["demo", "--shape", "test", "--quiet"]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(
        t.contains("claims        988 points, 12809 m, 1h 31m 38s"),
        "{t}"
    );
    assert!(t.contains("valid: 988 points"), "{t}");
    assert!(t.contains("refused: the trace does not qualify"), "{t}");
    assert!(t.contains("demo ok"), "{t}");
    // The bundle it printed is still there to open, in the folder it names (not the checkout).
    let bundle = t
        .lines()
        .find_map(|l| l.strip_prefix("bundle        "))
        .expect("the bundle line");
    assert!(Path::new(bundle.trim()).exists(), "{t}");
    let kept = t
        .lines()
        .find_map(|l| l.strip_prefix("files kept in "))
        .and_then(|l| l.split(" (").next())
        .expect("the kept folder");
    assert!(Path::new(bundle.trim()).starts_with(kept), "{t}");
    std::fs::remove_dir_all(kept).unwrap();
    // Cached keys the second time.
    let out = zkcontrib(dir.path(), &["demo", "--shape", "test", "--quiet"]);
    let t = text(&out);
    assert!(t.contains("loaded in"), "{t}");
    if let Some(kept) = t
        .lines()
        .find_map(|l| l.strip_prefix("files kept in "))
        .and_then(|l| l.split(" (").next())
    {
        std::fs::remove_dir_all(kept).unwrap();
    }
}
