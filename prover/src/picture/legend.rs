//! The legend: one entry per thing on the map and per broken rule, laid out in rows below it.

use std::collections::BTreeMap;

use svg::node::element::{Circle, Group, Path as SvgPath, Rectangle};
use zkcontrib_circuits::rules::{Evaluation, Rule};

use super::marks::{end_marker, start_marker};
use super::text::{clean, fmt1, text, text_width, wrap};
use super::{
    INK, LEGEND_GAP, LEGEND_LINE, LEGEND_SIZE, LEGEND_SWATCH, MARGIN, REGION_FILL, REGION_STROKE,
    TRACE_STROKE,
};

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
pub(super) fn rule_meaning(rule: Rule) -> &'static str {
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

pub(super) enum Swatch {
    Region,
    Trace,
    Start,
    End,
    View,
    Marker(&'static str),
    Bar(&'static str),
}

pub(super) struct Entry {
    pub(super) swatch: Swatch,
    pub(super) text: String,
    pub(super) rule: Option<Rule>,
}

/// The legend's entries: region, trace, start and end, the inset, then each broken rule with
/// the number of points that break it (or, for a rule of the whole trace, why).
pub(super) fn entries(
    eval: &Evaluation,
    rule_points: &BTreeMap<Rule, usize>,
    has_trace: bool,
    inset_shown: bool,
) -> Vec<Entry> {
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
    if has_trace {
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
    entries
}

/// Lays `entries` out in rows that fit `width`, from `legend_top` down; returns the canvas
/// height.
pub(super) fn lay_out(
    nodes: &mut Vec<Box<dyn svg::Node>>,
    entries: Vec<Entry>,
    legend_top: f64,
    width: f64,
    inner_w: f64,
) -> f64 {
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
        nodes.push(Box::new(g));
        row_h = row_h.max(lines.len() as f64 * LEGEND_LINE);
        x += w + LEGEND_GAP;
    }
    (y + row_h + MARGIN).ceil()
}

/// A legend swatch centred on (x, y).
pub(super) fn swatch(s: &Swatch, x: f64, y: f64) -> Group {
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
