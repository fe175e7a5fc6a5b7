//! Malformed input: coordinates, and CSV structure.

use super::*;

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
