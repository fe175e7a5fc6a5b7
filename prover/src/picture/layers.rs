//! What is drawn over the region: the violation markers, start and end, the scale bar and
//! the overview inset.

use std::collections::BTreeMap;

use svg::node::element::{Circle, ClipPath, Definitions, Group, Rectangle, Title};
use zkcontrib_circuits::rules::{Evaluation, Rule};

use super::frame::{sample, Frame, LonLat, Scene};
use super::legend::rule_colour;
use super::marks::{end_marker, region_group, start_marker};
use super::text::{clean, fmt1, text, text_width};
use super::{INK, INSET_RATIO, SMALL_SIZE};

/// One marker per violating point, a ring per broken rule (largest first), hover for why;
/// then start and end. Returns the number of points that break each rule.
pub(super) fn markers(
    nodes: &mut Vec<Box<dyn svg::Node>>,
    map: &Frame,
    trace: &[LonLat],
    eval: &Evaluation,
) -> BTreeMap<Rule, usize> {
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
        nodes.push(Box::new(g));
    }
    if let (Some(&a), Some(&b)) = (trace.first(), trace.last()) {
        let (x, y) = map.px(a);
        nodes.push(Box::new(start_marker(x, y).add(Title::new("start"))));
        let (x, y) = map.px(b);
        nodes.push(Box::new(end_marker(x, y).add(Title::new("end"))));
    }
    rule_points
}

/// The scale bar, bottom left of the map.
pub(super) fn scale_bar(nodes: &mut Vec<Box<dyn svg::Node>>, map: &Frame) {
    let (map_w, map_h) = (map.width(), map.height());
    let bar_m = round_distance((map_w * 0.3).min(180.0) / map.scale);
    let bar_px = bar_m * map.scale;
    let label = distance_label(bar_m);
    let (bx, by) = (map.left + 10.0, map.top + map_h - 12.0);
    let label_w = text_width(&label, SMALL_SIZE);
    nodes.push(Box::new(
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
}

/// The overview inset: the whole region and where the map is, when the map shows a small part
/// of it. Returns whether it is drawn.
pub(super) fn inset(nodes: &mut Vec<Box<dyn svg::Node>>, map: &Frame, scene: &Scene) -> bool {
    let (map_w, map_h) = (map.width(), map.height());
    let (trace, rings, region_box, view) =
        (&scene.trace, &scene.rings, scene.region_box, scene.view);
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
                sample(trace, 2000)
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
            nodes.push(Box::new(
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
                        let (fill, outline) = ov.region_paths(rings);
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
    inset_shown
}

/// The largest 1, 2 or 5 × 10^k metres not above `max_m`.
pub(super) fn round_distance(max_m: f64) -> f64 {
    let p = 10f64.powf(max_m.log10().floor());
    [5.0, 2.0, 1.0]
        .into_iter()
        .map(|k| k * p)
        .find(|&d| d <= max_m * (1.0 + 1e-9))
        .unwrap_or(p)
}

pub(super) fn distance_label(m: f64) -> String {
    if m >= 1000.0 {
        format!("{} km", m / 1000.0)
    } else {
        format!("{m} m")
    }
}
