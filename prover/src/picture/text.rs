//! Text on the canvas: widths without a font engine, wrapping, escaping, `<text>` elements.

use super::{FONT, INK};
use svg::node::element::Text;

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
pub(super) fn wrap(text: &str, size: f64, max_w: f64) -> Vec<String> {
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
pub(super) fn clean(s: &str) -> String {
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

pub(super) fn text(x: f64, y: f64, size: f64, content: &str) -> Text {
    Text::new(clean(content))
        .set("x", fmt1(x))
        .set("y", fmt1(y))
        .set("font-family", FONT)
        .set("font-size", size)
        .set("fill", INK)
}

pub(super) fn fmt1(v: f64) -> String {
    format!("{v:.1}")
}
