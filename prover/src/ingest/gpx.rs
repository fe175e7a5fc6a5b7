//! GPX 1.0 / 1.1 input, read with the `gpx` crate.
//!
//! The `gpx` crate parses the whole document or fails without saying where. When it fails, this
//! module re-reads the document with a streaming XML reader (`xml-rs`, which `gpx` itself uses) to
//! find the first point the `gpx` crate would have rejected and reports it with its index and line.

use std::ops::ControlFlow;

use ::gpx::errors::GpxError;
use ::gpx::Waypoint;
use time::format_description::well_known::Iso8601;
use time::{OffsetDateTime, PrimitiveDateTime};
use xml::attribute::OwnedAttribute;
use xml::common::Position as _;
use xml::reader::{EventReader, XmlEvent};
use xml::ParserConfig;

use super::{
    check_hdop, check_lat, check_lon, datetime_to_ms, truncate_chars, truncate_value, CoordProblem,
    IngestError, IngestErrorKind, Limits, RawPoint, TimeError,
};

/// Length of the shortest possible point element, `<wpt lat="0" lon="0"/>` (`<trkpt>` and
/// `<rtept>` are longer). Inputs shorter than `max_points` times this cannot exceed the limit.
const MIN_POINT_BYTES: u64 = 22;

/// Parses GPX bytes into points (track points, or route points if there are no track points).
pub(super) fn parse(bytes: &[u8], limits: &Limits) -> Result<Vec<RawPoint>, IngestError> {
    let len = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    let max_points = u64::try_from(limits.max_points).unwrap_or(u64::MAX);
    if len >= MIN_POINT_BYTES.saturating_mul(max_points) {
        // Big enough to hold too many points: count them with a streaming reader before the
        // `gpx` crate builds a (much larger) in-memory document.
        check_point_count(bytes, limits.max_points)?;
    }
    let doc = match ::gpx::read(bytes) {
        Ok(doc) => doc,
        Err(err) => return Err(diagnose(bytes, &err)),
    };
    let track_points = doc
        .tracks
        .iter()
        .flat_map(|t| &t.segments)
        .flat_map(|s| &s.points);
    let (tag, waypoints): (Tag, Vec<&Waypoint>) = if track_points.clone().next().is_some() {
        (Tag::Track, track_points.collect())
    } else {
        (
            Tag::Route,
            doc.routes.iter().flat_map(|r| &r.points).collect(),
        )
    };
    if waypoints.len() > limits.max_points {
        return Err(IngestError::new(IngestErrorKind::TooManyPoints {
            limit: limits.max_points,
        }));
    }
    waypoints
        .into_iter()
        .enumerate()
        .map(|(index, wpt)| {
            convert(index, wpt)
                .map_err(|kind| IngestError::new(kind).with_line(locate(bytes, tag, index)))
        })
        .collect()
}

/// Converts one parsed waypoint, checking everything the prover relies on.
fn convert(index: usize, wpt: &Waypoint) -> Result<RawPoint, IngestErrorKind> {
    let p = wpt.point();
    let lat =
        check_lat(p.y()).map_err(|problem| IngestErrorKind::BadLatitude { index, problem })?;
    let lon =
        check_lon(p.x()).map_err(|problem| IngestErrorKind::BadLongitude { index, problem })?;
    let time = wpt.time.ok_or(IngestErrorKind::MissingTime { index })?;
    let time_ms = datetime_to_ms(OffsetDateTime::from(time)).map_err(|e| match e {
        TimeError::OutOfRange => IngestErrorKind::TimeOutOfRange { index },
        // `gpx` already parsed it, so this cannot happen; report it as a bad time anyway.
        TimeError::Unparsable | TimeError::NoOffset => IngestErrorKind::BadTime {
            index,
            value: String::new(),
        },
    })?;
    let hdop = match wpt.hdop {
        None => None,
        Some(h) => Some(check_hdop(h).ok_or_else(|| IngestErrorKind::BadField {
            index,
            field: "hdop",
            value: truncate_value(&h.to_string()),
        })?),
    };
    let sats = match wpt.sat {
        None => None,
        Some(s) => Some(u16::try_from(s).map_err(|_| IngestErrorKind::BadField {
            index,
            field: "sats",
            value: s.to_string(),
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

/// The kinds of point elements in GPX.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tag {
    /// `<trkpt>` in `<trkseg>`.
    Track,
    /// `<rtept>` in `<rte>`.
    Route,
    /// `<wpt>` in `<gpx>`.
    Waypoint,
}

impl Tag {
    /// Recognises a point element the way the `gpx` crate does: by local name and parent.
    fn of(name: &str, parent: Option<&str>) -> Option<Self> {
        match (name, parent?) {
            ("trkpt", "trkseg") => Some(Self::Track),
            ("rtept", "rte") => Some(Self::Route),
            ("wpt", "gpx") => Some(Self::Waypoint),
            _ => None,
        }
    }

    fn slot(self) -> usize {
        match self {
            Self::Track => 0,
            Self::Route => 1,
            Self::Waypoint => 2,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::Track => "track point",
            Self::Route => "route point",
            Self::Waypoint => "waypoint",
        }
    }
}

/// One event of the simplified XML walk.
enum Event<'e> {
    Start {
        name: &'e str,
        attributes: &'e [OwnedAttribute],
        parent: Option<&'e str>,
        /// Number of open ancestors.
        depth: usize,
        /// 1-based line of the start tag.
        line: u64,
    },
    End {
        /// Depth of the element being closed (as at its start).
        depth: usize,
    },
    Text(&'e str),
}

/// Streams the document with the same parser configuration as the `gpx` crate. Content inside
/// `<extensions>` is skipped (as `gpx` does). Stops early when `visit` breaks.
fn walk<T>(
    bytes: &[u8],
    mut visit: impl FnMut(Event<'_>) -> ControlFlow<T>,
) -> Result<Option<T>, xml::reader::Error> {
    let config = ParserConfig::new()
        .whitespace_to_characters(true)
        .cdata_to_characters(true);
    let mut reader = EventReader::new_with_config(bytes, config);
    let mut stack: Vec<String> = Vec::new();
    // Depth of the outermost open <extensions>, whose content is not looked at.
    let mut skip_from: Option<usize> = None;
    loop {
        let event = reader.next()?;
        let line = reader.position().row.saturating_add(1);
        let flow = match event {
            XmlEvent::EndDocument => return Ok(None),
            XmlEvent::StartElement {
                name, attributes, ..
            } => {
                let depth = stack.len();
                let flow = if skip_from.is_some() {
                    ControlFlow::Continue(())
                } else {
                    visit(Event::Start {
                        name: &name.local_name,
                        attributes: &attributes,
                        parent: stack.last().map(String::as_str),
                        depth,
                        line,
                    })
                };
                if skip_from.is_none() && name.local_name == "extensions" {
                    skip_from = Some(depth);
                }
                stack.push(name.local_name);
                flow
            }
            XmlEvent::EndElement { .. } => {
                stack.pop();
                let depth = stack.len();
                if skip_from == Some(depth) {
                    skip_from = None;
                }
                if skip_from.is_some() {
                    ControlFlow::Continue(())
                } else {
                    visit(Event::End { depth })
                }
            }
            XmlEvent::Characters(text) if skip_from.is_none() => visit(Event::Text(&text)),
            _ => ControlFlow::Continue(()),
        };
        if let ControlFlow::Break(found) = flow {
            return Ok(Some(found));
        }
    }
}

/// Rejects documents with more than `max_points` point elements of any kind (all of them are held
/// in memory by the `gpx` crate).
fn check_point_count(bytes: &[u8], max_points: usize) -> Result<(), IngestError> {
    let mut count = 0usize;
    let too_many = walk(bytes, |event| match event {
        Event::Start { name, parent, .. } if Tag::of(name, parent).is_some() => {
            count = count.saturating_add(1);
            if count > max_points {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        }
        _ => ControlFlow::Continue(()),
    });
    match too_many {
        Ok(Some(())) => Err(IngestError::new(IngestErrorKind::TooManyPoints {
            limit: max_points,
        })),
        // Broken XML is reported by the full parse.
        Ok(None) | Err(_) => Ok(()),
    }
}

/// The 1-based line of the `index`-th point element of kind `tag`.
fn locate(bytes: &[u8], tag: Tag, index: usize) -> Option<u64> {
    let mut seen = 0usize;
    walk(bytes, |event| match event {
        Event::Start {
            name, parent, line, ..
        } if Tag::of(name, parent) == Some(tag) => {
            if seen == index {
                ControlFlow::Break(line)
            } else {
                seen = seen.saturating_add(1);
                ControlFlow::Continue(())
            }
        }
        _ => ControlFlow::Continue(()),
    })
    .ok()
    .flatten()
}

/// Children of a point element that the `gpx` crate accepts (plus `speed` in GPX 1.0).
const POINT_CHILDREN: &[&str] = &[
    "ele",
    "time",
    "name",
    "cmt",
    "desc",
    "src",
    "link",
    "sym",
    "type",
    "fix",
    "geoidheight",
    "sat",
    "hdop",
    "vdop",
    "pdop",
    "ageofdgpsdata",
    "dgpsid",
    "extensions",
];

/// Something wrong with one point element, found by [`diagnose`].
enum Problem {
    Lat(CoordProblem),
    Lon(CoordProblem),
    Time(String),
    Field(&'static str, String),
    Other(String),
}

impl Problem {
    fn into_kind(self, index: usize) -> IngestErrorKind {
        match self {
            Self::Lat(problem) => IngestErrorKind::BadLatitude { index, problem },
            Self::Lon(problem) => IngestErrorKind::BadLongitude { index, problem },
            Self::Time(value) => IngestErrorKind::BadTime {
                index,
                value: truncate_value(&value),
            },
            Self::Field(field, value) => IngestErrorKind::BadField {
                index,
                field,
                value: truncate_value(&value),
            },
            Self::Other(message) => IngestErrorKind::BadPoint { index, message },
        }
    }

    fn describe(&self) -> String {
        match self {
            Self::Lat(problem) => format!("the latitude {problem}"),
            Self::Lon(problem) => format!("the longitude {problem}"),
            Self::Time(value) => format!("unparsable time {:?}", truncate_value(value)),
            Self::Field(field, value) => {
                format!("invalid {field} value {:?}", truncate_value(value))
            }
            Self::Other(message) => message.clone(),
        }
    }
}

/// The point element being examined by [`diagnose`].
#[derive(Clone, Copy)]
struct Current {
    tag: Tag,
    index: usize,
    line: u64,
    depth: usize,
}

/// A direct child element of the current point (or a `<time>` outside points), with its text so
/// far.
struct Child {
    name: String,
    text: String,
    depth: usize,
    line: u64,
}

/// The first problem [`diagnose`] found: in a point element, or (`None`) elsewhere.
type Found = (Option<Current>, u64, Problem);

/// Finds out why the `gpx` crate rejected `bytes` and turns it into an error naming the point.
fn diagnose(bytes: &[u8], err: &GpxError) -> IngestError {
    let trace_tag = if has_track_points(bytes) {
        Tag::Track
    } else {
        Tag::Route
    };
    let mut gpx10 = false;
    let mut counts = [0usize; 3];
    let mut current: Option<Current> = None;
    let mut child: Option<Child> = None;
    let walked = walk(bytes, |event| -> ControlFlow<Found> {
        let found = match event {
            Event::Start {
                name,
                attributes,
                parent,
                depth,
                line,
            } => {
                if depth == 0 && name == "gpx" {
                    gpx10 = attributes
                        .iter()
                        .any(|a| a.name.local_name == "version" && a.value == "1.0");
                }
                if let Some(cur) = current {
                    if depth == cur.depth.saturating_add(1) {
                        let allowed = POINT_CHILDREN.contains(&name) || (gpx10 && name == "speed");
                        if !allowed {
                            return ControlFlow::Break((
                                Some(cur),
                                cur.line,
                                Problem::Other(format!(
                                    "contains a <{}> element, which the GPX reader does not accept",
                                    truncate_value(name)
                                )),
                            ));
                        }
                        child = Some(Child {
                            name: name.to_owned(),
                            text: String::new(),
                            depth,
                            line,
                        });
                    } else if let Some(ch) = &child {
                        if ch.name != "link" {
                            return ControlFlow::Break((
                                Some(cur),
                                cur.line,
                                Problem::Other(format!("<{}> must contain only text", ch.name)),
                            ));
                        }
                    }
                    return ControlFlow::Continue(());
                }
                if name == "time" {
                    // Metadata / GPX 1.0 header time: `gpx` parses these too.
                    child = Some(Child {
                        name: name.to_owned(),
                        text: String::new(),
                        depth,
                        line,
                    });
                    return ControlFlow::Continue(());
                }
                let Some(tag) = Tag::of(name, parent) else {
                    return ControlFlow::Continue(());
                };
                let slot = &mut counts[tag.slot()];
                let cur = Current {
                    tag,
                    index: *slot,
                    line,
                    depth,
                };
                *slot = slot.saturating_add(1);
                current = Some(cur);
                check_attributes(attributes)
                    .err()
                    .map(|p| (Some(cur), cur.line, p))
            }
            Event::Text(text) => {
                if let Some(ch) = &mut child {
                    // Keep the text bounded: only a prefix is ever shown, and anything that
                    // long is invalid for every checked field anyway.
                    if ch.text.len() < 4096 {
                        ch.text.push_str(text);
                    }
                }
                None
            }
            Event::End { depth } => match (&child, current) {
                (Some(ch), cur) if ch.depth == depth => {
                    let problem = check_child(&ch.name, &ch.text);
                    let line = cur.map_or(ch.line, |c| c.line);
                    child = None;
                    problem.map(|p| (cur, line, p))
                }
                (_, Some(cur)) if cur.depth == depth => {
                    current = None;
                    None
                }
                _ => None,
            },
        };
        match found {
            Some(found) => ControlFlow::Break(found),
            None => ControlFlow::Continue(()),
        }
    });
    match walked {
        Ok(Some((Some(cur), _, problem))) if cur.tag == trace_tag => {
            IngestError::new(problem.into_kind(cur.index)).with_line(Some(cur.line))
        }
        Ok(Some((cur, line, problem))) => {
            let subject = match cur {
                Some(cur) => format!("{} {}", cur.tag.label(), cur.index),
                None => "outside the points".to_owned(),
            };
            IngestError::new(IngestErrorKind::Syntax {
                line: Some(line),
                column: None,
                message: format!(
                    "{subject}: {}, and the GPX reader rejects the whole file because of it",
                    problem.describe()
                ),
            })
        }
        Err(xml_err) => {
            let pos = xml_err.position();
            let mut message = truncate_message(xml_err.msg());
            if let Some(cur) = current {
                message.push_str(&format!(" (inside {} {})", cur.tag.label(), cur.index));
            }
            IngestError::new(IngestErrorKind::Syntax {
                line: Some(pos.row.saturating_add(1)),
                column: Some(pos.column.saturating_add(1)),
                message,
            })
        }
        Ok(None) => from_gpx_error(err),
    }
}

/// Whether the document has at least one track point (before any XML error).
fn has_track_points(bytes: &[u8]) -> bool {
    matches!(
        walk(bytes, |event| match event {
            Event::Start { name, parent, .. } if Tag::of(name, parent) == Some(Tag::Track) => {
                ControlFlow::Break(())
            }
            _ => ControlFlow::Continue(()),
        }),
        Ok(Some(()))
    )
}

/// Checks `lat`/`lon` exactly as the `gpx` crate does (untrimmed; longitude 180 excluded).
fn check_attributes(attributes: &[OwnedAttribute]) -> Result<(), Problem> {
    let value = |name: &str| {
        attributes
            .iter()
            .find(|a| a.name.local_name == name)
            .map(|a| a.value.as_str())
    };
    let classify = |text: Option<&str>, ok: &dyn Fn(f64) -> bool| -> Result<(), CoordProblem> {
        let text = text.ok_or(CoordProblem::Missing)?;
        let v: f64 = text.parse().map_err(|_| CoordProblem::NotANumber)?;
        if !v.is_finite() {
            Err(CoordProblem::NotFinite)
        } else if !ok(v) {
            Err(CoordProblem::OutOfRange)
        } else {
            Ok(())
        }
    };
    classify(value("lat"), &|v| (-90.0..=90.0).contains(&v)).map_err(Problem::Lat)?;
    classify(value("lon"), &|v| (-180.0..180.0).contains(&v)).map_err(Problem::Lon)?;
    Ok(())
}

/// Checks the text of a direct child of a point element as the `gpx` crate would parse it.
fn check_child(name: &str, text: &str) -> Option<Problem> {
    let field = |field: &'static str| Some(Problem::Field(field, text.to_owned()));
    match name {
        "time" if gpx_time(text).is_none() => Some(Problem::Time(text.to_owned())),
        "ele" if !text.is_empty() && text.parse::<f64>().is_err() => field("ele"),
        "hdop" if text.parse::<f64>().is_err() => field("hdop"),
        "vdop" if text.parse::<f64>().is_err() => field("vdop"),
        "pdop" if text.parse::<f64>().is_err() => field("pdop"),
        "speed" if text.parse::<f64>().is_err() => field("speed"),
        "geoidheight" if text.parse::<f64>().is_err() => field("geoidheight"),
        "ageofdgpsdata" if text.parse::<f64>().is_err() => field("ageofdgpsdata"),
        "sat" if text.parse::<u64>().is_err() => field("sats"),
        "dgpsid" if text.parse::<u16>().is_err() => field("dgpsid"),
        "sym" | "type" | "fix" if text.is_empty() => {
            Some(Problem::Other(format!("has an empty <{name}> element")))
        }
        _ => None,
    }
}

/// Parses a time the way the `gpx` crate does: ISO 8601, UTC if no offset is given.
fn gpx_time(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text, &Iso8601::PARSING)
        .or_else(|_| PrimitiveDateTime::parse(text, &Iso8601::PARSING).map(|t| t.assume_utc()))
        .ok()
}

/// Library messages are shown shortened.
fn truncate_message(message: &str) -> String {
    truncate_chars(message, 100)
}

/// Whether `text` looks like an XML element name (and not like character data).
fn is_xml_name(text: &str) -> bool {
    text.chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        && text
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ':'))
}

/// Fallback: a `gpx` crate error turned into a syntax error, without any coordinate values.
fn from_gpx_error(err: &GpxError) -> IngestError {
    let (line, column, message) = match err {
        GpxError::XmlParseError(e) => {
            let pos = e.position();
            (
                Some(pos.row.saturating_add(1)),
                Some(pos.column.saturating_add(1)),
                truncate_message(e.msg()),
            )
        }
        // Its message includes the offending value; say the same without it.
        GpxError::LonLatOutOfBoundsError(what, range, _) => {
            (None, None, format!("a {what} is outside {range}"))
        }
        GpxError::UnknownVersionError(_) => (
            None,
            None,
            "unknown GPX version (only 1.0 and 1.1 are supported)".to_owned(),
        ),
        GpxError::MissingOpeningTag("gpx") => (None, None, "no <gpx> root element".to_owned()),
        // `child` may be text content rather than an element name; show names only.
        GpxError::InvalidChildElement(child, parent) if is_xml_name(child) => (
            None,
            None,
            format!("unexpected <{}> inside <{parent}>", truncate_value(child)),
        ),
        GpxError::InvalidChildElement(_, parent) => {
            (None, None, format!("unexpected content inside <{parent}>"))
        }
        other => (None, None, truncate_message(&other.to_string())),
    };
    IngestError::new(IngestErrorKind::Syntax {
        line,
        column,
        message,
    })
}
