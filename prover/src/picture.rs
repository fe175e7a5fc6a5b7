//! `zkcontrib check --svg`: the region as encoded, the trace, and the violating points.

use svg::node::element::{
    Circle, ClipPath, Definitions, Path as SvgPath, Polyline, Rectangle, Text, Title,
};
use svg::Document;
use zkcontrib_circuits::encode::{e7_to_degrees, Point};
use zkcontrib_circuits::policy::Policy;
use zkcontrib_circuits::rules::Evaluation;

const WIDTH: f64 = 900.0;
const MARGIN: f64 = 20.0;

/// Renders the picture as an SVG document.
pub fn render(policy: &Policy, points: &[Point], eval: &Evaluation) -> String {
    use zkcontrib_circuits::encode::{CELL_SHIFT, LAT_OFFSET, LON_OFFSET};
    // Region rings back in degrees (the encoded, rounded region that is actually enforced).
    let rings: Vec<Vec<(f64, f64)>> = policy
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
        .collect();
    let trace: Vec<(f64, f64)> = points
        .iter()
        .map(|p| {
            (
                e7_to_degrees(p.lon_e7.into()),
                e7_to_degrees(p.lat_e7.into()),
            )
        })
        .collect();
    // Frame the trace (with a margin that shows the nearby region boundary); without a trace,
    // the region. A county-sized region would otherwise shrink a run to a few pixels.
    let focus: Vec<(f64, f64)> = if trace.is_empty() {
        rings.iter().flatten().copied().collect()
    } else {
        trace.clone()
    };
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for &(x, y) in &focus {
        x0 = x0.min(x);
        x1 = x1.max(x);
        y0 = y0.min(y);
        y1 = y1.max(y);
    }
    if x0 > x1 {
        (x0, y0, x1, y1) = (0.0, 0.0, 1.0, 1.0);
    }
    let pad = ((x1 - x0).max(y1 - y0) * 0.25).max(0.002);
    (x0, y0, x1, y1) = (x0 - pad, y0 - pad, x1 + pad, y1 + pad);
    // Equirectangular at the middle latitude, so shapes look right.
    let kx = ((y0 + y1) / 2.0).to_radians().cos().max(0.01);
    let span_x = ((x1 - x0) * kx).max(1e-9);
    let span_y = (y1 - y0).max(1e-9);
    let scale = (WIDTH - 2.0 * MARGIN) / span_x.max(span_y);
    let height = span_y * scale + 2.0 * MARGIN + 30.0;
    let width = span_x * scale + 2.0 * MARGIN;
    let px = |(x, y): (f64, f64)| {
        (
            MARGIN + (x - x0) * kx * scale,
            MARGIN + 30.0 + (y1 - y) * scale,
        )
    };

    let mut region_d = String::new();
    for ring in &rings {
        for (i, &c) in ring.iter().enumerate() {
            let (x, y) = px(c);
            region_d.push_str(&format!("{}{x:.2},{y:.2} ", if i == 0 { "M" } else { "L" }));
        }
        region_d.push_str("Z ");
    }
    let line: String = trace
        .iter()
        .map(|&c| {
            let (x, y) = px(c);
            format!("{x:.2},{y:.2} ")
        })
        .collect();
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
    let view = ClipPath::new().set("id", "view").add(
        Rectangle::new()
            .set("x", MARGIN)
            .set("y", MARGIN + 30.0)
            .set("width", (width - 2.0 * MARGIN).max(1.0))
            .set("height", (height - 2.0 * MARGIN - 30.0).max(1.0)),
    );
    let mut doc = Document::new()
        .set("viewBox", (0, 0, width.ceil() as u64, height.ceil() as u64))
        .set("width", width.ceil() as u64)
        .set("height", height.ceil() as u64)
        .add(
            Rectangle::new()
                .set("width", "100%")
                .set("height", "100%")
                .set("fill", "#ffffff"),
        )
        .add(Definitions::new().add(view))
        .add(
            Text::new(title)
                .set("x", MARGIN)
                .set("y", 20)
                .set("font-family", "sans-serif")
                .set("font-size", 14),
        )
        .add(
            SvgPath::new()
                .set("d", region_d)
                .set("fill", "#dbeafe")
                .set("fill-rule", "evenodd")
                .set("clip-path", "url(#view)")
                .set("stroke", "#1d4ed8")
                .set("stroke-width", 1),
        )
        .add(
            Polyline::new()
                .set("points", line)
                .set("fill", "none")
                .set("stroke", "#111827")
                .set("clip-path", "url(#view)")
                .set("stroke-width", 1.5),
        );
    let mut marked = std::collections::BTreeMap::new();
    for v in &eval.violations {
        if let Some(i) = v.point() {
            marked.entry(i).or_insert_with(Vec::new).push(v.to_string());
        }
    }
    for (i, why) in marked {
        if let Some(&c) = trace.get(i) {
            let (x, y) = px(c);
            doc = doc.add(
                Circle::new()
                    .set("cx", format!("{x:.2}"))
                    .set("cy", format!("{y:.2}"))
                    .set("r", 3)
                    .set("fill", "#dc2626")
                    .set("fill-opacity", 0.8)
                    .add(Title::new(why.join("; "))),
            );
        }
    }
    if let (Some(&a), Some(&b)) = (trace.first(), trace.last()) {
        for (c, color, label) in [(a, "#16a34a", "start"), (b, "#7c3aed", "end")] {
            let (x, y) = px(c);
            doc = doc.add(
                Circle::new()
                    .set("cx", format!("{x:.2}"))
                    .set("cy", format!("{y:.2}"))
                    .set("r", 5)
                    .set("fill", color)
                    .add(Title::new(label)),
            );
        }
    }
    doc.to_string()
}
