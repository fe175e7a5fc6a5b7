//! Policy files: canonical hashing, validation, region files.

use std::path::{Path, PathBuf};
use zkcontrib_prover::policy_file::{load_policy, PolicyFileErrorKind};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

const BASE: &str = r#"
name = "t"
region = "REGION"
not_before = "2017-07-01T00:00:00Z"
not_after = "2017-08-31T23:59:59Z"
min_interval_s = 1
max_interval_s = 15
max_speed_mps = 10.0
min_points = 100
min_distance_m = 1000
min_inside_fraction = 1.0
"#;

/// Writes `text` (with REGION replaced by the absolute Santa Clara polygon) to a temp policy.
fn write_policy(dir: &Path, file: &str, text: &str) -> PathBuf {
    let region = fixtures().join("santa-clara-county.geojson");
    let p = dir.join(file);
    std::fs::write(&p, text.replace("REGION", &region.display().to_string())).unwrap();
    p
}

fn err_of(dir: &Path, text: &str) -> (String, String) {
    let p = write_policy(dir, "p.toml", text);
    let e = load_policy(&p).expect_err("policy must be rejected");
    let line = e.to_string();
    assert!(!line.contains('\n'), "one line: {line}");
    assert!(
        line.contains("p.toml") || line.contains(".geojson"),
        "{line}"
    );
    (format!("{:?}", e.kind()), line)
}

#[test]
fn santa_clara_fixture_policy_compiles_with_a_stable_id() {
    let p = load_policy(&fixtures().join("santa-clara-2017.toml")).unwrap();
    let q = load_policy(&fixtures().join("santa-clara-2017.toml")).unwrap();
    assert_eq!(p.id(), q.id());
    let params = p.params();
    assert_eq!(params.min_interval_ms, 1000);
    assert_eq!(params.max_interval_ms, 15_000);
    assert_eq!(params.max_speed_mmps, 10_000);
    assert_eq!(params.min_inside_bp, 10_000);
    assert_eq!(params.not_before_ms, 1_498_867_200_000);
    assert!(params.region_pieces >= 40, "{}", params.region_pieces);
    // The county's largest triangle needs < 40 bits of half-plane range at 0.7 m cells.
    assert!(p.region().piece_area_bits() <= 40);
}

#[test]
fn key_order_and_format_do_not_change_the_id() {
    let dir = tempfile::tempdir().unwrap();
    let a = load_policy(&write_policy(dir.path(), "a.toml", BASE)).unwrap();
    let mut lines: Vec<&str> = BASE.lines().filter(|l| !l.is_empty()).collect();
    lines.reverse();
    let b = load_policy(&write_policy(dir.path(), "b.toml", &lines.join("\n"))).unwrap();
    let region = fixtures().join("santa-clara-county.geojson");
    let json = format!(
        r#"{{"min_inside_fraction": 1.0, "min_distance_m": 1000, "min_points": 100,
            "max_speed_mps": 10, "max_interval_s": 15, "min_interval_s": 1.0,
            "not_after": "2017-09-01T01:59:59+02:00", "not_before": "2017-07-01T00:00:00Z",
            "region": {:?}, "name": "a different label"}}"#,
        region.display().to_string()
    );
    let c = load_policy(&write_policy(dir.path(), "c.json", &json)).unwrap();
    // Unquoted TOML datetimes are accepted too.
    let d_text = BASE.replace("\"2017-07-01T00:00:00Z\"", "2017-07-01T00:00:00Z");
    let d = load_policy(&write_policy(dir.path(), "d.toml", &d_text)).unwrap();
    assert_eq!(a.id(), b.id());
    assert_eq!(a.id(), c.id());
    assert_eq!(a.id(), d.id());
    // Any rule change changes the id.
    let e = load_policy(&write_policy(
        dir.path(),
        "e.toml",
        &BASE.replace("min_points = 100", "min_points = 101"),
    ))
    .unwrap();
    assert_ne!(a.id(), e.id());
    let f = load_policy(&write_policy(
        dir.path(),
        "f.toml",
        // The enforced limit has a resolution of 2^-18 m/ms (3.8 mm/s): 10 mm/s more is
        // another rule, 1 mm/s more is the same rule and the same id.
        &BASE.replace("max_speed_mps = 10.0", "max_speed_mps = 10.01"),
    ))
    .unwrap();
    assert_ne!(a.id(), f.id());
}

#[test]
fn inconsistent_and_malformed_policies_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cases: Vec<(String, &str)> = vec![
        (format!("{BASE}\ncolour = \"red\""), "unknown field"),
        (
            BASE.replace("min_interval_s = 1", "min_interval_s = 20"),
            "min_interval",
        ),
        (
            BASE.replace("2017-08-31T23:59:59Z", "2017-06-01T00:00:00Z"),
            "not_before must be earlier",
        ),
        (
            BASE.replace("2017-08-31T23:59:59Z", "yesterday"),
            "not_after",
        ),
        (
            BASE.replace("max_speed_mps = 10.0", "max_speed_mps = 0"),
            "max_speed_mps",
        ),
        (
            BASE.replace("max_speed_mps = 10.0", "max_speed_mps = -3"),
            "max_speed_mps",
        ),
        (
            BASE.replace("min_inside_fraction = 1.0", "min_inside_fraction = 1.5"),
            "min_inside_fraction",
        ),
        (
            BASE.replace("min_points = 100", "min_points = 0"),
            "min_points",
        ),
        (
            BASE.replace("min_points = 100", "min_points = -1"),
            "min_points",
        ),
        (BASE.replace("min_interval_s = 1\n", ""), "missing field"),
        (
            BASE.replace("max_interval_s = 15", "max_interval_s = \"15\""),
            "max_interval_s",
        ),
        ("name = [".to_string(), "p.toml"),
        (
            BASE.replace("\"REGION\"", "\"does-not-exist.geojson\""),
            "does-not-exist",
        ),
    ];
    for (text, want) in cases {
        let (_, line) = err_of(d, &text);
        assert!(line.contains(want), "expected {want:?} in {line:?}");
    }
}

fn region_err(geojson: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path().join("r.geojson");
    std::fs::write(&r, geojson).unwrap();
    let text = BASE.replace("REGION", &r.display().to_string());
    let p = dir.path().join("p.toml");
    std::fs::write(&p, text).unwrap();
    let e = load_policy(&p).expect_err("region must be rejected");
    e.to_string()
}

#[test]
fn bad_regions_are_rejected_with_a_reason() {
    let bowtie = r#"{"type":"Polygon","coordinates":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}"#;
    assert!(
        region_err(bowtie).contains("self-intersection"),
        "{}",
        region_err(bowtie)
    );
    let flat = r#"{"type":"Polygon","coordinates":[[[0,0],[0.00000001,0],[0.00000001,0.00000001],[0,0]]]}"#;
    assert!(
        region_err(flat).contains("zero area"),
        "{}",
        region_err(flat)
    );
    let point = r#"{"type":"Point","coordinates":[0,0]}"#;
    assert!(region_err(point).contains("Point"));
    let empty = r#"{"type":"FeatureCollection","features":[]}"#;
    assert!(region_err(empty).contains("no polygon"));
    assert!(region_err("{not json").contains("GeoJSON"));
    let huge = r#"{"type":"Polygon","coordinates":[[[0,0],[20,0],[20,20],[0,20],[0,0]]]}"#;
    assert!(
        region_err(huge).contains("grid_bits = 29"),
        "{}",
        region_err(huge)
    );
    let bad_lat = r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,95],[0,0]]]}"#;
    assert!(
        region_err(bad_lat).contains("vertex 2"),
        "{}",
        region_err(bad_lat)
    );
}

#[test]
fn country_region_selects_feature_and_encodes() {
    let dir = tempfile::tempdir().unwrap();
    let region = fixtures().join("slovenia-croatia.geojson");
    let text = BASE
        .replace("REGION", &region.display().to_string())
        .replace(
            "name = \"t\"",
            "name = \"hr\"\nregion_feature = \"Croatia\"",
        );
    let p = dir.path().join("hr.toml");
    // Natural Earth's Croatia has a self-intersecting ring: rejected as is, with the reason...
    std::fs::write(&p, &text).unwrap();
    let e = load_policy(&p).unwrap_err().to_string();
    assert!(e.contains("self-intersection"), "{e}");
    // ...and accepted when the policy asks for a repair.
    let text = text.replace(
        "region_feature",
        "repair_region = true\ngrid_bits = 27\nregion_feature",
    );
    std::fs::write(&p, &text).unwrap();
    let hr = load_policy(&p).unwrap();
    assert!(
        hr.params().region_pieces > 2000,
        "{}",
        hr.params().region_pieces
    );
    assert!(hr.params().region_depth >= 6);
    std::fs::write(&p, text.replace("Croatia", "Atlantis")).unwrap();
    let e = load_policy(&p).unwrap_err();
    assert!(matches!(e.kind(), PolicyFileErrorKind::Region(_)));
    assert!(e.to_string().contains("Slovenia"));
}
