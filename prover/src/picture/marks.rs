//! The marks drawn both on the map and in the legend: the region's fill and outline, the
//! start and end markers.

use super::text::fmt1;
use super::{INK, REGION_FILL, REGION_STROKE};
use svg::node::element::{Circle, Group, Path as SvgPath, Rectangle};

/// The region's fill and outline.
pub(super) fn region_group(fill: String, outline: String, stroke_width: f64) -> Group {
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

pub(super) fn start_marker(x: f64, y: f64) -> Group {
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

pub(super) fn end_marker(x: f64, y: f64) -> Group {
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
