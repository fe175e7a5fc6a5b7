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

mod frame;
mod layers;
mod legend;
mod marks;
#[cfg(test)]
mod tests;
mod text;

use svg::node::element::{ClipPath, Definitions, Polyline, Rectangle};
use svg::Document;
use zkcontrib_circuits::encode::Point;
use zkcontrib_circuits::policy::Policy;
use zkcontrib_circuits::rules::Evaluation;

use frame::{Frame, Scene};
pub use legend::rule_colour;
use marks::region_group;
pub use text::text_width;
use text::{clean, fmt1, text, wrap};

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

/// Renders the picture as an SVG document.
pub fn render(policy: &Policy, points: &[Point], eval: &Evaluation) -> String {
    let scene = Scene::new(policy, points, eval);
    let mut map = Frame::fit(scene.view, MAP_MAX, MAP_MAX);
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
    let (fill, outline) = map.region_paths(&scene.rings);
    doc_nodes.push(Box::new(
        region_group(fill, outline, 1.2).set("clip-path", "url(#map)"),
    ));
    doc_nodes.push(Box::new(
        Polyline::new()
            .set("class", "trace")
            .set("points", map.polyline(&scene.trace))
            .set("fill", "none")
            .set("stroke", TRACE_STROKE)
            .set("stroke-linejoin", "round")
            .set("clip-path", "url(#map)")
            .set("stroke-width", 1.5),
    ));

    let rule_points = layers::markers(&mut doc_nodes, &map, &scene.trace, eval);
    layers::scale_bar(&mut doc_nodes, &map);
    let inset_shown = layers::inset(&mut doc_nodes, &map, &scene);
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
    let entries = legend::entries(eval, &rule_points, !scene.trace.is_empty(), inset_shown);
    let height = legend::lay_out(
        &mut doc_nodes,
        entries,
        map.top + map_h + 14.0,
        width,
        inner_w,
    );

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
