//! Exact integer geometry on the cell grid: rings, segments, boxes and point-in-polygon.
//!
//! Every predicate here is exact (`i128` arithmetic on cell coordinates below 2^25), so the
//! region's decomposition and membership never depend on floating point.

use rstar::{RTree, RTreeObject, AABB};

/// A point on the cell grid `(cx, cy)`.
pub type Cell = (i64, i64);

/// Twice the signed area of `a, b, p`: positive when `p` is left of `a → b`.
pub fn edge_value(a: Cell, b: Cell, p: Cell) -> i128 {
    i128::from(b.0 - a.0) * i128::from(p.1 - a.1) - i128::from(b.1 - a.1) * i128::from(p.0 - a.0)
}

/// Twice the signed area of a closed ring (positive counter-clockwise).
pub fn ring_double_area(ring: &[Cell]) -> i128 {
    let n = ring.len();
    (0..n)
        .map(|i| {
            let (a, b) = (ring[i], ring[(i + 1) % n]);
            i128::from(a.0) * i128::from(b.1) - i128::from(b.0) * i128::from(a.1)
        })
        .sum()
}

/// Drops repeated and collinear vertices (the closing vertex too), so every vertex is a corner.
pub fn simplify_ring(ring: &[Cell]) -> Vec<Cell> {
    // A stack: a vertex collinear with its neighbours (a straight run or a spike) is dropped
    // as soon as its successor arrives; duplicates left by a collapsed spike merge.
    fn push(st: &mut Vec<Cell>, p: Cell) {
        if st.last() == Some(&p) {
            return;
        }
        st.push(p);
        while st.len() >= 3 {
            let n = st.len();
            if edge_value(st[n - 3], st[n - 2], st[n - 1]) != 0 {
                break;
            }
            st.remove(n - 2);
            if st.len() >= 2 && st[st.len() - 2] == st[st.len() - 1] {
                st.pop();
            }
        }
    }
    let mut st: Vec<Cell> = Vec::with_capacity(ring.len());
    for &p in ring {
        push(&mut st, p);
    }
    // Close the ring: re-run its first vertices through the stack, then drop the copies.
    loop {
        while st.len() > 1 && st.first() == st.last() {
            st.pop();
        }
        let n = st.len();
        if n < 3 {
            return st;
        }
        if edge_value(st[n - 2], st[n - 1], st[0]) == 0 {
            st.pop();
            continue;
        }
        if edge_value(st[n - 1], st[0], st[1]) == 0 {
            st.remove(0);
            continue;
        }
        return st;
    }
}

/// Orients a ring (counter-clockwise when `ccw`) and rotates it to start at its smallest vertex.
pub fn canonical_ring(mut ring: Vec<Cell>, ccw: bool) -> Vec<Cell> {
    if (ring_double_area(&ring) > 0) != ccw {
        ring.reverse();
    }
    if let Some(k) = (0..ring.len()).min_by_key(|&i| ring[i]) {
        ring.rotate_left(k);
    }
    ring
}

/// `round(n / d)` for `d > 0`, halves away from zero.
pub fn div_round(n: i64, d: i64) -> i64 {
    let q = (2 * n.abs() + d) / (2 * d);
    if n < 0 {
        -q
    } else {
        q
    }
}

/// Splits every edge longer than `max_len` cells into equal parts whose end points are rounded
/// to the nearest cell (half away from zero). The rounded points lie within half a cell of the
/// edge in each axis, so the boundary moves by less than one cell.
pub fn densify_ring(ring: &[Cell], max_len: i64) -> Vec<Cell> {
    let n = ring.len();
    let mut out = Vec::with_capacity(n);
    let max2 = i128::from(max_len) * i128::from(max_len);
    for i in 0..n {
        let (a, b) = (ring[i], ring[(i + 1) % n]);
        out.push(a);
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let len2 = i128::from(dx) * i128::from(dx) + i128::from(dy) * i128::from(dy);
        if len2 <= max2 {
            continue;
        }
        // k = ceil(len / max_len), computed exactly.
        let mut k = ((len2 as f64).sqrt() / max_len as f64).floor().max(1.0) as i64;
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

/// A segment between two cells.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Seg {
    /// One end.
    pub a: Cell,
    /// The other end.
    pub b: Cell,
}

impl RTreeObject for Seg {
    type Envelope = AABB<[i64; 2]>;

    fn envelope(&self) -> Self::Envelope {
        AABB::from_corners([self.a.0, self.a.1], [self.b.0, self.b.1])
    }
}

impl Seg {
    /// True when the segment meets the *open* box `(x0, x1) × (y0, y1)` (separating axes:
    /// the box's two axes and the segment's normal; touching the box's boundary is not meeting).
    pub fn crosses_open_box(&self, x0: i64, y0: i64, x1: i64, y1: i64) -> bool {
        let (a, b) = (self.a, self.b);
        if a.0.max(b.0) <= x0 || a.0.min(b.0) >= x1 || a.1.max(b.1) <= y0 || a.1.min(b.1) >= y1 {
            return false;
        }
        let corners = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)];
        let sides = corners.map(|c| edge_value(a, b, c).signum());
        // The line through the segment separates the open box only if every corner is on one
        // closed side.
        !(sides.iter().all(|s| *s >= 0) || sides.iter().all(|s| *s <= 0))
    }

    /// True when the segment meets the closed box `[x0, x1] × [y0, y1]`.
    pub fn meets_closed_box(&self, x0: i64, y0: i64, x1: i64, y1: i64) -> bool {
        let (a, b) = (self.a, self.b);
        if a.0.max(b.0) < x0 || a.0.min(b.0) > x1 || a.1.max(b.1) < y0 || a.1.min(b.1) > y1 {
            return false;
        }
        let corners = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)];
        let sides = corners.map(|c| edge_value(a, b, c).signum());
        !(sides.iter().all(|s| *s > 0) || sides.iter().all(|s| *s < 0))
    }

    /// Squared distance from `p` to the segment, compared against `d2` exactly: true when closer.
    pub fn closer_than(&self, p: Cell, d2: i128) -> bool {
        let (a, b) = (self.a, self.b);
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
        let cross = abx * apy - aby * apx;
        cross * cross < d2 * len2
    }
}

/// A polygon with holes on the cell grid and an R-tree over its edges, for exact
/// point-in-polygon and box-in-polygon tests.
pub struct PolyIndex {
    tree: RTree<Seg>,
}

/// Where a point lies relative to a polygon.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// Strictly inside.
    Inside,
    /// Strictly outside.
    Outside,
    /// On an edge.
    Boundary,
}

impl PolyIndex {
    /// Indexes the edges of `rings` (each closed implicitly).
    pub fn new(rings: &[Vec<Cell>]) -> Self {
        let segs = rings
            .iter()
            .flat_map(|r| {
                (0..r.len()).map(move |i| Seg {
                    a: r[i],
                    b: r[(i + 1) % r.len()],
                })
            })
            .collect();
        Self {
            tree: RTree::bulk_load(segs),
        }
    }

    /// The polygon's edges meeting the closed box.
    pub fn edges_meeting(&self, x0: i64, y0: i64, x1: i64, y1: i64) -> impl Iterator<Item = &Seg> {
        self.tree
            .locate_in_envelope_intersecting(&AABB::from_corners([x0, y0], [x1, y1]))
            .filter(move |s| s.meets_closed_box(x0, y0, x1, y1))
    }

    /// Where the point `(px / den, py / den)` lies (`den` ≥ 1 lets callers test centres and
    /// centroids exactly): crossing number of the ray towards +x.
    pub fn side_scaled(&self, px: i64, py: i64, den: i64) -> Side {
        let env = AABB::from_corners(
            [px.div_euclid(den) - 1, py.div_euclid(den) - 1],
            [i64::MAX / 4, py.div_euclid(den) + 1],
        );
        let mut inside = false;
        for s in self.tree.locate_in_envelope_intersecting(&env) {
            let (a, b) = (s.a, s.b);
            let a = (
                i128::from(a.0) * i128::from(den),
                i128::from(a.1) * i128::from(den),
            );
            let b = (
                i128::from(b.0) * i128::from(den),
                i128::from(b.1) * i128::from(den),
            );
            let p = (i128::from(px), i128::from(py));
            let cross = (b.0 - a.0) * (p.1 - a.1) - (b.1 - a.1) * (p.0 - a.0);
            if cross == 0
                && p.0 >= a.0.min(b.0)
                && p.0 <= a.0.max(b.0)
                && p.1 >= a.1.min(b.1)
                && p.1 <= a.1.max(b.1)
            {
                return Side::Boundary;
            }
            if (a.1 > p.1) != (b.1 > p.1) {
                // The crossing's x is right of p: sign of cross relative to the edge direction.
                if (b.1 > a.1 && cross > 0) || (b.1 < a.1 && cross < 0) {
                    inside = !inside;
                }
            }
        }
        if inside {
            Side::Inside
        } else {
            Side::Outside
        }
    }

    /// Where the cell point lies.
    pub fn side(&self, p: Cell) -> Side {
        self.side_scaled(p.0, p.1, 1)
    }

    /// True when the closed box `[x0, x1] × [y0, y1]` lies in the closed polygon: no edge
    /// meets the open box and its centre is inside.
    pub fn contains_box(&self, x0: i64, y0: i64, x1: i64, y1: i64) -> bool {
        let env = AABB::from_corners([x0, y0], [x1, y1]);
        if self
            .tree
            .locate_in_envelope_intersecting(&env)
            .any(|s| s.crosses_open_box(x0, y0, x1, y1))
        {
            return false;
        }
        self.side_scaled(x0 + x1, y0 + y1, 2) == Side::Inside
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boxes_and_points_against_a_polygon_with_a_hole() {
        let ext = vec![(0, 0), (100, 0), (100, 100), (0, 100)];
        let hole = vec![(40, 40), (40, 60), (60, 60), (60, 40)];
        let idx = PolyIndex::new(&[ext, hole]);
        assert_eq!(idx.side((10, 10)), Side::Inside);
        assert_eq!(idx.side((50, 50)), Side::Outside);
        assert_eq!(idx.side((0, 50)), Side::Boundary);
        assert_eq!(idx.side((40, 50)), Side::Boundary);
        assert_eq!(idx.side((150, 50)), Side::Outside);
        assert!(
            idx.contains_box(0, 0, 40, 40),
            "touching the boundary is inside"
        );
        assert!(idx.contains_box(10, 10, 30, 30));
        assert!(!idx.contains_box(30, 30, 50, 50), "overlaps the hole");
        assert!(!idx.contains_box(90, 90, 110, 110));
        assert!(!idx.contains_box(40, 40, 60, 60), "the hole itself");
        assert!(idx.contains_box(60, 40, 100, 60), "beside the hole");
        // Scaled centres.
        assert_eq!(idx.side_scaled(81, 81, 3), Side::Inside);
        assert_eq!(idx.side_scaled(150, 150, 3), Side::Outside);
    }

    #[test]
    fn segment_box_tests() {
        let s = Seg {
            a: (0, 0),
            b: (10, 10),
        };
        assert!(s.crosses_open_box(2, 2, 4, 4));
        assert!(!s.crosses_open_box(5, 0, 10, 5), "touches the corner only");
        assert!(s.meets_closed_box(5, 0, 10, 5));
        assert!(!s.meets_closed_box(6, 0, 10, 4));
        let h = Seg {
            a: (0, 5),
            b: (10, 5),
        };
        assert!(!h.crosses_open_box(2, 5, 4, 8), "runs along the box's edge");
        assert!(h.crosses_open_box(2, 4, 4, 8));
    }

    #[test]
    fn simplify_and_densify() {
        let ring = vec![(0, 0), (5, 0), (10, 0), (10, 10), (10, 10), (0, 10), (0, 0)];
        assert_eq!(
            simplify_ring(&ring),
            vec![(0, 0), (10, 0), (10, 10), (0, 10)]
        );
        let spike = vec![(0, 0), (10, 0), (10, 10), (10, 20), (10, 10), (0, 10)];
        assert_eq!(simplify_ring(&spike).len(), 4);
        let d = densify_ring(&[(0, 0), (1000, 7), (1000, 1000)], 100);
        assert!(d.len() > 20);
        for w in d.windows(2) {
            let (dx, dy) = (w[1].0 - w[0].0, w[1].1 - w[0].1);
            assert!(dx * dx + dy * dy <= 101 * 101, "{w:?}");
        }
        assert_eq!(div_round(5, 2), 3);
        assert_eq!(div_round(-5, 2), -3);
        assert_eq!(div_round(4, 3), 1);
        assert_eq!(ring_double_area(&[(0, 0), (10, 0), (0, 7)]), 70);
    }
}
