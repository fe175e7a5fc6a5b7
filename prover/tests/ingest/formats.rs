//! Tiny synthetic files in every format, to the millisecond.

use super::*;

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
