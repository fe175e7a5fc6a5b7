//! `zkcontrib check` and `zkcontrib policy` end to end, on the fixtures.

use geo::{Distance, Geodesic, Point as GeoPoint};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

fn zkcontrib(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zkcontrib"))
        .args(args)
        .current_dir(fixtures())
        .output()
        .expect("run zkcontrib")
}

fn check_json(trace: &str, policy: &str) -> (i32, Value) {
    let out = zkcontrib(&["check", "--trace", trace, "--policy", policy, "--json"]);
    let code = out.status.code().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (code, v)
}

fn failing_points(v: &Value, rule: &str) -> Vec<u64> {
    let r = v["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule"] == rule)
        .unwrap();
    r["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|x| x["point"].as_u64())
        .collect()
}

fn broken(v: &Value) -> Vec<String> {
    v["rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["ok"] == false)
        .map(|r| r["rule"].as_str().unwrap().to_owned())
        .collect()
}

fn geodesic_length(trace: &str) -> f64 {
    let t = zkcontrib_prover::ingest::read_trace(&fixtures().join(trace)).unwrap();
    t.points
        .windows(2)
        .map(|w| {
            Geodesic.distance(
                GeoPoint::new(w[0].lon, w[0].lat),
                GeoPoint::new(w[1].lon, w[1].lat),
            )
        })
        .sum()
}

#[test]
fn santa_clara_run_qualifies_with_correct_claims() {
    let (code, v) = check_json("garmin-activity-santa-clara.gpx", "santa-clara-2017.toml");
    assert_eq!(code, 0);
    assert_eq!(v["qualifies"], true);
    assert_eq!(v["claims"]["points"], 988);
    // 14:46:35 → 16:18:13
    assert_eq!(v["claims"]["duration_s"], 5498);
    assert_eq!(v["inside_points"], 988);
    let claimed = v["claims"]["distance_m"].as_f64().unwrap();
    let geodesic = geodesic_length("garmin-activity-santa-clara.gpx");
    assert!(
        claimed <= geodesic,
        "a lower bound: {claimed} <= {geodesic}"
    );
    assert!(
        claimed >= 0.99 * geodesic,
        "within 1 %: {claimed} vs {geodesic}"
    );
}

#[test]
fn visnjan_drive_qualifies_in_croatia() {
    let (code, v) = check_json("visnjan-car.gpx", "croatia-2020.toml");
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["claims"]["points"], 104);
    let claimed = v["claims"]["distance_m"].as_f64().unwrap();
    let geodesic = geodesic_length("visnjan-car.gpx");
    assert!(claimed <= geodesic);
    // Croatia's latitude band (42.4°–46.6°) costs up to ~2.5 % east–west (docs/statement.md).
    assert!(claimed >= 0.975 * geodesic, "{claimed} vs {geodesic}");
}

#[test]
fn stricter_policy_names_rules_and_points() {
    let (code, v) = check_json("garmin-activity-santa-clara.gpx", "santa-clara-strict.toml");
    assert_eq!(code, 1);
    assert_eq!(v["qualifies"], false);
    assert_eq!(broken(&v), ["window", "interval", "speed"]);
    assert_eq!(failing_points(&v, "speed"), [26, 27, 28, 246, 247]);
    assert_eq!(failing_points(&v, "interval")[..3], [228, 253, 334]);
    let late = failing_points(&v, "window");
    assert_eq!(late.first(), Some(&955));
    assert_eq!(late.last(), Some(&987));
    // The text report says the same, and exits 1 too.
    let out = zkcontrib(&[
        "check",
        "--trace",
        "garmin-activity-santa-clara.gpx",
        "--policy",
        "santa-clara-strict.toml",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("FAIL  speed"));
    assert!(
        text.contains("step to point 27 at 4.53 m/s exceeds 4.00 m/s"),
        "{text}"
    );
    assert!(text.contains("DOES NOT QUALIFY (3 rules broken)"));
    // 33 late points: 12 listed, "… and 21 more points" (points only, never a summary row).
    assert!(text.contains("… and 21 more points"), "{text}");
}

#[test]
fn synthetic_edge_cases() {
    let (code, v) = check_json("synthetic/tenhz-walk.csv", "santa-clara-10hz.toml");
    assert_eq!((code, v["claims"]["points"].as_u64()), (0, Some(600)));
    let (code, v) = check_json("synthetic/gap.csv", "santa-clara-2017.toml");
    assert_eq!(code, 1);
    assert_eq!(broken(&v), ["interval"]);
    assert_eq!(failing_points(&v, "interval"), [150]);
    let (code, v) = check_json("synthetic/duplicates.csv", "santa-clara-2017.toml");
    assert_eq!(code, 1);
    assert_eq!(broken(&v), ["increasing"]);
    assert_eq!(failing_points(&v, "increasing"), [101, 201]);
    // Exactly on the county's vertices: inside (closed region); the vertices are an hour apart,
    // more than the policy's 60 s.
    let (code, v) = check_json("synthetic/boundary.csv", "santa-clara-region-only.toml");
    assert_eq!(code, 1, "{v}");
    assert_eq!(broken(&v), ["interval"]);
    assert_eq!(v["inside_points"], 12);
    // Across the antimeridian on Taveuni: one trace, every point inside Fiji.
    let (code, v) = check_json("synthetic/antimeridian.csv", "fiji-ride.toml");
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["inside_points"], 1000);
}

#[test]
fn svg_marks_violations() {
    let dir = tempfile::tempdir().unwrap();
    let out_svg = dir.path().join("strict.svg");
    let out = zkcontrib(&[
        "check",
        "--trace",
        "garmin-activity-santa-clara.gpx",
        "--policy",
        "santa-clara-strict.toml",
        "--svg",
        out_svg.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let svg = std::fs::read_to_string(&out_svg).unwrap();
    assert!(svg.starts_with("<svg"));
    assert!(svg.contains("<polyline"));
    // One marker per distinct violating point, with a disc per rule it breaks in the rule's
    // colour, and a legend entry per broken rule.
    let (_, v) = check_json("garmin-activity-santa-clara.gpx", "santa-clara-strict.toml");
    let rules = ["window", "interval", "speed"];
    let mut pts: Vec<u64> = rules.iter().flat_map(|r| failing_points(&v, r)).collect();
    for r in rules {
        let mut p = failing_points(&v, r);
        p.dedup();
        let disc = format!(r#"data-rule="{r}" fill="#);
        assert_eq!(svg.matches(&disc).count(), p.len(), "{r}");
        assert!(svg.contains(&format!(r#"<g class="legend-entry" data-rule="{r}">"#)));
    }
    pts.sort_unstable();
    pts.dedup();
    assert!(pts.len() > 60);
    assert_eq!(svg.matches(r#"<g class="violation""#).count(), pts.len());
    assert!(svg.contains("step to point 27 at 4.53 m/s"));
    // The county is much larger than the run: an overview inset shows where the map is.
    assert!(svg.contains(r#"class="inset""#));
}

/// A CSV whose point 1 has latitude 91.
fn bad_latitude_csv(dir: &Path) -> PathBuf {
    let bad = dir.join("bad.csv");
    std::fs::write(
        &bad,
        "time,lat,lon\n2017-07-29T14:46:35Z,37.2,-121.9\n2017-07-29T14:46:36Z,91,-121.9\n",
    )
    .unwrap();
    bad
}

#[test]
fn bad_input_exits_2_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let bad = bad_latitude_csv(dir.path());
    let cases: Vec<Vec<String>> = vec![
        vec![
            "check".into(),
            "--trace".into(),
            bad.display().to_string(),
            "--policy".into(),
            "santa-clara-2017.toml".into(),
        ],
        vec![
            "check".into(),
            "--trace".into(),
            "missing.gpx".into(),
            "--policy".into(),
            "santa-clara-2017.toml".into(),
        ],
        vec![
            "check".into(),
            "--trace".into(),
            "visnjan-car.gpx".into(),
            "--policy".into(),
            "santa-clara-county.geojson".into(),
        ],
        vec!["check".into(), "--trace".into(), "visnjan-car.gpx".into()],
        vec!["policy".into(), "--policy".into(), "nope.toml".into()],
        vec!["frobnicate".into()],
    ];
    for args in cases {
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = zkcontrib(&a);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(out.stdout.is_empty(), "{args:?}");
        if args[0] == "check" && args.len() == 5 {
            assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        }
    }
    let out = zkcontrib(&[
        "check",
        "--trace",
        bad.to_str().unwrap(),
        "--policy",
        "santa-clara-2017.toml",
    ]);
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("bad.csv") && err.contains("point 1") && err.contains("latitude"),
        "{err}"
    );
    assert!(!err.contains("91"), "no coordinates in errors: {err}");
}

#[test]
fn check_json_reports_errors_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let bad = bad_latitude_csv(dir.path());
    let out = zkcontrib(&[
        "check",
        "--trace",
        bad.to_str().unwrap(),
        "--policy",
        "santa-clara-2017.toml",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["status"], "error");
    assert_eq!(v["error"]["class"], "bad_input");
    let msg = v["error"]["message"].as_str().unwrap();
    assert!(msg.contains("bad.csv") && msg.contains("point 1"), "{msg}");
    assert!(!msg.contains("91"), "no coordinates in errors: {msg}");
    // The policy command too.
    let out = zkcontrib(&["policy", "--policy", "nope.toml", "--json"]);
    assert_eq!(out.status.code(), Some(2));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("nope.toml"),
        "{v}"
    );
}

#[test]
fn policy_command_prints_the_same_id_as_check() {
    let out = zkcontrib(&["policy", "--policy", "santa-clara-2017.toml", "--json"]);
    assert_eq!(out.status.code(), Some(0));
    let p: Value = serde_json::from_slice(&out.stdout).unwrap();
    let (_, c) = check_json("garmin-activity-santa-clara.gpx", "santa-clara-2017.toml");
    assert_eq!(p["policy_id"], c["policy_id"]);
    assert!(p["params"]["region_items"].as_u64().unwrap() > 1000);
    assert_eq!(
        p["params"]["region_encoding"],
        zkcontrib_circuits::region::ENCODING_CODE
    );
    assert!(p["region"]["repairs"].as_array().unwrap().is_empty());
    // floor(10 m/s · 2^18 / 1000) distance units per ms
    assert_eq!(p["params"]["speed_units"], 2_621);
}

/// Natural Earth's Germany has polygons that cross themselves: the policy names no repair flag,
/// `zkcontrib policy` repairs them and says what it did.
#[test]
fn policy_command_reports_region_repairs() {
    let out = zkcontrib(&["policy", "--policy", "germany-drive.toml"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("repairs       3"), "{text}");
    assert!(
        text.contains("crosses itself") && text.contains("rebuilt as"),
        "{text}"
    );
    let out = zkcontrib(&["policy", "--policy", "germany-drive.toml", "--json"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["region"]["repairs"].as_array().unwrap().len(), 3);
}
