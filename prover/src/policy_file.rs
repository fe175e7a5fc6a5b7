//! Reading a policy file (TOML, or JSON with the same keys) and its region (GeoJSON).
//!
//! ```toml
//! name = "santa-clara-2017"
//! region = "santa-clara-county.geojson"  # relative to this file
//! not_before = "2017-07-01T00:00:00Z"
//! not_after  = "2017-08-31T23:59:59Z"
//! min_interval_s = 1
//! max_interval_s = 15
//! max_speed_mps = 10.0
//! min_points = 100
//! min_distance_m = 1000
//! min_inside_fraction = 1.0
//! # optional:
//! # region_feature = "Croatia"   # pick features by properties.name
//! # repair_region = true         # repair self-intersections (geo's MakeValid) instead of failing
//! # grid_bits = 25               # frame box 2^25 x 1e-7 degree (≈ 3.4°; regions up to 1.7°)
//! # region_shift = 8             # membership cell 2^8 x 1e-7 degree (≈ 2.8 m)
//! # piece_bits = 21              # region pieces: doubled areas below 2^21 cells² (≈ 7 km²)
//! ```
//! Unknown keys are rejected, so a typo never silently weakens a policy.

use geo::{Geometry, MakeValid, MultiPolygon};
use serde::Deserialize;
use std::fmt;
use std::path::{Path, PathBuf};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use zkcontrib_circuits::policy::{Policy, PolicyError, PolicyInput, BASIS_POINTS};
use zkcontrib_circuits::region::{DEFAULT_GRID_BITS, DEFAULT_PIECE_BITS, DEFAULT_REGION_SHIFT};

/// Largest policy or region file read, bytes.
pub const MAX_POLICY_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Deserialize)]
#[serde(untagged)]
enum TimeField {
    Text(String),
    Toml(toml::value::Datetime),
}

impl TimeField {
    fn text(&self) -> String {
        match self {
            TimeField::Text(s) => s.clone(),
            TimeField::Toml(d) => d.to_string(),
        }
    }
}

/// The keys of a policy file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    name: String,
    region: PathBuf,
    #[serde(default)]
    region_feature: Option<String>,
    not_before: TimeField,
    not_after: TimeField,
    min_interval_s: f64,
    max_interval_s: f64,
    max_speed_mps: f64,
    min_points: u64,
    min_distance_m: u64,
    #[serde(default = "one")]
    min_inside_fraction: f64,
    #[serde(default)]
    repair_region: bool,
    #[serde(default)]
    grid_bits: Option<u8>,
    #[serde(default)]
    region_shift: Option<u8>,
    #[serde(default)]
    piece_bits: Option<u32>,
}

fn one() -> f64 {
    1.0
}

/// What went wrong reading a policy.
#[derive(Debug)]
#[non_exhaustive]
pub enum PolicyFileErrorKind {
    /// The file could not be read.
    Io(std::io::Error),
    /// Larger than [`MAX_POLICY_BYTES`].
    TooLarge,
    /// Not valid TOML/JSON, an unknown key, a missing key or a value of the wrong type.
    Syntax(String),
    /// A value is out of range.
    Value {
        /// The key.
        key: &'static str,
        /// Why.
        reason: String,
    },
    /// The region file is unusable.
    Region(String),
    /// The rules are inconsistent or the region cannot be encoded.
    Policy(PolicyError),
}

/// A policy file error, naming the file.
#[derive(Debug)]
pub struct PolicyFileError {
    file: PathBuf,
    kind: PolicyFileErrorKind,
}

impl PolicyFileError {
    fn new(file: &Path, kind: PolicyFileErrorKind) -> Self {
        Self {
            file: file.to_path_buf(),
            kind,
        }
    }

    /// The file at fault (the policy, or its region file).
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// What went wrong.
    pub fn kind(&self) -> &PolicyFileErrorKind {
        &self.kind
    }
}

impl fmt::Display for PolicyFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let file = self.file.display();
        match &self.kind {
            PolicyFileErrorKind::Io(e) => write!(f, "{file}: cannot read: {e}"),
            PolicyFileErrorKind::TooLarge => {
                write!(f, "{file}: larger than {MAX_POLICY_BYTES} bytes")
            }
            PolicyFileErrorKind::Syntax(m) => {
                write!(
                    f,
                    "{file}: {}",
                    m.split_whitespace().collect::<Vec<_>>().join(" ")
                )
            }
            PolicyFileErrorKind::Value { key, reason } => write!(f, "{file}: `{key}` {reason}"),
            PolicyFileErrorKind::Region(m) => write!(f, "{file}: {m}"),
            PolicyFileErrorKind::Policy(e) => write!(f, "{file}: {e}"),
        }
    }
}

impl std::error::Error for PolicyFileError {}

fn read_limited(path: &Path) -> Result<Vec<u8>, PolicyFileError> {
    let err = |k| PolicyFileError::new(path, k);
    let meta = std::fs::metadata(path).map_err(|e| err(PolicyFileErrorKind::Io(e)))?;
    if meta.len() > MAX_POLICY_BYTES {
        return Err(err(PolicyFileErrorKind::TooLarge));
    }
    std::fs::read(path).map_err(|e| err(PolicyFileErrorKind::Io(e)))
}

fn parse_time(key: &'static str, t: &TimeField) -> Result<u64, PolicyFileErrorKind> {
    let s = t.text();
    let bad = |reason: String| PolicyFileErrorKind::Value { key, reason };
    let dt = OffsetDateTime::parse(&s, &Rfc3339).map_err(|e| {
        bad(format!(
            "is not an RFC 3339 time with offset, e.g. 2017-07-01T00:00:00Z ({e})"
        ))
    })?;
    let ms = dt.unix_timestamp_nanos().div_euclid(1_000_000);
    u64::try_from(ms).map_err(|_| bad("is before 1970".into()))
}

fn seconds_to_ms(key: &'static str, v: f64) -> Result<u64, PolicyFileErrorKind> {
    if !v.is_finite() || !(0.0..=4.0e9).contains(&v) {
        return Err(PolicyFileErrorKind::Value {
            key,
            reason: format!("must be a non-negative number of seconds (got {v})"),
        });
    }
    Ok((v * 1000.0).round() as u64)
}

/// Parses policy text (`json` selects JSON, else TOML) into a [`PolicyInput`] whose region is
/// read relative to `base_dir`.
fn to_input(file: &PolicyFile, policy_path: &Path) -> Result<PolicyInput, PolicyFileError> {
    let perr = |k| PolicyFileError::new(policy_path, k);
    let not_before_ms = parse_time("not_before", &file.not_before).map_err(perr)?;
    let not_after_ms = parse_time("not_after", &file.not_after).map_err(perr)?;
    let min_interval_ms = seconds_to_ms("min_interval_s", file.min_interval_s).map_err(perr)?;
    let max_interval_ms = seconds_to_ms("max_interval_s", file.max_interval_s).map_err(perr)?;
    if !file.max_speed_mps.is_finite() || file.max_speed_mps <= 0.0 || file.max_speed_mps > 1000.0 {
        return Err(perr(PolicyFileErrorKind::Value {
            key: "max_speed_mps",
            reason: format!("must be in (0, 1000] (got {})", file.max_speed_mps),
        }));
    }
    let f = file.min_inside_fraction;
    if !(0.0..=1.0).contains(&f) {
        return Err(perr(PolicyFileErrorKind::Value {
            key: "min_inside_fraction",
            reason: format!("must be between 0 and 1 (got {f})"),
        }));
    }
    let region_path = policy_path
        .parent()
        .unwrap_or_else(|| Path::new("."))
        .join(&file.region);
    let mut region = read_region(&region_path, file.region_feature.as_deref())?;
    if file.repair_region {
        region = region.make_valid().map_err(|e| {
            PolicyFileError::new(
                &region_path,
                PolicyFileErrorKind::Region(format!("cannot be repaired: {e}")),
            )
        })?;
    }
    Ok(PolicyInput {
        name: file.name.clone(),
        region,
        not_before_ms,
        not_after_ms,
        // A zero minimum still means "strictly increasing": the smallest step is 1 ms.
        min_interval_ms: min_interval_ms.max(1),
        max_interval_ms,
        max_speed_mmps: (file.max_speed_mps * 1000.0).round() as u64,
        min_points: file.min_points,
        min_distance_m: file.min_distance_m,
        min_inside_bp: (f * f64::from(BASIS_POINTS)).round() as u16,
        grid_bits: file.grid_bits.unwrap_or(DEFAULT_GRID_BITS),
        region_shift: file.region_shift.unwrap_or(DEFAULT_REGION_SHIFT),
        piece_bits: file.piece_bits.unwrap_or(DEFAULT_PIECE_BITS),
    })
}

/// Reads a policy file and its region; does not encode it.
pub fn read_policy_input(path: &Path) -> Result<PolicyInput, PolicyFileError> {
    let bytes = read_limited(path)?;
    let text = String::from_utf8(bytes).map_err(|_| {
        PolicyFileError::new(
            path,
            PolicyFileErrorKind::Syntax("is not UTF-8 text".into()),
        )
    })?;
    let is_json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        || text.trim_start().starts_with('{');
    let file: PolicyFile = if is_json {
        serde_json::from_str(&text).map_err(|e| e.to_string())
    } else {
        toml::from_str(&text).map_err(|e| e.to_string())
    }
    .map_err(|m| PolicyFileError::new(path, PolicyFileErrorKind::Syntax(m)))?;
    to_input(&file, path)
}

/// Reads, validates and encodes a policy file.
pub fn load_policy(path: &Path) -> Result<Policy, PolicyFileError> {
    let input = read_policy_input(path)?;
    Policy::compile(&input).map_err(|e| PolicyFileError::new(path, PolicyFileErrorKind::Policy(e)))
}

/// Reads the polygons of a GeoJSON file: a Polygon or MultiPolygon geometry, a Feature, or a
/// FeatureCollection (all polygon features, or those whose `properties.name` is `feature`).
pub fn read_region(
    path: &Path,
    feature: Option<&str>,
) -> Result<MultiPolygon<f64>, PolicyFileError> {
    let rerr = |m: String| PolicyFileError::new(path, PolicyFileErrorKind::Region(m));
    let bytes = read_limited(path)?;
    let text = std::str::from_utf8(&bytes).map_err(|_| rerr("is not UTF-8 text".into()))?;
    let gj: geojson::GeoJson = text
        .parse()
        .map_err(|e: geojson::Error| rerr(format!("is not valid GeoJSON: {e}")))?;
    let mut geoms: Vec<(Option<String>, geojson::Geometry)> = Vec::new();
    let name_of = |f: &geojson::Feature| {
        f.property("name")
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    };
    match gj {
        geojson::GeoJson::Geometry(g) => geoms.push((None, g)),
        geojson::GeoJson::Feature(f) => {
            let n = name_of(&f);
            if let Some(g) = f.geometry {
                geoms.push((n, g));
            }
        }
        geojson::GeoJson::FeatureCollection(fc) => {
            for f in fc.features {
                let n = name_of(&f);
                if let Some(g) = f.geometry {
                    geoms.push((n, g));
                }
            }
        }
    }
    if let Some(want) = feature {
        let names: Vec<String> = geoms.iter().filter_map(|(n, _)| n.clone()).collect();
        geoms.retain(|(n, _)| n.as_deref() == Some(want));
        if geoms.is_empty() {
            return Err(rerr(format!(
                "has no feature named {want:?} (names: {})",
                names.join(", ")
            )));
        }
    }
    let mut polys = Vec::new();
    for (_, g) in geoms {
        let geom: Geometry<f64> = g
            .try_into()
            .map_err(|e: geojson::Error| rerr(format!("unsupported geometry: {e}")))?;
        match geom {
            Geometry::Polygon(p) => polys.push(p),
            Geometry::MultiPolygon(mp) => polys.extend(mp.0),
            other => {
                return Err(rerr(format!(
                    "contains a {} geometry; only Polygon and MultiPolygon describe a region",
                    geometry_name(&other)
                )))
            }
        }
    }
    if polys.is_empty() {
        return Err(rerr("contains no polygon".into()));
    }
    Ok(MultiPolygon(polys))
}

fn geometry_name(g: &Geometry<f64>) -> &'static str {
    match g {
        Geometry::Point(_) => "Point",
        Geometry::Line(_) | Geometry::LineString(_) => "LineString",
        Geometry::MultiPoint(_) => "MultiPoint",
        Geometry::MultiLineString(_) => "MultiLineString",
        Geometry::GeometryCollection(_) => "GeometryCollection",
        _ => "non-polygon",
    }
}
