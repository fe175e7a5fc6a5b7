//! Step 3 of [`compile`](super::compile::compile): polygons onto the grid. Vertices rounded to
//! 1e-7° and mapped to cells, repeated and collinear vertices dropped, long edges split, a
//! polygon made invalid by rounding repaired on the grid, one smaller than a cell dropped.

use super::geometry::{canonical_ring, densify_ring, ring_double_area, simplify_ring, Cell};
use super::RegionError;
use crate::encode::{quantize_degrees, CELL_SHIFT, LAT_OFFSET, LON_OFFSET, MAX_LAT_E7, MAX_LON_E7};
use geo::{BooleanOps, Coord, LineString, MultiPolygon, Polygon};

/// Ring edges longer than this many cells are split before triangulation.
pub const MAX_EDGE_CELLS: i64 = 122;
/// Width of the seam strip, 1e-7 degree: the region within 0.5° of ±180° is also decomposed
/// as one continuous piece in unwrapped coordinates (180° … 180.5°), so items span the
/// antimeridian (a seam window reaches 0.42° either side).
pub const SEAM_STRIP_E7: i32 = 5_000_000;

/// One repair of the input geometry.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Repair {
    /// Index of the input polygon (in the order of the file's features and parts).
    pub polygon: usize,
    /// What was wrong.
    pub problem: String,
    /// What was done.
    pub action: String,
}

pub(super) fn bad(polygon: usize, vertex: usize) -> RegionError {
    RegionError::BadCoordinate { polygon, vertex }
}

/// The cell of a vertex, rounding down (no wrap: a vertex at 180° E is cell 14,062,500).
pub(super) fn vertex_cell(c: &Coord<f64>) -> Option<Cell> {
    // Longitudes up to 180° + SEAM_STRIP_DEG occur in the seam strip (unwrapped).
    let lon = i64::from(quantize_degrees(c.x, MAX_LON_E7 + SEAM_STRIP_E7)?);
    if lon < -i64::from(MAX_LON_E7) {
        return None;
    }
    let lat = i64::from(quantize_degrees(c.y, MAX_LAT_E7)?);
    Some((
        (lon + LON_OFFSET) >> CELL_SHIFT,
        (lat + LAT_OFFSET) >> CELL_SHIFT,
    ))
}

fn to_geo_ring(ring: &[Cell]) -> LineString<f64> {
    let mut cs: Vec<Coord<f64>> = ring
        .iter()
        .map(|&(x, y)| Coord {
            x: x as f64,
            y: y as f64,
        })
        .collect();
    if let Some(first) = cs.first().copied() {
        cs.push(first);
    }
    LineString::new(cs)
}

fn to_geo(rings: &[Vec<Cell>]) -> Polygon<f64> {
    Polygon::new(
        to_geo_ring(&rings[0]),
        rings[1..].iter().map(|r| to_geo_ring(r)).collect(),
    )
}

/// Rounds, simplifies, orients and densifies the rings of a polygon already on the cell grid
/// (coordinates are cells as floats, possibly non-integer after a repair). `None` when the
/// exterior vanishes.
fn grid_rings(poly: &Polygon<f64>) -> Option<Vec<Vec<Cell>>> {
    let mut out: Vec<Vec<Cell>> = Vec::new();
    for (ri, ring) in std::iter::once(poly.exterior())
        .chain(poly.interiors())
        .enumerate()
    {
        let cells: Vec<Cell> = ring
            .0
            .iter()
            .map(|c| (c.x.round() as i64, c.y.round() as i64))
            .collect();
        let simple = simplify_ring(&cells);
        if simple.len() < 3 || ring_double_area(&simple) == 0 {
            if ri == 0 {
                return None;
            }
            continue;
        }
        let ring = canonical_ring(simple, ri == 0);
        out.push(canonical_ring(densify_ring(&ring, MAX_EDGE_CELLS), ri == 0));
    }
    out[1..].sort();
    Some(out)
}

/// Step 3: a polygon (degrees) on the cell grid, repaired there if rounding broke it.
pub(super) fn quantize(
    pi: usize,
    poly: &Polygon<f64>,
    repairs: &mut Vec<Repair>,
) -> Result<Vec<Vec<Vec<Cell>>>, RegionError> {
    let mut vertex = 0usize;
    let mut map_ring = |ring: &LineString<f64>| -> Result<LineString<f64>, RegionError> {
        let mut cs = Vec::with_capacity(ring.0.len());
        for c in &ring.0 {
            let (x, y) = vertex_cell(c).ok_or(bad(pi, vertex))?;
            vertex += 1;
            cs.push(Coord {
                x: x as f64,
                y: y as f64,
            });
        }
        Ok(LineString::new(cs))
    };
    let on_grid = Polygon::new(
        map_ring(poly.exterior())?,
        poly.interiors()
            .iter()
            .map(&mut map_ring)
            .collect::<Result<_, _>>()?,
    );
    let mut pending = vec![on_grid];
    let mut done = Vec::new();
    for round in 0..4 {
        let mut next = Vec::new();
        for p in pending {
            let Some(rings) = grid_rings(&p) else {
                if round == 0 {
                    repairs.push(Repair {
                        polygon: pi,
                        problem: "smaller than a membership cell (2.8 m)".into(),
                        action: "dropped".into(),
                    });
                }
                continue;
            };
            let g = to_geo(&rings);
            match super::validity::problem(&g) {
                None => done.push(rings),
                Some(e) if round < 3 => {
                    // Rounding moved a vertex onto or across a nearby edge (a defect smaller
                    // than a cell). The even–odd union of the polygon with nothing rebuilds it
                    // valid in O(n log n) (i_overlay); `make_valid`'s pinch-point split is
                    // quadratic on a continent's 600,000-vertex ring.
                    let fixed = MultiPolygon::new(vec![g]).union(&MultiPolygon::new(vec![]));
                    repairs.push(Repair {
                        polygon: pi,
                        problem: format!("invalid after rounding to the 2.8 m grid: {e}"),
                        action: format!("rebuilt on the grid as {} polygon(s)", fixed.0.len()),
                    });
                    next.extend(fixed.0);
                }
                Some(e) => {
                    return Err(RegionError::Unrepairable {
                        polygon: pi,
                        reason: format!("invalid on the 2.8 m grid: {e}"),
                    })
                }
            }
        }
        if next.is_empty() {
            break;
        }
        pending = next;
    }
    Ok(done)
}
