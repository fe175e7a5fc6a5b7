//! The point slots (the rules per point), the absorption of full groups, and the last chunk's
//! claims: the parts of [`TraceCircuit`](super::TraceCircuit)'s synthesis that run per point or
//! close the chunk.

use super::layout::Meter;
use super::{
    constant, enforce_zero_product, fp, pow2, Ctx, Inputs, PolicyVars, Prev, SlotVars, Totals,
    CLAIM_BITS, MAX_CARRIED, SHARE_BITS,
};
use crate::gadgets::poseidon::poseidon;
use crate::gadgets::projection::step_factors;
use crate::gadgets::range::{alloc_bits, enforce_bits, enforce_product_bits};
use crate::gadgets::region::ItemVar;
use crate::gadgets::rules::{enforce_interval, enforce_step};
use crate::gadgets::statement::{group_elements, pack_step};
use crate::gadgets::window::{PointVar, WindowVar};
use crate::policy::STEP_BITS;
use crate::poseidon::fr_from_tag;
use crate::statement::{COMMIT_TAG, ID_TAG, POINTS_PER_GROUP};
use crate::witness::ChunkWitness;
use ark_bn254::Fr;
use ark_r1cs_std::{boolean::Boolean, fields::fp::FpVar, fields::FieldVar};
use ark_relations::gr1cs::SynthesisError;

/// What the point slots read besides the witness: the policy, the window, the opened item, the
/// carried prefix and the predecessor (`z`: slot 0 is the trace's first point; `ly`, `lu`, `lt`:
/// the chain state's last point, east index unwrapped).
pub(super) struct PointEnv<'e> {
    pub(super) pol: &'e PolicyVars,
    pub(super) win: &'e WindowVar,
    pub(super) item: &'e ItemVar,
    pub(super) carried: &'e [Boolean<Fr>],
    pub(super) z: FpVar<Fr>,
    pub(super) ly: FpVar<Fr>,
    pub(super) lu: FpVar<Fr>,
    pub(super) lt: FpVar<Fr>,
}

/// The point slots' results: each slot's variables, the carried slots' packed steps, the
/// totals.
pub(super) struct Points {
    pub(super) slots: Vec<SlotVars>,
    pub(super) packs_carried: Vec<FpVar<Fr>>,
    pub(super) tot: Totals,
}

/// The absorbed groups: the accumulator, the partial group's elements (masked) and whether
/// there is one, and the last point of the last full group.
pub(super) struct Groups {
    pub(super) acc: FpVar<Fr>,
    pub(super) masked: Vec<FpVar<Fr>>,
    pub(super) has_partial: FpVar<Fr>,
    pub(super) y_full: FpVar<Fr>,
    pub(super) x_full: FpVar<Fr>,
    pub(super) t_full: FpVar<Fr>,
}

/// What the last chunk's claims are computed from.
pub(super) struct ChunkEnd {
    pub(super) tot: Totals,
    pub(super) acc: FpVar<Fr>,
    /// `point(first)` of the trace.
    pub(super) first: FpVar<Fr>,
    /// The last active slot's time.
    pub(super) last_t: FpVar<Fr>,
    pub(super) blinding: FpVar<Fr>,
}

impl Ctx<'_> {
    /// The point slots, one after another: padding, carry, coordinates, time, projection,
    /// speed, distance, region membership and the absorbed value of each (the twin of
    /// [`crate::rules`] per step). Returns the slots, the carried slots' packed steps and the
    /// totals.
    pub(super) fn points(
        &self,
        env: &PointEnv<'_>,
        mut tot: Totals,
        meter: &mut Meter,
    ) -> Result<Points, SynthesisError> {
        let ctx = self;
        let (cs, w, n) = (self.cs.clone(), self.w, self.shape.points);
        let PointEnv {
            pol,
            win,
            item,
            carried,
            ..
        } = *env;
        let (z, ly, lu, lt) = (
            env.z.clone(),
            env.ly.clone(),
            env.lu.clone(),
            env.lt.clone(),
        );
        let mut slots: Vec<SlotVars> = Vec::with_capacity(n);
        let mut packs_carried: Vec<FpVar<Fr>> = Vec::with_capacity(MAX_CARRIED);
        let mut prev: Option<Prev> = None;
        for i in 0..n {
            let slot = |w: &ChunkWitness| w.slots[i];
            let a = if i == 0 {
                FpVar::one()
            } else {
                let a = fp(&ctx.bool(|w| slot(w).active)?);
                // a_i · (1 − a_{i-1}) = 0: padding only at the end
                enforce_zero_product(&a, &(FpVar::one() - &slots[i - 1].active))?;
                a
            };
            meter.tick("padding (active prefix)");
            let new = match carried.get(i) {
                Some(ci) => {
                    let ci = fp(ci);
                    if i > 0 {
                        // c_i · (1 − a_i) = 0: carried slots are points
                        enforce_zero_product(&ci, &(FpVar::one() - &a))?;
                    }
                    &a - ci
                }
                None => a.clone(),
            };
            meter.tick("carry");
            let pt: PointVar = win.point(
                &cs,
                w.map(|w| {
                    let (oy, ox, _) = w.window.raw_offsets(&slot(w).point);
                    (oy, ox)
                }),
            )?;
            let t = ctx.witness(|w| Fr::from(slot(w).point.t_ms))?;
            meter.tick("coordinates (window offsets)");
            let (p, gate) = match &prev {
                Some(p) => (p.clone(), None),
                None => {
                    // Slot 0 follows the state's last point, or itself when it is the trace's
                    // first point: p = last + z·(point − last)
                    let py = &ly + &z * (&pt.y - &ly);
                    let pu = &lu + &z * (&pt.u - &lu);
                    let pt_t = &lt + &z * (&t - &lt);
                    // The predecessor lies in the window.
                    let band = win.enforce_contains(&py, &pu)?;
                    meter.tick("chain state in");
                    (
                        Prev {
                            y: py,
                            u: pu,
                            t: pt_t,
                            band,
                        },
                        Some(FpVar::one() - &z),
                    )
                }
            };
            let dy = &pt.y - &p.y;
            let du = &pt.u - &p.u;
            let dt = &t - &p.t;
            // min_dt ≤ dt ≤ max_dt (gated off for the trace's first point)
            enforce_interval(&dt, &pol.min_dt, &pol.max_dt, gate.as_ref())?;
            meter.tick("time (order, interval)");
            let (kx, ky) = step_factors(win, &p.band, &pt.band);
            // D² = (kx·du)² + (ky·dy)²
            let ex = kx * &du;
            let ey = ky * &dy;
            let d2 = ex.square()? + ey.square()?;
            meter.tick("projection");
            // d ∈ [0, 2^29)
            let (d, _) = alloc_bits(
                cs.clone(),
                w.map(|w| Fr::from(slot(w).d)),
                STEP_BITS as usize,
            )?;
            enforce_step(&d, &pol.speed, &dt, &d2, &pol.tolerance_scale)?;
            meter.tick("speed");
            // distance += n_i·d: carried points were counted before, padding never is
            tot.distance += &new * &d;
            meter.tick("distance");
            // Region: f ≤ n_i; the cell lies in the chunk's item when f = 1.
            let f = fp(&ctx.bool(|w| slot(w).counted)?);
            // f · (1 − n_i) = 0
            enforce_zero_product(&f, &(FpVar::one() - &new))?;
            item.enforce_contains_if(&f, &pt.cell)?;
            tot.inside += &f;
            meter.tick("region (membership)");
            // Absorbed value: m = a · pack(dy, du, dt).
            let pack = pack_step(&dy, &du, &dt);
            if let Some(ci) = carried.get(i) {
                packs_carried.push(fp(ci) * &pack);
            }
            let absorbed = &a * pack;
            meter.tick("hashing (absorb)");
            tot.points += &new;
            prev = Some(Prev {
                y: pt.y.clone(),
                u: pt.u.clone(),
                t: t.clone(),
                band: pt.band.clone(),
            });
            slots.push(SlotVars {
                active: a,
                t,
                y: pt.y,
                x: pt.x,
                absorbed,
            });
        }
        Ok(Points {
            slots,
            packs_carried,
            tot,
        })
    }

    /// Absorbs the full groups of 33 slots into the accumulator `acc` (and the last chunk's
    /// trailing partial group); keeps the partial group's elements for `pending` (the twin of
    /// [`crate::statement::accumulate`]).
    pub(super) fn absorb_groups(
        &self,
        io: &Inputs,
        slots: &[SlotVars],
        acc: FpVar<Fr>,
    ) -> Result<Groups, SynthesisError> {
        let n = self.shape.points;
        let groups = n / POINTS_PER_GROUP;
        let mut acc = acc;
        let mut masked = vec![FpVar::zero(); crate::statement::ELEMENTS_PER_GROUP];
        let mut has_partial = FpVar::zero();
        let (mut y_full, mut x_full, mut t_full) = (FpVar::zero(), FpVar::zero(), FpVar::zero());
        for gi in 0..groups {
            let head = gi * POINTS_PER_GROUP;
            let tail = head + POINTS_PER_GROUP - 1;
            let packs: Vec<FpVar<Fr>> = slots[head..=tail]
                .iter()
                .map(|s| s.absorbed.clone())
                .collect();
            let elems = group_elements(&packs);
            let mut inputs = Vec::with_capacity(1 + elems.len());
            inputs.push(acc.clone());
            inputs.extend(elems.iter().cloned());
            let h = poseidon(&inputs)?;
            // partial = a_head − a_tail; abs = a_tail + is_last·partial
            let partial = &slots[head].active - &slots[tail].active;
            let abs = &slots[tail].active + &io.last * &partial;
            // acc' = acc + abs·(h − acc)
            acc = &acc + abs * (h - &acc);
            for (m, e) in masked.iter_mut().zip(&elems) {
                // masked += partial·element: the elements of the (only) partial group
                *m += &partial * e;
            }
            has_partial += &partial;
            // end = a_tail − a_next_tail: 1 for the last full group
            let next = if gi + 1 < groups {
                slots[tail + POINTS_PER_GROUP].active.clone()
            } else {
                FpVar::zero()
            };
            let end = &slots[tail].active - next;
            y_full += &end * &slots[tail].y;
            x_full += &end * &slots[tail].x;
            t_full += &end * &slots[tail].t;
        }
        Ok(Groups {
            acc,
            masked,
            has_partial,
            y_full,
            x_full,
            t_full,
        })
    }

    /// When `is_last`: the claims (points, whole metres, whole seconds), the policy's
    /// thresholds, the contribution id and the commitment; all 0 otherwise.
    pub(super) fn claims(
        &self,
        io: &Inputs,
        pol: &PolicyVars,
        end: ChunkEnd,
        meter: &mut Meter,
    ) -> Result<(), SynthesisError> {
        let ctx = self;
        let (cs, w) = (self.cs.clone(), self.w);
        let zero = FpVar::zero();
        let ChunkEnd {
            tot,
            acc,
            first: first_out,
            last_t,
            blinding,
        } = end;
        let last = &io.last;
        // claimed_points = is_last · points
        last.mul_equals(&tot.points, &io.claimed_points)?;
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
        // is_last·(Σd − q·2^18 − r) = 0
        enforce_zero_product(last, &(&tot.distance - &q * pow2(frac) - &r))?;
        last.mul_equals(&q, &io.claimed_distance)?;
        // duration: last_t − first_t = 1000·dur + rem, rem ∈ [0, 1000)
        let span = w.map(|w| {
            w.last_active_t()
                .saturating_sub(w.state_out.first.map(|p| p.t_ms).unwrap_or(0))
        });
        let (dur, _) = alloc_bits(cs.clone(), span.map(|v| Fr::from(v / 1000)), CLAIM_BITS)?;
        let (rem, _) = alloc_bits(cs.clone(), span.map(|v| Fr::from(v % 1000)), 10)?;
        // 999 − rem ∈ [0, 2^10)
        enforce_bits(&(constant(999u64) - &rem), 10)?;
        // first_t is the top field of point(first): first = y + 2^31·x + 2^63·t, y, x < 2^32
        let (first_t, first_low) = {
            let ft = ctx.witness(|w| Fr::from(w.state_out.first.map(|p| p.t_ms).unwrap_or(0)))?;
            let (low, _) = alloc_bits(
                cs.clone(),
                w.map(|w| {
                    Fr::from(
                        w.state_out
                            .first
                            .as_ref()
                            .map(crate::statement::pack_point_u128)
                            .unwrap_or(0)
                            & ((1u128 << 63) - 1),
                    )
                }),
                63,
            )?;
            (ft, low)
        };
        // is_last·(point(first) − low − 2^63·first_t) = 0
        enforce_zero_product(last, &(&first_out - &first_low - &first_t * pow2(63)))?;
        // is_last·(last_t − first_t − 1000·dur − rem) = 0
        enforce_zero_product(
            last,
            &(&last_t - &first_t - &dur * Fr::from(1000u64) - &rem),
        )?;
        last.mul_equals(&dur, &io.claimed_duration)?;
        // thresholds: points ≥ min_points, q ≥ min_distance, 10000·inside ≥ bp·points
        enforce_product_bits(last, &(&tot.points - &pol.min_points), &zero, CLAIM_BITS)?;
        enforce_product_bits(last, &(&q - &pol.min_distance), &zero, CLAIM_BITS)?;
        let share = &tot.inside * Fr::from(10_000u64) - &pol.inside_bp * &tot.points;
        enforce_product_bits(last, &share, &zero, SHARE_BITS)?;
        meter.tick("claims and thresholds");
        // contribution_id = Poseidon(ID_TAG, acc, points, point(first));
        // commitment = Poseidon(COMMIT_TAG, id, r)
        let id = poseidon(&[constant(fr_from_tag(ID_TAG)), acc, tot.points, first_out])?;
        let com = poseidon(&[constant(fr_from_tag(COMMIT_TAG)), id.clone(), blinding])?;
        last.mul_equals(&id, &io.contribution_id)?;
        last.mul_equals(&com, &io.commitment)?;
        meter.tick("id and commitment");
        Ok(())
    }
}
