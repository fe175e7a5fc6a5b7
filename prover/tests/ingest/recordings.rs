//! Real recordings (GPX from devices and apps).

use super::*;

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
