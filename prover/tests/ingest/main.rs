//! Tests of trace ingest: real GPX recordings, tiny synthetic files in every format, malformed
//! inputs, limits, and a never-panics property test; one module per kind, the shared helpers
//! here.

use std::fs;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use zkcontrib_prover::ingest::{
    parse_trace, parse_trace_with_limits, read_trace, read_trace_with_limits, CoordProblem,
    IngestError, IngestErrorKind, Limits, RawPoint, Trace, TraceFormat, MAX_TIME_MS,
    MAX_TRACE_BYTES, MAX_TRACE_POINTS,
};

mod formats;
mod limits;
mod malformed_coordinates;
mod malformed_structure;
mod malformed_syntax;
mod malformed_times;
mod recordings;

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
