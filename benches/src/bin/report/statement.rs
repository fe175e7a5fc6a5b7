//! The statement's own figures: chunk fill and effective constraints per real point on the
//! fixture traces (drives, walks, runs), and the compiled regions (package size, compile time,
//! peak memory) from a county to the world's land. No proving: these follow from the circuit's
//! size, the planner and the region compiler.

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;
use zkcontrib_benches::{fixtures, policy, trace};
use zkcontrib_circuits::circuit::layout;
use zkcontrib_circuits::plan::{plan, Chunking};
use zkcontrib_circuits::region::{compile, package, CompileOptions};
use zkcontrib_circuits::rules::evaluate;
use zkcontrib_circuits::shape::Shape;
use zkcontrib_prover::policy_file::read_region;
use zkcontrib_prover::runtime::peak_rss_bytes;

/// The traces of the fill table: (kind, label, trace file, policy file).
pub const TRACES: [(&str, &str, &str, &str); 7] = [
    (
        "drive",
        "city drive, San Jose (1 h, 1 Hz, simulated)",
        "city-drive-san-jose.csv",
        "santa-clara-drive.toml",
    ),
    (
        "drive",
        "highway drive, Germany (52 min, 1 Hz, simulated)",
        "highway-drive-germany.csv",
        "germany-drive.toml",
    ),
    (
        "drive",
        "drive, UK (20 min, 1 Hz, synthetic)",
        "synthetic/uk-drive.csv",
        "united-kingdom-drive.toml",
    ),
    (
        "drive",
        "car trip, Višnjan (real, 1–49 s)",
        "visnjan-car.gpx",
        "croatia-2020.toml",
    ),
    (
        "run",
        "run, Santa Clara (real Garmin, 1–12 s)",
        "garmin-activity-santa-clara.gpx",
        "santa-clara-2017.toml",
    ),
    (
        "walk",
        "walk, Santa Clara (10 Hz, synthetic)",
        "synthetic/tenhz-walk.csv",
        "santa-clara-10hz.toml",
    ),
    (
        "ride",
        "ride across 180°, Taveuni (1 Hz, synthetic)",
        "synthetic/antimeridian.csv",
        "fiji-ride.toml",
    ),
];

/// One row of the fill table.
pub struct Fill {
    pub kind: &'static str,
    pub label: &'static str,
    pub points: usize,
    /// From the first fix to the last.
    pub minutes: f64,
    pub chunks: usize,
    pub fixed: bool,
    pub fill: f64,
    /// Chunks × constraints per chunk / points.
    pub per_point: f64,
}

/// What the fill section reports for a shape.
pub struct FillFigures {
    pub shape: Shape,
    pub constraints: usize,
    pub parts: Vec<(&'static str, usize)>,
    pub rows: Vec<Fill>,
}

/// Plans every trace of [`TRACES`] for `shape`.
pub fn measure_fill(shape: Shape) -> FillFigures {
    let l = layout(shape).expect("the shape synthesizes");
    let constraints = l.total();
    let rows = TRACES
        .iter()
        .map(|&(kind, label, file, pol)| {
            let p = policy(pol);
            let points = trace(file);
            let eval = evaluate(&p, &points);
            assert!(eval.qualifies(), "{file}: {:?}", eval.violations);
            let (plans, how) = plan(&p, &shape, &points, &eval).expect("plans");
            Fill {
                kind,
                label,
                points: points.len(),
                minutes: match (points.first(), points.last()) {
                    (Some(a), Some(b)) => (b.t_ms - a.t_ms) as f64 / 60_000.0,
                    _ => 0.0,
                },
                chunks: plans.len(),
                fixed: how == Chunking::Fixed,
                fill: points.len() as f64 / (plans.len() * shape.points) as f64,
                per_point: (plans.len() * constraints) as f64 / points.len() as f64,
            }
        })
        .collect();
    FillFigures {
        shape,
        constraints,
        parts: l.breakdown(),
        rows,
    }
}

/// The regions of the region table: (label, file, feature, exclusion file). A path starting
/// with `$` names an environment variable holding the path (measured only when it is set).
pub const REGIONS: [(&str, &str, Option<&str>, Option<&str>); 8] = [
    (
        "Santa Clara County",
        "santa-clara-county.geojson",
        None,
        None,
    ),
    (
        "Croatia (Natural Earth 1:10m)",
        "slovenia-croatia.geojson",
        Some("Croatia"),
        None,
    ),
    ("Fiji (across 180°)", "fiji-10m.geojson", None, None),
    ("Germany", "germany-10m.geojson", None, None),
    ("United Kingdom", "united-kingdom-10m.geojson", None, None),
    (
        "world's land 1:110m minus the Harz zone",
        "land-110m.geojson",
        None,
        Some("harz-exclusion.geojson"),
    ),
    ("world's land 1:50m", "$ZKCONTRIB_LAND_50M", None, None),
    ("world's land 1:10m", "$ZKCONTRIB_LAND_10M", None, None),
];

/// One compiled region, measured in a child process (its own peak memory).
#[derive(serde::Deserialize)]
pub struct RegionRow {
    pub label: String,
    pub vertices: usize,
    pub items: usize,
    pub depth: u32,
    pub compile_s: f64,
    pub package_bytes: usize,
    pub load_s: f64,
    pub peak_rss: u64,
    pub repairs: usize,
}

fn resolve(file: &str) -> Option<PathBuf> {
    match file.strip_prefix('$') {
        Some(var) => std::env::var_os(var).map(PathBuf::from),
        None => Some(fixtures().join(file)),
    }
}

/// `__region LABEL FILE [FEATURE|-] [EXCLUDE|-]`: compile, package, load; print one JSON line.
pub fn region_child(args: &[String]) {
    let fail = |m: &str| -> ! {
        eprintln!("region child: {m}");
        std::process::exit(2)
    };
    let [label, file, feature, exclude] = args else {
        fail("expected LABEL FILE FEATURE EXCLUDE")
    };
    let opt = |s: &String| (s != "-").then(|| s.clone());
    let mp = read_region(std::path::Path::new(file), opt(feature).as_deref())
        .unwrap_or_else(|e| fail(&e.to_string()));
    let ex = opt(exclude).map(|p| {
        read_region(std::path::Path::new(&p), None).unwrap_or_else(|e| fail(&e.to_string()))
    });
    let t = Instant::now();
    let r = compile(&mp, ex.as_ref(), &CompileOptions::default())
        .unwrap_or_else(|e| fail(&e.to_string()));
    let compile_s = t.elapsed().as_secs_f64();
    let bytes = package::to_bytes(&r, &[0u8; 32]);
    let t = Instant::now();
    let (back, _) = package::from_bytes(&bytes).unwrap_or_else(|e| fail(&e.to_string()));
    let load_s = t.elapsed().as_secs_f64();
    assert_eq!(back.root(), r.root());
    println!(
        "{}",
        serde_json::json!({
            "label": label,
            "vertices": r.report().input_vertices,
            "items": r.items().len(),
            "depth": r.depth(),
            "compile_s": compile_s,
            "package_bytes": bytes.len(),
            "load_s": load_s,
            "peak_rss": peak_rss_bytes().unwrap_or(0),
            "repairs": r.report().repairs.len(),
        })
    );
}

/// Compiles every region of [`REGIONS`] whose file is available, each in a child process.
pub fn measure_regions(quick: bool) -> Vec<RegionRow> {
    let exe = std::env::current_exe().expect("own executable");
    REGIONS
        .iter()
        .take(if quick { 3 } else { REGIONS.len() })
        .filter_map(|&(label, file, feature, exclude)| {
            let path = resolve(file)?;
            eprintln!("   region {label}");
            let ex = exclude.map(|e| fixtures().join(e).display().to_string());
            let out = Command::new(&exe)
                .arg("__region")
                .arg(label)
                .arg(&path)
                .arg(feature.unwrap_or("-"))
                .arg(ex.as_deref().unwrap_or("-"))
                .output()
                .expect("run the region child");
            if !out.status.success() {
                panic!(
                    "region {label} failed: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
            Some(serde_json::from_slice(&out.stdout).expect("the child's JSON line"))
        })
        .collect()
}
