//! The native rule engine: the executable specification of the statement, in the integer
//! arithmetic the circuit uses.
//!
//! For a trace `p_0 … p_{n-1}` and step `i` (from `p_{i-1}` to `p_i`, `i ≥ 1`):
//!
//! | rule | condition |
//! |---|---|
//! | `encodable` | every point below 89.9356° N ([`crate::window::MAX_WINDOW_Y`]); every step spans at most one latitude band boundary and less than 2^22 units (0.42°) of longitude, so it fits a chunk window; every 33-point hash group with the point before it fits one chunk window ([`group_too_wide_at`]) |
//! | `region` | `inside · 10000 ≥ min_inside_bp · n`, `inside` = points whose cell lies in the region (an item) |
//! | `window` | `not_before ≤ t_i ≤ not_after` |
//! | `increasing` | `dt_i = t_i - t_{i-1} > 0` |
//! | `interval` | `min_interval ≤ dt_i ≤ max_interval` |
//! | `speed` | `D_i^2 < (v·dt_i)^2 + τ`, `D_i^2 = (kx·dx)^2 + (ky·dy)^2` with the step's band factors ([`crate::projection`]), `v = speed_units`, `τ = speed_tolerance` |
//! | `min_points` | `n ≥ min_points` |
//! | `min_distance` | `distance_m ≥ min_distance_m` |
//!
//! Claims: `points = n`, `distance_m = floor(Σ d_i / 2^18)` with
//! `d_i = min(floor(sqrt(D_i^2)), v·dt_i)` (a lower bound of the path length, see
//! [`crate::projection`]), and `duration_s = floor((t_{n-1} - t_0) / 1000)`.
//!
//! The speed rule is the one the circuit proves with a linear comparison: a step length
//! `d ≤ D` with `D^2 - d^2 < τ` and `d ≤ v·dt` exists exactly when `D^2 < (v·dt)^2 + τ`
//! (`τ = 2^(step_bits+1)` and `v·dt < 2^step_bits`). It lets a step exceed `v·dt` by less than
//! `sqrt(τ)` distance units — 4.4 cm for the Santa Clara policy (`step_bits = 26`) — and
//! never flags a step within the limit.

use crate::encode::Point;
use crate::policy::{Policy, BASIS_POINTS};
use crate::projection::{step_length, Projection, DISTANCE_FRAC_BITS};
use crate::statement::{Step, POINTS_PER_GROUP};
use crate::window::{Window, BAND_SHIFT, LON_WINDOW_BITS, MAX_WINDOW_Y};
use std::fmt;

/// The rules, as named in reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Rule {
    /// Points and steps fit a chunk window (everywhere but the last 0.07° below the north
    /// pole, and long east–west steps within a degree or two of the poles).
    Encodable,
    /// Enough points lie in the region.
    Region,
    /// Times lie in the window.
    Window,
    /// Times strictly increase.
    Increasing,
    /// Intervals lie within bounds.
    Interval,
    /// Speed between consecutive points is within the limit.
    Speed,
    /// Enough points.
    MinPoints,
    /// Long enough.
    MinDistance,
}

impl Rule {
    /// All rules, in report order.
    pub const ALL: [Rule; 8] = [
        Rule::Encodable,
        Rule::Region,
        Rule::Window,
        Rule::Increasing,
        Rule::Interval,
        Rule::Speed,
        Rule::MinPoints,
        Rule::MinDistance,
    ];

    /// The snake_case name used in reports.
    pub fn name(self) -> &'static str {
        match self {
            Rule::Encodable => "encodable",
            Rule::Region => "region",
            Rule::Window => "window",
            Rule::Increasing => "increasing",
            Rule::Interval => "interval",
            Rule::Speed => "speed",
            Rule::MinPoints => "min_points",
            Rule::MinDistance => "min_distance",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One broken rule. Point indices are 0-based positions in the trace; for step rules the index
/// is the later point of the step.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Violation {
    /// The point lies beyond 89.9356° N.
    Polar {
        /// Point index.
        point: usize,
    },
    /// The step into this point is too wide to fit a chunk window (near a pole).
    StepTooWide {
        /// Point index.
        point: usize,
    },
    /// The point is the first of its 33-point hash group that no chunk window holds together
    /// with the group's earlier points and the point before the group (see
    /// [`group_too_wide_at`]): the trace covers too much ground within 33 fixes.
    GroupTooWide {
        /// Point index.
        point: usize,
    },
    /// The point is outside the region (listed when the inside share is too small).
    OutsideRegion {
        /// Point index.
        point: usize,
    },
    /// Too small a share of points inside the region.
    InsideShare {
        /// Points inside.
        inside: u64,
        /// All points.
        points: u64,
        /// Required share, basis points.
        required_bp: u16,
    },
    /// Before `not_before`.
    BeforeWindow {
        /// Point index.
        point: usize,
        /// How much too early, ms.
        early_ms: u64,
    },
    /// After `not_after`.
    AfterWindow {
        /// Point index.
        point: usize,
        /// How much too late, ms.
        late_ms: u64,
    },
    /// Time equal to or before the previous point's.
    NotIncreasing {
        /// Point index.
        point: usize,
        /// `t_i - t_{i-1}` (≤ 0), ms.
        dt_ms: i64,
    },
    /// Interval shorter than `min_interval`.
    IntervalTooShort {
        /// Point index.
        point: usize,
        /// Interval, ms.
        dt_ms: i64,
        /// Bound, ms.
        min_ms: u64,
    },
    /// Interval longer than `max_interval`.
    IntervalTooLong {
        /// Point index.
        point: usize,
        /// Interval, ms.
        dt_ms: i64,
        /// Bound, ms.
        max_ms: u64,
    },
    /// Faster than the limit.
    TooFast {
        /// Point index.
        point: usize,
        /// Speed over the step (projected), mm/s, rounded down.
        speed_mmps: u64,
        /// Limit, mm/s.
        limit_mmps: u64,
    },
    /// Fewer points than required.
    TooFewPoints {
        /// Points in the trace.
        points: u64,
        /// Required.
        min: u64,
    },
    /// Shorter than required.
    TooShort {
        /// Distance (lower bound), metres.
        distance_m: u64,
        /// Required, metres.
        min_m: u64,
    },
}

impl Violation {
    /// The rule this violates.
    pub fn rule(&self) -> Rule {
        match self {
            Violation::Polar { .. }
            | Violation::StepTooWide { .. }
            | Violation::GroupTooWide { .. } => Rule::Encodable,
            Violation::OutsideRegion { .. } | Violation::InsideShare { .. } => Rule::Region,
            Violation::BeforeWindow { .. } | Violation::AfterWindow { .. } => Rule::Window,
            Violation::NotIncreasing { .. } => Rule::Increasing,
            Violation::IntervalTooShort { .. } | Violation::IntervalTooLong { .. } => {
                Rule::Interval
            }
            Violation::TooFast { .. } => Rule::Speed,
            Violation::TooFewPoints { .. } => Rule::MinPoints,
            Violation::TooShort { .. } => Rule::MinDistance,
        }
    }

    /// The point it concerns, if it concerns one.
    pub fn point(&self) -> Option<usize> {
        match *self {
            Violation::Polar { point }
            | Violation::StepTooWide { point }
            | Violation::GroupTooWide { point }
            | Violation::OutsideRegion { point }
            | Violation::BeforeWindow { point, .. }
            | Violation::AfterWindow { point, .. }
            | Violation::NotIncreasing { point, .. }
            | Violation::IntervalTooShort { point, .. }
            | Violation::IntervalTooLong { point, .. }
            | Violation::TooFast { point, .. } => Some(point),
            _ => None,
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Violation::Polar { point } => {
                write!(
                    f,
                    "point {point} lies beyond 89.9356° N, which the statement cannot encode"
                )
            }
            Violation::StepTooWide { point } => write!(
                f,
                "the step to point {point} spans too much longitude to encode (near a pole)"
            ),
            Violation::GroupTooWide { point } => {
                let first = point - point % POINTS_PER_GROUP;
                write!(
                    f,
                    "point {point} is too far from points {}–{} to share a chunk window with \
                     them (points {first}–{} are hashed as one group, which with the point \
                     before it must fit 0.42° of latitude from a 0.21° band edge and 0.84° of \
                     longitude): the trace covers too much ground in 33 fixes",
                    first.saturating_sub(1),
                    point - 1,
                    first + POINTS_PER_GROUP - 1
                )
            }
            Violation::OutsideRegion { point } => write!(f, "point {point} is outside the region"),
            Violation::InsideShare {
                inside,
                points,
                required_bp,
            } => write!(
                f,
                "{inside} of {points} points inside the region, {:.2} % required",
                f64::from(*required_bp) / 100.0
            ),
            Violation::BeforeWindow { point, early_ms } => write!(
                f,
                "point {point} is {:.3} s before not_before",
                *early_ms as f64 / 1000.0
            ),
            Violation::AfterWindow { point, late_ms } => write!(
                f,
                "point {point} is {:.3} s after not_after",
                *late_ms as f64 / 1000.0
            ),
            Violation::NotIncreasing { point, dt_ms } => write!(
                f,
                "point {point} is not later than point {} (dt = {dt_ms} ms)",
                point.saturating_sub(1)
            ),
            Violation::IntervalTooShort {
                point,
                dt_ms,
                min_ms,
            } => write!(
                f,
                "interval before point {point} is {dt_ms} ms, shorter than {min_ms} ms"
            ),
            Violation::IntervalTooLong {
                point,
                dt_ms,
                max_ms,
            } => write!(
                f,
                "interval before point {point} is {dt_ms} ms, longer than {max_ms} ms"
            ),
            Violation::TooFast {
                point,
                speed_mmps,
                limit_mmps,
            } => write!(
                f,
                "step to point {point} at {:.2} m/s exceeds {:.2} m/s",
                *speed_mmps as f64 / 1000.0,
                *limit_mmps as f64 / 1000.0
            ),
            Violation::TooFewPoints { points, min } => {
                write!(f, "{points} points, at least {min} required")
            }
            Violation::TooShort { distance_m, min_m } => {
                write!(f, "distance {distance_m} m, at least {min_m} m required")
            }
        }
    }
}

/// What a qualifying trace reveals (the public claim slots, `zkcontrib-public`).
pub use zkcontrib_public::Claims;

/// Per-point values the circuit's witness is built from.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PointEval {
    /// The point's cell lies in the region.
    pub inside: bool,
}

impl fmt::Debug for PointEval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PointEval").finish_non_exhaustive()
    }
}

/// Per-step values (step `i` ends at point `i`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct StepEval {
    /// `t_i - t_{i-1}`, ms.
    pub dt_ms: i64,
    /// The step as absorbed (`dy`, `dx` the short way round).
    pub step: Step,
    /// `D_i^2`.
    pub d2: u128,
    /// The counted step length `min(floor(sqrt(D_i^2)), speed_units · dt_i)`, distance units
    /// (`floor(sqrt(D_i^2))` when `dt_i ≤ 0`).
    pub d: u64,
}

impl fmt::Debug for StepEval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StepEval").finish_non_exhaustive()
    }
}

/// The full result of evaluating a trace against a policy.
#[derive(Clone, Debug)]
pub struct Evaluation {
    /// One entry per point.
    pub points: Vec<PointEval>,
    /// One entry per step (`points.len() - 1` entries).
    pub steps: Vec<StepEval>,
    /// Claims the trace would reveal.
    pub claims: Claims,
    /// Points inside the region.
    pub inside: u64,
    /// Sum of step lengths, distance units.
    pub distance_units: u128,
    /// Every broken rule.
    pub violations: Vec<Violation>,
}

impl Evaluation {
    /// True when no rule is broken.
    pub fn qualifies(&self) -> bool {
        self.violations.is_empty()
    }

    /// The broken rules, each once, in report order.
    pub fn broken_rules(&self) -> Vec<Rule> {
        let mut r: Vec<Rule> = self.violations.iter().map(Violation::rule).collect();
        r.sort();
        r.dedup();
        r
    }
}

/// The squared projected length of a step between two points, with the step's band factors.
pub fn step_d2(a: &Point, b: &Point) -> u128 {
    let s = Step::between(a, b);
    let band = |p: &Point| (p.y() >> BAND_SHIFT) as usize;
    Projection::for_step(band(a), band(b)).step_d2(s.dx, s.dy)
}

/// True when a step fits a chunk window: its points' latitude bands differ by at most one and
/// it spans less than 2^22 units (0.42°) of longitude the short way round.
pub fn step_fits_window(a: &Point, b: &Point) -> bool {
    let s = Step::between(a, b);
    ((a.y() >> BAND_SHIFT) - (b.y() >> BAND_SHIFT)).abs() <= 1
        && s.dx.abs() < 1 << (LON_WINDOW_BITS - 1)
}

/// Whether point `i` is the first point of its hash group (points `33g … 33g+32`, see
/// [`crate::statement`]) that no chunk window holds together with the group's earlier points
/// and the point before the group, though the step into it fits one
/// ([`step_fits_window`], else that is the violation) and it is not polar.
///
/// Whatever the chunking, the chunk that absorbs a group holds all of it and the point before
/// it: a chunk ending inside a group carries the group's first points into the next chunk,
/// which re-reads them in its window. So a trace has a plan exactly when every group (the last
/// one as far as the trace goes) with the point before it fits a window
/// ([`crate::window::Window::for_points`]); a fast trace (more than one band, 0.21° of latitude,
/// in 33 fixes, e.g. 1 km every 10 s) can fail this where no single step does. Needs `i < len`.
pub fn group_too_wide_at(points: &[Point], i: usize) -> bool {
    let from = (i - i % POINTS_PER_GROUP).saturating_sub(1);
    i > from
        && step_fits_window(&points[i - 1], &points[i])
        && points[i].y() <= MAX_WINDOW_Y
        && Window::for_points(&points[from..i]).is_some()
        && Window::for_points(&points[from..=i]).is_none()
}

/// The speed rule: `D^2 < reach^2 + tolerance`, `reach = speed_units · dt`.
pub fn speed_ok(d2: u128, reach: u128, tolerance: u64) -> bool {
    reach
        .checked_mul(reach)
        .and_then(|r2| r2.checked_add(u128::from(tolerance)))
        .is_none_or(|bound| d2 < bound)
}

/// The length the circuit counts for a step: `min(floor(sqrt(D^2)), reach)`.
pub fn step_units(d2: u128, reach: u128) -> u64 {
    u128::from(step_length(d2)).min(reach) as u64
}

/// Evaluates every rule on `points` (which must be non-empty for claims to be meaningful).
pub fn evaluate(policy: &Policy, points: &[Point]) -> Evaluation {
    let p = policy.params();
    let mut violations = Vec::new();

    // Per point: encodable, region, window.
    let region = policy.region();
    let inside_flags: Vec<bool> = crate::region::par_map(points, |pt| region.contains(pt.cell()));
    let mut evals = Vec::with_capacity(points.len());
    let mut inside = 0u64;
    for (i, pt) in points.iter().enumerate() {
        if pt.y() > MAX_WINDOW_Y {
            violations.push(Violation::Polar { point: i });
        }
        let is_inside = inside_flags[i];
        inside += u64::from(is_inside);
        if pt.t_ms < p.not_before_ms {
            violations.push(Violation::BeforeWindow {
                point: i,
                early_ms: p.not_before_ms - pt.t_ms,
            });
        } else if pt.t_ms > p.not_after_ms {
            violations.push(Violation::AfterWindow {
                point: i,
                late_ms: pt.t_ms - p.not_after_ms,
            });
        }
        evals.push(PointEval { inside: is_inside });
    }
    let n = points.len() as u64;
    // inside / n >= bp / 10000, without division.
    if u128::from(inside) * u128::from(BASIS_POINTS) < u128::from(p.min_inside_bp) * u128::from(n) {
        violations.extend(
            evals
                .iter()
                .enumerate()
                .filter(|(_, e)| !e.inside)
                .map(|(point, _)| Violation::OutsideRegion { point }),
        );
        violations.push(Violation::InsideShare {
            inside,
            points: n,
            required_bp: p.min_inside_bp,
        });
    }

    // Per step: order, interval, speed, length.
    let mut steps = Vec::with_capacity(points.len().saturating_sub(1));
    let mut distance_units: u128 = 0;
    for (i, w) in points.windows(2).enumerate() {
        let point = i + 1;
        let dt = w[1].t_ms as i64 - w[0].t_ms as i64;
        if !step_fits_window(&w[0], &w[1]) {
            violations.push(Violation::StepTooWide { point });
        } else if group_too_wide_at(points, point) {
            violations.push(Violation::GroupTooWide { point });
        }
        let step = Step::between(&w[0], &w[1]);
        let d2 = step_d2(&w[0], &w[1]);
        let d = if dt > 0 {
            step_units(d2, u128::from(p.speed_units) * dt as u128)
        } else {
            step_length(d2)
        };
        distance_units += u128::from(d);
        if dt <= 0 {
            violations.push(Violation::NotIncreasing { point, dt_ms: dt });
        } else {
            let dtu = dt as u64;
            if dtu < p.min_interval_ms {
                violations.push(Violation::IntervalTooShort {
                    point,
                    dt_ms: dt,
                    min_ms: p.min_interval_ms,
                });
            } else if dtu > p.max_interval_ms {
                violations.push(Violation::IntervalTooLong {
                    point,
                    dt_ms: dt,
                    max_ms: p.max_interval_ms,
                });
            }
            let reach = u128::from(p.speed_units) * u128::from(dtu);
            if !speed_ok(d2, reach, p.speed_tolerance) {
                // D [2^-18 m] / dt [ms] in mm/s = D · 10^6 / (2^18 · dt).
                let speed_mmps = (u128::from(step_length(d2)) * 1_000_000
                    / (u128::from(dtu) << DISTANCE_FRAC_BITS))
                    .min(u128::from(u64::MAX)) as u64;
                violations.push(Violation::TooFast {
                    point,
                    speed_mmps,
                    limit_mmps: p.max_speed_mmps,
                });
            }
        }
        steps.push(StepEval {
            dt_ms: dt,
            step,
            d2,
            d,
        });
    }

    let claims = Claims {
        points: n,
        distance_m: (distance_units >> DISTANCE_FRAC_BITS).min(u128::from(u64::MAX)) as u64,
        duration_s: match (points.first(), points.last()) {
            (Some(a), Some(b)) if b.t_ms >= a.t_ms => (b.t_ms - a.t_ms) / 1000,
            _ => 0,
        },
    };
    if n < p.min_points {
        violations.push(Violation::TooFewPoints {
            points: n,
            min: p.min_points,
        });
    }
    if claims.distance_m < p.min_distance_m {
        violations.push(Violation::TooShort {
            distance_m: claims.distance_m,
            min_m: p.min_distance_m,
        });
    }
    violations.sort_by_key(|v| (v.rule(), v.point().unwrap_or(usize::MAX)));
    Evaluation {
        points: evals,
        steps,
        claims,
        inside,
        distance_units,
        violations,
    }
}
