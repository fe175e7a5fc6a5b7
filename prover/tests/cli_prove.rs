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

/// `prove` of `trace` under the Santa Clara policy on the TEST shape, 1 thread, to `out`.
fn prove_args(trace: &Path, out: &Path) -> Vec<String> {
    [
        "prove",
        "--trace",
        trace.to_str().unwrap(),
        "--policy",
        "santa-clara-2017.toml",
        "--submitter",
        "0xabcdef",
        "--shape",
        "test",
        "--threads",
        "1",
        "--out",
        out.to_str().unwrap(),
    ]
    .map(String::from)
    .to_vec()
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

fn json_of(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not one JSON object ({e}): {}", text(out)))
}

/// `--json` on setup, prove and verify: the documented fields (docs/formats.md), refusals
/// and errors as JSON on stdout with the same exit codes as the text mode.
#[test]
fn json_modes_of_setup_prove_and_verify() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Prove before any setup: a configuration error, as JSON, exit 2.
    let trace = short_trace(d);
    let bundle = d.join("b.json");
    let (trace_s, bundle_s) = (trace.to_str().unwrap(), bundle.to_str().unwrap());
    let prove = |policy: &str| {
        zkcontrib(
            d,
            &[
                "prove",
                "--trace",
                trace_s,
                "--policy",
                policy,
                "--submitter",
                "0xabcdef",
                "--shape",
                "test",
                "--threads",
                "1",
                "--out",
                bundle_s,
                "--json",
            ],
        )
    };
    let out = prove("santa-clara-2017.toml");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let v = json_of(&out);
    assert_eq!(v["status"], "error");
    assert_eq!(v["error"]["class"], "bad_input");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("zkcontrib setup"),
        "{v}"
    );
    // A refused trace is refused before the keys are read (none exist yet): exit 1, JSON.
    let out = prove("santa-clara-strict.toml");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let v = json_of(&out);
    assert_eq!(v["status"], "rejected");
    assert!(!v["broken_rules"].as_array().unwrap().is_empty(), "{v}");

    let out = zkcontrib(d, &["setup", "--shape", "test", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let v = json_of(&out);
    assert_eq!(v["status"], "created");
    assert_eq!(v["shape"], "test");
    assert_eq!(v["origin"], "development");
    assert_eq!(v["qap"], "coset");
    assert!(v["vk_hash"].as_str().unwrap().starts_with("0x"));
    assert!(v["constraints"].as_u64().unwrap() > 0);
    let out = zkcontrib(d, &["setup", "--shape", "test", "--json"]);
    assert_eq!(json_of(&out)["status"], "exists");

    let out = prove("santa-clara-2017.toml");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let v = json_of(&out);
    assert_eq!(v["status"], "proven");
    assert_eq!(v["claims"]["points"], 100);
    assert_eq!(v["chunks"], 2);
    assert_eq!(v["chunk_points"], 66);
    assert_eq!(v["shape"], "test");
    assert_eq!(v["keys_origin"], "development");
    assert_eq!(v["submitter"], "0x0000000000000000000000000000000000abcdef");
    assert_eq!(v["bundle"], bundle_s);
    assert!(v["time"]["load_s"].as_f64().unwrap() >= 0.0);
    assert!(v["time"]["proving_s"].as_f64().unwrap() > 0.0);
    assert_eq!(v["time"]["threads"], 1);
    let id = v["contribution_id"].clone();

    // verify --json: one object per line, errors as one object.
    let out = zkcontrib(
        d,
        &[
            "verify",
            "--policy",
            "santa-clara-2017.toml",
            bundle_s,
            bundle_s,
            "--json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["valid"], true);
    assert_eq!(lines[0]["contribution_id"], id);
    let out = zkcontrib(
        d,
        &[
            "verify",
            "--policy",
            "no-such-policy.toml",
            bundle_s,
            "--json",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let v = json_of(&out);
    assert_eq!(v["status"], "error");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no-such-policy.toml"),
        "{v}"
    );
    assert!(out.stderr.is_empty(), "{}", text(&out));
}

/// `prove --follow`: a CSV trace appended while the command runs is proven as it grows; the
/// bundle states what `prove` states for the finished file (same contribution id, claims and
/// chunk count) and verifies; the state file is gone afterwards. A run killed mid-way
/// continues with `--resume`. GPX cannot be followed (exit 2).
#[test]
fn prove_follow_and_resume() {
    use std::io::Write;
    use std::time::Duration;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = zkcontrib(d, &["setup", "--shape", "test"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let full = std::fs::read_to_string(short_trace(d)).unwrap();
    let lines: Vec<&str> = full.lines().collect();
    let base = |trace: &Path, out: &Path| -> Vec<String> {
        let mut a = prove_args(trace, out);
        a.push("--json".into());
        a
    };
    let run = |args: &[String]| {
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        zkcontrib(d, &a)
    };
    // The batch statement of the finished trace.
    let batch = run(&base(&d.join("short.csv"), &d.join("batch.json")));
    assert_eq!(batch.status.code(), Some(0), "{}", text(&batch));
    let batch = json_of(&batch);

    // Following: the header and 10 points first, the rest appended in batches of 15.
    let growing = d.join("growing.csv");
    std::fs::write(&growing, lines[..11].join("\n") + "\n").unwrap();
    let mut args = base(&growing, &d.join("followed.json"));
    args.extend(["--follow", "--idle", "2"].map(String::from));
    let child = Command::new(env!("CARGO_BIN_EXE_zkcontrib"))
        .args(&args)
        .current_dir(fixtures())
        .env("ZKCONTRIB_KEYS_DIR", d.join("keys"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    for chunk in lines[11..].chunks(15) {
        std::thread::sleep(Duration::from_millis(300));
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&growing)
            .unwrap();
        // A line written in two parts: the half line is not read until it is complete.
        let text = chunk.join("\n") + "\n";
        let (a, b) = text.split_at(text.len() / 2);
        f.write_all(a.as_bytes()).unwrap();
        f.flush().unwrap();
        std::thread::sleep(Duration::from_millis(100));
        f.write_all(b.as_bytes()).unwrap();
    }
    let followed = child.wait_with_output().unwrap();
    assert_eq!(followed.status.code(), Some(0), "{}", text(&followed));
    let followed = json_of(&followed);
    for k in ["contribution_id", "claims", "chunks", "submitter"] {
        assert_eq!(followed[k], batch[k], "{k}");
    }
    assert!(
        !d.join("followed.session").exists(),
        "the state file is deleted"
    );
    let v = zkcontrib(
        d,
        &[
            "verify",
            d.join("followed.json").to_str().unwrap(),
            "--policy",
            "santa-clara-2017.toml",
        ],
    );
    assert_eq!(v.status.code(), Some(0), "{}", text(&v));

    // Killed while following (the trace is complete but the run waits for more) once a chunk
    // is proven, then resumed.
    let mut args = base(&d.join("short.csv"), &d.join("resumed.json"));
    args.retain(|a| a != "--json");
    args.extend(["--follow", "--idle", "600"].map(String::from));
    let mut child = Command::new(env!("CARGO_BIN_EXE_zkcontrib"))
        .args(&args)
        .current_dir(fixtures())
        .env("ZKCONTRIB_KEYS_DIR", d.join("keys"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let state = d.join("resumed.session");
    let stderr = std::io::BufRead::lines(std::io::BufReader::new(child.stderr.take().unwrap()));
    let mut said = Vec::new();
    for line in stderr {
        let line = line.unwrap();
        let proven = line.starts_with("chunk ") && line.contains(" proven");
        said.push(line);
        if proven {
            break;
        }
    }
    assert!(
        said.iter().any(|l| l.contains(" proven")),
        "no chunk proven while following: {said:?}"
    );
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(state.exists(), "the killed run left its state file");
    // A second --follow without --resume refuses to overwrite the state (exit 2).
    let refused = run(&args);
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused));
    assert!(text(&refused).contains("--resume"), "{}", text(&refused));
    let mut args = base(&d.join("short.csv"), &d.join("resumed.json"));
    args.push("--resume".into());
    let resumed = run(&args);
    assert_eq!(resumed.status.code(), Some(0), "{}", text(&resumed));
    let resumed = json_of(&resumed);
    for k in ["contribution_id", "claims", "chunks"] {
        assert_eq!(resumed[k], batch[k], "{k}");
    }
    assert!(!state.exists());

    // GPX is complete only at its end: refused with a hint.
    let mut args = base(
        &fixtures().join("garmin-activity-santa-clara.gpx"),
        &d.join("x.json"),
    );
    args.push("--follow".into());
    let gpx = run(&args);
    assert_eq!(gpx.status.code(), Some(2), "{}", text(&gpx));
    assert!(text(&gpx).contains("CSV"), "{}", text(&gpx));
}

/// Keys of arkworks' own QAP reduction (`setup --qap arkworks`, what every setup made before
/// the coset reduction) still prove and verify: the prover follows `keys.json`.
#[test]
fn arkworks_reduction_keys_prove_and_verify() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = zkcontrib(
        d,
        &["setup", "--shape", "test", "--qap", "arkworks", "--json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["qap"], "arkworks");
    let meta = std::fs::read_to_string(d.join("keys/test/keys.json")).unwrap();
    assert!(meta.contains("\"qap\": \"arkworks\""), "{meta}");
    let trace = short_trace(d);
    let bundle = d.join("bundle.json");
    let args = prove_args(&trace, &bundle);
    let out = zkcontrib(d, &args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let out = zkcontrib(
        d,
        &[
            "verify",
            "--policy",
            "santa-clara-2017.toml",
            bundle.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    // a circom-reduction key cannot come from a development setup
    let out = zkcontrib(d, &["setup", "--shape", "test", "--qap", "circom"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
}
