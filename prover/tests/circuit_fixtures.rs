//! The circuit agrees with the native rules on the real and synthetic fixtures: every chunk of
//! a qualifying trace satisfies the circuit of a shape the policy fits, and the revealed claims
//! are the native ones.

use ark_bn254::Fr;
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystem};
use std::path::{Path, PathBuf};
use zkcontrib_circuits::circuit::TraceCircuit;
use zkcontrib_circuits::encode::Point;
use zkcontrib_circuits::rules::evaluate;
use zkcontrib_circuits::shape::{Shape, COUNTRY, COUNTY, TEST};
use zkcontrib_circuits::witness::{chunk_witnesses, plan, plan_unchecked};
use zkcontrib_prover::{ingest::read_points, policy_file::load_policy};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

/// Checks every chunk and returns (chunks, contribution_id).
fn agree(trace: &str, policy: &str, shape: Shape) -> (usize, Fr) {
    let policy = load_policy(&fixtures().join(policy)).unwrap();
    let points: Vec<Point> = read_points(&fixtures().join(trace)).unwrap();
    let eval = evaluate(&policy, &points);
    assert!(eval.qualifies(), "{trace}: {:?}", eval.violations);
    let plans = plan(&policy, &shape, &points, &eval).unwrap();
    let ws = chunk_witnesses(
        &policy,
        &shape,
        &points,
        &eval,
        &plans,
        Fr::from(11u64),
        Fr::from(0x5eedu64),
    );
    for (k, w) in ws.iter().enumerate() {
        let cs = ConstraintSystem::<Fr>::new_ref();
        TraceCircuit {
            shape,
            witness: Some(w.clone()),
        }
        .generate_constraints(cs.clone())
        .unwrap();
        assert!(
            cs.is_satisfied().unwrap(),
            "{trace}: chunk {k} rejected at {:?}",
            cs.which_is_unsatisfied()
        );
    }
    let carried = plans.iter().filter(|p| p.carried > 0).count();
    let slots = plans.len() * shape.points;
    println!(
        "{trace} / {}: {} points in {} chunks ({carried} carrying), {:.0} % of {slots} slots used",
        shape.name,
        points.len(),
        plans.len(),
        100.0 * points.len() as f64 / slots as f64
    );
    let last = ws.last().unwrap().public;
    assert_eq!(last.claimed_points, eval.claims.points, "{trace}");
    assert_eq!(last.claimed_distance_m, eval.claims.distance_m, "{trace}");
    assert_eq!(last.claimed_duration_s, eval.claims.duration_s, "{trace}");
    (ws.len(), last.contribution_id)
}

/// The same trace through two shapes: same claims (checked in `agree`) and the same
/// contribution id, so a trace cannot be resubmitted under another shape.
#[test]
fn santa_clara_run_test_and_production_shapes() {
    let (n_test, id_test) = agree(
        "garmin-activity-santa-clara.gpx",
        "santa-clara-2017.toml",
        TEST,
    );
    let (n_county, id_county) = agree(
        "garmin-activity-santa-clara.gpx",
        "santa-clara-2017.toml",
        COUNTY,
    );
    assert_eq!((n_test, n_county), (23, 3));
    assert_eq!(id_test, id_county);
}

#[test]
fn ten_hz_walk() {
    assert_eq!(
        agree("synthetic/tenhz-walk.csv", "santa-clara-10hz.toml", TEST).0,
        14
    );
}

#[test]
fn visnjan_drive_country_shape() {
    assert_eq!(agree("visnjan-car.gpx", "croatia-2020.toml", COUNTRY).0, 1);
}

#[test]
fn policies_that_do_not_fit_a_shape_are_refused() {
    let p = load_policy(&fixtures().join("croatia-2020.toml")).unwrap();
    let e = COUNTY.check_policy(&p).unwrap_err().to_string();
    assert!(e.contains("grid_bits"), "{e}");
    let p = load_policy(&fixtures().join("santa-clara-region-only.toml")).unwrap();
    let e = TEST.check_policy(&p).unwrap_err().to_string();
    assert!(e.contains("max_interval"), "{e}");
}

/// The violating fixtures: the native rules reject them, and so does the circuit when a
/// prover bypasses the native check and builds the witness anyway.
#[test]
fn violating_fixtures_are_rejected_by_the_circuit() {
    for (trace, policy) in [
        ("synthetic/gap.csv", "santa-clara-2017.toml"),
        ("synthetic/duplicates.csv", "santa-clara-2017.toml"),
        ("garmin-activity-santa-clara.gpx", "santa-clara-strict.toml"),
    ] {
        let policy = load_policy(&fixtures().join(policy)).unwrap();
        let points: Vec<Point> = read_points(&fixtures().join(trace)).unwrap();
        let eval = evaluate(&policy, &points);
        assert!(!eval.qualifies(), "{trace}");
        let plans = plan_unchecked(&policy, &TEST, &points, &eval).unwrap();
        let ws = chunk_witnesses(
            &policy,
            &TEST,
            &points,
            &eval,
            &plans,
            Fr::from(3u64),
            Fr::from(4u64),
        );
        let rejected = ws.iter().filter(|w| {
            let cs = ConstraintSystem::<Fr>::new_ref();
            TraceCircuit {
                shape: TEST,
                witness: Some((*w).clone()),
            }
            .generate_constraints(cs.clone())
            .unwrap();
            !cs.is_satisfied().unwrap()
        });
        assert!(
            rejected.count() > 0,
            "{trace}: the circuit accepted a violating trace"
        );
    }
}
