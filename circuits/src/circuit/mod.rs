//! The trace-chunk circuit (feature `r1cs`): one Groth16 statement per chunk of a trace.
//!
//! The circuit is the in-circuit twin of the native statement: [`crate::rules`] (the rules),
//! [`crate::statement`] (absorption, chaining, public inputs), [`crate::window`] (windows),
//! [`crate::region`] (items) and [`crate::plan`] / [`crate::witness`] (chunking). Public
//! inputs are [`PublicInputs`], allocated in slot order. Everything else — the policy
//! parameters (hashed to the public `policy_id`), the window, the opened region item, the
//! points and the chain states — is private.
//!
//! `TraceCircuit::synthesize` is a sequence of named parts, each a gadget with a native twin
//! ([`crate::gadgets`]); the constraints of each part are recorded ([`Layout`]), so the first
//! unsatisfied constraint of a witness names the rule it belongs to ([`Layout::rule_of`]).
//!
//! Per point slot `i` (`p` = the previous slot; for slot 0 the chain state's last point, or
//! the point itself when the chunk starts the trace — then slot 0's step checks are gated off):
//!
//! ```text
//! a_i ∈ {0,1}, a_0 = 1, a_i ≤ a_{i-1}                      active prefix
//! c_i ∈ {0,1}, c_i ≤ c_{i-1}, c_i ≤ a_i (i < 32)           carried prefix; n_i = a_i − c_i new
//! oy ∈ [0, 2^22), ox ∈ [0, 2^23)                           window (range, Earth, cell, band)
//! dt − min_dt, max_dt − dt ∈ [0, 2^16)                     increasing + interval
//! (kx, ky) = min of the two points' band factors           projection
//! D² = (kx·du)² + (ky·dy)²;  d ∈ [0, 2^29)                 step
//! v·dt − d ∈ [0, 2^29);  c·(D² − d²) ∈ [0, 2^30)           speed: D² < (v·dt)² + τ
//! distance += n_i·d                                        a lower bound of the path
//! f ∈ {0,1}, f ≤ n_i;  f·L1, f·L2, f·L3 ∈ [0, 2^16)        the cell lies in the chunk's item
//! m_i = a_i · pack(dy, du, dt)                             absorbed value (0 for padding)
//! ```
//!
//! Per group of 33 slots: `acc' = acc + abs·(Poseidon(acc, elements) − acc)` with `abs = 1`
//! for a full group (and for the trailing partial group of the last chunk); the trailing
//! partial group of other chunks is committed as `pending` in `state_out` and carried by the
//! next chunk. Per chunk: `policy_id`, the window (band `q ≤ 856`, its factors from a constant
//! table, the plain or seam west edge), the item's 4-ary Merkle path to the policy's root,
//! `state_in` (genesis when `is_first`; its `pending` is recomputed from the carried slots;
//! its last point must lie in the window), the time window, the totals, `state_out` (0 when
//! `is_last`), and when `is_last` the claims, the thresholds, the `contribution_id` and the
//! `commitment` (all 0 otherwise).

use crate::gadgets::merkle::root_from;
use crate::gadgets::poseidon::poseidon;
use crate::gadgets::range::{enforce_bits, enforce_product_bits};
use crate::gadgets::region::ItemVar;
use crate::gadgets::statement::{group_elements, pack_point, state_hash, StateVars};
use crate::gadgets::window::WindowVar;
use crate::policy::{NUM_PARAMS, POLICY_TAG, STEP_BITS};
use crate::poseidon::fr_from_tag;
use crate::region::ENCODING_CODE;
use crate::shape::Shape;
use crate::statement::{PublicInputs, NUM_PUBLIC_INPUTS, POINTS_PER_GROUP};
use crate::witness::ChunkWitness;
use layout::Meter;
pub use layout::{Layout, PARTS};
use slots::{ChunkEnd, Groups, PointEnv, Points};

mod layout;
mod slots;
use ark_bn254::Fr;
use ark_ff::Field;
use ark_r1cs_std::{
    alloc::AllocVar, boolean::Boolean, eq::EqGadget, fields::fp::FpVar, fields::FieldVar, GR1CSVar,
};
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError};

/// Bits of a timestamp offset from the window start (`t < 2^47` ms).
pub const TIME_BITS: usize = 47;
/// Bits of the claimed distance (metres) and duration (seconds), and of the thresholds.
pub const CLAIM_BITS: usize = 32;
/// Bits of `10000·inside - bp·points` (both terms below 2^46).
pub const SHARE_BITS: usize = 48;
/// Number of slots that may be carried: a chunk carries at most a group minus one point.
pub const MAX_CARRIED: usize = POINTS_PER_GROUP - 1;

/// One chunk's statement for a shape. `witness` is `None` for key generation.
#[derive(Clone)]
pub struct TraceCircuit {
    /// The circuit shape.
    pub shape: Shape,
    /// The chunk's witness (`None` in setup).
    pub witness: Option<ChunkWitness>,
}

impl std::fmt::Debug for TraceCircuit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TraceCircuit")
            .field("shape", &self.shape.name)
            .finish_non_exhaustive()
    }
}

fn constant(v: impl Into<Fr>) -> FpVar<Fr> {
    FpVar::Constant(v.into())
}

fn pow2(k: u32) -> Fr {
    Fr::from(2u64).pow([u64::from(k)])
}

fn fp(b: &Boolean<Fr>) -> FpVar<Fr> {
    FpVar::from(b.clone())
}

/// `a · b = 0`.
fn enforce_zero_product(a: &FpVar<Fr>, b: &FpVar<Fr>) -> Result<(), SynthesisError> {
    a.mul_equals(b, &FpVar::zero())
}

/// Synthesizes the circuit of `shape` (setup mode) and returns where its constraints go.
pub fn layout(shape: Shape) -> Result<Layout, SynthesisError> {
    let cs = ark_relations::gr1cs::ConstraintSystem::<Fr>::new_ref();
    cs.set_mode(ark_relations::gr1cs::SynthesisMode::Setup);
    let mut meter = Meter::new(&cs);
    TraceCircuit {
        shape,
        witness: None,
    }
    .synthesize(cs, &mut meter)?;
    Ok(meter.layout)
}

impl ConstraintSynthesizer<Fr> for TraceCircuit {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        let mut meter = Meter::new(&cs);
        self.synthesize(cs, &mut meter)
    }
}

/// The public inputs, as variables.
struct Inputs {
    policy_id: FpVar<Fr>,
    state_in: FpVar<Fr>,
    state_out: FpVar<Fr>,
    first: FpVar<Fr>,
    last: FpVar<Fr>,
    claimed_points: FpVar<Fr>,
    claimed_distance: FpVar<Fr>,
    claimed_duration: FpVar<Fr>,
    commitment: FpVar<Fr>,
    contribution_id: FpVar<Fr>,
}

/// The policy's private parameters.
struct PolicyVars {
    not_before: FpVar<Fr>,
    not_after: FpVar<Fr>,
    min_dt: FpVar<Fr>,
    max_dt: FpVar<Fr>,
    speed: FpVar<Fr>,
    /// `c = 2^30 / τ`.
    tolerance_scale: FpVar<Fr>,
    min_points: FpVar<Fr>,
    min_distance: FpVar<Fr>,
    inside_bp: FpVar<Fr>,
    root: FpVar<Fr>,
    depth: FpVar<Fr>,
}

/// What each slot leaves for the per-chunk parts.
struct SlotVars {
    active: FpVar<Fr>,
    t: FpVar<Fr>,
    y: FpVar<Fr>,
    x: FpVar<Fr>,
    absorbed: FpVar<Fr>,
}

/// The running totals of a chunk.
struct Totals {
    points: FpVar<Fr>,
    distance: FpVar<Fr>,
    inside: FpVar<Fr>,
}

/// A point of the previous slot (or the predecessor).
#[derive(Clone)]
struct Prev {
    y: FpVar<Fr>,
    u: FpVar<Fr>,
    t: FpVar<Fr>,
    band: Boolean<Fr>,
}

/// The synthesis context: the constraint system, the witness and the shape.
struct Ctx<'a> {
    cs: ConstraintSystemRef<Fr>,
    w: Option<&'a ChunkWitness>,
    shape: Shape,
}

impl Ctx<'_> {
    /// Allocates a witness computed from the chunk witness.
    fn witness(&self, f: impl FnOnce(&ChunkWitness) -> Fr) -> Result<FpVar<Fr>, SynthesisError> {
        FpVar::new_witness(self.cs.clone(), || {
            self.w.map(f).ok_or(SynthesisError::AssignmentMissing)
        })
    }

    /// Allocates a boolean witness: `b·(1 − b) = 0`.
    fn bool(&self, f: impl FnOnce(&ChunkWitness) -> bool) -> Result<Boolean<Fr>, SynthesisError> {
        Boolean::new_witness(self.cs.clone(), || {
            self.w.map(f).ok_or(SynthesisError::AssignmentMissing)
        })
    }

    /// Public inputs, in slot order ([`PublicInputs`]).
    fn inputs(&self) -> Result<Inputs, SynthesisError> {
        let slots: Option<[Fr; NUM_PUBLIC_INPUTS]> = self.w.map(|w| w.public.to_array());
        let input = |i: usize| {
            FpVar::new_input(self.cs.clone(), || {
                slots.map(|a| a[i]).ok_or(SynthesisError::AssignmentMissing)
            })
        };
        let policy_id = input(0)?;
        let submitter = input(1)?;
        let state_in = input(2)?;
        let state_out = input(3)?;
        // is_first·(1 − is_first) = 0, likewise is_last
        let is_first = Boolean::new_input(self.cs.clone(), || {
            self.w
                .map(|w| w.public.is_first)
                .ok_or(SynthesisError::AssignmentMissing)
        })?;
        let is_last = Boolean::new_input(self.cs.clone(), || {
            self.w
                .map(|w| w.public.is_last)
                .ok_or(SynthesisError::AssignmentMissing)
        })?;
        let inputs = Inputs {
            policy_id,
            state_in,
            state_out,
            first: fp(&is_first),
            last: fp(&is_last),
            claimed_points: input(6)?,
            claimed_distance: input(7)?,
            claimed_duration: input(8)?,
            commitment: input(9)?,
            contribution_id: input(10)?,
        };
        // The submitter enters no rule; this binds it to the proof: submitter² = sq.
        let _ = submitter.square()?;
        Ok(inputs)
    }

    /// The policy's parameters, hashed to the public `policy_id`.
    fn policy(&self, policy_id: &FpVar<Fr>) -> Result<PolicyVars, SynthesisError> {
        let mut params = Vec::with_capacity(NUM_PARAMS);
        for j in 0..NUM_PARAMS - 1 {
            params.push(self.witness(|w| w.params[j])?);
        }
        // The region encoding is the statement's: a policy with another has another id.
        params.push(constant(ENCODING_CODE));
        let root = self.witness(|w| w.region_root)?;
        let depth = self.witness(|w| Fr::from(u64::from(w.region_depth)))?;
        let params_hash = poseidon(&params)?;
        // policy_id = Poseidon(TAG, params, root, depth)
        poseidon(&[
            constant(fr_from_tag(POLICY_TAG)),
            params_hash,
            root.clone(),
            depth.clone(),
        ])?
        .enforce_equal(policy_id)?;
        let [nb, na, min_dt, max_dt, v, tol, min_pts, min_dist, bp, _]: [FpVar<Fr>; NUM_PARAMS] =
            params
                .try_into()
                .map_err(|_| SynthesisError::Unsatisfiable)?;
        // c·τ = 2^30: τ = 2^(step_bits+1) with step_bits ≤ 29, so c = 2^(29 − step_bits)
        let scale = pow2(STEP_BITS + 1);
        let c = FpVar::new_witness(self.cs.clone(), || {
            let t = tol.value()?;
            Ok(scale * t.inverse().unwrap_or_default())
        })?;
        c.mul_equals(&tol, &constant(scale))?;
        Ok(PolicyVars {
            not_before: nb,
            not_after: na,
            min_dt,
            max_dt,
            speed: v,
            tolerance_scale: c,
            min_points: min_pts,
            min_distance: min_dist,
            inside_bp: bp,
            root,
            depth,
        })
    }

    /// The chunk's item: its packed value, leaf, Merkle path to the policy's root, forms.
    fn item(&self, policy: &PolicyVars) -> Result<ItemVar, SynthesisError> {
        let d_max = self.shape.depth as usize;
        // ℓ_l = [l < depth]: ℓ_0 = 1, ℓ_l ≤ ℓ_{l-1}, Σ ℓ_l = depth
        let mut levels = vec![Boolean::TRUE];
        for l in 1..d_max {
            let b = self.bool(|w| (l as u32) < w.region_depth)?;
            // ℓ_l · (1 − ℓ_{l-1}) = 0
            enforce_zero_product(&fp(&b), &(FpVar::one() - fp(&levels[l - 1])))?;
            levels.push(b);
        }
        levels
            .iter()
            .fold(FpVar::zero(), |acc, b| acc + fp(b))
            .enforce_equal(&policy.depth)?;
        let item = ItemVar::alloc(&self.cs, self.w.map(|w| &w.item.item))?;
        // leaf = Poseidon(packed)
        let leaf = poseidon(std::slice::from_ref(&item.packed))?;
        let root = root_from(
            &self.cs,
            leaf,
            self.w.map(|w| w.item.index),
            self.w.map(|w| w.item.siblings.as_slice()),
            &levels,
        )?;
        root.enforce_equal(&policy.root)?;
        Ok(item)
    }

    /// The state a chunk starts from (its `pending` is recomputed from the carried slots and
    /// the hash checked later).
    fn state_in(&self, first: &FpVar<Fr>) -> Result<(StateVars, [FpVar<Fr>; 3]), SynthesisError> {
        let last_y = self.witness(|w| {
            w.state_in
                .last
                .map(|p| Fr::from(p.y() as u64))
                .unwrap_or_default()
        })?;
        let last_x = self.witness(|w| {
            w.state_in
                .last
                .map(|p| Fr::from(p.x() as u64))
                .unwrap_or_default()
        })?;
        let last_t = self.witness(|w| {
            w.state_in
                .last
                .map(|p| Fr::from(p.t_ms))
                .unwrap_or_default()
        })?;
        let s = StateVars {
            acc: self.witness(|w| w.state_in.acc)?,
            last: pack_point(&last_y, &last_x, &last_t),
            points: self.witness(|w| Fr::from(w.state_in.points))?,
            inside: self.witness(|w| Fr::from(w.state_in.inside))?,
            distance: self.witness(|w| Fr::from(w.state_in.distance_units))?,
            first: self.witness(|w| {
                w.state_in
                    .first
                    .as_ref()
                    .map(crate::statement::pack_point)
                    .unwrap_or_default()
            })?,
            pending: FpVar::zero(),
            blinding: self.witness(|w| w.state_in.blinding)?,
        };
        for var in [&s.acc, &s.points, &s.distance, &s.inside] {
            // is_first · v = 0: the first chunk starts from nothing
            enforce_zero_product(first, var)?;
        }
        Ok((s, [last_y, last_x, last_t]))
    }
}

impl TraceCircuit {
    fn synthesize(
        self,
        cs: ConstraintSystemRef<Fr>,
        meter: &mut Meter,
    ) -> Result<(), SynthesisError> {
        let sh = self.shape;
        let n = sh.points;
        if !n.is_multiple_of(POINTS_PER_GROUP) || n < 2 * POINTS_PER_GROUP {
            return Err(SynthesisError::Unsatisfiable);
        }
        let ctx = Ctx {
            cs: cs.clone(),
            w: self.witness.as_ref(),
            shape: sh,
        };
        let w = ctx.w;

        let io = ctx.inputs()?;
        let zero = FpVar::zero();
        meter.tick("public inputs");

        let pol = ctx.policy(&io.policy_id)?;
        meter.tick("policy id");

        let win = WindowVar::alloc(&cs, w.map(|w| &w.window))?;
        meter.tick("window");

        let item = ctx.item(&pol)?;
        meter.tick("region item (Merkle)");

        // ---- Carried prefix (slots 0..32). ----
        let mut carried: Vec<Boolean<Fr>> = Vec::with_capacity(MAX_CARRIED);
        for j in 0..MAX_CARRIED {
            let cj = ctx.bool(|w| w.slots[j].carried)?;
            if j > 0 {
                // c_j · (1 − c_{j-1}) = 0
                enforce_zero_product(&fp(&cj), &(FpVar::one() - fp(&carried[j - 1])))?;
            }
            carried.push(cj);
        }
        let c0 = fp(&carried[0]);
        // is_first · c_0 = 0: the trace starts with a new point
        enforce_zero_product(&io.first, &c0)?;
        meter.tick("carry");

        // ---- State in, and the predecessor of slot 0 (in the window). ----
        let (mut sin, [ly, lx, lt]) = ctx.state_in(&io.first)?;
        // z = [slot 0 is the trace's first point]: z·(points_in − Σ c_j) = 0, so z = 1 only
        // when no point precedes slot 0 (the first chunk, or a chunk carrying the first,
        // still incomplete group); slot 0 then has no step.
        let z = ctx.bool(|w| {
            w.state_in.points as usize == w.slots.iter().take_while(|s| s.carried).count()
        })?;
        let carried_count = carried.iter().fold(FpVar::zero(), |acc, c| acc + fp(c));
        enforce_zero_product(&fp(&z), &(&sin.points - &carried_count))?;
        let z = fp(&z);
        // Unwrapped east index of the predecessor: u = x + 3.6·10^9·w_p, w_p ≤ seam
        let wp = ctx.bool(|w| w.window.raw_offsets(&w.predecessor).2)?;
        // w_p · (1 − seam) = 0
        enforce_zero_product(&fp(&wp), &(FpVar::one() - fp(&win.seam)))?;
        let lu = &lx + fp(&wp) * Fr::from(crate::encode::LON_PERIOD as u64);
        meter.tick("chain state in");

        // ---- Point slots: the rules per point. ----
        let env = PointEnv {
            pol: &pol,
            win: &win,
            item: &item,
            carried: &carried,
            z: z.clone(),
            ly: ly.clone(),
            lu: lu.clone(),
            lt: lt.clone(),
        };
        let tot = Totals {
            points: sin.points.clone(),
            distance: sin.distance.clone(),
            inside: sin.inside.clone(),
        };
        let Points {
            slots,
            packs_carried,
            tot,
        } = ctx.points(&env, tot, meter)?;

        // ---- Groups: absorb full groups (and the last chunk's tail), carry a partial one. ----
        let Groups {
            acc,
            masked,
            has_partial,
            y_full,
            x_full,
            t_full,
        } = ctx.absorb_groups(&io, &slots, sin.acc.clone())?;
        meter.tick("hashing (absorb)");
        // pending_in = c_0 · Poseidon(carried elements); it is the state's `pending`.
        sin.pending = &c0 * poseidon(&group_elements(&packs_carried))?;
        // pending_out = [a partial group] · Poseidon(its elements)
        let pend_out = &has_partial * poseidon(&masked)?;
        meter.tick("carry");
        state_hash(&sin)?.enforce_equal(&io.state_in)?;
        meter.tick("chain state in");

        // Last active time: Σ (a_i − a_{i+1})·t_i
        let mut last_t = FpVar::zero();
        for i in 0..n {
            let next = slots
                .get(i + 1)
                .map(|s| s.active.clone())
                .unwrap_or_else(FpVar::zero);
            last_t += (&slots[i].active - next) * &slots[i].t;
        }
        meter.tick("padding (active prefix)");
        // first' = first + is_first·(point(p_0) − first)
        let t0 = slots[0].t.clone();
        let p0 = pack_point(&slots[0].y, &slots[0].x, &t0);
        let first_out = &sin.first + &io.first * (&p0 - &sin.first);
        // z·(point(p_0) − first) = 0: a slot without a step is the trace's first point
        enforce_zero_product(&z, &(&p0 - &first_out))?;
        meter.tick("chain state in");
        // Window: t_0 − not_before ∈ [0, 2^47); is_last·(not_after − last_t) ∈ [0, 2^47)
        enforce_bits(&(&t0 - &pol.not_before), TIME_BITS)?;
        enforce_product_bits(&io.last, &(&pol.not_after - &last_t), &zero, TIME_BITS)?;
        meter.tick("time window");

        // ---- State out: the hash, or 0 for the last chunk. ----
        // The last point of the last full group, or the state's if the chunk completed none
        // (full groups form a prefix, so "any" = a_32).
        let keep = FpVar::one() - &slots[POINTS_PER_GROUP - 1].active;
        let y_end = y_full + &keep * &ly;
        let x_end = x_full + &keep * &lx;
        let t_end = t_full + &keep * &lt;
        let sout = StateVars {
            acc: acc.clone(),
            last: pack_point(&y_end, &x_end, &t_end),
            points: tot.points.clone(),
            inside: tot.inside.clone(),
            distance: tot.distance.clone(),
            first: first_out.clone(),
            pending: pend_out,
            blinding: sin.blinding.clone(),
        };
        let h_out = state_hash(&sout)?;
        // state_out = (1 − is_last)·h_out
        (FpVar::one() - &io.last).mul_equals(&h_out, &io.state_out)?;
        meter.tick("chain state out");

        // ---- Claims, thresholds, id and commitment (all 0 unless is_last). ----
        ctx.claims(
            &io,
            &pol,
            ChunkEnd {
                tot,
                acc,
                first: first_out,
                last_t,
                blinding: sin.blinding,
            },
            meter,
        )
    }
}

/// The public inputs as the verifier passes them, for a chunk witness.
pub fn public_inputs(w: &ChunkWitness) -> [Fr; NUM_PUBLIC_INPUTS] {
    PublicInputs::to_array(&w.public)
}

/// A witness that does not satisfy its circuit: the first failing constraint and its part.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unsatisfied {
    /// Index of the first unsatisfied constraint.
    pub row: usize,
    /// The part ([`PARTS`]) it belongs to.
    pub rule: &'static str,
}

/// Checks a chunk witness against its circuit, constraint by constraint, and names the first
/// failing one's part. `Err(None)`-like synthesis failures (a witness that cannot even be
/// assigned) are returned as `SynthesisError`.
pub fn check(shape: Shape, w: &ChunkWitness) -> Result<Result<(), Unsatisfied>, SynthesisError> {
    use ark_relations::gr1cs::{ConstraintSystem, OptimizationGoal, R1CS_PREDICATE_LABEL};
    let cs = ConstraintSystem::<Fr>::new_ref();
    cs.set_optimization_goal(OptimizationGoal::Constraints);
    let mut meter = Meter::new(&cs);
    TraceCircuit {
        shape,
        witness: Some(w.clone()),
    }
    .synthesize(cs.clone(), &mut meter)?;
    let Meter { layout, .. } = meter;
    cs.finalize();
    let mut all = cs.to_matrices()?;
    let abc = all
        .remove(R1CS_PREDICATE_LABEL)
        .ok_or(SynthesisError::PredicateNotFound)?;
    let inner = cs.borrow().ok_or(SynthesisError::MissingCS)?;
    let mut z = inner.instance_assignment()?.to_vec();
    z.extend_from_slice(inner.witness_assignment()?);
    let dot = |row: &[(Fr, usize)]| row.iter().map(|(c, i)| *c * z[*i]).sum::<Fr>();
    let rows = abc[0].len();
    match (0..rows).find(|&i| dot(&abc[0][i]) * dot(&abc[1][i]) != dot(&abc[2][i])) {
        None => Ok(Ok(())),
        Some(row) => Ok(Err(Unsatisfied {
            row,
            rule: layout.rule_of(row).unwrap_or("unknown"),
        })),
    }
}
