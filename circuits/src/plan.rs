//! Splitting a qualifying trace into chunks for a shape: which points each chunk holds, its
//! window, the one region item it opens, and which of its points it counts inside.
//!
//! **Fixed chunks first.** Chunk `k` holds points `[kN, (k+1)N)`; it needs a window holding
//! those points and the one before ([`Window::for_points`]) and one item containing every
//! inside point it counts. Inside points the chunk's item does not contain may be counted
//! outside as long as the trace still meets `min_inside_fraction` (the policy's slack). When
//! every chunk finds a window and an item this way — every trace that stays a few kilometres
//! from the region's boundary, whatever its route — the trace has exactly `⌈n/N⌉` chunks,
//! and the chunk count reveals nothing but the point count.
//!
//! **Greedy chunks otherwise.** A chunk grows point by point while a window holds its points
//! and some item contains every inside point it must count, and ends early otherwise (then
//! the next chunk *carries* the unfinished group, see [`crate::statement`]). This happens
//! only for traces that run along the region's boundary for long stretches (where items are
//! small triangles), that cross ±180°, or that cover more than 0.2° of latitude or 0.8° of
//! longitude within `N` points (sparse, fast traces). What the extra chunks reveal is
//! bounded in `docs/threat-model.md`.

use crate::encode::Point;
use crate::policy::{Policy, BASIS_POINTS};
use crate::region::Region;
use crate::rules::Evaluation;
use crate::shape::{Shape, ShapeMismatch};
use crate::statement::POINTS_PER_GROUP;
use crate::window::{Window, LON_WINDOW_BITS, MAX_WINDOW_Y};

/// One chunk's plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChunkPlan {
    /// Index of the chunk's first new point in the trace.
    pub start: usize,
    /// Number of new points.
    pub len: usize,
    /// Points of the trace before `start` re-read in the chunk's first slots
    /// (`start % POINTS_PER_GROUP`).
    pub carried: usize,
    /// The chunk's window.
    pub window: Window,
    /// The region item the chunk opens (index into the policy's items).
    pub item: usize,
    /// Per new point: counted inside the region.
    pub counted: Vec<bool>,
}

impl ChunkPlan {
    /// One past the last new point.
    pub fn end(&self) -> usize {
        self.start + self.len
    }

    /// Index of the first point the chunk's window must hold: the point before its first slot
    /// (the chain state's last point), or 0.
    pub fn window_from(&self) -> usize {
        (self.start - self.carried).saturating_sub(1)
    }
}

/// How a trace was chunked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Chunking {
    /// `⌈n/N⌉` chunks of `N` points (the last one shorter).
    Fixed,
    /// Some chunks end early (see the module docs).
    Greedy,
}

/// Why a trace cannot be planned.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PlanError {
    /// No points.
    #[error("the trace has no points")]
    Empty,
    /// The trace breaks a rule (the native check says which).
    #[error("the trace does not qualify: {0} rule violation(s)")]
    NotQualifying(usize),
    /// The policy does not fit the shape.
    #[error(transparent)]
    Shape(#[from] ShapeMismatch),
    /// A point cannot be placed in a chunk window with the points the chunk must hold before
    /// it (the `encodable` rule, which [`plan`] checks first: only [`plan_unchecked`] of a
    /// trace that breaks it gets here).
    #[error(
        "point {0} cannot be placed in a chunk window with the points before it (the `encodable` \
         rule: beyond 89.9356° N, a step too wide near a pole, or a 33-point group wider than a \
         window)"
    )]
    Unencodable(usize),
}

/// Plans the chunks of a qualifying trace.
pub fn plan(
    policy: &Policy,
    shape: &Shape,
    points: &[Point],
    eval: &Evaluation,
) -> Result<(Vec<ChunkPlan>, Chunking), PlanError> {
    if !eval.qualifies() {
        return Err(PlanError::NotQualifying(eval.violations.len()));
    }
    plan_unchecked(policy, shape, points, eval)
}

/// Tracks whether a growing set of points still fits a window.
#[derive(Clone, Copy)]
struct Fit {
    y_min: i64,
    y_max: i64,
    x_min: i64,
    x_max: i64,
    /// Points outside the seam window's span.
    off_seam: usize,
}

impl Fit {
    fn new() -> Self {
        Self {
            y_min: i64::MAX,
            y_max: i64::MIN,
            x_min: i64::MAX,
            x_max: i64::MIN,
            off_seam: 0,
        }
    }

    fn add(&mut self, p: &Point) {
        let (x, y) = (p.x(), p.y());
        self.y_min = self.y_min.min(y);
        self.y_max = self.y_max.max(y);
        self.x_min = self.x_min.min(x);
        self.x_max = self.x_max.max(x);
        let half = 1i64 << (LON_WINDOW_BITS - 1);
        if x >= half && x < crate::encode::LON_PERIOD - half {
            self.off_seam += 1;
        }
    }

    /// A plain window holds the points' longitudes.
    fn plain(&self) -> bool {
        if self.x_min > self.x_max {
            return true;
        }
        let x0 = ((self.x_min >> crate::encode::CELL_SHIFT).min(crate::window::MAX_X0_CELL))
            << crate::encode::CELL_SHIFT;
        self.x_max - x0 < 1 << LON_WINDOW_BITS
    }

    /// Some window holds the points (the same test as [`Window::for_points`]).
    fn fits(&self) -> bool {
        let band = (self.y_min >> crate::window::BAND_SHIFT).min(crate::window::MAX_WINDOW_BAND);
        let lat_ok = self.y_max <= MAX_WINDOW_Y
            && self.y_max - (band << crate::window::BAND_SHIFT)
                < 1 << crate::window::LAT_WINDOW_BITS;
        lat_ok && (self.plain() || self.off_seam == 0)
    }
}

/// The cells of `points[range]` that are counted candidates (inside), in `w`'s coordinates.
fn inside_cells(
    w: &Window,
    points: &[Point],
    eval: &Evaluation,
    range: std::ops::Range<usize>,
) -> Vec<(usize, (i64, i64))> {
    range
        .filter(|&i| eval.points[i].inside)
        .filter_map(|i| w.cell(&points[i]).map(|c| (i, c)))
        .collect()
}

/// The item containing the most of `cells` (ties: the larger item, then the lower index),
/// with the indices it contains. Candidates are the items containing a sample of the cells.
fn best_item(region: &Region, cells: &[(usize, (i64, i64))]) -> Option<(usize, Vec<usize>)> {
    if cells.is_empty() {
        return None;
    }
    if let Some(k) = region.covering(&cells.iter().map(|c| c.1).collect::<Vec<_>>()) {
        return Some((k, cells.iter().map(|c| c.0).collect()));
    }
    let step = (cells.len() / 16).max(1);
    let mut candidates: Vec<usize> = cells
        .iter()
        .step_by(step)
        .flat_map(|(_, c)| region.containing(*c).collect::<Vec<_>>())
        .collect();
    candidates.sort_unstable();
    candidates.dedup();
    candidates
        .into_iter()
        .map(|k| {
            let item = region.items()[k];
            let hit: Vec<usize> = cells
                .iter()
                .filter(|(_, c)| item.contains(*c))
                .map(|(i, _)| *i)
                .collect();
            (k, hit)
        })
        .max_by_key(|(k, hit)| (hit.len(), region.items()[*k].size(), std::cmp::Reverse(*k)))
}

/// [`plan`] without refusing a trace that breaks rules: for soundness tests, which must see
/// the circuit reject what the native rules reject. Nobody should prove with this.
pub fn plan_unchecked(
    policy: &Policy,
    shape: &Shape,
    points: &[Point],
    eval: &Evaluation,
) -> Result<(Vec<ChunkPlan>, Chunking), PlanError> {
    if points.is_empty() {
        return Err(PlanError::Empty);
    }
    shape.check_policy(policy)?;
    let n = points.len();
    let inside_total = eval.points.iter().filter(|e| e.inside).count() as u64;
    // Fewest inside points that still meet the threshold: ceil(bp·n / 10000).
    let need =
        (u64::from(policy.params().min_inside_bp) * n as u64).div_ceil(u64::from(BASIS_POINTS));
    let slack = inside_total.saturating_sub(need) as usize;
    if let Some(plans) = fixed(policy.region(), shape, points, eval, slack) {
        return Ok((plans, Chunking::Fixed));
    }
    greedy(policy.region(), shape, points, eval, slack).map(|p| (p, Chunking::Greedy))
}

/// Fixed chunks, if every chunk finds a window and the uncovered inside points fit the slack.
fn fixed(
    region: &Region,
    shape: &Shape,
    points: &[Point],
    eval: &Evaluation,
    slack: usize,
) -> Option<Vec<ChunkPlan>> {
    let n = points.len();
    let mut plans = Vec::with_capacity(n.div_ceil(shape.points));
    let mut dropped = 0usize;
    for start in (0..n).step_by(shape.points) {
        let end = (start + shape.points).min(n);
        let from = start.saturating_sub(1);
        let window = Window::for_points(&points[from..end])?;
        let cells = inside_cells(&window, points, eval, start..end);
        let (item, hit) = best_item(region, &cells).unwrap_or((0, Vec::new()));
        dropped += cells.len() - hit.len();
        if dropped > slack {
            return None;
        }
        let mut counted = vec![false; end - start];
        for i in hit {
            counted[i - start] = true;
        }
        plans.push(ChunkPlan {
            start,
            len: end - start,
            carried: 0,
            window,
            item,
            counted,
        });
    }
    Some(plans)
}

/// The cell of a point in a plain frame (canonical) or a seam frame (unwrapped east of ±180°).
fn frame_cell(p: &Point, seam: bool) -> (i64, i64) {
    let (mut x, y) = (p.x(), p.y());
    if seam && x < crate::window::SEAM_X0_CELL << crate::encode::CELL_SHIFT {
        x += crate::encode::LON_PERIOD;
    }
    (
        x >> crate::encode::CELL_SHIFT,
        y >> crate::encode::CELL_SHIFT,
    )
}

/// Items containing every counted point's cell in the given frame.
fn candidates_for(region: &Region, seam: bool, points: &[Point], idx: &[usize]) -> Vec<usize> {
    let Some(&first) = idx.first() else {
        return Vec::new();
    };
    region
        .containing(frame_cell(&points[first], seam))
        .filter(|&k| {
            idx.iter()
                .all(|&i| region.items()[k].contains(frame_cell(&points[i], seam)))
        })
        .collect()
}

/// Greedy chunks (see the module docs).
fn greedy(
    region: &Region,
    shape: &Shape,
    points: &[Point],
    eval: &Evaluation,
    mut slack: usize,
) -> Result<Vec<ChunkPlan>, PlanError> {
    let n = points.len();
    let mut plans = Vec::new();
    let mut start = 0;
    while start < n {
        let carried = start % POINTS_PER_GROUP;
        let capacity = shape.points - carried;
        let from = (start - carried).saturating_sub(1);
        let mut fit = Fit::new();
        for p in &points[from..start] {
            fit.add(p);
        }
        // Counted points, the items containing all of them, and the frame (seam or not).
        let mut counted_idx: Vec<usize> = Vec::new();
        let mut cand: Vec<usize> = Vec::new();
        let mut seam = !fit.plain();
        let mut end = start;
        while end < n && end - start < capacity {
            let mut next = fit;
            next.add(&points[end]);
            if !next.fits() {
                break;
            }
            let next_seam = !next.plain();
            let mut next_cand = if next_seam != seam && !counted_idx.is_empty() {
                let c = candidates_for(region, next_seam, points, &counted_idx);
                if c.is_empty() {
                    // The counted points have no common item in the seam frame.
                    break;
                }
                c
            } else {
                cand.clone()
            };
            let mut count_it = false;
            if eval.points[end].inside {
                let here = frame_cell(&points[end], next_seam);
                let keep: Vec<usize> = if counted_idx.is_empty() {
                    region.containing(here).collect()
                } else {
                    next_cand
                        .iter()
                        .copied()
                        .filter(|&k| region.items()[k].contains(here))
                        .collect()
                };
                if keep.is_empty() {
                    if slack == 0 {
                        break;
                    }
                    // Counted outside, within the policy's slack.
                    slack -= 1;
                } else {
                    next_cand = keep;
                    count_it = true;
                }
            }
            if count_it {
                counted_idx.push(end);
            }
            cand = next_cand;
            seam = next_seam;
            fit = next;
            end += 1;
        }
        if end == start {
            return Err(PlanError::Unencodable(start));
        }
        let window = Window::for_points(&points[from..end]).ok_or(PlanError::Unencodable(start))?;
        debug_assert_eq!(window.seam, seam);
        let item = cand
            .iter()
            .copied()
            .max_by_key(|&k| (region.items()[k].size(), std::cmp::Reverse(k)))
            .unwrap_or(0);
        let mut counted = vec![false; end - start];
        for i in counted_idx {
            counted[i - start] = true;
        }
        plans.push(ChunkPlan {
            start,
            len: end - start,
            carried,
            window,
            item,
            counted,
        });
        start = end;
    }
    Ok(plans)
}
