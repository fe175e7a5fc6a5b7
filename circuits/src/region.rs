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
use geo::{Coord, LineString, MultiPolygon, Polygon, Validation};
use spade::{ConstrainedDelaunayTriangulation, Point2, Triangulation};

/// Default side of the frame box: `2^25` units ≈ 3.4 degrees (regions up to 1.7 degrees).
pub const DEFAULT_GRID_BITS: u8 = 25;
/// Default membership cell: `2^8` units = 2.56e-5 degree ≈ 2.8 m of latitude.
pub const DEFAULT_REGION_SHIFT: u8 = 8;
/// Default piece size: doubled triangle areas below `2^21` cells² (≈ 7 km² with `s = 8`).
pub const DEFAULT_PIECE_BITS: u32 = 21;
/// Smallest supported `piece_bits`.
pub const MIN_PIECE_BITS: u32 = 12;
/// Largest supported `piece_bits`.
pub const MAX_PIECE_BITS: u32 = 40;
/// Largest supported frame box (`2^32` units covers the whole globe).
pub const MAX_GRID_BITS: u8 = 32;
/// Largest supported cell shift.
pub const MAX_REGION_SHIFT: u8 = 16;
/// Most pieces a region may decompose into (4-ary Merkle tree depth ≤ 10).
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

    /// The six cell coordinates `[ax, ay, bx, by, cx, cy]` as field elements.
    pub fn coords(&self) -> [Fr; 6] {
        let [a, b, c] = self.0;
        [a.0, a.1, b.0, b.1, c.0, c.1].map(|v| Fr::from(v as u64))
    }

    /// Merkle leaf of the piece: `Poseidon(ax, ay, bx, by, cx, cy)`.
    pub fn leaf(&self) -> Fr {
        poseidon(&self.coords())
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
    /// `piece_bits` out of range.
    #[error("piece_bits must be in {MIN_PIECE_BITS}..={MAX_PIECE_BITS} (got {0})")]
    BadPieceBits(u32),
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

/// Side of the triangular Steiner lattice for pieces of doubled area below `2^piece_bits`:
/// `0.96 · 2^(piece_bits/2)` cells, so an equilateral lattice triangle has a doubled area of
/// `(√3/2)·side² ≈ 0.8 · 2^piece_bits`: large, fat pieces (a trace crosses few of them) that the
/// jitter keeps below the bound; the rare triangle that is not is split further
/// (see [`decompose`]).
fn lattice_spacing(piece_bits: u32) -> i64 {
    let s = (0.96 * libm::exp2(f64::from(piece_bits) / 2.0)).floor() as i64;
    s.max(8)
}

/// Splits every edge longer than `max_len` cells into equal parts whose end points are rounded
/// to the nearest cell (half away from zero). The rounded points lie within half a cell of the
/// edge in each axis, so the boundary moves by less than one cell.
fn densify_ring(ring: &[Cell], max_len: i64) -> Vec<Cell> {
    let n = ring.len();
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let (a, b) = (ring[i], ring[(i + 1) % n]);
        out.push(a);
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let len2 = i128::from(dx) * i128::from(dx) + i128::from(dy) * i128::from(dy);
        let max2 = i128::from(max_len) * i128::from(max_len);
        if len2 <= max2 {
            continue;
        }
        // k = ceil(len / max_len), computed exactly.
        let mut k: i64 = 1;
        while i128::from(k) * i128::from(k) * max2 < len2 {
            k += 1;
        }
        for j in 1..k {
            let q = (a.0 + div_round(dx * j, k), a.1 + div_round(dy * j, k));
            if out.last() != Some(&q) && q != b {
                out.push(q);
            }
        }
    }
    out.dedup();
    while out.len() > 1 && out.first() == out.last() {
        out.pop();
    }
    out
}

/// `round(n / d)` for `d > 0`, halves away from zero.
fn div_round(n: i64, d: i64) -> i64 {
    let q = (2 * n.abs() + d) / (2 * d);
    if n < 0 {
        -q
    } else {
        q
    }
}

/// Deterministic jitter in `[-span, span]` for lattice node `(i, j)` (splitmix64 of the
/// coordinates). It puts the lattice in general position, so no four Steiner points are
/// cocircular and the constrained Delaunay triangulation, hence the pieces, are unique.
fn jitter(i: i64, j: i64, axis: u64, span: i64) -> i64 {
    let mut z = (i as u64)
        .wrapping_mul(0x9e37_79b9_7f4a_7c15)
        .wrapping_add((j as u64).wrapping_mul(0xc2b2_ae3d_27d4_eb4f))
        .wrapping_add(axis.wrapping_mul(0x1656_67b1_9e37_79f9));
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    (z % (2 * span as u64 + 1)) as i64 - span
}

/// Winding test of `p` against a closed ring, exactly: `Some(true)` strictly inside,
/// `Some(false)` strictly outside, `None` on the ring.
fn ring_contains(ring: &[Cell], p: Cell) -> Option<bool> {
    let n = ring.len();
    let mut inside = false;
    for i in 0..n {
        let (a, b) = (ring[i], ring[(i + 1) % n]);
        if edge_value(a, b, p) == 0
            && p.0 >= a.0.min(b.0)
            && p.0 <= a.0.max(b.0)
            && p.1 >= a.1.min(b.1)
            && p.1 <= a.1.max(b.1)
        {
            return None;
        }
        if (a.1 > p.1) != (b.1 > p.1) {
            // x of the crossing > p.x, compared exactly: (b.x-a.x)(p.y-a.y)/(b.y-a.y) > p.x-a.x
            let lhs = i128::from(b.0 - a.0) * i128::from(p.1 - a.1);
            let rhs = i128::from(p.0 - a.0) * i128::from(b.1 - a.1);
            if (b.1 > a.1 && lhs > rhs) || (b.1 < a.1 && lhs < rhs) {
                inside = !inside;
            }
        }
    }
    Some(inside)
}

/// Which polygon (if any) strictly contains `p`; `Err(())` when `p` lies on a ring.
fn polygon_of(polys: &[Vec<Vec<Cell>>], p: Cell) -> Result<Option<usize>, ()> {
    for (pi, rings) in polys.iter().enumerate() {
        match ring_contains(&rings[0], p) {
            None => return Err(()),
            Some(false) => continue,
            Some(true) => {}
        }
        let mut in_hole = false;
        for hole in &rings[1..] {
            match ring_contains(hole, p) {
                None => return Err(()),
                Some(true) => in_hole = true,
                Some(false) => {}
            }
        }
        return Ok((!in_hole).then_some(pi));
    }
    Ok(None)
}

/// Squared distance from `p` to segment `ab`, compared against `d2` exactly: true when closer.
fn closer_than(a: Cell, b: Cell, p: Cell, d2: i128) -> bool {
    let (abx, aby) = (i128::from(b.0 - a.0), i128::from(b.1 - a.1));
    let (apx, apy) = (i128::from(p.0 - a.0), i128::from(p.1 - a.1));
    let len2 = abx * abx + aby * aby;
    let t = apx * abx + apy * aby;
    if t <= 0 || len2 == 0 {
        return apx * apx + apy * apy < d2;
    }
    if t >= len2 {
        let (bpx, bpy) = (i128::from(p.0 - b.0), i128::from(p.1 - b.1));
        return bpx * bpx + bpy * bpy < d2;
    }
    // dist² = cross² / len2
    let cross = abx * apy - aby * apx;
    cross * cross < d2 * len2
}

/// Constrained Delaunay triangulation of the polygons (rings as constraints) with a jittered
/// triangular lattice of Steiner points `spacing` cells apart, kept at least `spacing / 3` from
/// the boundary. Triangles whose doubled area reaches `limit` get their rounded centroid inserted
/// and the triangulation is redone, until every piece is below `limit`. Returns
/// `(polygon, triangle)` for every triangle inside the region.
fn decompose(
    polys: &[Vec<Vec<Cell>>],
    spacing: i64,
    limit: i128,
) -> Result<Vec<(usize, Triangle)>, RegionError> {
    let too_many = |n: usize| RegionError::TooManyPieces(n);
    let mut points: Vec<Cell> = Vec::new();
    let mut edges: Vec<(usize, usize)> = Vec::new();
    for rings in polys {
        for ring in rings {
            let base = points.len();
            points.extend_from_slice(ring);
            for i in 0..ring.len() {
                edges.push((base + i, base + (i + 1) % ring.len()));
            }
        }
    }
    let (mut lo, mut hi) = ((i64::MAX, i64::MAX), (i64::MIN, i64::MIN));
    for p in &points {
        lo = (lo.0.min(p.0), lo.1.min(p.1));
        hi = (hi.0.max(p.0), hi.1.max(p.1));
    }
    let segments: Vec<(Cell, Cell)> = edges.iter().map(|&(a, b)| (points[a], points[b])).collect();
    let clearance = i128::from(spacing / 3).pow(2);
    let span = spacing / 32;
    // Rows of a triangular lattice: row j at height j·h, odd rows shifted by half a side.
    let row = ((spacing as f64) * 3f64.sqrt() / 2.0).round() as i64;
    let mut steiner: Vec<Cell> = Vec::new();
    for j in lo.1.div_euclid(row)..=hi.1.div_euclid(row) + 1 {
        let offset = if j.rem_euclid(2) == 1 { spacing / 2 } else { 0 };
        for i in lo.0.div_euclid(spacing) - 1..=hi.0.div_euclid(spacing) + 1 {
            let p = (
                i * spacing + offset + jitter(i, j, 0, span),
                j * row + jitter(i, j, 1, span),
            );
            if p.0 <= lo.0 || p.0 >= hi.0 || p.1 <= lo.1 || p.1 >= hi.1 {
                continue;
            }
            if !matches!(polygon_of(polys, p), Ok(Some(_))) {
                continue;
            }
            if segments
                .iter()
                .any(|&(a, b)| closer_than(a, b, p, clearance))
            {
                continue;
            }
            steiner.push(p);
            if points.len() + steiner.len() > 4 * MAX_PIECES {
                return Err(too_many(points.len() + steiner.len()));
            }
        }
    }
    let scaled: Vec<Vec<Vec<Cell>>> = polys
        .iter()
        .map(|rings| {
            rings
                .iter()
                .map(|r| r.iter().map(|&(x, y)| (3 * x, 3 * y)).collect())
                .collect()
        })
        .collect();
    for _round in 0..64 {
        let mut cdt = ConstrainedDelaunayTriangulation::<Point2<f64>>::new();
        let mut handles = Vec::with_capacity(points.len());
        for &(x, y) in points.iter().chain(&steiner) {
            // Cell coordinates are below 2^32, exactly representable in f64.
            let h =
                cdt.insert(Point2::new(x as f64, y as f64))
                    .map_err(|e| RegionError::Invalid {
                        polygon: 0,
                        reason: format!("triangulation: {e:?}"),
                    })?;
            handles.push(h);
        }
        for &(a, b) in &edges {
            cdt.try_add_constraint(handles[a], handles[b]);
        }
        let mut out = Vec::new();
        let mut split = Vec::new();
        for face in cdt.inner_faces() {
            let v = face.positions().map(|p| (p.x as i64, p.y as i64));
            let t = Triangle(v).canonical();
            let area = t.double_area();
            if area <= 0 {
                continue;
            }
            // The centroid (scaled by 3 to stay on integers) is strictly inside the triangle,
            // and a triangle never crosses a ring, so it classifies the whole triangle.
            let c3 = (v[0].0 + v[1].0 + v[2].0, v[0].1 + v[1].1 + v[2].1);
            let Ok(Some(owner)) = polygon_of(&scaled, c3) else {
                continue;
            };
            if area >= limit {
                let c = (div_round(c3.0, 3), div_round(c3.1, 3));
                if !t.edge_values(c).iter().all(|e| *e > 0) {
                    return Err(RegionError::Decomposition {
                        polygon: owner,
                        got: area,
                        want: limit - 1,
                    });
                }
                split.push(c);
            }
            out.push((owner, t));
        }
        if split.is_empty() {
            if out.len() > MAX_PIECES {
                return Err(too_many(out.len()));
            }
            return Ok(out);
        }
        split.sort_unstable();
        split.dedup();
        steiner.extend(split);
    }
    Err(RegionError::TooManyPieces(MAX_PIECES + 1))
}

impl Region {
    /// Encodes `mp` (x = longitude, y = latitude, degrees) in a frame of `2^grid_bits` units
    /// centred on the region, with membership cells of `2^region_shift` units, decomposed into
    /// triangles of doubled area below `2^piece_bits` cells².
    pub fn compile(
        mp: &MultiPolygon<f64>,
        grid_bits: u8,
        region_shift: u8,
        piece_bits: u32,
    ) -> Result<Self, RegionError> {
        if !(16..=MAX_GRID_BITS).contains(&grid_bits)
            || region_shift > MAX_REGION_SHIFT
            || region_shift + 8 > grid_bits
        {
            return Err(RegionError::BadGridParameters);
        }
        if !(MIN_PIECE_BITS..=MAX_PIECE_BITS).contains(&piece_bits) {
            return Err(RegionError::BadPieceBits(piece_bits));
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

        // 5. Densify long edges, triangulate with a lattice of Steiner points, check that the
        //    pieces tile the (densified) polygons exactly and are small enough.
        let limit = 1i128 << piece_bits;
        let spacing = lattice_spacing(piece_bits);
        let dense: Vec<Vec<Vec<Cell>>> = rings_all
            .iter()
            .map(|rings| rings.iter().map(|r| densify_ring(r, spacing / 2)).collect())
            .collect();
        let dense_polys: Vec<Polygon<f64>> = dense
            .iter()
            .map(|rings| {
                Polygon::new(
                    to_geo_ring(&rings[0]),
                    rings[1..].iter().map(|r| to_geo_ring(r)).collect(),
                )
            })
            .collect();
        for (pi, poly) in dense_polys.iter().enumerate() {
            if let Err(e) = poly.check_validation() {
                return Err(RegionError::InvalidAfterRounding {
                    polygon: pi,
                    reason: format!("splitting long edges: {e}"),
                });
            }
        }
        if let Err(e) = MultiPolygon(dense_polys).check_validation() {
            return Err(RegionError::InvalidAfterRounding {
                polygon: 0,
                reason: format!("splitting long edges: {e}"),
            });
        }
        let mut pieces = decompose(&dense, spacing, limit)?;
        for (pi, rings) in dense.iter().enumerate() {
            let want = ring_double_area(&rings[0]).abs()
                - rings[1..]
                    .iter()
                    .map(|r| ring_double_area(r).abs())
                    .sum::<i128>();
            let got: i128 = pieces
                .iter()
                .filter(|(owner, _)| *owner == pi)
                .map(|(_, t)| t.double_area())
                .sum();
            if got != want {
                return Err(RegionError::Decomposition {
                    polygon: pi,
                    got,
                    want,
                });
            }
        }
        let mut pieces: Vec<Triangle> = pieces.drain(..).map(|(_, t)| t).collect();
        if pieces.len() > MAX_PIECES {
            return Err(RegionError::TooManyPieces(pieces.len()));
        }
        pieces.sort();
        let bboxes = pieces.iter().map(Triangle::bbox).collect();
        Ok(Self {
            frame,
            pieces,
            rings: dense,
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
        let r = Region::compile(&square_with_hole(), 26, 6, 20).unwrap();
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
        let ra = Region::compile(&a, 26, 6, 20).unwrap();
        let rb = Region::compile(&b, 26, 6, 20).unwrap();
        assert_eq!(ra.pieces(), rb.pieces());
        assert_eq!(ra.merkle_tree().root(), rb.merkle_tree().root());
    }

    #[test]
    fn rejects_self_intersection_and_zero_area() {
        let bowtie = MultiPolygon(vec![polygon![
            (x: 0.0, y: 0.0), (x: 1.0, y: 1.0), (x: 1.0, y: 0.0), (x: 0.0, y: 1.0)
        ]]);
        assert!(matches!(
            Region::compile(&bowtie, 26, 6, 20),
            Err(RegionError::Invalid { .. })
        ));
        let tiny = MultiPolygon(vec![polygon![
            (x: 0.0, y: 0.0), (x: 0.00000001, y: 0.0), (x: 0.00000001, y: 0.00000001)
        ]]);
        assert!(matches!(
            Region::compile(&tiny, 26, 6, 20),
            Err(RegionError::ZeroArea { .. })
        ));
        let flat = MultiPolygon(vec![polygon![
            (x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 2.0, y: 0.0)
        ]]);
        assert!(Region::compile(&flat, 26, 6, 20).is_err());
    }

    #[test]
    fn rejects_region_too_large_for_grid() {
        let big = MultiPolygon(vec![polygon![
            (x: 0.0, y: 0.0), (x: 5.0, y: 0.0), (x: 5.0, y: 5.0), (x: 0.0, y: 5.0)
        ]]);
        match Region::compile(&big, 26, 10, 24) {
            Err(RegionError::TooLargeForGrid { needed, .. }) => assert_eq!(needed, 27),
            other => panic!("{other:?}"),
        }
        assert!(Region::compile(&big, 27, 10, 24).is_ok());
        assert_eq!(
            Region::compile(&big, 8, 6, 20).unwrap_err(),
            RegionError::BadGridParameters
        );
    }

    #[test]
    fn pieces_are_small_and_tile_exactly() {
        // A 0.1° square with a hole at cells of 2^6 units: 15,625 cells a side.
        let mp = MultiPolygon(vec![polygon!(
            exterior: [(x: 10.0, y: 45.0), (x: 10.1, y: 45.0), (x: 10.1, y: 45.1), (x: 10.0, y: 45.1)],
            interiors: [[(x: 10.04, y: 45.04), (x: 10.06, y: 45.04), (x: 10.05, y: 45.06)]],
        )]);
        for bits in [16u32, 20, 24] {
            let r = Region::compile(&mp, 26, 6, bits).unwrap();
            assert!(
                r.piece_area_bits() <= bits,
                "{bits}: {}",
                r.piece_area_bits()
            );
            let total: i128 = r.pieces().iter().map(Triangle::double_area).sum();
            let want: i128 = r.rings()[0]
                .iter()
                .enumerate()
                .map(|(i, ring)| {
                    let a = ring_double_area(ring).abs();
                    if i == 0 {
                        a
                    } else {
                        -a
                    }
                })
                .sum();
            assert_eq!(total, want);
            // Deterministic.
            assert_eq!(
                Region::compile(&mp, 26, 6, bits).unwrap().pieces(),
                r.pieces()
            );
        }
        // Smaller pieces, more of them.
        let coarse = Region::compile(&mp, 26, 6, 24).unwrap().pieces().len();
        let fine = Region::compile(&mp, 26, 6, 18).unwrap().pieces().len();
        assert!(fine > 4 * coarse, "{fine} vs {coarse}");
        assert_eq!(
            Region::compile(&mp, 26, 6, 2).unwrap_err(),
            RegionError::BadPieceBits(2)
        );
    }

    #[test]
    fn densify_splits_long_edges_within_half_a_cell() {
        let ring = vec![(0, 0), (1000, 7), (1000, 1000)];
        let d = densify_ring(&ring, 100);
        assert!(d.len() > 20);
        for w in d.windows(2) {
            let (dx, dy) = (w[1].0 - w[0].0, w[1].1 - w[0].1);
            assert!(dx * dx + dy * dy <= 101 * 101, "{w:?}");
        }
        // Points inserted on the first edge stay within half a cell of it in y.
        for &(x, y) in d.iter().filter(|p| p.1 < 8 && p.0 < 1000) {
            let exact = 7.0 * x as f64 / 1000.0;
            assert!((y as f64 - exact).abs() <= 0.5 + 1e-9, "({x}, {y})");
        }
        assert_eq!(div_round(5, 2), 3);
        assert_eq!(div_round(-5, 2), -3);
        assert_eq!(div_round(4, 3), 1);
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
