//! The trace circuit against its native twin: honest traces satisfy it, every broken rule and
//! every tampered witness does not (and the first failing constraint is the rule that the
//! tamper breaks), and its shape is pinned. One concern above 700 lines: the circuit's
//! agreement with the native statement.
#![cfg(feature = "r1cs")]

use ark_bn254::Fr;
use geo::{polygon, MultiPolygon};
use zkcontrib_circuits::circuit::{check, layout, TraceCircuit};
use zkcontrib_circuits::encode::Point;
use zkcontrib_circuits::plan::{plan, plan_unchecked, Chunking};
use zkcontrib_circuits::policy::{Policy, PolicyInput};
use zkcontrib_circuits::region::{Item, ItemKind};
use zkcontrib_circuits::rules::{evaluate, Rule};
use zkcontrib_circuits::shape::{Shape, EARTH, TEST};
use zkcontrib_circuits::witness::{chunk_witnesses, item_witness, ChunkWitness};

const T0: u64 = 1_500_000_000_000;

fn input() -> PolicyInput {
    PolicyInput {
        name: "square".into(),
        region: MultiPolygon(vec![polygon!(
            exterior: [(x: 10.0, y: 45.0), (x: 10.1, y: 45.0), (x: 10.1, y: 45.1), (x: 10.0, y: 45.1)],
            interiors: [[(x: 10.04, y: 45.04), (x: 10.06, y: 45.04), (x: 10.06, y: 45.06), (x: 10.04, y: 45.06)]],
        )]),
        exclude: None,
        not_before_ms: T0 - 1_000_000,
        not_after_ms: T0 + 10_000_000,
        min_interval_ms: 1_000,
        max_interval_ms: 10_000,
        max_speed_mmps: 10_000,
        min_points: 3,
        min_distance_m: 10,
        min_inside_bp: 10_000,
    }
}

fn policy_with(f: impl FnOnce(&mut PolicyInput)) -> Policy {
    let mut i = input();
    f(&mut i);
    Policy::compile(&i).unwrap()
}

fn policy() -> Policy {
    use std::sync::OnceLock;
    static P: OnceLock<Policy> = OnceLock::new();
    P.get_or_init(|| policy_with(|_| {})).clone()
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

/// A ride along the region's southern edge, 3.3 m inside (more than a 2.8 m cell), 8 m/s,
/// one fix every 5 s: only small boundary triangles hold it, so chunks end early and carry
/// points into the next.
fn edge_ride(n: usize) -> Vec<Point> {
    (0..n)
        .map(|i| pt(45.000_03, 10.003 + 5.0e-4 * i as f64, T0 + 5000 * i as u64))
        .collect()
}

/// A walk along the southern edge, 3.3 m inside, 1 s apart.
fn edge_walk(n: usize) -> Vec<Point> {
    (0..n)
        .map(|i| pt(45.000_03, 10.01 + 2e-5 * i as f64, T0 + 1000 * i as u64))
        .collect()
}

fn witnesses_for(
    policy: &Policy,
    shape: &Shape,
    points: &[Point],
    checked: bool,
) -> Vec<ChunkWitness> {
    let eval = evaluate(policy, points);
    if checked {
        assert!(eval.qualifies(), "{:?}", eval.violations);
    }
    let (plans, _) = if checked {
        plan(policy, shape, points, &eval).unwrap()
    } else {
        plan_unchecked(policy, shape, points, &eval).unwrap()
    };
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
    witnesses_for(policy, &TEST, points, true)
}

/// `Ok(())` or the part of the first failing constraint (`"synthesis"` when the witness
/// cannot even be assigned).
fn verdict(w: &ChunkWitness) -> Result<(), &'static str> {
    match check(TEST, w) {
        Ok(Ok(())) => Ok(()),
        Ok(Err(u)) => Err(u.rule),
        Err(_) => Err("synthesis"),
    }
}

fn satisfied(w: &ChunkWitness) -> bool {
    verdict(w).is_ok()
}

/// The chain of a trace (bypassing the native check) is accepted only if every chunk is.
fn circuit_accepts(policy: &Policy, points: &[Point]) -> bool {
    witnesses_for(policy, &TEST, points, false)
        .iter()
        .all(satisfied)
}

#[test]
fn honest_chunks_satisfy_and_chain() {
    let p = policy();
    for pts in [walk(150), edge_ride(120)] {
        let eval = evaluate(&p, &pts);
        assert!(eval.qualifies(), "{:?}", eval.violations);
        let ws = witnesses(&p, &pts);
        for w in &ws {
            assert_eq!(verdict(w), Ok(()));
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
            &pts[0],
        );
        assert_eq!(last.contribution_id, id);
    }
    // The walk takes ⌈150/66⌉ chunks; the edge ride ends chunks early and carries points.
    let walk_eval = evaluate(&p, &walk(150));
    let (plans, how) = plan(&p, &TEST, &walk(150), &walk_eval).unwrap();
    assert_eq!((plans.len(), how), (3, Chunking::Fixed));
    let ride = edge_ride(120);
    let (plans, how) = plan(&p, &TEST, &ride, &evaluate(&p, &ride)).unwrap();
    assert_eq!(how, Chunking::Greedy);
    assert!(plans.iter().any(|c| c.carried > 0), "{plans:?}");
    assert!(plans.iter().any(|c| c.carried + c.len < TEST.points));
}

/// Pinned sizes: a change here is a deliberate, reviewed circuit change.
const TEST_CONSTRAINTS: usize = 25_091;
const EARTH_CONSTRAINTS: usize = 127_559;

#[test]
fn constraint_counts_are_pinned() {
    use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystem};
    for (shape, want) in [(TEST, TEST_CONSTRAINTS), (EARTH, EARTH_CONSTRAINTS)] {
        let cs = ConstraintSystem::<Fr>::new_ref();
        cs.set_mode(ark_relations::gr1cs::SynthesisMode::Setup);
        TraceCircuit {
            shape,
            witness: None,
        }
        .generate_constraints(cs.clone())
        .unwrap();
        let n = cs.num_constraints();
        assert_eq!(cs.num_instance_variables(), 12, "{}", shape.name);
        assert_eq!(n, want, "{}", shape.name);
        let l = layout(shape).unwrap();
        assert_eq!(l.total(), n);
        assert_eq!(l.breakdown().iter().map(|(_, n)| n).sum::<usize>(), n);
    }
}

/// The production shape's size and per-rule breakdown (printed for docs/circuit.md):
/// at most 300 constraints per point slot, and the whole chunk (with its 12 instance
/// variables) inside a 2^17 evaluation domain.
#[test]
fn earth_shape_breakdown() {
    let l = layout(EARTH).unwrap();
    for (part, n) in l.breakdown() {
        println!(
            "{part:32} {n:>8} {:>8.1}/point",
            n as f64 / EARTH.points as f64
        );
    }
    let total = l.total();
    println!(
        "{:32} {total:>8} {:>8.1}/point",
        "total",
        total as f64 / EARTH.points as f64
    );
    assert_eq!(total, EARTH_CONSTRAINTS);
    assert!(total <= 300 * EARTH.points);
    assert!(total + 12 <= 1 << 17);
}

#[test]
fn every_broken_rule_is_unsatisfiable() {
    let p = policy();
    let base = walk(100);
    assert!(circuit_accepts(&p, &base));
    let claims = evaluate(&p, &base).claims;
    let shift_from = |pts: &mut Vec<Point>, i: usize, delta: i64| {
        for q in pts.iter_mut().skip(i) {
            q.t_ms = (q.t_ms as i64 + delta) as u64;
        }
    };
    let mut cases: Vec<(&str, Policy, Vec<Point>, Rule)> = Vec::new();
    for k in [5usize, 70] {
        let mut outside = edge_walk(100);
        // 4.4 m south of the edge: outside by more than a cell, 7.8 m from its neighbours.
        outside[k] = pt(44.999_96, outside[k].lon_e7 as f64 / 1e7, outside[k].t_ms);
        cases.push(("outside point", p.clone(), outside, Rule::Region));
    }
    // A walk north-east into the hole (from 45.0395° N, 10.0395° E: inside from point ~50).
    let hole: Vec<Point> = (0..100)
        .map(|j| {
            pt(
                45.0395 + 1e-5 * j as f64,
                10.0395 + 1e-5 * j as f64,
                T0 + 1000 * j as u64,
            )
        })
        .collect();
    cases.push(("walk into the hole", p.clone(), hole, Rule::Region));
    let mut equal = base.clone();
    shift_from(&mut equal, 5, -1000);
    cases.push(("equal timestamp", p.clone(), equal, Rule::Increasing));
    let mut across = base.clone();
    shift_from(&mut across, 66, -1000);
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
    shift_from(&mut long_across, 66, 9_001);
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
    for q in fast_across.iter_mut().skip(66) {
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
    let late = policy_with(|i| i.not_after_ms = T0 + 98_999);
    cases.push(("after window", late, base.clone(), Rule::Window));
    let few = policy_with(|i| i.min_points = 101);
    cases.push(("too few points", few, base.clone(), Rule::MinPoints));
    let far = policy_with(|i| i.min_distance_m = claims.distance_m + 1);
    cases.push(("too short", far, base.clone(), Rule::MinDistance));
    let share = policy_with(|i| i.min_inside_bp = 9_000);
    let mut mostly_out = edge_walk(100);
    for q in mostly_out.iter_mut().skip(80) {
        q.lat_e7 -= 700; // 20 of 100 points 4.4 m south of the edge: 80 % inside
    }
    cases.push(("inside share", share, mostly_out.clone(), Rule::Region));
    // An exclusion zone around the walk's middle.
    let zone = policy_with(|i| {
        i.exclude = Some(MultiPolygon(vec![polygon![
            (x: 10.0104, y: 45.0104), (x: 10.0106, y: 45.0104), (x: 10.0106, y: 45.0106), (x: 10.0104, y: 45.0106)
        ]]))
    });
    cases.push(("exclusion zone", zone, base.clone(), Rule::Region));
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
        &policy_with(|i| i.not_after_ms = T0 + 99_000),
        &base
    ));
    assert!(circuit_accepts(
        &policy_with(|i| i.not_before_ms = T0),
        &base
    ));
    assert!(circuit_accepts(&policy_with(|i| i.min_points = 100), &base));
    assert!(circuit_accepts(
        &policy_with(|i| i.min_distance_m = claims.distance_m),
        &base
    ));
    let mut exact = base.clone();
    shift_from(&mut exact, 20, 9_000); // an interval of exactly max_interval
    assert!(circuit_accepts(&p, &exact));
    let share = policy_with(|i| i.min_inside_bp = 8_000);
    assert!(circuit_accepts(&share, &mostly_out));
}

/// The speed rule at its boundary: with v = speed_units and τ = speed_tolerance, a step is
/// legal exactly when D² < (v·dt)² + τ, natively and in the circuit — within a latitude band
/// and across a band boundary (where the step takes the smaller of two bands' factors).
#[test]
fn speed_boundary_agrees_with_native() {
    use zkcontrib_circuits::rules::{speed_ok, step_d2};
    use zkcontrib_circuits::window::BAND_SHIFT;
    let p = policy();
    let params = p.params().clone();
    // A band boundary inside the region: the first north index multiple of 2^21 above 45°
    // (45.0566°).
    let y_edge = (((450_000_000i64 + 900_000_000) >> BAND_SHIFT) + 1) << BAND_SHIFT;
    let lat_edge = (y_edge - 900_000_000) as f64 / 1e7;
    for start_lat in [45.01, lat_edge - 0.00012] {
        let base: Vec<Point> = (0..30)
            .map(|i| {
                pt(
                    start_lat + 1e-5 * i as f64,
                    10.02 + 1e-5 * i as f64,
                    T0 + 1000 * i as u64,
                )
            })
            .collect();
        let dt = base[10].t_ms - base[9].t_ms;
        let reach = u128::from(params.speed_units) * u128::from(dt);
        // The largest northward step (in 1e-7 degree) that passes, and the next one.
        let moved = |dy: i64| {
            let mut b = base[10];
            b.lat_e7 = base[9].lat_e7 + dy as i32;
            b
        };
        let mut dy = 0i64;
        while speed_ok(
            step_d2(&base[9], &moved(dy + 1)),
            reach,
            params.speed_tolerance,
        ) {
            dy += 1;
        }
        let crosses = |dy: i64| (moved(dy).y() >> BAND_SHIFT) != (base[9].y() >> BAND_SHIFT);
        if start_lat != 45.01 {
            assert!(crosses(dy), "the boundary step crosses a band");
        }
        for (step, ok) in [(dy, true), (dy + 1, false)] {
            let mut pts = base.clone();
            let shift = moved(step).lat_e7 - base[10].lat_e7;
            for q in pts.iter_mut().skip(10) {
                q.lat_e7 += shift;
            }
            let eval = evaluate(&p, &pts);
            assert_eq!(eval.qualifies(), ok, "step {step}: {:?}", eval.violations);
            assert_eq!(circuit_accepts(&p, &pts), ok, "step {step}");
        }
    }
}

/// Applies `tamper` to a copy of chunk `k` of an honest trace and returns the verdict.
fn tampered_on(
    pts: &[Point],
    k: usize,
    tamper: impl FnOnce(&mut ChunkWitness),
) -> Result<(), &'static str> {
    let ws = witnesses(&policy(), pts);
    let mut w = ws[k].clone();
    tamper(&mut w);
    verdict(&w)
}

/// [`tampered_on`] a 150-point walk: chunks of 66, 66 and 18 points.
fn tampered(k: usize, tamper: impl FnOnce(&mut ChunkWitness)) -> Result<(), &'static str> {
    tampered_on(&walk(150), k, tamper)
}

/// One edit of a chunk witness.
type Tamper<'a> = Box<dyn FnOnce(&mut ChunkWitness) + 'a>;

/// An item of the test policy that does not contain `cell` but contains `other`... or any
/// genuine item not containing `cell`.
fn item_without(p: &Policy, cell: (i64, i64)) -> usize {
    p.region()
        .items()
        .iter()
        .position(|it| !it.contains(cell))
        .unwrap()
}

#[test]
fn tampered_witnesses_name_the_rule_they_break() {
    let one = Fr::from(1u64);
    let ws = witnesses(&policy(), &walk(150));
    assert_eq!(ws.len(), 3);
    let cell3 = ws[1].window.cell(&ws[1].slots[3].point).unwrap();
    let cases: Vec<(&str, usize, Tamper<'_>, &str)> = vec![
        (
            "padding re-activated",
            2,
            Box::new(|w| w.slots[19].active = true),
            "padding (active prefix)",
        ),
        (
            "padding re-activated after a gap",
            2,
            Box::new(|w| w.slots[30].active = true),
            "padding (active prefix)",
        ),
        // The dropped point was counted inside: padding cannot be.
        (
            "chunk ended early without its state",
            0,
            Box::new(|w| w.slots[65].active = false),
            "region (membership)",
        ),
        (
            "forged Merkle path",
            1,
            Box::new(|w| w.item.siblings[0][0] += one),
            "region item (Merkle)",
        ),
        (
            "wrong leaf index",
            1,
            Box::new(|w| w.item.index ^= 1),
            "region item (Merkle)",
        ),
        (
            "leaf index in another subtree",
            1,
            Box::new(|w| w.item.index ^= 1 << 4),
            "region item (Merkle)",
        ),
        (
            "item changed without its path",
            1,
            Box::new(|w| {
                let c = w.item.item.coords();
                w.item.item = Item::square(c[0] + 1, c[1], c[2] as u32);
            }),
            "region item (Merkle)",
        ),
        (
            "a genuine item that does not contain the point",
            1,
            Box::new(move |w| {
                let p = policy();
                w.item = item_witness(&p, &TEST, item_without(&p, cell3));
            }),
            "region (membership)",
        ),
        (
            "step length inflated",
            1,
            Box::new(|w| w.slots[4].d += 1),
            "speed",
        ),
        // A shorter step passes the step rules (d only has to satisfy d² ≤ D² < d² + τ): a
        // prover may under-claim distance, never over-claim; here the chain link catches it.
        (
            "step length deflated",
            1,
            Box::new(|w| w.slots[4].d -= 1),
            "chain state out",
        ),
        (
            "padding distance",
            2,
            Box::new(|w| w.slots[30].d = 1),
            "speed",
        ),
        (
            "padding counted inside",
            2,
            Box::new(|w| w.slots[30].counted = true),
            "region (membership)",
        ),
        // A new point claimed carried would not be counted: it is counted inside, which only
        // new points may be.
        (
            "new point claimed carried",
            1,
            Box::new(|w| w.slots[0].carried = true),
            "region (membership)",
        ),
        (
            "carry on the first chunk",
            0,
            Box::new(|w| w.slots[0].carried = true),
            "carry",
        ),
        (
            "wrong state link in",
            1,
            Box::new(|w| w.public.state_in += one),
            "chain state in",
        ),
        (
            "wrong state link out",
            1,
            Box::new(|w| w.public.state_out += one),
            "chain state out",
        ),
        (
            "state_out on the last chunk",
            2,
            Box::new(|w| w.public.state_out = one),
            "chain state out",
        ),
        (
            "claimed points changed",
            2,
            Box::new(|w| w.public.claimed_points += 1),
            "claims and thresholds",
        ),
        (
            "claimed distance changed",
            2,
            Box::new(|w| w.public.claimed_distance_m += 1),
            "claims and thresholds",
        ),
        (
            "claimed duration changed",
            2,
            Box::new(|w| w.public.claimed_duration_s -= 1),
            "claims and thresholds",
        ),
        (
            "claims on a non-last chunk",
            0,
            Box::new(|w| w.public.claimed_points = 66),
            "claims and thresholds",
        ),
        (
            "id on a non-last chunk",
            1,
            Box::new(|w| w.public.contribution_id = one),
            "id and commitment",
        ),
        (
            "contribution id changed",
            2,
            Box::new(|w| w.public.contribution_id += one),
            "id and commitment",
        ),
        (
            "commitment changed",
            2,
            Box::new(|w| w.public.commitment += one),
            "id and commitment",
        ),
        (
            "not first but genesis claimed",
            1,
            Box::new(|w| w.public.is_first = true),
            "chain state in",
        ),
        (
            "first chunk skips genesis",
            0,
            Box::new(|w| w.public.is_first = false),
            "chain state in",
        ),
        (
            "early chunk claims to be last",
            0,
            Box::new(|w| w.public.is_last = true),
            "chain state out",
        ),
        (
            "policy id",
            0,
            Box::new(|w| w.public.policy_id += one),
            "policy id",
        ),
        (
            "policy parameter",
            0,
            Box::new(|w| w.params[2] += one),
            "policy id",
        ),
        (
            "speed limit",
            1,
            Box::new(|w| w.params[4] += one),
            "policy id",
        ),
        (
            "speed tolerance",
            1,
            Box::new(|w| w.params[5] += w.params[5]),
            "policy id",
        ),
        (
            "region depth",
            0,
            Box::new(|w| w.region_depth += 1),
            "policy id",
        ),
        (
            "time moved",
            1,
            Box::new(|w| w.slots[6].point.t_ms += 1),
            "time (order, interval)",
        ),
        (
            "point moved",
            1,
            Box::new(|w| w.slots[6].point.lat_e7 += 1),
            "speed",
        ),
        (
            "blinding",
            1,
            Box::new(|w| w.state_in.blinding += one),
            "chain state in",
        ),
        // Counted points dropped from the end: padding is never counted.
        (
            "points dropped from the end",
            2,
            Box::new(|w| w.slots[7].active = false),
            "region (membership)",
        ),
        (
            "uncounted points dropped from the end",
            2,
            Box::new(|w| {
                for s in w.slots.iter_mut() {
                    s.counted = false;
                }
                for s in w.slots.iter_mut().skip(7) {
                    s.active = false;
                }
            }),
            "claims and thresholds",
        ),
    ];
    let wrong: Vec<String> = cases
        .into_iter()
        .filter_map(|(name, k, f, rule)| {
            let got = tampered(k, f);
            (got != Err(rule)).then(|| format!("{name}: {got:?}, expected {rule}"))
        })
        .collect();
    assert!(wrong.is_empty(), "{wrong:#?}");
    // Sanity: the untouched witnesses are accepted.
    assert_eq!(tampered(1, |_| {}), Ok(()));
}

/// The window: the band, the west edge, the seam flag and the predecessor are all checked.
#[test]
fn window_tampering_is_caught() {
    use zkcontrib_circuits::window::{MAX_WINDOW_BAND, MAX_X0_CELL, SEAM_X0_CELL};
    let cases: Vec<(&str, usize, Tamper<'_>, &str)> = vec![
        (
            "band beyond 856 (beyond 89.94° N)",
            1,
            Box::new(|w| w.window.band = MAX_WINDOW_BAND + 1),
            "window",
        ),
        (
            "band moved away from the points",
            1,
            Box::new(|w| w.window.band += 2),
            "chain state in",
        ),
        (
            "plain west edge past the antimeridian",
            1,
            Box::new(|w| w.window.x0_cell = MAX_X0_CELL + 1),
            "window",
        ),
        (
            "seam flag on a plain window",
            1,
            Box::new(|w| {
                w.window.seam = true;
                w.window.x0_cell = SEAM_X0_CELL;
            }),
            "chain state in",
        ),
        (
            "west edge moved one cell",
            1,
            Box::new(|w| w.window.x0_cell += 1),
            "chain state in",
        ),
    ];
    for (name, k, f, rule) in cases {
        assert_eq!(tampered(k, f), Err(rule), "{name}");
    }
    // The first chunk has no predecessor to pin the window: moving its window moves points,
    // and the chunk's steps, hash and state go with them.
    assert_eq!(
        tampered(0, |w| w.window.x0_cell += 1),
        Err("region (membership)")
    );
    // Another window that holds the same points proves the same statement: the window is the
    // prover's choice, the per-step factors are the points' bands' whatever the window.
    let ws = witnesses(&policy(), &walk(150));
    let w = &ws[1];
    let lower_half = w
        .slots
        .iter()
        .all(|s| w.window.band_bit(&s.point) == Some(false))
        && w.window.band_bit(&w.predecessor) == Some(false);
    assert!(
        lower_half,
        "the walk's chunk lies in its window's lower band"
    );
    assert_eq!(tampered(1, |w| w.window.band -= 1), Ok(()));
    assert_eq!(tampered(1, |w| w.window.x0_cell -= 7), Ok(()));
}

/// Field wrap-around at the new bit widths: window offsets are 22 and 23 bits, step lengths
/// 29, intervals 16, item forms 16. A value at or beyond 2^k cannot be written — only its low
/// bits are, so the circuit proves the in-window point those bits give (here the honest one,
/// which the public inputs commit to), never the out-of-range one — and a negative value is
/// ≈ p, whose low bits are another point of the window: a jump the speed rule rejects. Times
/// are free field elements: below the previous one or far beyond it, they fail the interval
/// checks.
#[test]
fn wraparound_attempts_fail() {
    // Out of range by a multiple of 2^k: the circuit reads the honest point.
    assert_eq!(tampered(1, |w| w.slots[5].point.lat_e7 += 1 << 22), Ok(()));
    assert_eq!(tampered(1, |w| w.slots[5].point.lon_e7 += 1 << 23), Ok(()));
    let cases: Vec<(&str, Tamper<'_>, &str)> = vec![
        (
            "north offset 2^22 + 1000",
            Box::new(|w| w.slots[5].point.lat_e7 += (1 << 22) + 1000),
            "speed",
        ),
        (
            "north offset −1",
            Box::new(|w| {
                let y0 = w.window.y0();
                w.slots[5].point.lat_e7 = (y0 - 1 - 900_000_000) as i32;
            }),
            "speed",
        ),
        (
            "east offset 2^23 + 1000",
            Box::new(|w| w.slots[5].point.lon_e7 += (1 << 23) + 1000),
            "speed",
        ),
        (
            "east offset −1",
            Box::new(|w| {
                let x0 = w.window.x0();
                w.slots[5].point.lon_e7 = (x0 - 1 - 1_800_000_000) as i32;
            }),
            "speed",
        ),
        ("d = 2^29", Box::new(|w| w.slots[5].d = 1 << 29), "speed"),
        (
            "d = 2^29 − 1",
            Box::new(|w| w.slots[5].d = (1 << 29) - 1),
            "speed",
        ),
        (
            "t wraps below the previous",
            Box::new(|w| w.slots[5].point.t_ms = 0),
            "time (order, interval)",
        ),
        (
            "t just below the previous",
            Box::new(|w| w.slots[5].point.t_ms -= 1001),
            "time (order, interval)",
        ),
        (
            "t far in the future",
            Box::new(|w| w.slots[5].point.t_ms = u64::MAX),
            "time (order, interval)",
        ),
    ];
    for (name, f, rule) in cases {
        assert_eq!(tampered(1, f), Err(rule), "{name}");
    }
}

/// Tampering with carried points: a chunk that re-reads the previous chunk's partial group
/// must re-read exactly those points, and must not count them again.
#[test]
fn carried_points_are_bound_and_not_recounted() {
    let pts = edge_ride(120);
    let ws = witnesses(&policy(), &pts);
    let k = ws
        .iter()
        .position(|w| w.slots[0].carried && w.slots[1].carried)
        .expect("a chunk carrying two or more points");
    let r = ws[k].slots.iter().take_while(|s| s.carried).count();
    let cases: Vec<(&str, Tamper<'_>, &str)> = vec![
        (
            "carried point moved",
            Box::new(|w| w.slots[0].point.lon_e7 += 1),
            "speed",
        ),
        (
            "carried time moved",
            Box::new(|w| w.slots[1].point.t_ms += 1),
            "chain state in",
        ),
        (
            "carried point dropped",
            Box::new(move |w| w.slots[r - 1].carried = false),
            "chain state in",
        ),
        (
            "new point claimed carried",
            Box::new(move |w| w.slots[r].carried = true),
            "chain state in",
        ),
        (
            "carried point counted inside",
            Box::new(|w| w.slots[1].counted = true),
            "region (membership)",
        ),
        (
            "carry flag not a prefix",
            Box::new(|w| w.slots[0].carried = false),
            "carry",
        ),
    ];
    let wrong: Vec<_> = cases
        .into_iter()
        .filter_map(|(name, f, rule)| {
            let got = tampered_on(&pts, k, f);
            (got != Err(rule)).then_some((name, got, rule))
        })
        .collect();
    assert!(wrong.is_empty(), "{wrong:#?}");
    assert_eq!(tampered_on(&pts, k, |_| {}), Ok(()));
}

/// Large interior squares: a chunk that opens a square may count exactly the cells of the
/// square: the last cell inside passes, the first one outside breaks the membership rule.
#[test]
fn points_just_outside_a_large_square_are_caught() {
    let p = policy();
    let pts = walk(150);
    let ws = witnesses(&p, &pts);
    let w = &ws[1];
    let ItemKind::Square { x, y, level } = w.item.item.kind() else {
        panic!("the walk opens a square");
    };
    assert!(level >= 9, "a large square: level {level}");
    // Move point 3 to the square's last cell column, then one cell further east.
    for (dx, ok) in [(0i64, true), (1, false)] {
        let mut t = w.clone();
        let cell = t.window.cell(&t.slots[3].point).unwrap();
        let target_x = x + (1 << level) - 1 + dx;
        t.slots[3].point.lon_e7 += ((target_x - cell.0) << 8) as i32;
        assert!(cell.1 >= y);
        let res = verdict(&t);
        if ok {
            // Still inside: the step rules break (the point jumped), not membership.
            assert_ne!(res, Err("region (membership)"));
        } else {
            assert_eq!(res, Err("speed"));
        }
        // Membership alone, on the item's forms:
        let c2 = t.window.cell(&t.slots[3].point).unwrap();
        assert_eq!(t.item.item.contains(c2), ok);
    }
    // A counted point outside its item is refused by the membership rule itself.
    let mut t = w.clone();
    t.item = item_witness(
        &p,
        &TEST,
        item_without(&p, w.window.cell(&w.slots[10].point).unwrap()),
    );
    assert_eq!(verdict(&t), Err("region (membership)"));
}

mod random {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(10))]

        /// On random walks (some breaking rules), the circuit accepts exactly what the native
        /// rules accept.
        #[test]
        fn circuit_agrees_with_native_on_walks(
            steps in prop::collection::vec((-8e-5f64..8e-5, -8e-5f64..8e-5, 900u64..10_500), 1..120)
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

        /// On random drives (faster, longer steps, crossing latitude bands and the region's
        /// edge), likewise.
        #[test]
        fn circuit_agrees_with_native_on_drives(
            steps in prop::collection::vec((-4e-4f64..4e-4, -4e-4f64..4e-4, 900u64..3_000), 1..120),
            start in (45.005f64..45.095, 10.005f64..10.095),
        ) {
            let p = policy_with(|i| {
                i.max_speed_mmps = 35_000;
                i.min_inside_bp = 9_000;
            });
            let mut pts = vec![pt(start.0, start.1, T0)];
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
    let ws = witnesses(&policy(), &walk(150));
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

/// The per-point cost does not grow with the region: a 12° × 10° region with a 2,000-vertex
/// outline fits the production shape, whose constraint count is fixed; a drive deep inside it
/// opens one large square per chunk.
#[test]
fn a_large_detailed_region_fits_the_production_shape() {
    let ring: Vec<(f64, f64)> = (0..2000)
        .map(|i| {
            let a = i as f64 / 2000.0 * std::f64::consts::TAU;
            let r = 5.0 + 0.3 * (37.0 * a).sin() + 0.1 * (101.0 * a).cos();
            (10.0 + 1.2 * r * a.cos(), 50.0 + r * a.sin())
        })
        .collect();
    let p = policy_with(|i| {
        i.region = MultiPolygon(vec![geo::Polygon::new(ring.into(), vec![])]);
        i.max_speed_mmps = 40_000;
    });
    EARTH.check_policy(&p).unwrap();
    let r = p.region().report();
    println!("2,000-vertex region: {r:?}, depth {}", p.region().depth());
    // A 1 Hz drive at 30 m/s, 500 points.
    let drive: Vec<Point> = (0..500)
        .map(|i| {
            pt(
                50.0 + 2.0e-4 * i as f64,
                10.0 + 2.8e-4 * i as f64,
                T0 + 1000 * i as u64,
            )
        })
        .collect();
    let eval = evaluate(&p, &drive);
    assert!(eval.qualifies(), "{:?}", eval.violations);
    let (plans, how) = plan(&p, &EARTH, &drive, &eval).unwrap();
    assert_eq!((plans.len(), how), (2, Chunking::Fixed));
    for c in &plans {
        assert!(p.region().items()[c.item].is_square());
    }
}

/// What the chunk count reveals (docs/threat-model.md, "Chunk count"): for traces away from
/// the region's boundary it is `⌈n/N⌉` whatever the route — two walks with the same number of
/// points, one straight and one zig-zagging, take the same chunks; a ride along the boundary
/// (where items are small triangles) takes more, and the planner says so.
#[test]
fn the_chunk_count_depends_on_the_point_count_away_from_the_boundary() {
    let p = policy();
    let straight = walk(150);
    let zigzag: Vec<Point> = (0..150)
        .map(|i| {
            let f = i as f64;
            let wiggle = if (i / 10) % 2 == 0 {
                (i % 10) as f64
            } else {
                (10 - i % 10) as f64
            };
            pt(
                45.07 - 1e-5 * f,
                10.03 + 8e-6 * wiggle,
                T0 + 1000 * i as u64,
            )
        })
        .collect();
    for pts in [&straight, &zigzag] {
        let eval = evaluate(&p, pts);
        assert!(eval.qualifies(), "{:?}", eval.violations);
        for shape in [TEST, EARTH] {
            let (plans, how) = plan(&p, &shape, pts, &eval).unwrap();
            assert_eq!(how, Chunking::Fixed);
            assert_eq!(plans.len(), pts.len().div_ceil(shape.points));
        }
    }
    let ride = edge_ride(120);
    let eval = evaluate(&p, &ride);
    let (plans, how) = plan(&p, &TEST, &ride, &eval).unwrap();
    assert_eq!(how, Chunking::Greedy);
    assert!(
        plans.len() > ride.len().div_ceil(TEST.points),
        "{}",
        plans.len()
    );
    // With slack in the policy (here 50 % inside), a walk along the edge keeps ⌈n/N⌉ chunks:
    // points its chunks' items do not hold are counted outside.
    let lax = policy_with(|i| i.min_inside_bp = 5_000);
    let slack_walk = edge_walk(132);
    let eval = evaluate(&lax, &slack_walk);
    let (plans, how) = plan(&lax, &TEST, &slack_walk, &eval).unwrap();
    assert_eq!((plans.len(), how), (2, Chunking::Fixed));
}

/// The antimeridian: a ride across ±180° over an island split there (as boundary files write
/// it) is one continuous trace; the chunk that crosses uses a seam window and an item of the
/// seam strip, and it is accepted; a plain window in its place is not (a seam window for a
/// chunk near ±180° that a plain window also holds is the same statement, and accepted).
#[test]
fn rides_across_the_antimeridian() {
    let island = policy_with(|i| {
        i.region = MultiPolygon(vec![
            polygon![(x: 179.9, y: -16.9), (x: 180.0, y: -16.9), (x: 180.0, y: -16.8), (x: 179.9, y: -16.8)],
            polygon![(x: -180.0, y: -16.9), (x: -179.9, y: -16.9), (x: -179.9, y: -16.8), (x: -180.0, y: -16.8)],
        ]);
        i.max_speed_mmps = 15_000;
    });
    // 5 m/s east along 16.85° S from 179.98° E: 180° is crossed after about 420 s.
    let ride: Vec<Point> = (0..300)
        .map(|i| {
            let lon = 179.98 + 5.0 * 3.0 * i as f64 / (111_320.0 * 16.85f64.to_radians().cos());
            let lon = if lon >= 180.0 { lon - 360.0 } else { lon };
            pt(-16.85, lon, T0 + 3000 * i as u64)
        })
        .collect();
    let eval = evaluate(&island, &ride);
    assert!(eval.qualifies(), "{:?}", eval.violations);
    let (plans, how) = plan(&island, &TEST, &ride, &eval).unwrap();
    assert_eq!(how, Chunking::Fixed, "the seam strip's items span 180°");
    let seam: Vec<usize> = (0..plans.len()).filter(|&k| plans[k].window.seam).collect();
    assert!(!seam.is_empty());
    let ws = witnesses(&island, &ride);
    for w in &ws {
        assert_eq!(verdict(w), Ok(()));
    }
    let k = seam[0];
    let mut plain = ws[k].clone();
    plain.window.seam = false;
    plain.window.x0_cell = zkcontrib_circuits::window::MAX_X0_CELL;
    // A plain window cannot hold both sides: the points' offsets from it are wrapped the long
    // way round, so the first step across 180° is a jump of nearly the whole window.
    assert_eq!(
        verdict(&plain),
        Err("speed"),
        "a plain window cannot hold both sides"
    );
    // The id is the trace's: the steps across 180° are the short way round.
    let id = zkcontrib_circuits::statement::contribution_id(
        zkcontrib_circuits::statement::accumulate(&ride),
        ride.len() as u64,
        &ride[0],
    );
    assert_eq!(ws.last().unwrap().public.contribution_id, id);
}
