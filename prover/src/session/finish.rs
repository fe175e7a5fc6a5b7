//! The end of a session: the batch plan of the whole trace, the early chunks that match it,
//! proving what remains, and the bundle.

use super::{Job, ProvenChunk, Session, SessionError};
use crate::contribution::{assemble, Planned, Proven};
use ark_bn254::Bn254;
use ark_groth16::Proof;
use std::time::Instant;
use zkcontrib_circuits::statement::PublicInputs;
use zkcontrib_circuits::witness::{chain_states, ChunkContext, ChunkWitness};

/// The result of [`Session::finish`].
#[derive(Debug)]
#[non_exhaustive]
pub struct Finished {
    /// Bundle and opening, as the batch path makes them.
    pub proven: Proven,
    /// Chunks proven before `finish` and used as they were.
    pub reused: usize,
    /// Chunks sent to proving before `finish` and still waiting or in proving when it was
    /// called (used as they were, once proven).
    pub awaited: usize,
    /// Chunks proven before `finish` whose plan or chain state turned out to differ from the
    /// batch plan, and proven again.
    pub reproven: usize,
    /// Chunks proven during `finish` (the last one, and any not proven before).
    pub proven_at_finish: usize,
    /// Time from the call to the bundle, seconds.
    pub finish_seconds: f64,
}

impl Session {
    /// Proves what remains and returns the batch result (module docs). The state file is left
    /// in place (with every proof): delete it once the bundle and opening are stored.
    pub fn finish(&mut self) -> Result<Finished, SessionError> {
        let t0 = Instant::now();
        self.check()?;
        if self.shared.stopped() {
            self.save()?;
            return Err(SessionError::Cancelled);
        }
        let submitter = self.shared.header.submitter.clone();
        let planned = Planned::new(&self.policy, self.shape, &self.points, &submitter)?;
        let plans = planned.plans().to_vec();
        let chunking = planned.chunking();
        let eval = planned.eval().clone();
        drop(planned);
        let n = plans.len();
        let states = chain_states(&self.points, &eval, &plans, self.blinding);
        let ctx = ChunkContext {
            policy: &self.policy,
            shape: &self.shape,
            points: &self.points,
            eval: &eval,
            plans: &plans,
            states: &states,
            blinding: self.blinding,
            submitter: self.submitter_fr,
        };
        let witnesses: Vec<ChunkWitness> = (0..n).map(|k| ctx.witness(k)).collect();
        let good =
            |k: usize, c: &ProvenChunk| c.plan == plans[k] && c.public == witnesses[k].public;
        let mut core = self.shared.lock();
        core.queue
            .retain(|j| j.index < n && j.matches(&plans[j.index], &witnesses[j.index].public));
        let (mut reproven, mut proven_at_finish, mut reused, mut awaited) = (0, 0, 0, 0);
        for k in 0..n {
            if core.proven.get(&k).is_some_and(|c| good(k, c)) {
                reused += 1;
                continue;
            }
            let running = core.running.as_ref().is_some_and(|r| r.0 == k);
            let running_good = core
                .running
                .as_ref()
                .is_some_and(|(i, p, pu)| *i == k && *p == plans[k] && *pu == witnesses[k].public);
            if running_good || core.queue.iter().any(|j| j.index == k) {
                awaited += 1;
                continue;
            }
            if core.proven.contains_key(&k) || running {
                reproven += 1;
            }
            proven_at_finish += 1;
            core.queue.push_back(Job {
                index: k,
                plan: plans[k].clone(),
                witness: witnesses[k].clone(),
                speculative: false,
            });
        }
        self.shared.cv.notify_all();
        loop {
            if let Some(e) = &core.error {
                return Err(SessionError::Worker(e.clone()));
            }
            if (0..n).all(|k| core.proven.get(&k).is_some_and(|c| good(k, c))) {
                break;
            }
            if self.shared.stopped() {
                drop(core);
                self.save()?;
                return Err(SessionError::Cancelled);
            }
            if core.queue.is_empty() && core.running.is_none() {
                // A stale early proof landed after the check above: prove the chunk again.
                for k in 0..n {
                    if !core.proven.get(&k).is_some_and(|c| good(k, c)) {
                        core.queue.push_back(Job {
                            index: k,
                            plan: plans[k].clone(),
                            witness: witnesses[k].clone(),
                            speculative: false,
                        });
                    }
                }
                self.shared.cv.notify_all();
            }
            core = self.shared.wait(core);
        }
        let chunks: Vec<(PublicInputs, Proof<Bn254>)> = (0..n)
            .filter_map(|k| core.proven.get(&k).map(|c| (c.public, c.proof.clone())))
            .collect();
        drop(core);
        let proven = assemble(
            &self.policy,
            self.shape,
            &self.shared.keys.keys,
            self.submitter_fr,
            self.blinding,
            &chunks,
            eval,
            chunking,
        );
        Ok(Finished {
            proven,
            reused,
            awaited,
            reproven,
            proven_at_finish,
            finish_seconds: t0.elapsed().as_secs_f64(),
        })
    }
}
