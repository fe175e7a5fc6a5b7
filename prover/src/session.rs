//! Proving while the trace is recorded: a [`Session`] takes points as the device records them,
//! proves each chunk in the background as soon as it is complete, keeps its progress in a state
//! file the app owns, and at [`Session::finish`] proves only what remains.
//!
//! ```text
//! start ──push──push──push──…──finish
//!            │ chunk 0 complete     │ batch plan of the whole trace; re-prove what differs;
//!            └─► worker: prove 0    └─► prove the last chunk ─► Proven (bundle + opening)
//! ```
//!
//! **The result is the batch result.** [`Session::finish`] runs exactly what
//! [`Planned::new`](crate::contribution::Planned::new) runs on the whole trace (native check, batch chunk plan, chain states) and
//! returns the [`Proven`](crate::contribution::Proven) that [`Planned::prove_with_blinding`](crate::contribution::Planned::prove_with_blinding) returns for the same trace and
//! blinding, except for the proofs' own randomness: same chunking, `contribution_id`, claims,
//! commitment and chunk `state_in`/`state_out`, proofs that verify. Chunks proven early are
//! *speculative* and are used only where they are provably the batch's:
//!
//! * Whenever `points ≥ frontier + N + 1` (`N` = the shape's points per chunk, `frontier` = the
//!   end of the last chunk sent to proving), the session plans the prefix recorded so far with
//!   the batch planner ([`plan_unchecked`]) and sends every chunk of that plan except the
//!   trailing one (the one still growing) to the worker. Such a chunk is complete: the point after
//!   it has arrived, so it is not the last chunk and its witness depends only on points before
//!   its end, on the chunks before it and on the blinding ([`chain_states`] is prefix-determined:
//!   `acc`, `pending`, `distance`, `inside`, `last` and `first` after chunk `k` use points
//!   `< end(k)` and the plans of chunks `≤ k` only).
//! * The prefix plan is not always the final plan: the planner uses fixed chunks `[kN, (k+1)N)`
//!   only if *every* chunk of the whole trace finds a window and an item, within the policy's
//!   inside slack, which is global (`inside − ⌈min_inside_bp · n / 10000⌉`). A later stretch
//!   along the region's boundary, or the slack, can therefore turn a fixed plan greedy, or a
//!   greedy prefix plan into different greedy chunks.
//! * At [`Session::finish`] a proven chunk `k` is kept only if its plan (points, window, item,
//!   counted points) **and** its public inputs (hence `state_in`, `state_out`) equal chunk `k` of
//!   the batch plan; its witness is then identical to the batch witness. Every other chunk —
//!   always the last one, whose public inputs carry the claims and the commitment — is proven
//!   then; [`Finished::reproven`] counts the chunks that had been proven early in vain.
//!
//! On traces that stay clear of the region's boundary (fixed chunks) nothing is proven twice and
//! `finish` proves one chunk. A trace that breaks a point rule (time order, interval, speed,
//! window, encodable) can never qualify: [`Session::push`] reports it and no more chunks are
//! proven early; `finish` refuses it as the batch path does.
//!
//! **What a kill loses.** The state file ([`state_file`]) is rewritten atomically after every
//! proven chunk, every [`SessionOptions::save_every`] pushed points, on [`Session::save`], on
//! cancellation and when the session is dropped.
//! After a kill, [`Session::resume`] has every point pushed up to the last save and every chunk
//! proven up to the last save; lost are the points pushed since (at most `save_every − 1`; the app
//! can push them again if it still has them: [`Session::len`] says where to continue) and the
//! chunk being proven at that moment (its work, not its points). A damaged or foreign state file
//! is refused with a [`StateFileProblem`] naming the reason; it is never half-used, so no kill can
//! lead to a bundle that fails to verify (and every stored proof is verified again on resume).
//!
//! **Privacy.** The state file holds the raw points and the blinding (mode 0600); nothing here
//! logs them, and the `Debug` impls print no point, window or blinding.
//!
//! **Threads.** One worker thread per session proves on its own rayon pool
//! ([`SessionOptions::threads`]; [`SessionOptions::low_power`]: one thread at nice 10 on
//! Linux/Android). Memory: the proving key and matrices (shared via `Arc`), one chunk's proving
//! vectors, and the trace itself (16 bytes a point, twice).

mod finish;
mod options;
pub mod state_file;
mod worker;

pub use finish::Finished;
pub use options::{CancelToken, Progress, ProgressFn, SessionKeys, SessionOptions};

use crate::contribution::ContributionError;
use ark_bn254::{Bn254, Fr};
use ark_ff::UniformRand;
use ark_groth16::Proof;
pub use state_file::StateFileProblem;
use std::collections::{BTreeMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;
use zkcontrib_circuits::encode::Point;
use zkcontrib_circuits::plan::{plan_unchecked, ChunkPlan};
use zkcontrib_circuits::policy::Policy;
use zkcontrib_circuits::rules::{evaluate, group_too_wide_at, Claims, Evaluation, Rule, Violation};
use zkcontrib_circuits::shape::Shape;
use zkcontrib_circuits::statement::PublicInputs;
use zkcontrib_circuits::witness::{chain_states, ChunkContext, ChunkWitness};
use zkcontrib_verifier::bundle::{encode_submitter, parse_submitter};
use zkcontrib_verifier::{encode_fr_hex, DecodeError};

/// Why a session call failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    /// The submitter address is malformed.
    #[error("submitter: {0} (expected 0x followed by up to 64 hex digits)")]
    Submitter(DecodeError),
    /// The policy does not fit the keys' shape.
    #[error(transparent)]
    Shape(#[from] zkcontrib_circuits::shape::ShapeMismatch),
    /// The trace cannot be proven (breaks a rule, cannot be planned) or proving failed.
    #[error(transparent)]
    Contribution(#[from] ContributionError),
    /// The state file is unusable or could not be written.
    #[error("{}: {problem}", .path.display())]
    StateFile {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        problem: StateFileProblem,
    },
    /// The cancel token was set: proving stopped; the state file is saved and resumable.
    #[error("cancelled; the session's state file can be resumed")]
    Cancelled,
    /// The proving thread failed.
    #[error("proving failed: {0}")]
    Worker(String),
}

/// A chunk proof with what it proves.
#[derive(Clone)]
pub(crate) struct ProvenChunk {
    pub plan: ChunkPlan,
    pub public: PublicInputs,
    pub proof: Proof<Bn254>,
}

/// A chunk to prove.
struct Job {
    index: usize,
    plan: ChunkPlan,
    witness: ChunkWitness,
    speculative: bool,
}

impl Job {
    fn matches(&self, plan: &ChunkPlan, public: &PublicInputs) -> bool {
        &self.plan == plan && &self.witness.public == public
    }
}

/// What the session and its worker share, under one lock.
pub(crate) struct Core {
    points: Vec<Point>,
    proven: BTreeMap<usize, ProvenChunk>,
    queue: VecDeque<Job>,
    running: Option<(usize, ChunkPlan, PublicInputs)>,
    error: Option<String>,
    save_error: Option<StateFileProblem>,
    saved_points: usize,
    proofs_made: usize,
    shutdown: bool,
}

struct Shared {
    core: Mutex<Core>,
    cv: Condvar,
    keys: Arc<SessionKeys>,
    header: state_file::Header,
    state_path: Option<PathBuf>,
    threads: Option<usize>,
    low_power: bool,
    progress: Option<ProgressFn>,
    cancel: CancelToken,
    /// Set when the session is dropped.
    stop: AtomicBool,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Core> {
        // A panic while holding the lock leaves plain data behind; keep going with it.
        self.core.lock().unwrap_or_else(|e| e.into_inner())
    }
    fn wait<'a>(&self, g: MutexGuard<'a, Core>) -> MutexGuard<'a, Core> {
        // Wake up now and then to notice a cancel token set without a notification.
        match self.cv.wait_timeout(g, Duration::from_millis(50)) {
            Ok((g, _)) => g,
            Err(e) => e.into_inner().0,
        }
    }
    fn stopped(&self) -> bool {
        self.cancel.is_cancelled() || self.stop.load(Ordering::SeqCst)
    }
    fn report(&self, p: &Progress) {
        if let Some(f) = &self.progress {
            f(p);
        }
    }
}

/// A contribution being recorded and proven. See the module docs.
pub struct Session {
    shared: Arc<Shared>,
    policy: Arc<Policy>,
    shape: Shape,
    submitter_fr: Fr,
    blinding: Fr,
    /// The trace so far (the worker's copy is in `Core`).
    points: Vec<Point>,
    /// Per-point and per-step evaluation of the trace so far (no global rules).
    eval: Evaluation,
    /// A point rule is broken: the trace can never qualify.
    broken: bool,
    /// End of the last chunk sent to proving.
    frontier: usize,
    /// The chunks sent to proving, in order: plan and public inputs.
    expected: Vec<(ChunkPlan, PublicInputs)>,
    save_every: usize,
    worker: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("shape", &self.shape.name)
            .field("points", &self.points.len())
            .field("chunks_sent", &self.expected.len())
            .finish_non_exhaustive()
    }
}

/// A session's progress, without trace data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Status {
    /// Points pushed.
    pub points: usize,
    /// Points saved in the state file.
    pub saved_points: usize,
    /// Points inside the region.
    pub inside: u64,
    /// Distance so far (lower bound), metres.
    pub distance_m: u64,
    /// Chunks proven (early or not).
    pub chunks_proven: usize,
    /// Chunks waiting for or in proving.
    pub chunks_pending: usize,
    /// A point rule is broken: the trace cannot qualify.
    pub broken: bool,
}

fn empty_eval() -> Evaluation {
    Evaluation {
        points: Vec::new(),
        steps: Vec::new(),
        claims: Claims::default(),
        inside: 0,
        distance_units: 0,
        violations: Vec::new(),
    }
}

/// `v` with its point index replaced by `point`.
fn reindex(v: Violation, point: usize) -> Violation {
    match v {
        Violation::Polar { .. } => Violation::Polar { point },
        Violation::StepTooWide { .. } => Violation::StepTooWide { point },
        Violation::GroupTooWide { .. } => Violation::GroupTooWide { point },
        Violation::OutsideRegion { .. } => Violation::OutsideRegion { point },
        Violation::BeforeWindow { early_ms, .. } => Violation::BeforeWindow { point, early_ms },
        Violation::AfterWindow { late_ms, .. } => Violation::AfterWindow { point, late_ms },
        Violation::NotIncreasing { dt_ms, .. } => Violation::NotIncreasing { point, dt_ms },
        Violation::IntervalTooShort { dt_ms, min_ms, .. } => Violation::IntervalTooShort {
            point,
            dt_ms,
            min_ms,
        },
        Violation::IntervalTooLong { dt_ms, max_ms, .. } => Violation::IntervalTooLong {
            point,
            dt_ms,
            max_ms,
        },
        Violation::TooFast {
            speed_mmps,
            limit_mmps,
            ..
        } => Violation::TooFast {
            point,
            speed_mmps,
            limit_mmps,
        },
        other => other,
    }
}

impl Session {
    /// Starts a contribution. With a state file, the file must not exist yet (resume it
    /// instead); it is written at once, so the blinding is kept before anything is proven.
    pub fn start(
        keys: Arc<SessionKeys>,
        policy: Arc<Policy>,
        options: SessionOptions,
    ) -> Result<Self, SessionError> {
        if let Some(path) = &options.state_file {
            if path.exists() {
                return Err(SessionError::StateFile {
                    path: path.clone(),
                    problem: StateFileProblem::Exists,
                });
            }
        }
        let blinding = options
            .blinding
            .unwrap_or_else(|| Fr::rand(&mut rand::rngs::OsRng));
        let s = Self::open(keys, policy, options, blinding, Vec::new())?;
        s.save()?;
        Ok(s)
    }

    /// Continues the contribution saved in `path` with the same keys, policy and submitter:
    /// its points are re-evaluated, its proven chunks verified and kept, and proving goes on.
    pub fn resume(
        path: &Path,
        keys: Arc<SessionKeys>,
        policy: Arc<Policy>,
        mut options: SessionOptions,
    ) -> Result<Self, SessionError> {
        let bad = |problem| SessionError::StateFile {
            path: path.to_path_buf(),
            problem,
        };
        let c = state_file::read(path).map_err(bad)?;
        let h = &c.header;
        let (shape, vk_hash) = (keys.keys.shape.name, &keys.keys.meta.vk_hash);
        if h.shape != shape {
            return Err(bad(StateFileProblem::OtherShape {
                found: h.shape.clone(),
                expected: shape.into(),
            }));
        }
        if &h.vk_hash != vk_hash {
            return Err(bad(StateFileProblem::OtherKeys {
                found: h.vk_hash.clone(),
                expected: vk_hash.clone(),
            }));
        }
        let policy_id = encode_fr_hex(&policy.id());
        if h.policy_id != policy_id {
            return Err(bad(StateFileProblem::OtherPolicy {
                found: h.policy_id.clone(),
                expected: policy_id,
            }));
        }
        // The same address in any spelling (case, width): the file holds the canonical form.
        let same = parse_submitter(&options.submitter)
            .is_ok_and(|fr| encode_submitter(&fr) == h.submitter);
        if !same {
            return Err(bad(StateFileProblem::OtherSubmitter {
                found: h.submitter.clone(),
                expected: options.submitter,
            }));
        }
        if options.blinding.is_some_and(|b| b != h.blinding) {
            return Err(bad(StateFileProblem::OtherBlinding));
        }
        options.state_file = Some(path.to_path_buf());
        let pvk = ark_groth16::prepare_verifying_key(&keys.keys.pk.vk);
        let proven = c
            .chunks
            .into_iter()
            .filter(|(_, ch)| {
                ark_groth16::Groth16::<Bn254>::verify_proof(&pvk, &ch.proof, &ch.public.to_array())
                    .unwrap_or(false)
            })
            .collect();
        let mut s = Self::open(keys, policy, options, c.header.blinding, c.points.clone())?;
        s.shared.lock().proven = proven;
        for p in c.points {
            s.eval_point(p);
        }
        s.shared.lock().saved_points = s.points.len();
        s.speculate();
        Ok(s)
    }

    fn open(
        keys: Arc<SessionKeys>,
        policy: Arc<Policy>,
        options: SessionOptions,
        blinding: Fr,
        points: Vec<Point>,
    ) -> Result<Self, SessionError> {
        let submitter_fr = parse_submitter(&options.submitter).map_err(SessionError::Submitter)?;
        let shape = keys.keys.shape;
        shape.check_policy(&policy)?;
        let header = state_file::Header {
            shape: shape.name.into(),
            vk_hash: keys.keys.meta.vk_hash.clone(),
            policy_id: encode_fr_hex(&policy.id()),
            submitter: encode_submitter(&submitter_fr),
            blinding,
        };
        let shared = Arc::new(Shared {
            core: Mutex::new(Core {
                points,
                proven: BTreeMap::new(),
                queue: VecDeque::new(),
                running: None,
                error: None,
                save_error: None,
                saved_points: 0,
                proofs_made: 0,
                shutdown: false,
            }),
            cv: Condvar::new(),
            keys,
            header,
            state_path: options.state_file,
            threads: options.threads,
            low_power: options.low_power,
            progress: options.progress,
            cancel: options.cancel,
            stop: AtomicBool::new(false),
        });
        let w = shared.clone();
        let worker = std::thread::Builder::new()
            .name("zkcontrib-session".into())
            .spawn(move || worker::run(w))
            .map_err(|e| SessionError::Worker(e.to_string()))?;
        Ok(Self {
            shared,
            policy,
            shape,
            submitter_fr,
            blinding,
            points: Vec::new(),
            eval: empty_eval(),
            broken: false,
            frontier: 0,
            expected: Vec::new(),
            save_every: options.save_every,
            worker: Some(worker),
        })
    }

    /// Number of points pushed (after a resume: saved) so far.
    pub fn len(&self) -> usize {
        self.points.len()
    }

    /// True before the first point.
    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    /// The session's progress.
    pub fn status(&self) -> Status {
        let core = self.shared.lock();
        Status {
            points: self.points.len(),
            saved_points: core.saved_points,
            inside: self.eval.inside,
            distance_m: (self.eval.distance_units
                >> zkcontrib_circuits::projection::DISTANCE_FRAC_BITS)
                as u64,
            chunks_proven: core.proven.len(),
            chunks_pending: core.queue.len() + usize::from(core.running.is_some()),
            broken: self.broken,
        }
    }

    /// Evaluates the point rules for one new point and appends it (main thread's copy).
    fn eval_point(&mut self, p: Point) -> Vec<Violation> {
        let i = self.points.len();
        let local = match self.points.last() {
            Some(prev) => evaluate(&self.policy, &[*prev, p]),
            None => evaluate(&self.policy, &[p]),
        };
        let j = local.points.len() - 1;
        let pe = local.points[j];
        self.eval.points.push(pe);
        self.eval.inside += u64::from(pe.inside);
        if let Some(step) = local.steps.first() {
            self.eval.steps.push(*step);
            self.eval.distance_units += u128::from(step.d);
        }
        let mut out: Vec<Violation> = local
            .violations
            .into_iter()
            .filter(|v| v.point() == Some(j) && v.rule() != Rule::Region)
            .map(|v| reindex(v, i))
            .collect();
        self.points.push(p);
        // The group rule needs the group's earlier points, which `local` does not see.
        if group_too_wide_at(&self.points, i) {
            out.push(Violation::GroupTooWide { point: i });
        }
        self.broken |= !out.is_empty();
        if !pe.inside {
            out.push(Violation::OutsideRegion { point: i });
        }
        out
    }

    /// Appends recorded points. Returns the rule violations they cause, point by point:
    /// time order, interval, speed, window and encodable violations (the trace can then never
    /// qualify), and [`Violation::OutsideRegion`] for each point outside the region (a
    /// violation only if the share of inside points at the end is below the policy's).
    /// Complete chunks go to the worker; the state file is saved every
    /// [`SessionOptions::save_every`] points.
    pub fn push(&mut self, points: &[Point]) -> Result<Vec<Violation>, SessionError> {
        self.check()?;
        let mut out = Vec::new();
        for p in points {
            out.extend(self.eval_point(*p));
        }
        let mut core = self.shared.lock();
        core.points.extend_from_slice(points);
        if self.save_every > 0 && core.points.len() >= core.saved_points + self.save_every {
            worker::save_locked(&self.shared, &mut core);
        }
        drop(core);
        self.speculate();
        Ok(out)
    }

    /// Writes the state file now (all points pushed so far). No-op without a state file.
    pub fn save(&self) -> Result<(), SessionError> {
        let mut core = self.shared.lock();
        worker::save_locked(&self.shared, &mut core);
        match core.save_error.take() {
            None => Ok(()),
            Some(problem) => Err(self.state_error(problem)),
        }
    }

    fn state_error(&self, problem: StateFileProblem) -> SessionError {
        SessionError::StateFile {
            path: self.shared.state_path.clone().unwrap_or_default(),
            problem,
        }
    }

    /// Reports a worker failure, a failed save or a cancellation.
    fn check(&self) -> Result<(), SessionError> {
        let mut core = self.shared.lock();
        if let Some(e) = &core.error {
            return Err(SessionError::Worker(e.clone()));
        }
        if let Some(problem) = core.save_error.take() {
            return Err(self.state_error(problem));
        }
        Ok(())
    }

    /// Waits until the worker has proven every chunk sent to it (for probes and tests: an app
    /// just keeps pushing).
    pub fn wait_idle(&self) -> Result<(), SessionError> {
        let mut core = self.shared.lock();
        while !core.queue.is_empty() || core.running.is_some() {
            if let Some(e) = &core.error {
                return Err(SessionError::Worker(e.clone()));
            }
            if self.shared.stopped() {
                return Err(SessionError::Cancelled);
            }
            core = self.shared.wait(core);
        }
        Ok(())
    }

    /// Plans the trace so far and sends its complete chunks to the worker (module docs).
    fn speculate(&mut self) {
        let n = self.shape.points;
        let m = self.points.len();
        if self.broken || self.shared.stopped() || m < self.frontier + n + 1 {
            return;
        }
        let Ok((plans, _)) = plan_unchecked(&self.policy, &self.shape, &self.points, &self.eval)
        else {
            return;
        };
        let complete = plans.len().saturating_sub(1);
        if complete == 0 {
            return;
        }
        let states = chain_states(&self.points, &self.eval, &plans, self.blinding);
        let ctx = ChunkContext {
            policy: &self.policy,
            shape: &self.shape,
            points: &self.points,
            eval: &self.eval,
            plans: &plans,
            states: &states,
            blinding: self.blinding,
            submitter: self.submitter_fr,
        };
        let mut core = self.shared.lock();
        let mut diverged = false;
        for (k, plan) in plans.iter().enumerate().take(complete) {
            let same = self.expected.get(k).is_some_and(|(p, public)| {
                p == plan
                    && public.state_in == states[k].hash()
                    && public.state_out == states[k + 1].hash()
            });
            if same && !diverged {
                continue;
            }
            if !diverged {
                diverged = true;
                self.expected.truncate(k);
                core.queue.retain(|j| j.index < k);
            }
            let w = ctx.witness(k);
            let public = w.public;
            let done = core
                .proven
                .get(&k)
                .is_some_and(|c| &c.plan == plan && c.public == public);
            let busy = core
                .running
                .as_ref()
                .is_some_and(|(i, p, pu)| *i == k && p == plan && *pu == public);
            if !done && !busy {
                core.queue.push_back(Job {
                    index: k,
                    plan: plan.clone(),
                    witness: w,
                    speculative: true,
                });
            }
            self.expected.push((plan.clone(), public));
        }
        self.frontier = plans[complete - 1].end();
        drop(core);
        self.shared.cv.notify_all();
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        self.shared.lock().shutdown = true;
        self.shared.cv.notify_all();
        if let Some(w) = self.worker.take() {
            let _ = w.join();
        }
        // Best effort: the points pushed since the last save (an error here has no one to
        // go to; the next `resume` simply has fewer points).
        let mut core = self.shared.lock();
        if core.saved_points < core.points.len() {
            worker::save_locked(&self.shared, &mut core);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrices::Matrices;
    use rand::{rngs::StdRng, SeedableRng};
    use zkcontrib_circuits::shape::TEST;

    /// An early proof whose plan the whole trace does not keep (here: chunk 1's counted flags
    /// changed after it was proven, as a prefix plan that turned out different would have them)
    /// is not used: `finish` proves the chunk again and the bundle verifies.
    #[test]
    fn an_early_chunk_that_differs_from_the_batch_plan_is_proven_again() {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures");
        let dir = tempfile::tempdir().unwrap();
        let k = crate::keys::setup(TEST, &mut StdRng::seed_from_u64(1)).unwrap();
        k.write(dir.path()).unwrap();
        let keys = Arc::new(SessionKeys {
            keys: k,
            matrices: Matrices::new(TEST).unwrap(),
        });
        let policy = Arc::new(
            crate::policy_file::load_policy(&fixtures.join("santa-clara-2017.toml")).unwrap(),
        );
        let mut points =
            crate::ingest::read_points(&fixtures.join("garmin-activity-santa-clara.gpx")).unwrap();
        points.truncate(140);
        let mut o = SessionOptions::new("0x0d3e40");
        o.threads = Some(1);
        let mut s = Session::start(keys, policy.clone(), o).unwrap();
        s.push(&points).unwrap();
        s.wait_idle().unwrap();
        {
            let mut core = s.shared.lock();
            assert_eq!(core.proven.len(), 2, "chunks 0 and 1 are proven early");
            let c = core.proven.get_mut(&1).unwrap();
            c.plan.counted[0] = !c.plan.counted[0];
        }
        let f = s.finish().unwrap();
        assert_eq!((f.reused, f.reproven, f.proven_at_finish), (1, 1, 2));
        let bytes = serde_json::to_vec(&f.proven.bundle).unwrap();
        let entry = crate::verify::PolicyEntry::new(&policy);
        let o = crate::verify::verify_bundle(dir.path(), &entry, &bytes);
        assert!(o.is_accepted(), "{o}");
    }
}
