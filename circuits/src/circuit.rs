//! The trace-chunk circuit (feature `r1cs`): one Groth16 statement per chunk of a trace.
//!
//! The circuit is the in-circuit twin of the native statement: [`crate::rules`] (the rules),
//! [`crate::statement`] (absorption, chaining, public inputs) and [`crate::witness`] (chunking).
//! Public inputs are [`PublicInputs`], allocated in slot order. Everything else — the policy
//! parameters (hashed to the public `policy_id`), the points, the working set of region pieces
//! and the chain states — is private.
//!
//! Per point slot `i` (`p = ` previous point: slot `i-1`, or the chain state's last point for
//! slot 0, or the point itself for slot 0 of the first chunk):
//!
//! ```text
//! a_i ∈ {0,1}, a_0 = 1, a_i ≤ a_{i-1}                       active prefix
//! x_i, y_i ∈ [0, 2^G)                                       grid (and the coarse box test)
//! dt = t_i - t_p;  dt - min_dt, max_dt - dt ∈ [0, 2^T)      increasing + interval
//! D² = (kx·dx)² + (ky·dy)²;  v2·dt² - D² ∈ [0, 2^(2·SB))     speed
//! d ∈ [0, 2^SB), D² - d² ∈ [0, 2^(SB+1)), (1 - a_i)·d = 0    step length, a lower bound of D
//! f ∈ {0,1}, f ≤ a_i, s_k ∈ {0,1}, Σ s_k = f                region: the piece selector
//! e_ab, e_bc, e_ca of (x_i >> s, y_i >> s) against Σ s_k·piece_k ∈ [0, 2^H)
//! m_i = a_i · pack(p_i)                                     absorbed value (0 for padding)
//! ```
//!
//! Per chunk: `policy_id`, `state_in` (genesis when `is_first`), the working set's Merkle
//! paths, the window (`t_0 ≥ not_before`, last active `t ≤ not_after` when `is_last`), the
//! totals, `state_out` (0 when `is_last`), and when `is_last` the claims, the thresholds, the
//! `contribution_id` and the `commitment` (all 0 otherwise).

use crate::gadgets::poseidon::poseidon;
use crate::gadgets::range::{alloc_bits, enforce_bits};
use crate::policy::{ORIGIN_OFFSET, POLICY_TAG};
use crate::poseidon::fr_from_tag;
use crate::shape::Shape;
use crate::statement::{
    PublicInputs, COMMIT_TAG, ID_TAG, NUM_PUBLIC_INPUTS, PACKED_POINT_BITS, POINTS_PER_GROUP,
    STATE_TAG,
};
use crate::witness::ChunkWitness;
use ark_bn254::Fr;
use ark_r1cs_std::{
    alloc::AllocVar, boolean::Boolean, eq::EqGadget, fields::fp::FpVar, fields::FieldVar,
};
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError};

/// Bits of a timestamp offset from the window start (`t < 2^47` ms).
pub const TIME_BITS: usize = 47;
/// Bits of the claimed distance quotient and duration.
pub const CLAIM_BITS: usize = 48;

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
    use ark_ff::Field;
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

/// The active flag of the first slot of the group that slot `i` closes.
fn actives_group_head(actives: &[Boolean<Fr>], current: &Boolean<Fr>, i: usize) -> Boolean<Fr> {
    let head = i + 1 - POINTS_PER_GROUP;
    actives
        .get(head)
        .cloned()
        .unwrap_or_else(|| current.clone())
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
        let cell_bits = g - s;
        let t_bits = sh.interval_bits as usize;
        let sb = sh.step_bits as usize;
        let h_bits = sh.area_bits as usize;

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
        meter.tick("public inputs");

        // ---- Policy: private parameters hashed to the public policy_id. ----
        let mut params = Vec::with_capacity(12);
        for j in 0..10 {
            params.push(witness(&cs, w, |w| w.params[j])?);
        }
        // grid_bits and region_shift are the shape's: a policy with others has another id.
        params.push(constant(u64::from(sh.grid_bits)));
        params.push(constant(u64::from(sh.region_shift)));
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
        let (nb, na, min_dt, max_dt, v2) = (
            params[0].clone(),
            params[1].clone(),
            params[2].clone(),
            params[3].clone(),
            params[4].clone(),
        );
        let (min_pts, min_dist, bp) = (params[5].clone(), params[6].clone(), params[7].clone());
        let olat = &params[8] - constant(ORIGIN_OFFSET as u64);
        let olon = &params[9] - constant(ORIGIN_OFFSET as u64);
        meter.tick("policy id");

        // ---- State in, and genesis for the first chunk. ----
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
            blind.clone(),
        ])?
        .enforce_equal(&state_in)?;
        for v in [&acc_in, &pts_in, &dist_in, &ins_in] {
            // is_first · v = 0: the first chunk starts from nothing
            enforce_zero_product(&first, v)?;
        }
        meter.tick("chain state in");

        // ---- Region working set: W pieces opened against the policy's root. ----
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
        let mut pieces: Vec<[FpVar<Fr>; 6]> = Vec::with_capacity(sh.pieces);
        for k in 0..sh.pieces {
            let mut coords = Vec::with_capacity(6);
            for j in 0..6 {
                let value = w.map(|w| {
                    let c = w.pieces[k].triangle.0[j / 2];
                    Fr::from(if j % 2 == 0 { c.0 } else { c.1 } as u64)
                });
                // c ∈ [0, 2^(G-s)): the packing below is injective
                coords.push(alloc_bits(cs.clone(), value, cell_bits)?.0);
            }
            let packed = coords
                .iter()
                .enumerate()
                .fold(FpVar::zero(), |acc, (j, c)| acc + c * pow2(32 * j as u32));
            let mut node = poseidon(&[packed])?;
            for (l, level) in levels.iter().enumerate() {
                let bit = bool_witness(&cs, w, |w| (w.pieces[k].index >> l) & 1 == 1)?;
                let sib = witness(&cs, w, |w| w.pieces[k].siblings[l])?;
                // left = node + bit·(sib - node); right = node + sib - left
                let left = &node + fp(&bit) * (&sib - &node);
                let right = &node + &sib - &left;
                let up = poseidon(&[left, right])?;
                // node' = node + ℓ_l·(up - node): levels past the depth pass through
                node = &node + fp(level) * (up - &node);
            }
            node.enforce_equal(&root)?;
            pieces.push(
                coords
                    .try_into()
                    .map_err(|_| SynthesisError::Unsatisfiable)?,
            );
        }
        meter.tick("region working set (Merkle)");

        // ---- Point slots. ----
        let n = sh.points;
        let mut actives: Vec<Boolean<Fr>> = Vec::with_capacity(n);
        let mut times: Vec<FpVar<Fr>> = Vec::with_capacity(n);
        let mut prev: Option<(FpVar<Fr>, FpVar<Fr>, FpVar<Fr>)> = None;
        let mut acc = acc_in.clone();
        let mut group: Vec<FpVar<Fr>> = Vec::with_capacity(POINTS_PER_GROUP);
        let mut pts = pts_in.clone();
        let mut dist = dist_in.clone();
        let mut ins = ins_in.clone();
        let mut t0 = FpVar::zero();
        let mut xy_last = (FpVar::zero(), FpVar::zero());
        let lat_off = constant(u64::from(crate::encode::MAX_LAT_E7.unsigned_abs()));
        let lon_off = constant(u64::from(crate::encode::MAX_LON_E7.unsigned_abs()));
        for i in 0..n {
            let slot = |w: &ChunkWitness| w.slots[i];
            let a = if i == 0 {
                Boolean::TRUE
            } else {
                let a = bool_witness(&cs, w, |w| slot(w).active)?;
                // a_i · (1 - a_{i-1}) = 0: padding only at the end
                enforce_zero_product(&fp(&a), &(FpVar::one() - fp(&actives[i - 1])))?;
                a
            };
            let fa = fp(&a);
            meter.tick("padding (active prefix)");
            // x, y ∈ [0, 2^G)
            let (x, xbits) = alloc_bits(cs.clone(), w.map(|w| Fr::from(slot(w).x)), g)?;
            let (y, ybits) = alloc_bits(cs.clone(), w.map(|w| Fr::from(slot(w).y)), g)?;
            let t = witness(&cs, w, |w| Fr::from(slot(w).t))?;
            meter.tick("grid (coordinate bits)");
            let (px, py, pt, gate) = match &prev {
                Some((px, py, pt)) => (px.clone(), py.clone(), pt.clone(), None),
                None => {
                    t0 = t.clone();
                    // Slot 0 continues the chain, or starts it from itself.
                    (
                        is_first.select(&x, &lx)?,
                        is_first.select(&y, &ly)?,
                        is_first.select(&t, &lt)?,
                        Some(FpVar::one() - &first),
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
            // D² = (kx·dx)² + (ky·dy)²; v2·dt² - D² ∈ [0, 2^(2·SB))
            let ex = &kx * (&x - &px);
            let ey = &ky * (&y - &py);
            let d2 = ex.square()? + ey.square()?;
            let slack = &v2 * dt.square()? - &d2;
            enforce_bits(&slack, 2 * sb)?;
            meter.tick("speed");
            // d ∈ [0, 2^SB); D² - d² ∈ [0, 2^(SB+1)): d ≤ D
            let (d, _) = alloc_bits(cs.clone(), w.map(|w| Fr::from(slot(w).d)), sb)?;
            enforce_bits(&(&d2 - d.square()?), sb + 1)?;
            // (1 - a)·d = 0: padding adds no distance
            enforce_zero_product(&(FpVar::one() - &fa), &d)?;
            dist += &d;
            meter.tick("distance");

            // Region: f ≤ a; Σ s_k = f; e_ab, e_bc, e_ca ∈ [0, 2^H) on the selected piece.
            let f = bool_witness(&cs, w, |w| slot(w).piece.is_some())?;
            let ff = fp(&f);
            enforce_zero_product(&ff, &(FpVar::one() - &fa))?;
            let mut sel_sum = FpVar::zero();
            let mut sel = [
                FpVar::zero(),
                FpVar::zero(),
                FpVar::zero(),
                FpVar::zero(),
                FpVar::zero(),
                FpVar::zero(),
            ];
            for (k, piece) in pieces.iter().enumerate() {
                let sk = bool_witness(&cs, w, |w| slot(w).piece == Some(k))?;
                let fsk = fp(&sk);
                sel_sum += &fsk;
                for (acc_j, c) in sel.iter_mut().zip(piece) {
                    // sel_j += s_k · piece_k,j
                    *acc_j += &fsk * c;
                }
            }
            sel_sum.enforce_equal(&ff)?;
            let cx = Boolean::le_bits_to_fp(&xbits[s..])?;
            let cy = Boolean::le_bits_to_fp(&ybits[s..])?;
            let [ax, ay, bx, by, qx, qy] = sel;
            for ((ux, uy), (vx, vy)) in [
                ((&ax, &ay), (&bx, &by)),
                ((&bx, &by), (&qx, &qy)),
                ((&qx, &qy), (&ax, &ay)),
            ] {
                // e = (v.x - u.x)·(c.y - u.y) - (v.y - u.y)·(c.x - u.x) ∈ [0, 2^H)
                let e = (vx - ux) * (&cy - uy) - (vy - uy) * (&cx - ux);
                enforce_bits(&e, h_bits)?;
            }
            ins += &ff;
            meter.tick("region (membership)");

            // Absorb: m = a · pack(p), two points per element, 16 points per Poseidon.
            let pack = (&y + &olat + &lat_off) + (&x + &olon + &lon_off) * pow2(31) + &t * pow2(63);
            let m = &fa * pack;
            if i % 2 == 0 {
                group.push(m);
            } else if let Some(lo) = group.pop() {
                group.push(lo + m * pow2(PACKED_POINT_BITS));
            }
            if group.len() == POINTS_PER_GROUP / 2 && i % 2 == 1 {
                let mut inputs = Vec::with_capacity(1 + group.len());
                inputs.push(acc.clone());
                inputs.append(&mut group);
                let h = poseidon(&inputs)?;
                // acc' = acc + a_g·(h - acc), a_g = first slot of the group active: a group
                // of padding only is not absorbed, so the id does not depend on the shape.
                let a_g = fp(&actives_group_head(&actives, &a, i));
                acc = &acc + a_g * (h - &acc);
            }
            meter.tick("hashing (absorb)");
            pts += &fa;
            xy_last = (x.clone(), y.clone());
            prev = Some((x, y, t.clone()));
            actives.push(a);
            times.push(t);
        }
        // Non-last chunks are full: (1 - is_last)·(1 - a_{N-1}) = 0
        enforce_zero_product(&not_last, &(FpVar::one() - fp(&actives[n - 1])))?;
        // Last active time: Σ (a_i - a_{i+1})·t_i
        let mut last_t = FpVar::zero();
        for i in 0..n {
            let next = actives.get(i + 1).map(fp).unwrap_or_else(FpVar::zero);
            last_t += (fp(&actives[i]) - next) * &times[i];
        }
        meter.tick("padding (active prefix)");
        // first_t' = first_t + is_first·(t_0 - first_t)
        let first_out = &first_in + &first * (&t0 - &first_in);
        // Window: t_0 - not_before ∈ [0, 2^47); is_last·(not_after - last_t) ∈ [0, 2^47)
        enforce_bits(&(&t0 - &nb), TIME_BITS)?;
        enforce_bits(&(&last * (&na - &last_t)), TIME_BITS)?;
        meter.tick("window");

        // ---- State out: the hash, or 0 for the last chunk. ----
        let (x_end, y_end) = xy_last;
        let t_end = times[n - 1].clone();
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
            blind.clone(),
        ])?;
        // state_out = (1 - is_last)·h_out
        (&not_last * &h_out).enforce_equal(&state_out)?;
        meter.tick("chain state out");

        // ---- Claims, thresholds, id and commitment (all 0 unless is_last). ----
        // claimed_points = is_last · points
        last.mul_equals(&pts, &claimed_points)?;
        // distance: Σd = q·2^20 + r, r ∈ [0, 2^20), q ∈ [0, 2^48)
        let dist_value = w.map(|w| w.state_out.distance_units);
        let (q, _) = alloc_bits(
            cs.clone(),
            dist_value.map(|v| Fr::from(v >> crate::projection::DISTANCE_FRAC_BITS)),
            CLAIM_BITS,
        )?;
        let (r, _) = alloc_bits(
            cs.clone(),
            dist_value.map(|v| Fr::from(v & ((1 << crate::projection::DISTANCE_FRAC_BITS) - 1))),
            crate::projection::DISTANCE_FRAC_BITS as usize,
        )?;
        enforce_zero_product(
            &last,
            &(&dist - &q * pow2(crate::projection::DISTANCE_FRAC_BITS) - &r),
        )?;
        last.mul_equals(&q, &claimed_distance)?;
        // duration: last_t - first_t = 1000·dur + rem, rem ∈ [0, 1000)
        let span = w.map(|w| {
            let lt = w
                .slots
                .iter()
                .rev()
                .find(|s| s.active)
                .map(|s| s.t)
                .unwrap_or(0);
            lt.saturating_sub(w.state_out.first_t)
        });
        let (dur, _) = alloc_bits(cs.clone(), span.map(|v| Fr::from(v / 1000)), CLAIM_BITS)?;
        let (rem, _) = alloc_bits(cs.clone(), span.map(|v| Fr::from(v % 1000)), 10)?;
        enforce_bits(&(constant(999u64) - &rem), 10)?;
        enforce_zero_product(
            &last,
            &(&last_t - &first_out - &dur * Fr::from(1000u64) - &rem),
        )?;
        last.mul_equals(&dur, &claimed_duration)?;
        // thresholds: points ≥ min_points, q ≥ min_distance, 10000·inside ≥ bp·points
        enforce_bits(&(&last * (&pts - &min_pts)), 32)?;
        enforce_bits(&(&last * (&q - &min_dist)), CLAIM_BITS)?;
        let share = &ins * Fr::from(10_000u64) - &bp * &pts;
        enforce_bits(&(&last * share), 64)?;
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
