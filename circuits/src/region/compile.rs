//! From a boundary file's polygons to the region's items.
//!
//! 1. **Repair** (always on): every polygon that is not a valid simple feature (self-touching or
//!    self-intersecting rings, holes touching the exterior, …) is rebuilt by `geo`'s
//!    `MakeValid`; each repair is listed in the [`CompileReport`].
//! 2. **Exclusion**: an optional second geometry is subtracted (`geo` boolean operations).
//! 3. **Quantization**: vertices are rounded to 1e-7° and mapped to cells
//!    `(x >> 8, y >> 8)` (rounding down, the same rule as for points); repeated and collinear
//!    vertices are dropped; edges longer than 122 cells are split at rounded points (the
//!    boundary moves by less than a cell); a polygon that becomes invalid on the grid is
//!    repaired again there (an even–odd union, `i_overlay`: the defect is smaller than a cell);
//!    one that vanishes (smaller than a cell) is dropped and reported.
//! 4. **Decomposition**, per polygon and in parallel:
//!    * *core squares*: a quadtree of aligned squares of `2^8 … 2^16` cells whose closed box
//!      lies in the polygon;
//!    * *band triangles*: the rest of the polygon (a band along its boundary, at most one
//!      finest square wide) is triangulated by a constrained Delaunay triangulation (`spade`,
//!      exact predicates) of its rings and the core's outline, refined by inserting rounded
//!      centroids until every triangle's doubled area is below `2^16` cells²; the triangles and
//!      squares must add up *exactly* (integers) to the polygon's area;
//!    * *planning squares*: overlapping squares (side `2^k`, spacing `2^(k−1)`) that lie in the
//!      polygon, on the levels below 16 only where the coarser level does not fit. Any set of
//!      cells spanning at most half a square's side, away from the boundary, lies in one of
//!      them, so a chunk of a drive opens a single item. Their count is capped
//!      ([`CompileOptions::planning_budget`]): the finest level is chosen deterministically.
//!
//! The region is exactly the union of the core squares and band triangles; planning squares
//! lie inside it. Membership error against the input polygon: a point is judged by its cell
//! (less than one cell), vertices are rounded down to cells (less than one cell), split edges
//! move by at most half a cell: within 2.5 cells per axis, ≈ 7 m north–south and
//! 7·cos φ m east–west — the accuracy of a phone's GPS fix.

pub use super::decompose::CORE_FLOOR_LEVEL;
use super::decompose::{decompose, seam_strip, Pieces};
use super::geometry::{ring_double_area, Cell};
use super::quantize::{bad, quantize};
pub use super::quantize::{Repair, MAX_EDGE_CELLS, SEAM_STRIP_E7};
use super::{Item, Region, RegionError, MAX_ITEMS, MAX_SQUARE_LEVEL};
use crate::encode::{quantize_degrees, CELL_SHIFT, LAT_OFFSET, MAX_LAT_E7, MAX_LON_E7};
use geo::{Area, BooleanOps, Coord, GeodesicArea, LineString, MakeValid, MultiPolygon, Polygon};
use rayon::prelude::*;
use std::collections::HashSet;

/// Finest planning level considered.
pub const MIN_PLANNING_LEVEL: u32 = 9;

/// Knobs of [`compile`] (defaults are the statement's; tests use smaller budgets).
#[derive(Clone, Debug)]
pub struct CompileOptions {
    /// Most planning squares: finer levels are added only while the total stays within it.
    pub planning_budget: usize,
}

impl Default for CompileOptions {
    fn default() -> Self {
        Self {
            planning_budget: 250_000,
        }
    }
}

/// What [`compile`] did: repairs, exclusion, and the decomposition's counts.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CompileReport {
    /// Polygons read.
    pub input_polygons: usize,
    /// Vertices read.
    pub input_vertices: usize,
    /// Repairs made (empty for a valid input).
    pub repairs: Vec<Repair>,
    /// Area removed by the exclusion geometry, km² (0 without one).
    pub excluded_km2: f64,
    /// Polygons encoded.
    pub polygons: usize,
    /// Core squares.
    pub core_squares: usize,
    /// Band triangles.
    pub band_triangles: usize,
    /// Planning squares (beyond the core ones).
    pub planning_squares: usize,
    /// Finest planning level used (side `2^level` cells).
    pub planning_level: u32,
    /// Polygons of the seam strip (the region across ±180°, decomposed once more in unwrapped
    /// coordinates so that items span the antimeridian); 0 when the region does not touch it.
    pub seam_polygons: usize,
    /// Region area on the cell grid, km² (approximate: cells at their latitude).
    pub area_km2: f64,
}

/// Checks coordinates: finite, |lat| ≤ 90, |lon| ≤ 180.
fn check_coordinates(mp: &MultiPolygon<f64>) -> Result<usize, RegionError> {
    let mut vertices = 0;
    for (pi, poly) in mp.0.iter().enumerate() {
        let mut v = 0;
        for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
            for c in &ring.0 {
                if quantize_degrees(c.x, MAX_LON_E7).is_none()
                    || quantize_degrees(c.y, MAX_LAT_E7).is_none()
                {
                    return Err(bad(pi, v));
                }
                v += 1;
            }
        }
        vertices += v;
    }
    Ok(vertices)
}

/// Step 0: boundary files split polygons at the antimeridian, and some write the split
/// vertices with the wrong sign (Natural Earth's `world-atlas` gives a ring lying east of 179°
/// a closing vertex at −180°: a 360°-wide edge) or close a ring around a pole along a parallel
/// (Antarctica). A ring whose other vertices all lie on one side gets its ±180° vertices on
/// that side; a ring that spans every longitude and jumps from +180° to −180° is closed
/// through the pole instead.
fn normalize_antimeridian(mp: &MultiPolygon<f64>, report: &mut CompileReport) -> MultiPolygon<f64> {
    let fix_ring = |ring: &LineString<f64>| -> (LineString<f64>, Option<&'static str>) {
        let cs = &ring.0;
        let seam = |c: &Coord<f64>| c.x.abs() == 180.0;
        if !cs.iter().any(seam) {
            return (ring.clone(), None);
        }
        let n = cs.len();
        let jump = |a: &Coord<f64>, b: &Coord<f64>| (a.x - b.x).abs() > 180.0;
        // A seam vertex takes the side of its nearest non-seam neighbours when both lie on one
        // side (consecutive vertices of a ring never jump 360°).
        let side_of = |i: usize, step: isize| -> Option<f64> {
            (1..n).find_map(|k| {
                let j = (i as isize + step * k as isize).rem_euclid(n as isize) as usize;
                (!seam(&cs[j])).then(|| cs[j].x.signum())
            })
        };
        let mut out = cs.clone();
        let mut flipped = false;
        for i in 0..n {
            if !seam(&cs[i]) {
                continue;
            }
            if let (Some(a), Some(b)) = (side_of(i, -1), side_of(i, 1)) {
                if a == b && cs[i].x.signum() != a {
                    out[i].x = 180.0 * a;
                    flipped = true;
                }
            }
        }
        if flipped {
            return (
                LineString::new(out),
                Some("a vertex on the antimeridian had the wrong sign"),
            );
        }
        // A ring around a pole closed along a parallel: a jump from one side of the seam to the
        // other between two seam vertices.
        let span_all = cs.iter().any(|c| c.x == 180.0) && cs.iter().any(|c| c.x == -180.0);
        if !span_all
            || !cs
                .windows(2)
                .any(|w| jump(&w[0], &w[1]) && seam(&w[0]) && seam(&w[1]))
        {
            return (ring.clone(), None);
        }
        let mean_lat = cs.iter().map(|c| c.y).sum::<f64>() / cs.len() as f64;
        let pole = if mean_lat < 0.0 { -90.0 } else { 90.0 };
        let mut out = Vec::with_capacity(cs.len() + 2);
        for w in cs.windows(2) {
            out.push(w[0]);
            if jump(&w[0], &w[1]) && seam(&w[0]) && seam(&w[1]) {
                out.push(Coord { x: w[0].x, y: pole });
                out.push(Coord { x: w[1].x, y: pole });
            }
        }
        out.extend(cs.last());
        (
            LineString::new(out),
            Some("a ring around a pole was closed along a parallel"),
        )
    };
    let mut polys = Vec::with_capacity(mp.0.len());
    for (pi, poly) in mp.0.iter().enumerate() {
        let (ext, e) = fix_ring(poly.exterior());
        let mut what = e;
        let holes = poly
            .interiors()
            .iter()
            .map(|r| {
                let (h, w) = fix_ring(r);
                what = what.or(w);
                h
            })
            .collect();
        if let Some(problem) = what {
            report.repairs.push(Repair {
                polygon: pi,
                problem: problem.into(),
                action: if problem.contains("pole") {
                    "closed through the pole".into()
                } else {
                    "moved it to the ring's side".into()
                },
            });
        }
        polys.push(Polygon::new(ext, holes));
    }
    MultiPolygon(polys)
}

/// Step 1: repair every invalid polygon.
fn repair(
    mp: &MultiPolygon<f64>,
    report: &mut CompileReport,
) -> Result<Vec<Polygon<f64>>, RegionError> {
    let mut out = Vec::with_capacity(mp.0.len());
    for (pi, poly) in mp.0.iter().enumerate() {
        let found = super::validity::check(poly);
        match found.problem {
            None => {
                if found.self_touches > 0 {
                    report.repairs.push(Repair {
                        polygon: pi,
                        problem: format!(
                            "a ring touches itself at {} point(s)",
                            found.self_touches
                        ),
                        action: "kept as is (the even–odd rule and the triangulation handle it)"
                            .into(),
                    });
                }
                out.push(poly.clone())
            }
            Some(problem) => {
                let fixed = poly.make_valid().map_err(|err| RegionError::Unrepairable {
                    polygon: pi,
                    reason: format!("{problem} ({err})"),
                })?;
                let (before, after) = (poly.unsigned_area(), fixed.unsigned_area());
                // A ring that crosses itself can enclose almost no signed area: then a
                // percentage says nothing, the area it encloses now does.
                let area = if before > 1e-3 * after {
                    format!("area {:+.4} %", 100.0 * (after - before) / before)
                } else {
                    format!("area {:.3} km²", fixed.geodesic_area_unsigned() / 1e6)
                };
                report.repairs.push(Repair {
                    polygon: pi,
                    problem,
                    action: format!("rebuilt as {} valid polygon(s), {area}", fixed.0.len()),
                });
                out.extend(fixed.0);
            }
        }
    }
    Ok(out)
}

fn km2(deg2: f64, lat: f64) -> f64 {
    deg2 * 111.32 * 111.32 * lat.to_radians().cos().abs()
}

fn approx_km2(mp: &MultiPolygon<f64>) -> f64 {
    mp.0.iter()
        .map(|p| {
            let lat = p.exterior().0.first().map(|c| c.y).unwrap_or(0.0);
            km2(p.unsigned_area(), lat)
        })
        .sum()
}

/// Step 2: subtract the exclusion geometry.
fn exclude(
    polys: Vec<Polygon<f64>>,
    zone: &MultiPolygon<f64>,
    report: &mut CompileReport,
) -> Result<Vec<Polygon<f64>>, RegionError> {
    let mut zone_report = CompileReport::default();
    let zone = MultiPolygon(repair(zone, &mut zone_report)?);
    for r in zone_report.repairs {
        report.repairs.push(Repair {
            problem: format!("exclusion polygon {}: {}", r.polygon, r.problem),
            ..r
        });
    }
    let region = MultiPolygon(polys);
    let before = approx_km2(&region);
    let out = region.difference(&zone);
    report.excluded_km2 = (before - approx_km2(&out)).max(0.0);
    Ok(out.0)
}

/// Compiles a region: repair, exclusion, quantization, decomposition (see the module docs).
pub fn compile(
    region: &MultiPolygon<f64>,
    exclusion: Option<&MultiPolygon<f64>>,
    opts: &CompileOptions,
) -> Result<Region, RegionError> {
    if region.0.is_empty() {
        return Err(RegionError::Empty);
    }
    let mut report = CompileReport {
        input_polygons: region.0.len(),
        input_vertices: check_coordinates(region)?,
        ..CompileReport::default()
    };
    if let Some(z) = exclusion {
        check_coordinates(z)?;
    }
    let region = normalize_antimeridian(region, &mut report);
    let mut polys = repair(&region, &mut report)?;
    if let Some(z) = exclusion {
        polys = exclude(polys, z, &mut report)?;
    }
    // Quantize (sequentially: the repair list keeps the input order).
    let mut grid: Vec<(usize, Vec<Vec<Cell>>)> = Vec::new();
    for (pi, p) in polys.iter().enumerate() {
        for rings in quantize(pi, p, &mut report.repairs)? {
            grid.push((pi, rings));
        }
    }
    // The seam strip: the region's parts within 0.5° east of −180° moved one turn east and
    // joined to its parts within 0.5° west of +180°.
    let strip = seam_strip(&polys);
    let mut strip_grid: Vec<(usize, Vec<Vec<Cell>>)> = Vec::new();
    for p in &strip {
        for rings in quantize(usize::MAX, p, &mut Vec::new())? {
            strip_grid.push((usize::MAX, rings));
        }
    }
    report.seam_polygons = strip_grid.len();
    if grid.is_empty() {
        return Err(RegionError::NoArea);
    }
    report.polygons = grid.len();
    let mut pieces: Vec<Pieces> = grid
        .par_iter()
        .chain(strip_grid.par_iter())
        .map(|(pi, rings)| decompose(*pi, rings))
        .collect::<Result<_, _>>()?;
    let mut items: Vec<Item> = Vec::new();
    for p in &pieces {
        items.extend(&p.core);
        items.extend(&p.band);
    }
    report.core_squares = pieces.iter().map(|p| p.core.len()).sum();
    report.band_triangles = pieces.iter().map(|p| p.band.len()).sum();
    // Planning squares, coarsest level first, while the budget allows.
    let core: HashSet<Item> = items.iter().copied().collect();
    let mut planning: Vec<Item> = Vec::new();
    report.planning_level = MAX_SQUARE_LEVEL;
    for level in (MIN_PLANNING_LEVEL..=MAX_SQUARE_LEVEL).rev() {
        let mut this: Vec<Item> = pieces
            .iter_mut()
            .flat_map(|p| p.planner.level(level))
            .filter(|it| !core.contains(it))
            .collect();
        this.sort_unstable();
        this.dedup();
        if planning.len() + this.len() > opts.planning_budget
            || items.len() + planning.len() + this.len() > MAX_ITEMS
        {
            break;
        }
        planning.extend(this);
        report.planning_level = level;
    }
    report.planning_squares = planning.len();
    items.extend(planning);
    report.area_km2 = grid
        .iter()
        .map(|(_, rings)| {
            let a = (ring_double_area(&rings[0]).abs()
                - rings[1..]
                    .iter()
                    .map(|r| ring_double_area(r).abs())
                    .sum::<i128>()) as f64
                / 2.0;
            let lat = ((rings[0][0].1 << CELL_SHIFT) - LAT_OFFSET) as f64 / 1e7;
            let cell_deg = f64::from(1u32 << CELL_SHIFT) / 1e7;
            km2(a * cell_deg * cell_deg, lat)
        })
        .sum();
    let rings = grid.into_iter().map(|(_, r)| r).collect();
    Ok(Region::from_items(items, report)?.with_rings(rings))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::Point;
    use crate::region::geometry::{PolyIndex, Side};
    use crate::region::quantize::vertex_cell;
    use geo::polygon;

    fn square_with_hole() -> MultiPolygon<f64> {
        MultiPolygon(vec![polygon!(
            exterior: [(x: 10.0, y: 45.0), (x: 10.1, y: 45.0), (x: 10.1, y: 45.1), (x: 10.0, y: 45.1)],
            interiors: [[(x: 10.04, y: 45.04), (x: 10.06, y: 45.04), (x: 10.05, y: 45.06)]],
        )])
    }

    fn cell(lat: f64, lon: f64) -> Cell {
        Point::from_degrees(lat, lon, 1).unwrap().cell()
    }

    #[test]
    fn membership_is_exact_and_items_are_well_formed() {
        let r = compile(&square_with_hole(), None, &CompileOptions::default()).unwrap();
        let rep = r.report();
        assert!(rep.core_squares > 0 && rep.band_triangles > 0, "{rep:?}");
        assert!(r.items().iter().all(Item::is_well_formed));
        assert!(r.contains(cell(45.002, 10.002)));
        assert!(r.contains(cell(45.03, 10.03)));
        assert!(!r.contains(cell(45.045, 10.05)), "inside the hole");
        assert!(!r.contains(cell(44.999, 10.05)));
        assert!(!r.contains(cell(45.05, 10.101)));
        // The boundary itself is inside (closed pieces).
        assert!(r.contains(cell(45.0, 10.05)));
        assert!(r.contains(cell(45.0, 10.0)));
        // Membership agrees with an exact point-in-polygon test on the grid, everywhere.
        let mp = square_with_hole();
        let poly = &mp.0[0];
        let rings: Vec<Vec<Cell>> = std::iter::once(poly.exterior())
            .chain(poly.interiors())
            .map(|r| r.0.iter().map(|c| vertex_cell(c).unwrap()).collect())
            .collect();
        let idx = PolyIndex::new(&rings);
        let (c0, c1) = (cell(44.998, 9.998), cell(45.102, 10.102));
        for cx in (c0.0..c1.0).step_by(7) {
            for cy in (c0.1..c1.1).step_by(7) {
                let want = idx.side((cx, cy)) != Side::Outside;
                assert_eq!(r.contains((cx, cy)), want, "({cx}, {cy})");
            }
        }
    }

    #[test]
    fn deterministic_and_independent_of_ring_start_and_orientation() {
        let a = square_with_hole();
        let mut b = a.clone();
        let ext: Vec<_> = b.0[0].exterior().0.iter().rev().copied().collect();
        b.0[0].exterior_mut(|e| *e = LineString::new(ext));
        let ra = compile(&a, None, &CompileOptions::default()).unwrap();
        let rb = compile(&b, None, &CompileOptions::default()).unwrap();
        assert_eq!(ra.items(), rb.items());
        assert_eq!(ra.tree().root(), rb.tree().root());
    }

    #[test]
    fn self_touching_rings_are_repaired_and_reported() {
        // A figure-eight: two squares touching at one vertex, as one ring.
        let eight = MultiPolygon(vec![polygon![
            (x: 0.0, y: 0.0), (x: 0.01, y: 0.0), (x: 0.01, y: 0.01), (x: 0.02, y: 0.01),
            (x: 0.02, y: 0.02), (x: 0.01, y: 0.02), (x: 0.01, y: 0.01), (x: 0.0, y: 0.01)
        ]]);
        let r = compile(&eight, None, &CompileOptions::default()).unwrap();
        assert_eq!(r.report().repairs.len(), 1, "{:?}", r.report());
        assert!(r.contains(cell(0.005, 0.005)) && r.contains(cell(0.015, 0.015)));
        assert!(!r.contains(cell(0.015, 0.005)));
        // A bow tie (self-intersecting) too.
        let bowtie = MultiPolygon(vec![polygon![
            (x: 0.0, y: 0.0), (x: 0.01, y: 0.01), (x: 0.01, y: 0.0), (x: 0.0, y: 0.01)
        ]]);
        let r = compile(&bowtie, None, &CompileOptions::default()).unwrap();
        assert!(!r.report().repairs.is_empty());
        assert!(r.contains(cell(0.005, 0.002)));
    }

    #[test]
    fn antimeridian_splits_are_normalized() {
        // The western half of an island split at ±180° whose closing vertex says −180°.
        let bad = MultiPolygon(vec![polygon![
            (x: -180.0, y: -16.8), (x: 179.95, y: -16.8), (x: 179.95, y: -16.7), (x: 180.0, y: -16.7)
        ]]);
        let r = compile(&bad, None, &CompileOptions::default()).unwrap();
        assert!(r
            .report()
            .repairs
            .iter()
            .any(|x| x.problem.contains("wrong sign")));
        assert!(r.contains(cell(-16.75, 179.97)));
        assert!(!r.contains(cell(-16.75, 0.0)), "no sliver around the world");
        assert!(r.report().area_km2 < 100.0, "{:?}", r.report());
        // A ring around the south pole closed along a parallel is closed through the pole
        // (checked on the geometry: compiling all of it is a benchmark, not a unit test).
        let ant = MultiPolygon(vec![polygon![
            (x: -180.0, y: -85.0), (x: -90.0, y: -84.5), (x: 0.0, y: -84.8), (x: 90.0, y: -84.9),
            (x: 180.0, y: -85.0), (x: -180.0, y: -85.0)
        ]]);
        let mut rep = CompileReport::default();
        let fixed = normalize_antimeridian(&ant, &mut rep);
        assert!(rep.repairs[0].action.contains("pole"));
        let ring = &fixed.0[0].exterior().0;
        assert!(
            ring.iter().filter(|c| c.y == -90.0).count() == 2,
            "{ring:?}"
        );
        use geo::Contains;
        assert!(fixed.contains(&geo::Point::new(45.0, -89.0)));
        assert!(!fixed.contains(&geo::Point::new(45.0, -84.0)));
    }

    #[test]
    fn items_span_the_antimeridian() {
        // An island split at ±180°, as boundary files write it.
        let split = MultiPolygon(vec![
            polygon![(x: 179.8, y: -17.0), (x: 180.0, y: -17.0), (x: 180.0, y: -16.6), (x: 179.8, y: -16.6)],
            polygon![(x: -180.0, y: -17.0), (x: -179.8, y: -17.0), (x: -179.8, y: -16.6), (x: -180.0, y: -16.6)],
        ]);
        let r = compile(&split, None, &CompileOptions::default()).unwrap();
        assert_eq!(r.report().seam_polygons, 1, "{:?}", r.report());
        // A stretch of 2 km either side of 180° lies in one item, in a seam window's frame.
        let w = cell(-16.8, 179.98);
        let e = cell(-16.8, -179.98);
        let e_unwrapped = (e.0 + crate::encode::CELLS_PER_TURN, e.1);
        assert!(r.covering(&[w, e_unwrapped]).is_some());
        assert!(r.contains(e) && r.contains(w));
        assert!(!r.contains(cell(-16.8, -179.7)));
    }

    #[test]
    fn exclusion_zones_are_holes() {
        let zone = MultiPolygon(vec![polygon![
            (x: 10.02, y: 45.02), (x: 10.03, y: 45.02), (x: 10.03, y: 45.03), (x: 10.02, y: 45.03)
        ]]);
        let r = compile(&square_with_hole(), Some(&zone), &CompileOptions::default()).unwrap();
        assert!(r.report().excluded_km2 > 0.5, "{:?}", r.report());
        assert!(!r.contains(cell(45.025, 10.025)));
        assert!(r.contains(cell(45.015, 10.025)));
    }

    #[test]
    fn tiny_polygons_vanish_with_a_report_and_empty_regions_are_refused() {
        let tiny = MultiPolygon(vec![polygon![
            (x: 0.0, y: 0.0), (x: 0.000_000_1, y: 0.0), (x: 0.000_000_1, y: 0.000_000_1)
        ]]);
        assert_eq!(
            compile(&tiny, None, &CompileOptions::default()).unwrap_err(),
            RegionError::NoArea
        );
        let bad = MultiPolygon(vec![
            polygon![(x: 0.0, y: 0.0), (x: 200.0, y: 0.0), (x: 0.0, y: 1.0)],
        ]);
        assert!(matches!(
            compile(&bad, None, &CompileOptions::default()),
            Err(RegionError::BadCoordinate { .. })
        ));
    }

    #[test]
    fn planning_squares_hold_chunks_away_from_the_boundary() {
        let big = MultiPolygon(vec![polygon![
            (x: 10.0, y: 45.0), (x: 11.0, y: 45.0), (x: 11.0, y: 46.0), (x: 10.0, y: 46.0)
        ]]);
        let r = compile(&big, None, &CompileOptions::default()).unwrap();
        assert!(r.report().planning_squares > 0, "{:?}", r.report());
        // Any 3 km × 3 km box at least 6 km from the boundary lies in one item.
        let mut seed = 7u64;
        for _ in 0..200 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let lat = 45.06 + (seed >> 40) as f64 / (1u64 << 24) as f64 * 0.85;
            let lon = 10.08 + ((seed >> 16) & 0xffffff) as f64 / (1u64 << 24) as f64 * 0.8;
            let cells = [cell(lat, lon), cell(lat + 0.027, lon + 0.038)];
            assert!(r.covering(&cells).is_some(), "{lat} {lon}");
        }
    }
}
