//! What a session is started with: keys, options, the progress callback and the cancel token.

use crate::keys::Keys;
use crate::matrices::Matrices;
use crate::prepared::Loaded;
use crate::prove::ProvePhase;
use ark_bn254::Fr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// A shape's proving key and matrices, shared by sessions.
pub struct SessionKeys {
    /// The keys.
    pub keys: Keys,
    /// The shape's matrices.
    pub matrices: Matrices,
}

impl std::fmt::Debug for SessionKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionKeys")
            .field("keys", &self.keys)
            .finish_non_exhaustive()
    }
}

impl From<Loaded> for SessionKeys {
    fn from(l: Loaded) -> Self {
        Self {
            keys: l.keys,
            matrices: l.matrices,
        }
    }
}

/// Stops a session's proving: checked before every chunk and every proving phase.
#[derive(Clone, Debug, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    /// A token not yet cancelled.
    pub fn new() -> Self {
        Self::default()
    }
    /// Cancels (for good: resume the state file with a new token to go on).
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
    /// True once cancelled.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// What the worker reports, on its own thread.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Progress {
    /// A proving phase of a chunk starts.
    Phase {
        /// Chunk index.
        chunk: usize,
        /// The phase.
        phase: ProvePhase,
        /// Proven early, before `finish`.
        speculative: bool,
    },
    /// A chunk is proven (and the state file saved).
    ChunkProven {
        /// Chunk index.
        chunk: usize,
        /// Proven early, before `finish`.
        speculative: bool,
        /// Proving time, seconds.
        seconds: f64,
        /// Chunks proven so far.
        proven: usize,
    },
}

/// A progress callback; it runs on the worker thread and must return quickly.
pub type ProgressFn = Arc<dyn Fn(&Progress) + Send + Sync>;

/// How a session runs.
#[derive(Clone)]
pub struct SessionOptions {
    /// Reward address (`0x` and up to 64 hex digits).
    pub submitter: String,
    /// The state file (private: it holds the points); `None`: nothing is saved.
    pub state_file: Option<PathBuf>,
    /// Save the state file every this many pushed points (0: only after chunks and on `save`).
    pub save_every: usize,
    /// Proving threads (`None`: all cores).
    pub threads: Option<usize>,
    /// One proving thread at a lower OS priority.
    pub low_power: bool,
    /// The commitment's blinding; `None` (the default): a fresh random one. For tests.
    pub blinding: Option<Fr>,
    /// Called from the worker thread on every phase and chunk.
    pub progress: Option<ProgressFn>,
    /// Stops proving.
    pub cancel: CancelToken,
}

impl SessionOptions {
    /// Defaults for `submitter`: no state file, a save every 30 points, all cores.
    pub fn new(submitter: impl Into<String>) -> Self {
        Self {
            submitter: submitter.into(),
            state_file: None,
            save_every: 30,
            threads: None,
            low_power: false,
            blinding: None,
            progress: None,
            cancel: CancelToken::new(),
        }
    }
}

impl std::fmt::Debug for SessionOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionOptions")
            .field("state_file", &self.state_file)
            .field("save_every", &self.save_every)
            .field("threads", &self.threads)
            .field("low_power", &self.low_power)
            .finish_non_exhaustive()
    }
}
