//! Policy files: canonical hashing, validation, region files.

use std::path::{Path, PathBuf};
use zkcontrib_prover::policy_file::{load_policy, load_policy_cached, PolicyFileErrorKind};

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
    assert!(params.region_items >= 1000, "{}", params.region_items);
    assert_eq!(
        params.region_encoding,
        zkcontrib_circuits::region::ENCODING_CODE
    );
    // Every item is well-formed: triangles below 2^16 cells² doubled, squares up to 2^16 cells.
    assert!(p
        .region()
        .items()
        .iter()
        .all(zkcontrib_circuits::region::Item::is_well_formed));
}

/// The compiled region is cached by the boundary files' contents: a second load reads the
/// package (same id), an edited boundary file is compiled again.
#[test]
fn compiled_regions_are_cached_by_content() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let region = dir.path().join("r.geojson");
    std::fs::copy(fixtures().join("santa-clara-county.geojson"), &region).unwrap();
    let p = dir.path().join("p.toml");
    std::fs::write(&p, BASE.replace("REGION", "r.geojson")).unwrap();
    let a = load_policy_cached(&p, Some(&cache)).unwrap();
    let files: Vec<_> = std::fs::read_dir(&cache).unwrap().collect();
    assert_eq!(files.len(), 1);
    let b = load_policy_cached(&p, Some(&cache)).unwrap();
    assert_eq!(a.id(), b.id());
    assert_eq!(a.region().items(), b.region().items());
    // A corrupt entry is compiled again and replaced.
    let entry = files[0].as_ref().unwrap().path();
    let mut bytes = std::fs::read(&entry).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 1;
    std::fs::write(&entry, &bytes).unwrap();
    assert_eq!(load_policy_cached(&p, Some(&cache)).unwrap().id(), a.id());
    // Another boundary: another id, another entry.
    let text = std::fs::read_to_string(&region).unwrap();
    std::fs::write(&region, text.replacen("-121.", "-121.0", 1)).unwrap();
    let c = load_policy_cached(&p, Some(&cache)).unwrap();
    assert_ne!(c.id(), a.id());
    assert_eq!(std::fs::read_dir(&cache).unwrap().count(), 2);
    // Without a cache nothing is written.
    assert_eq!(load_policy_cached(&p, None).unwrap().id(), c.id());
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
        (
            BASE.replace("min_interval_s = 1\n", ""),
            "missing key `min_interval_s` (every policy states name, region,",
        ),
        (
            BASE.replace("max_interval_s = 15", "max_interval_s = \"15\""),
            "max_interval_s",
        ),
        ("name = [".to_string(), "p.toml"),
        (
            format!("{BASE}\ngrid_bits = 27"),
            "is no longer a policy key",
        ),
        (
            format!("{BASE}\nrepair_region = true"),
            "repairs boundaries automatically",
        ),
        (
            BASE.replace("max_interval_s = 15", "max_interval_s = 90"),
            "65.536 s",
        ),
        (
            BASE.replace("max_speed_mps = 10.0", "max_speed_mps = 150"),
            "up to 2048 m",
        ),
        (
            BASE.replace("\"REGION\"", "\"does-not-exist.geojson\""),
            "p.toml: `region` names /",
        ),
        (
            BASE.replace("\"REGION\"", "\"does-not-exist.geojson\""),
            "does-not-exist.geojson, which cannot be read",
        ),
    ];
    for (text, want) in cases {
        let (_, line) = err_of(d, &text);
        assert!(line.contains(want), "expected {want:?} in {line:?}");
    }
}

fn region_policy(geojson: &str) -> Result<zkcontrib_circuits::policy::Policy, String> {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path().join("r.geojson");
    std::fs::write(&r, geojson).unwrap();
    let text = BASE.replace("REGION", &r.display().to_string());
    let p = dir.path().join("p.toml");
    std::fs::write(&p, text).unwrap();
    load_policy_cached(&p, None).map_err(|e| e.to_string())
}

fn region_err(geojson: &str) -> String {
    region_policy(geojson).expect_err("region must be rejected")
}

#[test]
fn regions_are_repaired_or_rejected_with_a_reason() {
    // A bow tie is repaired, and the repair reported.
    let bowtie =
        r#"{"type":"Polygon","coordinates":[[[0,0],[0.01,0.01],[0.01,0],[0,0.01],[0,0]]]}"#;
    let p = region_policy(bowtie).unwrap();
    let r = p.region().report();
    assert_eq!(r.repairs.len(), 1, "{r:?}");
    assert!(r.repairs[0].problem.contains("crosses itself"), "{r:?}");
    // A region of 20° × 20° is a region like any other.
    let huge = r#"{"type":"Polygon","coordinates":[[[0,0],[20,0],[20,20],[0,20],[0,0]]]}"#;
    assert!(region_policy(huge).is_ok());
    let flat = r#"{"type":"Polygon","coordinates":[[[0,0],[0.00000001,0],[0.00000001,0.00000001],[0,0]]]}"#;
    assert!(region_err(flat).contains("no area"), "{}", region_err(flat));
    let point = r#"{"type":"Point","coordinates":[0,0]}"#;
    assert!(region_err(point).contains("Point"));
    let empty = r#"{"type":"FeatureCollection","features":[]}"#;
    assert!(region_err(empty).contains("no polygon"));
    assert!(region_err("{not json").contains("GeoJSON"));
    let bad_lat = r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,95],[0,0]]]}"#;
    assert!(
        region_err(bad_lat).contains("vertex 2"),
        "{}",
        region_err(bad_lat)
    );
    // A ring that does not end where it starts is refused, not silently closed: the file may
    // be truncated.
    let open_ring = r#"{"type":"Polygon","coordinates":[[[0,0],[0.1,0],[0.1,0.1],[0,0.1]]]}"#;
    let e = region_err(open_ring);
    assert!(
        e.contains("geometry 0")
            && e.contains("outer ring is not closed")
            && e.contains("RFC 7946"),
        "{e}"
    );
    let open_hole = r#"{"type":"Feature","properties":{"name":"X"},"geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[0.1,0],[0.1,0.1],[0,0.1],[0,0]],[[0.02,0.02],[0.03,0.02],[0.03,0.03]]]]}}"#;
    let e = region_err(open_hole);
    assert!(
        e.contains("feature \"X\"")
            && e.contains("polygon 0")
            && e.contains("hole 1 is not closed"),
        "{e}"
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
    // Natural Earth's Croatia has a self-touching ring: used as is, and reported.
    std::fs::write(&p, &text).unwrap();
    let hr = load_policy_cached(&p, None).unwrap();
    let r = hr.region().report();
    assert!(!r.repairs.is_empty(), "{r:?}");
    assert!(
        hr.params().region_items > 2000,
        "{}",
        hr.params().region_items
    );
    assert!(hr.params().region_depth >= 6);
    std::fs::write(&p, text.replace("Croatia", "Atlantis")).unwrap();
    let e = load_policy(&p).unwrap_err();
    assert!(matches!(e.kind(), PolicyFileErrorKind::Region(_)));
    assert!(e.to_string().contains("Slovenia"));
}
