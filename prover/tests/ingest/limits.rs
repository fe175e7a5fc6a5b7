//! Files, I/O and limits; a property test that ingest never panics.

use super::*;

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
