//! Polygon validity in `O(n log n)`: `geo`'s own check compares every pair of a ring's
//! segments, hours for a continent's coastline. Robust orientation predicates (exact for the
//! integer cell grid, Shewchuk's adaptive ones for degrees) and an R-tree of segments.
//!
//! A polygon is *usable* when no two of its segments cross or overlap along a line (touching
//! at a point is allowed, within a ring and between rings: the even–odd rule and the
//! triangulation both handle it), every ring has at least three distinct vertices, and every
//! hole lies inside the exterior and outside the other holes.

use geo::kernels::{Kernel, Orientation, RobustKernel};
use geo::{Coord, LineString, Polygon};
use rstar::{RTree, RTreeObject, AABB};

#[derive(Clone, Copy)]
struct Seg {
    a: Coord<f64>,
    b: Coord<f64>,
    ring: usize,
    index: usize,
}

impl RTreeObject for Seg {
    type Envelope = AABB<[f64; 2]>;
    fn envelope(&self) -> Self::Envelope {
        AABB::from_corners([self.a.x, self.a.y], [self.b.x, self.b.y])
    }
}

fn orient(p: Coord<f64>, q: Coord<f64>, r: Coord<f64>) -> i8 {
    match RobustKernel::orient2d(p, q, r) {
        Orientation::CounterClockwise => 1,
        Orientation::Clockwise => -1,
        Orientation::Collinear => 0,
    }
}

/// `t` lies on the closed segment `[p, q]` given that the three are collinear.
fn within(p: Coord<f64>, q: Coord<f64>, t: Coord<f64>) -> bool {
    t.x >= p.x.min(q.x) && t.x <= p.x.max(q.x) && t.y >= p.y.min(q.y) && t.y <= p.y.max(q.y)
}

/// How two segments meet.
#[derive(PartialEq, Eq)]
enum Meet {
    Apart,
    /// At one point (a touch or a crossing at a vertex).
    Point,
    /// Properly crossing at one interior point of both.
    Cross,
    /// Along a line (collinear overlap).
    Overlap,
}

fn meet(s: &Seg, t: &Seg) -> Meet {
    let (o1, o2) = (orient(s.a, s.b, t.a), orient(s.a, s.b, t.b));
    let (o3, o4) = (orient(t.a, t.b, s.a), orient(t.a, t.b, s.b));
    if o1 == 0 && o2 == 0 {
        // Collinear: overlap along a line unless they share at most one point.
        let on = [
            within(s.a, s.b, t.a),
            within(s.a, s.b, t.b),
            within(t.a, t.b, s.a),
            within(t.a, t.b, s.b),
        ];
        let shared = [t.a, t.b]
            .iter()
            .filter(|p| **p == s.a || **p == s.b)
            .count();
        let count = on.iter().filter(|x| **x).count();
        return match (count, shared) {
            (0, _) => Meet::Apart,
            (2, 1) if (s.a == t.a || s.a == t.b || s.b == t.a || s.b == t.b) => {
                // Touching end to end, or one containing the other from a shared end.
                let other_s = if s.a == t.a || s.a == t.b { s.b } else { s.a };
                let other_t = if t.a == s.a || t.a == s.b { t.b } else { t.a };
                if within(t.a, t.b, other_s) || within(s.a, s.b, other_t) {
                    Meet::Overlap
                } else {
                    Meet::Point
                }
            }
            _ => Meet::Overlap,
        };
    }
    if o1 * o2 < 0 && o3 * o4 < 0 {
        return Meet::Cross;
    }
    let touches = (o1 == 0 && within(s.a, s.b, t.a))
        || (o2 == 0 && within(s.a, s.b, t.b))
        || (o3 == 0 && within(t.a, t.b, s.a))
        || (o4 == 0 && within(t.a, t.b, s.b));
    if touches {
        Meet::Point
    } else {
        Meet::Apart
    }
}

/// `x` lies strictly inside the angle swept counter-clockwise from ray `a` to ray `b` (all
/// rays from `p`).
fn strictly_between(p: Coord<f64>, a: Coord<f64>, b: Coord<f64>, x: Coord<f64>) -> bool {
    match orient(p, a, b) {
        1 => orient(p, a, x) > 0 && orient(p, x, b) > 0,
        -1 => !(orient(p, b, x) >= 0 && orient(p, x, a) >= 0),
        // A straight angle (a spike, with a == b in direction, is an overlap found elsewhere).
        _ => orient(p, a, x) > 0,
    }
}

/// Two boundary passes through the point `p`, each given by the vertices before and after it:
/// they cross when one pass has a neighbour on each side of the other. A pass that shares a
/// direction with the other overlaps it along a line, which [`meet`] reports.
fn passes_cross(
    p: Coord<f64>,
    one: (Coord<f64>, Coord<f64>),
    two: (Coord<f64>, Coord<f64>),
) -> bool {
    let same_dir = |a: Coord<f64>, b: Coord<f64>| {
        orient(p, a, b) == 0 && (a.x - p.x) * (b.x - p.x) + (a.y - p.y) * (b.y - p.y) > 0.0
    };
    if [two.0, two.1]
        .iter()
        .any(|&x| same_dir(x, one.0) || same_dir(x, one.1))
    {
        return false;
    }
    strictly_between(p, one.0, one.1, two.0) != strictly_between(p, one.0, one.1, two.1)
}

/// Whether two segments meeting at one point (not neighbours in a ring) cross there: at a
/// vertex of one lying inside the other, or at a vertex both rings pass through. (Two
/// segments of nearly the same direction rounded onto the grid can cross exactly at a vertex,
/// which the segment test alone sees as a touch.)
fn crosses_at_point(rings: &[Vec<Coord<f64>>], s: &Seg, t: &Seg) -> bool {
    // The pass of a ring through its vertex `i`: the vertices before and after.
    let pass = |r: usize, i: usize| {
        let ring = &rings[r];
        let n = ring.len();
        (ring[(i + n - 1) % n], ring[(i + 1) % n])
    };
    let n_s = rings[s.ring].len();
    let n_t = rings[t.ring].len();
    let s_ends = [(s.a, s.index), (s.b, (s.index + 1) % n_s)];
    let t_ends = [(t.a, t.index), (t.b, (t.index + 1) % n_t)];
    for &(p, i) in &s_ends {
        for &(q, j) in &t_ends {
            if p == q {
                return passes_cross(p, pass(s.ring, i), pass(t.ring, j));
            }
        }
    }
    // A vertex of one strictly inside the other segment: the segment is a straight pass.
    for (ends, seg, r) in [(&s_ends, t, s.ring), (&t_ends, s, t.ring)] {
        for &(p, i) in ends.iter() {
            if orient(seg.a, seg.b, p) == 0 && within(seg.a, seg.b, p) {
                return passes_cross(p, (seg.a, seg.b), pass(r, i));
            }
        }
    }
    false
}

/// Even–odd test of a point against one ring: `Some(true)` inside, `Some(false)` outside,
/// `None` on the ring.
fn ring_side(ring: &[Coord<f64>], p: Coord<f64>) -> Option<bool> {
    let n = ring.len();
    let mut inside = false;
    for i in 0..n {
        let (a, b) = (ring[i], ring[(i + 1) % n]);
        let o = orient(a, b, p);
        if o == 0 && within(a, b, p) {
            return None;
        }
        if (a.y > p.y) != (b.y > p.y) {
            // The crossing is right of p: p is left of a→b going up, right going down.
            if (b.y > a.y && o > 0) || (b.y < a.y && o < 0) {
                inside = !inside;
            }
        }
    }
    Some(inside)
}

fn distinct(ring: &LineString<f64>) -> Vec<Coord<f64>> {
    let mut v: Vec<Coord<f64>> = Vec::with_capacity(ring.0.len());
    for c in &ring.0 {
        if v.last() != Some(c) {
            v.push(*c);
        }
    }
    while v.len() > 1 && v.first() == v.last() {
        v.pop();
    }
    v
}

/// What [`check`] found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Findings {
    /// The first problem that makes the polygon unusable (a crossing, an overlap along a line,
    /// a misplaced hole, a degenerate ring), if any.
    pub problem: Option<String>,
    /// Points where a ring touches itself (usable as is, but not a simple ring).
    pub self_touches: usize,
}

/// The first problem of a polygon (see the module docs), or `None` when it is usable.
pub fn problem(poly: &Polygon<f64>) -> Option<String> {
    check(poly).problem
}

/// Checks a polygon (see the module docs).
pub fn check(poly: &Polygon<f64>) -> Findings {
    let mut found = Findings::default();
    found.problem = check_inner(poly, &mut found.self_touches);
    found
}

fn check_inner(poly: &Polygon<f64>, self_touches: &mut usize) -> Option<String> {
    let mut touch_points: std::collections::HashSet<(u64, u64)> = Default::default();
    let rings: Vec<Vec<Coord<f64>>> = std::iter::once(poly.exterior())
        .chain(poly.interiors())
        .map(distinct)
        .collect();
    let name = |r: usize| {
        if r == 0 {
            "the exterior ring".to_string()
        } else {
            format!("hole {}", r - 1)
        }
    };
    for (r, ring) in rings.iter().enumerate() {
        if ring.len() < 3 || ring.iter().any(|c| !c.x.is_finite() || !c.y.is_finite()) {
            return Some(format!("{} has fewer than 3 distinct vertices", name(r)));
        }
    }
    let segs: Vec<Seg> = rings
        .iter()
        .enumerate()
        .flat_map(|(r, ring)| {
            (0..ring.len()).map(move |i| Seg {
                a: ring[i],
                b: ring[(i + 1) % ring.len()],
                ring: r,
                index: i,
            })
        })
        .collect();
    let tree = RTree::bulk_load(segs.clone());
    for s in &segs {
        for t in tree.locate_in_envelope_intersecting(&s.envelope()) {
            if (t.ring, t.index) <= (s.ring, s.index) {
                continue;
            }
            let n = rings[s.ring].len();
            let adjacent =
                s.ring == t.ring && (t.index == (s.index + 1) % n || s.index == (t.index + 1) % n);
            match meet(s, t) {
                Meet::Apart => {}
                Meet::Point if adjacent => {}
                Meet::Point if crosses_at_point(&rings, s, t) => {
                    return Some(if s.ring == t.ring {
                        format!("{} crosses itself (at a vertex)", name(s.ring))
                    } else {
                        format!("{} and {} cross (at a vertex)", name(s.ring), name(t.ring))
                    })
                }
                Meet::Point if s.ring != t.ring => {}
                Meet::Point => {
                    // A ring touching itself at a point: usable, but not a simple ring. Only
                    // a real crossing or overlap stops the triangulation.
                    let at = [s.a, s.b]
                        .into_iter()
                        .find(|p| orient(t.a, t.b, *p) == 0 && within(t.a, t.b, *p))
                        .or_else(|| [t.a, t.b].into_iter().find(|p| within(s.a, s.b, *p)))
                        .unwrap_or(s.a);
                    touch_points.insert((at.x.to_bits(), at.y.to_bits()));
                    *self_touches = touch_points.len();
                }
                Meet::Cross => {
                    return Some(if s.ring == t.ring {
                        format!("{} crosses itself", name(s.ring))
                    } else {
                        format!("{} and {} cross", name(s.ring), name(t.ring))
                    })
                }
                Meet::Overlap => {
                    return Some(if s.ring == t.ring {
                        format!(
                            "{} runs back over itself (a spike or overlap)",
                            name(s.ring)
                        )
                    } else {
                        format!(
                            "{} and {} share a boundary line",
                            name(s.ring),
                            name(t.ring)
                        )
                    })
                }
            }
        }
    }
    // Holes inside the exterior, and not inside each other (their vertices may touch).
    for h in 1..rings.len() {
        let inside_ext = rings[h]
            .iter()
            .find_map(|&p| ring_side(&rings[0], p))
            .unwrap_or(true);
        if !inside_ext {
            return Some(format!("{} lies outside the exterior ring", name(h)));
        }
        for g in 1..rings.len() {
            if g != h && rings[h].iter().find_map(|&p| ring_side(&rings[g], p)) == Some(true) {
                return Some(format!("{} lies inside {}", name(h), name(g)));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    #[test]
    fn finds_crossings_overlaps_and_bad_holes_but_allows_touches() {
        let ok = polygon![(x: 0.0, y: 0.0), (x: 4.0, y: 0.0), (x: 4.0, y: 4.0), (x: 0.0, y: 4.0)];
        assert_eq!(problem(&ok), None);
        let bowtie =
            polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 1.0), (x: 1.0, y: 0.0), (x: 0.0, y: 1.0)];
        assert!(problem(&bowtie).unwrap().contains("crosses itself"));
        let spike = polygon![(x: 0.0, y: 0.0), (x: 4.0, y: 0.0), (x: 6.0, y: 0.0), (x: 4.0, y: 0.0), (x: 4.0, y: 4.0)];
        assert!(problem(&spike).unwrap().contains("back over itself"));
        // A figure eight touching at a vertex is usable.
        let eight = polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 2.0, y: 1.0),
            (x: 2.0, y: 2.0), (x: 1.0, y: 2.0), (x: 1.0, y: 1.0), (x: 0.0, y: 1.0)];
        assert_eq!(problem(&eight), None);
        assert_eq!(check(&eight).self_touches, 1);
        let hole_out = polygon!(
            exterior: [(x: 0.0, y: 0.0), (x: 4.0, y: 0.0), (x: 4.0, y: 4.0), (x: 0.0, y: 4.0)],
            interiors: [[(x: 5.0, y: 5.0), (x: 6.0, y: 5.0), (x: 6.0, y: 6.0)]],
        );
        assert!(problem(&hole_out).unwrap().contains("outside"));
        let hole_touch = polygon!(
            exterior: [(x: 0.0, y: 0.0), (x: 4.0, y: 0.0), (x: 4.0, y: 4.0), (x: 0.0, y: 4.0)],
            interiors: [[(x: 0.0, y: 2.0), (x: 2.0, y: 1.0), (x: 2.0, y: 3.0)]],
        );
        assert_eq!(problem(&hole_touch), None);
        let hole_on_line = polygon!(
            exterior: [(x: 0.0, y: 0.0), (x: 4.0, y: 0.0), (x: 4.0, y: 4.0), (x: 0.0, y: 4.0)],
            interiors: [[(x: 0.0, y: 1.0), (x: 0.0, y: 3.0), (x: 2.0, y: 2.0)]],
        );
        assert!(problem(&hole_on_line)
            .unwrap()
            .contains("share a boundary line"));
        // Crossing exactly at a vertex: a vertex on another edge with its neighbours on both
        // sides (as rounding to the grid made in Natural Earth's 1:10m Eurasia), or two passes
        // through one vertex whose directions interleave (lobes of opposite orientation).
        let through_edge = polygon![(x: 0.0, y: 0.0), (x: 4.0, y: 0.0), (x: 4.0, y: 4.0),
            (x: 2.0, y: 4.0), (x: 2.0, y: 0.0), (x: 2.0, y: -1.0), (x: 1.0, y: -1.0)];
        assert_eq!(
            problem(&through_edge),
            Some("the exterior ring crosses itself (at a vertex)".into())
        );
        let x_vertex = polygon![(x: 0.0, y: 0.0), (x: 2.0, y: 2.0), (x: 4.0, y: 4.0),
            (x: 4.0, y: 0.0), (x: 2.0, y: 2.0), (x: 0.0, y: 4.0)];
        assert_eq!(
            problem(&x_vertex),
            Some("the exterior ring crosses itself (at a vertex)".into())
        );
        // Touches stay usable: a vertex on an edge from one side, an hourglass pinch.
        let on_edge = polygon![(x: 0.0, y: 0.0), (x: 4.0, y: 0.0), (x: 4.0, y: 4.0),
            (x: 3.0, y: 4.0), (x: 2.0, y: 0.0), (x: 1.0, y: 4.0), (x: 0.0, y: 4.0)];
        assert_eq!(problem(&on_edge), None);
        assert_eq!(check(&on_edge).self_touches, 1);
        let pinch = polygon![(x: 0.0, y: 0.0), (x: 2.0, y: 2.0), (x: 4.0, y: 0.0),
            (x: 4.0, y: 4.0), (x: 2.0, y: 2.0), (x: 0.0, y: 4.0)];
        assert_eq!(problem(&pinch), None);
        // A hole crossing the exterior at a shared vertex.
        let hole_x = polygon!(
            exterior: [(x: 0.0, y: 0.0), (x: 4.0, y: 0.0), (x: 4.0, y: 4.0), (x: 2.0, y: 4.0),
                (x: 0.0, y: 2.0)],
            interiors: [[(x: 1.0, y: 5.0), (x: 2.0, y: 4.0), (x: 3.0, y: 3.0), (x: 1.0, y: 3.0)]],
        );
        assert!(problem(&hole_x).unwrap().contains("cross (at a vertex)"));
        let tiny = polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 0.0, y: 0.0)];
        assert!(problem(&tiny).unwrap().contains("fewer than 3"));
    }
}
