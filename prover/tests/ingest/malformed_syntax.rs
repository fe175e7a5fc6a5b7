//! Malformed input: empty files, garbage, broken syntax.

use super::*;

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
