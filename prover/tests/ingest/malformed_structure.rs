//! Malformed input: GPX structure the `gpx` crate rejects, unsupported GeoJSON.

use super::*;

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
