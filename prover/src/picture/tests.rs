//! The picture's tests: the SVG is parsed and its elements checked.

use super::layers::*;
use super::legend::*;
use super::text::*;
use super::*;
use std::collections::BTreeMap;
use std::collections::BTreeSet;
use std::path::Path;
use xml::reader::{EventReader, XmlEvent};
use zkcontrib_circuits::rules::{evaluate, Rule};

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
            XmlEvent::Characters(t) => stack.last_mut().expect("element").text.push_str(t.trim()),
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
    let long =
        "a-very-long-campaign-name-without-any-spaces-at-all-that-is-wider-than-the-canvas-itself";
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
    let p = crate::policy_file::load_policy_cached(&dir.path().join("wavy.toml"), None).unwrap();
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
