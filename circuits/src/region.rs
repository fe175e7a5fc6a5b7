//! Region encoding: quantization of a (multi)polygon into the policy's frame, a canonical
//! decomposition into triangles ("pieces"), and the exact integer membership test.
//!
//! Membership is evaluated on *cells*: a point with frame-relative coordinates `(x, y)` lies in
//! cell `(x >> s, y >> s)`, `s = region_shift`, and the region's vertices are mapped to cells by the same
//! rule (rounding down). The point is inside when its cell lies in some piece `(a, b, c)` (counter-clockwise):
//!
//! ```text
//! e_ab(p) = (b.x - a.x)·(p.y - a.y) - (b.y - a.y)·(p.x - a.x) >= 0, likewise e_bc, e_ca
//! ```
//!
//! Pieces are closed, so boundary cells count as inside. With `s = 6` a cell is 6.4e-6 degree
//! (≈ 0.7 m of latitude): the boundary is reproduced to well within GPS accuracy, while the
//! half-plane values stay small enough for cheap range checks in the circuit.

use crate::encode::{e7_to_degrees, quantize_degrees, Frame, RelPoint, MAX_LAT_E7, MAX_LON_E7};
use crate::merkle::MerkleTree;
use crate::poseidon::poseidon;
use ark_bn254::Fr;
use geo::{Coord, LineString, MultiPolygon, Polygon, TriangulateEarcut, Validation};

/// Default side of the frame box: `2^26` units ≈ 6.7 degrees.
pub const DEFAULT_GRID_BITS: u8 = 26;
/// Default membership cell: `2^6` units ≈ 0.7 m.
pub const DEFAULT_REGION_SHIFT: u8 = 6;
/// Largest supported frame box (`2^32` units covers the whole globe).
pub const MAX_GRID_BITS: u8 = 32;
/// Largest supported cell shift.
pub const MAX_REGION_SHIFT: u8 = 16;
/// Most pieces a region may decompose into (Merkle tree depth ≤ 20).
pub const MAX_PIECES: usize = 1 << 20;

/// A vertex on the cell grid.
pub type Cell = (i64, i64);

/// One piece of the region: a counter-clockwise triangle on the cell grid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Triangle(pub [Cell; 3]);

/// Half-plane value `e_ab(p)` of the directed edge `a → b` (twice the signed area of `a, b, p`).
pub fn edge_value(a: Cell, b: Cell, p: Cell) -> i128 {
    i128::from(b.0 - a.0) * i128::from(p.1 - a.1) - i128::from(b.1 - a.1) * i128::from(p.0 - a.0)
}

impl Triangle {
    /// Twice the area (positive for counter-clockwise).
    pub fn double_area(&self) -> i128 {
        let [a, b, c] = self.0;
        edge_value(a, b, c)
    }

    /// The three half-plane values `[e_ab, e_bc, e_ca]` of a cell.
    pub fn edge_values(&self, p: Cell) -> [i128; 3] {
        let [a, b, c] = self.0;
        [
            edge_value(a, b, p),
            edge_value(b, c, p),
            edge_value(c, a, p),
        ]
    }

    /// Closed membership: every half-plane value is non-negative.
    pub fn contains(&self, p: Cell) -> bool {
        self.edge_values(p).iter().all(|e| *e >= 0)
    }

    /// The six cell coordinates packed into one field element:
    /// `ax + ay·2^32 + bx·2^64 + by·2^96 + cx·2^128 + cy·2^160` (each `< 2^32`).
    pub fn packed(&self) -> Fr {
        let mut acc = Fr::from(0u64);
        let shift = Fr::from(1u64 << 32);
        for (x, y) in self.0.iter().rev() {
            acc = acc * shift + Fr::from(*y as u64);
            acc = acc * shift + Fr::from(*x as u64);
        }
        acc
    }

    /// Merkle leaf of the piece: `Poseidon(packed)`.
    pub fn leaf(&self) -> Fr {
        poseidon(&[self.packed()])
    }

    fn canonical(mut self) -> Self {
        if self.double_area() < 0 {
            self.0.swap(1, 2);
        }
        let k = (0..3).min_by_key(|&i| self.0[i]).unwrap_or(0);
        self.0.rotate_left(k);
        self
    }

    fn bbox(&self) -> (Cell, Cell) {
        let xs = self.0.map(|c| c.0);
        let ys = self.0.map(|c| c.1);
        (
            (
                *xs.iter().min().unwrap_or(&0),
                *ys.iter().min().unwrap_or(&0),
            ),
            (
                *xs.iter().max().unwrap_or(&0),
                *ys.iter().max().unwrap_or(&0),
            ),
        )
    }
}

/// Why a region cannot be encoded.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum RegionError {
    /// No polygon at all.
    #[error("the region has no polygon")]
    Empty,
    /// A coordinate is not a valid longitude/latitude.
    #[error("polygon {polygon}: vertex {vertex} is not a valid longitude/latitude pair")]
    BadCoordinate {
        /// Polygon index in the multipolygon.
        polygon: usize,
        /// Vertex index in its ring (exterior first, then holes).
        vertex: usize,
    },
    /// The input geometry is not a valid simple-feature polygon.
    #[error("polygon {polygon}: {reason}; fix the region file (e.g. with `ogr2ogr -makevalid`)")]
    Invalid {
        /// Polygon index, or 0 for the multipolygon as a whole.
        polygon: usize,
        /// What is wrong, from `geo`'s validation.
        reason: String,
    },
    /// The polygon collapses when rounded to the cell grid.
    #[error("polygon {polygon} has zero area on the {cell_m:.1} m membership grid; lower `region_shift` or drop it")]
    ZeroArea {
        /// Polygon index.
        polygon: usize,
        /// Approximate cell size in metres.
        cell_m: f64,
    },
    /// Rounding to the cell grid makes the polygon invalid.
    #[error("polygon {polygon} becomes invalid when rounded to the membership grid ({reason}); lower `region_shift`")]
    InvalidAfterRounding {
        /// Polygon index.
        polygon: usize,
        /// What is wrong.
        reason: String,
    },
    /// The region does not fit in the frame box.
    #[error("the region spans {span_deg:.3} degrees, too much for grid_bits = {grid_bits}; set grid_bits = {needed} (at most 32)")]
    TooLargeForGrid {
        /// Largest side of the region's bounding box, degrees.
        span_deg: f64,
        /// The configured grid bits.
        grid_bits: u8,
        /// Grid bits that would fit.
        needed: u8,
    },
    /// `grid_bits` / `region_shift` out of range.
    #[error("grid_bits must be in 16..=32 and region_shift in 0..=16 with region_shift + 8 <= grid_bits")]
    BadGridParameters,
    /// The triangulation did not reproduce the polygon exactly.
    #[error("polygon {polygon} could not be decomposed exactly (triangles cover {got} of {want} area units); simplify the polygon")]
    Decomposition {
        /// Polygon index.
        polygon: usize,
        /// Twice the area covered by the triangles.
        got: i128,
        /// Twice the area of the polygon.
        want: i128,
    },
    /// Too many pieces.
    #[error("the region decomposes into {0} pieces; at most {MAX_PIECES} are supported")]
    TooManyPieces(usize),
}

/// An encoded region: its frame and canonical pieces.
#[derive(Clone, Debug)]
pub struct Region {
    frame: Frame,
    pieces: Vec<Triangle>,
    /// Quantized rings on the cell grid (exterior CCW first, holes CW), per polygon.
    rings: Vec<Vec<Vec<Cell>>>,
    lat_band_e7: (i64, i64),
    bboxes: Vec<(Cell, Cell)>,
}

/// The cell of a frame-relative coordinate: `floor(v / 2^s)`, the same rule for vertices and
/// points, so a point exactly on a vertex or edge lands on it.
fn cell_of(v: i64, s: u8) -> i64 {
    v >> s
}

fn ring_double_area(ring: &[Cell]) -> i128 {
    let n = ring.len();
    (0..n)
        .map(|i| {
            let (a, b) = (ring[i], ring[(i + 1) % n]);
            i128::from(a.0) * i128::from(b.1) - i128::from(b.0) * i128::from(a.1)
        })
        .sum()
}

/// Drops repeated and collinear vertices (the closing vertex too), so every vertex is a corner.
fn simplify_ring(ring: &[Cell]) -> Vec<Cell> {
    let mut pts: Vec<Cell> = Vec::with_capacity(ring.len());
    for &p in ring {
        if pts.last() != Some(&p) {
            pts.push(p);
        }
    }
    while pts.len() > 1 && pts.first() == pts.last() {
        pts.pop();
    }
    loop {
        let n = pts.len();
        if n < 3 {
            return pts;
        }
        let keep: Vec<bool> = (0..n)
            .map(|i| edge_value(pts[(i + n - 1) % n], pts[i], pts[(i + 1) % n]) != 0)
            .collect();
        if keep.iter().all(|k| *k) {
            return pts;
        }
        // Remove one collinear vertex at a time so spikes collapse correctly.
        let i = keep.iter().position(|k| !*k).unwrap_or(0);
        pts.remove(i);
    }
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

/// Orients a ring (CCW when `ccw`) and rotates it to start at its smallest vertex.
fn canonical_ring(mut ring: Vec<Cell>, ccw: bool) -> Vec<Cell> {
    if (ring_double_area(&ring) > 0) != ccw {
        ring.reverse();
    }
    if let Some(k) = (0..ring.len()).min_by_key(|&i| ring[i]) {
        ring.rotate_left(k);
    }
    ring
}

impl Region {
    /// Encodes `mp` (x = longitude, y = latitude, degrees) in a frame of `2^grid_bits` units
    /// centred on the region, with membership cells of `2^region_shift` units.
    pub fn compile(
        mp: &MultiPolygon<f64>,
        grid_bits: u8,
        region_shift: u8,
    ) -> Result<Self, RegionError> {
        if !(16..=MAX_GRID_BITS).contains(&grid_bits)
            || region_shift > MAX_REGION_SHIFT
            || region_shift + 8 > grid_bits
        {
            return Err(RegionError::BadGridParameters);
        }
        if mp.0.is_empty() {
            return Err(RegionError::Empty);
        }
        // 1. Quantize to 1e-7 degree.
        let mut quantized: Vec<Vec<Vec<(i64, i64)>>> = Vec::with_capacity(mp.0.len());
        for (pi, poly) in mp.0.iter().enumerate() {
            let mut rings = Vec::new();
            let mut vertex = 0usize;
            for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
                let mut q = Vec::with_capacity(ring.0.len());
                for c in &ring.0 {
                    let lon = quantize_degrees(c.x, MAX_LON_E7);
                    let lat = quantize_degrees(c.y, MAX_LAT_E7);
                    match (lon, lat) {
                        (Some(lon), Some(lat)) => q.push((i64::from(lon), i64::from(lat))),
                        _ => {
                            return Err(RegionError::BadCoordinate {
                                polygon: pi,
                                vertex,
                            })
                        }
                    }
                    vertex += 1;
                }
                rings.push(q);
            }
            // 2. The input itself must be valid (no self-intersections, holes inside).
            if let Err(e) = poly.check_validation() {
                return Err(RegionError::Invalid {
                    polygon: pi,
                    reason: e.to_string(),
                });
            }
            quantized.push(rings);
        }
        if let Err(e) = mp.check_validation() {
            return Err(RegionError::Invalid {
                polygon: 0,
                reason: e.to_string(),
            });
        }
        // 3. Frame centred on the bounding box of the exteriors.
        let ext = quantized.iter().flat_map(|p| p[0].iter());
        let (mut min_x, mut min_y, mut max_x, mut max_y) = (i64::MAX, i64::MAX, i64::MIN, i64::MIN);
        for &(x, y) in ext {
            min_x = min_x.min(x);
            min_y = min_y.min(y);
            max_x = max_x.max(x);
            max_y = max_y.max(y);
        }
        let span = (max_x - min_x).max(max_y - min_y);
        let half = 1i64 << (grid_bits - 1);
        if span > half {
            let needed = (64 - (span as u64).leading_zeros() + 1) as u8;
            return Err(RegionError::TooLargeForGrid {
                span_deg: e7_to_degrees(span),
                grid_bits,
                needed,
            });
        }
        let frame = Frame {
            origin_lon_e7: (min_x + max_x).div_euclid(2) - half,
            origin_lat_e7: (min_y + max_y).div_euclid(2) - half,
            grid_bits,
            region_shift,
        };
        let cell_m = crate::projection::metres_per_unit_y(0.0) * (1u64 << region_shift) as f64;

        // 4. Cell grid, canonical rings, validity after rounding.
        let mut rings_all = Vec::with_capacity(quantized.len());
        let mut geo_polys = Vec::with_capacity(quantized.len());
        for (pi, rings) in quantized.iter().enumerate() {
            let mut out: Vec<Vec<Cell>> = Vec::new();
            for (ri, ring) in rings.iter().enumerate() {
                let cells: Vec<Cell> = ring
                    .iter()
                    .map(|&(x, y)| {
                        (
                            cell_of(x - frame.origin_lon_e7, region_shift),
                            cell_of(y - frame.origin_lat_e7, region_shift),
                        )
                    })
                    .collect();
                let simple = simplify_ring(&cells);
                if simple.len() < 3 || ring_double_area(&simple) == 0 {
                    if ri == 0 {
                        return Err(RegionError::ZeroArea {
                            polygon: pi,
                            cell_m,
                        });
                    }
                    // A hole that vanishes on the grid is dropped: its cells count as inside.
                    continue;
                }
                out.push(canonical_ring(simple, ri == 0));
            }
            // Holes in canonical order.
            out[1..].sort();
            let poly = Polygon::new(
                to_geo_ring(&out[0]),
                out[1..].iter().map(|r| to_geo_ring(r)).collect(),
            );
            if let Err(e) = poly.check_validation() {
                return Err(RegionError::InvalidAfterRounding {
                    polygon: pi,
                    reason: e.to_string(),
                });
            }
            geo_polys.push(poly);
            rings_all.push(out);
        }
        if let Err(e) = MultiPolygon(geo_polys.clone()).check_validation() {
            return Err(RegionError::InvalidAfterRounding {
                polygon: 0,
                reason: e.to_string(),
            });
        }

        // 5. Triangulate each polygon, check the decomposition is exact.
        let mut pieces = Vec::new();
        for (pi, (poly, rings)) in geo_polys.iter().zip(&rings_all).enumerate() {
            let raw = poly.earcut_triangles_raw();
            let v = |i: usize| -> Cell {
                let [x, y] = raw.vertices[i];
                (x as i64, y as i64)
            };
            let mut got: i128 = 0;
            for t in raw.triangle_indices.chunks_exact(3) {
                let tri = Triangle([v(t[0]), v(t[1]), v(t[2])]).canonical();
                let a = tri.double_area();
                if a > 0 {
                    got += a;
                    pieces.push(tri);
                }
            }
            let want: i128 = rings
                .iter()
                .map(|r| ring_double_area(r).abs())
                .next()
                .unwrap_or(0)
                - rings[1..]
                    .iter()
                    .map(|r| ring_double_area(r).abs())
                    .sum::<i128>();
            if got != want {
                return Err(RegionError::Decomposition {
                    polygon: pi,
                    got,
                    want,
                });
            }
        }
        if pieces.len() > MAX_PIECES {
            return Err(RegionError::TooManyPieces(pieces.len()));
        }
        pieces.sort();
        let bboxes = pieces.iter().map(Triangle::bbox).collect();
        Ok(Self {
            frame,
            pieces,
            rings: rings_all,
            lat_band_e7: (min_y, max_y),
            bboxes,
        })
    }

    /// The frame the region was encoded in.
    pub fn frame(&self) -> &Frame {
        &self.frame
    }

    /// The canonical pieces.
    pub fn pieces(&self) -> &[Triangle] {
        &self.pieces
    }

    /// Rounded rings per polygon, on the cell grid (exterior first).
    pub fn rings(&self) -> &[Vec<Vec<Cell>>] {
        &self.rings
    }

    /// Smallest and largest latitude of the region, 1e-7 degree.
    pub fn lat_band_e7(&self) -> (i64, i64) {
        self.lat_band_e7
    }

    /// Bits needed for the largest half-plane value of an inside point: `bits(max 2·area)`.
    pub fn piece_area_bits(&self) -> u32 {
        let m = self
            .pieces
            .iter()
            .map(|t| t.double_area() as u128)
            .max()
            .unwrap_or(0);
        128 - m.leading_zeros()
    }

    /// The index of the first piece containing the point's cell, if any.
    pub fn locate(&self, r: RelPoint) -> Option<usize> {
        let p = self.frame.cell(r);
        self.pieces
            .iter()
            .zip(&self.bboxes)
            .position(|(t, (lo, hi))| {
                p.0 >= lo.0 && p.0 <= hi.0 && p.1 >= lo.1 && p.1 <= hi.1 && t.contains(p)
            })
    }

    /// Every piece containing the point's cell (a cell on a shared edge lies in several).
    pub fn containing(&self, r: RelPoint) -> Vec<usize> {
        let p = self.frame.cell(r);
        self.pieces
            .iter()
            .zip(&self.bboxes)
            .enumerate()
            .filter(|(_, (t, (lo, hi)))| {
                p.0 >= lo.0 && p.0 <= hi.0 && p.1 >= lo.1 && p.1 <= hi.1 && t.contains(p)
            })
            .map(|(i, _)| i)
            .collect()
    }

    /// Merkle tree over the pieces' leaves.
    pub fn merkle_tree(&self) -> MerkleTree {
        MerkleTree::new(self.pieces.iter().map(Triangle::leaf).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{polygon, MultiPolygon};

    fn square_with_hole() -> MultiPolygon<f64> {
        MultiPolygon(vec![polygon!(
            exterior: [(x: 10.0, y: 45.0), (x: 10.01, y: 45.0), (x: 10.01, y: 45.01), (x: 10.0, y: 45.01)],
            interiors: [[(x: 10.004, y: 45.004), (x: 10.006, y: 45.004), (x: 10.006, y: 45.006), (x: 10.004, y: 45.006)]],
        )])
    }

    #[test]
    fn square_with_hole_decomposes_exactly_and_membership_is_exact() {
        let r = Region::compile(&square_with_hole(), 26, 6).unwrap();
        assert!(r.pieces().len() >= 8);
        let f = *r.frame();
        let rel = |lat: f64, lon: f64| {
            let p = crate::encode::Point::from_degrees(lat, lon, 0).unwrap();
            f.relative(&p).unwrap()
        };
        assert!(r.locate(rel(45.002, 10.002)).is_some());
        assert!(r.locate(rel(45.005, 10.005)).is_none(), "inside the hole");
        assert!(r.locate(rel(44.999, 10.005)).is_none());
        assert!(r.locate(rel(45.005, 10.011)).is_none());
        // Exactly on the exterior boundary counts as inside (closed pieces).
        assert!(r.locate(rel(45.0, 10.005)).is_some());
        assert!(r.locate(rel(45.0, 10.0)).is_some());
    }

    #[test]
    fn canonical_regardless_of_ring_start_and_orientation() {
        let a = square_with_hole();
        let mut b = a.clone();
        let ext: Vec<_> = b.0[0].exterior().0.iter().rev().copied().collect();
        b.0[0].exterior_mut(|e| *e = LineString::new(ext));
        let ra = Region::compile(&a, 26, 6).unwrap();
        let rb = Region::compile(&b, 26, 6).unwrap();
        assert_eq!(ra.pieces(), rb.pieces());
        assert_eq!(ra.merkle_tree().root(), rb.merkle_tree().root());
    }

    #[test]
    fn rejects_self_intersection_and_zero_area() {
        let bowtie = MultiPolygon(vec![polygon![
            (x: 0.0, y: 0.0), (x: 1.0, y: 1.0), (x: 1.0, y: 0.0), (x: 0.0, y: 1.0)
        ]]);
        assert!(matches!(
            Region::compile(&bowtie, 26, 6),
            Err(RegionError::Invalid { .. })
        ));
        let tiny = MultiPolygon(vec![polygon![
            (x: 0.0, y: 0.0), (x: 0.00000001, y: 0.0), (x: 0.00000001, y: 0.00000001)
        ]]);
        assert!(matches!(
            Region::compile(&tiny, 26, 6),
            Err(RegionError::ZeroArea { .. })
        ));
        let flat = MultiPolygon(vec![polygon![
            (x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 2.0, y: 0.0)
        ]]);
        assert!(Region::compile(&flat, 26, 6).is_err());
    }

    #[test]
    fn rejects_region_too_large_for_grid() {
        let big = MultiPolygon(vec![polygon![
            (x: 0.0, y: 0.0), (x: 5.0, y: 0.0), (x: 5.0, y: 5.0), (x: 0.0, y: 5.0)
        ]]);
        match Region::compile(&big, 26, 6) {
            Err(RegionError::TooLargeForGrid { needed, .. }) => assert_eq!(needed, 27),
            other => panic!("{other:?}"),
        }
        assert!(Region::compile(&big, 27, 6).is_ok());
        assert_eq!(
            Region::compile(&big, 8, 6).unwrap_err(),
            RegionError::BadGridParameters
        );
    }

    #[test]
    fn edge_values_sum_to_double_area() {
        let t = Triangle([(0, 0), (10, 0), (0, 7)]);
        assert_eq!(t.double_area(), 70);
        for p in [(1, 1), (-5, 3), (100, 100), (0, 0)] {
            assert_eq!(t.edge_values(p).iter().sum::<i128>(), 70);
        }
        assert!(t.contains((0, 0)) && t.contains((10, 0)) && t.contains((5, 0)));
        assert!(!t.contains((-1, 0)) && !t.contains((6, 4)));
    }
}
