//! The validator example (`verifier/examples/validator.rs`) end to end on what the CLI writes:
//! keys from `zkcontrib setup` (TEST shape), a policy from `zkcontrib policy --json`, a bundle
//! from `zkcontrib prove`. The example's `run` is compiled into this test (the binary's `main`
//! only calls it), so CI runs the example's code on a bundle proven here.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

#[allow(dead_code)]
#[path = "../../verifier/examples/validator.rs"]
mod validator;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

fn zkcontrib(dir: &Path, args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_zkcontrib"))
        .args(args)
        .current_dir(fixtures())
        .env("ZKCONTRIB_KEYS_DIR", dir.join("keys"))
        .output()
        .expect("run zkcontrib");
    assert_eq!(
        out.status.code(),
        Some(0),
        "zkcontrib {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The first 100 points of the Garmin run as CSV (2 TEST chunks).
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

fn run(args: &[&Path]) -> Result<String, String> {
    let args: Vec<String> = args.iter().map(|p| p.display().to_string()).collect();
    let mut out = Vec::new();
    validator::run(&args, &mut out).map_err(|e| e.to_string())?;
    Ok(String::from_utf8(out).unwrap())
}

fn line<'a>(out: &'a str, start: &str, file: &Path) -> &'a str {
    let prefix = format!("{start} {}", file.display());
    out.lines()
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no `{prefix}` line in:\n{out}"))
}

#[test]
fn the_validator_example_judges_cli_bundles() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    zkcontrib(d, &["setup", "--shape", "test"]);
    let trace = short_trace(d);
    let bundle = d.join("bundle.json");
    // A 20-byte address with a leading zero byte, typed with EIP-55 checksum casing.
    let typed = "0x00A329c0648769A73afAc7F9381E08FB43dBEA72";
    zkcontrib(
        d,
        &[
            "prove",
            "--trace",
            trace.to_str().unwrap(),
            "--policy",
            "santa-clara-2017.toml",
            "--submitter",
            typed,
            "--shape",
            "test",
            "--threads",
            "1",
            "--out",
            bundle.to_str().unwrap(),
        ],
    );
    let policy = d.join("policy.json");
    let out = zkcontrib(
        d,
        &["policy", "--policy", "santa-clara-2017.toml", "--json"],
    );
    std::fs::write(&policy, &out.stdout).unwrap();
    assert_eq!(
        zkcontrib_verifier::policy::REGION_ENCODING_V3,
        zkcontrib_circuits::region::ENCODING_CODE,
        "the verifier's copy of the region encoding code"
    );

    // The keys.json setup wrote parses with the verifier's KeyMeta, pinned to verifying.key.
    let key_dir = d.join("keys/test");
    let key = zkcontrib_verifier::PinnedKey::from_dir(&key_dir).unwrap();
    assert!(key.is_dev_setup());
    let text = std::fs::read_to_string(&bundle).unwrap();
    let b = zkcontrib_verifier::Bundle::from_json(text.as_bytes()).unwrap();
    assert_eq!(b.vk_hash, key.vk_hash_hex());
    assert_eq!(b.submitter, typed.to_ascii_lowercase());

    let copy = d.join("copy.json");
    std::fs::write(&copy, &text).unwrap();
    let tampered = d.join("tampered.json");
    assert!(text.contains("\"points\": 100"));
    std::fs::write(
        &tampered,
        text.replace("\"points\": 100", "\"points\": 101"),
    )
    .unwrap();
    let other_policy = d.join("other-policy.json");
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["policy_id"] = zkcontrib_verifier::encode_fr_hex(&ark_bn254::Fr::from(7u64)).into();
    std::fs::write(&other_policy, v.to_string()).unwrap();
    let upper = d.join("upper.json");
    std::fs::write(&upper, text.replace(&b.submitter, typed)).unwrap();
    let seen = d.join("seen.txt");

    let out = run(&[
        &key_dir,
        &policy,
        &seen,
        &bundle,
        &copy,
        &tampered,
        &other_policy,
        &upper,
    ])
    .unwrap();
    assert!(out.contains("(DEVELOPMENT SETUP"), "{out}");
    assert!(out.contains("policy santa-clara-2017 0x"), "{out}");
    let accepted = line(&out, "ACCEPTED", &bundle);
    assert!(
        accepted.contains(&format!(
            "submitter={} points=100 ",
            typed.to_ascii_lowercase()
        )),
        "{accepted}"
    );
    assert!(
        accepted.contains(&format!("contribution_id={}", b.contribution_id)),
        "{accepted}"
    );
    assert!(
        line(&out, "REPLAY", &copy).contains("already accepted"),
        "{out}"
    );
    assert!(
        line(&out, "REJECTED", &tampered).contains("class=invalid-proof"),
        "{out}"
    );
    // An unregistered policy is malformed input, not an invalid proof.
    let l = line(&out, "REJECTED", &other_policy);
    assert!(l.contains("class=malformed policy_id:"), "{l}");
    let l = line(&out, "REJECTED", &upper);
    assert!(
        l.contains("class=malformed submitter: address hex: uppercase"),
        "{l}"
    );
    assert_eq!(out.matches("ACCEPTED").count(), 1, "{out}");

    // The replay set persists: a later run refuses to pay the same contribution again.
    let ids = std::fs::read_to_string(&seen).unwrap();
    assert_eq!(ids.trim(), b.contribution_id);
    let out = run(&[&key_dir, &policy, &seen, &bundle]).unwrap();
    assert!(
        line(&out, "REPLAY", &bundle).contains("not paid again"),
        "{out}"
    );
    assert_eq!(std::fs::read_to_string(&seen).unwrap(), ids);

    // Configuration problems stop the node before judging anything, naming the file.
    let e = run(&[&d.join("keys/earth"), &policy, &seen, &bundle]).unwrap_err();
    assert!(e.contains("keys/earth/keys.json: cannot read"), "{e}");
    let e = run(&[&key_dir, &fixtures().join("santa-clara-2017.toml"), &seen]).unwrap_err();
    assert!(e.contains("zkcontrib policy --policy FILE --json"), "{e}");
    std::fs::write(&seen, "0xnot-an-id\n").unwrap();
    let e = run(&[&key_dir, &policy, &seen, &bundle]).unwrap_err();
    assert!(e.contains("seen.txt: line 1"), "{e}");
}
