//! The trace circuit against its native twin: honest traces satisfy it, every broken rule and
//! every tampered witness does not, and its shape is pinned.
#![cfg(feature = "r1cs")]

use ark_bn254::Fr;
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystem};
use geo::{polygon, MultiPolygon};
use zkcontrib_circuits::circuit::TraceCircuit;
use zkcontrib_circuits::encode::Point;
use zkcontrib_circuits::policy::{Policy, PolicyInput};
use zkcontrib_circuits::rules::evaluate;
use zkcontrib_circuits::shape::{Shape, TEST};
use zkcontrib_circuits::witness::{chunk_witnesses, plan, plan_unchecked, ChunkWitness};

const T0: u64 = 1_500_000_000_000;

fn policy_with(f: impl FnOnce(&mut PolicyInput)) -> Policy {
    let mut input = PolicyInput {
        name: "square".into(),
        region: MultiPolygon(vec![polygon!(
            exterior: [(x: 10.0, y: 45.0), (x: 10.1, y: 45.0), (x: 10.1, y: 45.1), (x: 10.0, y: 45.1)],
            interiors: [[(x: 10.04, y: 45.04), (x: 10.06, y: 45.04), (x: 10.06, y: 45.06), (x: 10.04, y: 45.06)]],
        )]),
        not_before_ms: T0 - 1_000_000,
        not_after_ms: T0 + 1_000_000,
        min_interval_ms: 1_000,
        max_interval_ms: 10_000,
        max_speed_mmps: 10_000,
        min_points: 3,
        min_distance_m: 10,
        min_inside_bp: 10_000,
        grid_bits: 26,
        region_shift: 6,
    };
    f(&mut input);
    Policy::compile(&input).unwrap()
}

fn policy() -> Policy {
    policy_with(|_| {})
}

fn pt(lat: f64, lon: f64, t: u64) -> Point {
    Point::from_degrees(lat, lon, t as i64).unwrap()
}

/// A walk of `n` points, 1 s apart, about 1.1 m/s north-east.
fn walk(n: usize) -> Vec<Point> {
    (0..n)
        .map(|i| {
            pt(
                45.01 + 1e-5 * i as f64,
                10.01 + 1e-5 * i as f64,
                T0 + 1000 * i as u64,
            )
        })
        .collect()
}

/// Chunk witnesses without the native qualification check.
fn witnesses_unchecked(policy: &Policy, shape: &Shape, points: &[Point]) -> Vec<ChunkWitness> {
    let eval = evaluate(policy, points);
    let plans = plan_unchecked(policy, shape, points, &eval).unwrap();
    chunk_witnesses(
        policy,
        shape,
        points,
        &eval,
        &plans,
        Fr::from(77u64),
        Fr::from(0xabcdu64),
    )
}

fn witnesses(policy: &Policy, points: &[Point]) -> Vec<ChunkWitness> {
    let eval = evaluate(policy, points);
    assert!(eval.qualifies(), "{:?}", eval.violations);
    let plans = plan(policy, &TEST, points, &eval).unwrap();
    chunk_witnesses(
        policy,
        &TEST,
        points,
        &eval,
        &plans,
        Fr::from(77u64),
        Fr::from(0xabcdu64),
    )
}

fn satisfied(w: &ChunkWitness) -> bool {
    let cs = ConstraintSystem::<Fr>::new_ref();
    TraceCircuit {
        shape: TEST,
        witness: Some(w.clone()),
    }
    .generate_constraints(cs.clone())
    .unwrap();
    cs.is_satisfied().unwrap()
}

fn all_satisfied(ws: &[ChunkWitness]) -> bool {
    ws.iter().all(satisfied)
}

#[test]
fn honest_chunks_satisfy_and_chain() {
    let p = policy();
    let pts = walk(40);
    let ws = witnesses(&p, &pts);
    assert_eq!(ws.len(), 3);
    for w in &ws {
        assert!(satisfied(w));
    }
    for k in 0..2 {
        assert_eq!(ws[k].public.state_out, ws[k + 1].public.state_in);
        assert_eq!(ws[k].public.claimed_points, 0);
        assert_eq!(ws[k].public.contribution_id, Fr::from(0u64));
    }
    let eval = evaluate(&p, &pts);
    let last = &ws[2].public;
    assert_eq!(last.claimed_points, eval.claims.points);
    assert_eq!(last.claimed_distance_m, eval.claims.distance_m);
    assert_eq!(last.claimed_duration_s, eval.claims.duration_s);
    assert_eq!(last.state_out, Fr::from(0u64));
}

#[test]
fn constraint_counts_are_pinned() {
    let cs = ConstraintSystem::<Fr>::new_ref();
    cs.set_mode(ark_relations::gr1cs::SynthesisMode::Setup);
    TraceCircuit {
        shape: TEST,
        witness: None,
    }
    .generate_constraints(cs.clone())
    .unwrap();
    let n = cs.num_constraints();
    println!(
        "test shape: {n} constraints, {} instance variables",
        cs.num_instance_variables()
    );
    assert_eq!(cs.num_instance_variables(), 12);
    assert_eq!(n, 13_414);
    let b = zkcontrib_circuits::circuit::breakdown(TEST).unwrap();
    assert_eq!(b.parts.iter().map(|(_, n)| n).sum::<usize>(), n);
}

/// The production shape's size and per-rule breakdown (printed for docs/circuit.md).
#[test]
fn county_shape_breakdown() {
    use zkcontrib_circuits::shape::COUNTY;
    let b = zkcontrib_circuits::circuit::breakdown(COUNTY).unwrap();
    let total: usize = b.parts.iter().map(|(_, n)| n).sum();
    for (part, n) in &b.parts {
        println!(
            "{part:32} {n:>8} {:>8.1}/point",
            *n as f64 / COUNTY.points as f64
        );
    }
    println!(
        "{:32} {total:>8} {:>8.1}/point",
        "total",
        total as f64 / COUNTY.points as f64
    );
    assert_eq!(total, 114_806);
    let country =
        zkcontrib_circuits::circuit::breakdown(zkcontrib_circuits::shape::COUNTRY).unwrap();
    assert_eq!(country.parts.iter().map(|(_, n)| n).sum::<usize>(), 41_654);
    assert!(total / COUNTY.points < 450);
}

/// The chain of a trace (bypassing the native check) is accepted only if every chunk is.
fn circuit_accepts(policy: &Policy, points: &[Point]) -> bool {
    all_satisfied(&witnesses_unchecked(policy, &TEST, points))
}

/// A walk along the region's southern edge, 2 m inside, 1 s apart.
fn edge_walk(n: usize) -> Vec<Point> {
    (0..n)
        .map(|i| pt(45.000_02, 10.01 + 2e-5 * i as f64, T0 + 1000 * i as u64))
        .collect()
}

#[test]
fn every_broken_rule_is_unsatisfiable() {
    use zkcontrib_circuits::rules::Rule;
    let p = policy();
    let base = walk(24);
    assert!(circuit_accepts(&p, &base));
    let shift_from = |pts: &mut Vec<Point>, i: usize, delta: i64| {
        for q in pts.iter_mut().skip(i) {
            q.t_ms = (q.t_ms as i64 + delta) as u64;
        }
    };
    let mut cases: Vec<(&str, Policy, Vec<Point>, Rule)> = Vec::new();
    let mut outside = edge_walk(24);
    outside[5] = pt(44.999_98, outside[5].lon_e7 as f64 / 1e7, outside[5].t_ms);
    cases.push(("outside point", p.clone(), outside, Rule::Region));
    let mut equal = base.clone();
    shift_from(&mut equal, 5, -1000);
    cases.push(("equal timestamp", p.clone(), equal, Rule::Increasing));
    let mut decreasing = base.clone();
    shift_from(&mut decreasing, 17, -1500);
    cases.push((
        "decreasing timestamp",
        p.clone(),
        decreasing,
        Rule::Increasing,
    ));
    let mut short = base.clone();
    shift_from(&mut short, 9, -1);
    cases.push(("interval too short", p.clone(), short, Rule::Interval));
    let mut long = base.clone();
    shift_from(&mut long, 20, 9_001);
    cases.push(("interval too long", p.clone(), long, Rule::Interval));
    let mut fast = base.clone();
    for q in fast.iter_mut().skip(12) {
        q.lat_e7 += 1000; // +11 m in one second at point 12
    }
    cases.push(("too fast", p.clone(), fast, Rule::Speed));
    let early = policy_with(|i| i.not_before_ms = T0 + 1);
    cases.push(("before window", early, base.clone(), Rule::Window));
    let late = policy_with(|i| i.not_after_ms = T0 + 22_999);
    cases.push(("after window", late, base.clone(), Rule::Window));
    let few = policy_with(|i| i.min_points = 25);
    cases.push(("too few points", few, base.clone(), Rule::MinPoints));
    let far = policy_with(|i| i.min_distance_m = 36);
    cases.push(("too short", far, base.clone(), Rule::MinDistance));
    let half = policy_with(|i| i.min_inside_bp = 9_000);
    let mut mostly_out = edge_walk(24);
    for q in mostly_out.iter_mut().skip(20) {
        q.lat_e7 -= 400; // 4 of 24 points 4 m south of the edge: 83 % inside
    }
    cases.push(("inside share", half, mostly_out, Rule::Region));
    for (name, policy, pts, rule) in cases {
        let eval = evaluate(&policy, &pts);
        assert_eq!(
            eval.broken_rules(),
            vec![rule],
            "{name}: native must flag exactly {rule}"
        );
        assert!(
            !circuit_accepts(&policy, &pts),
            "{name}: the circuit accepted it"
        );
    }
    // ...and just inside each boundary, it accepts.
    let mut min_dt = base.clone();
    shift_from(&mut min_dt, 9, 0);
    assert!(circuit_accepts(
        &policy_with(|i| i.not_after_ms = T0 + 23_000),
        &min_dt
    ));
    assert!(circuit_accepts(&policy_with(|i| i.min_points = 24), &base));
    let half = policy_with(|i| i.min_inside_bp = 8_333);
    let mut out = edge_walk(24);
    for q in out.iter_mut().skip(20) {
        q.lat_e7 -= 400;
    }
    assert!(circuit_accepts(&half, &out));
}

/// Applies `tamper` to a copy of chunk `k` of an honest 40-point walk and checks it breaks.
fn tampered(k: usize, tamper: impl FnOnce(&mut ChunkWitness)) -> bool {
    let ws = witnesses(&policy(), &walk(40));
    let mut w = ws[k].clone();
    tamper(&mut w);
    satisfied(&w)
}

/// One edit of a chunk witness.
type Tamper<'a> = Box<dyn FnOnce(&mut ChunkWitness) + 'a>;

#[test]
fn tampered_witnesses_are_unsatisfiable() {
    let one = Fr::from(1u64);
    let cases: Vec<(&str, usize, Tamper<'_>)> = vec![
        (
            "padding re-activated",
            2,
            Box::new(|w| w.slots[8].active = true),
        ),
        (
            "padding re-activated after a gap",
            2,
            Box::new(|w| w.slots[12].active = true),
        ),
        (
            "non-last chunk not full",
            0,
            Box::new(|w| w.slots[15].active = false),
        ),
        (
            "wrong working-set piece",
            1,
            Box::new(|w| w.pieces[0].triangle.0[0].0 += 1),
        ),
        (
            "forged Merkle path",
            1,
            Box::new(|w| w.pieces[0].siblings[0] += one),
        ),
        ("wrong leaf index", 1, Box::new(|w| w.pieces[0].index ^= 1)),
        (
            "point in another piece",
            1,
            Box::new(|w| {
                // Open a genuine piece that does not contain point 3 and claim it does.
                let p = policy();
                let here = w.pieces[w.slots[3].piece.unwrap()].triangle;
                let j = p.region().pieces().iter().position(|t| *t != here).unwrap();
                let path = p.tree().path(j).unwrap();
                let mut siblings = path.siblings;
                siblings.resize(TEST.depth as usize, Fr::from(0u64));
                let other = 1 - w.slots[3].piece.unwrap();
                w.pieces[other] = zkcontrib_circuits::witness::PieceWitness {
                    triangle: p.region().pieces()[j],
                    index: path.index,
                    siblings,
                };
                w.slots[3].piece = Some(other);
            }),
        ),
        ("step length inflated", 1, Box::new(|w| w.slots[4].d += 1)),
        (
            "padding distance",
            2,
            Box::new(|w| {
                w.slots[10].d = 1;
            }),
        ),
        (
            "padding counted inside",
            2,
            Box::new(|w| w.slots[10].piece = w.slots[7].piece),
        ),
        (
            "wrong state link in",
            1,
            Box::new(|w| w.public.state_in += one),
        ),
        (
            "wrong state link out",
            1,
            Box::new(|w| w.public.state_out += one),
        ),
        (
            "state_out on the last chunk",
            2,
            Box::new(|w| w.public.state_out = one),
        ),
        (
            "claimed points changed",
            2,
            Box::new(|w| w.public.claimed_points += 1),
        ),
        (
            "claimed distance changed",
            2,
            Box::new(|w| w.public.claimed_distance_m += 1),
        ),
        (
            "claimed duration changed",
            2,
            Box::new(|w| w.public.claimed_duration_s -= 1),
        ),
        (
            "claims on a non-last chunk",
            0,
            Box::new(|w| w.public.claimed_points = 16),
        ),
        (
            "id on a non-last chunk",
            1,
            Box::new(|w| w.public.contribution_id = one),
        ),
        (
            "contribution id changed",
            2,
            Box::new(|w| w.public.contribution_id += one),
        ),
        (
            "commitment changed",
            2,
            Box::new(|w| w.public.commitment += one),
        ),
        (
            "not first but genesis claimed",
            1,
            Box::new(|w| w.public.is_first = true),
        ),
        (
            "first chunk skips genesis",
            0,
            Box::new(|w| w.public.is_first = false),
        ),
        (
            "early chunk claims to be last",
            0,
            Box::new(|w| w.public.is_last = true),
        ),
        ("policy id", 0, Box::new(|w| w.public.policy_id += one)),
        ("policy parameter", 0, Box::new(|w| w.params[2] += one)),
        ("projection factor", 0, Box::new(|w| w.kx -= 1)),
        ("region depth", 0, Box::new(|w| w.region_depth += 1)),
        ("time moved", 1, Box::new(|w| w.slots[6].t += 1)),
        ("blinding", 1, Box::new(|w| w.state_in.blinding += one)),
        (
            "points dropped from the end",
            2,
            Box::new(|w| w.slots[7].active = false),
        ),
    ];
    for (name, k, f) in cases {
        assert!(
            !tampered(k, f),
            "{name}: tampered witness satisfied the circuit"
        );
    }
    // Sanity: the untouched witnesses are accepted.
    assert!(tampered(1, |_| {}));
}

mod random {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(12))]

        /// On random walks (some breaking rules), the circuit accepts exactly what the native
        /// rules accept.
        #[test]
        fn circuit_agrees_with_native(
            steps in prop::collection::vec((-8e-5f64..8e-5, -8e-5f64..8e-5, 900u64..10_500), 1..36)
        ) {
            let p = policy();
            let mut pts = vec![pt(45.02, 10.02, T0)];
            for (dlat, dlon, dt) in steps {
                let last = pts[pts.len() - 1];
                pts.push(pt(
                    last.lat_e7 as f64 / 1e7 + dlat,
                    last.lon_e7 as f64 / 1e7 + dlon,
                    last.t_ms + dt,
                ));
            }
            let native = evaluate(&p, &pts).qualifies();
            prop_assert_eq!(circuit_accepts(&p, &pts), native);
        }
    }
}

/// A real Groth16 proof of a chunk verifies, and changing any one public-input slot breaks it:
/// every slot is bound by the circuit.
#[test]
fn groth16_binds_every_public_input() {
    use ark_bn254::Bn254;
    use ark_groth16::Groth16;
    use ark_snark::SNARK;
    use rand::{rngs::StdRng, SeedableRng};
    let mut rng = StdRng::seed_from_u64(7);
    let (pk, vk) = Groth16::<Bn254>::circuit_specific_setup(
        TraceCircuit {
            shape: TEST,
            witness: None,
        },
        &mut rng,
    )
    .unwrap();
    let ws = witnesses(&policy(), &walk(40));
    for w in [&ws[0], &ws[2]] {
        let proof = Groth16::<Bn254>::prove(
            &pk,
            TraceCircuit {
                shape: TEST,
                witness: Some(w.clone()),
            },
            &mut rng,
        )
        .unwrap();
        let inputs = w.public.to_array();
        assert!(Groth16::<Bn254>::verify(&vk, &inputs, &proof).unwrap());
        for slot in 0..inputs.len() {
            let mut bad = inputs;
            bad[slot] += Fr::from(1u64);
            assert!(
                !Groth16::<Bn254>::verify(&vk, &bad, &proof).unwrap(),
                "slot {slot} is not bound"
            );
        }
    }
}

/// Trace data never reaches `Debug` output.
#[test]
fn witness_debug_hides_trace_data() {
    let ws = witnesses(&policy(), &walk(20));
    let text = format!("{:?} {:?} {:?}", ws[0], ws[0].slots, ws[0].state_in);
    let p = walk(20)[3];
    for secret in [
        p.lat_e7.to_string(),
        p.lon_e7.to_string(),
        p.t_ms.to_string(),
    ] {
        assert!(!text.contains(&secret), "{secret} leaked in {text}");
    }
    let circuit = TraceCircuit {
        shape: TEST,
        witness: Some(ws[0].clone()),
    };
    assert!(!format!("{circuit:?}").contains(&p.t_ms.to_string()));
}

/// The per-point cost does not grow with the region: a 1,000-vertex region fits the production
/// shape, whose constraint count is fixed.
#[test]
fn thousand_vertex_region_fits_the_county_shape() {
    use zkcontrib_circuits::shape::COUNTY;
    let ring: Vec<(f64, f64)> = (0..1000)
        .map(|i| {
            let a = i as f64 / 1000.0 * std::f64::consts::TAU;
            let r = if i % 2 == 0 { 0.5 } else { 0.35 } + 0.05 * (7.0 * a).sin();
            (10.5 + r * a.cos(), 45.5 + r * a.sin())
        })
        .collect();
    let p = policy_with(|i| {
        i.region = MultiPolygon(vec![geo::Polygon::new(ring.into(), vec![])]);
    });
    assert!(p.params().region_pieces >= 998);
    COUNTY.check_policy(&p).unwrap();
    println!(
        "1,000-vertex star: {} pieces, depth {}, {} half-plane bits",
        p.params().region_pieces,
        p.params().region_depth,
        p.region().piece_area_bits()
    );
}
