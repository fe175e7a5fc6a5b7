//! Geometry: the trace and region in degrees, their boxes, and the frame that maps degrees to
//! pixels (equirectangular at the map's middle latitude).

use std::fmt::Write as _;

use zkcontrib_circuits::encode::{e7_to_degrees, Point, CELL_SHIFT, LAT_OFFSET, LON_OFFSET};
use zkcontrib_circuits::policy::Policy;
use zkcontrib_circuits::projection::{metres_per_unit_x, metres_per_unit_y};
use zkcontrib_circuits::rules::Evaluation;

use super::MIN_STEP_PX;

/// Longitude, latitude in degrees; longitudes may leave [-180, 180) after unwrapping.
pub(super) type LonLat = (f64, f64);

/// A longitude–latitude box, degrees.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct BBox {
    pub(super) west: f64,
    pub(super) south: f64,
    pub(super) east: f64,
    pub(super) north: f64,
}

impl BBox {
    pub(super) fn of<'a>(pts: impl IntoIterator<Item = &'a LonLat>) -> Option<Self> {
        let mut b: Option<BBox> = None;
        for &(x, y) in pts {
            b = Some(match b {
                None => BBox {
                    west: x,
                    south: y,
                    east: x,
                    north: y,
                },
                Some(b) => BBox {
                    west: b.west.min(x),
                    south: b.south.min(y),
                    east: b.east.max(x),
                    north: b.north.max(y),
                },
            });
        }
        b
    }

    pub(super) fn include(self, (x, y): LonLat) -> Self {
        BBox {
            west: self.west.min(x),
            south: self.south.min(y),
            east: self.east.max(x),
            north: self.north.max(y),
        }
    }

    pub(super) fn mid_lat(&self) -> f64 {
        (self.south + self.north) / 2.0
    }

    /// Width and height in metres at the middle latitude.
    pub(super) fn size_m(&self) -> (f64, f64) {
        let (mx, my) = metres_per_degree(self.mid_lat());
        ((self.east - self.west) * mx, (self.north - self.south) * my)
    }

    /// Grown by `frac` of the longer side, and at least `min_m` metres, on every side.
    pub(super) fn padded(self, frac: f64, min_m: f64) -> Self {
        let (w, h) = self.size_m();
        let pad = (w.max(h) * frac).max(min_m);
        let (mx, my) = metres_per_degree(self.mid_lat());
        BBox {
            west: self.west - pad / mx,
            east: self.east + pad / mx,
            south: (self.south - pad / my).max(-90.0),
            north: (self.north + pad / my).min(90.0),
        }
    }

    /// Whether the segment a–b meets the box (Liang–Barsky).
    pub(super) fn meets_segment(&self, a: LonLat, b: LonLat) -> bool {
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let (mut t0, mut t1) = (0.0f64, 1.0f64);
        for (p, q) in [
            (-dx, a.0 - self.west),
            (dx, self.east - a.0),
            (-dy, a.1 - self.south),
            (dy, self.north - a.1),
        ] {
            if p == 0.0 {
                if q < 0.0 {
                    return false;
                }
            } else {
                let r = q / p;
                if p < 0.0 {
                    t0 = t0.max(r);
                } else {
                    t1 = t1.min(r);
                }
            }
        }
        t0 <= t1
    }
}

/// Metres per degree of longitude and of latitude at `lat` (WGS84, as the statement measures).
pub(super) fn metres_per_degree(lat: f64) -> (f64, f64) {
    let my = metres_per_unit_y(lat) * 1e7;
    let mx = (metres_per_unit_x(lat) * 1e7).max(my * 0.01);
    (mx, my)
}

/// Equirectangular projection of a box into pixels, at the box's middle latitude.
#[derive(Clone, Copy, Debug)]
pub(super) struct Frame {
    pub(super) bbox: BBox,
    /// Metres per degree of longitude and latitude at the middle latitude.
    pub(super) mx: f64,
    pub(super) my: f64,
    /// Pixels per metre.
    pub(super) scale: f64,
    pub(super) left: f64,
    pub(super) top: f64,
}

impl Frame {
    /// Fits `bbox` into `max_w` × `max_h` px.
    pub(super) fn fit(bbox: BBox, max_w: f64, max_h: f64) -> Self {
        let (mx, my) = metres_per_degree(bbox.mid_lat());
        let (w, h) = bbox.size_m();
        let scale = (max_w / w.max(1e-6)).min(max_h / h.max(1e-6));
        Frame {
            bbox,
            mx,
            my,
            scale,
            left: 0.0,
            top: 0.0,
        }
    }

    pub(super) fn width(&self) -> f64 {
        (self.bbox.east - self.bbox.west) * self.mx * self.scale
    }

    pub(super) fn height(&self) -> f64 {
        (self.bbox.north - self.bbox.south) * self.my * self.scale
    }

    pub(super) fn px(&self, (x, y): LonLat) -> (f64, f64) {
        (
            self.left + (x - self.bbox.west) * self.mx * self.scale,
            self.top + (self.bbox.north - y) * self.my * self.scale,
        )
    }

    /// The region as two SVG paths: the fill (closed rings) and the outline, which leaves out
    /// the seam edges along ±180° where the encoding splits a region crossing the antimeridian.
    ///
    /// Vertices that cannot change what shows inside the frame (grown by 20 px) are dropped: a
    /// run of vertices all beyond one side of it becomes its first and last vertex (the chain
    /// and the chord lie in the same half-plane beyond that side, so the fill inside the frame
    /// is the same), and a vertex within 0.3 px of the previous one is dropped.
    pub(super) fn region_paths(&self, rings: &[Vec<LonLat>]) -> (String, String) {
        const GROW: f64 = 20.0;
        let (x0, y0) = (self.left - GROW, self.top - GROW);
        let (x1, y1) = (
            self.left + self.width() + GROW,
            self.top + self.height() + GROW,
        );
        let outcode = |(x, y): (f64, f64)| {
            u8::from(x < x0) | u8::from(x > x1) << 1 | u8::from(y < y0) << 2 | u8::from(y > y1) << 3
        };
        let on_seam = |lon: f64| {
            let r = (lon - 180.0).rem_euclid(360.0);
            !(1e-9..=360.0 - 1e-9).contains(&r)
        };
        let (mut fill, mut outline) = (String::new(), String::new());
        for ring in rings {
            // Keep the vertices that matter, with their degrees (for the seam test).
            let mut kept: Vec<((f64, f64), LonLat)> = Vec::new();
            let mut pending: Option<((f64, f64), LonLat)> = None;
            let mut mask = 0u8;
            for &c in ring {
                let p = self.px(c);
                let code = outcode(p);
                if kept.is_empty() {
                    kept.push((p, c));
                    mask = code;
                    continue;
                }
                if mask & code != 0 {
                    mask &= code;
                    pending = Some((p, c));
                    continue;
                }
                if let Some(q) = pending.take() {
                    kept.push(q);
                    mask = outcode(q.0) & code;
                    if mask != 0 {
                        pending = Some((p, c));
                        continue;
                    }
                }
                let last = kept.last().expect("non-empty").0;
                if (p.0 - last.0).abs() + (p.1 - last.1).abs() >= MIN_STEP_PX || code != 0 {
                    kept.push((p, c));
                }
                mask = code;
            }
            kept.extend(pending);
            if kept.len() < 2 {
                continue;
            }
            for (i, &(p, _)) in kept.iter().enumerate() {
                let _ = write!(
                    fill,
                    "{}{:.1},{:.1} ",
                    if i == 0 { "M" } else { "L" },
                    p.0,
                    p.1
                );
            }
            fill.push_str("Z ");
            // The outline: every edge but those along the seam.
            let mut pen_down = false;
            for i in 0..kept.len() {
                let (a, ca) = kept[i];
                let (b, cb) = kept[(i + 1) % kept.len()];
                if on_seam(ca.0) && on_seam(cb.0) {
                    pen_down = false;
                    continue;
                }
                if !pen_down {
                    let _ = write!(outline, "M{:.1},{:.1} ", a.0, a.1);
                    pen_down = true;
                }
                let _ = write!(outline, "L{:.1},{:.1} ", b.0, b.1);
            }
        }
        (fill, outline)
    }

    pub(super) fn polyline(&self, pts: &[LonLat]) -> String {
        let mut s = String::new();
        let mut last: Option<(f64, f64)> = None;
        for (i, &c) in pts.iter().enumerate() {
            let p = self.px(c);
            if let Some(l) = last {
                if i + 1 < pts.len() && (p.0 - l.0).abs() + (p.1 - l.1).abs() < MIN_STEP_PX {
                    continue;
                }
            }
            let _ = write!(s, "{:.1},{:.1} ", p.0, p.1);
            last = Some(p);
        }
        s
    }
}

/// `a - b` in degrees of longitude, the short way round: in [-180, 180).
pub(super) fn lon_delta(a: f64, b: f64) -> f64 {
    (a - b + 180.0).rem_euclid(360.0) - 180.0
}

/// The point of segment a–b nearest to p, in a local plane (metres per degree `mx`, `my`).
pub(super) fn nearest_on_segment(
    p: LonLat,
    a: LonLat,
    b: LonLat,
    mx: f64,
    my: f64,
) -> (LonLat, f64) {
    let (ax, ay) = ((a.0 - p.0) * mx, (a.1 - p.1) * my);
    let (bx, by) = ((b.0 - p.0) * mx, (b.1 - p.1) * my);
    let (dx, dy) = (bx - ax, by - ay);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (-(ax * dx + ay * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (qx, qy) = (ax + t * dx, ay + t * dy);
    ((p.0 + qx / mx, p.1 + qy / my), (qx * qx + qy * qy).sqrt())
}

/// At most `n` evenly spaced items.
pub(super) fn sample<T: Copy>(v: &[T], n: usize) -> impl Iterator<Item = T> + '_ {
    let step = v.len().div_ceil(n.max(1)).max(1);
    v.iter().step_by(step).copied()
}

/// What the picture shows, in degrees: the trace (longitudes unwrapped), the region's rings
/// (shifted by whole turns next to the trace), the region's box and the map's box.
pub(super) struct Scene {
    pub(super) trace: Vec<LonLat>,
    pub(super) rings: Vec<Vec<LonLat>>,
    pub(super) region_box: Option<BBox>,
    pub(super) view: BBox,
}

impl Scene {
    /// The map frames the trace (without one, the region); a trace that leaves the region
    /// also shows the border it left.
    pub(super) fn new(policy: &Policy, points: &[Point], eval: &Evaluation) -> Self {
        // The trace in degrees, longitudes unwrapped so consecutive points are less than 180° apart.
        let mut trace: Vec<LonLat> = Vec::with_capacity(points.len());
        for p in points {
            let lon = e7_to_degrees(p.lon_e7.into());
            let lat = e7_to_degrees(p.lat_e7.into());
            let lon = match trace.last() {
                Some(&(prev, _)) => prev + lon_delta(lon, prev),
                None => lon,
            };
            trace.push((lon, lat));
        }
        // Region rings back in degrees, each shifted by whole turns next to the trace.
        let mut rings: Vec<Vec<LonLat>> = policy
            .region()
            .rings()
            .iter()
            .flatten()
            .map(|ring| {
                ring.iter()
                    .map(|&(cx, cy)| {
                        (
                            e7_to_degrees((cx << CELL_SHIFT) - LON_OFFSET),
                            e7_to_degrees((cy << CELL_SHIFT) - LAT_OFFSET),
                        )
                    })
                    .collect()
            })
            .filter(|r: &Vec<LonLat>| !r.is_empty())
            .collect();
        let anchor = BBox::of(&trace)
            .map(|b| (b.west + b.east) / 2.0)
            .or_else(|| rings.first().map(|r| r[0].0));
        if let Some(anchor) = anchor {
            for ring in &mut rings {
                let b = BBox::of(ring.iter()).expect("non-empty ring");
                let mid = (b.west + b.east) / 2.0;
                let shift = ((anchor - mid) / 360.0).round() * 360.0;
                if shift != 0.0 {
                    ring.iter_mut().for_each(|c| c.0 += shift);
                }
            }
        }
        let region_box = BBox::of(rings.iter().flatten());
        let outside: Vec<usize> = eval
            .points
            .iter()
            .enumerate()
            .filter(|(_, e)| !e.inside)
            .map(|(i, _)| i)
            .collect();

        // The map frames the trace (without one, the region) with a margin.
        let mut view = BBox::of(&trace)
            .or(region_box)
            .unwrap_or(BBox {
                west: -1.0,
                south: -1.0,
                east: 1.0,
                north: 1.0,
            })
            .padded(0.2, 200.0);
        // A trace that leaves the region shows the border it left: if no edge crosses the map,
        // widen it to the nearest border point.
        if !outside.is_empty() && !trace.is_empty() {
            let edges = || {
                rings.iter().flat_map(|r| {
                    r.iter()
                        .zip(r.iter().cycle().skip(1))
                        .map(|(&a, &b)| (a, b))
                })
            };
            if !edges().any(|(a, b)| view.meets_segment(a, b)) {
                let (mx, my) = metres_per_degree(view.mid_lat());
                let mut best: Option<(LonLat, f64)> = None;
                for p in sample(&trace, 256) {
                    for (a, b) in edges() {
                        let (q, d) = nearest_on_segment(p, a, b, mx, my);
                        if best.is_none_or(|(_, bd)| d < bd) {
                            best = Some((q, d));
                        }
                    }
                }
                if let Some((q, _)) = best {
                    let grown = BBox::of(&trace).expect("trace").include(q);
                    view = grown.padded(0.1, 200.0);
                }
            }
        }

        Scene {
            trace,
            rings,
            region_box,
            view,
        }
    }
}
