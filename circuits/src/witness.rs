//! Splitting a qualifying trace into chunks for a shape: which points each chunk holds, which
//! region pieces it opens, and the chain states between chunks.
//!
//! Every chunk but the last is full (`shape.points` points), so chunk boundaries — and with
//! them the absorbed groups — are fixed by the trace alone.

use crate::encode::Point;
use crate::policy::{Policy, BASIS_POINTS};
use crate::rules::Evaluation;
use crate::shape::{Shape, ShapeMismatch};
use crate::statement::{absorb_group, ChainState, POINTS_PER_GROUP};
use ark_bn254::Fr;
use std::collections::BTreeMap;

/// One chunk's plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChunkPlan {
    /// Index of the chunk's first point in the trace.
    pub start: usize,
    /// Number of (active) points.
    pub len: usize,
    /// Region pieces opened by the chunk (indices into the policy's pieces), at most
    /// `shape.pieces`.
    pub pieces: Vec<usize>,
    /// Per point: the index into `pieces` of the piece it is shown to lie in, or `None` when it
    /// is not counted as inside.
    pub assign: Vec<Option<usize>>,
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
    /// A chunk's points are spread over more region pieces than the shape opens.
    #[error("points {first}..{last} lie in {needed} region pieces, shape `{shape}` opens {max} per chunk; use a shape with more pieces or a coarser region")]
    TooManyPieces {
        /// Shape name.
        shape: &'static str,
        /// First point of the chunk.
        first: usize,
        /// Last point of the chunk.
        last: usize,
        /// Pieces needed.
        needed: usize,
        /// Pieces available.
        max: usize,
    },
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
    let n = points.len() as u64;
    // Inside points that may be left uncounted without breaking the inside share.
    let required = (u128::from(policy.params().min_inside_bp) * u128::from(n))
        .div_ceil(u128::from(BASIS_POINTS)) as u64;
    let mut slack = eval.inside.saturating_sub(required);
    let mut plans = Vec::new();
    for (k, chunk) in points.chunks(shape.points).enumerate() {
        let start = k * shape.points;
        let candidates: Vec<Vec<usize>> = chunk
            .iter()
            .enumerate()
            .map(|(i, _)| match eval.points[start + i].rel {
                Some(r) if eval.points[start + i].piece.is_some() => policy.region().containing(r),
                _ => Vec::new(),
            })
            .collect();
        // Greedy cover: repeatedly open the piece that covers most uncovered points.
        let mut chosen: Vec<usize> = Vec::new();
        let mut assign: Vec<Option<usize>> = vec![None; chunk.len()];
        loop {
            let mut count: BTreeMap<usize, usize> = BTreeMap::new();
            for (i, c) in candidates.iter().enumerate() {
                if assign[i].is_none() {
                    for &p in c {
                        *count.entry(p).or_default() += 1;
                    }
                }
            }
            let Some((&best, _)) = count
                .iter()
                .max_by_key(|(p, c)| (**c, std::cmp::Reverse(**p)))
            else {
                break;
            };
            if chosen.len() == shape.pieces {
                // Out of slots: leave the rest uncounted if the share allows it.
                let uncovered = candidates
                    .iter()
                    .enumerate()
                    .filter(|(i, c)| assign[*i].is_none() && !c.is_empty())
                    .count() as u64;
                if uncovered <= slack {
                    slack -= uncovered;
                    break;
                }
                let mut all: Vec<usize> = candidates.iter().flatten().copied().collect();
                all.sort_unstable();
                all.dedup();
                return Err(PlanError::TooManyPieces {
                    shape: shape.name,
                    first: start,
                    last: start + chunk.len() - 1,
                    needed: all.len().min(chosen.len() + count.len()),
                    max: shape.pieces,
                });
            }
            let slot = chosen.len();
            chosen.push(best);
            for (i, c) in candidates.iter().enumerate() {
                if assign[i].is_none() && c.contains(&best) {
                    assign[i] = Some(slot);
                }
            }
        }
        plans.push(ChunkPlan {
            start,
            len: chunk.len(),
            pieces: chosen,
            assign,
        });
    }
    Ok(plans)
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
    for plan in plans {
        let chunk = &points[plan.start..plan.start + plan.len];
        for g in chunk.chunks(POINTS_PER_GROUP) {
            s.acc = absorb_group(s.acc, g);
        }
        for i in plan.start..plan.start + plan.len {
            if i > 0 {
                s.distance_units += u128::from(eval.steps[i - 1].d);
            }
        }
        if plan.start == 0 {
            s.first_t = points[0].t_ms;
        }
        let last = &points[plan.start + plan.len - 1];
        let rel = frame.relative(last);
        s.last_x = rel.map(|r| u64::from(r.x)).unwrap_or(0);
        s.last_y = rel.map(|r| u64::from(r.y)).unwrap_or(0);
        s.last_t = last.t_ms;
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
    /// Working-set slot of the piece the point is shown in, if counted inside.
    pub piece: Option<usize>,
    /// Length of the step ending here, `floor(sqrt(D^2))`, 2^-20 m.
    pub d: u64,
}

impl std::fmt::Debug for Slot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Slot").finish_non_exhaustive()
    }
}

/// A working-set piece and its authentication path (siblings padded to the shape's depth).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PieceWitness {
    /// The piece.
    pub triangle: crate::region::Triangle,
    /// Leaf index.
    pub index: u64,
    /// Siblings, leaf level first; `shape.depth` entries (zeros past the policy's depth).
    pub siblings: Vec<Fr>,
}

/// Everything one chunk proof needs: its public inputs and its private witness.
#[derive(Clone)]
pub struct ChunkWitness {
    /// The public inputs.
    pub public: crate::statement::PublicInputs,
    /// The twelve hashed policy parameters ([`crate::policy::params_fields`]).
    pub params: [Fr; 12],
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
    use crate::statement::{commitment, contribution_id, PublicInputs};
    let p = policy.params();
    let frame = p.frame;
    let states = chain_states(policy, points, eval, plans, blinding);
    let tree = policy.tree();
    let piece_witness = |i: usize| {
        let path = tree.path(i).expect("piece index within the tree");
        let mut siblings = path.siblings.clone();
        siblings.resize(shape.depth as usize, Fr::from(0u64));
        PieceWitness {
            triangle: policy.region().pieces()[i],
            index: path.index,
            siblings,
        }
    };
    let total = states.last().copied().unwrap_or_default();
    let id = contribution_id(total.acc, total.points);
    let last_k = plans.len().saturating_sub(1);
    plans
        .iter()
        .enumerate()
        .map(|(k, plan)| {
            let is_last = k == last_k;
            let mut slots = Vec::with_capacity(shape.points);
            for j in 0..plan.len {
                let i = plan.start + j;
                let rel = eval.points[i]
                    .rel
                    .expect("a qualifying trace lies in the frame");
                slots.push(Slot {
                    x: u64::from(rel.x),
                    y: u64::from(rel.y),
                    t: points[i].t_ms,
                    active: true,
                    piece: plan.assign[j],
                    d: if i == 0 { 0 } else { eval.steps[i - 1].d },
                });
            }
            // Padding: stand still, one minimum interval at a time.
            while slots.len() < shape.points {
                let prev = slots[slots.len() - 1];
                slots.push(Slot {
                    t: prev.t + p.min_interval_ms,
                    active: false,
                    piece: None,
                    d: 0,
                    ..prev
                });
            }
            let mut pieces: Vec<PieceWitness> =
                plan.pieces.iter().map(|&i| piece_witness(i)).collect();
            while pieces.len() < shape.pieces {
                pieces.push(piece_witness(plan.pieces.first().copied().unwrap_or(0)));
            }
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
            let _ = frame;
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
        })
        .collect()
}
