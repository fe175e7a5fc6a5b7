//! CSV input, read with the `csv` crate.

use ::csv::{ReaderBuilder, StringRecord, Trim};

use super::{
    check_hdop, check_lat, check_lon, is_decimal_number, parse_coord, parse_rfc3339_ms,
    parse_unix_ms, strip_bom, truncate_value, IngestError, IngestErrorKind, Limits, RawPoint,
    UnixUnit,
};

/// Column positions of the fields we read.
struct Columns {
    time: usize,
    lat: usize,
    lon: usize,
    hdop: Option<usize>,
    sats: Option<usize>,
}

impl Columns {
    /// Number of fields a row needs to reach all required columns.
    fn needed(&self) -> usize {
        self.time.max(self.lat).max(self.lon).saturating_add(1)
    }

    /// Maps header names (already trimmed) to columns.
    fn find(headers: &StringRecord) -> Result<Self, IngestErrorKind> {
        let mut found: [Option<usize>; 5] = [None; 5];
        const NAMES: [&str; 5] = ["time", "lat", "lon", "hdop", "sats"];
        for (column, header) in headers.iter().enumerate() {
            let slot = match header.to_ascii_lowercase().as_str() {
                "time" | "timestamp" => 0,
                "lat" | "latitude" => 1,
                "lon" | "longitude" | "lng" => 2,
                "hdop" => 3,
                "sats" | "sat" | "satellites" => 4,
                _ => continue,
            };
            if found[slot].replace(column).is_some() {
                return Err(IngestErrorKind::DuplicateColumn { name: NAMES[slot] });
            }
        }
        let [time, lat, lon, hdop, sats] = found;
        let mentions = |word: &str| {
            headers
                .iter()
                .any(|h| h.to_ascii_lowercase().contains(word))
        };
        if time.is_none()
            && lat.is_none()
            && lon.is_none()
            && !["time", "lat", "lon", "lng"].iter().any(|w| mentions(w))
        {
            // Not a CSV trace with a wrong header (`time;lat;lon` gets the comma hint), but
            // something else altogether.
            return Err(IngestErrorKind::NotATrace);
        }
        let require = |col: Option<usize>, name: &'static str| {
            col.ok_or(IngestErrorKind::MissingColumn { name })
        };
        Ok(Self {
            time: require(time, "time")?,
            lat: require(lat, "lat")?,
            lon: require(lon, "lon")?,
            hdop,
            sats,
        })
    }
}

/// Parses CSV bytes into points.
pub(super) fn parse(bytes: &[u8], limits: &Limits) -> Result<Vec<RawPoint>, IngestError> {
    let mut reader = ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(Trim::All)
        .from_reader(strip_bom(bytes));
    let headers = reader
        .headers()
        .map_err(|e| syntax(&e, "in the header row".to_owned()))?
        .clone();
    let columns = Columns::find(&headers)?;
    let mut points = Vec::new();
    let mut record = StringRecord::new();
    loop {
        let index = points.len();
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(syntax(&e, format!("in point {index}"))),
        }
        // Blank (or whitespace-only) lines carry no point.
        if record.iter().all(str::is_empty) {
            continue;
        }
        if index >= limits.max_points {
            return Err(IngestError::new(IngestErrorKind::TooManyPoints {
                limit: limits.max_points,
            }));
        }
        let line = record.position().map(::csv::Position::line);
        let point = row_to_point(index, &record, &columns)
            .map_err(|k| IngestError::new(k).with_line(line))?;
        points.push(point);
    }
    Ok(points)
}

/// Converts one data row.
fn row_to_point(
    index: usize,
    record: &StringRecord,
    columns: &Columns,
) -> Result<RawPoint, IngestErrorKind> {
    if record.len() < columns.needed() {
        return Err(IngestErrorKind::ShortRow {
            index,
            fields: record.len(),
            needed: columns.needed(),
        });
    }
    let field = |col: usize| record.get(col).unwrap_or("");
    let lat = parse_coord(field(columns.lat))
        .and_then(check_lat)
        .map_err(|problem| IngestErrorKind::BadLatitude { index, problem })?;
    let lon = parse_coord(field(columns.lon))
        .and_then(check_lon)
        .map_err(|problem| IngestErrorKind::BadLongitude { index, problem })?;
    let time_text = field(columns.time);
    if time_text.is_empty() {
        return Err(IngestErrorKind::MissingTime { index });
    }
    let time_ms = if is_decimal_number(time_text) {
        parse_unix_ms(time_text, UnixUnit::ByMagnitude)
    } else {
        parse_rfc3339_ms(time_text)
    }
    .map_err(|e| e.into_kind(index, time_text))?;
    let optional = |col: Option<usize>| col.and_then(|c| record.get(c)).filter(|t| !t.is_empty());
    let hdop = match optional(columns.hdop) {
        None => None,
        Some(text) => Some(
            text.parse::<f64>()
                .ok()
                .and_then(check_hdop)
                .ok_or_else(|| IngestErrorKind::BadField {
                    index,
                    field: "hdop",
                    value: truncate_value(text),
                })?,
        ),
    };
    let sats = match optional(columns.sats) {
        None => None,
        Some(text) => Some(text.parse::<u16>().map_err(|_| IngestErrorKind::BadField {
            index,
            field: "sats",
            value: truncate_value(text),
        })?),
    };
    Ok(RawPoint {
        time_ms,
        lat,
        lon,
        hdop,
        sats,
    })
}

/// A `csv` crate error as a syntax error (its messages carry no field contents).
fn syntax(err: &::csv::Error, context: String) -> IngestError {
    let line = err.position().map(::csv::Position::line);
    let message = match err.kind() {
        ::csv::ErrorKind::Utf8 { err, .. } => {
            format!(
                "invalid UTF-8 text in field {} {context}",
                err.field().saturating_add(1)
            )
        }
        _ => format!("{err} {context}"),
    };
    IngestError::new(IngestErrorKind::Syntax {
        line,
        column: None,
        message,
    })
}
