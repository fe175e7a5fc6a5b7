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
        grid_bits: 25,
        region_shift: 8,
        piece_bits: 21,
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

/// A fast ride (8 m/s, one fix every 5 s) eastwards across the south of the square: it
/// crosses many region pieces, so chunks end early and carry points into the next.
fn ride(n: usize) -> Vec<Point> {
    (0..n)
        .map(|i| {
            pt(
                45.003 + 1.0e-4 * i as f64,
                10.003 + 5.0e-4 * i as f64,
                T0 + 5000 * i as u64,
            )
        })
        .collect()
}

#[test]
fn honest_chunks_satisfy_and_chain() {
    let p = policy();
    for pts in [walk(100), ride(150)] {
        let eval = evaluate(&p, &pts);
        assert!(eval.qualifies(), "{:?}", eval.violations);
        let plans = plan(&p, &TEST, &pts, &eval).unwrap();
        let ws = witnesses(&p, &pts);
        assert_eq!(ws.len(), plans.len());
        for w in &ws {
            assert!(satisfied(w));
        }
        let n = ws.len();
        for k in 0..n - 1 {
            assert_eq!(ws[k].public.state_out, ws[k + 1].public.state_in);
            assert_eq!(ws[k].public.claimed_points, 0);
            assert_eq!(ws[k].public.contribution_id, Fr::from(0u64));
        }
        let last = &ws[n - 1].public;
        assert_eq!(last.claimed_points, eval.claims.points);
        assert_eq!(last.claimed_distance_m, eval.claims.distance_m);
        assert_eq!(last.claimed_duration_s, eval.claims.duration_s);
        assert_eq!(last.state_out, Fr::from(0u64));
        // The id is the trace's, whatever the chunking.
        let id = zkcontrib_circuits::statement::contribution_id(
            zkcontrib_circuits::statement::accumulate(&pts),
            pts.len() as u64,
        );
        assert_eq!(last.contribution_id, id);
    }
    // The ride really exercises early ends and carried points.
    let pts = ride(150);
    let plans = plan(&p, &TEST, &pts, &evaluate(&p, &pts)).unwrap();
    assert!(plans.iter().any(|c| c.carried > 0), "{plans:?}");
    assert!(plans.iter().any(|c| c.carried + c.len < TEST.points));
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
    assert_eq!(n, TEST_CONSTRAINTS);
    let b = zkcontrib_circuits::circuit::breakdown(TEST).unwrap();
    assert_eq!(b.parts.iter().map(|(_, n)| n).sum::<usize>(), n);
}

/// Pinned sizes: a change here is a deliberate, reviewed circuit change.
const TEST_CONSTRAINTS: usize = 20_226;
const COUNTY_CONSTRAINTS: usize = 129_774;
const COUNTRY_CONSTRAINTS: usize = 125_918;

/// The production shape's size and per-rule breakdown (printed for docs/circuit.md).
#[test]
fn county_shape_breakdown() {
    use zkcontrib_circuits::shape::{COUNTRY, COUNTY};
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
    assert_eq!(total, COUNTY_CONSTRAINTS);
    // The budget: at most 300 constraints per point, and the whole chunk (with its 12
    // instance variables) inside a 2^17 evaluation domain.
    assert!(total <= 300 * COUNTY.points);
    assert!(total + 12 <= 1 << 17);
    let country = zkcontrib_circuits::circuit::breakdown(COUNTRY).unwrap();
    let c: usize = country.parts.iter().map(|(_, n)| n).sum();
    println!(
        "country: {c} constraints, {:.1}/point",
        c as f64 / COUNTRY.points as f64
    );
    assert_eq!(c, COUNTRY_CONSTRAINTS);
    assert!(c + 12 <= 1 << 17);
}

/// The chain of a trace (bypassing the native check) is accepted only if every chunk is.
fn circuit_accepts(policy: &Policy, points: &[Point]) -> bool {
    all_satisfied(&witnesses_unchecked(policy, &TEST, points))
}

/// A walk along the region's southern edge, 3.3 m inside (more than a 2.8 m cell), 1 s apart.
fn edge_walk(n: usize) -> Vec<Point> {
    (0..n)
        .map(|i| pt(45.000_03, 10.01 + 2e-5 * i as f64, T0 + 1000 * i as u64))
        .collect()
}

#[test]
fn every_broken_rule_is_unsatisfiable() {
    use zkcontrib_circuits::rules::Rule;
    let p = policy();
    let base = walk(60);
    assert!(circuit_accepts(&p, &base));
    let claims = evaluate(&p, &base).claims;
    let shift_from = |pts: &mut Vec<Point>, i: usize, delta: i64| {
        for q in pts.iter_mut().skip(i) {
            q.t_ms = (q.t_ms as i64 + delta) as u64;
        }
    };
    let mut cases: Vec<(&str, Policy, Vec<Point>, Rule)> = Vec::new();
    for k in [5usize, 50] {
        let mut outside = edge_walk(60);
        // 4.4 m south of the edge: outside by more than a cell, 7.8 m from its neighbours.
        outside[k] = pt(44.999_96, outside[k].lon_e7 as f64 / 1e7, outside[k].t_ms);
        cases.push(("outside point", p.clone(), outside, Rule::Region));
    }
    let mut equal = base.clone();
    shift_from(&mut equal, 5, -1000);
    cases.push(("equal timestamp", p.clone(), equal, Rule::Increasing));
    let mut across = base.clone();
    shift_from(&mut across, 44, -1000);
    cases.push((
        "equal timestamp across chunks",
        p.clone(),
        across,
        Rule::Increasing,
    ));
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
    let mut long_across = base.clone();
    shift_from(&mut long_across, 44, 9_001);
    cases.push((
        "interval too long across chunks",
        p.clone(),
        long_across,
        Rule::Interval,
    ));
    let mut fast = base.clone();
    for q in fast.iter_mut().skip(12) {
        q.lat_e7 += 1000; // +11 m in one second at point 12
    }
    cases.push(("too fast", p.clone(), fast, Rule::Speed));
    let mut fast_across = base.clone();
    for q in fast_across.iter_mut().skip(44) {
        q.lat_e7 += 1000;
    }
    cases.push((
        "too fast across chunks",
        p.clone(),
        fast_across,
        Rule::Speed,
    ));
    let early = policy_with(|i| i.not_before_ms = T0 + 1);
    cases.push(("before window", early, base.clone(), Rule::Window));
    let late = policy_with(|i| i.not_after_ms = T0 + 58_999);
    cases.push(("after window", late, base.clone(), Rule::Window));
    let few = policy_with(|i| i.min_points = 61);
    cases.push(("too few points", few, base.clone(), Rule::MinPoints));
    let far = policy_with(|i| i.min_distance_m = claims.distance_m + 1);
    cases.push(("too short", far, base.clone(), Rule::MinDistance));
    let share = policy_with(|i| i.min_inside_bp = 9_000);
    let mut mostly_out = edge_walk(60);
    for q in mostly_out.iter_mut().skip(50) {
        q.lat_e7 -= 700; // 10 of 60 points 4.4 m south of the edge: 83 % inside
    }
    cases.push(("inside share", share, mostly_out.clone(), Rule::Region));
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
    assert!(circuit_accepts(
        &policy_with(|i| i.not_after_ms = T0 + 59_000),
        &base
    ));
    assert!(circuit_accepts(
        &policy_with(|i| i.not_before_ms = T0),
        &base
    ));
    assert!(circuit_accepts(&policy_with(|i| i.min_points = 60), &base));
    assert!(circuit_accepts(
        &policy_with(|i| i.min_distance_m = claims.distance_m),
        &base
    ));
    let mut exact = base.clone();
    shift_from(&mut exact, 20, 9_000); // an interval of exactly max_interval
    assert!(circuit_accepts(&p, &exact));
    let share = policy_with(|i| i.min_inside_bp = 8_333);
    assert!(circuit_accepts(&share, &mostly_out));
}

/// The speed rule at its boundary: with v = speed_units and τ = speed_tolerance, a step is
/// legal exactly when D² < (v·dt)² + τ, natively and in the circuit.
#[test]
fn speed_boundary_agrees_with_native() {
    use zkcontrib_circuits::rules::speed_ok;
    let p = policy();
    let params = p.params().clone();
    let proj = params.projection;
    let base = walk(30);
    let dt = base[10].t_ms - base[9].t_ms;
    let dx = i64::from(base[10].lon_e7 - base[9].lon_e7);
    let dy0 = i64::from(base[10].lat_e7 - base[9].lat_e7);
    let reach = u128::from(params.speed_units) * u128::from(dt);
    // The largest northward step (in 1e-7 degree) that passes, and the next one.
    let mut dy = 0i64;
    while speed_ok(proj.step_d2(dx, dy + 1), reach, params.speed_tolerance) {
        dy += 1;
    }
    for (step, ok) in [(dy, true), (dy + 1, false)] {
        let mut pts = base.clone();
        for q in pts.iter_mut().skip(10) {
            q.lat_e7 += (step - dy0) as i32;
        }
        let eval = evaluate(&p, &pts);
        assert_eq!(eval.qualifies(), ok, "step {step}: {:?}", eval.violations);
        assert_eq!(circuit_accepts(&p, &pts), ok, "step {step}");
    }
}

/// Applies `tamper` to a copy of chunk `k` of an honest trace and checks it breaks.
fn tampered_on(pts: &[Point], k: usize, tamper: impl FnOnce(&mut ChunkWitness)) -> bool {
    let ws = witnesses(&policy(), pts);
    let mut w = ws[k].clone();
    tamper(&mut w);
    satisfied(&w)
}

/// [`tampered_on`] a 100-point walk: chunks of 44, 44 and 12 points.
fn tampered(k: usize, tamper: impl FnOnce(&mut ChunkWitness)) -> bool {
    tampered_on(&walk(100), k, tamper)
}

/// One edit of a chunk witness.
type Tamper<'a> = Box<dyn FnOnce(&mut ChunkWitness) + 'a>;

#[test]
fn tampered_witnesses_are_unsatisfiable() {
    let one = Fr::from(1u64);
    let ws = witnesses(&policy(), &walk(100));
    assert_eq!(ws.len(), 3, "the walk stays in two pieces per chunk");
    let cases: Vec<(&str, usize, Tamper<'_>)> = vec![
        (
            "padding re-activated",
            2,
            Box::new(|w| w.slots[12].active = true),
        ),
        (
            "padding re-activated after a gap",
            2,
            Box::new(|w| w.slots[30].active = true),
        ),
        (
            "chunk ended early without its state",
            0,
            Box::new(|w| w.slots[43].active = false),
        ),
        (
            "wrong working-set piece",
            1,
            Box::new(|w| w.pieces[0].triangle.0[0].0 += 1),
        ),
        (
            "forged Merkle path",
            1,
            Box::new(|w| w.pieces[0].siblings[0][0] += one),
        ),
        ("wrong leaf index", 1, Box::new(|w| w.pieces[0].index ^= 1)),
        (
            "leaf index in another subtree",
            1,
            Box::new(|w| w.pieces[0].index ^= 1 << 4),
        ),
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
                siblings.resize(TEST.depth as usize, [Fr::from(0u64); 3]);
                let other = 1 - w.slots[3].piece.unwrap();
                w.pieces[other] = zkcontrib_circuits::witness::PieceWitness {
                    triangle: p.region().pieces()[j],
                    index: path.index,
                    siblings,
                };
                for s in w.slots.iter_mut() {
                    if s.piece == Some(other) {
                        s.piece = Some(1 - other);
                    }
                }
                w.slots[3].piece = Some(other);
            }),
        ),
        ("step length inflated", 1, Box::new(|w| w.slots[4].d += 1)),
        (
            "padding distance",
            2,
            Box::new(|w| {
                w.slots[20].d = 1;
            }),
        ),
        (
            "padding counted inside",
            2,
            Box::new(|w| w.slots[20].piece = w.slots[7].piece),
        ),
        (
            "carry claimed without a pending group",
            1,
            Box::new(|w| w.slots[0].carried = true),
        ),
        (
            "carry on the first chunk",
            0,
            Box::new(|w| w.slots[0].carried = true),
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
            Box::new(|w| w.public.claimed_points = 44),
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
        ("speed limit", 1, Box::new(|w| w.params[4] += one)),
        (
            "speed tolerance",
            1,
            Box::new(|w| w.params[5] += w.params[5]),
        ),
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

/// Tampering with carried points: a chunk that re-reads the previous chunk's partial group
/// must re-read exactly those points, and must not count them again.
#[test]
fn carried_points_are_bound_and_not_recounted() {
    let pts = ride(150);
    let ws = witnesses(&policy(), &pts);
    let k = ws
        .iter()
        .position(|w| w.slots[0].carried && w.slots[1].carried)
        .expect("a chunk carrying two or more points");
    let r = ws[k].slots.iter().take_while(|s| s.carried).count();
    let cases: Vec<(&str, Tamper<'_>)> = vec![
        ("carried point moved", Box::new(|w| w.slots[0].x += 1)),
        ("carried time moved", Box::new(|w| w.slots[1].t += 1)),
        (
            "carried point dropped",
            Box::new(move |w| w.slots[r - 1].carried = false),
        ),
        (
            "new point claimed carried",
            Box::new(move |w| w.slots[r].carried = true),
        ),
        (
            "carried point counted inside",
            Box::new(|w| w.slots[1].piece = Some(0)),
        ),
        (
            "carry flag not a prefix",
            Box::new(|w| w.slots[0].carried = false),
        ),
    ];
    for (name, f) in cases {
        assert!(
            !tampered_on(&pts, k, f),
            "{name}: tampered witness satisfied the circuit"
        );
    }
    assert!(tampered_on(&pts, k, |_| {}));
}

/// Field wrap-around at the circuit level. Coordinates and step lengths are sums of G and SB
/// bits, so a value of `2^k` or more cannot even be written (it truncates: `x = 2^G` becomes 0,
/// a jump the speed rule rejects); times are free field elements, and a time below the previous
/// one (a negative delta, `≈ p` in the field) or far beyond it fails the interval checks. The
/// range-check gadgets' own tests cover values near the modulus in every allocation mode.
#[test]
fn wraparound_attempts_fail() {
    let cases: Vec<(&str, Tamper<'_>)> = vec![
        ("x = 2^G", Box::new(|w| w.slots[5].x = 1 << TEST.grid_bits)),
        (
            "y = 2^G - 1",
            Box::new(|w| w.slots[5].y = (1 << TEST.grid_bits) - 1),
        ),
        ("d = 2^SB", Box::new(|w| w.slots[5].d = 1 << TEST.step_bits)),
        (
            "d = 2^SB - 1",
            Box::new(|w| w.slots[5].d = (1 << TEST.step_bits) - 1),
        ),
        ("t wraps below the previous", Box::new(|w| w.slots[5].t = 0)),
        (
            "t just below the previous",
            Box::new(|w| w.slots[5].t -= 1001),
        ),
        ("t far in the future", Box::new(|w| w.slots[5].t = u64::MAX)),
    ];
    for (name, f) in cases {
        assert!(
            !tampered(1, f),
            "{name}: tampered witness satisfied the circuit"
        );
    }
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
            steps in prop::collection::vec((-8e-5f64..8e-5, -8e-5f64..8e-5, 900u64..10_500), 1..100)
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
    let ws = witnesses(&policy(), &walk(100));
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

/// The per-point cost does not grow with the region: a 1,000-vertex region (a city-sized
/// boundary, 22 km across with a detailed 70 m-per-edge outline) fits the production shape,
/// whose constraint count is fixed.
#[test]
fn thousand_vertex_region_fits_the_county_shape() {
    use zkcontrib_circuits::shape::COUNTY;
    let ring: Vec<(f64, f64)> = (0..1000)
        .map(|i| {
            let a = i as f64 / 1000.0 * std::f64::consts::TAU;
            let r = 0.1 + 0.004 * (37.0 * a).sin() + 0.002 * (101.0 * a).cos();
            (10.5 + r * a.cos() / 0.7, 45.5 + r * a.sin())
        })
        .collect();
    let p = policy_with(|i| {
        i.region = MultiPolygon(vec![geo::Polygon::new(ring.into(), vec![])]);
    });
    assert!(p.params().region_pieces >= 998);
    assert!(p.params().region_depth <= COUNTY.depth);
    COUNTY.check_policy(&p).unwrap();
    println!(
        "1,000-vertex star: {} pieces, depth {}, {} half-plane bits",
        p.params().region_pieces,
        p.params().region_depth,
        p.region().piece_area_bits()
    );
}
