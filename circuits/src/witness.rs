//! Splitting a qualifying trace into chunks for a shape: which points each chunk holds, which
//! region pieces it opens, and the chain states between chunks.
//!
//! A chunk opens [`Shape::pieces`] (2) region pieces; every counted point of the chunk must lie
//! in one of them. The planner fills a chunk greedily and ends it early when the next point
//! would need a third piece, so every qualifying trace can be proven whatever its path. A chunk
//! may end anywhere: when it ends inside a group of [`POINTS_PER_GROUP`] points, the next chunk
//! *carries* the group's first points (re-reads them in its first slots, bound by the state's
//! `pending` hash) and absorbs the completed group, so the absorbed groups — and
//! `contribution_id` — are those of the whole trace, independent of the chunking.

use crate::encode::Point;
use crate::merkle::MerklePath;
use crate::policy::Policy;
use crate::rules::Evaluation;
use crate::shape::{Shape, ShapeMismatch};
use crate::statement::{absorb_group, pending_hash, ChainState, PublicInputs, POINTS_PER_GROUP};
use ark_bn254::Fr;

/// One chunk's plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChunkPlan {
    /// Index of the chunk's first new point in the trace.
    pub start: usize,
    /// Number of new points.
    pub len: usize,
    /// Points of the trace before `start` re-read in the chunk's first slots
    /// (`start % POINTS_PER_GROUP`).
    pub carried: usize,
    /// Region pieces opened by the chunk (indices into the policy's pieces), at most
    /// `shape.pieces`.
    pub pieces: Vec<usize>,
    /// Per new point: the index into `pieces` of the piece it is shown to lie in, or `None`
    /// when it is not counted as inside.
    pub assign: Vec<Option<usize>>,
}

impl ChunkPlan {
    /// One past the last new point.
    pub fn end(&self) -> usize {
        self.start + self.len
    }
}

/// Why a trace cannot be planned.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PlanError {
    /// No points.
    #[error("the trace has no points")]
    Empty,
    /// The trace breaks a rule (the native check says which).
    #[error("the trace does not qualify: {0} rule violation(s)")]
    NotQualifying(usize),
    /// The policy does not fit the shape.
    #[error(transparent)]
    Shape(#[from] ShapeMismatch),
}

/// Plans the chunks of a qualifying trace.
pub fn plan(
    policy: &Policy,
    shape: &Shape,
    points: &[Point],
    eval: &Evaluation,
) -> Result<Vec<ChunkPlan>, PlanError> {
    if !eval.qualifies() {
        return Err(PlanError::NotQualifying(eval.violations.len()));
    }
    plan_unchecked(policy, shape, points, eval)
}

/// [`plan`] without refusing a trace that breaks rules: for soundness tests, which must see
/// the circuit reject what the native rules reject. Points outside the frame are planned at
/// frame coordinates 0. Nobody should prove with this.
pub fn plan_unchecked(
    policy: &Policy,
    shape: &Shape,
    points: &[Point],
    eval: &Evaluation,
) -> Result<Vec<ChunkPlan>, PlanError> {
    if points.is_empty() {
        return Err(PlanError::Empty);
    }
    shape.check_policy(policy)?;
    // Every piece containing each point (only points the rules count as inside).
    let candidates: Vec<Vec<usize>> = eval
        .points
        .iter()
        .map(|e| match e.rel {
            Some(r) if e.piece.is_some() => policy.region().containing(r),
            _ => Vec::new(),
        })
        .collect();
    let n = points.len();
    let mut plans = Vec::new();
    let mut start = 0;
    while start < n {
        let carried = start % POINTS_PER_GROUP;
        let capacity = shape.points - carried;
        let mut chosen: Vec<usize> = Vec::new();
        let mut assign: Vec<Option<usize>> = Vec::new();
        let mut i = start;
        while i < n && i - start < capacity {
            let c = &candidates[i];
            if c.is_empty() {
                assign.push(None);
            } else if let Some(slot) = chosen.iter().position(|p| c.contains(p)) {
                assign.push(Some(slot));
            } else if chosen.len() < shape.pieces {
                // Open the candidate that keeps covering the trace the longest.
                let horizon = (start + capacity).min(n);
                let run = |p: usize| {
                    candidates[i..horizon]
                        .iter()
                        .take_while(|c| c.is_empty() || c.contains(&p))
                        .count()
                };
                let best = c
                    .iter()
                    .copied()
                    .max_by_key(|&p| (run(p), std::cmp::Reverse(p)))
                    .unwrap_or(c[0]);
                chosen.push(best);
                assign.push(Some(chosen.len() - 1));
            } else {
                break;
            }
            i += 1;
        }
        plans.push(ChunkPlan {
            start,
            len: i - start,
            carried,
            pieces: chosen,
            assign,
        });
        start = i;
    }
    Ok(plans)
}

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
    policy: &Policy,
    points: &[Point],
    eval: &Evaluation,
    plans: &[ChunkPlan],
    blinding: Fr,
) -> Vec<ChainState> {
    let frame = policy.params().frame;
    let mut s = ChainState::genesis(blinding);
    let mut out = vec![s];
    let mut absorbed = 0usize;
    for (k, plan) in plans.iter().enumerate() {
        let is_last = k + 1 == plans.len();
        let end = plan.end();
        let through = absorbed_through(end, is_last);
        while absorbed < through {
            let g = &points[absorbed..(absorbed + POINTS_PER_GROUP).min(through)];
            s.acc = absorb_group(s.acc, g);
            absorbed += g.len();
        }
        s.pending = if is_last {
            Fr::from(0u64)
        } else {
            pending_hash(&points[through..end])
        };
        for i in plan.start.max(1)..end {
            s.distance_units += u128::from(eval.steps[i - 1].d);
        }
        if plan.start == 0 {
            s.first_t = points[0].t_ms;
        }
        // The last point of the chunk's last complete group, if it completed one.
        let base = plan.start - plan.carried;
        let last_full = end - end % POINTS_PER_GROUP;
        if last_full > base {
            let last = &points[last_full - 1];
            let rel = frame.relative(last);
            s.last_x = rel.map(|r| u64::from(r.x)).unwrap_or(0);
            s.last_y = rel.map(|r| u64::from(r.y)).unwrap_or(0);
            s.last_t = last.t_ms;
        }
        s.points += plan.len as u64;
        s.inside += plan.assign.iter().filter(|a| a.is_some()).count() as u64;
        out.push(s);
    }
    out
}

/// One point slot of a chunk, as the circuit sees it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    /// Frame-relative x.
    pub x: u64,
    /// Frame-relative y.
    pub y: u64,
    /// Time, ms.
    pub t: u64,
    /// A trace point (true) or padding after the trace's end (false).
    pub active: bool,
    /// A point carried from the previous chunk (absorbed here, counted there).
    pub carried: bool,
    /// Working-set slot of the piece the point is shown in, if counted inside.
    pub piece: Option<usize>,
    /// Length of the step ending here, [`crate::rules::StepEval::d`] (0 for the first slot of
    /// the chunk when it starts the trace or is carried, and for padding).
    pub d: u64,
}

impl std::fmt::Debug for Slot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Slot").finish_non_exhaustive()
    }
}

/// A working-set piece and its authentication path (padded to the shape's depth).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PieceWitness {
    /// The piece.
    pub triangle: crate::region::Triangle,
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
    /// The twelve hashed policy parameters ([`crate::policy::params_fields`]).
    pub params: [Fr; crate::policy::NUM_PARAMS],
    /// Projection factor x.
    pub kx: u64,
    /// Projection factor y.
    pub ky: u64,
    /// Region Merkle root.
    pub region_root: Fr,
    /// Region Merkle depth.
    pub region_depth: u32,
    /// State before the chunk.
    pub state_in: ChainState,
    /// State after the chunk (its hash is public unless this is the last chunk).
    pub state_out: ChainState,
    /// `shape.points` slots.
    pub slots: Vec<Slot>,
    /// `shape.pieces` working-set pieces.
    pub pieces: Vec<PieceWitness>,
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
            .map(|s| s.t)
            .unwrap_or(0)
    }
}

/// Builds the witnesses of every chunk of a qualifying trace.
#[allow(clippy::too_many_arguments)]
pub fn chunk_witnesses(
    policy: &Policy,
    shape: &Shape,
    points: &[Point],
    eval: &Evaluation,
    plans: &[ChunkPlan],
    blinding: Fr,
    submitter: Fr,
) -> Vec<ChunkWitness> {
    let states = chain_states(policy, points, eval, plans, blinding);
    (0..plans.len())
        .map(|k| {
            chunk_witness(
                policy, shape, points, eval, plans, &states, k, blinding, submitter,
            )
        })
        .collect()
}

/// The witness of chunk `k` alone (chunks can be built and proven one at a time, so memory is
/// bounded by one chunk).
#[allow(clippy::too_many_arguments)]
pub fn chunk_witness(
    policy: &Policy,
    shape: &Shape,
    points: &[Point],
    eval: &Evaluation,
    plans: &[ChunkPlan],
    states: &[ChainState],
    k: usize,
    blinding: Fr,
    submitter: Fr,
) -> ChunkWitness {
    use crate::statement::{commitment, contribution_id};
    let p = policy.params();
    let tree = policy.tree();
    let piece_witness = |i: usize| {
        let path = tree.path(i).unwrap_or(MerklePath {
            index: 0,
            siblings: Vec::new(),
        });
        let mut siblings = path.siblings.clone();
        siblings.resize(shape.depth as usize, [Fr::from(0u64); 3]);
        PieceWitness {
            triangle: policy.region().pieces()[i],
            index: path.index,
            siblings,
        }
    };
    let plan = &plans[k];
    let is_last = k + 1 == plans.len();
    let rel = |i: usize| {
        // Points outside the frame (only in unchecked plans) sit at the frame origin.
        let r = eval.points[i].rel;
        (
            r.map(|r| u64::from(r.x)).unwrap_or(0),
            r.map(|r| u64::from(r.y)).unwrap_or(0),
        )
    };
    let mut slots = Vec::with_capacity(shape.points);
    let first_slot = plan.start - plan.carried;
    for (i, point) in points.iter().enumerate().take(plan.end()).skip(first_slot) {
        let (x, y) = rel(i);
        let carried = i < plan.start;
        let first_of_chunk = slots.is_empty();
        slots.push(Slot {
            x,
            y,
            t: point.t_ms,
            active: true,
            carried,
            piece: if carried {
                None
            } else {
                plan.assign[i - plan.start]
            },
            d: if i == 0 || (carried && first_of_chunk) {
                0
            } else {
                eval.steps[i - 1].d
            },
        });
    }
    // Padding: stand still, one minimum interval at a time.
    while slots.len() < shape.points {
        let prev = slots[slots.len() - 1];
        slots.push(Slot {
            t: prev.t + p.min_interval_ms,
            active: false,
            carried: false,
            piece: None,
            d: 0,
            ..prev
        });
    }
    let mut pieces: Vec<PieceWitness> = plan.pieces.iter().map(|&i| piece_witness(i)).collect();
    while pieces.len() < shape.pieces {
        pieces.push(piece_witness(plan.pieces.first().copied().unwrap_or(0)));
    }
    let total = states.last().copied().unwrap_or_default();
    let id = contribution_id(total.acc, total.points);
    let out = states[k + 1];
    let claims = eval.claims;
    let public = PublicInputs {
        policy_id: policy.id(),
        submitter,
        state_in: states[k].hash(),
        state_out: if is_last { Fr::from(0u64) } else { out.hash() },
        is_first: k == 0,
        is_last,
        claimed_points: if is_last { claims.points } else { 0 },
        claimed_distance_m: if is_last { claims.distance_m } else { 0 },
        claimed_duration_s: if is_last { claims.duration_s } else { 0 },
        commitment: if is_last {
            commitment(id, blinding)
        } else {
            Fr::from(0u64)
        },
        contribution_id: if is_last { id } else { Fr::from(0u64) },
    };
    ChunkWitness {
        public,
        params: crate::policy::params_fields(p),
        kx: u64::from(p.projection.kx),
        ky: u64::from(p.projection.ky),
        region_root: tree.root(),
        region_depth: tree.depth(),
        state_in: states[k],
        state_out: out,
        slots,
        pieces,
    }
}
