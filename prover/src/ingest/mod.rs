//! Trace ingest: read a recorded GPS trace from a GPX, CSV or GeoJSON file.
//!
//! The result is a list of [`RawPoint`]s in file order, not yet quantized. Every point must carry a
//! time; coordinates are WGS 84 decimal degrees. Nothing is sorted, de-duplicated or filtered here.
//!
//! # Formats
//!
//! * **GPX 1.0 / 1.1** (read with the `gpx` crate): the points of all tracks and all track segments,
//!   in document order. Waypoints (`<wpt>`) are ignored. Route points (`<rtept>`) are used **only if
//!   the file has no track points at all** (some tools export a recorded trace as a route); they
//!   then must carry times like track points. `<hdop>` and `<sat>` are read. Times are ISO 8601 as
//!   accepted by the `gpx` crate; a time without a UTC offset is taken as UTC (the GPX schema says
//!   times are UTC). The `gpx` crate rejects a whole file for things it does not accept (for example
//!   `<course>` inside a track point, or longitude exactly `180`); the error then names the point.
//! * **CSV**: comma-separated, a header row is required. Column names are matched
//!   case-insensitively after trimming: `time` (alias `timestamp`), `lat` (`latitude`), `lon`
//!   (`longitude`, `lng`) are required, `hdop` and `sats` (`sat`, `satellites`) are optional, other
//!   columns are ignored. Blank lines are skipped. A time is either RFC 3339 (for example
//!   `2017-07-29T14:46:35.123Z`) or a unix timestamp written as a decimal number: if its magnitude
//!   is at least 10^11 it is **milliseconds**, otherwise **seconds** (fractional seconds allowed,
//!   e.g. `1501339595.5`). Consequently unix-millisecond values before 1973-03-03 cannot be
//!   expressed; use RFC 3339 for those.
//! * **GeoJSON**: either (a) a `Feature` with `LineString` or `MultiLineString` geometry whose
//!   `properties.coordTimes` holds one time per coordinate (for a `MultiLineString` an array of
//!   arrays, or a flat array with one time per coordinate of all lines), or a `FeatureCollection` of
//!   such features, which are **concatenated in order**; or (b) a `FeatureCollection` of `Point`
//!   features, each with `properties.time` (alias `timestamp`), optionally `hdop` and `sats`. A
//!   single `Point` feature is accepted as a one-point trace. A time is an RFC 3339 string or a
//!   number of unix **milliseconds**. Coordinates are `[lon, lat]` or `[lon, lat, ele]`; elevation
//!   is ignored. Anything else (polygons, bare geometries, mixed collections) is rejected with
//!   [`IngestErrorKind::UnsupportedGeometry`].
//!
//! # Time rules (all formats)
//!
//! Times are converted to unix epoch milliseconds. Time-zone offsets are honoured. Sub-millisecond
//! digits are **truncated toward the earlier millisecond** (`.1239` → 123 ms). A leap second
//! (`:60`, RFC 3339 only) becomes `.999` of the previous second. Times before 1970-01-01T00:00:00Z
//! or after 9999-12-31T23:59:59.999Z are rejected with [`IngestErrorKind::TimeOutOfRange`].
//!
//! # Privacy
//!
//! Trace data is private: neither the `Debug` output of [`RawPoint`]/[`Trace`] nor any error message
//! contains coordinates. Errors name the point by its 0-based index in file order.
//!
//! # Limits
//!
//! Files larger than [`MAX_TRACE_BYTES`] or with more than [`MAX_TRACE_POINTS`] points are
//! rejected; [`Limits`] lets callers (and tests) choose other bounds. Because the `gpx` crate keeps
//! every waypoint, route point and track point in memory, a GPX file big enough to exceed the point
//! limit is first streamed to count all three kinds together; more than `max_points` of them in
//! total is [`IngestErrorKind::TooManyPoints`] even if fewer are track points.

use std::fmt;
use std::fs::File;
use std::io::Read;
use std::path::Path;

use time::OffsetDateTime;

mod csv;
mod error;
mod geojson;
mod gpx;

pub use error::{CoordProblem, IngestError, IngestErrorKind};

/// Files larger than this many bytes are rejected with [`IngestErrorKind::TooLarge`].
pub const MAX_TRACE_BYTES: u64 = 64 * 1024 * 1024;

/// Traces with more points than this are rejected with [`IngestErrorKind::TooManyPoints`].
pub const MAX_TRACE_POINTS: usize = 1_000_000;

/// The largest accepted time, 9999-12-31T23:59:59.999Z, in unix milliseconds.
pub const MAX_TIME_MS: i64 = 253_402_300_799_999;

/// One recorded fix, as read from the file (not yet quantized).
///
/// `Debug` deliberately prints no field: trace data is private.
#[derive(Clone, Copy, PartialEq)]
pub struct RawPoint {
    /// Time of the fix in unix epoch milliseconds (UTC), in `0..=MAX_TIME_MS`.
    pub time_ms: i64,
    /// Latitude in decimal degrees, finite and within `[-90, 90]`.
    pub lat: f64,
    /// Longitude in decimal degrees, finite and within `[-180, 180]`.
    pub lon: f64,
    /// Horizontal dilution of precision, if recorded (finite, not negative).
    pub hdop: Option<f32>,
    /// Number of satellites used for the fix, if recorded.
    pub sats: Option<u16>,
}

impl fmt::Debug for RawPoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawPoint").finish_non_exhaustive()
    }
}

/// The file format of a trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TraceFormat {
    /// GPS Exchange Format 1.0 or 1.1.
    Gpx,
    /// Comma-separated values with a header row.
    Csv,
    /// GeoJSON (RFC 7946).
    GeoJson,
}

impl TraceFormat {
    /// The format implied by a file name's extension (`.gpx`, `.csv`, `.geojson`, `.json`; case
    /// does not matter), or `None` for any other or no extension.
    pub fn from_path(path: &Path) -> Option<Self> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "gpx" => Some(Self::Gpx),
            "csv" => Some(Self::Csv),
            "geojson" | "json" => Some(Self::GeoJson),
            _ => None,
        }
    }

    /// Guesses the format from the content: after an optional UTF-8 byte-order mark and leading
    /// whitespace, `<` means GPX, `{` means GeoJSON, anything else CSV.
    pub fn sniff(bytes: &[u8]) -> Self {
        let first = strip_bom(bytes)
            .iter()
            .copied()
            .find(|b| !b.is_ascii_whitespace());
        match first {
            Some(b'<') => Self::Gpx,
            Some(b'{') => Self::GeoJson,
            _ => Self::Csv,
        }
    }
}

impl fmt::Display for TraceFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Gpx => "GPX",
            Self::Csv => "CSV",
            Self::GeoJson => "GeoJSON",
        })
    }
}

/// A trace read from a file: points in file order (all GPX tracks and segments, in order).
#[derive(Clone, PartialEq)]
pub struct Trace {
    /// The points, in file order.
    pub points: Vec<RawPoint>,
    /// The format the file was read as.
    pub format: TraceFormat,
}

impl fmt::Debug for Trace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Trace")
            .field("format", &self.format)
            .field("points", &self.points.len())
            .finish()
    }
}

/// Resource limits applied while reading a trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted input, in bytes.
    pub max_bytes: u64,
    /// Largest accepted number of points.
    pub max_points: usize,
}

impl Limits {
    /// The default limits: [`MAX_TRACE_BYTES`] and [`MAX_TRACE_POINTS`].
    pub const DEFAULT: Self = Self {
        max_bytes: MAX_TRACE_BYTES,
        max_points: MAX_TRACE_POINTS,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Reads a trace file with the default [`Limits`].
///
/// The format comes from the file extension (`.gpx`, `.csv`, `.geojson`/`.json`, case-insensitive);
/// for any other extension it is sniffed from the content (see [`TraceFormat::sniff`]). Errors carry
/// the path.
pub fn read_trace(path: &Path) -> Result<Trace, IngestError> {
    read_trace_with_limits(path, &Limits::DEFAULT)
}

/// Reads a trace file and encodes its points in fixed point (1e-7 degree, unix milliseconds):
/// what the rules and the circuit consume.
pub fn read_points(path: &Path) -> Result<Vec<zkcontrib_circuits::encode::Point>, IngestError> {
    let trace = read_trace(path)?;
    encode_points(&trace.points).map_err(|e| e.with_file(path))
}

/// The points of a trace's bytes in a known format, encoded (as [`read_points`] for a file).
/// `zkcontrib prove --follow` parses a growing CSV file with it.
pub fn parse_points(
    bytes: &[u8],
    format: TraceFormat,
) -> Result<Vec<zkcontrib_circuits::encode::Point>, IngestError> {
    encode_points(&parse_trace(bytes, format)?)
}

fn encode_points(raw: &[RawPoint]) -> Result<Vec<zkcontrib_circuits::encode::Point>, IngestError> {
    use zkcontrib_circuits::encode::{Point, PointError};
    raw.iter()
        .enumerate()
        .map(|(index, p)| {
            Point::from_degrees(p.lat, p.lon, p.time_ms).map_err(|e| {
                // The readers validate ranges already; this maps what they might let through.
                let kind = match e {
                    PointError::Latitude => IngestErrorKind::BadLatitude {
                        index,
                        problem: CoordProblem::OutOfRange,
                    },
                    PointError::Longitude => IngestErrorKind::BadLongitude {
                        index,
                        problem: CoordProblem::OutOfRange,
                    },
                    _ => IngestErrorKind::TimeOutOfRange { index },
                };
                IngestError::new(kind)
            })
        })
        .collect()
}

/// Like [`read_trace`], with explicit limits.
///
/// The size limit is checked against the file's metadata before anything is read, and again while
/// reading (in case the file grows).
pub fn read_trace_with_limits(path: &Path, limits: &Limits) -> Result<Trace, IngestError> {
    let by_name = TraceFormat::from_path(path);
    let fail = |kind: IngestErrorKind| {
        let err = IngestError::new(kind).with_file(path);
        match by_name {
            Some(format) => err.with_format(format),
            None => err,
        }
    };
    let file = File::open(path).map_err(|e| fail(IngestErrorKind::Io(e)))?;
    let len = file
        .metadata()
        .map_err(|e| fail(IngestErrorKind::Io(e)))?
        .len();
    if len > limits.max_bytes {
        return Err(fail(IngestErrorKind::TooLarge {
            bytes: len,
            limit: limits.max_bytes,
        }));
    }
    // `len` fits because it is at most `max_bytes`, which was just compared; fall back to no
    // pre-allocation on 32-bit targets where it might not.
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    file.take(limits.max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| fail(IngestErrorKind::Io(e)))?;
    let read = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if read > limits.max_bytes {
        return Err(fail(IngestErrorKind::TooLarge {
            bytes: read,
            limit: limits.max_bytes,
        }));
    }
    let format = by_name.unwrap_or_else(|| TraceFormat::sniff(&bytes));
    let points = parse_trace_with_limits(&bytes, format, limits).map_err(|e| e.with_file(path))?;
    Ok(Trace { points, format })
}

/// Parses trace data of a known format with the default [`Limits`].
///
/// There is no file name here, so errors carry `file() == None`.
pub fn parse_trace(bytes: &[u8], format: TraceFormat) -> Result<Vec<RawPoint>, IngestError> {
    parse_trace_with_limits(bytes, format, &Limits::DEFAULT)
}

/// Like [`parse_trace`], with explicit limits.
pub fn parse_trace_with_limits(
    bytes: &[u8],
    format: TraceFormat,
    limits: &Limits,
) -> Result<Vec<RawPoint>, IngestError> {
    parse_inner(bytes, format, limits).map_err(|e| e.with_format(format))
}

fn parse_inner(
    bytes: &[u8],
    format: TraceFormat,
    limits: &Limits,
) -> Result<Vec<RawPoint>, IngestError> {
    let len = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if len > limits.max_bytes {
        return Err(IngestError::new(IngestErrorKind::TooLarge {
            bytes: len,
            limit: limits.max_bytes,
        }));
    }
    if strip_bom(bytes).iter().all(u8::is_ascii_whitespace) {
        return Err(IngestError::new(IngestErrorKind::Empty));
    }
    if let Some(pos) = bytes.iter().position(|&b| b == 0) {
        let line = line_of_offset(bytes, pos);
        return Err(IngestError::new(IngestErrorKind::Syntax {
            line: Some(line),
            column: None,
            message: "the file contains NUL bytes (binary data or UTF-16 text, not a trace)"
                .to_owned(),
        }));
    }
    let points = match format {
        TraceFormat::Gpx => gpx::parse(bytes, limits)?,
        TraceFormat::Csv => csv::parse(bytes, limits)?,
        TraceFormat::GeoJson => geojson::parse(bytes, limits)?,
    };
    if points.is_empty() {
        return Err(IngestError::new(IngestErrorKind::Empty));
    }
    if points.len() > limits.max_points {
        return Err(IngestError::new(IngestErrorKind::TooManyPoints {
            limit: limits.max_points,
        }));
    }
    Ok(points)
}

/// Removes a leading UTF-8 byte-order mark.
pub(crate) fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// 1-based line number of a byte offset.
fn line_of_offset(bytes: &[u8], offset: usize) -> u64 {
    let newlines = bytes
        .get(..offset)
        .unwrap_or(bytes)
        .iter()
        .filter(|&&b| b == b'\n')
        .count();
    u64::try_from(newlines)
        .unwrap_or(u64::MAX)
        .saturating_add(1)
}

/// Shortens an offending value for an error message: at most 40 characters.
pub(crate) fn truncate_value(value: &str) -> String {
    truncate_chars(value, 40)
}

/// Keeps at most `max` characters of `text`, marking a cut with `…`.
pub(crate) fn truncate_chars(text: &str, max: usize) -> String {
    let mut chars = text.chars();
    let mut out: String = chars.by_ref().take(max).collect();
    if chars.next().is_some() {
        out.push('…');
    }
    out
}

/// Why a time could not be converted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TimeError {
    /// The text is not a time in an accepted syntax.
    Unparsable,
    /// A valid time, but before 1970 or after 9999.
    OutOfRange,
    /// A date and time without a UTC offset (which could be local time).
    NoOffset,
}

impl TimeError {
    /// The error kind for point `index` whose time text was `value`.
    pub(crate) fn into_kind(self, index: usize, value: &str) -> IngestErrorKind {
        match self {
            Self::Unparsable => IngestErrorKind::BadTime {
                index,
                value: truncate_value(value),
            },
            Self::OutOfRange => IngestErrorKind::TimeOutOfRange { index },
            Self::NoOffset => IngestErrorKind::TimeWithoutOffset {
                index,
                value: truncate_value(value),
            },
        }
    }
}

/// Unix milliseconds of a date-time, truncated toward the earlier millisecond.
pub(crate) fn datetime_to_ms(t: OffsetDateTime) -> Result<i64, TimeError> {
    let ms = t.unix_timestamp_nanos().div_euclid(1_000_000);
    check_ms_i128(ms)
}

fn check_ms_i128(ms: i128) -> Result<i64, TimeError> {
    if (0..=i128::from(MAX_TIME_MS)).contains(&ms) {
        i64::try_from(ms).map_err(|_| TimeError::OutOfRange)
    } else {
        Err(TimeError::OutOfRange)
    }
}

/// Parses an RFC 3339 date-time (offset required, any number of fractional digits).
/// A date and time without an offset is refused as [`TimeError::NoOffset`]: it could be local
/// time, and guessing UTC would shift the trace by hours. (GPX times are UTC by the GPX
/// specification; the GPX reader accepts them as such.)
pub(crate) fn parse_rfc3339_ms(text: &str) -> Result<i64, TimeError> {
    let rfc = &time::format_description::well_known::Rfc3339;
    match OffsetDateTime::parse(text, rfc) {
        Ok(t) => datetime_to_ms(t),
        Err(_) if OffsetDateTime::parse(&format!("{text}Z"), rfc).is_ok() => {
            Err(TimeError::NoOffset)
        }
        Err(_) => Err(TimeError::Unparsable),
    }
}

/// Whether `text` looks like a plain decimal number (`[+-]digits[.digits]`), i.e. should be read as
/// a unix timestamp rather than RFC 3339.
pub(crate) fn is_decimal_number(text: &str) -> bool {
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    let (int, frac) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    (!int.is_empty() || !frac.is_empty())
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
}

/// How a decimal unix timestamp is scaled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum UnixUnit {
    /// Always milliseconds.
    Millis,
    /// Milliseconds if the magnitude is at least 10^11, otherwise seconds.
    ByMagnitude,
}

/// Values at or above this are milliseconds under [`UnixUnit::ByMagnitude`].
const MILLIS_THRESHOLD: u128 = 100_000_000_000;

/// Parses a decimal unix timestamp exactly (no floating point), truncating below 1 ms.
pub(crate) fn parse_unix_ms(text: &str, unit: UnixUnit) -> Result<i64, TimeError> {
    if !is_decimal_number(text) {
        return Err(TimeError::Unparsable);
    }
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (int_digits, frac_digits) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let int_digits = int_digits.trim_start_matches('0');
    // More than 30 significant digits cannot be a time before the year 10000 in any unit.
    if int_digits.len() > 30 {
        return Err(TimeError::OutOfRange);
    }
    let int = int_digits.bytes().fold(0u128, |acc, b| {
        acc.saturating_mul(10)
            .saturating_add(u128::from(b.saturating_sub(b'0')))
    });
    let frac_is_zero = frac_digits.bytes().all(|b| b == b'0');
    if negative && !(int == 0 && frac_is_zero) {
        return Err(TimeError::OutOfRange);
    }
    let millis = unit == UnixUnit::Millis || int >= MILLIS_THRESHOLD;
    let ms = if millis {
        int
    } else {
        // First three fractional digits, padded with zeros; the rest is truncated.
        let frac_ms = frac_digits
            .bytes()
            .chain(std::iter::repeat(b'0'))
            .take(3)
            .fold(0u128, |acc, b| {
                acc * 10 + u128::from(b.saturating_sub(b'0'))
            });
        int.saturating_mul(1000).saturating_add(frac_ms)
    };
    let ms = i128::try_from(ms).map_err(|_| TimeError::OutOfRange)?;
    check_ms_i128(ms)
}

/// Unix milliseconds from a JSON-style floating-point number (truncated toward the earlier ms).
pub(crate) fn float_ms(value: f64) -> Result<i64, TimeError> {
    if !value.is_finite() {
        return Err(TimeError::Unparsable);
    }
    let floored = value.floor();
    // The range check is done in f64 first so that the cast below is exact.
    if floored < 0.0 || floored > MAX_TIME_MS as f64 {
        return Err(TimeError::OutOfRange);
    }
    // `floored` is an integer in 0..=MAX_TIME_MS (< 2^53), so the conversion is exact.
    let ms = floored as i64;
    check_ms_i128(i128::from(ms))
}

/// Checks a latitude value: finite and within [-90, 90] degrees (trace readers and the app
/// bindings use the same check).
pub fn check_lat(value: f64) -> Result<f64, CoordProblem> {
    check_coord(value, 90.0)
}

/// Checks a longitude value: finite and within [-180, 180] degrees.
pub fn check_lon(value: f64) -> Result<f64, CoordProblem> {
    check_coord(value, 180.0)
}

fn check_coord(value: f64, bound: f64) -> Result<f64, CoordProblem> {
    if !value.is_finite() {
        Err(CoordProblem::NotFinite)
    } else if !(-bound..=bound).contains(&value) {
        Err(CoordProblem::OutOfRange)
    } else {
        Ok(value)
    }
}

/// Parses a coordinate from text (surrounding whitespace allowed).
pub(crate) fn parse_coord(text: &str) -> Result<f64, CoordProblem> {
    let text = text.trim();
    if text.is_empty() {
        return Err(CoordProblem::Missing);
    }
    text.parse::<f64>().map_err(|_| CoordProblem::NotANumber)
}

/// Checks an HDOP value: finite, not negative, representable as `f32`.
pub(crate) fn check_hdop(value: f64) -> Option<f32> {
    // Narrowing is the point here; the result is checked to be finite.
    let narrowed = value as f32;
    (value.is_finite() && value >= 0.0 && narrowed.is_finite()).then_some(narrowed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_seconds_and_millis() {
        let by = UnixUnit::ByMagnitude;
        assert_eq!(parse_unix_ms("1501339595", by), Ok(1_501_339_595_000));
        assert_eq!(parse_unix_ms("1501339595.5", by), Ok(1_501_339_595_500));
        assert_eq!(parse_unix_ms("1501339595.1239", by), Ok(1_501_339_595_123));
        assert_eq!(parse_unix_ms("+1501339595.", by), Ok(1_501_339_595_000));
        assert_eq!(parse_unix_ms("1501339595123", by), Ok(1_501_339_595_123));
        assert_eq!(parse_unix_ms("1501339595123.9", by), Ok(1_501_339_595_123));
        assert_eq!(parse_unix_ms("99999999999", by), Ok(99_999_999_999_000));
        assert_eq!(parse_unix_ms("100000000000", by), Ok(100_000_000_000));
        assert_eq!(parse_unix_ms("0", by), Ok(0));
        assert_eq!(parse_unix_ms("-0.000", by), Ok(0));
        assert_eq!(parse_unix_ms(".5", by), Ok(500));
        assert_eq!(parse_unix_ms("-1", by), Err(TimeError::OutOfRange));
        assert_eq!(parse_unix_ms("-0.001", by), Err(TimeError::OutOfRange));
        assert_eq!(
            parse_unix_ms("253402300799999", by),
            Ok(253_402_300_799_999)
        );
        assert_eq!(
            parse_unix_ms("253402300800000", by),
            Err(TimeError::OutOfRange)
        );
        assert_eq!(
            parse_unix_ms(&"9".repeat(200), by),
            Err(TimeError::OutOfRange)
        );
        assert_eq!(
            parse_unix_ms(&format!("0000{}", "1".repeat(10)), by),
            Ok(1_111_111_111_000)
        );
        for bad in ["", ".", "+", "-", "1e9", "0x10", "1.2.3", " 1", "١٢"] {
            assert_eq!(
                parse_unix_ms(bad, by),
                Err(TimeError::Unparsable),
                "{bad:?}"
            );
        }
        assert_eq!(parse_unix_ms("1000", UnixUnit::Millis), Ok(1000));
        assert_eq!(parse_unix_ms("1000.7", UnixUnit::Millis), Ok(1000));
    }

    #[test]
    fn rfc3339() {
        assert_eq!(
            parse_rfc3339_ms("2017-07-29T14:46:35.123Z"),
            Ok(1_501_339_595_123)
        );
        assert_eq!(
            parse_rfc3339_ms("2017-07-29T16:46:35.1239+02:00"),
            Ok(1_501_339_595_123)
        );
        assert_eq!(
            parse_rfc3339_ms("2017-07-29 14:46:35Z"),
            Ok(1_501_339_595_000)
        );
        assert_eq!(parse_rfc3339_ms("1970-01-01T00:00:00Z"), Ok(0));
        assert_eq!(
            parse_rfc3339_ms("1969-12-31T23:59:59.999Z"),
            Err(TimeError::OutOfRange)
        );
        assert_eq!(
            parse_rfc3339_ms("9999-12-31T23:59:59.9999Z"),
            Ok(MAX_TIME_MS)
        );
        assert_eq!(
            parse_rfc3339_ms("2016-12-31T23:59:60Z"),
            Ok(1_483_228_799_999)
        );
        assert_eq!(
            parse_rfc3339_ms("2017-07-29T14:46:35"),
            Err(TimeError::NoOffset)
        );
        assert_eq!(
            parse_rfc3339_ms("2017-07-29T14:46:35.25"),
            Err(TimeError::NoOffset)
        );
        assert_eq!(parse_rfc3339_ms("2017-07-29"), Err(TimeError::Unparsable));
        assert_eq!(parse_rfc3339_ms("noon"), Err(TimeError::Unparsable));
    }

    #[test]
    fn float_millis() {
        assert_eq!(float_ms(1_501_339_595_123.7), Ok(1_501_339_595_123));
        assert_eq!(float_ms(-0.5), Err(TimeError::OutOfRange));
        assert_eq!(float_ms(1e300), Err(TimeError::OutOfRange));
        assert_eq!(float_ms(f64::NAN), Err(TimeError::Unparsable));
    }

    #[test]
    fn coordinates() {
        assert_eq!(parse_coord(" 37.5 "), Ok(37.5));
        assert_eq!(parse_coord(""), Err(CoordProblem::Missing));
        assert_eq!(parse_coord("abc"), Err(CoordProblem::NotANumber));
        assert_eq!(check_lat(f64::NAN), Err(CoordProblem::NotFinite));
        assert_eq!(check_lat(90.0), Ok(90.0));
        assert_eq!(check_lat(-90.1), Err(CoordProblem::OutOfRange));
        assert_eq!(check_lon(180.0), Ok(180.0));
        assert_eq!(check_lon(f64::NEG_INFINITY), Err(CoordProblem::NotFinite));
        assert_eq!(check_hdop(1.5), Some(1.5));
        assert_eq!(check_hdop(-1.0), None);
        assert_eq!(check_hdop(1e300), None);
    }

    #[test]
    fn sniffing() {
        assert_eq!(TraceFormat::sniff(b"\xEF\xBB\xBF  <?xml"), TraceFormat::Gpx);
        assert_eq!(TraceFormat::sniff(b"\n{\"type\""), TraceFormat::GeoJson);
        assert_eq!(TraceFormat::sniff(b"time,lat,lon"), TraceFormat::Csv);
        assert_eq!(TraceFormat::sniff(b""), TraceFormat::Csv);
        assert_eq!(
            TraceFormat::from_path(Path::new("a/b.GeoJSON")),
            Some(TraceFormat::GeoJson)
        );
        assert_eq!(TraceFormat::from_path(Path::new("x.txt")), None);
        assert_eq!(TraceFormat::from_path(Path::new("gpx")), None);
    }

    #[test]
    fn truncation() {
        assert_eq!(truncate_value("short"), "short");
        let long = "é".repeat(50);
        assert_eq!(truncate_value(&long).chars().count(), 41);
    }
}
