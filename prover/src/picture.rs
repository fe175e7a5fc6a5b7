//! `zkcontrib check --svg`: the region as encoded, the trace, and the violating points.
//!
//! One self-contained SVG (no fonts, images or scripts from elsewhere):
//!
//! - the title (policy, claims, verdict), wrapped to the canvas width;
//! - the map: the region (the encoded, rounded region that is actually enforced), the trace,
//!   one marker per violating point in the colour of each rule it breaks (hover for the
//!   violations), start and end;
//! - an overview inset with the whole region and a box marking the map, when the region is
//!   much larger than the map (the map frames the trace, so it may show no border at all);
//! - a scale bar;
//! - a legend: region, trace, start, end, the inset, and every broken rule with its colour
//!   and the number of points that break it.
//!
//! The projection is equirectangular at the map's middle latitude with the WGS84 radii the
//! statement measures distances with ([`zkcontrib_circuits::projection`]): east–west and
//! north–south metres have the same length on screen there, so the scale bar is right along
//! that latitude. Longitudes are unwrapped along the trace, so a ride across 180° stays one
//! line rather than spanning the globe.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use svg::node::element::{
    Circle, ClipPath, Definitions, Group, Path as SvgPath, Polyline, Rectangle, Text, Title,
};
use svg::Document;
use zkcontrib_circuits::encode::{e7_to_degrees, Point, CELL_SHIFT, LAT_OFFSET, LON_OFFSET};
use zkcontrib_circuits::policy::Policy;
use zkcontrib_circuits::projection::{metres_per_unit_x, metres_per_unit_y};
use zkcontrib_circuits::rules::{Evaluation, Rule};

/// The map's longer side, px.
const MAP_MAX: f64 = 860.0;
/// Space around everything, px.
const MARGIN: f64 = 20.0;
/// Narrowest canvas: a north–south trace still gets a readable title and legend.
const MIN_WIDTH: f64 = 480.0;
const TITLE_SIZE: f64 = 14.0;
const TITLE_LINE: f64 = 18.0;
const LEGEND_SIZE: f64 = 12.0;
const LEGEND_LINE: f64 = 16.0;
const LEGEND_SWATCH: f64 = 22.0;
const LEGEND_GAP: f64 = 18.0;
const SMALL_SIZE: f64 = 11.0;
/// The inset appears when the region's longer side is at least this many times the map's.
const INSET_RATIO: f64 = 3.0;
/// Path vertices closer than this to the previous one are dropped (invisible), px.
const MIN_STEP_PX: f64 = 0.3;

const REGION_FILL: &str = "#e2e8f0";
const REGION_STROKE: &str = "#334155";
const TRACE_STROKE: &str = "#52525b";
const INK: &str = "#111827";
const FONT: &str = "sans-serif";

/// The colour of a rule's markers and legend entry: the Okabe–Ito palette, which stays
/// distinguishable with the common colour-vision deficiencies, one colour per rule, fixed so a
/// rule looks the same in every picture. Region and trace use neutral greys, start and end
/// are told apart by shape, so nothing else on the map competes with these.
pub fn rule_colour(rule: Rule) -> &'static str {
    match rule {
        Rule::Encodable => "#000000",
        Rule::Region => "#d55e00",
        Rule::Window => "#cc79a7",
        Rule::Increasing => "#0072b2",
        Rule::Interval => "#e69f00",
        Rule::Speed => "#009e73",
        // Whole-trace rules: no markers, only a legend entry.
        Rule::MinPoints => "#56b4e9",
        Rule::MinDistance => "#f0e442",
        _ => "#999999",
    }
}

/// What a rule's legend entry says it means.
fn rule_meaning(rule: Rule) -> &'static str {
    match rule {
        Rule::Encodable => "cannot be encoded",
        Rule::Region => "outside the region",
        Rule::Window => "outside the time window",
        Rule::Increasing => "time not increasing",
        Rule::Interval => "interval out of bounds",
        Rule::Speed => "too fast",
        Rule::MinPoints => "too few points",
        Rule::MinDistance => "too short",
        _ => "broken",
    }
}

/// A generous estimate of the width of `s` in a sans-serif font at `size` px, from the advance
/// widths of DejaVu Sans (the widest common default; Arial and Helvetica are narrower). The
/// SVG carries no font, so the layout wraps text against this estimate.
pub fn text_width(s: &str, size: f64) -> f64 {
    let em: f64 = s
        .chars()
        .map(|c| match c {
            ' ' => 0.32,
            'i' | 'j' | 'l' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' => 0.3,
            'f' | 't' | 'r' | 'I' | '(' | ')' | '[' | ']' | '-' => 0.42,
            'm' | 'w' | 'M' | 'W' | '%' | '@' | '—' => 1.0,
            'A'..='Z' => 0.78,
            c if c.is_ascii() => 0.64,
            _ => 1.0,
        })
        .sum();
    em * size
}

/// Greedy word wrap to `max_w` px; a word wider than a line is broken between characters.
fn wrap(text: &str, size: f64, max_w: f64) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let joined = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if text_width(&joined, size) <= max_w {
            line = joined;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        for c in word.chars() {
            line.push(c);
            if text_width(&line, size) > max_w && line.chars().count() > 1 {
                line.pop();
                lines.push(std::mem::replace(&mut line, c.to_string()));
            }
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Text for the document: XML 1.0 forbids most control characters even escaped (the `svg`
/// crate escapes `&`, `<` and `>`; it writes attribute values verbatim, so none come from
/// input).
fn clean(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() || c == '\u{fffe}' || c == '\u{ffff}' {
                ' '
            } else {
                c
            }
        })
        .collect()
}

fn text(x: f64, y: f64, size: f64, content: &str) -> Text {
    Text::new(clean(content))
        .set("x", fmt1(x))
        .set("y", fmt1(y))
        .set("font-family", FONT)
        .set("font-size", size)
        .set("fill", INK)
}

fn fmt1(v: f64) -> String {
    format!("{v:.1}")
}

/// Longitude, latitude in degrees; longitudes may leave [-180, 180) after unwrapping.
type LonLat = (f64, f64);

/// A longitude–latitude box, degrees.
#[derive(Clone, Copy, Debug, PartialEq)]
struct BBox {
    west: f64,
    south: f64,
    east: f64,
    north: f64,
}

impl BBox {
    fn of<'a>(pts: impl IntoIterator<Item = &'a LonLat>) -> Option<Self> {
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

    fn include(self, (x, y): LonLat) -> Self {
        BBox {
            west: self.west.min(x),
            south: self.south.min(y),
            east: self.east.max(x),
            north: self.north.max(y),
        }
    }

    fn mid_lat(&self) -> f64 {
        (self.south + self.north) / 2.0
    }

    /// Width and height in metres at the middle latitude.
    fn size_m(&self) -> (f64, f64) {
        let (mx, my) = metres_per_degree(self.mid_lat());
        ((self.east - self.west) * mx, (self.north - self.south) * my)
    }

    /// Grown by `frac` of the longer side, and at least `min_m` metres, on every side.
    fn padded(self, frac: f64, min_m: f64) -> Self {
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
    fn meets_segment(&self, a: LonLat, b: LonLat) -> bool {
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
fn metres_per_degree(lat: f64) -> (f64, f64) {
    let my = metres_per_unit_y(lat) * 1e7;
    let mx = (metres_per_unit_x(lat) * 1e7).max(my * 0.01);
    (mx, my)
}

/// Equirectangular projection of a box into pixels, at the box's middle latitude.
#[derive(Clone, Copy, Debug)]
struct Frame {
    bbox: BBox,
    /// Metres per degree of longitude and latitude at the middle latitude.
    mx: f64,
    my: f64,
    /// Pixels per metre.
    scale: f64,
    left: f64,
    top: f64,
}

impl Frame {
    /// Fits `bbox` into `max_w` × `max_h` px.
    fn fit(bbox: BBox, max_w: f64, max_h: f64) -> Self {
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

    fn width(&self) -> f64 {
        (self.bbox.east - self.bbox.west) * self.mx * self.scale
    }

    fn height(&self) -> f64 {
        (self.bbox.north - self.bbox.south) * self.my * self.scale
    }

    fn px(&self, (x, y): LonLat) -> (f64, f64) {
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
    fn region_paths(&self, rings: &[Vec<LonLat>]) -> (String, String) {
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

    fn polyline(&self, pts: &[LonLat]) -> String {
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
fn lon_delta(a: f64, b: f64) -> f64 {
    (a - b + 180.0).rem_euclid(360.0) - 180.0
}

/// The largest 1, 2 or 5 × 10^k metres not above `max_m`.
fn round_distance(max_m: f64) -> f64 {
    let p = 10f64.powf(max_m.log10().floor());
    [5.0, 2.0, 1.0]
        .into_iter()
        .map(|k| k * p)
        .find(|&d| d <= max_m * (1.0 + 1e-9))
        .unwrap_or(p)
}

fn distance_label(m: f64) -> String {
    if m >= 1000.0 {
        format!("{} km", m / 1000.0)
    } else {
        format!("{m} m")
    }
}

/// The point of segment a–b nearest to p, in a local plane (metres per degree `mx`, `my`).
fn nearest_on_segment(p: LonLat, a: LonLat, b: LonLat, mx: f64, my: f64) -> (LonLat, f64) {
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
fn sample<T: Copy>(v: &[T], n: usize) -> impl Iterator<Item = T> + '_ {
    let step = v.len().div_ceil(n.max(1)).max(1);
    v.iter().step_by(step).copied()
}

enum Swatch {
    Region,
    Trace,
    Start,
    End,
    View,
    Marker(&'static str),
    Bar(&'static str),
}

struct Entry {
    swatch: Swatch,
    text: String,
    rule: Option<Rule>,
}

/// Renders the picture as an SVG document.
pub fn render(policy: &Policy, points: &[Point], eval: &Evaluation) -> String {
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

    let mut map = Frame::fit(view, MAP_MAX, MAP_MAX);
    let (map_w, map_h) = (map.width(), map.height());
    let width = (map_w + 2.0 * MARGIN).max(MIN_WIDTH).ceil();
    let inner_w = width - 2.0 * MARGIN;

    let title = format!(
        "{} — {} points, {} m, {} — {}",
        policy.name(),
        eval.claims.points,
        eval.claims.distance_m,
        crate::report::duration(eval.claims.duration_s),
        if eval.qualifies() {
            "qualifies".to_string()
        } else {
            format!("{} violations", eval.violations.len())
        }
    );
    let title_lines = wrap(&clean(&title), TITLE_SIZE, inner_w);
    map.left = ((width - map_w) / 2.0).max(MARGIN);
    map.top = MARGIN + title_lines.len() as f64 * TITLE_LINE;

    let mut doc_nodes: Vec<Box<dyn svg::Node>> = Vec::new();
    for (i, line) in title_lines.iter().enumerate() {
        doc_nodes.push(Box::new(text(
            MARGIN,
            MARGIN - 4.0 + (i as f64 + 0.75) * TITLE_LINE,
            TITLE_SIZE,
            line,
        )));
    }

    // The map.
    let clip = ClipPath::new().set("id", "map").add(
        Rectangle::new()
            .set("x", fmt1(map.left))
            .set("y", fmt1(map.top))
            .set("width", fmt1(map_w))
            .set("height", fmt1(map_h)),
    );
    let (fill, outline) = map.region_paths(&rings);
    doc_nodes.push(Box::new(
        region_group(fill, outline, 1.2).set("clip-path", "url(#map)"),
    ));
    doc_nodes.push(Box::new(
        Polyline::new()
            .set("class", "trace")
            .set("points", map.polyline(&trace))
            .set("fill", "none")
            .set("stroke", TRACE_STROKE)
            .set("stroke-linejoin", "round")
            .set("clip-path", "url(#map)")
            .set("stroke-width", 1.5),
    ));

    // Markers: one per violating point, a ring per broken rule (largest first), hover for why.
    let mut marked: BTreeMap<usize, Vec<(Rule, String)>> = BTreeMap::new();
    let mut rule_points: BTreeMap<Rule, usize> = BTreeMap::new();
    for v in &eval.violations {
        if let Some(i) = v.point() {
            let why = marked.entry(i).or_default();
            if !why.iter().any(|(r, _)| *r == v.rule()) {
                *rule_points.entry(v.rule()).or_default() += 1;
            }
            why.push((v.rule(), v.to_string()));
        }
    }
    for (&i, why) in &marked {
        let Some(&c) = trace.get(i) else { continue };
        let (x, y) = map.px(c);
        let mut rules: Vec<Rule> = why.iter().map(|(r, _)| *r).collect();
        rules.dedup();
        let text: Vec<&str> = why.iter().map(|(_, s)| s.as_str()).collect();
        let mut g = Group::new()
            .set("class", "violation")
            .set("data-point", i)
            .add(Title::new(clean(&text.join("; "))));
        for (k, r) in rules.iter().enumerate() {
            let radius = 3.5 + 2.0 * (rules.len() - 1 - k) as f64;
            g = g.add(
                Circle::new()
                    .set("cx", fmt1(x))
                    .set("cy", fmt1(y))
                    .set("r", radius)
                    .set("fill", rule_colour(*r))
                    .set("data-rule", r.name()),
            );
        }
        doc_nodes.push(Box::new(g));
    }
    if let (Some(&a), Some(&b)) = (trace.first(), trace.last()) {
        let (x, y) = map.px(a);
        doc_nodes.push(Box::new(start_marker(x, y).add(Title::new("start"))));
        let (x, y) = map.px(b);
        doc_nodes.push(Box::new(end_marker(x, y).add(Title::new("end"))));
    }

    // Scale bar, bottom left.
    let bar_m = round_distance((map_w * 0.3).min(180.0) / map.scale);
    let bar_px = bar_m * map.scale;
    let label = distance_label(bar_m);
    let (bx, by) = (map.left + 10.0, map.top + map_h - 12.0);
    let label_w = text_width(&label, SMALL_SIZE);
    doc_nodes.push(Box::new(
        Group::new()
            .set("class", "scale")
            .add(Title::new(format!(
                "scale along {:.2}° {}",
                map.bbox.mid_lat().abs(),
                if map.bbox.mid_lat() < 0.0 { "S" } else { "N" }
            )))
            .add(
                Rectangle::new()
                    .set("x", fmt1(bx - 5.0))
                    .set("y", fmt1(by - 20.0))
                    .set("width", fmt1(bar_px.max(label_w) + 10.0))
                    .set("height", 27)
                    .set("fill", "#ffffff")
                    .set("fill-opacity", 0.8),
            )
            .add(
                Rectangle::new()
                    .set("class", "scale-bar")
                    .set("x", format!("{bx:.2}"))
                    .set("y", fmt1(by - 3.0))
                    .set("width", format!("{bar_px:.2}"))
                    .set("height", 4)
                    .set("fill", INK),
            )
            .add(text(bx, by - 7.0, SMALL_SIZE, &label).set("class", "scale-label")),
    ));

    // Overview inset: the whole region and where the map is, when the map shows a small part.
    let mut inset_shown = false;
    if let Some(rb) = region_box {
        let (rw, rh) = rb.size_m();
        let (vw, vh) = view.size_m();
        if rw.max(rh) >= INSET_RATIO * vw.max(vh) {
            inset_shown = true;
            let side = (0.4 * map_w.min(map_h)).clamp(80.0, 220.0);
            let mut ov = Frame::fit(rb, side, side);
            let (ow, oh) = (ov.width(), ov.height());
            let pad = 6.0;
            let (bw, bh) = (ow + 2.0 * pad, oh + 2.0 * pad);
            // The corner that hides the fewest trace points (bottom left holds the scale).
            let corners = [
                (map.left + map_w - bw - 8.0, map.top + 8.0),
                (map.left + 8.0, map.top + 8.0),
                (map.left + map_w - bw - 8.0, map.top + map_h - bh - 8.0),
            ];
            let hidden = |&(cx, cy): &(f64, f64)| {
                sample(&trace, 2000)
                    .map(|c| map.px(c))
                    .filter(|&(x, y)| x >= cx && x <= cx + bw && y >= cy && y <= cy + bh)
                    .count()
            };
            let (cx, cy) = corners
                .iter()
                .copied()
                .min_by_key(|c| hidden(c))
                .expect("three corners");
            ov.left = cx + pad;
            ov.top = cy + pad;
            let clip_inset = ClipPath::new().set("id", "inset").add(
                Rectangle::new()
                    .set("x", fmt1(cx))
                    .set("y", fmt1(cy))
                    .set("width", fmt1(bw))
                    .set("height", fmt1(bh)),
            );
            let (x0, y0) = ov.px((view.west, view.north));
            let (x1, y1) = ov.px((view.east, view.south));
            // At least 6 px, so a town-sized map in a country is still found.
            let (mxc, myc) = ((x0 + x1) / 2.0, (y0 + y1) / 2.0);
            let (vw, vh) = ((x1 - x0).max(6.0), (y1 - y0).max(6.0));
            doc_nodes.push(Box::new(
                Group::new()
                    .set("class", "inset")
                    .add(Title::new("the whole region; the box is the map"))
                    .add(Definitions::new().add(clip_inset))
                    .add(
                        Rectangle::new()
                            .set("x", fmt1(cx))
                            .set("y", fmt1(cy))
                            .set("width", fmt1(bw))
                            .set("height", fmt1(bh))
                            .set("fill", "#ffffff")
                            .set("fill-opacity", 0.92)
                            .set("stroke", "#94a3b8"),
                    )
                    .add({
                        let (fill, outline) = ov.region_paths(&rings);
                        region_group(fill, outline, 0.8)
                    })
                    .add(
                        Rectangle::new()
                            .set("class", "inset-view")
                            .set("x", fmt1(mxc - vw / 2.0))
                            .set("y", fmt1(myc - vh / 2.0))
                            .set("width", fmt1(vw))
                            .set("height", fmt1(vh))
                            .set("fill", "none")
                            .set("stroke", INK)
                            .set("stroke-width", 1.5)
                            .set("clip-path", "url(#inset)"),
                    ),
            ));
        }
    }
    // The map's frame, over everything drawn on it.
    doc_nodes.push(Box::new(
        Rectangle::new()
            .set("x", fmt1(map.left))
            .set("y", fmt1(map.top))
            .set("width", fmt1(map_w))
            .set("height", fmt1(map_h))
            .set("fill", "none")
            .set("stroke", "#94a3b8"),
    ));

    // Legend, below the map, in rows that fit the width.
    let n = eval.claims.points;
    let mut entries = vec![
        Entry {
            swatch: Swatch::Region,
            text: format!("region: {} of {n} points inside", eval.inside),
            rule: None,
        },
        Entry {
            swatch: Swatch::Trace,
            text: format!("trace: {n} points"),
            rule: None,
        },
    ];
    if !trace.is_empty() {
        entries.push(Entry {
            swatch: Swatch::Start,
            text: "start".into(),
            rule: None,
        });
        entries.push(Entry {
            swatch: Swatch::End,
            text: "end".into(),
            rule: None,
        });
    }
    if inset_shown {
        entries.push(Entry {
            swatch: Swatch::View,
            text: "inset: whole region, box = this map".into(),
            rule: None,
        });
    }
    for rule in eval.broken_rules() {
        let colour = rule_colour(rule);
        let text = match rule_points.get(&rule) {
            Some(&k) => format!(
                "{} — {}: {k} point{}",
                rule.name(),
                rule_meaning(rule),
                if k == 1 { "" } else { "s" }
            ),
            None => {
                let why: Vec<String> = eval
                    .violations
                    .iter()
                    .filter(|v| v.rule() == rule)
                    .map(|v| v.to_string())
                    .collect();
                format!(
                    "{} — {}: {}",
                    rule.name(),
                    rule_meaning(rule),
                    why.join("; ")
                )
            }
        };
        entries.push(Entry {
            swatch: if rule_points.contains_key(&rule) {
                Swatch::Marker(colour)
            } else {
                Swatch::Bar(colour)
            },
            text,
            rule: Some(rule),
        });
    }
    let legend_top = map.top + map_h + 14.0;
    let (mut x, mut y, mut row_h) = (MARGIN, legend_top, 0.0f64);
    for e in entries {
        let lines = wrap(&clean(&e.text), LEGEND_SIZE, inner_w - LEGEND_SWATCH);
        let w = LEGEND_SWATCH
            + lines
                .iter()
                .map(|l| text_width(l, LEGEND_SIZE))
                .fold(0.0, f64::max);
        if x > MARGIN && x + w > width - MARGIN {
            x = MARGIN;
            y += row_h + 6.0;
            row_h = 0.0;
        }
        let mut g = Group::new().set("class", "legend-entry");
        if let Some(r) = e.rule {
            g = g.set("data-rule", r.name());
        }
        g = g.add(swatch(&e.swatch, x + 8.0, y + LEGEND_LINE / 2.0));
        for (k, l) in lines.iter().enumerate() {
            g = g.add(text(
                x + LEGEND_SWATCH,
                y + 12.0 + k as f64 * LEGEND_LINE,
                LEGEND_SIZE,
                l,
            ));
        }
        doc_nodes.push(Box::new(g));
        row_h = row_h.max(lines.len() as f64 * LEGEND_LINE);
        x += w + LEGEND_GAP;
    }
    let height = (y + row_h + MARGIN).ceil();

    let mut doc = Document::new()
        .set("viewBox", (0, 0, width as u64, height as u64))
        .set("width", width as u64)
        .set("height", height as u64)
        .add(
            Rectangle::new()
                .set("width", "100%")
                .set("height", "100%")
                .set("fill", "#ffffff"),
        )
        .add(Definitions::new().add(clip));
    for node in doc_nodes {
        doc = doc.add(node);
    }
    doc.to_string()
}

/// The region's fill and outline.
fn region_group(fill: String, outline: String, stroke_width: f64) -> Group {
    Group::new()
        .set("class", "region")
        .add(
            SvgPath::new()
                .set("d", fill)
                .set("fill", REGION_FILL)
                .set("fill-rule", "evenodd"),
        )
        .add(
            SvgPath::new()
                .set("d", outline)
                .set("fill", "none")
                .set("stroke", REGION_STROKE)
                .set("stroke-width", stroke_width)
                .set("stroke-linejoin", "round"),
        )
}

fn start_marker(x: f64, y: f64) -> Group {
    Group::new().set("class", "start").add(
        Circle::new()
            .set("cx", fmt1(x))
            .set("cy", fmt1(y))
            .set("r", 5)
            .set("fill", "#ffffff")
            .set("stroke", INK)
            .set("stroke-width", 2),
    )
}

fn end_marker(x: f64, y: f64) -> Group {
    Group::new().set("class", "end").add(
        Rectangle::new()
            .set("x", fmt1(x - 4.5))
            .set("y", fmt1(y - 4.5))
            .set("width", 9)
            .set("height", 9)
            .set("fill", INK)
            .set("stroke", "#ffffff")
            .set("stroke-width", 1),
    )
}

/// A legend swatch centred on (x, y).
fn swatch(s: &Swatch, x: f64, y: f64) -> Group {
    let g = Group::new().set("class", "swatch");
    match *s {
        Swatch::Region => g.add(
            Rectangle::new()
                .set("x", fmt1(x - 7.0))
                .set("y", fmt1(y - 5.0))
                .set("width", 14)
                .set("height", 10)
                .set("fill", REGION_FILL)
                .set("stroke", REGION_STROKE)
                .set("stroke-width", 1.2),
        ),
        Swatch::Trace => g.add(
            SvgPath::new()
                .set("d", format!("M{:.1},{:.1} h14", x - 7.0, y))
                .set("stroke", TRACE_STROKE)
                .set("stroke-width", 1.5),
        ),
        Swatch::Start => start_marker(x, y),
        Swatch::End => end_marker(x, y),
        Swatch::View => g.add(
            Rectangle::new()
                .set("x", fmt1(x - 6.0))
                .set("y", fmt1(y - 5.0))
                .set("width", 12)
                .set("height", 10)
                .set("fill", "none")
                .set("stroke", INK)
                .set("stroke-width", 1.5),
        ),
        Swatch::Marker(c) => g.add(
            Circle::new()
                .set("cx", fmt1(x))
                .set("cy", fmt1(y))
                .set("r", 4.5)
                .set("fill", c),
        ),
        Swatch::Bar(c) => g.add(
            Rectangle::new()
                .set("x", fmt1(x - 7.0))
                .set("y", fmt1(y - 4.0))
                .set("width", 14)
                .set("height", 8)
                .set("fill", c)
                .set("stroke", INK)
                .set("stroke-width", 0.5),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use std::path::Path;
    use xml::reader::{EventReader, XmlEvent};
    use zkcontrib_circuits::rules::evaluate;

    /// One parsed element.
    #[derive(Debug, Default)]
    struct El {
        name: String,
        attrs: BTreeMap<String, String>,
        text: String,
        children: Vec<El>,
    }

    impl El {
        fn attr(&self, k: &str) -> &str {
            self.attrs.get(k).map(String::as_str).unwrap_or("")
        }
        fn num(&self, k: &str) -> f64 {
            self.attr(k)
                .parse()
                .unwrap_or_else(|_| panic!("{k} of {}", self.name))
        }
        fn all(&self) -> Vec<&El> {
            let mut v = vec![self];
            for c in &self.children {
                v.extend(c.all());
            }
            v
        }
        fn class(&self, c: &str) -> Vec<&El> {
            self.all()
                .into_iter()
                .filter(|e| e.attr("class") == c)
                .collect()
        }
        fn named(&self, n: &str) -> Vec<&El> {
            self.all().into_iter().filter(|e| e.name == n).collect()
        }
        /// All text below this element.
        fn deep_text(&self) -> String {
            self.all().iter().map(|e| e.text.as_str()).collect()
        }
    }

    /// Parses the document, failing on anything not well-formed.
    fn parse(svg: &str) -> El {
        let mut stack = vec![El::default()];
        for ev in EventReader::from_str(svg) {
            match ev.unwrap_or_else(|e| panic!("not well-formed: {e}")) {
                XmlEvent::StartElement {
                    name, attributes, ..
                } => stack.push(El {
                    name: name.local_name,
                    attrs: attributes
                        .into_iter()
                        .map(|a| (a.name.local_name, a.value))
                        .collect(),
                    ..El::default()
                }),
                XmlEvent::EndElement { .. } => {
                    let e = stack.pop().expect("open element");
                    stack.last_mut().expect("parent").children.push(e);
                }
                // The `svg` crate puts text on its own line; SVG collapses that whitespace.
                XmlEvent::Characters(t) => {
                    stack.last_mut().expect("element").text.push_str(t.trim())
                }
                _ => {}
            }
        }
        let mut root = stack.pop().expect("document");
        assert!(stack.is_empty());
        assert_eq!(root.children.len(), 1);
        let svg = root.children.pop().expect("svg");
        assert_eq!(svg.name, "svg");
        svg
    }

    /// A policy over a lon/lat rectangle; `extra` lines replace the default rules.
    fn policy(dir: &Path, name: &str, (w, s, e, n): (f64, f64, f64, f64), extra: &str) -> Policy {
        let gj = format!(
            r#"{{"type":"Polygon","coordinates":[[[{w},{s}],[{e},{s}],[{e},{n}],[{w},{n}],[{w},{s}]]]}}"#
        );
        std::fs::write(dir.join("region.geojson"), gj).unwrap();
        let mut toml = format!("name = {name}\nregion = \"region.geojson\"\n{extra}");
        for line in [
            "not_before = \"2024-01-01T00:00:00Z\"",
            "not_after = \"2024-01-02T00:00:00Z\"",
            "min_interval_s = 1",
            "max_interval_s = 10",
            "max_speed_mps = 10",
            "min_points = 2",
            "min_distance_m = 10",
            "min_inside_fraction = 1.0",
        ] {
            let key = line.split(' ').next().unwrap();
            if !extra.contains(key) {
                toml.push_str(line);
                toml.push('\n');
            }
        }
        let path = dir.join("policy.toml");
        std::fs::write(&path, toml).unwrap();
        crate::policy_file::load_policy_cached(&path, None).unwrap()
    }

    const T0: i64 = 1_704_067_200_000; // 2024-01-01T00:00:00Z

    /// `n` points from (lat, lon) moving by (dlat, dlon) per second.
    fn line(lat: f64, lon: f64, dlat: f64, dlon: f64, n: usize) -> Vec<Point> {
        (0..n)
            .map(|i| {
                let k = i as f64;
                let lon = (lon + k * dlon + 180.0).rem_euclid(360.0) - 180.0;
                Point::from_degrees(lat + k * dlat, lon, T0 + 1000 * i as i64).unwrap()
            })
            .collect()
    }

    fn draw(policy: &Policy, points: &[Point]) -> (Evaluation, El) {
        let eval = evaluate(policy, points);
        let svg = render(policy, points, &eval);
        (eval, parse(&svg))
    }

    fn haversine((lat1, lon1): (f64, f64), (lat2, lon2): (f64, f64)) -> f64 {
        let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
        let (dp, dl) = (p2 - p1, (lon2 - lon1).to_radians());
        let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
        2.0 * 6_371_008.8 * a.sqrt().asin()
    }

    fn polyline_points(svg: &El) -> Vec<(f64, f64)> {
        svg.class("trace")[0]
            .attr("points")
            .split_whitespace()
            .map(|p| {
                let (x, y) = p.split_once(',').unwrap();
                (x.parse().unwrap(), y.parse().unwrap())
            })
            .collect()
    }

    fn path_points(d: &str) -> Vec<(f64, f64)> {
        d.split_whitespace()
            .filter(|t| *t != "Z")
            .map(|t| {
                let (x, y) = t[1..].split_once(',').unwrap();
                (x.parse().unwrap(), y.parse().unwrap())
            })
            .collect()
    }

    /// The map's frame: the clip rectangle.
    fn map_rect(svg: &El) -> (f64, f64, f64, f64) {
        let clip = svg
            .named("clipPath")
            .into_iter()
            .find(|c| c.attr("id") == "map")
            .expect("map clip");
        let r = &clip.children[0];
        (r.num("x"), r.num("y"), r.num("width"), r.num("height"))
    }

    /// Every text's estimated extent lies inside the canvas.
    fn assert_text_fits(svg: &El) {
        let width = svg.num("width");
        let texts = svg.named("text");
        assert!(!texts.is_empty());
        for t in texts {
            assert_eq!(t.attr("text-anchor"), "", "start-anchored text");
            let (x, size) = (t.num("x"), t.num("font-size"));
            let w = text_width(&t.text, size);
            assert!(
                x >= 0.0 && x + w <= width,
                "{:?} spans {x:.1}..{:.1}, canvas {width}",
                t.text,
                x + w
            );
        }
    }

    #[test]
    fn colours_are_distinct_and_fixed() {
        let colours: BTreeSet<&str> = Rule::ALL.iter().map(|&r| rule_colour(r)).collect();
        assert_eq!(colours.len(), Rule::ALL.len());
        assert_eq!(rule_colour(Rule::Speed), "#009e73");
        assert_eq!(rule_colour(Rule::Region), "#d55e00");
        assert!(!colours.contains(REGION_FILL) && !colours.contains(TRACE_STROKE));
    }

    #[test]
    fn well_formed_with_markup_in_the_name() {
        let dir = tempfile::tempdir().unwrap();
        let p = policy(
            dir.path(),
            r#""<b>fish & \"chips\"</b>\u0001 ]]>""#,
            (10.0, 50.0, 10.1, 50.1),
            "",
        );
        let (_, svg) = draw(&p, &line(50.05, 10.05, 0.00005, 0.0, 60));
        let title: String = svg
            .named("text")
            .iter()
            .take_while(|t| t.attr("font-size") == "14")
            .map(|t| t.text.clone())
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            title.starts_with(r#"<b>fish & "chips"</b> ]]> — 60 points"#),
            "{title}"
        );
        // Self-contained: nothing fetched from elsewhere.
        for e in svg.all() {
            assert!(!["image", "script", "foreignObject", "style"].contains(&e.name.as_str()));
            assert!(e.attrs.keys().all(|k| k != "href"), "{}", e.name);
        }
        assert_text_fits(&svg);
    }

    #[test]
    fn legend_lists_exactly_the_broken_rules() {
        let dir = tempfile::tempdir().unwrap();
        let p = policy(dir.path(), "\"mixed\"", (10.0, 50.0, 10.02, 50.02), "");
        let mut pts = line(50.01, 10.01, 0.00005, 0.0, 40);
        // Point 10 jumps 200 m east (too fast), point 20 leaves the region, point 30 comes
        // 30 s late (interval), the last point is after not_after (window).
        pts[10] = Point::from_degrees(50.0105, 10.0128, T0 + 10_000).unwrap();
        pts[20] = Point::from_degrees(50.011, 10.0202, T0 + 20_000).unwrap();
        for (i, p) in pts.iter_mut().enumerate().skip(30) {
            p.t_ms += 30_000 + if i == 39 { 86_400_000 } else { 0 };
        }
        let (eval, svg) = draw(&p, &pts);
        let broken: Vec<&str> = eval.broken_rules().iter().map(|r| r.name()).collect();
        assert_eq!(broken, ["region", "window", "interval", "speed"]);
        let entries: Vec<&El> = svg
            .class("legend-entry")
            .into_iter()
            .filter(|e| !e.attr("data-rule").is_empty())
            .collect();
        let listed: Vec<&str> = entries.iter().map(|e| e.attr("data-rule")).collect();
        assert_eq!(listed, broken);
        let mut colours = BTreeSet::new();
        for e in &entries {
            let rule = e.attr("data-rule");
            let fill = e.class("swatch")[0].children[0].attr("fill").to_string();
            // Every marker disc of the rule has the legend's colour, and the count matches.
            let discs: Vec<&El> = svg
                .all()
                .into_iter()
                .filter(|d| d.name == "circle" && d.attr("data-rule") == rule)
                .collect();
            assert!(discs.iter().all(|d| d.attr("fill") == fill), "{rule}");
            let points: BTreeSet<usize> = eval
                .violations
                .iter()
                .filter(|v| v.rule().name() == rule)
                .filter_map(|v| v.point())
                .collect();
            assert_eq!(discs.len(), points.len(), "{rule}: {:?}", eval.violations);
            let n = points.len();
            let s = if n == 1 { "" } else { "s" };
            assert!(
                e.deep_text().ends_with(&format!(": {n} point{s}")),
                "{rule}"
            );
            colours.insert(fill);
        }
        assert_eq!(colours.len(), entries.len());
        // Hover text names the violations of each marked point.
        let marks = svg.class("violation");
        assert!(marks.iter().any(|m| m.named("title")[0]
            .text
            .contains("point 20 is outside the region")));
        // A whole-trace rule is listed with its reason, without markers.
        let p = policy(
            dir.path(),
            "\"short\"",
            (10.0, 50.0, 10.02, 50.02),
            "min_distance_m = 5000\n",
        );
        let (_, svg) = draw(&p, &line(50.01, 10.01, 0.00005, 0.0, 40));
        let entries = svg.class("legend-entry");
        let short: Vec<&&El> = entries
            .iter()
            .filter(|e| e.attr("data-rule") == "min_distance")
            .collect();
        assert_eq!(short.len(), 1);
        assert!(short[0].deep_text().contains("at least 5000 m required"));
        assert!(svg.class("violation").is_empty());
        assert_text_fits(&svg);
    }

    #[test]
    fn inset_when_the_region_is_much_larger() {
        let dir = tempfile::tempdir().unwrap();
        // A 1 km walk north.
        let walk = line(45.0, 7.0, 0.00008, 0.0, 110);
        // In a region of 1° × 1° (80 × 111 km): the map shows no border, the inset does.
        let p = policy(dir.path(), "\"large\"", (6.5, 44.5, 7.5, 45.5), "");
        let (eval, svg) = draw(&p, &walk);
        assert!(eval.qualifies());
        let insets = svg.class("inset");
        assert_eq!(insets.len(), 1);
        // It holds the whole outline and a box around the map's place.
        let inset = insets[0];
        let frame = inset.named("rect")[1];
        let (fx, fy, fw, fh) = (
            frame.num("x"),
            frame.num("y"),
            frame.num("width"),
            frame.num("height"),
        );
        let region = inset.class("region")[0];
        let outline = path_points(region.children[1].attr("d"));
        assert!(outline.len() >= 4);
        for (x, y) in outline {
            assert!(x > fx && x < fx + fw && y > fy && y < fy + fh);
        }
        let view = inset.class("inset-view")[0];
        let (cx, cy) = (
            view.num("x") + view.num("width") / 2.0,
            view.num("y") + view.num("height") / 2.0,
        );
        // The walk is at the region's centre (5 km north of it).
        assert!((cx - (fx + fw / 2.0)).abs() < 2.0 && (cy - (fy + fh / 2.0)).abs() < 6.0);
        assert!(svg
            .class("legend-entry")
            .iter()
            .any(|e| e.deep_text().starts_with("inset")));
        // In a region about the size of the walk: the map shows it all, no inset.
        let p = policy(dir.path(), "\"small\"", (6.99, 44.996, 7.01, 45.012), "");
        let (eval, svg) = draw(&p, &walk);
        assert!(eval.qualifies());
        assert!(svg.class("inset").is_empty());
        assert_text_fits(&svg);
    }

    #[test]
    fn the_border_shows_when_the_trace_leaves_the_region() {
        let dir = tempfile::tempdir().unwrap();
        // A region 1.1 km across; the walk starts 5 km west of it and never arrives.
        let p = policy(dir.path(), "\"far\"", (7.0, 45.0, 7.014, 45.01), "");
        let walk = line(45.005, 6.93, 0.0, 0.00005, 60);
        let (eval, svg) = draw(&p, &walk);
        assert_eq!(eval.inside, 0);
        let (x, y, w, h) = map_rect(&svg);
        // Some stretch of the outline crosses the map.
        let on_map = |svg: &El| {
            let outline = path_points(svg.class("region")[0].children[1].attr("d"));
            outline.windows(2).any(|s| {
                (0..=100).any(|k| {
                    let t = f64::from(k) / 100.0;
                    let (px, py) = (
                        s[0].0 + t * (s[1].0 - s[0].0),
                        s[0].1 + t * (s[1].1 - s[0].1),
                    );
                    px > x && px < x + w && py > y && py < y + h
                })
            })
        };
        assert!(on_map(&svg));
        // Walking out of the region: the border is crossed on the map.
        let walk = line(45.005, 7.01, 0.0, 0.00005, 200);
        let (eval, svg) = draw(&p, &walk);
        assert!(eval.inside > 0 && eval.inside < 200);
        assert!(on_map(&svg));
        assert!(svg.class("inset").is_empty());
    }

    /// The scale bar's label is a round distance, and its length is what the trace's own
    /// pixels say a metre is (haversine on the sphere, so within 1 % of WGS84).
    #[test]
    fn scale_bar_is_round_and_true() {
        let dir = tempfile::tempdir().unwrap();
        for (lat, dlat, dlon) in [
            (45.0, 0.0001, 0.0),
            (60.0, 0.0, 0.0001),
            (-33.9, 0.00007, 0.00007),
        ] {
            let p = policy(
                dir.path(),
                "\"scale\"",
                (5.0, lat - 1.0, 9.0, lat + 1.0),
                "max_speed_mps = 30\n",
            );
            let walk = line(lat, 7.0, dlat, dlon, 200);
            let (_, svg) = draw(&p, &walk);
            let label = svg.class("scale-label")[0].text.clone();
            let (value, unit) = label.split_once(' ').unwrap();
            let metres = value.parse::<f64>().unwrap() * if unit == "km" { 1000.0 } else { 1.0 };
            assert!(unit == "m" || unit == "km", "{label}");
            let mantissa = metres / 10f64.powf(metres.log10().floor());
            assert!(
                [1.0, 2.0, 5.0].iter().any(|m| (mantissa - m).abs() < 1e-9),
                "{label}"
            );
            let bar = svg.class("scale-bar")[0].num("width");
            let line_px = polyline_points(&svg);
            let (a, b) = (line_px[0], line_px[line_px.len() - 1]);
            let px = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
            let first = (walk[0].lat_e7 as f64 / 1e7, walk[0].lon_e7 as f64 / 1e7);
            let last = walk.last().unwrap();
            let last = (last.lat_e7 as f64 / 1e7, last.lon_e7 as f64 / 1e7);
            let px_per_m = px / haversine(first, last);
            let err = bar / (metres * px_per_m) - 1.0;
            assert!(err.abs() < 0.01, "{label}: {bar} px, error {err}");
            // A readable bar: between 40 px and a third of the map.
            let (_, _, w, _) = map_rect(&svg);
            assert!(bar >= 40.0 && bar <= w / 3.0, "{bar} of {w}");
        }
    }

    #[test]
    fn text_fits_a_narrow_canvas() {
        let dir = tempfile::tempdir().unwrap();
        let long = "a-very-long-campaign-name-without-any-spaces-at-all-that-is-wider-than-the-canvas-itself";
        let p = policy(
            dir.path(),
            &format!("\"{long} and then some words after it\""),
            (7.0, 45.0, 7.01, 45.5),
            "max_interval_s = 1\nmin_distance_m = 500000\n",
        );
        // North–south: the map is narrow, so the canvas takes its minimum width.
        let mut walk = line(45.1, 7.005, 0.0001, 0.0, 300);
        walk[100].t_ms += 5000;
        let (eval, svg) = draw(&p, &walk);
        assert!(!eval.qualifies());
        assert_eq!(svg.num("width"), MIN_WIDTH);
        let titles = svg
            .named("text")
            .into_iter()
            .filter(|t| t.attr("font-size") == "14")
            .count();
        assert!(titles >= 3, "{titles} title lines");
        assert_text_fits(&svg);
        // Every element lies above the bottom edge.
        let height = svg.num("height");
        for t in svg.named("text") {
            assert!(t.num("y") <= height - 4.0);
        }
    }

    #[test]
    fn a_ride_across_the_antimeridian_is_drawn_where_it_is() {
        let dir = tempfile::tempdir().unwrap();
        let p = policy(dir.path(), "\"seam\"", (-180.0, -17.0, -179.9, -16.8), "");
        // 3 km east across 180°, from 179.99° E.
        let walk = line(-16.9, 179.99, 0.0, 0.0001, 300);
        let (_, svg) = draw(&p, &walk);
        let label = svg.class("scale-label")[0].text.clone();
        assert!(label.ends_with(" m") || label == "1 km", "{label}");
        let pts = polyline_points(&svg);
        assert!(pts.windows(2).all(|w| (w[1].0 - w[0].0).abs() < 20.0));
    }

    /// Even–odd test of a pixel against a fill path.
    fn in_fill(d: &str, (px, py): (f64, f64)) -> bool {
        let mut inside = false;
        for ring in d.split('Z').map(path_points).filter(|r| r.len() > 1) {
            for (i, &(x1, y1)) in ring.iter().enumerate() {
                let (x2, y2) = ring[(i + 1) % ring.len()];
                if (y1 > py) != (y2 > py) && px < x1 + (py - y1) / (y2 - y1) * (x2 - x1) {
                    inside = !inside;
                }
            }
        }
        inside
    }

    /// Off-map vertices are dropped without changing what the map shows.
    #[test]
    fn off_map_vertices_are_dropped_and_the_fill_is_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        // A 2,000-gon of radius 0.5° (a wavy one, so runs change sides) around 45° N 7° E.
        let ring: Vec<String> = (0..=2000)
            .map(|i| {
                let a = std::f64::consts::TAU * f64::from(i % 2000) / 2000.0;
                let r = 0.5 + 0.02 * (a * 40.0).sin();
                format!(
                    "[{},{}]",
                    7.0 + r * a.cos() / 45f64.to_radians().cos(),
                    45.0 + r * a.sin()
                )
            })
            .collect();
        let gj = format!(
            r#"{{"type":"Polygon","coordinates":[[{}]]}}"#,
            ring.join(",")
        );
        std::fs::write(dir.path().join("wavy.geojson"), gj).unwrap();
        let toml = "name = \"wavy\"\nregion = \"wavy.geojson\"\n\
             not_before = \"2024-01-01T00:00:00Z\"\nnot_after = \"2024-01-02T00:00:00Z\"\n\
             min_interval_s = 1\nmax_interval_s = 10\nmax_speed_mps = 10\n\
             min_points = 2\nmin_distance_m = 10\nmin_inside_fraction = 0.1\n";
        std::fs::write(dir.path().join("wavy.toml"), toml).unwrap();
        let p =
            crate::policy_file::load_policy_cached(&dir.path().join("wavy.toml"), None).unwrap();
        // A walk east across the eastern edge (7.7° E).
        let walk = line(45.0, 7.68, 0.0, 0.00005, 800);
        let (eval, svg) = draw(&p, &walk);
        assert!(eval.inside > 0 && eval.inside < 800);
        let d = svg.class("region")[0].children[0].attr("d").to_string();
        let vertices = path_points(&d).len();
        assert!(vertices < 200, "{vertices} vertices drawn");
        // The fill agrees with the evaluation at every trace point the map shows.
        let line_px = polyline_points(&svg);
        assert_eq!(line_px.len(), 800);
        for (i, &q) in line_px.iter().enumerate() {
            assert_eq!(in_fill(&d, q), eval.points[i].inside, "point {i}");
        }
    }

    #[test]
    fn wrap_breaks_words_and_lines() {
        assert_eq!(wrap("a b", 12.0, 1000.0), ["a b"]);
        let lines = wrap("aaaa bbbb cccc", 10.0, text_width("aaaa bbbb", 10.0));
        assert_eq!(lines, ["aaaa bbbb", "cccc"]);
        let lines = wrap("abcdefghij", 10.0, text_width("abcd", 10.0));
        assert_eq!(lines, ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 10.0, 50.0), [""]);
        assert_eq!(round_distance(180.0), 100.0);
        assert_eq!(round_distance(2500.0), 2000.0);
        assert_eq!(round_distance(5.0), 5.0);
        assert_eq!(distance_label(2000.0), "2 km");
        assert_eq!(distance_label(500.0), "500 m");
    }
}
