//! The per-step rules in-circuit: the twins of [`crate::rules`]' interval and speed rules.

use crate::gadgets::range::{enforce_bits, enforce_product_bits};
use crate::policy::{INTERVAL_BITS, STEP_BITS};
use ark_bn254::Fr;
use ark_r1cs_std::fields::{fp::FpVar, FieldVar};
use ark_relations::gr1cs::SynthesisError;

/// `min_dt ≤ dt ≤ max_dt` (twin of the `increasing` and `interval` rules, `min_dt ≥ 1`):
/// `dt − min_dt, max_dt − dt ∈ [0, 2^16)`; both multiplied by `gate` when given (the first
/// slot of a trace, which has no step).
pub fn enforce_interval(
    dt: &FpVar<Fr>,
    min_dt: &FpVar<Fr>,
    max_dt: &FpVar<Fr>,
    gate: Option<&FpVar<Fr>>,
) -> Result<(), SynthesisError> {
    let lo = dt - min_dt;
    let hi = max_dt - dt;
    let t = INTERVAL_BITS as usize;
    match gate {
        None => {
            // dt − min_dt ∈ [0, 2^16), max_dt − dt ∈ [0, 2^16)
            enforce_bits(&lo, t)?;
            enforce_bits(&hi, t)?;
        }
        Some(g) => {
            // gate·(dt − min_dt), gate·(max_dt − dt) ∈ [0, 2^16)
            let zero = FpVar::zero();
            enforce_product_bits(g, &lo, &zero, t)?;
            enforce_product_bits(g, &hi, &zero, t)?;
        }
    }
    Ok(())
}

/// The speed rule and the counted step length (twin of [`crate::rules::speed_ok`] and
/// [`crate::rules::step_units`]), for a step length `d` already range-checked to
/// `[0, 2^29)`:
///
/// ```text
/// v·dt − d ∈ [0, 2^29)                 d ≤ v·dt
/// c·(D² − d²) ∈ [0, 2^30),  c·τ = 2^30  d ≤ D and D² − d² < τ
/// ```
///
/// Together: some such `d` exists exactly when `D² < (v·dt)² + τ`.
pub fn enforce_step(
    d: &FpVar<Fr>,
    v: &FpVar<Fr>,
    dt: &FpVar<Fr>,
    d2: &FpVar<Fr>,
    c: &FpVar<Fr>,
) -> Result<(), SynthesisError> {
    let sb = STEP_BITS as usize;
    // v·dt = d + Σ b_i 2^i: v·dt − d ∈ [0, 2^29)
    enforce_product_bits(v, dt, d, sb)?;
    // c·(D² − d²) ∈ [0, 2^30)
    let r = d2 - d.square()?;
    enforce_product_bits(c, &r, &FpVar::zero(), sb + 1)
}
