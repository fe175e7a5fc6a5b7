//! The report's chart (`benchmarks.svg`): proving time against trace points and batch
//! verification throughput against batch size, drawn as plain SVG.

use super::*;

impl Report {
    /// Two panels: proving time vs trace points, batch throughput vs batch size.
    pub(crate) fn chart(&self) -> String {
        let prove = self.e2e.curve_1_thread();
        let batch: Vec<(f64, f64)> = self
            .verify
            .batch
            .iter()
            .map(|&(n, t)| ((n as f64).log2(), n as f64 / t))
            .collect();
        let single = 1.0 / self.verify.single_s;
        let left = panel(
            20.0,
            &format!(
                "Proving a contribution ({} shape, 1 thread)",
                self.e2e.shape.name
            ),
            "trace points",
            "seconds",
            &prove,
            None,
            |x| thousands(x as u64),
        );
        let right = panel(
            470.0,
            "Batch verification (1 thread)",
            "batch size",
            "proofs per second",
            &batch,
            Some((single, "one by one")),
            |x| format!("{}", 2f64.powf(x).round()),
        );
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 900 340\" width=\"900\" \
             height=\"340\" font-family=\"sans-serif\" font-size=\"12\">\n\
             <rect width=\"900\" height=\"340\" fill=\"white\"/>\n{left}{right}</svg>\n"
        )
    }
}

/// One line chart at horizontal offset `x0` (410 × 300), data `(x, y)`, optional reference line.
pub(crate) fn panel(
    x0: f64,
    title: &str,
    xlabel: &str,
    ylabel: &str,
    data: &[(f64, f64)],
    reference: Option<(f64, &str)>,
    xfmt: impl Fn(f64) -> String,
) -> String {
    let (left, top, w, h) = (x0 + 60.0, 40.0, 340.0, 230.0);
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<text x=\"{}\" y=\"22\" font-size=\"14\" font-weight=\"bold\">{}</text>",
        x0 + 10.0,
        xml(title)
    );
    if data.is_empty() {
        return s;
    }
    let xmin = data.iter().map(|p| p.0).fold(f64::INFINITY, f64::min);
    let xmax = data.iter().map(|p| p.0).fold(f64::NEG_INFINITY, f64::max);
    let ymax = data
        .iter()
        .map(|p| p.1)
        .chain(reference.map(|r| r.0))
        .fold(0.0, f64::max)
        * 1.1;
    let xmin = if xmin > 0.0 && xmin / xmax < 0.2 {
        0.0
    } else {
        xmin
    };
    let span = (xmax - xmin).max(1e-9);
    let px = |x: f64| left + (x - xmin) / span * w;
    let py = |y: f64| top + h - y / ymax.max(1e-12) * h;
    let _ = writeln!(
        s,
        "<rect x=\"{left}\" y=\"{top}\" width=\"{w}\" height=\"{h}\" fill=\"none\" stroke=\"#888\"/>"
    );
    for i in 0..=4 {
        let y = ymax * i as f64 / 4.0;
        let _ = writeln!(
            s,
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{y0:.1}\" y2=\"{y0:.1}\" stroke=\"#ddd\"/>\
             <text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            left + w,
            left - 6.0,
            py(y) + 4.0,
            short(y),
            y0 = py(y)
        );
    }
    // Label the x of every point, skipping labels that would overlap the previous one.
    let mut last_label = f64::NEG_INFINITY;
    for &(x, _) in data {
        if px(x) - last_label < 40.0 {
            continue;
        }
        last_label = px(x);
        let _ = writeln!(
            s,
            "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            px(x),
            top + h + 16.0,
            xml(&xfmt(x))
        );
    }
    let _ = writeln!(
        s,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\
         <text transform=\"translate({},{}) rotate(-90)\" text-anchor=\"middle\">{}</text>",
        left + w / 2.0,
        top + h + 34.0,
        xml(xlabel),
        x0 + 12.0,
        top + h / 2.0,
        xml(ylabel)
    );
    if let Some((y, label)) = reference {
        let _ = writeln!(
            s,
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{y0:.1}\" y2=\"{y0:.1}\" stroke=\"#c33\" \
             stroke-dasharray=\"5,4\"/><text x=\"{}\" y=\"{:.1}\" fill=\"#c33\" \
             text-anchor=\"end\">{}</text>",
            left + w,
            left + w - 4.0,
            py(y) - 5.0,
            xml(label),
            y0 = py(y)
        );
    }
    let pts: Vec<String> = data
        .iter()
        .map(|&(x, y)| format!("{:.1},{:.1}", px(x), py(y)))
        .collect();
    let _ = writeln!(
        s,
        "<polyline points=\"{}\" fill=\"none\" stroke=\"#1f5fa8\" stroke-width=\"2\"/>",
        pts.join(" ")
    );
    for &(x, y) in data {
        let _ = writeln!(
            s,
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3.5\" fill=\"#1f5fa8\"><title>{}: {}</title></circle>",
            px(x),
            py(y),
            xml(&xfmt(x)),
            short(y)
        );
    }
    s
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A short axis number.
fn short(y: f64) -> String {
    if y >= 100.0 {
        thousands(y.round() as u64)
    } else if y >= 10.0 {
        format!("{y:.0}")
    } else {
        format!("{y:.1}")
    }
}
