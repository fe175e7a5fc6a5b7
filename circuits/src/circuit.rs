//! The trace-chunk circuit (feature `r1cs`): one Groth16 statement per chunk of a trace.
//!
//! The circuit is the in-circuit twin of the native statement: [`crate::rules`] (the rules),
//! [`crate::statement`] (absorption, chaining, public inputs) and [`crate::witness`] (chunking).
//! Public inputs are [`PublicInputs`], allocated in slot order. Everything else — the policy
//! parameters (hashed to the public `policy_id`), the points, the two working-set region pieces
//! and the chain states — is private.
//!
//! Per point slot `i` (`p` = previous point: slot `i-1`; for slot 0 the chain state's last
//! point, or the point itself when the chunk starts the trace or slot 0 is carried — then the
//! step checks of slot 0 are gated off):
//!
//! ```text
//! a_i ∈ {0,1}, a_0 = 1, a_i ≤ a_{i-1}                        active prefix
//! c_i ∈ {0,1}, c_i ≤ c_{i-1}, c_i ≤ a_i (i < 21)             carried prefix; n_i = a_i - c_i new
//! x_i, y_i ∈ [0, 2^G)                                        grid (and the coarse box test)
//! dt = t_i - t_p;  dt - min_dt, max_dt - dt ∈ [0, 2^T)       increasing + interval
//! D² = (kx·dx)² + (ky·dy)²;  d ∈ [0, 2^SB)                    step
//! c·(D² - d²) ∈ [0, 2^(SB+1)),  c = 2^(SB+1)/τ                d ≤ D, D² - d² < τ
//! v·dt - d ∈ [0, 2^SB)                                       speed: D² < (v·dt)² + τ
//! distance += n_i·d                                          a lower bound of the path
//! f ∈ {0,1}, f ≤ n_i, b ∈ {0,1}, piece = piece_0 + b·(piece_1 - piece_0)
//! f·e_ab, f·e_bc, f·e_ca ∈ [0, 2^H) for the cell (x_i >> s, y_i >> s)      region
//! m_i = a_i · pack(p_i)                                      absorbed value (0 for padding)
//! ```
//!
//! Per group of 22 slots: `acc' = acc + abs·(Poseidon(acc, elements) - acc)` with `abs = 1` for
//! a full group (and for the trailing partial group of the last chunk); the trailing partial
//! group of other chunks is committed as `pending` in `state_out` and carried by the next chunk.
//! Per chunk: `policy_id`, `state_in` (genesis when `is_first`; its `pending` is recomputed from
//! the carried slots), the working set's 4-ary Merkle paths, the window (`t_0 ≥ not_before`,
//! last active `t ≤ not_after` when `is_last`), the totals, `state_out` (0 when `is_last`),
//! and when `is_last` the claims, the thresholds, the `contribution_id` and the `commitment`
//! (all 0 otherwise).

use crate::gadgets::poseidon::poseidon;
use crate::gadgets::range::{alloc_bits, enforce_bits, enforce_product_bits};
use crate::policy::{frame_code, NUM_PARAMS, ORIGIN_OFFSET, POLICY_TAG};
use crate::poseidon::fr_from_tag;
use crate::shape::Shape;
use crate::statement::{
    PublicInputs, COMMIT_TAG, ELEMENTS_PER_GROUP, ID_TAG, NUM_PUBLIC_INPUTS, PACKED_POINT_BITS,
    POINTS_PER_GROUP, STATE_TAG,
};
use crate::witness::ChunkWitness;
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

/// Allocates a witness whose value is computed from the chunk witness.
fn witness(
    cs: &ConstraintSystemRef<Fr>,
    w: Option<&ChunkWitness>,
    f: impl FnOnce(&ChunkWitness) -> Fr,
) -> Result<FpVar<Fr>, SynthesisError> {
    FpVar::new_witness(cs.clone(), || {
        w.map(f).ok_or(SynthesisError::AssignmentMissing)
    })
}

fn bool_witness(
    cs: &ConstraintSystemRef<Fr>,
    w: Option<&ChunkWitness>,
    f: impl FnOnce(&ChunkWitness) -> bool,
) -> Result<Boolean<Fr>, SynthesisError> {
    // b·(1 - b) = 0
    Boolean::new_witness(cs.clone(), || {
        w.map(f).ok_or(SynthesisError::AssignmentMissing)
    })
}

fn fp(b: &Boolean<Fr>) -> FpVar<Fr> {
    FpVar::from(b.clone())
}

/// `a · b = 0`.
fn enforce_zero_product(a: &FpVar<Fr>, b: &FpVar<Fr>) -> Result<(), SynthesisError> {
    a.mul_equals(b, &FpVar::zero())
}

/// Where the constraints of a chunk go, by rule (see [`breakdown`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Breakdown {
    /// `(part, constraints)` in first-seen order.
    pub parts: Vec<(&'static str, usize)>,
}

struct Meter {
    cs: ConstraintSystemRef<Fr>,
    seen: usize,
    parts: Vec<(&'static str, usize)>,
}

impl Meter {
    fn new(cs: &ConstraintSystemRef<Fr>) -> Self {
        Self {
            cs: cs.clone(),
            seen: cs.num_constraints(),
            parts: Vec::new(),
        }
    }

    /// Attributes the constraints added since the last tick to `part`.
    fn tick(&mut self, part: &'static str) {
        let now = self.cs.num_constraints();
        let delta = now - self.seen;
        self.seen = now;
        match self.parts.iter_mut().find(|(p, _)| *p == part) {
            Some((_, n)) => *n += delta,
            None => self.parts.push((part, delta)),
        }
    }
}

/// Synthesizes the circuit of `shape` (setup mode) and reports its constraints by rule.
pub fn breakdown(shape: Shape) -> Result<Breakdown, SynthesisError> {
    let cs = ark_relations::gr1cs::ConstraintSystem::<Fr>::new_ref();
    cs.set_mode(ark_relations::gr1cs::SynthesisMode::Setup);
    let mut meter = Meter::new(&cs);
    TraceCircuit {
        shape,
        witness: None,
    }
    .synthesize(cs, &mut meter)?;
    Ok(Breakdown { parts: meter.parts })
}

impl ConstraintSynthesizer<Fr> for TraceCircuit {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        let mut meter = Meter::new(&cs);
        self.synthesize(cs, &mut meter)
    }
}

/// Number of slots that may be carried: a chunk carries at most a group minus one point.
pub const MAX_CARRIED: usize = POINTS_PER_GROUP - 1;

/// One working-set piece in the form the membership test uses: vertex `a`, edge vectors
/// `u = b - a`, `w = c - a`, and `A2 = u × w` (twice the area).
struct PieceVars {
    vals: [FpVar<Fr>; 7],
}

impl TraceCircuit {
    fn synthesize(
        self,
        cs: ConstraintSystemRef<Fr>,
        meter: &mut Meter,
    ) -> Result<(), SynthesisError> {
        let sh = self.shape;
        let w = self.witness.as_ref();
        let g = sh.grid_bits as usize;
        let s = sh.region_shift as usize;
        let t_bits = sh.interval_bits as usize;
        let sb = sh.step_bits as usize;
        let h_bits = sh.area_bits as usize;
        let n = sh.points;
        if sh.pieces != 2 || !n.is_multiple_of(POINTS_PER_GROUP) || n < POINTS_PER_GROUP {
            return Err(SynthesisError::Unsatisfiable);
        }

        // ---- Public inputs, in slot order (PublicInputs). ----
        let slots: Option<[Fr; NUM_PUBLIC_INPUTS]> = w.map(|w| w.public.to_array());
        let input = |i: usize| {
            FpVar::new_input(cs.clone(), || {
                slots.map(|a| a[i]).ok_or(SynthesisError::AssignmentMissing)
            })
        };
        let policy_id = input(0)?;
        let submitter = input(1)?;
        let state_in = input(2)?;
        let state_out = input(3)?;
        // is_first·(1 - is_first) = 0, likewise is_last
        let is_first = Boolean::new_input(cs.clone(), || {
            w.map(|w| w.public.is_first)
                .ok_or(SynthesisError::AssignmentMissing)
        })?;
        let is_last = Boolean::new_input(cs.clone(), || {
            w.map(|w| w.public.is_last)
                .ok_or(SynthesisError::AssignmentMissing)
        })?;
        let claimed_points = input(6)?;
        let claimed_distance = input(7)?;
        let claimed_duration = input(8)?;
        let commitment = input(9)?;
        let contribution_id = input(10)?;
        // The submitter enters no rule; this binds it to the proof: submitter² = sq.
        let _ = submitter.square()?;
        let first = fp(&is_first);
        let last = fp(&is_last);
        let not_last = FpVar::one() - &last;
        let zero = FpVar::zero();
        meter.tick("public inputs");

        // ---- Policy: private parameters hashed to the public policy_id. ----
        let mut params = Vec::with_capacity(NUM_PARAMS);
        for j in 0..NUM_PARAMS - 1 {
            params.push(witness(&cs, w, |w| w.params[j])?);
        }
        // grid_bits and region_shift are the shape's: a policy with others has another id.
        params.push(constant(frame_code(sh.grid_bits, sh.region_shift)));
        let kx = witness(&cs, w, |w| Fr::from(w.kx))?;
        let ky = witness(&cs, w, |w| Fr::from(w.ky))?;
        let root = witness(&cs, w, |w| w.region_root)?;
        let depth = witness(&cs, w, |w| Fr::from(u64::from(w.region_depth)))?;
        let params_hash = poseidon(&params)?;
        // policy_id = Poseidon(TAG, params, kx, ky, root, depth)
        poseidon(&[
            constant(fr_from_tag(POLICY_TAG)),
            params_hash,
            kx.clone(),
            ky.clone(),
            root.clone(),
            depth.clone(),
        ])?
        .enforce_equal(&policy_id)?;
        let [nb, na, min_dt, max_dt, v, tol, min_pts, min_dist, bp, olat, olon, _]: [FpVar<Fr>;
            NUM_PARAMS] = params
            .try_into()
            .map_err(|_| SynthesisError::Unsatisfiable)?;
        let olat = olat - constant(ORIGIN_OFFSET as u64);
        let olon = olon - constant(ORIGIN_OFFSET as u64);
        // c·τ = 2^(SB+1): τ = 2^(step_bits+1) with step_bits ≤ SB, so c = 2^(SB - step_bits)
        let scale = pow2(sh.step_bits + 1);
        let c = FpVar::new_witness(cs.clone(), || {
            let t = tol.value()?;
            Ok(scale * t.inverse().unwrap_or_default())
        })?;
        c.mul_equals(&tol, &constant(scale))?;
        meter.tick("policy id");

        // ---- Carried prefix (slots 0..21). ----
        let mut carried: Vec<Boolean<Fr>> = Vec::with_capacity(MAX_CARRIED);
        for j in 0..MAX_CARRIED {
            let cj = bool_witness(&cs, w, |w| w.slots[j].carried)?;
            if j > 0 {
                // c_j · (1 - c_{j-1}) = 0
                enforce_zero_product(&fp(&cj), &(FpVar::one() - fp(&carried[j - 1])))?;
            }
            carried.push(cj);
        }
        let c0 = fp(&carried[0]);
        // is_first · c_0 = 0: the trace starts with a new point
        enforce_zero_product(&first, &c0)?;
        meter.tick("carry");

        // ---- State in (its `pending` is recomputed from the carried slots below). ----
        let sin = |f: fn(&ChunkWitness) -> Fr| witness(&cs, w, f);
        let acc_in = sin(|w| w.state_in.acc)?;
        let lx = sin(|w| Fr::from(w.state_in.last_x))?;
        let ly = sin(|w| Fr::from(w.state_in.last_y))?;
        let lt = sin(|w| Fr::from(w.state_in.last_t))?;
        let pts_in = sin(|w| Fr::from(w.state_in.points))?;
        let dist_in = sin(|w| Fr::from(w.state_in.distance_units))?;
        let ins_in = sin(|w| Fr::from(w.state_in.inside))?;
        let first_in = sin(|w| Fr::from(w.state_in.first_t))?;
        let blind = sin(|w| w.state_in.blinding)?;
        for var in [&acc_in, &pts_in, &dist_in, &ins_in] {
            // is_first · v = 0: the first chunk starts from nothing
            enforce_zero_product(&first, var)?;
        }
        meter.tick("chain state in");

        // ---- Region working set: 2 pieces opened against the policy's root. ----
        let d_max = sh.depth as usize;
        // ℓ_l = [l < depth]: ℓ_0 = 1, ℓ_l ≤ ℓ_{l-1}, Σ ℓ_l = depth
        let mut levels = vec![Boolean::TRUE];
        for l in 1..d_max {
            let b = bool_witness(&cs, w, |w| (l as u32) < w.region_depth)?;
            // ℓ_l · (1 - ℓ_{l-1}) = 0
            enforce_zero_product(&fp(&b), &(FpVar::one() - fp(&levels[l - 1])))?;
            levels.push(b);
        }
        levels
            .iter()
            .fold(FpVar::zero(), |acc, b| acc + fp(b))
            .enforce_equal(&depth)?;
        let mut pieces: Vec<PieceVars> = Vec::with_capacity(2);
        for k in 0..2 {
            let mut coords = Vec::with_capacity(6);
            for j in 0..6 {
                // No range check: the coordinates are bound by the leaf hash to a policy piece.
                coords.push(witness(&cs, w, |w| w.pieces[k].triangle.coords()[j])?);
            }
            let mut node = poseidon(&coords)?;
            for (l, level) in levels.iter().enumerate() {
                // Position among the four children: e = one-hot of b0 + 2·b1.
                let b0 = fp(&bool_witness(&cs, w, |w| {
                    (w.pieces[k].index >> (2 * l)) & 1 == 1
                })?);
                let b1 = fp(&bool_witness(&cs, w, |w| {
                    (w.pieces[k].index >> (2 * l + 1)) & 1 == 1
                })?);
                let sib: Vec<FpVar<Fr>> = (0..3)
                    .map(|j| witness(&cs, w, |w| w.pieces[k].siblings[l][j]))
                    .collect::<Result<_, _>>()?;
                // e3 = b0·b1, e1 = b0 - e3, e2 = b1 - e3, e0 = 1 - b0 - b1 + e3
                let e3 = &b0 * &b1;
                let e1 = &b0 - &e3;
                let e2 = &b1 - &e3;
                let e0 = FpVar::one() - &b0 - &b1 + &e3;
                // children in order with `node` at the position
                let ch0 = &sib[0] + &e0 * (&node - &sib[0]);
                let ch1 = &sib[1] + &e0 * (&sib[0] - &sib[1]) + &e1 * (&node - &sib[1]);
                let ch2 = &sib[2] + (&e0 + &e1) * (&sib[1] - &sib[2]) + &e2 * (&node - &sib[2]);
                let ch3 = &sib[2] + &e3 * (&node - &sib[2]);
                let up = poseidon(&[ch0, ch1, ch2, ch3])?;
                // node' = node + ℓ_l·(up - node): levels past the depth pass through
                node = &node + fp(level) * (up - &node);
            }
            node.enforce_equal(&root)?;
            let [ax, ay, bx, by, qx, qy]: [FpVar<Fr>; 6] = coords
                .try_into()
                .map_err(|_| SynthesisError::Unsatisfiable)?;
            let (ux, uy, wx, wy) = (&bx - &ax, &by - &ay, &qx - &ax, &qy - &ay);
            // A2 = ux·wy - uy·wx
            let a2 = &ux * &wy - &uy * &wx;
            pieces.push(PieceVars {
                vals: [ax, ay, ux, uy, wx, wy, a2],
            });
        }
        // selection: v = v_0 + b·(v_1 - v_0)
        let diffs: Vec<FpVar<Fr>> = (0..7)
            .map(|j| &pieces[1].vals[j] - &pieces[0].vals[j])
            .collect();
        meter.tick("region working set (Merkle)");

        // ---- Point slots. ----
        let lat_off = constant(u64::from(crate::encode::MAX_LAT_E7.unsigned_abs()));
        let lon_off = constant(u64::from(crate::encode::MAX_LON_E7.unsigned_abs()));
        let mut actives: Vec<FpVar<Fr>> = Vec::with_capacity(n);
        let mut times: Vec<FpVar<Fr>> = Vec::with_capacity(n);
        let mut xs: Vec<FpVar<Fr>> = Vec::with_capacity(n);
        let mut ys: Vec<FpVar<Fr>> = Vec::with_capacity(n);
        let mut packs_carried: Vec<FpVar<Fr>> = Vec::with_capacity(MAX_CARRIED);
        let mut absorbed: Vec<FpVar<Fr>> = Vec::with_capacity(n);
        let mut prev: Option<(FpVar<Fr>, FpVar<Fr>, FpVar<Fr>)> = None;
        let mut pts = pts_in.clone();
        let mut dist = dist_in.clone();
        let mut ins = ins_in.clone();
        for i in 0..n {
            let slot = |w: &ChunkWitness| w.slots[i];
            let a = if i == 0 {
                FpVar::one()
            } else {
                let a = fp(&bool_witness(&cs, w, |w| slot(w).active)?);
                // a_i · (1 - a_{i-1}) = 0: padding only at the end
                enforce_zero_product(&a, &(FpVar::one() - &actives[i - 1]))?;
                a
            };
            meter.tick("padding (active prefix)");
            let new = match carried.get(i) {
                Some(ci) => {
                    let ci = fp(ci);
                    if i > 0 {
                        // c_i · (1 - a_i) = 0: carried slots are points
                        enforce_zero_product(&ci, &(FpVar::one() - &a))?;
                    }
                    &a - ci
                }
                None => a.clone(),
            };
            meter.tick("carry");
            // x, y ∈ [0, 2^G)
            let (x, xbits) = alloc_bits(cs.clone(), w.map(|w| Fr::from(slot(w).x)), g)?;
            let (y, ybits) = alloc_bits(cs.clone(), w.map(|w| Fr::from(slot(w).y)), g)?;
            let t = witness(&cs, w, |w| Fr::from(slot(w).t))?;
            meter.tick("grid (coordinate bits)");
            let (px, py, pt, gate) = match &prev {
                Some((px, py, pt)) => (px.clone(), py.clone(), pt.clone(), None),
                None => {
                    // gate = (1 - is_first)·(1 - c_0): slot 0 continues the chain state
                    let gate = (FpVar::one() - &first) * (FpVar::one() - &c0);
                    (
                        &x + &gate * (&lx - &x),
                        &y + &gate * (&ly - &y),
                        &t + &gate * (&lt - &t),
                        Some(gate),
                    )
                }
            };
            // dt - min_dt, max_dt - dt ∈ [0, 2^T)
            let dt = &t - &pt;
            let mut lo = &dt - &min_dt;
            let mut hi = &max_dt - &dt;
            if let Some(gate) = &gate {
                lo = &lo * gate;
                hi = &hi * gate;
            }
            enforce_bits(&lo, t_bits)?;
            enforce_bits(&hi, t_bits)?;
            meter.tick("time (order, interval)");
            // D² = (kx·dx)² + (ky·dy)²
            let ex = &kx * (&x - &px);
            let ey = &ky * (&y - &py);
            let d2 = ex.square()? + ey.square()?;
            // d ∈ [0, 2^SB)
            let (d, _) = alloc_bits(cs.clone(), w.map(|w| Fr::from(slot(w).d)), sb)?;
            // v·dt = d + Σ b_i 2^i: v·dt - d ∈ [0, 2^SB)
            enforce_product_bits(&v, &dt, &d, sb)?;
            meter.tick("speed");
            // c·(D² - d²) ∈ [0, 2^(SB+1)): d ≤ D and D² - d² < τ
            let r1 = &d2 - d.square()?;
            enforce_product_bits(&c, &r1, &zero, sb + 1)?;
            // distance += n_i·d: carried points were counted before, padding never is
            dist += &new * &d;
            meter.tick("distance");

            // Region: f ≤ n_i; the piece selected by b; f·e ∈ [0, 2^H) for its three edges.
            let f = fp(&bool_witness(&cs, w, |w| slot(w).piece.is_some())?);
            // f · (1 - n_i) = 0
            enforce_zero_product(&f, &(FpVar::one() - &new))?;
            let b = fp(&bool_witness(&cs, w, |w| slot(w).piece == Some(1))?);
            let sel: Vec<FpVar<Fr>> = (0..7)
                .map(|j| &pieces[0].vals[j] + &b * &diffs[j])
                .collect();
            let cx = Boolean::le_bits_to_fp(&xbits[s..])?;
            let cy = Boolean::le_bits_to_fp(&ybits[s..])?;
            let (qx, qy) = (&cx - &sel[0], &cy - &sel[1]);
            // e_ab = u × q, e_ca = q × w, e_bc = A2 - e_ab - e_ca
            let e_ab = &sel[2] * &qy - &sel[3] * &qx;
            let e_ca = &qx * &sel[5] - &qy * &sel[4];
            let e_bc = &sel[6] - &e_ab - &e_ca;
            for e in [&e_ab, &e_bc, &e_ca] {
                enforce_product_bits(&f, e, &zero, h_bits)?;
            }
            ins += &f;
            meter.tick("region (membership)");

            // Absorbed value: m = a · pack(p).
            let pack = (&y + &olat + &lat_off) + (&x + &olon + &lon_off) * pow2(31) + &t * pow2(63);
            if let Some(ci) = carried.get(i) {
                packs_carried.push(fp(ci) * &pack);
            }
            absorbed.push(&a * pack);
            meter.tick("hashing (absorb)");
            pts += &new;
            prev = Some((x.clone(), y.clone(), t.clone()));
            actives.push(a);
            times.push(t);
            xs.push(x);
            ys.push(y);
        }

        // ---- Groups: absorb full groups (and the last chunk's tail), carry a partial one. ----
        let shift = pow2(PACKED_POINT_BITS);
        let elements = |slots: &[FpVar<Fr>]| -> Vec<FpVar<Fr>> {
            (0..ELEMENTS_PER_GROUP)
                .map(|j| {
                    let lo = slots.get(2 * j).cloned().unwrap_or_else(FpVar::zero);
                    let hi = slots.get(2 * j + 1).cloned().unwrap_or_else(FpVar::zero);
                    lo + hi * shift
                })
                .collect()
        };
        let groups = n / POINTS_PER_GROUP;
        let mut acc = acc_in.clone();
        let mut masked = vec![FpVar::zero(); ELEMENTS_PER_GROUP];
        let mut has_partial = FpVar::zero();
        let (mut x_full, mut y_full, mut t_full) = (FpVar::zero(), FpVar::zero(), FpVar::zero());
        for gi in 0..groups {
            let head = gi * POINTS_PER_GROUP;
            let tail = head + POINTS_PER_GROUP - 1;
            let elems = elements(&absorbed[head..=tail]);
            let mut inputs = Vec::with_capacity(1 + ELEMENTS_PER_GROUP);
            inputs.push(acc.clone());
            inputs.extend(elems.iter().cloned());
            let h = poseidon(&inputs)?;
            // partial = a_head - a_tail; abs = a_tail + is_last·partial
            let partial = &actives[head] - &actives[tail];
            let abs = &actives[tail] + &last * &partial;
            // acc' = acc + abs·(h - acc)
            acc = &acc + abs * (h - &acc);
            for (m, e) in masked.iter_mut().zip(&elems) {
                // masked += partial·element: the elements of the (only) partial group
                *m += &partial * e;
            }
            has_partial += &partial;
            // end = a_tail - a_next_tail: 1 for the last full group
            let next = if gi + 1 < groups {
                actives[tail + POINTS_PER_GROUP].clone()
            } else {
                FpVar::zero()
            };
            let end = &actives[tail] - next;
            x_full += &end * &xs[tail];
            y_full += &end * &ys[tail];
            t_full += &end * &times[tail];
        }
        meter.tick("hashing (absorb)");
        // pending_in = c_0 · Poseidon(carried elements); it is the state's `pending`.
        let pend_in = &c0 * poseidon(&elements(&packs_carried))?;
        // pending_out = [a partial group] · Poseidon(its elements)
        let pend_out = &has_partial * poseidon(&masked)?;
        meter.tick("carry");
        // state_in = Poseidon(STATE_TAG, acc, last, points, distance, inside, first_t, pending, r)
        poseidon(&[
            constant(fr_from_tag(STATE_TAG)),
            acc_in.clone(),
            lx.clone(),
            ly.clone(),
            lt.clone(),
            pts_in.clone(),
            dist_in.clone(),
            ins_in.clone(),
            first_in.clone(),
            pend_in,
            blind.clone(),
        ])?
        .enforce_equal(&state_in)?;
        meter.tick("chain state in");

        // Last active time: Σ (a_i - a_{i+1})·t_i
        let mut last_t = FpVar::zero();
        for i in 0..n {
            let next = actives.get(i + 1).cloned().unwrap_or_else(FpVar::zero);
            last_t += (&actives[i] - next) * &times[i];
        }
        meter.tick("padding (active prefix)");
        // first_t' = first_t + is_first·(t_0 - first_t)
        let t0 = times[0].clone();
        let first_out = &first_in + &first * (&t0 - &first_in);
        // Window: t_0 - not_before ∈ [0, 2^47); is_last·(not_after - last_t) ∈ [0, 2^47)
        enforce_bits(&(&t0 - &nb), TIME_BITS)?;
        enforce_product_bits(&last, &(&na - &last_t), &zero, TIME_BITS)?;
        meter.tick("window");

        // ---- State out: the hash, or 0 for the last chunk. ----
        // The last point of the last full group, or the state's if the chunk completed none
        // (full groups form a prefix, so "any" = a_21).
        let any_full = actives[POINTS_PER_GROUP - 1].clone();
        let keep = FpVar::one() - &any_full;
        let x_end = x_full + &keep * &lx;
        let y_end = y_full + &keep * &ly;
        let t_end = t_full + &keep * &lt;
        let h_out = poseidon(&[
            constant(fr_from_tag(STATE_TAG)),
            acc.clone(),
            x_end,
            y_end,
            t_end,
            pts.clone(),
            dist.clone(),
            ins.clone(),
            first_out.clone(),
            pend_out,
            blind.clone(),
        ])?;
        // state_out = (1 - is_last)·h_out
        not_last.mul_equals(&h_out, &state_out)?;
        meter.tick("chain state out");

        // ---- Claims, thresholds, id and commitment (all 0 unless is_last). ----
        // claimed_points = is_last · points
        last.mul_equals(&pts, &claimed_points)?;
        // distance: Σd = q·2^18 + r, r ∈ [0, 2^18), q ∈ [0, 2^32)
        let frac = crate::projection::DISTANCE_FRAC_BITS;
        let dist_value = w.map(|w| w.state_out.distance_units);
        let (q, _) = alloc_bits(
            cs.clone(),
            dist_value.map(|v| Fr::from((v >> frac) as u64)),
            CLAIM_BITS,
        )?;
        let (r, _) = alloc_bits(
            cs.clone(),
            dist_value.map(|v| Fr::from((v & ((1 << frac) - 1)) as u64)),
            frac as usize,
        )?;
        // is_last·(Σd - q·2^18 - r) = 0
        enforce_zero_product(&last, &(&dist - &q * pow2(frac) - &r))?;
        last.mul_equals(&q, &claimed_distance)?;
        // duration: last_t - first_t = 1000·dur + rem, rem ∈ [0, 1000)
        let span = w.map(|w| w.last_active_t().saturating_sub(w.state_out.first_t));
        let (dur, _) = alloc_bits(cs.clone(), span.map(|v| Fr::from(v / 1000)), CLAIM_BITS)?;
        let (rem, _) = alloc_bits(cs.clone(), span.map(|v| Fr::from(v % 1000)), 10)?;
        // 999 - rem ∈ [0, 2^10)
        enforce_bits(&(constant(999u64) - &rem), 10)?;
        // is_last·(last_t - first_t - 1000·dur - rem) = 0
        enforce_zero_product(
            &last,
            &(&last_t - &first_out - &dur * Fr::from(1000u64) - &rem),
        )?;
        last.mul_equals(&dur, &claimed_duration)?;
        // thresholds: points ≥ min_points, q ≥ min_distance, 10000·inside ≥ bp·points
        enforce_product_bits(&last, &(&pts - &min_pts), &zero, CLAIM_BITS)?;
        enforce_product_bits(&last, &(&q - &min_dist), &zero, CLAIM_BITS)?;
        let share = &ins * Fr::from(10_000u64) - &bp * &pts;
        enforce_product_bits(&last, &share, &zero, SHARE_BITS)?;
        meter.tick("claims and thresholds");
        // contribution_id = Poseidon(ID_TAG, acc, points); commitment = Poseidon(COMMIT_TAG, id, r)
        let id = poseidon(&[constant(fr_from_tag(ID_TAG)), acc, pts])?;
        let com = poseidon(&[constant(fr_from_tag(COMMIT_TAG)), id.clone(), blind])?;
        last.mul_equals(&id, &contribution_id)?;
        last.mul_equals(&com, &commitment)?;
        meter.tick("id and commitment");
        Ok(())
    }
}

/// The public inputs as the verifier passes them, for a chunk witness.
pub fn public_inputs(w: &ChunkWitness) -> [Fr; NUM_PUBLIC_INPUTS] {
    PublicInputs::to_array(&w.public)
}
