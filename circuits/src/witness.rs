//! The chain states between chunks and the witness of each chunk, from a plan
//! ([`crate::plan`]).

use crate::encode::Point;
use crate::merkle::MerklePath;
use crate::plan::ChunkPlan;
use crate::policy::Policy;
use crate::region::Item;
use crate::rules::Evaluation;
use crate::shape::Shape;
use crate::statement::{
    absorb_group, commitment, contribution_id, pending_hash, steps, ChainState, PublicInputs, Step,
    POINTS_PER_GROUP,
};
use crate::window::Window;
use ark_bn254::Fr;

/// Index one past the points absorbed into `acc` after the chunk ending at `end`: every
/// complete group, and for the last chunk the trailing partial group too.
fn absorbed_through(end: usize, is_last: bool) -> usize {
    if is_last {
        end
    } else {
        end - end % POINTS_PER_GROUP
    }
}

/// The chain states around every chunk: `states[k]` before chunk `k`, `states[k+1]` after.
pub fn chain_states(
    points: &[Point],
    eval: &Evaluation,
    plans: &[ChunkPlan],
    blinding: Fr,
) -> Vec<ChainState> {
    let st: Vec<Step> = steps(points);
    let mut s = ChainState::genesis(blinding);
    let mut out = vec![s];
    let mut absorbed = 0usize;
    for (k, plan) in plans.iter().enumerate() {
        let is_last = k + 1 == plans.len();
        let end = plan.end();
        let through = absorbed_through(end, is_last);
        while absorbed < through {
            let g = &st[absorbed..(absorbed + POINTS_PER_GROUP).min(through)];
            s.acc = absorb_group(s.acc, g);
            absorbed += g.len();
        }
        s.pending = if is_last {
            Fr::from(0u64)
        } else {
            pending_hash(&st[through..end])
        };
        for i in plan.start.max(1)..end {
            s.distance_units += u128::from(eval.steps[i - 1].d);
        }
        if plan.start == 0 {
            s.first = Some(points[0]);
        }
        // The last point of the chunk's last complete group, if it completed one.
        let base = plan.start - plan.carried;
        let last_full = end - end % POINTS_PER_GROUP;
        if last_full > base {
            s.last = Some(points[last_full - 1]);
        }
        s.points += plan.len as u64;
        s.inside += plan.counted.iter().filter(|c| **c).count() as u64;
        out.push(s);
    }
    out
}

/// One point slot of a chunk, as the circuit sees it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    /// The point (for padding: the last point, later by `min_interval` per slot).
    pub point: Point,
    /// A trace point (true) or padding after the trace's end (false).
    pub active: bool,
    /// A point carried from the previous chunk (absorbed here, counted there).
    pub carried: bool,
    /// Counted inside the region (shown in the chunk's item).
    pub counted: bool,
    /// Length of the step ending here, [`crate::rules::StepEval::d`] (0 for the trace's first
    /// point and for padding).
    pub d: u64,
}

impl std::fmt::Debug for Slot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Slot").finish_non_exhaustive()
    }
}

/// The chunk's region item and its authentication path (padded to the shape's depth).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemWitness {
    /// The item.
    pub item: Item,
    /// Leaf index.
    pub index: u64,
    /// The three siblings per level, leaf level first; `shape.depth` entries (zeros past the
    /// policy's depth).
    pub siblings: Vec<[Fr; 3]>,
}

/// Everything one chunk proof needs: its public inputs and its private witness.
#[derive(Clone)]
pub struct ChunkWitness {
    /// The public inputs.
    pub public: PublicInputs,
    /// The hashed policy parameters ([`crate::policy::params_fields`]).
    pub params: [Fr; crate::policy::NUM_PARAMS],
    /// Region Merkle root.
    pub region_root: Fr,
    /// Region Merkle depth.
    pub region_depth: u32,
    /// The chunk's window.
    pub window: Window,
    /// The opened item.
    pub item: ItemWitness,
    /// State before the chunk.
    pub state_in: ChainState,
    /// State after the chunk (its hash is public unless this is the last chunk).
    pub state_out: ChainState,
    /// The point before slot 0 (the state's last point; slot 0's own point when the chunk
    /// starts the trace).
    pub predecessor: Point,
    /// `shape.points` slots.
    pub slots: Vec<Slot>,
}

impl std::fmt::Debug for ChunkWitness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChunkWitness")
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

impl ChunkWitness {
    /// Time of the chunk's last active slot.
    pub fn last_active_t(&self) -> u64 {
        self.slots
            .iter()
            .rev()
            .find(|s| s.active)
            .map(|s| s.point.t_ms)
            .unwrap_or(0)
    }
}

/// The item witness of item `i` for a shape.
pub fn item_witness(policy: &Policy, shape: &Shape, i: usize) -> ItemWitness {
    let region = policy.region();
    let path = region.path(i).unwrap_or(MerklePath {
        index: 0,
        siblings: Vec::new(),
    });
    let mut siblings = path.siblings;
    siblings.resize(shape.depth as usize, [Fr::from(0u64); 3]);
    ItemWitness {
        item: region.items()[i],
        index: path.index,
        siblings,
    }
}

/// Builds the witnesses of every chunk of a qualifying trace.
pub fn chunk_witnesses(
    policy: &Policy,
    shape: &Shape,
    points: &[Point],
    eval: &Evaluation,
    plans: &[ChunkPlan],
    blinding: Fr,
    submitter: Fr,
) -> Vec<ChunkWitness> {
    let states = chain_states(points, eval, plans, blinding);
    let ctx = ChunkContext {
        policy,
        shape,
        points,
        eval,
        plans,
        states: &states,
        blinding,
        submitter,
    };
    (0..plans.len()).map(|k| ctx.witness(k)).collect()
}

/// The chunk witnesses of a trace in one call: the native check ([`crate::rules::evaluate`]),
/// the chunk plan ([`crate::plan::plan`], which refuses a trace that breaks a rule or cannot
/// be chunked) and [`chunk_witnesses`] — the pipeline tests, benches and examples run.
pub fn trace_witnesses(
    policy: &Policy,
    shape: &Shape,
    points: &[Point],
    blinding: Fr,
    submitter: Fr,
) -> Result<Vec<ChunkWitness>, crate::plan::PlanError> {
    let eval = crate::rules::evaluate(policy, points);
    let (plans, _) = crate::plan::plan(policy, shape, points, &eval)?;
    Ok(chunk_witnesses(
        policy, shape, points, &eval, &plans, blinding, submitter,
    ))
}

/// What every chunk witness of a contribution is built from.
#[derive(Clone, Copy)]
pub struct ChunkContext<'a> {
    /// The policy.
    pub policy: &'a Policy,
    /// The shape.
    pub shape: &'a Shape,
    /// The whole trace.
    pub points: &'a [Point],
    /// Its native evaluation.
    pub eval: &'a Evaluation,
    /// The plan.
    pub plans: &'a [ChunkPlan],
    /// [`chain_states`] of the plan.
    pub states: &'a [ChainState],
    /// The contribution's blinding.
    pub blinding: Fr,
    /// The reward address.
    pub submitter: Fr,
}

impl std::fmt::Debug for ChunkContext<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChunkContext")
            .field("shape", &self.shape.name)
            .field("chunks", &self.plans.len())
            .finish_non_exhaustive()
    }
}

impl ChunkContext<'_> {
    /// The witness of chunk `k` alone (chunks can be built and proven one at a time, so memory
    /// is bounded by one chunk).
    pub fn witness(&self, k: usize) -> ChunkWitness {
        let (policy, shape, points, eval) = (self.policy, self.shape, self.points, self.eval);
        let p = policy.params();
        let plan = &self.plans[k];
        let is_last = k + 1 == self.plans.len();
        let mut slots = Vec::with_capacity(shape.points);
        let first_slot = plan.start - plan.carried;
        for (i, point) in points.iter().enumerate().take(plan.end()).skip(first_slot) {
            let carried = i < plan.start;
            slots.push(Slot {
                point: *point,
                active: true,
                carried,
                counted: !carried && plan.counted[i - plan.start],
                d: if i == 0 { 0 } else { eval.steps[i - 1].d },
            });
        }
        // Padding: stand still, one minimum interval at a time.
        while slots.len() < shape.points {
            let prev = slots[slots.len() - 1];
            slots.push(Slot {
                point: Point {
                    t_ms: prev.point.t_ms + p.min_interval_ms,
                    ..prev.point
                },
                active: false,
                carried: false,
                counted: false,
                d: 0,
            });
        }
        let predecessor = if first_slot == 0 {
            points[0]
        } else {
            points[first_slot - 1]
        };
        let states = self.states;
        let total = states.last().copied().unwrap_or_default();
        let id = contribution_id(total.acc, total.points, &points[0]);
        let out = states[k + 1];
        let claims = eval.claims;
        let public = PublicInputs {
            policy_id: policy.id(),
            submitter: self.submitter,
            state_in: states[k].hash(),
            state_out: if is_last { Fr::from(0u64) } else { out.hash() },
            is_first: k == 0,
            is_last,
            claimed_points: if is_last { claims.points } else { 0 },
            claimed_distance_m: if is_last { claims.distance_m } else { 0 },
            claimed_duration_s: if is_last { claims.duration_s } else { 0 },
            commitment: if is_last {
                commitment(id, self.blinding)
            } else {
                Fr::from(0u64)
            },
            contribution_id: if is_last { id } else { Fr::from(0u64) },
        };
        ChunkWitness {
            public,
            params: crate::policy::params_fields(p),
            region_root: policy.region().root(),
            region_depth: policy.region().depth(),
            window: plan.window,
            item: item_witness(policy, shape, plan.item),
            state_in: states[k],
            state_out: out,
            predecessor,
            slots,
        }
    }
}
