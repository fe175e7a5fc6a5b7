//! `zkcontrib prove --follow` / `--resume`: proving while the trace is recorded, on the same
//! engine as an app ([`zkcontrib_prover::session`]). The trace is a CSV file that grows line
//! by line; each complete chunk is proven as soon as it exists, rule violations are reported
//! as their points arrive, and the progress is kept in a state file, so a run killed at any
//! moment continues with `--resume` without proving finished chunks again.

use super::proving::{beside, load_for_proving, rejected, write_proven, Outputs};
use super::{keys_dir, BadInput};
use anyhow::anyhow;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};
use zkcontrib_circuits::encode::Point;
use zkcontrib_circuits::policy::Policy;
use zkcontrib_circuits::shape::Shape;
use zkcontrib_prover::contribution::ContributionError;
use zkcontrib_prover::ingest::{self, TraceFormat};
use zkcontrib_prover::session::{Progress, Session, SessionError, SessionKeys, SessionOptions};

/// What `prove --follow` / `--resume` needs from the command line.
pub(crate) struct Follow<'a> {
    pub trace: &'a Path,
    pub submitter: &'a str,
    pub keys_dir: Option<PathBuf>,
    pub threads: Option<usize>,
    pub out: &'a Path,
    pub quiet: bool,
    pub json: bool,
    /// Keep reading the trace as it grows.
    pub follow: bool,
    /// Continue from the state file.
    pub resume: bool,
    pub state: Option<PathBuf>,
    /// Seconds without growth that end following.
    pub idle: f64,
}

/// How often a followed trace is read again.
const POLL: Duration = Duration::from_millis(250);

/// The points of the complete lines of a CSV trace (a line being written is left for later).
fn complete_points(trace: &Path) -> Result<Vec<Point>, BadInput> {
    let bytes = std::fs::read(trace)
        .map_err(|e| BadInput(anyhow!("{}: cannot read the trace: {e}", trace.display())))?;
    let end = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let complete = &bytes[..end];
    // A header alone (or nothing yet): no points so far.
    if complete.iter().filter(|&&b| b == b'\n').count() < 2 {
        return Ok(Vec::new());
    }
    ingest::parse_points(complete, TraceFormat::Csv)
        .map_err(|e| BadInput(e.with_file(trace).into()))
}

/// `Err(1)` for a trace that breaks the policy (said on stderr or as JSON); other session
/// failures are bad input or configuration (exit 2).
fn session_error(e: SessionError, a: &Follow<'_>, state: &Path) -> Result<ExitCode, BadInput> {
    match e {
        SessionError::Contribution(ContributionError::NotQualifying { rules }) => {
            Ok(rejected(a.trace, &rules, a.json))
        }
        SessionError::StateFile { path, problem } => Err(BadInput(anyhow!(
            "{}: {problem}; {}",
            path.display(),
            if a.resume {
                "start a new run without --resume (delete the file first)"
            } else {
                "continue that run with --resume, or delete the file to start again"
            }
        ))),
        other => Err(BadInput(anyhow!(
            "{}: {other} (progress is kept in {})",
            a.trace.display(),
            state.display()
        ))),
    }
}

/// `zkcontrib prove --follow` and/or `--resume`.
pub(crate) fn prove_streaming(
    a: &Follow<'_>,
    policy: Policy,
    shape: Shape,
) -> Result<ExitCode, BadInput> {
    let ext = a
        .trace
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    if matches!(ext.as_deref(), Some("gpx" | "geojson" | "json")) {
        return Err(BadInput(anyhow!(
            "{}: --follow and --resume read a CSV trace that grows line by line (time,lat,lon); a GPX or GeoJSON file is complete only at its end: prove it without --follow",
            a.trace.display()
        )));
    }
    if !(a.idle.is_finite() && a.idle >= 0.0) {
        return Err(BadInput(anyhow!("--idle {}: expected seconds ≥ 0", a.idle)));
    }
    let state = a.state.clone().unwrap_or_else(|| beside(a.out, "session"));
    let t_load = Instant::now();
    let loaded = load_for_proving(&keys_dir(a.keys_dir.clone()), shape, a.quiet || a.json)?;
    let load_s = t_load.elapsed().as_secs_f64();
    let keys = Arc::new(SessionKeys::from(loaded));
    let policy = Arc::new(policy);
    let mut options = SessionOptions::new(a.submitter);
    options.state_file = Some(state.clone());
    options.threads = a.threads;
    if !(a.quiet || a.json) {
        options.progress = Some(Arc::new(|p: &Progress| {
            if let Progress::ChunkProven { chunk, seconds, .. } = p {
                eprintln!("chunk {chunk} proven ({seconds:.1} s)");
            }
        }));
    }
    let started = if a.resume {
        Session::resume(&state, keys.clone(), policy, options)
    } else {
        Session::start(keys.clone(), policy, options)
    };
    let mut session = match started {
        Ok(s) => s,
        Err(e) => return session_error(e, a, &state),
    };
    if !(a.quiet || a.json) {
        eprintln!(
            "{} {} ({} points so far); progress in {}",
            if a.resume { "resumed" } else { "following" },
            a.trace.display(),
            session.len(),
            state.display()
        );
    }
    let t = Instant::now();
    let idle = Duration::from_secs_f64(a.idle);
    let mut last_seen = (0usize, Instant::now());
    loop {
        let points = complete_points(a.trace)?;
        if points.len() < session.len() {
            return Err(BadInput(anyhow!(
                "{}: {} points, but the state file {} already holds {}: not the trace of this run (give the same --trace, or start again without --resume)",
                a.trace.display(),
                points.len(),
                state.display(),
                session.len()
            )));
        }
        if points.len() > session.len() {
            let first = session.len();
            let violations = match session.push(&points[first..]) {
                Ok(v) => v,
                Err(e) => return session_error(e, a, &state),
            };
            if !a.json {
                for v in violations {
                    eprintln!("{}: {v}", a.trace.display());
                }
            }
        }
        if points.len() != last_seen.0 {
            last_seen = (points.len(), Instant::now());
        }
        if !a.follow || last_seen.1.elapsed() >= idle {
            break;
        }
        std::thread::sleep(POLL);
    }
    let finished = match session.finish() {
        Ok(f) => f,
        Err(e) => return session_error(e, a, &state),
    };
    write_proven(
        &finished.proven,
        &Outputs {
            out: a.out,
            submitter: a.submitter,
            keys: &keys.keys,
            load_s,
            threads: a.threads,
            json: a.json,
        },
        t.elapsed().as_secs_f64(),
    )?;
    if !a.json {
        println!(
            "streaming     {} chunks proven while following, {} at the end ({:.2} s after the trace stopped)",
            finished.reused + finished.awaited,
            finished.proven_at_finish,
            finished.finish_seconds
        );
    }
    drop(session);
    // The bundle and opening are written: the state file (which holds the points) goes.
    if let Err(e) = std::fs::remove_file(&state) {
        eprintln!("note: {}: could not delete the state file ({e}); it holds the trace, delete it yourself", state.display());
    }
    Ok(ExitCode::SUCCESS)
}
