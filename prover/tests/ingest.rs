//! Tests of trace ingest: real GPX recordings, tiny synthetic files in every format, malformed
//! inputs, limits, and a never-panics property test.

use std::fs;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use zkcontrib_prover::ingest::{
    parse_trace, parse_trace_with_limits, read_trace, read_trace_with_limits, CoordProblem,
    IngestError, IngestErrorKind, Limits, RawPoint, Trace, TraceFormat, MAX_TIME_MS,
    MAX_TRACE_BYTES, MAX_TRACE_POINTS,
};

// ---------------------------------------------------------------------------------------------
// helpers

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures")
        .join(rel)
}

fn read(rel: &str) -> Trace {
    match read_trace(&fixture(rel)) {
        Ok(trace) => trace,
        Err(e) => panic!("reading {rel} failed: {e}"),
    }
}

fn ok(bytes: &str, format: TraceFormat) -> Vec<RawPoint> {
    match parse_trace(bytes.as_bytes(), format) {
        Ok(points) => points,
        Err(e) => panic!("expected success, got: {e}"),
    }
}

fn err(bytes: impl AsRef<[u8]>, format: TraceFormat) -> IngestError {
    match parse_trace(bytes.as_ref(), format) {
        Ok(points) => panic!("expected an error, got {} points", points.len()),
        Err(e) => e,
    }
}

/// Checks the properties every error message must have and returns it.
fn message(e: &IngestError, index: Option<usize>) -> String {
    let text = e.to_string();
    assert!(
        !text.contains('\n') && !text.contains('\r'),
        "not one line: {text:?}"
    );
    assert!(text.contains("; "), "no hint in {text:?}");
    if let Some(index) = index {
        assert!(
            text.contains(&format!("point {index}")),
            "{text:?} does not name point {index}"
        );
        assert_eq!(e.kind().point_index(), Some(index), "{text}");
    }
    text
}

fn approx(actual: f64, expected: f64) {
    assert!(
        (actual - expected).abs() < 1e-9,
        "{actual} != {expected} (within 1e-9)"
    );
}

fn times(points: &[RawPoint]) -> Vec<i64> {
    points.iter().map(|p| p.time_ms).collect()
}

fn gpx_with_points(points: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">
<trk><trkseg>
<trkpt lat="46.0" lon="14.0"><time>2021-05-01T08:00:00Z</time></trkpt>
{points}
</trkseg></trk>
</gpx>"#
    )
}

/// 2017-07-29T14:46:35Z in unix milliseconds.
const T0: i64 = 1_501_339_595_000;
/// 2021-05-01T08:00:00Z in unix milliseconds.
const T1: i64 = 1_619_856_000_000;

// ---------------------------------------------------------------------------------------------
// real recordings

#[test]
fn garmin_santa_clara_run() {
    let trace = read("garmin-activity-santa-clara.gpx");
    assert_eq!(trace.format, TraceFormat::Gpx);
    assert_eq!(trace.points.len(), 988);
    let first = trace.points[0];
    assert_eq!(first.time_ms, T0);
    approx(first.lat, 37.241_738_168_523);
    approx(first.lon, -121.972_324_233_502);
    assert!((first.lat - 37.241_738_1).abs() < 1e-7);
    assert_eq!((first.hdop, first.sats), (None, None));
    let last = trace.points[987];
    // 2017-07-29T16:18:13.000Z
    assert_eq!(last.time_ms, 1_501_345_093_000);
    approx(last.lat, 37.240_441_404_283);
    approx(last.lon, -121.971_193_766_221);
    assert!(trace.points.windows(2).all(|w| w[0].time_ms < w[1].time_ms));
    assert!(trace
        .points
        .iter()
        .all(|p| (37.0..37.5).contains(&p.lat) && (-122.1..-121.9).contains(&p.lon)));
}

#[test]
fn visnjan_car_trip() {
    let trace = read("visnjan-car.gpx");
    assert_eq!(trace.format, TraceFormat::Gpx);
    assert_eq!(trace.points.len(), 104);
    let first = trace.points[0];
    // 2020-12-18T06:15:50Z
    assert_eq!(first.time_ms, 1_608_272_150_000);
    approx(first.lat, 45.273_518_851_0);
    approx(first.lon, 13.714_209_962_6);
    let last = trace.points[103];
    // 2020-12-18T06:24:24Z
    assert_eq!(last.time_ms, 1_608_272_664_000);
    approx(last.lat, 45.273_334_952_1);
    approx(last.lon, 13.713_997_062_3);
    assert!(trace.points.windows(2).all(|w| w[0].time_ms < w[1].time_ms));
}

#[test]
fn parse_trace_matches_read_trace() {
    let path = fixture("visnjan-car.gpx");
    let bytes = fs::read(&path).unwrap();
    let parsed = parse_trace(&bytes, TraceFormat::Gpx).unwrap();
    assert_eq!(parsed, read_trace(&path).unwrap().points);
}

#[test]
fn debug_output_hides_trace_data() {
    let trace = read("garmin-activity-santa-clara.gpx");
    let point = format!("{:?}", trace.points[0]);
    assert_eq!(point, "RawPoint { .. }");
    let whole = format!("{trace:?}");
    assert!(whole.contains("988") && whole.contains("Gpx"), "{whole}");
    assert!(!whole.contains("37.") && !whole.contains("121."), "{whole}");
}

// ---------------------------------------------------------------------------------------------
// synthetic files, every format, millisecond precision

#[test]
fn gpx_1_0_with_speed_hdop_and_sat() {
    let trace = read("ingest/gpx10.gpx");
    assert_eq!(times(&trace.points), [T1, T1 + 1250, T1 + 2500]);
    let p = trace.points[0];
    approx(p.lat, 46.05);
    approx(p.lon, 14.5);
    assert_eq!((p.hdop, p.sats), (Some(1.4), Some(7)));
    assert_eq!(
        (trace.points[1].hdop, trace.points[1].sats),
        (Some(0.9), Some(8))
    );
    assert_eq!((trace.points[2].hdop, trace.points[2].sats), (None, None));
}

#[test]
fn gpx_tracks_and_segments_keep_file_order() {
    let trace = read("ingest/two-tracks.gpx");
    let lats: Vec<f64> = trace.points.iter().map(|p| p.lat).collect();
    assert_eq!(lats, [1.0, 1.1, 2.0, 2.1, 3.0, 3.1, 4.0, 4.1]);
    let lons: Vec<f64> = trace.points.iter().map(|p| p.lon).collect();
    assert_eq!(lons, [-1.0, -1.1, -2.0, -2.1, -3.0, -3.1, -4.0, -4.1]);
    let expected: Vec<i64> = (0..8).map(|s| T1 + s * 1000).collect();
    assert_eq!(
        times(&trace.points),
        expected,
        "waypoints and routes are ignored"
    );
}

#[test]
fn gpx_route_points_are_used_when_there_is_no_track_point() {
    let trace = read("ingest/route-only.gpx");
    assert_eq!(times(&trace.points), [1_608_272_150_000, 1_608_272_160_000]);
    approx(trace.points[1].lat, 45.1);
}

#[test]
fn gpx_milliseconds_offsets_and_truncation() {
    let trace = read("ingest/millis.gpx");
    // .123Z, .456Z, .7899+02:00 (truncated toward the earlier millisecond), .001 without offset (UTC)
    assert_eq!(
        times(&trace.points),
        [T0 + 123, T0 + 456, T0 + 789, T0 + 1001]
    );
    approx(trace.points[3].lon, -121.972_324_5);
}

#[test]
fn csv_rfc3339_milliseconds() {
    let trace = read("ingest/rfc3339-ms.csv");
    assert_eq!(trace.format, TraceFormat::Csv);
    assert_eq!(times(&trace.points), [T0 + 123, T0 + 456, T0 + 789]);
    approx(trace.points[0].lat, 37.241_738_1);
    approx(trace.points[0].lon, -121.972_324_2);
}

#[test]
fn csv_unix_seconds_with_fractions() {
    let trace = read("ingest/unix-seconds.csv");
    assert_eq!(times(&trace.points), [T0, T0 + 500, T0 + 1125]);
    approx(trace.points[2].lat, 37.241_738_3);
}

#[test]
fn csv_unix_milliseconds() {
    let trace = read("ingest/unix-ms.csv");
    assert_eq!(times(&trace.points), [T0 + 123, T0 + 456, T0 + 789]);
    approx(trace.points[1].lon, -121.972_324_3);
}

#[test]
fn csv_hdop_sats_bom_crlf_blank_lines_and_extra_columns() {
    let trace = read("ingest/hdop-sats.csv");
    assert_eq!(times(&trace.points), [T1, T1 + 1000, T1 + 2000]);
    let aux: Vec<_> = trace.points.iter().map(|p| (p.hdop, p.sats)).collect();
    assert_eq!(
        aux,
        [(Some(1.4), Some(7)), (None, None), (Some(0.8), Some(12))]
    );
    approx(trace.points[2].lat, 46.0502);
}

#[test]
fn csv_ten_hertz() {
    let trace = read("ingest/10hz.csv");
    assert_eq!(trace.points.len(), 20);
    assert_eq!(trace.points[0].time_ms, 1_620_000_000_000);
    assert!(trace
        .points
        .windows(2)
        .all(|w| w[1].time_ms - w[0].time_ms == 100));
    approx(trace.points[19].lat, 46.050_019);
}

#[test]
fn geojson_linestring_with_coord_times() {
    let trace = read("ingest/linestring.geojson");
    assert_eq!(trace.format, TraceFormat::GeoJson);
    assert_eq!(times(&trace.points), [T0 + 123, T0 + 456, T0 + 789]);
    approx(trace.points[0].lat, 37.241_738_1);
    approx(trace.points[0].lon, -121.972_324_2);
    approx(trace.points[2].lon, -121.972_324_4);
}

#[test]
fn geojson_multilinestring_and_several_features_are_concatenated() {
    let trace = read("ingest/multilinestring.geojson");
    assert_eq!(
        times(&trace.points),
        [T1 + 100, T1 + 200, T1 + 300, T1 + 400]
    );
    let lats: Vec<f64> = trace.points.iter().map(|p| p.lat).collect();
    assert_eq!(lats, [46.05, 46.0501, 46.0502, 46.0503]);
}

#[test]
fn geojson_multilinestring_with_flat_coord_times() {
    let doc = r#"{"type":"Feature","properties":{"coordTimes":[1000,2000,3000]},
        "geometry":{"type":"MultiLineString","coordinates":[[[1,2],[1,3]],[[1,4]]]}}"#;
    let points = ok(doc, TraceFormat::GeoJson);
    assert_eq!(times(&points), [1000, 2000, 3000]);
}

#[test]
fn geojson_point_features() {
    let trace = read("ingest/points.geojson");
    assert_eq!(times(&trace.points), [T0 + 123, T0 + 456, T0 + 789]);
    assert_eq!(
        (trace.points[0].hdop, trace.points[0].sats),
        (Some(1.5), Some(9))
    );
    assert_eq!((trace.points[1].hdop, trace.points[1].sats), (None, None));
    approx(trace.points[1].lat, 37.241_738_2);
}

#[test]
fn geojson_single_point_feature_and_fractional_millis() {
    let doc = r#"{"type":"Feature","properties":{"time":1501339595123.9},
        "geometry":{"type":"Point","coordinates":[14.5,46.05]}}"#;
    let points = ok(doc, TraceFormat::GeoJson);
    assert_eq!(times(&points), [T0 + 123]);
}

#[test]
fn millisecond_precision_survives_in_every_format() {
    let gpx = gpx_with_points("");
    let gpx = gpx.replace("08:00:00Z", "08:00:00.007Z");
    let csv =
        "time,lat,lon\n2021-05-01T08:00:00.007Z,46,14\n1619856000.007,46,14\n1619856000007,46,14\n";
    let geojson = r#"{"type":"Feature","properties":{"coordTimes":["2021-05-01T08:00:00.007Z",1619856000007]},
        "geometry":{"type":"LineString","coordinates":[[14,46],[14,46]]}}"#;
    assert_eq!(times(&ok(&gpx, TraceFormat::Gpx)), [T1 + 7]);
    assert_eq!(times(&ok(csv, TraceFormat::Csv)), [T1 + 7; 3]);
    assert_eq!(times(&ok(geojson, TraceFormat::GeoJson)), [T1 + 7; 2]);
}

#[test]
fn boundary_coordinates_and_times_are_accepted() {
    let csv = "time,lat,lon\n1970-01-01T00:00:00Z,90,180\n9999-12-31T23:59:59.999Z,-90,-180\n";
    let points = ok(csv, TraceFormat::Csv);
    assert_eq!(times(&points), [0, MAX_TIME_MS]);
    assert_eq!((points[0].lat, points[0].lon), (90.0, 180.0));
    assert_eq!((points[1].lat, points[1].lon), (-90.0, -180.0));
}

#[test]
fn format_is_sniffed_when_the_extension_is_unknown() {
    let dir = tempfile::tempdir().unwrap();
    for (src, format) in [
        ("ingest/millis.gpx", TraceFormat::Gpx),
        ("ingest/rfc3339-ms.csv", TraceFormat::Csv),
        ("ingest/linestring.geojson", TraceFormat::GeoJson),
    ] {
        let path = dir.path().join("trace.txt");
        fs::copy(fixture(src), &path).unwrap();
        let trace = read_trace(&path).unwrap();
        assert_eq!(trace.format, format, "{src}");
        assert_eq!(trace.points[0].time_ms, T0 + 123, "{src}");
    }
    // Extensions are case-insensitive, and `.json` means GeoJSON.
    let upper = dir.path().join("TRACE.GPX");
    fs::copy(fixture("ingest/millis.gpx"), &upper).unwrap();
    assert_eq!(read_trace(&upper).unwrap().format, TraceFormat::Gpx);
    let json = dir.path().join("trace.json");
    fs::copy(fixture("ingest/points.geojson"), &json).unwrap();
    assert_eq!(read_trace(&json).unwrap().format, TraceFormat::GeoJson);
}

// ---------------------------------------------------------------------------------------------
// malformed input: empty, garbage, broken syntax

#[test]
fn empty_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.gpx");
    fs::write(&path, b"").unwrap();
    let e = read_trace(&path).unwrap_err();
    assert!(matches!(e.kind(), IngestErrorKind::Empty), "{e:?}");
    assert_eq!(e.file(), Some(path.as_path()));
    let text = message(&e, None);
    assert!(text.starts_with(&path.display().to_string()), "{text}");
    for format in [TraceFormat::Gpx, TraceFormat::Csv, TraceFormat::GeoJson] {
        let e = err("", format);
        assert!(matches!(e.kind(), IngestErrorKind::Empty));
        assert_eq!(e.file(), None);
        message(&e, None);
        let e = err(" \r\n\t\n", format);
        assert!(matches!(e.kind(), IngestErrorKind::Empty));
    }
}

#[test]
fn files_without_points() {
    let gpx = r#"<gpx version="1.1" creator="t"><wpt lat="1" lon="2"><time>2021-05-01T08:00:00Z</time></wpt><trk><trkseg></trkseg></trk></gpx>"#;
    let csv = "time,lat,lon\n\n\n";
    let geojson = r#"{"type":"FeatureCollection","features":[]}"#;
    let empty_line =
        r#"{"type":"Feature","properties":{},"geometry":{"type":"LineString","coordinates":[]}}"#;
    for (doc, format) in [
        (gpx, TraceFormat::Gpx),
        (csv, TraceFormat::Csv),
        (geojson, TraceFormat::GeoJson),
        (empty_line, TraceFormat::GeoJson),
    ] {
        let e = err(doc, format);
        assert!(matches!(e.kind(), IngestErrorKind::Empty), "{e}");
        message(&e, None);
    }
}

#[test]
fn garbage_bytes() {
    for format in [TraceFormat::Gpx, TraceFormat::GeoJson] {
        let e = err("<<<&&& not a trace }}}", format);
        assert!(matches!(e.kind(), IngestErrorKind::Syntax { .. }), "{e}");
        message(&e, None);
    }
    let e = err(b"\xff\xfe\xfd garbage\nmore,garbage\n", TraceFormat::Csv);
    assert!(
        matches!(
            e.kind(),
            IngestErrorKind::Syntax { .. } | IngestErrorKind::NotATrace
        ),
        "{e}"
    );
    message(&e, None);
}

#[test]
fn a_file_that_is_not_a_trace_says_so() {
    for (bytes, format) in [
        (
            &b"hello world
this is a note
"[..],
            TraceFormat::Csv,
        ),
        (
            &b"name,age
ada,36
"[..],
            TraceFormat::Csv,
        ),
    ] {
        let e = err(bytes, format);
        assert!(matches!(e.kind(), IngestErrorKind::NotATrace), "{e:?}");
        let text = message(&e, None);
        assert!(text.contains("not a GPX, CSV or GeoJSON trace"), "{text}");
    }
}

#[test]
fn binary_nul_bytes() {
    for format in [TraceFormat::Gpx, TraceFormat::Csv, TraceFormat::GeoJson] {
        let e = err(b"time,lat,lon\n\x00\x01\x02\x03", format);
        let IngestErrorKind::Syntax { line, .. } = e.kind() else {
            panic!("{e:?}");
        };
        assert_eq!(*line, Some(2));
        assert!(message(&e, None).contains("NUL"));
    }
    // UTF-16 text is full of NULs too.
    let utf16: Vec<u8> = "time,lat,lon\n"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    assert!(matches!(
        err(utf16, TraceFormat::Csv).kind(),
        IngestErrorKind::Syntax { .. }
    ));
}

#[test]
fn truncated_xml() {
    let bytes = fs::read(fixture("garmin-activity-santa-clara.gpx")).unwrap();
    let e = err(&bytes[..bytes.len() / 2], TraceFormat::Gpx);
    let IngestErrorKind::Syntax { line, .. } = e.kind() else {
        panic!("{e:?}");
    };
    assert!(line.is_some(), "{e}");
    let text = message(&e, None);
    assert!(text.contains("syntax error at line"), "{text}");
}

#[test]
fn mismatched_xml_tags_name_the_point() {
    let doc = gpx_with_points(r#"<trkpt lat="1" lon="2"><time>2021-05-01T08:00:01Z</tim></trkpt>"#);
    let e = err(doc, TraceFormat::Gpx);
    let IngestErrorKind::Syntax {
        line, message: m, ..
    } = e.kind()
    else {
        panic!("{e:?}");
    };
    assert_eq!(*line, Some(5));
    assert!(m.contains("track point 1"), "{m}");
    message(&e, None);
}

#[test]
fn gpx_unknown_version() {
    let e = err(
        r#"<gpx version="2.0"><trk><trkseg></trkseg></trk></gpx>"#,
        TraceFormat::Gpx,
    );
    let text = message(&e, None);
    assert!(matches!(e.kind(), IngestErrorKind::Syntax { .. }), "{e:?}");
    assert!(text.contains("version"), "{text}");
}

#[test]
fn xml_entity_bomb_is_rejected_quickly() {
    let doc = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lollollollollollollollollollol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<gpx version="1.1"><trk><name>&lol9;</name><trkseg>
<trkpt lat="1" lon="2"><time>2021-05-01T08:00:00Z</time></trkpt></trkseg></trk></gpx>"#;
    let start = std::time::Instant::now();
    let e = err(doc, TraceFormat::Gpx);
    assert!(start.elapsed().as_secs() < 10);
    assert!(matches!(e.kind(), IngestErrorKind::Syntax { .. }), "{e}");
    message(&e, None);
}

#[test]
fn invalid_json() {
    let e = err(
        "{\"type\": \"Feature\",\n \"properties\": {",
        TraceFormat::GeoJson,
    );
    assert!(matches!(e.kind(), IngestErrorKind::Syntax { .. }), "{e:?}");
    message(&e, None);
    let e = err(
        "{\"type\": \"Feature\",\n \"properties\": {]}",
        TraceFormat::GeoJson,
    );
    let IngestErrorKind::Syntax { line, column, .. } = e.kind() else {
        panic!("{e:?}");
    };
    assert_eq!((*line, column.is_some()), (Some(2), true));
    assert!(message(&e, None).contains("line 2"));
}

#[test]
fn json_that_is_not_geojson() {
    for doc in [
        r#"{"foo": 1}"#,
        r#"{"type": "Bogus", "coordinates": [1, 2]}"#,
        r#"{"type":"Feature","properties":{},"geometry":{"type":"LineString","coordinates":[[[37.2417381, -121.9723242]]]}}"#,
    ] {
        let e = err(doc, TraceFormat::GeoJson);
        assert!(
            matches!(
                e.kind(),
                IngestErrorKind::Syntax { .. } | IngestErrorKind::UnsupportedGeometry { .. }
            ),
            "{e:?}"
        );
        let text = message(&e, None);
        assert!(
            !text.contains("37.24") && !text.contains("121.97"),
            "{text}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// malformed input: times

#[test]
fn gpx_point_without_time() {
    let doc = gpx_with_points(r#"<trkpt lat="46.1" lon="14.1"><ele>300</ele></trkpt>"#);
    let e = err(doc, TraceFormat::Gpx);
    assert!(
        matches!(e.kind(), IngestErrorKind::MissingTime { index: 1 }),
        "{e:?}"
    );
    assert_eq!(e.line(), Some(5));
    let text = message(&e, Some(1));
    assert!(text.contains("<time>"), "{text}");
}

#[test]
fn gpx_bad_time_string() {
    let doc = gpx_with_points(
        r#"<trkpt lat="46.1" lon="14.1"><time>2017-13-45T99:00:00Z</time></trkpt>"#,
    );
    let e = err(doc, TraceFormat::Gpx);
    let IngestErrorKind::BadTime { index: 1, value } = e.kind() else {
        panic!("{e:?}");
    };
    assert_eq!(value, "2017-13-45T99:00:00Z");
    assert_eq!(e.line(), Some(5));
    let text = message(&e, Some(1));
    assert!(text.contains("2017-13-45T99:00:00Z"), "{text}");
}

#[test]
fn gpx_empty_time_element() {
    let doc = gpx_with_points(r#"<trkpt lat="46.1" lon="14.1"><time></time></trkpt>"#);
    let e = err(doc, TraceFormat::Gpx);
    assert!(
        matches!(e.kind(), IngestErrorKind::BadTime { index: 1, .. }),
        "{e:?}"
    );
    message(&e, Some(1));
}

#[test]
fn long_bad_times_are_truncated_in_messages() {
    let long = "x".repeat(500);
    let e = err(format!("time,lat,lon\n{long},1,2\n"), TraceFormat::Csv);
    let IngestErrorKind::BadTime { index: 0, value } = e.kind() else {
        panic!("{e:?}");
    };
    assert!(value.chars().count() <= 41, "{value}");
    assert!(message(&e, Some(0)).len() < 400);
}

#[test]
fn times_before_1970() {
    let doc = gpx_with_points(
        r#"<trkpt lat="46.1" lon="14.1"><time>1969-12-31T23:59:59Z</time></trkpt>"#,
    );
    let cases: [(String, TraceFormat, usize); 4] = [
        (doc, TraceFormat::Gpx, 1),
        (
            "time,lat,lon\n1969-12-31T23:59:59.999Z,1,2\n".into(),
            TraceFormat::Csv,
            0,
        ),
        ("time,lat,lon\n0,1,2\n-5,1,2\n".into(), TraceFormat::Csv, 1),
        (
            r#"{"type":"Feature","properties":{"coordTimes":[0,-1000]},"geometry":{"type":"LineString","coordinates":[[1,2],[1,2]]}}"#.into(),
            TraceFormat::GeoJson,
            1,
        ),
    ];
    for (doc, format, index) in cases {
        let e = err(&doc, format);
        assert!(
            matches!(e.kind(), IngestErrorKind::TimeOutOfRange { index: i } if *i == index),
            "{e:?}"
        );
        assert!(message(&e, Some(index)).contains("1970"));
    }
}

#[test]
fn times_after_year_9999() {
    let e = err("time,lat,lon\n253402300800000,1,2\n", TraceFormat::Csv);
    assert!(
        matches!(e.kind(), IngestErrorKind::TimeOutOfRange { index: 0 }),
        "{e:?}"
    );
    message(&e, Some(0));
    let e = err(
        "time,lat,lon\n10000-01-01T00:00:00Z,1,2\n",
        TraceFormat::Csv,
    );
    assert!(
        matches!(e.kind(), IngestErrorKind::BadTime { index: 0, .. }),
        "{e:?}"
    );
    let doc = r#"{"type":"Feature","properties":{"time":1e300},"geometry":{"type":"Point","coordinates":[1,2]}}"#;
    let e = err(doc, TraceFormat::GeoJson);
    assert!(
        matches!(e.kind(), IngestErrorKind::TimeOutOfRange { index: 0 }),
        "{e:?}"
    );
}

#[test]
fn csv_bad_unix_times() {
    for bad in ["1501339595x", "1e9", "0x5A", "--1", "1.2.3", "yesterday"] {
        let e = err(
            format!("time,lat,lon\n1501339595,1,2\n{bad},1,2\n"),
            TraceFormat::Csv,
        );
        let IngestErrorKind::BadTime { index: 1, value } = e.kind() else {
            panic!("{bad}: {e:?}");
        };
        assert_eq!(value, bad);
        assert_eq!(e.line(), Some(3));
        let text = message(&e, Some(1));
        assert!(text.contains("line 3"), "{text}");
    }
}

#[test]
fn csv_missing_time_value() {
    let e = err("time,lat,lon\n1501339595,1,2\n,1,2\n", TraceFormat::Csv);
    assert!(
        matches!(e.kind(), IngestErrorKind::MissingTime { index: 1 }),
        "{e:?}"
    );
    message(&e, Some(1));
}

#[test]
fn csv_rfc3339_without_offset_is_rejected() {
    // Refused (it could be local time), with its own message saying what to append; GPX times
    // need no offset (UTC by the GPX specification).
    let e = err("time,lat,lon\n2017-07-29T14:46:35,1,2\n", TraceFormat::Csv);
    assert!(
        matches!(
            e.kind(),
            IngestErrorKind::TimeWithoutOffset { index: 0, .. }
        ),
        "{e:?}"
    );
    let m = e.to_string();
    assert!(
        m.contains("without a UTC offset") && m.contains("append Z"),
        "{m}"
    );
    let doc = r#"{"type":"Feature","properties":{"time":"2021-05-01T08:00:00"},"geometry":{"type":"Point","coordinates":[14,46]}}"#;
    let e = err(doc, TraceFormat::GeoJson);
    assert!(
        matches!(
            e.kind(),
            IngestErrorKind::TimeWithoutOffset { index: 0, .. }
        ),
        "{e:?}"
    );
}

#[test]
fn geojson_point_feature_without_time() {
    let doc = r#"{"type":"FeatureCollection","features":[
        {"type":"Feature","properties":{"time":"2021-05-01T08:00:00Z"},"geometry":{"type":"Point","coordinates":[14,46]}},
        {"type":"Feature","properties":{"name":"no time"},"geometry":{"type":"Point","coordinates":[14,46]}}]}"#;
    let e = err(doc, TraceFormat::GeoJson);
    assert!(
        matches!(e.kind(), IngestErrorKind::MissingTime { index: 1 }),
        "{e:?}"
    );
    assert!(message(&e, Some(1)).contains("properties.time"));
    let null_props = doc.replace(r#"{"name":"no time"}"#, "null");
    let e = err(null_props, TraceFormat::GeoJson);
    assert!(
        matches!(e.kind(), IngestErrorKind::MissingTime { index: 1 }),
        "{e:?}"
    );
}

#[test]
fn geojson_line_without_coord_times() {
    let doc = r#"{"type":"Feature","properties":{"name":"x"},"geometry":{"type":"LineString","coordinates":[[14,46],[14,46]]}}"#;
    let e = err(doc, TraceFormat::GeoJson);
    assert!(
        matches!(e.kind(), IngestErrorKind::MissingTime { index: 0 }),
        "{e:?}"
    );
    message(&e, Some(0));
}

#[test]
fn geojson_bad_coord_times_entries() {
    let cases = [
        (r#"["2021-05-01T08:00:00Z","not a time"]"#, 1, "not a time"),
        (r#"["2021-05-01T08:00:00Z",{"lat":46.05}]"#, 1, "{…}"),
        (r#"[true,"2021-05-01T08:00:00Z"]"#, 0, "true"),
    ];
    for (times, index, value) in cases {
        let doc = format!(
            r#"{{"type":"Feature","properties":{{"coordTimes":{times}}},"geometry":{{"type":"LineString","coordinates":[[14,46],[14,46]]}}}}"#
        );
        let e = err(doc, TraceFormat::GeoJson);
        let IngestErrorKind::BadTime { index: i, value: v } = e.kind() else {
            panic!("{e:?}");
        };
        assert_eq!((*i, v.as_str()), (index, value));
        message(&e, Some(index));
    }
    let doc = r#"{"type":"Feature","properties":{"coordTimes":["2021-05-01T08:00:00Z",null]},"geometry":{"type":"LineString","coordinates":[[14,46],[14,46]]}}"#;
    let e = err(doc, TraceFormat::GeoJson);
    assert!(
        matches!(e.kind(), IngestErrorKind::MissingTime { index: 1 }),
        "{e:?}"
    );
    let doc = r#"{"type":"Feature","properties":{"coordTimes":"2021-05-01T08:00:00Z"},"geometry":{"type":"LineString","coordinates":[[14,46]]}}"#;
    let e = err(doc, TraceFormat::GeoJson);
    assert!(matches!(e.kind(), IngestErrorKind::Syntax { .. }), "{e:?}");
}

#[test]
fn geojson_coord_times_length_mismatch() {
    let doc = r#"{"type":"Feature","properties":{"coordTimes":[1000,2000]},"geometry":{"type":"LineString","coordinates":[[14,46],[14,46],[14,46]]}}"#;
    let e = err(doc, TraceFormat::GeoJson);
    assert!(
        matches!(
            e.kind(),
            IngestErrorKind::CoordTimesMismatch {
                index: 0,
                coords: 3,
                times: 2
            }
        ),
        "{e:?}"
    );
    let text = message(&e, Some(0));
    assert!(
        text.contains("3 coordinates") && text.contains("2 coordTimes"),
        "{text}"
    );

    // Second feature, second line: index is where that line starts.
    let doc = r#"{"type":"FeatureCollection","features":[
      {"type":"Feature","properties":{"coordTimes":[1000]},"geometry":{"type":"LineString","coordinates":[[14,46]]}},
      {"type":"Feature","properties":{"coordTimes":[[2000,3000],[4000]]},
       "geometry":{"type":"MultiLineString","coordinates":[[[14,46]],[[14,46],[14,46]]]}}]}"#;
    let e = err(doc, TraceFormat::GeoJson);
    assert!(
        matches!(
            e.kind(),
            IngestErrorKind::CoordTimesMismatch {
                index: 1,
                coords: 1,
                times: 2
            }
        ),
        "{e:?}"
    );
    message(&e, Some(1));
}

// ---------------------------------------------------------------------------------------------
// malformed input: coordinates

#[test]
fn gpx_bad_latitudes() {
    for (lat, problem) in [
        ("NaN", CoordProblem::NotFinite),
        ("abc", CoordProblem::NotANumber),
        ("91", CoordProblem::OutOfRange),
        (" 46.1", CoordProblem::NotANumber),
    ] {
        let doc = gpx_with_points(&format!(
            r#"<trkpt lat="{lat}" lon="14.1"><time>2021-05-01T08:00:01Z</time></trkpt>"#
        ));
        let e = err(doc, TraceFormat::Gpx);
        assert!(
            matches!(e.kind(), IngestErrorKind::BadLatitude { index: 1, problem: p } if *p == problem),
            "{lat}: {e:?}"
        );
        assert_eq!(e.line(), Some(5));
        message(&e, Some(1));
    }
    let doc = gpx_with_points(r#"<trkpt lon="14.1"><time>2021-05-01T08:00:01Z</time></trkpt>"#);
    let e = err(doc, TraceFormat::Gpx);
    assert!(
        matches!(
            e.kind(),
            IngestErrorKind::BadLatitude {
                index: 1,
                problem: CoordProblem::Missing
            }
        ),
        "{e:?}"
    );
}

#[test]
fn gpx_bad_longitudes() {
    for (lon, problem) in [
        ("181", CoordProblem::OutOfRange),
        ("-inf", CoordProblem::NotFinite),
        ("180", CoordProblem::OutOfRange), // the `gpx` crate excludes 180
    ] {
        let doc = gpx_with_points(&format!(
            r#"<trkpt lat="46.1" lon="{lon}"><time>2021-05-01T08:00:01Z</time></trkpt>"#
        ));
        let e = err(doc, TraceFormat::Gpx);
        assert!(
            matches!(e.kind(), IngestErrorKind::BadLongitude { index: 1, problem: p } if *p == problem),
            "{lon}: {e:?}"
        );
        message(&e, Some(1));
    }
}

#[test]
fn csv_bad_coordinates() {
    let cases = [
        ("NaN", "2", true, CoordProblem::NotFinite),
        ("abc", "2", true, CoordProblem::NotANumber),
        ("91.123456", "2", true, CoordProblem::OutOfRange),
        ("", "2", true, CoordProblem::Missing),
        ("1", "181.654321", false, CoordProblem::OutOfRange),
        ("1", "-inf", false, CoordProblem::NotFinite),
        ("1", "infinity", false, CoordProblem::NotFinite),
    ];
    for (lat, lon, is_lat, problem) in cases {
        let csv = format!("time,lat,lon\n1501339595,1,2\n1501339596,{lat},{lon}\n");
        let e = err(&csv, TraceFormat::Csv);
        let (index, p) = match e.kind() {
            IngestErrorKind::BadLatitude { index, problem } if is_lat => (*index, *problem),
            IngestErrorKind::BadLongitude { index, problem } if !is_lat => (*index, *problem),
            other => panic!("{lat},{lon}: {other:?}"),
        };
        assert_eq!((index, p), (1, problem), "{lat},{lon}");
        let text = message(&e, Some(1));
        assert!(text.contains("line 3"), "{text}");
        // Privacy: the offending coordinate is not repeated.
        assert!(
            !text.contains("91.12") && !text.contains("181.65"),
            "{text}"
        );
    }
}

#[test]
fn geojson_bad_coordinates() {
    let doc = r#"{"type":"Feature","properties":{"coordTimes":[1000,2000]},"geometry":{"type":"LineString","coordinates":[[14,46],[14,91.5]]}}"#;
    let e = err(doc, TraceFormat::GeoJson);
    assert!(
        matches!(
            e.kind(),
            IngestErrorKind::BadLatitude {
                index: 1,
                problem: CoordProblem::OutOfRange
            }
        ),
        "{e:?}"
    );
    assert!(!message(&e, Some(1)).contains("91.5"));
    let doc = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"time":1000},"geometry":{"type":"Point","coordinates":[-180.5,46]}}]}"#;
    let e = err(doc, TraceFormat::GeoJson);
    assert!(
        matches!(e.kind(), IngestErrorKind::BadLongitude { index: 0, .. }),
        "{e:?}"
    );
    let doc = r#"{"type":"Feature","properties":{"coordTimes":[1000]},"geometry":{"type":"LineString","coordinates":[[14]]}}"#;
    let e = err(doc, TraceFormat::GeoJson);
    assert!(
        matches!(e.kind(), IngestErrorKind::BadPoint { index: 0, .. }),
        "{e:?}"
    );
    message(&e, Some(0));
}

// ---------------------------------------------------------------------------------------------
// malformed input: CSV structure

#[test]
fn csv_missing_columns() {
    for (header, missing) in [
        ("time,lon", "lat"),
        ("lat,lon,hdop", "time"),
        ("time,lat,elevation", "lon"),
        ("time;lat;lon", "time"),
    ] {
        let e = err(format!("{header}\n1,2,3\n"), TraceFormat::Csv);
        assert!(
            matches!(e.kind(), IngestErrorKind::MissingColumn { name } if *name == missing),
            "{header}: {e:?}"
        );
        let text = message(&e, None);
        assert!(text.contains("comma"), "{text}");
    }
}

#[test]
fn csv_duplicate_column() {
    let e = err("time,lat,latitude,lon\n1,2,3,4\n", TraceFormat::Csv);
    assert!(
        matches!(e.kind(), IngestErrorKind::DuplicateColumn { name: "lat" }),
        "{e:?}"
    );
    message(&e, None);
}

#[test]
fn csv_row_with_too_few_fields() {
    let e = err(
        "time,lat,lon\n1501339595,1,2\n1501339596,1\n",
        TraceFormat::Csv,
    );
    assert!(
        matches!(
            e.kind(),
            IngestErrorKind::ShortRow {
                index: 1,
                fields: 2,
                needed: 3
            }
        ),
        "{e:?}"
    );
    assert_eq!(e.line(), Some(3));
    let text = message(&e, Some(1));
    assert!(text.contains("line 3"), "{text}");
}

#[test]
fn csv_bad_hdop_and_sats() {
    for (hdop, sats, field) in [
        ("abc", "5", "hdop"),
        ("-1", "5", "hdop"),
        ("NaN", "5", "hdop"),
        ("1", "-1", "sats"),
        ("1", "70000", "sats"),
        ("1", "7.5", "sats"),
    ] {
        let e = err(
            format!("time,lat,lon,hdop,sats\n1501339595,1,2,{hdop},{sats}\n"),
            TraceFormat::Csv,
        );
        assert!(
            matches!(e.kind(), IngestErrorKind::BadField { index: 0, field: f, .. } if *f == field),
            "{hdop},{sats}: {e:?}"
        );
        message(&e, Some(0));
    }
}

#[test]
fn csv_invalid_utf8_in_a_row() {
    let e = err(
        b"time,lat,lon\n1501339595,1,2\n1501339596,\xff\xfe,2\n",
        TraceFormat::Csv,
    );
    let IngestErrorKind::Syntax {
        line, message: m, ..
    } = e.kind()
    else {
        panic!("{e:?}");
    };
    assert_eq!(*line, Some(3));
    assert!(m.contains("point 1"), "{m}");
    message(&e, None);
}

// ---------------------------------------------------------------------------------------------
// malformed input: GPX structure the `gpx` crate rejects

#[test]
fn gpx_element_the_reader_does_not_accept() {
    let doc = r#"<gpx version="1.0"><trk><trkseg>
<trkpt lat="1" lon="2"><time>2021-05-01T08:00:00Z</time><speed>1</speed></trkpt>
<trkpt lat="1" lon="2"><time>2021-05-01T08:00:01Z</time><course>90</course></trkpt>
</trkseg></trk></gpx>"#;
    let e = err(doc, TraceFormat::Gpx);
    let IngestErrorKind::BadPoint {
        index: 1,
        message: m,
    } = e.kind()
    else {
        panic!("{e:?}");
    };
    assert!(m.contains("<course>"), "{m}");
    assert_eq!(e.line(), Some(3));
    message(&e, Some(1));
}

#[test]
fn gpx_bad_hdop_and_sat() {
    let doc = gpx_with_points(
        r#"<trkpt lat="1" lon="2"><time>2021-05-01T08:00:01Z</time><hdop>x</hdop></trkpt>"#,
    );
    let e = err(doc, TraceFormat::Gpx);
    assert!(
        matches!(
            e.kind(),
            IngestErrorKind::BadField {
                index: 1,
                field: "hdop",
                ..
            }
        ),
        "{e:?}"
    );
    message(&e, Some(1));
    let doc = gpx_with_points(
        r#"<trkpt lat="1" lon="2"><time>2021-05-01T08:00:01Z</time><sat>70000</sat></trkpt>"#,
    );
    let e = err(doc, TraceFormat::Gpx);
    assert!(
        matches!(
            e.kind(),
            IngestErrorKind::BadField {
                index: 1,
                field: "sats",
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(e.line(), Some(5));
    message(&e, Some(1));
}

#[test]
fn gpx_bad_waypoint_breaks_the_file() {
    let doc = r#"<gpx version="1.1"><wpt lat="95" lon="2"/><trk><trkseg>
<trkpt lat="1" lon="2"><time>2021-05-01T08:00:00Z</time></trkpt></trkseg></trk></gpx>"#;
    let e = err(doc, TraceFormat::Gpx);
    let IngestErrorKind::Syntax { message: m, .. } = e.kind() else {
        panic!("{e:?}");
    };
    assert!(m.contains("waypoint 0") && m.contains("latitude"), "{m}");
    assert!(!m.contains("95"), "{m}");
    message(&e, None);
}

#[test]
fn gpx_bad_metadata_time_breaks_the_file() {
    let doc = "<gpx version=\"1.1\">\n<metadata><time>yesterday</time></metadata><trk><trkseg>\n<trkpt lat=\"1\" lon=\"2\"><time>2021-05-01T08:00:00Z</time></trkpt></trkseg></trk></gpx>";
    let e = err(doc, TraceFormat::Gpx);
    let IngestErrorKind::Syntax {
        line, message: m, ..
    } = e.kind()
    else {
        panic!("{e:?}");
    };
    assert_eq!(*line, Some(2));
    assert!(m.contains("yesterday"), "{m}");
    message(&e, None);
}

// ---------------------------------------------------------------------------------------------
// malformed input: unsupported GeoJSON

#[test]
fn geojson_unsupported_shapes() {
    let polygon = r#"{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}"#;
    let bare = r#"{"type":"LineString","coordinates":[[0,0],[1,1]]}"#;
    let mixed = r#"{"type":"FeatureCollection","features":[
        {"type":"Feature","properties":{"time":1000},"geometry":{"type":"Point","coordinates":[0,0]}},
        {"type":"Feature","properties":{"coordTimes":[1000]},"geometry":{"type":"LineString","coordinates":[[0,0]]}}]}"#;
    let no_geometry = r#"{"type":"Feature","properties":{"time":1000},"geometry":null}"#;
    let multipoint = r#"{"type":"Feature","properties":{},"geometry":{"type":"MultiPoint","coordinates":[[0,0]]}}"#;
    for (doc, what) in [
        (polygon, "Polygon"),
        (bare, "LineString"),
        (mixed, "mixing"),
        (no_geometry, "no geometry"),
        (multipoint, "MultiPoint"),
    ] {
        let e = err(doc, TraceFormat::GeoJson);
        let IngestErrorKind::UnsupportedGeometry { what: w } = e.kind() else {
            panic!("{e:?}");
        };
        assert!(w.contains(what), "{w}");
        assert!(message(&e, None).contains("coordTimes"));
    }
}

#[test]
fn geojson_multipolygon_is_unsupported() {
    let polygon = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"area"},
        "geometry":{"type":"MultiPolygon","coordinates":[[[[13,45],[14,45],[14,46],[13,45]]]]}}]}"#;
    let e = err(polygon, TraceFormat::GeoJson);
    assert!(
        matches!(e.kind(), IngestErrorKind::UnsupportedGeometry { .. }),
        "{e:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// files, I/O and limits

#[test]
fn non_existent_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("missing.gpx");
    let e = read_trace(&path).unwrap_err();
    assert!(matches!(e.kind(), IngestErrorKind::Io(_)), "{e:?}");
    assert_eq!(e.file(), Some(path.as_path()));
    let text = message(&e, None);
    assert!(text.contains("missing.gpx"), "{text}");
}

#[test]
fn directory_instead_of_file() {
    let dir = tempfile::tempdir().unwrap();
    let e = read_trace(dir.path()).unwrap_err();
    assert!(matches!(e.kind(), IngestErrorKind::Io(_)), "{e:?}");
    message(&e, None);
}

#[test]
fn file_too_large_is_rejected_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.gpx");
    let file = fs::File::create(&path).unwrap();
    // Sparse: no 64 MiB are written.
    file.set_len(MAX_TRACE_BYTES + 1).unwrap();
    drop(file);
    let e = read_trace(&path).unwrap_err();
    assert!(
        matches!(
            e.kind(),
            IngestErrorKind::TooLarge { bytes, limit }
                if *bytes == MAX_TRACE_BYTES + 1 && *limit == MAX_TRACE_BYTES
        ),
        "{e:?}"
    );
    let text = message(&e, None);
    assert!(
        text.contains("huge.gpx") && text.contains("too large"),
        "{text}"
    );
}

#[test]
fn size_and_point_limits_are_configurable() {
    let small = Limits {
        max_bytes: 100,
        max_points: MAX_TRACE_POINTS,
    };
    let e = read_trace_with_limits(&fixture("ingest/gpx10.gpx"), &small).unwrap_err();
    assert!(
        matches!(e.kind(), IngestErrorKind::TooLarge { limit: 100, .. }),
        "{e:?}"
    );
    let e = parse_trace_with_limits(&[b' '; 101], TraceFormat::Csv, &small).unwrap_err();
    assert!(
        matches!(e.kind(), IngestErrorKind::TooLarge { bytes: 101, .. }),
        "{e:?}"
    );

    let two = Limits {
        max_points: 2,
        ..Limits::default()
    };
    for src in [
        "ingest/gpx10.gpx",
        "ingest/rfc3339-ms.csv",
        "ingest/linestring.geojson",
        "ingest/points.geojson",
        "ingest/route-only.gpx",
    ] {
        let result = read_trace_with_limits(&fixture(src), &two);
        if src == "ingest/route-only.gpx" {
            assert_eq!(result.unwrap().points.len(), 2);
            continue;
        }
        let e = result.unwrap_err();
        assert!(
            matches!(e.kind(), IngestErrorKind::TooManyPoints { limit: 2 }),
            "{src}: {e:?}"
        );
        message(&e, None);
    }
    assert_eq!(Limits::default().max_points, MAX_TRACE_POINTS);
}

#[test]
fn gpx_point_limit_counts_every_point_element() {
    // The pre-count (which protects memory) includes waypoints and route points.
    let doc = r#"<gpx version="1.1"><wpt lat="1" lon="1"/><wpt lat="1" lon="1"/><trk><trkseg>
<trkpt lat="1" lon="2"><time>2021-05-01T08:00:00Z</time></trkpt></trkseg></trk></gpx>"#;
    let two = Limits {
        max_points: 2,
        ..Limits::default()
    };
    let e = parse_trace_with_limits(doc.as_bytes(), TraceFormat::Gpx, &two).unwrap_err();
    assert!(
        matches!(e.kind(), IngestErrorKind::TooManyPoints { limit: 2 }),
        "{e:?}"
    );
    assert_eq!(
        parse_trace(doc.as_bytes(), TraceFormat::Gpx).unwrap().len(),
        1
    );
}

#[test]
fn errors_from_read_trace_name_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("walk.csv");
    fs::write(&path, "time,lat,lon\n1501339595,1,2\n1501339596,1,200\n").unwrap();
    let e = read_trace(&path).unwrap_err();
    assert_eq!(e.format(), Some(TraceFormat::Csv));
    let text = message(&e, Some(1));
    assert!(
        text.starts_with(&format!("{} (line 3): point 1", path.display())),
        "{text}"
    );
}

// ---------------------------------------------------------------------------------------------
// never panic

fn no_panic(bytes: &[u8]) {
    for format in [TraceFormat::Gpx, TraceFormat::Csv, TraceFormat::GeoJson] {
        if let Err(e) = parse_trace(bytes, format) {
            let text = e.to_string();
            assert!(!text.contains('\n'), "{text:?}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        no_panic(&bytes);
    }

    #[test]
    fn token_soup_never_panics(parts in proptest::collection::vec(prop_oneof![
        Just("<gpx version=\"1.1\">"), Just("<gpx version=\"1.0\">"), Just("</gpx>"), Just("<trk>"),
        Just("</trk>"), Just("<trkseg>"), Just("</trkseg>"), Just("<trkpt lat=\"1\" lon=\"2\">"),
        Just("<trkpt lat=\"NaN\" lon=\"2e400\">"), Just("</trkpt>"), Just("<time>"), Just("</time>"),
        Just("2021-05-01T08:00:00.5Z"), Just("1969-01-01T00:00:00Z"), Just("<hdop>"), Just("</hdop>"),
        Just("<sat>"), Just("</sat>"), Just("99999999999999999999"), Just("<extensions>"),
        Just("</extensions>"), Just("<rte>"), Just("<rtept lat=\"1\" lon=\"2\"/>"), Just("</rte>"),
        Just("<wpt lat=\"1\" lon=\"2\"/>"), Just("&amp;"), Just("<![CDATA[x]]>"), Just("\n"),
        Just("{"), Just("}"), Just("["), Just("]"), Just(","), Just(":"), Just("\"type\""),
        Just("\"Feature\""), Just("\"FeatureCollection\""), Just("\"features\""), Just("\"geometry\""),
        Just("\"LineString\""), Just("\"MultiLineString\""), Just("\"Point\""), Just("\"coordinates\""),
        Just("\"properties\""), Just("\"coordTimes\""), Just("\"time\""), Just("null"), Just("-1"),
        Just("1e308"), Just("1501339595123"), Just("time,lat,lon\n"), Just("\"a\"\"b\""), Just("\r\n"),
        Just("1501339595.5"), Just("-0"), Just("91"), Just("inf"), Just(""),
    ], 0..60)) {
        no_panic(parts.concat().as_bytes());
    }

    #[test]
    fn generated_csv_rows_never_panic(rows in proptest::collection::vec(
        ("[-+0-9.eE:TZ ]{0,16}", "[-+0-9.naif]{0,12}", "[-+0-9.naif]{0,12}", "[-0-9.]{0,5}"), 0..20)) {
        let mut csv = String::from("time,lat,lon,sats\n");
        for (t, lat, lon, sats) in &rows {
            csv.push_str(&format!("{t},{lat},{lon},{sats}\n"));
        }
        if let Ok(points) = parse_trace(csv.as_bytes(), TraceFormat::Csv) {
            for p in points {
                prop_assert!((0..=MAX_TIME_MS).contains(&p.time_ms));
                prop_assert!((-90.0..=90.0).contains(&p.lat) && (-180.0..=180.0).contains(&p.lon));
            }
        }
    }

    #[test]
    fn damaged_real_gpx_never_panics(cut in 0usize..70_000, flip in 0usize..70_000, byte in any::<u8>()) {
        let mut bytes = fs::read(fixture("visnjan-car.gpx")).unwrap();
        let at = flip % bytes.len().max(1);
        if let Some(b) = bytes.get_mut(at) {
            *b = byte;
        }
        bytes.truncate(cut % (bytes.len() + 1));
        no_panic(&bytes);
    }
}
