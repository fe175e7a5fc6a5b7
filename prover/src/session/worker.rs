//! The session's proving thread: takes chunk jobs from the shared queue, proves them with the
//! session's keys on its own thread pool, records each proof and saves the state file.

use super::{state_file, Core, Progress, ProvenChunk, Shared};
use crate::prove::{ChunkProver, ObservedError, ProvePhase};
use ark_std::rand::SeedableRng;
use std::sync::Arc;
use std::time::Instant;

/// Why the worker stopped before a phase.
pub(super) struct Stop;

/// Lowers the calling thread's scheduling priority to nice 10 (Linux and Android, where the
/// nice value is per thread; elsewhere low-power mode only limits the thread count).
pub(super) fn lower_priority() {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        // SAFETY: `gettid` and `setpriority` take plain integers and touch no memory of ours;
        // on Linux `PRIO_PROCESS` with a thread id changes only that thread.
        #[allow(unsafe_code)]
        unsafe {
            let tid = libc::gettid();
            libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, 10);
        }
    }
}

/// The worker's main loop; returns when the session shuts down.
pub(super) fn run(shared: Arc<Shared>) {
    let low_power = shared.low_power;
    let threads = if low_power { Some(1) } else { shared.threads };
    if low_power {
        lower_priority();
    }
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        builder = builder.num_threads(n.max(1));
    }
    if low_power {
        builder = builder.start_handler(|_| lower_priority());
    }
    let pool = match builder.build() {
        Ok(p) => p,
        Err(e) => return fail(&shared, e.to_string()),
    };
    let keys = shared.keys.clone();
    let prover = match ChunkProver::new(&keys.matrices, &keys.keys.pk, keys.keys.meta.qap) {
        Ok(p) => p,
        Err(e) => return fail(&shared, e.to_string()),
    };
    let mut rng = rand::rngs::StdRng::from_entropy();
    loop {
        let job = {
            let mut core = shared.lock();
            loop {
                if core.shutdown || shared.stopped() {
                    core.running = None;
                    shared.cv.notify_all();
                    return;
                }
                if let Some(job) = core.queue.pop_front() {
                    core.running = Some((job.index, job.plan.clone(), job.witness.public));
                    break job;
                }
                core = shared.wait(core);
            }
        };
        let t0 = Instant::now();
        let k = job.index;
        let result = pool.install(|| {
            prover.prove_observed(&job.witness, k, &mut rng, |phase: ProvePhase| {
                if shared.stopped() {
                    return Err(Stop);
                }
                shared.report(&Progress::Phase {
                    chunk: k,
                    phase,
                    speculative: job.speculative,
                });
                Ok(())
            })
        });
        let mut core = shared.lock();
        core.running = None;
        match result {
            Ok(proof) => {
                core.proven.insert(
                    k,
                    ProvenChunk {
                        plan: job.plan,
                        public: job.witness.public,
                        proof,
                    },
                );
                core.proofs_made += 1;
                save_locked(&shared, &mut core);
                let proven = core.proven.len();
                drop(core);
                shared.report(&Progress::ChunkProven {
                    chunk: k,
                    speculative: job.speculative,
                    seconds: t0.elapsed().as_secs_f64(),
                    proven,
                });
                shared.cv.notify_all();
            }
            Err(ObservedError::Stopped(Stop)) => {
                // Put it back: a cancelled session leaves its queue as it was.
                core.queue.push_front(job);
                shared.cv.notify_all();
                return;
            }
            Err(ObservedError::Prove(e)) => {
                core.error = Some(e.to_string());
                shared.cv.notify_all();
                return;
            }
        }
    }
}

fn fail(shared: &Shared, why: String) {
    let mut core = shared.lock();
    core.error = Some(why);
    shared.cv.notify_all();
}

/// Writes the state file (if the session has one) from `core`; a failure is kept for the next
/// call into the session to report.
pub(super) fn save_locked(shared: &Shared, core: &mut Core) {
    let Some(path) = &shared.state_path else {
        return;
    };
    let bytes = state_file::encode(
        &shared.header,
        &core.points,
        core.proven.iter().map(|(k, c)| (*k, c)),
    );
    match state_file::write_atomic(path, &bytes) {
        Ok(()) => {
            core.saved_points = core.points.len();
            core.save_error = None;
        }
        Err(e) => core.save_error = Some(e),
    }
}
