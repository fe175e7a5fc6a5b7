//! GeoJSON input, read with the `geojson` crate.

use ::geojson::{Feature, GeoJson, GeometryValue, JsonObject, JsonValue, Position};
use serde_json::error::Category;

use super::{
    check_hdop, check_lat, check_lon, float_ms, parse_rfc3339_ms, strip_bom, truncate_chars,
    truncate_value, IngestError, IngestErrorKind, Limits, RawPoint, TimeError, MAX_TIME_MS,
};

/// Parses GeoJSON bytes into points.
pub(super) fn parse(bytes: &[u8], limits: &Limits) -> Result<Vec<RawPoint>, IngestError> {
    let doc: GeoJson = serde_json::from_slice(strip_bom(bytes)).map_err(|e| json_error(&e))?;
    let features = match doc {
        GeoJson::Geometry(g) => {
            return Err(unsupported(format!(
                "a bare {} geometry without times",
                g.value.type_name()
            )))
        }
        GeoJson::Feature(f) => vec![f],
        GeoJson::FeatureCollection(fc) => fc.features,
    };
    let kinds: Vec<Shape> = features
        .iter()
        .enumerate()
        .map(|(i, f)| Shape::of(i, f))
        .collect::<Result<_, _>>()?;
    if kinds.iter().all(|k| *k == Shape::Point) {
        from_point_features(&features, limits)
    } else if kinds.iter().all(|k| *k == Shape::Line) {
        from_line_features(&features, limits)
    } else {
        Err(unsupported(
            "a FeatureCollection mixing Point and line features".to_owned(),
        ))
    }
}

/// The two accepted feature shapes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    Point,
    Line,
}

impl Shape {
    fn of(i: usize, feature: &Feature) -> Result<Self, IngestError> {
        match feature.geometry.as_ref().map(|g| &g.value) {
            Some(GeometryValue::Point { .. }) => Ok(Self::Point),
            Some(GeometryValue::LineString { .. } | GeometryValue::MultiLineString { .. }) => {
                Ok(Self::Line)
            }
            Some(other) => Err(unsupported(format!(
                "feature {i} has {} geometry",
                other.type_name()
            ))),
            None => Err(unsupported(format!("feature {i} has no geometry"))),
        }
    }
}

fn unsupported(what: String) -> IngestError {
    IngestError::new(IngestErrorKind::UnsupportedGeometry { what })
}

fn too_many(limits: &Limits) -> IngestError {
    IngestError::new(IngestErrorKind::TooManyPoints {
        limit: limits.max_points,
    })
}

/// A FeatureCollection of Point features with `properties.time`.
fn from_point_features(
    features: &[Feature],
    limits: &Limits,
) -> Result<Vec<RawPoint>, IngestError> {
    if features.len() > limits.max_points {
        return Err(too_many(limits));
    }
    features
        .iter()
        .enumerate()
        .map(|(index, feature)| {
            let Some(GeometryValue::Point { coordinates }) =
                feature.geometry.as_ref().map(|g| &g.value)
            else {
                // Checked by `Shape::of` before.
                return Err(unsupported(format!("feature {index} is not a Point")));
            };
            let props = feature.properties.as_ref();
            let prop = |key: &str| props.and_then(|p| p.get(key)).filter(|v| !v.is_null());
            let time = prop("time").or_else(|| prop("timestamp"));
            let time_ms = match time {
                None => return Err(IngestErrorKind::MissingTime { index }.into()),
                Some(value) => json_time(index, value)?,
            };
            let (lat, lon) = position(index, coordinates)?;
            let hdop = match prop("hdop") {
                None => None,
                Some(v) => Some(v.as_f64().and_then(check_hdop).ok_or_else(|| {
                    IngestErrorKind::BadField {
                        index,
                        field: "hdop",
                        value: json_text(v),
                    }
                })?),
            };
            let sats = match prop("sats").or_else(|| prop("sat")) {
                None => None,
                Some(v) => Some(v.as_u64().and_then(|s| u16::try_from(s).ok()).ok_or_else(
                    || IngestErrorKind::BadField {
                        index,
                        field: "sats",
                        value: json_text(v),
                    },
                )?),
            };
            Ok(RawPoint {
                time_ms,
                lat,
                lon,
                hdop,
                sats,
            })
        })
        .collect()
}

/// LineString / MultiLineString features with `properties.coordTimes`, concatenated in order.
fn from_line_features(features: &[Feature], limits: &Limits) -> Result<Vec<RawPoint>, IngestError> {
    // Gather (line, times) pairs first so that the point count is known before converting.
    let mut parts: Vec<(&[Position], Vec<&JsonValue>)> = Vec::new();
    let mut total = 0usize;
    for feature in features {
        let lines: Vec<&[Position]> = match feature.geometry.as_ref().map(|g| &g.value) {
            Some(GeometryValue::LineString { coordinates }) => vec![coordinates.as_slice()],
            Some(GeometryValue::MultiLineString { coordinates }) => {
                coordinates.iter().map(Vec::as_slice).collect()
            }
            _ => continue, // checked by `Shape::of` before
        };
        let coords: usize = lines.iter().map(|l| l.len()).sum();
        if coords == 0 {
            continue;
        }
        let times = coord_times(feature.properties.as_ref(), total)?;
        let split = split_times(&lines, times, total)?;
        parts.extend(lines.iter().copied().zip(split));
        total = total.saturating_add(coords);
        if total > limits.max_points {
            return Err(too_many(limits));
        }
    }
    let mut points = Vec::with_capacity(total);
    for (line, times) in parts {
        for (pos, time) in line.iter().zip(times) {
            let index = points.len();
            let (lat, lon) = position(index, pos)?;
            if time.is_null() {
                return Err(IngestErrorKind::MissingTime { index }.into());
            }
            let time_ms = json_time(index, time)?;
            points.push(RawPoint {
                time_ms,
                lat,
                lon,
                hdop: None,
                sats: None,
            });
        }
    }
    Ok(points)
}

/// The `coordTimes` array of a line feature whose first point has index `first`.
fn coord_times(props: Option<&JsonObject>, first: usize) -> Result<&[JsonValue], IngestError> {
    match props.and_then(|p| p.get("coordTimes")) {
        None | Some(JsonValue::Null) => Err(IngestErrorKind::MissingTime { index: first }.into()),
        Some(JsonValue::Array(times)) => Ok(times),
        Some(_) => Err(IngestError::new(IngestErrorKind::Syntax {
            line: None,
            column: None,
            message: format!(
                "properties.coordTimes of the line starting at point {first} is not an array"
            ),
        })),
    }
}

/// Distributes `times` over `lines`: either one array per line (array of arrays), or one flat
/// array with a time per coordinate of all lines.
fn split_times<'a>(
    lines: &[&[Position]],
    times: &'a [JsonValue],
    first: usize,
) -> Result<Vec<Vec<&'a JsonValue>>, IngestError> {
    let coords: usize = lines.iter().map(|l| l.len()).sum();
    let nested = lines.len() > 1 || times.iter().any(JsonValue::is_array);
    let nested = nested && times.iter().all(JsonValue::is_array);
    if !nested {
        if times.len() != coords {
            return Err(mismatch(first, coords, times.len()));
        }
        let mut rest = times;
        let mut out = Vec::with_capacity(lines.len());
        for line in lines {
            let (head, tail) = rest.split_at(line.len().min(rest.len()));
            out.push(head.iter().collect());
            rest = tail;
        }
        return Ok(out);
    }
    let inner: Vec<&[JsonValue]> = times
        .iter()
        .map(|t| t.as_array().map_or(&[][..], Vec::as_slice))
        .collect();
    let total_times: usize = inner.iter().map(|t| t.len()).sum();
    if inner.len() != lines.len() || total_times != coords {
        return Err(mismatch(first, coords, total_times));
    }
    let mut start = first;
    for (line, t) in lines.iter().zip(&inner) {
        if line.len() != t.len() {
            return Err(mismatch(start, line.len(), t.len()));
        }
        start = start.saturating_add(line.len());
    }
    Ok(inner.into_iter().map(|t| t.iter().collect()).collect())
}

fn mismatch(index: usize, coords: usize, times: usize) -> IngestError {
    IngestError::new(IngestErrorKind::CoordTimesMismatch {
        index,
        coords,
        times,
    })
}

/// `[lon, lat, ...]` → checked `(lat, lon)`.
fn position(index: usize, pos: &Position) -> Result<(f64, f64), IngestError> {
    let (Some(&lon), Some(&lat)) = (pos.as_slice().first(), pos.as_slice().get(1)) else {
        return Err(IngestErrorKind::BadPoint {
            index,
            message: "the position needs at least [longitude, latitude]".to_owned(),
        }
        .into());
    };
    let lat = check_lat(lat).map_err(|problem| IngestErrorKind::BadLatitude { index, problem })?;
    let lon = check_lon(lon).map_err(|problem| IngestErrorKind::BadLongitude { index, problem })?;
    Ok((lat, lon))
}

/// A time given as an RFC 3339 string or a number of unix milliseconds.
fn json_time(index: usize, value: &JsonValue) -> Result<i64, IngestError> {
    let result = match value {
        JsonValue::String(s) => {
            return parse_rfc3339_ms(s).map_err(|e| e.into_kind(index, s).into());
        }
        JsonValue::Number(n) => {
            if let Some(ms) = n.as_u64() {
                i64::try_from(ms)
                    .ok()
                    .filter(|ms| *ms <= MAX_TIME_MS)
                    .ok_or(TimeError::OutOfRange)
            } else if n.as_i64().is_some() {
                // Integers that are not u64 are negative: before 1970.
                Err(TimeError::OutOfRange)
            } else {
                n.as_f64().map_or(Err(TimeError::Unparsable), float_ms)
            }
        }
        _ => Err(TimeError::Unparsable),
    };
    result.map_err(|e| e.into_kind(index, &json_text(value)).into())
}

/// A short text for a JSON value in an error message. Arrays and objects are not shown (they might
/// hold coordinates); strings are truncated.
fn json_text(value: &JsonValue) -> String {
    match value {
        JsonValue::String(s) => truncate_value(s),
        JsonValue::Array(_) => "[…]".to_owned(),
        JsonValue::Object(_) => "{…}".to_owned(),
        scalar => truncate_value(&scalar.to_string()),
    }
}

/// A JSON or GeoJSON structure error as a syntax error, with data values redacted.
fn json_error(err: &serde_json::Error) -> IngestError {
    let full = err.to_string();
    // serde_json appends " at line L column C"; the position is reported separately.
    let text = full
        .rfind(" at line ")
        .and_then(|at| full.get(..at))
        .unwrap_or(&full);
    let message = match err.classify() {
        Category::Data => format!("not a GeoJSON trace: {}", redact(text)),
        Category::Eof => "the JSON ends too early (truncated file?)".to_owned(),
        Category::Syntax | Category::Io => redact(text),
    };
    let known = |n: usize| (n > 0).then(|| u64::try_from(n).ok()).flatten();
    IngestError::new(IngestErrorKind::Syntax {
        line: known(err.line()),
        column: known(err.column()),
        message,
    })
}

/// Replaces quoted parts (`…` or "…") of a library message that contain a digit, and so might be
/// values from the file such as coordinates, with an ellipsis, and shortens the result. Quoted
/// names like `features` stay readable.
fn redact(message: &str) -> String {
    let mut out = String::new();
    let mut rest = message;
    while let Some(open) = rest.find(['`', '"']) {
        let (before, from_quote) = rest.split_at(open);
        out.push_str(before);
        let quote = &from_quote[..1];
        let inner_and_rest = &from_quote[1..];
        let Some(close) = inner_and_rest.find(quote) else {
            // Unbalanced: drop the remainder rather than risk showing a value.
            out.push_str(quote);
            out.push('…');
            rest = "";
            break;
        };
        let inner = &inner_and_rest[..close];
        out.push_str(quote);
        if inner.bytes().any(|b| b.is_ascii_digit()) {
            out.push('…');
        } else {
            out.push_str(inner);
        }
        out.push_str(quote);
        rest = &inner_and_rest[close + 1..];
    }
    out.push_str(rest);
    truncate_chars(&out, 160)
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn redaction() {
        assert_eq!(
            redact("invalid type: floating point `37.24`, expected `features`"),
            "invalid type: floating point `…`, expected `features`"
        );
        assert_eq!(redact(r#"string "x1" and "ok""#), r#"string "…" and "ok""#);
        assert_eq!(redact("unbalanced `12"), "unbalanced `…");
        assert_eq!(redact("plain"), "plain");
    }
}
