//! Step 4 of [`compile`](super::compile::compile): one grid polygon into items. Core squares
//! (a quadtree of aligned squares inside the polygon), band triangles (a constrained Delaunay
//! triangulation of the rest, refined until every triangle is small enough, adding up exactly
//! to the polygon's area) and planning squares (overlapping squares a chunk can open); the
//! seam strip along ±180°.

use super::geometry::{ring_double_area, Cell, PolyIndex, Seg, Side};
use super::quantize::SEAM_STRIP_E7;
use super::{double_area, Item, RegionError, AREA_BITS, MAX_SQUARE_LEVEL};
use geo::{BooleanOps, Coord, LineString, MultiPolygon, Polygon};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};

/// Finest core square level (2^8 cells ≈ 730 m): the band of triangles is at most this wide.
pub const CORE_FLOOR_LEVEL: u32 = 8;
/// Coarsest quadtree node (2^24 cells cover every longitude and latitude).
pub(super) const ROOT_LEVEL: u32 = 24;

/// The decomposition of one polygon (before planning squares).
pub(super) struct Pieces {
    /// Core squares.
    pub(super) core: Vec<Item>,
    /// Band triangles.
    pub(super) band: Vec<Item>,
    /// The polygon's planning squares, level by level.
    pub(super) planner: Planner,
}

/// Step 4a: the core quadtree. Emits aligned squares (levels 8…16) whose closed box lies in
/// the polygon.
fn core_squares(idx: &PolyIndex, edges: Vec<Seg>, bbox: (Cell, Cell)) -> Vec<Item> {
    fn node(
        idx: &PolyIndex,
        x: i64,
        y: i64,
        k: u32,
        edges: Vec<Seg>,
        bbox: (Cell, Cell),
        out: &mut Vec<Item>,
    ) {
        let side = 1i64 << k;
        let (x1, y1) = (x + side, y + side);
        if x1 < bbox.0 .0 || x > bbox.1 .0 || y1 < bbox.0 .1 || y > bbox.1 .1 {
            return;
        }
        let crossing = edges.iter().any(|s| s.crosses_open_box(x, y, x1, y1));
        if !crossing {
            if idx.side_scaled(x + x1, y + y1, 2) == Side::Inside {
                if k <= MAX_SQUARE_LEVEL {
                    out.push(Item::square(x, y, k));
                } else {
                    let step = 1i64 << MAX_SQUARE_LEVEL;
                    for i in 0..1i64 << (k - MAX_SQUARE_LEVEL) {
                        for j in 0..1i64 << (k - MAX_SQUARE_LEVEL) {
                            out.push(Item::square(x + i * step, y + j * step, MAX_SQUARE_LEVEL));
                        }
                    }
                }
            }
            return;
        }
        if k == CORE_FLOOR_LEVEL {
            return;
        }
        let h = side / 2;
        for (cx, cy) in [(x, y), (x + h, y), (x, y + h), (x + h, y + h)] {
            let sub: Vec<Seg> = edges
                .iter()
                .filter(|s| s.meets_closed_box(cx, cy, cx + h, cy + h))
                .copied()
                .collect();
            node(idx, cx, cy, k - 1, sub, bbox, out);
        }
    }
    let mut out = Vec::new();
    node(idx, 0, 0, ROOT_LEVEL, edges, bbox, &mut out);
    out
}

/// Step 4b: the outline of the core's union, as unit segments of 2^8 cells (shared sides of
/// neighbouring squares cancel).
fn core_outline(core: &[Item]) -> Vec<Seg> {
    let unit = 1i64 << CORE_FLOOR_LEVEL;
    let mut count: HashMap<(Cell, Cell), i32> = HashMap::new();
    for it in core {
        let super::ItemKind::Square { x, y, level } = it.kind() else {
            continue;
        };
        let side = 1i64 << level;
        let corners = [(x, y), (x + side, y), (x + side, y + side), (x, y + side)];
        for s in 0..4 {
            let (a, b) = (corners[s], corners[(s + 1) % 4]);
            let (dx, dy) = ((b.0 - a.0).signum() * unit, (b.1 - a.1).signum() * unit);
            let mut p = a;
            while p != b {
                let q = (p.0 + dx, p.1 + dy);
                // A directed unit side; its reverse from a neighbour cancels it.
                match count.get_mut(&(q, p)) {
                    Some(c) => {
                        *c -= 1;
                        if *c == 0 {
                            count.remove(&(q, p));
                        }
                    }
                    None => *count.entry((p, q)).or_insert(0) += 1,
                }
                p = q;
            }
        }
    }
    let mut segs: Vec<Seg> = count.into_keys().map(|(a, b)| Seg { a, b }).collect();
    segs.sort_by_key(|s| (s.a, s.b));
    segs
}

/// Is the cell point `(px/3, py/3)` (thirds) in a core square? Core squares are aligned, so
/// one lookup per level.
fn in_core(core: &HashSet<(u32, i64, i64)>, px3: i64, py3: i64) -> bool {
    let (px, py) = (px3.div_euclid(3), py3.div_euclid(3));
    (CORE_FLOOR_LEVEL..=MAX_SQUARE_LEVEL).any(|k| core.contains(&(k, px >> k, py >> k)))
}

/// Step 4c: the band triangles.
fn band_triangles(
    pi: usize,
    rings: &[Vec<Cell>],
    idx: &PolyIndex,
    core: &[Item],
) -> Result<Vec<Item>, RegionError> {
    use spade::{ConstrainedDelaunayTriangulation, Point2, Triangulation};
    let core_set: HashSet<(u32, i64, i64)> = core
        .iter()
        .filter_map(|it| match it.kind() {
            super::ItemKind::Square { x, y, level } => Some((level, x >> level, y >> level)),
            _ => None,
        })
        .collect();
    let mut constraints: Vec<Seg> = rings
        .iter()
        .flat_map(|r| {
            (0..r.len()).map(move |i| Seg {
                a: r[i],
                b: r[(i + 1) % r.len()],
            })
        })
        .collect();
    constraints.extend(core_outline(core));
    let mut cdt: ConstrainedDelaunayTriangulation<Point2<f64>> =
        ConstrainedDelaunayTriangulation::new();
    let fail = |what: &str| RegionError::Unrepairable {
        polygon: pi,
        reason: format!("triangulation failed ({what})"),
    };
    let pt = |c: Cell| Point2::new(c.0 as f64, c.1 as f64);
    let mut handles: HashMap<Cell, spade::handles::FixedVertexHandle> = HashMap::new();
    let mut vertices: Vec<Cell> = constraints.iter().flat_map(|s| [s.a, s.b]).collect();
    vertices.sort_unstable();
    vertices.dedup();
    for v in &vertices {
        let h = cdt.insert(pt(*v)).map_err(|_| fail("vertex"))?;
        handles.insert(*v, h);
    }
    for s in &constraints {
        let (a, b) = (handles[&s.a], handles[&s.b]);
        if !cdt.can_add_constraint(a, b) {
            return Err(fail("crossing constraint"));
        }
        cdt.add_constraint(a, b);
    }
    let limit = 1i128 << AREA_BITS;
    let classify = |t: [Cell; 3]| -> bool {
        let (sx, sy) = (t[0].0 + t[1].0 + t[2].0, t[0].1 + t[1].1 + t[2].1);
        idx.side_scaled(sx, sy, 3) == Side::Inside && !in_core(&core_set, sx, sy)
    };
    let cell_of = |p: Point2<f64>| (p.x as i64, p.y as i64);
    loop {
        let mut big: Vec<[Cell; 3]> = Vec::new();
        for f in cdt.inner_faces() {
            let t = f.positions().map(cell_of);
            if double_area(&t).abs() >= limit && classify(t) {
                big.push(t);
            }
        }
        if big.is_empty() {
            break;
        }
        let mut inserted = 0usize;
        for t in big {
            // The rounded centroid, or else the rounded midpoint of the longest side.
            let (sx, sy) = (t[0].0 + t[1].0 + t[2].0, t[0].1 + t[1].1 + t[2].1);
            let mut candidates = vec![(
                super::geometry::div_round(sx, 3),
                super::geometry::div_round(sy, 3),
            )];
            let mut sides = [(t[0], t[1]), (t[1], t[2]), (t[2], t[0])];
            sides.sort_by_key(|(a, b)| -((b.0 - a.0).pow(2) + (b.1 - a.1).pow(2)));
            for (a, b) in sides {
                candidates.push((
                    super::geometry::div_round(a.0 + b.0, 2),
                    super::geometry::div_round(a.1 + b.1, 2),
                ));
            }
            for c in candidates {
                if handles.contains_key(&c) {
                    continue;
                }
                let h = cdt.insert(pt(c)).map_err(|_| fail("refinement"))?;
                handles.insert(c, h);
                inserted += 1;
                break;
            }
        }
        if inserted == 0 {
            return Err(fail("refinement stalled"));
        }
    }
    let mut out = Vec::new();
    for f in cdt.inner_faces() {
        let t = f.positions().map(cell_of);
        if double_area(&t) != 0 && classify(t) {
            out.push(Item::triangle(t));
        }
    }
    Ok(out)
}

/// Step 4d: planning squares of one polygon, one level at a time from 16 down (see the
/// module docs): a level's candidates are the lattice squares of the mixed squares (meeting
/// the boundary) of the level above.
pub(super) struct Planner {
    idx: PolyIndex,
    bbox: (Cell, Cell),
    mixed: Vec<(i64, i64)>,
    done: bool,
}

impl Planner {
    pub(super) fn level(&mut self, level: u32) -> Vec<Item> {
        if self.done {
            return Vec::new();
        }
        let side = 1i64 << level;
        let h = side / 2;
        let bbox = self.bbox;
        let candidates: Vec<(i64, i64)> = if level == MAX_SQUARE_LEVEL {
            let (x0, y0) = (bbox.0 .0.div_euclid(h) - 1, bbox.0 .1.div_euclid(h) - 1);
            let (x1, y1) = (bbox.1 .0.div_euclid(h), bbox.1 .1.div_euclid(h));
            (x0..=x1)
                .flat_map(|i| (y0..=y1).map(move |j| (i * h, j * h)))
                .filter(|&(x, y)| x >= 0 && y >= 0)
                .collect()
        } else {
            // The level-k lattice squares inside each mixed parent (side 4h): offsets 0, h, 2h.
            let mut c: Vec<(i64, i64)> = self
                .mixed
                .iter()
                .flat_map(|&(px, py)| {
                    (0..3).flat_map(move |i| (0..3).map(move |j| (px + i * h, py + j * h)))
                })
                .collect();
            c.sort_unstable();
            c.dedup();
            c
        };
        let idx = &self.idx;
        let tested: Vec<(i64, i64, bool, bool)> = candidates
            .par_iter()
            .map(|&(x, y)| {
                let inside = idx.contains_box(x, y, x + side - 1, y + side - 1);
                let touches = !inside
                    && idx
                        .edges_meeting(x, y, x + side - 1, y + side - 1)
                        .next()
                        .is_some();
                (x, y, inside, touches)
            })
            .collect();
        self.mixed = tested
            .iter()
            .filter(|t| t.3)
            .map(|&(x, y, ..)| (x, y))
            .collect();
        self.done = self.mixed.is_empty();
        tested
            .iter()
            .filter(|t| t.2)
            .map(|&(x, y, ..)| Item::square(x, y, level))
            .collect()
    }
}

/// The seam strip (see [`SEAM_STRIP_E7`]): empty unless the region reaches both +180° and −180°.
pub(super) fn seam_strip(polys: &[Polygon<f64>]) -> Vec<Polygon<f64>> {
    let w = f64::from(SEAM_STRIP_E7) / 1e7;
    let region = MultiPolygon(polys.to_vec());
    let bx = |x0: f64, x1: f64| {
        MultiPolygon(vec![Polygon::new(
            LineString::from(vec![
                (x0, -90.0),
                (x1, -90.0),
                (x1, 90.0),
                (x0, 90.0),
                (x0, -90.0),
            ]),
            vec![],
        )])
    };
    let east = region.intersection(&bx(180.0 - w, 180.0));
    let west = region.intersection(&bx(-180.0, -180.0 + w));
    if east.0.is_empty() || west.0.is_empty() {
        return Vec::new();
    }
    let shifted = MultiPolygon(
        west.0
            .iter()
            .map(|p| {
                let mv = |r: &LineString<f64>| {
                    LineString::new(
                        r.0.iter()
                            .map(|c| Coord {
                                x: c.x + 360.0,
                                y: c.y,
                            })
                            .collect(),
                    )
                };
                Polygon::new(mv(p.exterior()), p.interiors().iter().map(mv).collect())
            })
            .collect(),
    );
    east.union(&shifted).0
}

/// Steps 4a–c for one polygon, with its planner ready for step 4d.
pub(super) fn decompose(pi: usize, rings: &[Vec<Cell>]) -> Result<Pieces, RegionError> {
    let idx = PolyIndex::new(rings);
    let edges: Vec<Seg> = rings
        .iter()
        .flat_map(|r| {
            (0..r.len()).map(move |i| Seg {
                a: r[i],
                b: r[(i + 1) % r.len()],
            })
        })
        .collect();
    let (mut lo, mut hi) = ((i64::MAX, i64::MAX), (i64::MIN, i64::MIN));
    for &(x, y) in &rings[0] {
        lo = (lo.0.min(x), lo.1.min(y));
        hi = (hi.0.max(x), hi.1.max(y));
    }
    let t0 = std::time::Instant::now();
    let core = core_squares(&idx, edges, (lo, hi));
    let t1 = t0.elapsed();
    let band = band_triangles(pi, rings, &idx, &core)?;
    if std::env::var_os("ZKCONTRIB_REGION_TIMING").is_some() {
        eprintln!(
            "polygon {pi}: {} vertices, core {} in {:?}, band {} in {:?}",
            rings.iter().map(Vec::len).sum::<usize>(),
            core.len(),
            t1,
            band.len(),
            t0.elapsed() - t1
        );
    }
    let want = ring_double_area(&rings[0]).abs()
        - rings[1..]
            .iter()
            .map(|r| ring_double_area(r).abs())
            .sum::<i128>();
    let got: i128 =
        core.iter().map(|s| s.size()).sum::<i128>() + band.iter().map(Item::size).sum::<i128>();
    if got != want {
        return Err(RegionError::Decomposition {
            polygon: pi,
            got,
            want,
        });
    }
    Ok(Pieces {
        core,
        band,
        planner: Planner {
            idx,
            bbox: (lo, hi),
            mixed: Vec::new(),
            done: false,
        },
    })
}
