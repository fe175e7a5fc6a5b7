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
//! # region_feature = "Croatia"          # pick features by properties.name
//! # exclude = "restricted.geojson"      # zones subtracted from the region
//! # exclude_feature = "Airport"
//! ```
//! A policy states rules only: every encoding parameter is fixed by the statement or derived
//! from the region. Boundary files are repaired as needed (self-touching or self-intersecting
//! rings, antimeridian splits) and each repair is reported ([`Policy::region`]'s report,
//! printed by `zkcontrib policy`). Unknown keys are rejected, so a typo never silently weakens
//! a policy; the encoding keys of earlier versions (`grid_bits`, `region_shift`, `piece_bits`,
//! `repair_region`) are refused with a message saying they are no longer needed.
//!
//! Compiling a country's region takes seconds; [`load_policy`] keeps the compiled region in a
//! cache ([`crate::runtime::default_regions_dir`]) keyed by the SHA-256 of the boundary files
//! and the compiler version, so later loads take milliseconds.

use geo::{Geometry, MultiPolygon};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::fmt;
use std::path::{Path, PathBuf};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use zkcontrib_circuits::policy::{check_rules, Policy, PolicyError, PolicyInput, BASIS_POINTS};
use zkcontrib_circuits::region::{package, CompileOptions, Region};

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
    exclude: Option<PathBuf>,
    #[serde(default)]
    exclude_feature: Option<String>,
    // Encoding keys of statement v2, refused with an explanation.
    #[serde(default)]
    repair_region: Option<toml::Value>,
    #[serde(default)]
    grid_bits: Option<toml::Value>,
    #[serde(default)]
    region_shift: Option<toml::Value>,
    #[serde(default)]
    piece_bits: Option<toml::Value>,
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

/// The boundary files behind a policy (what its compiled region is cached by).
#[derive(Clone, Debug)]
struct Sources {
    region: (PathBuf, Option<String>),
    exclude: Option<(PathBuf, Option<String>)>,
}

/// Turns a parsed policy file into a [`PolicyInput`] (reading its region files) and the
/// boundary files it was read from.
fn to_input(
    file: &PolicyFile,
    policy_path: &Path,
) -> Result<(PolicyInput, Sources), PolicyFileError> {
    let perr = |k| PolicyFileError::new(policy_path, k);
    for (key, present) in [
        ("grid_bits", file.grid_bits.is_some()),
        ("region_shift", file.region_shift.is_some()),
        ("piece_bits", file.piece_bits.is_some()),
        ("repair_region", file.repair_region.is_some()),
    ] {
        if present {
            return Err(perr(PolicyFileErrorKind::Value {
                key,
                reason: "is no longer a policy key: statement v3 derives every encoding parameter from the rules and the region, and repairs boundaries automatically; remove it".into(),
            }));
        }
    }
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
    let base = policy_path.parent().unwrap_or_else(|| Path::new("."));
    let region_path = base.join(&file.region);
    let region = read_region(&region_path, file.region_feature.as_deref())
        .map_err(|e| named_by(policy_path, "region", &region_path, e))?;
    let exclude_path = file.exclude.as_ref().map(|p| base.join(p));
    let exclude = match &exclude_path {
        Some(p) => Some(
            read_region(p, file.exclude_feature.as_deref())
                .map_err(|e| named_by(policy_path, "exclude", p, e))?,
        ),
        None => None,
    };
    let input = PolicyInput {
        name: file.name.clone(),
        region,
        exclude,
        not_before_ms,
        not_after_ms,
        // A zero minimum still means "strictly increasing": the smallest step is 1 ms.
        min_interval_ms: min_interval_ms.max(1),
        max_interval_ms,
        max_speed_mmps: (file.max_speed_mps * 1000.0).round() as u64,
        min_points: file.min_points,
        min_distance_m: file.min_distance_m,
        min_inside_bp: (f * f64::from(BASIS_POINTS)).round() as u16,
    };
    let sources = Sources {
        region: (region_path, file.region_feature.clone()),
        exclude: exclude_path.map(|p| (p, file.exclude_feature.clone())),
    };
    Ok((input, sources))
}

/// A boundary file that cannot be read is reported on the policy that names it, with the
/// path it resolved to.
fn named_by(
    policy: &Path,
    key: &'static str,
    target: &Path,
    e: PolicyFileError,
) -> PolicyFileError {
    match e.kind {
        PolicyFileErrorKind::Io(err) => PolicyFileError::new(
            policy,
            PolicyFileErrorKind::Value {
                key,
                reason: format!(
                    "names {}, which cannot be read ({err}); paths are relative to the policy \
                     file's folder",
                    std::path::absolute(target)
                        .unwrap_or_else(|_| target.to_path_buf())
                        .display()
                ),
            },
        ),
        _ => e,
    }
}

fn parse_file(path: &Path) -> Result<PolicyFile, PolicyFileError> {
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
    if is_json {
        serde_json::from_str(&text).map_err(|e| missing_key(e.to_string()))
    } else {
        toml::from_str(&text).map_err(|e| missing_key(e.to_string()))
    }
    .map_err(|m| PolicyFileError::new(path, PolicyFileErrorKind::Syntax(m)))
}

/// The keys every policy states.
const REQUIRED_KEYS: &str = "name, region, not_before, not_after, min_interval_s, \
                             max_interval_s, max_speed_mps, min_points, min_distance_m";

/// A missing key is a property of the whole file, not of a line: serde reports it at the
/// start of the document ("line 1, column 1"), which points at the wrong place.
fn missing_key(message: String) -> String {
    match message
        .split("missing field `")
        .nth(1)
        .and_then(|r| r.split('`').next())
    {
        Some(key) => format!("missing key `{key}` (every policy states {REQUIRED_KEYS})"),
        None => message,
    }
}

/// Version of the region compiler, part of the cache key: bump it whenever
/// [`zkcontrib_circuits::region::compile()`] can produce other items for the same input.
pub const REGION_COMPILER_VERSION: &str = "zkcontrib.region-compiler.v3.4";

/// SHA-256 of what a compiled region depends on: the compiler version and the boundary files'
/// bytes and feature names.
fn source_hash(s: &Sources) -> Result<[u8; 32], PolicyFileError> {
    let mut h = Sha256::new();
    h.update(REGION_COMPILER_VERSION.as_bytes());
    let mut add = |path: &Path, feature: &Option<String>| -> Result<(), PolicyFileError> {
        let bytes = read_limited(path)?;
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(&bytes);
        let f = feature.as_deref().unwrap_or("");
        h.update((f.len() as u64).to_le_bytes());
        h.update(f.as_bytes());
        Ok(())
    };
    add(&s.region.0, &s.region.1)?;
    match &s.exclude {
        Some((p, f)) => add(p, f)?,
        None => h.update(b"no exclusion"),
    }
    Ok(h.finalize().into())
}

/// Compiles the region of `input`, or loads it from `cache` when an entry made from the same
/// boundary files exists. A corrupt or stale entry is recompiled and replaced; a cache that
/// cannot be written is not an error (the region is then compiled on every load).
fn region_for(
    input: &PolicyInput,
    sources: &Sources,
    policy_path: &Path,
    cache: Option<&Path>,
) -> Result<Region, PolicyFileError> {
    let perr = |e: PolicyError| PolicyFileError::new(policy_path, PolicyFileErrorKind::Policy(e));
    let compile = || {
        zkcontrib_circuits::region::compile(
            &input.region,
            input.exclude.as_ref(),
            &CompileOptions::default(),
        )
        .map_err(|e| perr(PolicyError::Region(e)))
    };
    let Some(dir) = cache else {
        return compile();
    };
    let key = source_hash(sources)?;
    let file = dir.join(format!("{}.zkregion", hex::encode(&key[..16])));
    if let Ok(bytes) = std::fs::read(&file) {
        if let Ok((region, src)) = package::from_bytes(&bytes) {
            if src == key {
                return Ok(region);
            }
        }
    }
    let region = compile()?;
    let bytes = package::to_bytes(&region, &key);
    if std::fs::create_dir_all(dir).is_ok() {
        let tmp = dir.join(format!(
            ".{}.{}.tmp",
            hex::encode(&key[..16]),
            std::process::id()
        ));
        if std::fs::write(&tmp, &bytes).is_ok() {
            let _ = std::fs::rename(&tmp, &file);
        }
        let _ = std::fs::remove_file(&tmp);
    }
    Ok(region)
}

/// Reads a policy file and its region files; does not encode it.
pub fn read_policy_input(path: &Path) -> Result<PolicyInput, PolicyFileError> {
    to_input(&parse_file(path)?, path).map(|(input, _)| input)
}

/// Reads, validates and encodes a policy file, with the compiled-region cache of
/// [`crate::runtime::default_regions_dir`].
pub fn load_policy(path: &Path) -> Result<Policy, PolicyFileError> {
    load_policy_cached(path, crate::runtime::default_regions_dir().as_deref())
}

/// [`load_policy`] with an explicit region cache (`None`: compile, write nothing).
pub fn load_policy_cached(path: &Path, cache: Option<&Path>) -> Result<Policy, PolicyFileError> {
    let (input, sources) = to_input(&parse_file(path)?, path)?;
    let rules = check_rules(&input)
        .map_err(|e| PolicyFileError::new(path, PolicyFileErrorKind::Policy(e)))?;
    let region = region_for(&input, &sources, path, cache)?;
    Ok(Policy::from_parts(&input.name, &rules, region))
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
    for (k, (name, g)) in geoms.into_iter().enumerate() {
        // `geo` closes an open ring silently; GeoJSON requires closed rings (RFC 7946 §3.1.6),
        // and a ring that does not end where it starts may be a truncated file: refuse it.
        let what = match &name {
            Some(n) => format!("geometry {k} (feature {n:?})"),
            None => format!("geometry {k}"),
        };
        check_rings_closed(&g.value, &what).map_err(rerr)?;
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

/// Every ring of a Polygon or MultiPolygon ends at its first position (RFC 7946 §3.1.6).
fn check_rings_closed(g: &geojson::GeometryValue, what: &str) -> Result<(), String> {
    use geojson::GeometryValue as V;
    let (polygons, multi): (Vec<&geojson::PolygonType>, bool) = match g {
        V::Polygon { coordinates } => (vec![coordinates], false),
        V::MultiPolygon { coordinates } => (coordinates.iter().collect(), true),
        _ => return Ok(()),
    };
    for (pi, rings) in polygons.iter().enumerate() {
        for (ri, ring) in rings.iter().enumerate() {
            let (Some(first), Some(last)) = (ring.first(), ring.last()) else {
                continue;
            };
            if first != last {
                let polygon = if multi {
                    format!(", polygon {pi}")
                } else {
                    String::new()
                };
                let kind = if ri == 0 {
                    "outer ring".to_string()
                } else {
                    format!("hole {ri}")
                };
                return Err(format!(
                    "{what}{polygon}: the {kind} is not closed (its last position differs from its first, \
                     {} positions); GeoJSON rings end where they start (RFC 7946 §3.1.6): repeat the \
                     first position at the end, or check that the file is complete",
                    ring.len()
                ));
            }
        }
    }
    Ok(())
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
