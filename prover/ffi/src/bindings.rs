//! The UniFFI interface (Kotlin, Swift, Python): a [`Session`] object, a [`ProgressListener`]
//! callback interface, records for options, fixes, status and results, and [`FfiError`].

use crate::core::{self, Config, FfiError, Handle};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use zkcontrib_prover::prove::ProvePhase;
use zkcontrib_prover::session::{Progress, ProgressFn};

/// Where the keys and policy are and how the session runs.
#[derive(Debug, Clone, uniffi::Record)]
pub struct SessionConfig {
    /// The keys folder (`zkcontrib setup`/`prepare` output).
    pub keys_dir: String,
    /// The keys' shape (`earth` on phones, `test` in tests).
    pub shape: String,
    /// The policy file (TOML).
    pub policy_path: String,
    /// Reward address: `0x` and up to 64 hex digits.
    pub submitter: String,
    /// The state file in the app's private storage; `None`: nothing survives the process.
    #[uniffi(default = None)]
    pub state_path: Option<String>,
    /// Proving threads; 0: all cores.
    #[uniffi(default = 0)]
    pub threads: u32,
    /// One proving thread at a lower OS priority.
    #[uniffi(default = false)]
    pub low_power: bool,
    /// Save the state file every this many pushed points (0: only after proven chunks).
    #[uniffi(default = 30)]
    pub save_every: u32,
}

/// A fix: WGS 84 degrees and unix milliseconds (UTC).
#[derive(Debug, Clone, Copy, uniffi::Record)]
pub struct Fix {
    /// Latitude, degrees in [-90, 90].
    pub lat: f64,
    /// Longitude, degrees in [-180, 180].
    pub lon: f64,
    /// Time, unix milliseconds from 1970 to 9999-12-31.
    pub unix_ms: i64,
}

/// A proving phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Phase {
    /// Running the circuit for its assignment.
    Witness,
    /// The QAP witness map (FFTs).
    Fft,
    /// The multi-scalar multiplications.
    Msm,
}

/// A progress event.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum ProgressEvent {
    /// A proving phase of a chunk starts.
    Phase {
        /// Chunk index.
        chunk: u32,
        /// The phase.
        phase: Phase,
        /// Proven early, while recording.
        speculative: bool,
    },
    /// A chunk is proven and the state file saved.
    ChunkProven {
        /// Chunk index.
        chunk: u32,
        /// Proven early, while recording.
        speculative: bool,
        /// Proving time, seconds.
        seconds: f64,
        /// Chunks proven so far.
        proven: u32,
    },
}

/// Receives progress on the session's proving thread: return quickly (post to the UI
/// thread). An exception thrown here is ignored.
#[uniffi::export(with_foreign)]
pub trait ProgressListener: Send + Sync {
    /// One event.
    fn on_progress(&self, event: ProgressEvent);
}

/// What a push found.
#[derive(Debug, Clone, uniffi::Record)]
pub struct PushResult {
    /// Every violation's message (point index, rule, numbers; no coordinate), in order.
    pub violations: Vec<String>,
    /// Pushed points outside the region (a violation only if too many are at the end).
    pub outside: u32,
    /// Violations of point rules: the trace can no longer qualify.
    pub broken: u32,
}

/// A session's progress (no trace data).
#[derive(Debug, Clone, uniffi::Record)]
pub struct SessionStatus {
    /// Points pushed (after a resume: saved); push the app's fixes from this index on.
    pub points: u64,
    /// Points saved in the state file.
    pub saved_points: u64,
    /// Points inside the region.
    pub inside: u64,
    /// Distance so far (lower bound), metres.
    pub distance_m: u64,
    /// Chunks proven.
    pub chunks_proven: u64,
    /// Chunks waiting for or in proving.
    pub chunks_pending: u64,
    /// A point rule is broken: the trace can no longer qualify.
    pub broken: bool,
}

/// A finished contribution.
#[derive(Debug, Clone, uniffi::Record)]
pub struct FinishResult {
    /// The bundle to submit (JSON).
    pub bundle_json: String,
    /// The opening of its commitment (JSON, private: keep it with the trace).
    pub opening_json: String,
    /// Chunks proven while recording and used.
    pub proven_early: u32,
    /// Chunks proven in `finish`.
    pub proven_at_finish: u32,
    /// Time `finish` took, seconds.
    pub finish_seconds: f64,
}

/// The verdict on a bundle.
#[derive(Debug, Clone, uniffi::Record)]
pub struct Verdict {
    /// The bundle is valid for the policy.
    pub accepted: bool,
    /// What a validator says: the claims and contribution id, or why not.
    pub message: String,
}

/// A proving session: push fixes while recording, `finish` at the end. Thread-safe: calls are
/// serialized by a lock (`status` waits while `finish` runs), except `cancel`, which never
/// waits and may be called from any thread or the listener.
#[derive(Debug, uniffi::Object)]
pub struct Session(Handle);

fn listener_fn(l: Arc<dyn ProgressListener>) -> ProgressFn {
    Arc::new(move |p: &Progress| {
        let event = match p {
            Progress::Phase {
                chunk,
                phase,
                speculative,
            } => ProgressEvent::Phase {
                chunk: u32::try_from(*chunk).unwrap_or(u32::MAX),
                phase: match phase {
                    ProvePhase::Witness => Phase::Witness,
                    ProvePhase::Fft => Phase::Fft,
                    ProvePhase::Msm => Phase::Msm,
                    _ => return,
                },
                speculative: *speculative,
            },
            Progress::ChunkProven {
                chunk,
                speculative,
                seconds,
                proven,
            } => ProgressEvent::ChunkProven {
                chunk: u32::try_from(*chunk).unwrap_or(u32::MAX),
                speculative: *speculative,
                seconds: *seconds,
                proven: u32::try_from(*proven).unwrap_or(u32::MAX),
            },
            _ => return,
        };
        // A listener that throws must not take the proving thread down.
        let _ = catch_unwind(AssertUnwindSafe(|| l.on_progress(event)));
    })
}

fn config(c: &SessionConfig, listener: Option<Arc<dyn ProgressListener>>) -> Config<'_> {
    Config {
        keys_dir: Path::new(&c.keys_dir),
        shape: &c.shape,
        policy_path: Path::new(&c.policy_path),
        submitter: &c.submitter,
        state_path: c.state_path.as_ref().map(PathBuf::from),
        threads: c.threads,
        low_power: c.low_power,
        save_every: c.save_every,
        progress: listener.map(listener_fn),
    }
}

#[uniffi::export]
impl Session {
    /// Starts a contribution; writes the state file at once (it must not exist).
    #[uniffi::constructor]
    pub fn start(
        config: SessionConfig,
        listener: Option<Arc<dyn ProgressListener>>,
    ) -> Result<Arc<Self>, FfiError> {
        Ok(Arc::new(Self(Handle::start(self::config(
            &config, listener,
        ))?)))
    }

    /// Continues the contribution saved in `config.state_path`: push from `status().points` on.
    #[uniffi::constructor]
    pub fn resume(
        config: SessionConfig,
        listener: Option<Arc<dyn ProgressListener>>,
    ) -> Result<Arc<Self>, FfiError> {
        Ok(Arc::new(Self(Handle::resume(self::config(
            &config, listener,
        ))?)))
    }

    /// Appends one fix; a fix out of range is `BadInput` and is not pushed.
    pub fn push(&self, lat: f64, lon: f64, unix_ms: i64) -> Result<PushResult, FfiError> {
        self.push_many(vec![Fix { lat, lon, unix_ms }])
    }

    /// Appends fixes: all, or none if one is out of range.
    pub fn push_many(&self, fixes: Vec<Fix>) -> Result<PushResult, FfiError> {
        let t: Vec<_> = fixes.iter().map(|f| (f.lat, f.lon, f.unix_ms)).collect();
        let p = self.0.push(&t)?;
        Ok(PushResult {
            violations: p.messages,
            outside: p.outside,
            broken: p.broken,
        })
    }

    /// The session's progress.
    pub fn status(&self) -> Result<SessionStatus, FfiError> {
        let s = self.0.status()?;
        Ok(SessionStatus {
            points: s.points as u64,
            saved_points: s.saved_points as u64,
            inside: s.inside,
            distance_m: s.distance_m,
            chunks_proven: s.chunks_proven as u64,
            chunks_pending: s.chunks_pending as u64,
            broken: s.broken,
        })
    }

    /// Writes the state file now.
    pub fn save(&self) -> Result<(), FfiError> {
        self.0.save()
    }

    /// Stops proving for good (resume the state file with a new session to go on).
    pub fn cancel(&self) {
        self.0.cancel();
    }

    /// Proves what remains: the bundle and its opening. The state file is left in place:
    /// delete it once both are stored.
    pub fn finish(&self) -> Result<FinishResult, FfiError> {
        let f = self.0.finish()?;
        let (bundle_json, opening_json) = core::finished_json(&f)?;
        Ok(FinishResult {
            bundle_json,
            opening_json,
            proven_early: u32::try_from(f.reused + f.awaited).unwrap_or(u32::MAX),
            proven_at_finish: u32::try_from(f.proven_at_finish).unwrap_or(u32::MAX),
            finish_seconds: f.finish_seconds,
        })
    }
}

/// Verifies a bundle (JSON) as a validator does, with the keys in `keys_dir` and the policy.
#[uniffi::export]
pub fn verify_bundle(
    keys_dir: String,
    policy_path: String,
    bundle_json: String,
) -> Result<Verdict, FfiError> {
    let (accepted, message) = core::verify(
        Path::new(&keys_dir),
        Path::new(&policy_path),
        bundle_json.as_bytes(),
    )?;
    Ok(Verdict { accepted, message })
}
