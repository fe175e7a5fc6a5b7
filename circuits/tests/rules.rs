//! The native rule engine: every rule on both sides of its boundary, claims, and agreement with
//! an independent floating-point reference (`geo`'s geodesics and point-in-polygon).

use geo::{polygon, Contains, Distance, Geodesic, MultiPolygon, Point as GeoPoint};
use proptest::prelude::*;
use zkcontrib_circuits::encode::Point;
use zkcontrib_circuits::policy::{Policy, PolicyInput};
use zkcontrib_circuits::projection::DISTANCE_FRAC_BITS;
use zkcontrib_circuits::rules::{evaluate, Rule, Violation};

const T0: u64 = 1_500_000_000_000;
const NB: u64 = 1_499_000_000_000;
const NA: u64 = 1_501_000_000_000;

fn square() -> MultiPolygon<f64> {
    MultiPolygon(vec![polygon!(
        exterior: [(x: 10.0, y: 45.0), (x: 10.1, y: 45.0), (x: 10.1, y: 45.1), (x: 10.0, y: 45.1)],
        interiors: [[(x: 10.04, y: 45.04), (x: 10.06, y: 45.04), (x: 10.06, y: 45.06), (x: 10.04, y: 45.06)]],
    )])
}

fn input() -> PolicyInput {
    PolicyInput {
        name: "square".into(),
        region: square(),
        exclude: None,
        not_before_ms: NB,
        not_after_ms: NA,
        min_interval_ms: 1_000,
        max_interval_ms: 10_000,
        max_speed_mmps: 10_000,
        min_points: 3,
        min_distance_m: 10,
        min_inside_bp: 10_000,
    }
}

fn policy() -> Policy {
    use std::sync::OnceLock;
    static P: OnceLock<Policy> = OnceLock::new();
    P.get_or_init(|| Policy::compile(&input()).unwrap()).clone()
}

fn pt(lat: f64, lon: f64, t: u64) -> Point {
    Point::from_degrees(lat, lon, t as i64).unwrap()
}

/// A qualifying straight walk north at ~1.1 m/s: 20 points, 1 s apart.
fn walk() -> Vec<Point> {
    (0..20)
        .map(|i| pt(45.01 + 1e-5 * i as f64, 10.01, T0 + 1000 * i))
        .collect()
}

fn rules_broken(p: &Policy, pts: &[Point]) -> Vec<Rule> {
    evaluate(p, pts).broken_rules()
}

#[test]
fn the_walk_qualifies_with_the_right_claims() {
    let p = policy();
    let e = evaluate(&p, &walk());
    assert!(e.qualifies(), "{:?}", e.violations);
    assert_eq!(e.claims.points, 20);
    assert_eq!(e.claims.duration_s, 19);
    // 19 steps of 1e-5 degree latitude ≈ 1.1119 m: 21.1 m.
    assert_eq!(e.claims.distance_m, 21);
    assert_eq!(e.inside, 20);
}

#[test]
fn interval_bounds() {
    let p = policy();
    let mut w = walk();
    w[5].t_ms = w[4].t_ms + 1_000; // exactly min
    for q in w.iter_mut().skip(6) {
        q.t_ms += 0;
    }
    assert!(rules_broken(&p, &w).is_empty());
    let mut short = walk();
    for q in short.iter_mut().skip(5) {
        q.t_ms -= 1;
    }
    let e = evaluate(&p, &short);
    assert_eq!(
        e.violations,
        vec![Violation::IntervalTooShort {
            point: 5,
            dt_ms: 999,
            min_ms: 1_000
        }]
    );
    let mut long = walk();
    for q in long.iter_mut().skip(7) {
        q.t_ms += 9_000; // dt = 10 000: exactly max
    }
    assert!(rules_broken(&p, &long).is_empty());
    for q in long.iter_mut().skip(7) {
        q.t_ms += 1;
    }
    assert_eq!(
        evaluate(&p, &long).violations,
        vec![Violation::IntervalTooLong {
            point: 7,
            dt_ms: 10_001,
            max_ms: 10_000
        }]
    );
}

#[test]
fn timestamps_must_strictly_increase() {
    let p = policy();
    let mut dup = walk();
    dup[3].t_ms = dup[2].t_ms;
    let e = evaluate(&p, &dup);
    assert!(e
        .violations
        .contains(&Violation::NotIncreasing { point: 3, dt_ms: 0 }));
    let mut back = walk();
    back.swap(8, 9);
    let e = evaluate(&p, &back);
    assert!(e.violations.iter().any(|v| matches!(
        v,
        Violation::NotIncreasing {
            point: 9,
            dt_ms: -1000
        }
    )));
    assert_eq!(e.broken_rules(), vec![Rule::Increasing]);
}

#[test]
fn time_window_is_inclusive() {
    let p = policy();
    let shift = |w: &mut Vec<Point>, to_first: u64| {
        let d = w[0].t_ms;
        for q in w.iter_mut() {
            q.t_ms = q.t_ms - d + to_first;
        }
    };
    let mut w = walk();
    shift(&mut w, NB);
    assert!(rules_broken(&p, &w).is_empty());
    shift(&mut w, NB - 1);
    assert_eq!(
        evaluate(&p, &w).violations,
        vec![Violation::BeforeWindow {
            point: 0,
            early_ms: 1
        }]
    );
    let n = w.len() as u64;
    shift(&mut w, NA - 1000 * (n - 1));
    assert!(rules_broken(&p, &w).is_empty());
    shift(&mut w, NA - 1000 * (n - 1) + 1);
    assert_eq!(
        evaluate(&p, &w).violations,
        vec![Violation::AfterWindow {
            point: 19,
            late_ms: 1
        }]
    );
}

#[test]
fn speed_limit_boundary_is_exact_in_integers_and_matches_metres() {
    let p = policy();
    let params = p.params().clone();
    // One northward step of 1e-4 degree (≈ 11.12 m); find the shortest legal dt.
    let a = pt(45.02, 10.02, T0);
    let step = |dt: u64| {
        vec![
            a,
            pt(45.0201, 10.02, T0 + dt),
            pt(45.0201, 10.0201, T0 + dt + 9_000),
        ]
    };
    let d2 = zkcontrib_circuits::rules::step_d2(&a, &pt(45.0201, 10.02, T0));
    let dt_min = (1..=10_000u64)
        .find(|dt| {
            zkcontrib_circuits::rules::speed_ok(
                d2,
                u128::from(params.speed_units) * u128::from(*dt),
                params.speed_tolerance,
            )
        })
        .unwrap();
    assert!(!rules_broken(&p, &step(dt_min)).contains(&Rule::Speed));
    let e = evaluate(&p, &step(dt_min - 1));
    assert!(
        matches!(
            e.violations[..],
            [Violation::TooFast {
                point: 1,
                limit_mmps: 10_000,
                ..
            }]
        ),
        "{:?}",
        e.violations
    );
    // The boundary sits where an independent geodesic speed reaches 10 m/s (within 0.2 %).
    let metres = Geodesic.distance(GeoPoint::new(10.02, 45.02), GeoPoint::new(10.02, 45.0201));
    let expect_ms = metres / 10.0 * 1000.0;
    assert!(
        (dt_min as f64 - expect_ms).abs() / expect_ms < 0.002,
        "{dt_min} vs {expect_ms}"
    );
}

/// A policy where only the region matters: one point suffices, any speed and distance.
fn region_only(min_inside_bp: u16) -> Policy {
    Policy::compile(&PolicyInput {
        min_points: 1,
        min_distance_m: 0,
        max_speed_mmps: 100_000,
        min_inside_bp,
        ..input()
    })
    .unwrap()
}

#[test]
fn region_boundary_and_holes() {
    let p = region_only(10_000);
    let one = |lat: f64, lon: f64| evaluate(&p, &[pt(lat, lon, T0)]);
    // On the southern edge, at a corner, and 2 cm inside: inside (pieces are closed).
    assert!(one(45.0, 10.05).qualifies(), "on the edge");
    assert!(one(45.0, 10.0).qualifies(), "on the corner");
    assert!(one(45.000_000_2, 10.05).qualifies());
    // More than one membership cell (≈ 2.8 m) below the edge: outside.
    let e = one(44.999_97, 10.05);
    assert_eq!(
        e.violations,
        vec![
            Violation::OutsideRegion { point: 0 },
            Violation::InsideShare {
                inside: 0,
                points: 1,
                required_bp: 10_000
            }
        ]
    );
    // Inside the hole is outside the region; on the hole's edge is inside.
    assert!(e.broken_rules() == one(45.05, 10.05).broken_rules());
    assert!(one(45.04, 10.05).qualifies());
    assert!(one(45.06, 10.055).qualifies());
}

#[test]
fn inside_share_threshold() {
    let half = region_only(5_000);
    // Alternating 11 m south and 11 m north of the southern edge: exactly 50 % inside.
    let mut w: Vec<Point> = (0..20)
        .map(|i| {
            let lat = if i % 2 == 0 { 44.9999 } else { 45.0001 };
            pt(lat, 10.01, T0 + 1000 * i)
        })
        .collect();
    assert!(half.params().min_inside_bp == 5_000);
    assert!(
        evaluate(&half, &w).qualifies(),
        "{:?}",
        evaluate(&half, &w).violations
    );
    w[1] = pt(44.9999, 10.01, w[1].t_ms); // 9 of 20 inside
    let e = evaluate(&half, &w);
    assert_eq!(e.broken_rules(), vec![Rule::Region]);
    assert_eq!(e.violations.len(), 12, "11 outside points and the share");
}

#[test]
fn min_points_and_min_distance() {
    let p = policy();
    let w = walk();
    assert!(rules_broken(&p, &w[..3])
        .iter()
        .all(|r| *r != Rule::MinPoints));
    assert_eq!(
        evaluate(&p, &w[..2]).violations.first(),
        Some(&Violation::TooFewPoints { points: 2, min: 3 })
    );
    // 9 steps ≈ 10.0 m; 10 steps ≈ 11.1 m: the 10 m minimum lies in between.
    let e9 = evaluate(&p, &w[..10]);
    let e10 = evaluate(&p, &w[..11]);
    assert_eq!(e9.claims.distance_m, 10);
    assert!(e9.qualifies());
    let e8 = evaluate(&p, &w[..9]);
    assert_eq!(
        e8.violations,
        vec![Violation::TooShort {
            distance_m: 8,
            min_m: 10
        }]
    );
    assert!(e10.qualifies());
}

/// A fast trace north, every step well inside a window: the chunk that absorbs a 33-point
/// hash group holds all of it and the point before it, so a trace that covers more than a
/// window's latitude (0.42° from a 0.21° band edge) in 33 fixes cannot be planned. The
/// `encodable` rule names the first point of such a group, and exactly the traces it flags fail
/// to plan (at that point); the others plan, greedily where a chunk spans too much.
#[test]
fn groups_wider_than_a_window_are_unencodable_and_exactly_those_fail_to_plan() {
    use zkcontrib_circuits::plan::{plan_unchecked, PlanError};
    use zkcontrib_circuits::shape::TEST;
    let fast = Policy::compile(&PolicyInput {
        max_speed_mmps: 150_000,
        min_inside_bp: 0,
        ..input()
    })
    .unwrap();
    let (mut flagged, mut planned) = (0, 0);
    // Steps of 0.003°–0.012° north (330 m–1.3 km) every 10 s, from several band offsets.
    for step_e7 in [30_000, 54_000, 70_000, 90_000, 120_000] {
        for k in 0..6 {
            let lat0 = 45.01 + 0.037 * f64::from(k);
            let pts: Vec<Point> = (0..200)
                .map(|i| {
                    let mut p = pt(lat0, 10.01, T0 + 10_000 * i);
                    p.lat_e7 += step_e7 * i as i32;
                    p
                })
                .collect();
            let e = evaluate(&fast, &pts);
            let groups: Vec<usize> = e
                .violations
                .iter()
                .filter_map(|v| match v {
                    Violation::GroupTooWide { point } => Some(*point),
                    _ => None,
                })
                .collect();
            assert_eq!(
                e.broken_rules().contains(&Rule::Encodable),
                !groups.is_empty(),
                "{:?}",
                e.violations
            );
            let plan = plan_unchecked(&fast, &TEST, &pts, &e);
            match groups.first() {
                None => {
                    assert!(plan.is_ok(), "step {step_e7}, k {k}: {plan:?}");
                    planned += 1;
                }
                Some(&first) => {
                    assert_eq!(plan, Err(PlanError::Unencodable(first)), "step {step_e7}");
                    let text = Violation::GroupTooWide { point: first }.to_string();
                    assert!(text.contains(&format!("point {first} ")), "{text}");
                    flagged += 1;
                }
            }
            // One violation per group at most.
            let mut g: Vec<usize> = groups.iter().map(|p| p / 33).collect();
            g.dedup();
            assert_eq!(g.len(), groups.len());
        }
    }
    // Both outcomes occur (slow steps always fit, 1.3 km steps never do).
    assert!(
        flagged > 0 && planned > 0,
        "{flagged} flagged, {planned} planned"
    );
}

/// A far point is outside the region (there is no frame any more), and the steps into and out
/// of it are too wide for any window; points beyond 89.9356° N and steps too wide to fit a
/// window near a pole are `encodable` violations.
#[test]
fn far_points_are_outside_and_polar_points_unencodable() {
    let p = policy();
    let mut w = walk();
    w[4] = pt(55.0, 10.01, w[4].t_ms);
    let e = evaluate(&p, &w);
    assert!(e
        .violations
        .contains(&Violation::OutsideRegion { point: 4 }));
    assert!(e.violations.contains(&Violation::StepTooWide { point: 4 }));
    assert!(e.violations.contains(&Violation::StepTooWide { point: 5 }));
    let polar: Vec<Point> = (0..3)
        .map(|i| pt(89.94 + 0.000_01 * i as f64, 10.0, T0 + 1000 * i))
        .collect();
    let e = evaluate(&p, &polar);
    assert!(e.violations.contains(&Violation::Polar { point: 0 }));
    // 100 m east–west at 89.95° is 1.15° of longitude: wider than a window's half.
    let near_pole = [pt(89.7, 10.0, T0), pt(89.7, 11.7, T0 + 10_000)];
    let e = evaluate(&p, &near_pole);
    assert!(e.violations.contains(&Violation::StepTooWide { point: 1 }));
    // The same step across the antimeridian fits: the short way round.
    let seam = [pt(-16.8, 179.99, T0), pt(-16.8, -179.99, T0 + 10_000)];
    let e = evaluate(&p, &seam);
    assert!(
        !e.broken_rules().contains(&Rule::Encodable),
        "{:?}",
        e.violations
    );
}

#[test]
fn reports_every_violation_not_just_the_first() {
    let p = policy();
    let mut w = walk();
    w[3].t_ms = w[2].t_ms; // not increasing
    w[12].t_ms = w[11].t_ms + 500; // too short (and the rest shift)
    w[15] = pt(45.2, 10.01, w[15].t_ms); // outside the region, too fast twice
    let e = evaluate(&p, &w);
    let rules = e.broken_rules();
    for r in [Rule::Region, Rule::Increasing, Rule::Interval, Rule::Speed] {
        assert!(rules.contains(&r), "{r} in {rules:?}");
    }
    let fast: Vec<usize> = e
        .violations
        .iter()
        .filter(|v| v.rule() == Rule::Speed)
        .filter_map(|v| v.point())
        .collect();
    assert_eq!(fast, vec![15, 16]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Away from the speed boundary, the integer speed rule agrees with geodesic speed; the
    /// integer distance is a lower bound of the geodesic length, within 1 % when every step is
    /// within the limit.
    #[test]
    fn speed_and_distance_agree_with_geodesics(
        steps in prop::collection::vec((-3e-4f64..3e-4, -3e-4f64..3e-4, 1_000u64..10_000), 1..30)
    ) {
        let p = policy();
        let mut pts = vec![pt(45.02, 10.02, T0)];
        let mut geo_len = 0.0;
        let mut last = (45.02f64, 10.02f64, T0);
        for (dlat, dlon, dt) in &steps {
            let next = (last.0 + dlat, last.1 + dlon, last.2 + dt);
            let a = pts[pts.len() - 1];
            let b = pt(next.0, next.1, next.2);
            let g = Geodesic.distance(
                GeoPoint::new(a.lon_e7 as f64 / 1e7, a.lat_e7 as f64 / 1e7),
                GeoPoint::new(b.lon_e7 as f64 / 1e7, b.lat_e7 as f64 / 1e7),
            );
            geo_len += g;
            let speed = g / (*dt as f64 / 1000.0);
            let e = evaluate(&p, &[a, b]);
            let fast = e.violations.iter().any(|v| v.rule() == Rule::Speed);
            if speed < 10.0 * 0.99 { prop_assert!(!fast, "{speed} m/s flagged"); }
            if speed > 10.0 * 1.01 { prop_assert!(fast, "{speed} m/s passed"); }
            pts.push(b);
            last = next;
        }
        let e = evaluate(&p, &pts);
        let ours = e.distance_units as f64 / f64::from(1u32 << DISTANCE_FRAC_BITS);
        prop_assert!(ours <= geo_len + 1e-6, "{ours} > {geo_len}");
        // Steps faster than the limit count at most max_speed·dt (the circuit's cap); within
        // the limit the count is within 1 % of the geodesic length.
        if !e.violations.iter().any(|v| v.rule() == Rule::Speed) {
            prop_assert!(ours >= geo_len * 0.99, "{ours} < 0.99 · {geo_len}");
        }
    }

    /// Away from the boundary (> 2 m), integer membership agrees with `geo`'s point-in-polygon.
    #[test]
    fn membership_agrees_with_geo(lat in 44.98f64..45.12, lon in 9.98f64..10.12) {
        let region = square();
        let near = |v: f64, edges: &[f64]| edges.iter().any(|e| (v - e).abs() < 2e-5);
        prop_assume!(!near(lat, &[45.0, 45.1, 45.04, 45.06]) && !near(lon, &[10.0, 10.1, 10.04, 10.06]));
        let p = policy();
        let ours = p.region().contains(pt(lat, lon, T0).cell());
        let reference = region.contains(&GeoPoint::new(lon, lat));
        prop_assert_eq!(ours, reference);
    }
}
