//! The minimal app of docs/mobile.md: record, prove while recording, survive a kill, finish.
//!
//! ```text
//! cargo run --release -p zkcontrib-prover --example session_app -- \
//!     KEYS_DIR TRACE POLICY STATE_FILE [--low-power] [--stop-after N]
//! ```
//!
//! Starts a session (or resumes `STATE_FILE` if it exists), pushes the trace's points one at a
//! time as a GPS would, and finishes. `--stop-after N` cancels after `N` points, as an app
//! going to the background would; run it again to resume.

use std::path::PathBuf;
use std::sync::Arc;
use zkcontrib_prover::session::{
    CancelToken, Progress, Session, SessionError, SessionKeys, SessionOptions,
};
use zkcontrib_prover::{ingest::read_points, policy_file::load_policy, prepared};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    anyhow::ensure!(
        args.len() >= 4,
        "usage: KEYS_DIR TRACE POLICY STATE_FILE [--low-power] [--stop-after N]"
    );
    let (keys_dir, trace, policy, state) = (
        PathBuf::from(&args[0]),
        PathBuf::from(&args[1]),
        PathBuf::from(&args[2]),
        PathBuf::from(&args[3]),
    );
    let low_power = args.iter().any(|a| a == "--low-power");
    let stop_after: Option<usize> = args
        .iter()
        .position(|a| a == "--stop-after")
        .and_then(|i| args.get(i + 1)?.parse().ok());

    // Once per app start: the shape's keys (prepared after download) and the policy.
    let keys = Arc::new(SessionKeys::from(prepared::load(&keys_dir, "earth")?));
    let policy = Arc::new(load_policy(&policy)?);

    // Options: the reward address, the state file, progress, cancellation, power.
    let cancel = CancelToken::new();
    let mut options = SessionOptions::new("0x00000000000000000000000000000000000d3e40");
    options.state_file = Some(state.clone());
    options.low_power = low_power;
    options.cancel = cancel.clone();
    options.progress = Some(Arc::new(|p: &Progress| match p {
        Progress::Phase { chunk, phase, .. } => eprintln!("chunk {chunk}: {phase:?}"),
        Progress::ChunkProven { chunk, seconds, .. } => {
            eprintln!("chunk {chunk} proven in {seconds:.1} s")
        }
        _ => {}
    }));

    // Start, or continue after the app (or the phone) stopped.
    let mut session = if state.exists() {
        Session::resume(&state, keys, policy, options)?
    } else {
        Session::start(keys, policy, options)?
    };

    // Recording: one fix at a time. Violations come back at once, with the point's index.
    let points = read_points(&trace)?;
    for p in &points[session.len()..] {
        for v in session.push(std::slice::from_ref(p))? {
            eprintln!("warning: {v}");
        }
        if stop_after.is_some_and(|n| session.len() >= n) {
            cancel.cancel();
            break;
        }
    }

    // End of the trip: prove what remains.
    match session.finish() {
        Ok(done) => {
            println!("{}", serde_json::to_string_pretty(&done.proven.bundle)?);
            eprintln!(
                "finish took {:.1} s ({} chunk(s) proven early, {} at the end); \
                 store the bundle and the opening, then delete {}",
                done.finish_seconds,
                done.reused + done.awaited,
                done.proven_at_finish,
                state.display()
            );
            Ok(())
        }
        Err(SessionError::Cancelled) => {
            eprintln!("stopped; run again to resume {}", state.display());
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
}
