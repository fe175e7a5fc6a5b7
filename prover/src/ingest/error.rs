//! The error type of trace ingest.

use std::fmt::{self, Write as _};
use std::path::{Path, PathBuf};

use super::TraceFormat;

/// Why a latitude or longitude was rejected. Never carries the value itself (privacy).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CoordProblem {
    /// The value is absent or empty.
    Missing,
    /// The text is not a number.
    NotANumber,
    /// The number is NaN or infinite.
    NotFinite,
    /// The number is outside the accepted range.
    OutOfRange,
}

impl fmt::Display for CoordProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Missing => "is missing",
            Self::NotANumber => "is not a number",
            Self::NotFinite => "is not finite (NaN or infinity)",
            Self::OutOfRange => "is out of range",
        })
    }
}

/// What went wrong while reading a trace. Point indices are 0-based, in file order.
///
/// No variant carries coordinate values; the only data copied from the file are unparsable time
/// strings and auxiliary field values, truncated to 40 characters.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IngestErrorKind {
    /// The file could not be opened or read.
    #[error("cannot read the file ({0})")]
    Io(#[source] std::io::Error),
    /// The input is larger than the size limit.
    #[error("the file is too large ({bytes} bytes, the limit is {limit} bytes)")]
    TooLarge {
        /// Size of the input in bytes (or the number of bytes read before giving up).
        bytes: u64,
        /// The limit in bytes.
        limit: u64,
    },
    /// The trace has more points than the point limit.
    #[error("the trace has more than {limit} points")]
    TooManyPoints {
        /// The limit.
        limit: usize,
    },
    /// The input holds no trace points.
    #[error("no trace points found")]
    Empty,
    /// Broken XML, JSON or CSV, or a structure the format reader does not accept.
    #[error("syntax error{}: {message}", FmtPosition::of(.line, .column))]
    Syntax {
        /// 1-based line, if known.
        line: Option<u64>,
        /// 1-based column, if known.
        column: Option<u64>,
        /// What is wrong (never contains coordinates).
        message: String,
    },
    /// A point has no time.
    #[error("point {index} has no time")]
    MissingTime {
        /// Point index.
        index: usize,
    },
    /// A point's time could not be parsed.
    #[error("point {index} has an unparsable time {value:?}")]
    BadTime {
        /// Point index.
        index: usize,
        /// The offending text, truncated to 40 characters.
        value: String,
    },
    /// A point's time is a date and time without a UTC offset (it could be local time).
    #[error("point {index} has a time without a UTC offset {value:?}")]
    TimeWithoutOffset {
        /// Point index.
        index: usize,
        /// The offending text, truncated to 40 characters.
        value: String,
    },
    /// A point's time is before 1970-01-01 or after 9999-12-31.
    #[error("point {index} has a time before 1970 or after the year 9999")]
    TimeOutOfRange {
        /// Point index.
        index: usize,
    },
    /// A point's latitude is missing, not a number, not finite or outside `[-90, 90]`.
    #[error("point {index}: the latitude {problem}")]
    BadLatitude {
        /// Point index.
        index: usize,
        /// What is wrong with it.
        problem: CoordProblem,
    },
    /// A point's longitude is missing, not a number, not finite or outside `[-180, 180]`.
    #[error("point {index}: the longitude {problem}")]
    BadLongitude {
        /// Point index.
        index: usize,
        /// What is wrong with it.
        problem: CoordProblem,
    },
    /// An auxiliary value of a point (`hdop`, `sats`, a GPX numeric element) is invalid.
    #[error("point {index}: invalid {field} value {value:?}")]
    BadField {
        /// Point index.
        index: usize,
        /// Name of the field or element.
        field: &'static str,
        /// The offending text, truncated to 40 characters.
        value: String,
    },
    /// A point is malformed in some other way (missing attribute, short position, element the
    /// GPX reader rejects, …).
    #[error("point {index}: {message}")]
    BadPoint {
        /// Point index.
        index: usize,
        /// What is wrong (never contains coordinates).
        message: String,
    },
    /// The file is not a trace in any accepted format (read as CSV, its first row names none
    /// of the time, latitude and longitude columns).
    #[error("this is not a GPX, CSV or GeoJSON trace")]
    NotATrace,
    /// A required CSV column is missing from the header row.
    #[error("the header row has no {name:?} column")]
    MissingColumn {
        /// Canonical column name (`time`, `lat` or `lon`).
        name: &'static str,
    },
    /// Two CSV header columns map to the same field (e.g. `lat` and `latitude`).
    #[error("the header row has more than one {name:?} column")]
    DuplicateColumn {
        /// Canonical column name.
        name: &'static str,
    },
    /// A CSV row ends before one of the required columns.
    #[error("point {index} has too few fields ({fields}, at least {needed} needed)")]
    ShortRow {
        /// Point index.
        index: usize,
        /// Number of fields in the row.
        fields: usize,
        /// Number of fields needed to reach all required columns.
        needed: usize,
    },
    /// GeoJSON content that is not one of the accepted trace shapes.
    #[error("unsupported GeoJSON content: {what}")]
    UnsupportedGeometry {
        /// Description of what was found.
        what: String,
    },
    /// A GeoJSON line's `coordTimes` does not have one entry per coordinate.
    #[error(
        "the line starting at point {index} has {coords} coordinates but {times} coordTimes entries"
    )]
    CoordTimesMismatch {
        /// Index of the line's first point.
        index: usize,
        /// Number of coordinates.
        coords: usize,
        /// Number of times.
        times: usize,
    },
}

impl IngestErrorKind {
    /// The index of the point the error is about, if it is about one point.
    pub fn point_index(&self) -> Option<usize> {
        match *self {
            Self::MissingTime { index }
            | Self::BadTime { index, .. }
            | Self::TimeWithoutOffset { index, .. }
            | Self::TimeOutOfRange { index }
            | Self::BadLatitude { index, .. }
            | Self::BadLongitude { index, .. }
            | Self::BadField { index, .. }
            | Self::BadPoint { index, .. }
            | Self::ShortRow { index, .. }
            | Self::CoordTimesMismatch { index, .. } => Some(index),
            _ => None,
        }
    }

    /// A short hint what to do about the error, phrased for the given format.
    fn hint(&self, format: Option<TraceFormat>) -> &'static str {
        use TraceFormat::{Csv, GeoJson, Gpx};
        match (self, format) {
            (Self::Io(_), _) => "check the path and the file permissions",
            (Self::TooLarge { .. } | Self::TooManyPoints { .. }, _) => {
                "split the trace into smaller files"
            }
            (Self::Empty, Some(Gpx)) => "the file needs a <trk> with at least one timed <trkpt>",
            (Self::Empty, Some(Csv)) => "add data rows below the header row",
            (Self::Empty, Some(GeoJson)) => {
                "the file needs a line feature with coordTimes or point features with times"
            }
            (Self::Empty, _) => "the file contains no recorded points",
            (Self::Syntax { .. }, Some(Gpx)) => {
                "the file is not GPX 1.0/1.1 this reader accepts; re-export it from the recording app"
            }
            (Self::Syntax { .. }, Some(Csv)) => {
                "check the quoting and that fields are separated by commas"
            }
            (Self::Syntax { .. }, Some(GeoJson)) => "the file is not valid GeoJSON",
            (Self::Syntax { .. }, _) => "the file is damaged or not a trace file",
            (Self::MissingTime { .. }, Some(Gpx)) => "every point needs a <time> element",
            (Self::MissingTime { .. }, Some(Csv)) => "every row needs a value in the time column",
            (Self::MissingTime { .. }, Some(GeoJson)) => {
                "every point needs a time: properties.coordTimes for lines, properties.time for points"
            }
            (Self::MissingTime { .. }, _) => "every point needs a time",
            (Self::BadTime { .. }, Some(Gpx)) => {
                "write times as ISO 8601, e.g. 2017-07-29T14:46:35.123Z"
            }
            (Self::BadTime { .. }, Some(Csv)) => {
                "write times as RFC 3339 (e.g. 2017-07-29T14:46:35.123Z) or unix seconds/milliseconds"
            }
            (Self::BadTime { .. }, Some(GeoJson)) => {
                "write times as RFC 3339 strings (e.g. 2017-07-29T14:46:35.123Z) or unix milliseconds"
            }
            (Self::BadTime { .. }, _) => "write times as RFC 3339, e.g. 2017-07-29T14:46:35.123Z",
            (Self::TimeWithoutOffset { .. }, _) => {
                "it could be local time: append Z if it is UTC (2017-07-29T14:46:35Z) or its offset (2017-07-29T16:46:35+02:00); GPX times need none, they are UTC by the GPX specification"
            }
            (Self::TimeOutOfRange { .. }, _) => {
                "times must lie between 1970-01-01 and 9999-12-31 (UTC); check the clock or the units"
            }
            (Self::BadLatitude { .. }, _) => "latitudes must be decimal degrees in [-90, 90]",
            (Self::BadLongitude { .. }, Some(Gpx)) => {
                "longitudes must be decimal degrees in [-180, 180) (the GPX reader excludes 180)"
            }
            (Self::BadLongitude { .. }, _) => "longitudes must be decimal degrees in [-180, 180]",
            (Self::BadField { field: "hdop", .. }, _) => {
                "hdop must be a finite number >= 0; fix or remove the value"
            }
            (Self::BadField { field: "sats", .. }, _) => {
                "sats must be a whole number from 0 to 65535; fix or remove the value"
            }
            (Self::BadField { .. }, _) => "fix or remove the value",
            (Self::BadPoint { .. }, _) => "fix or remove that point",
            (Self::NotATrace, _) => {
                "give a GPX file, a GeoJSON line or points with times, or a CSV whose first row names the time, lat and lon columns"
            }
            (Self::MissingColumn { .. }, _) => {
                "the first row must name the time, lat and lon columns, separated by commas"
            }
            (Self::DuplicateColumn { .. }, _) => {
                "keep one column each for time, lat and lon (aliases count as the same column)"
            }
            (Self::ShortRow { .. }, _) => "every row needs as many fields as the header row",
            (Self::UnsupportedGeometry { .. }, _) => {
                "use a LineString/MultiLineString feature with properties.coordTimes, or a FeatureCollection of Point features with properties.time"
            }
            (Self::CoordTimesMismatch { .. }, _) => {
                "properties.coordTimes needs exactly one time per coordinate"
            }
        }
    }
}

/// Formats ` at line L, column C` for the parts that are known.
struct FmtPosition(Option<u64>, Option<u64>);

impl FmtPosition {
    fn of(line: &Option<u64>, column: &Option<u64>) -> Self {
        Self(*line, *column)
    }
}

impl fmt::Display for FmtPosition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.0, self.1) {
            (Some(line), Some(column)) => write!(f, " at line {line}, column {column}"),
            (Some(line), None) => write!(f, " at line {line}"),
            (None, _) => Ok(()),
        }
    }
}

/// An error from reading or parsing a trace.
///
/// `Display` renders one line: the file (when known) and line (when known), the problem with the
/// point index where there is one, and a hint what to do. It never contains coordinates.
#[derive(Debug)]
#[non_exhaustive]
pub struct IngestError {
    kind: IngestErrorKind,
    file: Option<PathBuf>,
    format: Option<TraceFormat>,
    line: Option<u64>,
}

impl IngestError {
    /// An error of the given kind without file, format or line.
    pub fn new(kind: IngestErrorKind) -> Self {
        Self {
            kind,
            file: None,
            format: None,
            line: None,
        }
    }

    /// Attaches the file path.
    #[must_use]
    pub fn with_file(mut self, path: &Path) -> Self {
        self.file = Some(path.to_path_buf());
        self
    }

    /// Attaches the format the input was read as (used for the hint), unless already set.
    #[must_use]
    pub fn with_format(mut self, format: TraceFormat) -> Self {
        self.format.get_or_insert(format);
        self
    }

    /// Attaches the 1-based line of the offending point, if known.
    #[must_use]
    pub(crate) fn with_line(mut self, line: Option<u64>) -> Self {
        self.line = line;
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> &IngestErrorKind {
        &self.kind
    }

    /// Consumes the error, returning its kind.
    pub fn into_kind(self) -> IngestErrorKind {
        self.kind
    }

    /// The file, if the error came from [`read_trace`](super::read_trace).
    pub fn file(&self) -> Option<&Path> {
        self.file.as_deref()
    }

    /// The format the input was being read as, if known.
    pub fn format(&self) -> Option<TraceFormat> {
        self.format
    }

    /// The 1-based line in the file where the offending point starts, if known. (For
    /// [`IngestErrorKind::Syntax`] the position is inside the kind instead.)
    pub fn line(&self) -> Option<u64> {
        self.line
    }
}

impl From<IngestErrorKind> for IngestError {
    fn from(kind: IngestErrorKind) -> Self {
        Self::new(kind)
    }
}

impl fmt::Display for IngestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        match (&self.file, self.line) {
            (Some(file), Some(line)) => write!(out, "{} (line {line}): ", file.display())?,
            (Some(file), None) => write!(out, "{}: ", file.display())?,
            (None, Some(line)) => write!(out, "line {line}: ")?,
            (None, None) => {}
        }
        write!(out, "{}", self.kind)?;
        let hint = self.kind.hint(self.format);
        if !hint.is_empty() {
            write!(out, "; {hint}")?;
        }
        // One line, always: file names and library messages may contain control characters.
        for c in out.chars() {
            f.write_char(if c.is_control() { ' ' } else { c })?;
        }
        Ok(())
    }
}

/// `source()` is `None`: the text of an underlying I/O error is already part of `Display` (match
/// on [`IngestErrorKind::Io`] via [`IngestError::kind`] to get at it).
impl std::error::Error for IngestError {}
