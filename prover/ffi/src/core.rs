//! What the C ABI and the UniFFI bindings share: opening a session from paths, encoding fixes,
//! and one error type with the codes both expose.

#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use zkcontrib_circuits::encode::{Point, PointError};
use zkcontrib_circuits::rules::Rule;
use zkcontrib_prover::contribution::ContributionError;
use zkcontrib_prover::ingest::{check_lat, check_lon, MAX_TIME_MS};
use zkcontrib_prover::session::{
    CancelToken, Finished, ProgressFn, Session, SessionError, SessionKeys, SessionOptions, Status,
};

/// Why a call failed, in the categories apps act on. The message names the file, the point
/// index and the reason, never a coordinate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
#[uniffi(flat_error)]
#[non_exhaustive]
pub enum FfiError {
    /// An argument is malformed: a null or non-UTF-8 string, a fix outside the accepted ranges,
    /// a malformed submitter address. Fix the input and call again.
    #[error("{0}")]
    BadInput(String),
    /// The trace breaks the policy (or cannot be split into chunks): it can never be proven.
    #[error("{0}")]
    Rejected(String),
    /// The session was cancelled; its state file is saved and can be resumed.
    #[error("{0}")]
    Cancelled(String),
    /// Keys, policy or state file are missing, unreadable, damaged or do not fit together.
    #[error("{0}")]
    Config(String),
    /// A bug or an unexpected failure (a panic, a proving failure). Report it.
    #[error("{0}")]
    Internal(String),
}

impl From<SessionError> for FfiError {
    fn from(e: SessionError) -> Self {
        let m = e.to_string();
        match e {
            SessionError::Submitter(_) => Self::BadInput(m),
            SessionError::Shape(_) | SessionError::StateFile { .. } => Self::Config(m),
            SessionError::Contribution(
                ContributionError::NotQualifying { .. } | ContributionError::Plan(_),
            ) => Self::Rejected(m),
            SessionError::Contribution(ContributionError::Submitter(_)) => Self::BadInput(m),
            SessionError::Cancelled => Self::Cancelled(m),
            _ => Self::Internal(m),
        }
    }
}

/// The text of a caught panic's payload.
pub(crate) fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    let what = p
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into());
    format!("internal error (panic): {what}")
}

/// Encodes a fix as ingest does for trace files: finite coordinates within
/// `[-90, 90]` / `[-180, 180]` degrees and a time in `0..=MAX_TIME_MS` (9999-12-31), then
/// [`Point::from_degrees`] (1e-7 degree, rounded to nearest). `index` names the point in errors.
pub fn encode_fix(index: usize, lat: f64, lon: f64, unix_ms: i64) -> Result<Point, FfiError> {
    if let Err(p) = check_lat(lat) {
        return Err(FfiError::BadInput(format!(
            "point {index}: latitude {p} (expected degrees in [-90, 90])"
        )));
    }
    if let Err(p) = check_lon(lon) {
        return Err(FfiError::BadInput(format!(
            "point {index}: longitude {p} (expected degrees in [-180, 180])"
        )));
    }
    if !(0..=MAX_TIME_MS).contains(&unix_ms) {
        return Err(FfiError::BadInput(format!(
            "point {index}: time is out of range (expected unix milliseconds from \
             1970-01-01 to 9999-12-31)"
        )));
    }
    Point::from_degrees(lat, lon, unix_ms)
        .map_err(|e: PointError| FfiError::BadInput(format!("point {index}: {e}")))
}

/// How to open a session: paths and options, as both bindings take them.
pub struct Config<'a> {
    pub keys_dir: &'a Path,
    pub shape: &'a str,
    pub policy_path: &'a Path,
    pub submitter: &'a str,
    pub state_path: Option<PathBuf>,
    /// 0: all cores.
    pub threads: u32,
    pub low_power: bool,
    pub save_every: u32,
    pub progress: Option<ProgressFn>,
}

/// The violations of one push, summarized.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Pushed {
    /// Every violation's message (point index, rule, numbers; no coordinate), in order.
    pub messages: Vec<String>,
    /// Points outside the region (a violation only if too many are at the end).
    pub outside: u32,
    /// Violations of point rules (time order, interval, speed, window, encodable): the trace
    /// can no longer qualify.
    pub broken: u32,
}

/// A session behind a lock, with its cancel token outside the lock so that another thread
/// (or the progress callback) can cancel while `push` or `finish` runs.
pub struct Handle {
    /// `None` once closed.
    session: Mutex<Option<Session>>,
    cancel: CancelToken,
}

impl std::fmt::Debug for Handle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Handle").finish_non_exhaustive()
    }
}

fn load(
    c: &Config<'_>,
) -> Result<(Arc<SessionKeys>, Arc<zkcontrib_circuits::policy::Policy>), FfiError> {
    let keys = zkcontrib_prover::prepared::load(c.keys_dir, c.shape)
        .map_err(|e| FfiError::Config(format!("keys ({}): {e}", c.keys_dir.display())))?;
    let policy = zkcontrib_prover::policy_file::load_policy(c.policy_path)
        .map_err(|e| FfiError::Config(e.to_string()))?;
    Ok((Arc::new(SessionKeys::from(keys)), Arc::new(policy)))
}

fn options(c: Config<'_>, cancel: &CancelToken) -> SessionOptions {
    let mut o = SessionOptions::new(c.submitter);
    o.state_file = c.state_path;
    o.threads = (c.threads > 0).then_some(c.threads as usize);
    o.low_power = c.low_power;
    o.save_every = c.save_every as usize;
    o.progress = c.progress;
    o.cancel = cancel.clone();
    o
}

impl Handle {
    /// [`Session::start`] with keys and policy loaded from files.
    pub fn start(c: Config<'_>) -> Result<Self, FfiError> {
        let (keys, policy) = load(&c)?;
        let cancel = CancelToken::new();
        let session = Session::start(keys, policy, options(c, &cancel))?;
        Ok(Self {
            session: Mutex::new(Some(session)),
            cancel,
        })
    }

    /// [`Session::resume`] of `c.state_path` (required).
    pub fn resume(c: Config<'_>) -> Result<Self, FfiError> {
        let Some(path) = c.state_path.clone() else {
            return Err(FfiError::BadInput(
                "resume needs the state file's path".into(),
            ));
        };
        let (keys, policy) = load(&c)?;
        let cancel = CancelToken::new();
        let session = Session::resume(&path, keys, policy, options(c, &cancel))?;
        Ok(Self {
            session: Mutex::new(Some(session)),
            cancel,
        })
    }

    fn lock(&self) -> MutexGuard<'_, Option<Session>> {
        // A panic caught while the lock was held leaves the session as it was between calls.
        self.session.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `f` on the session, unless it is closed.
    fn with<T>(&self, f: impl FnOnce(&mut Session) -> Result<T, FfiError>) -> Result<T, FfiError> {
        match self.lock().as_mut() {
            Some(s) => f(s),
            None => Err(FfiError::BadInput("the session is closed".into())),
        }
    }

    /// Drops the session (stops and joins its proving thread, saves the points pushed since
    /// the last save) while this handle stays valid, so that a progress callback still
    /// running may call [`Handle::cancel`]. Later calls are `BadInput`.
    pub fn close(&self) {
        let s = self.lock().take();
        drop(s);
    }

    /// Encodes and pushes fixes: all of them, or none if one is malformed.
    pub fn push(&self, fixes: &[(f64, f64, i64)]) -> Result<Pushed, FfiError> {
        let violations = self.with(|s| {
            let first = s.len();
            let points = fixes
                .iter()
                .enumerate()
                .map(|(i, &(lat, lon, t))| encode_fix(first + i, lat, lon, t))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(s.push(&points)?)
        })?;
        let mut out = Pushed::default();
        for v in violations {
            if v.rule() == Rule::Region {
                out.outside += 1;
            } else {
                out.broken += 1;
            }
            out.messages.push(v.to_string());
        }
        Ok(out)
    }

    /// The session's progress (waits while another thread is in `push` or `finish`).
    pub fn status(&self) -> Result<Status, FfiError> {
        self.with(|s| Ok(s.status()))
    }

    /// Writes the state file now.
    pub fn save(&self) -> Result<(), FfiError> {
        self.with(|s| Ok(s.save()?))
    }

    /// Stops proving; any thread, any time (does not wait for the session's lock).
    pub fn cancel(&self) {
        self.cancel.cancel();
    }

    /// [`Session::finish`].
    pub fn finish(&self) -> Result<Finished, FfiError> {
        self.with(|s| Ok(s.finish()?))
    }
}

/// The bundle and opening of a finished session as JSON.
pub fn finished_json(f: &Finished) -> Result<(String, String), FfiError> {
    let bundle = serde_json::to_string_pretty(&f.proven.bundle)
        .map_err(|e| FfiError::Internal(format!("bundle JSON: {e}")))?;
    let opening = serde_json::to_string_pretty(&f.proven.opening)
        .map_err(|e| FfiError::Internal(format!("opening JSON: {e}")))?;
    Ok((bundle, opening))
}

/// Verifies a bundle as a validator does, with the keys in `keys_dir` and the policy file.
/// `Ok((accepted, message))`; `Err` only if the policy cannot be read.
pub fn verify(
    keys_dir: &Path,
    policy_path: &Path,
    bundle: &[u8],
) -> Result<(bool, String), FfiError> {
    let policy = zkcontrib_prover::policy_file::load_policy(policy_path)
        .map_err(|e| FfiError::Config(e.to_string()))?;
    let entry = zkcontrib_prover::verify::PolicyEntry::new(&policy);
    let o = zkcontrib_prover::verify::verify_bundle(keys_dir, &entry, bundle);
    Ok((o.is_accepted(), o.to_string()))
}
