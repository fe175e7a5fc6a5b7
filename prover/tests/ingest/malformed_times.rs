//! Malformed input: times.

use super::*;

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
