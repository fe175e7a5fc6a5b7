//! The circuit agrees with the native rules on the real and synthetic fixtures: every chunk of
//! a qualifying trace satisfies the circuit, the revealed claims are the native ones, and the
//! chunk count is `⌈points / N⌉` wherever the statement promises it.

use ark_bn254::Fr;
use std::path::{Path, PathBuf};
use zkcontrib_circuits::circuit::check;
use zkcontrib_circuits::encode::Point;
use zkcontrib_circuits::plan::{plan, plan_unchecked, Chunking};
use zkcontrib_circuits::rules::evaluate;
use zkcontrib_circuits::shape::{Shape, EARTH, TEST};
use zkcontrib_circuits::witness::{chunk_witnesses, trace_witnesses};
use zkcontrib_prover::{ingest::read_points, policy_file::load_policy};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

/// Plans a fixture for a shape: (chunks, chunking, fill).
fn planned(trace: &str, policy: &str, shape: Shape) -> (usize, Chunking, f64) {
    let policy = load_policy(&fixtures().join(policy)).unwrap();
    let points: Vec<Point> = read_points(&fixtures().join(trace)).unwrap();
    let eval = evaluate(&policy, &points);
    assert!(eval.qualifies(), "{trace}: {:?}", eval.violations);
    let (plans, how) = plan(&policy, &shape, &points, &eval).unwrap();
    let fill = points.len() as f64 / (plans.len() * shape.points) as f64;
    println!(
        "{trace} / {}: {} points in {} chunks ({how:?}), {:.1} % of slots filled",
        shape.name,
        points.len(),
        plans.len(),
        100.0 * fill
    );
    (plans.len(), how, fill)
}

/// Checks every chunk on the `test` shape and returns (chunks, contribution_id).
fn agree(trace: &str, policy: &str) -> (usize, Fr) {
    let policy = load_policy(&fixtures().join(policy)).unwrap();
    let points: Vec<Point> = read_points(&fixtures().join(trace)).unwrap();
    let eval = evaluate(&policy, &points);
    let ws = trace_witnesses(
        &policy,
        &TEST,
        &points,
        Fr::from(11u64),
        Fr::from(0x5eedu64),
    )
    .unwrap_or_else(|e| panic!("{trace}: {e}"));
    for (k, w) in ws.iter().enumerate() {
        assert_eq!(check(TEST, w).unwrap(), Ok(()), "{trace}: chunk {k}");
    }
    let last = ws.last().unwrap().public;
    assert_eq!(last.claimed_points, eval.claims.points, "{trace}");
    assert_eq!(last.claimed_distance_m, eval.claims.distance_m, "{trace}");
    assert_eq!(last.claimed_duration_s, eval.claims.duration_s, "{trace}");
    let id = zkcontrib_circuits::statement::contribution_id(
        zkcontrib_circuits::statement::accumulate(&points),
        points.len() as u64,
        &points[0],
    );
    assert_eq!(last.contribution_id, id, "{trace}");
    (ws.len(), last.contribution_id)
}

#[test]
fn santa_clara_run() {
    let (n, _) = agree("garmin-activity-santa-clara.gpx", "santa-clara-2017.toml");
    assert_eq!(n, 988usize.div_ceil(TEST.points));
    assert_eq!(
        planned(
            "garmin-activity-santa-clara.gpx",
            "santa-clara-2017.toml",
            EARTH
        )
        .0,
        3
    );
}

#[test]
fn ten_hz_walk() {
    assert_eq!(
        agree("synthetic/tenhz-walk.csv", "santa-clara-10hz.toml").0,
        600usize.div_ceil(TEST.points)
    );
}

#[test]
fn visnjan_drive_against_croatia() {
    assert_eq!(agree("visnjan-car.gpx", "croatia-2020.toml").0, 2);
}

/// The drives of the driving networks: ⌈n/N⌉ chunks, at least 90 % of the production shape's
/// slots filled, every chunk accepted.
#[test]
fn city_and_highway_drives_fill_their_chunks() {
    for (trace, policy) in [
        ("city-drive-san-jose.csv", "santa-clara-drive.toml"),
        ("highway-drive-germany.csv", "germany-drive.toml"),
    ] {
        let (n, how, fill) = planned(trace, policy, EARTH);
        assert_eq!(how, Chunking::Fixed, "{trace}");
        assert!(fill >= 0.90, "{trace}: {fill}");
        let points = read_points(&fixtures().join(trace)).unwrap();
        assert_eq!(n, points.len().div_ceil(EARTH.points));
        let (k, _) = agree(trace, policy);
        assert_eq!(k, points.len().div_ceil(TEST.points), "{trace}");
    }
}

/// A whole country larger than 10° (the UK with its islands), an island country across the
/// antimeridian (Fiji: the ride crosses 180° on Taveuni), and all land of the Earth minus an
/// exclusion zone.
#[test]
fn large_regions_and_the_antimeridian() {
    agree("synthetic/uk-drive.csv", "united-kingdom-drive.toml");
    agree("synthetic/antimeridian.csv", "fiji-ride.toml");
    agree("highway-drive-germany.csv", "world-land.toml");
}

/// The violating fixtures: the native rules reject them, and so does the circuit when a
/// prover bypasses the native check and builds the witness anyway.
#[test]
fn violating_fixtures_are_rejected_by_the_circuit() {
    for (trace, policy) in [
        ("synthetic/gap.csv", "santa-clara-2017.toml"),
        ("synthetic/duplicates.csv", "santa-clara-2017.toml"),
        ("garmin-activity-santa-clara.gpx", "santa-clara-strict.toml"),
        ("synthetic/harz-walk.csv", "world-land.toml"),
    ] {
        let policy = load_policy(&fixtures().join(policy)).unwrap();
        let points: Vec<Point> = read_points(&fixtures().join(trace)).unwrap();
        let eval = evaluate(&policy, &points);
        assert!(!eval.qualifies(), "{trace}");
        let (plans, _) = plan_unchecked(&policy, &TEST, &points, &eval).unwrap();
        let ws = chunk_witnesses(
            &policy,
            &TEST,
            &points,
            &eval,
            &plans,
            Fr::from(3u64),
            Fr::from(4u64),
        );
        let rejected = ws
            .iter()
            .filter(|w| check(TEST, w).unwrap().is_err())
            .count();
        assert!(
            rejected > 0,
            "{trace}: the circuit accepted a violating trace"
        );
    }
}
