//! Range checks by bit decomposition: the in-circuit twin of [`crate::range`].

use crate::range::low_bits;
use ark_bn254::Fr;
use ark_r1cs_std::{
    alloc::AllocVar, boolean::Boolean, eq::EqGadget, fields::fp::FpVar, fields::FieldVar, GR1CSVar,
};
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};

/// Allocates a fresh `n`-bit value from its bits: `v = Σ b_i·2^i`, `b_i ∈ {0,1}`.
///
/// `n` constraints (one booleanity constraint per bit); `v` itself is a linear combination.
/// `value` is `None` in setup mode.
pub fn alloc_bits(
    cs: ConstraintSystemRef<Fr>,
    value: Option<Fr>,
    n: usize,
) -> Result<(FpVar<Fr>, Vec<Boolean<Fr>>), SynthesisError> {
    let bits_value = value.map(|v| low_bits(&v, n));
    let bits = (0..n)
        .map(|i| {
            // b_i·(1 - b_i) = 0
            Boolean::new_witness(cs.clone(), || {
                bits_value
                    .as_ref()
                    .map(|b| b[i])
                    .ok_or(SynthesisError::AssignmentMissing)
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let v = if n == 0 {
        FpVar::Constant(Fr::from(0u64))
    } else {
        Boolean::le_bits_to_fp(&bits)?
    };
    Ok((v, bits))
}

/// Enforces `0 <= x < 2^n` and returns the bits of `x` (little-endian).
///
/// `n + 1` constraints for a variable `x` (`n` booleanity constraints and
/// `x = Σ b_i·2^i`); none for a constant, which is checked at synthesis time and yields
/// [`SynthesisError::Unsatisfiable`] when out of range.
pub fn enforce_bits(x: &FpVar<Fr>, n: usize) -> Result<Vec<Boolean<Fr>>, SynthesisError> {
    if let FpVar::Constant(c) = x {
        if !crate::range::fits_bits(c, n as u32) {
            return Err(SynthesisError::Unsatisfiable);
        }
        return Ok(low_bits(c, n).into_iter().map(Boolean::constant).collect());
    }
    let cs = x.cs();
    let value = if cs.is_in_setup_mode() {
        None
    } else {
        Some(x.value()?)
    };
    let (v, bits) = alloc_bits(cs, value, n)?;
    // x = Σ b_i·2^i
    v.enforce_equal(x)?;
    Ok(bits)
}

/// Enforces `0 <= a·b - c < 2^n` (the product computed in the field, then range-checked).
///
/// `n + 1` constraints when `a` and `b` are both variables (`n` booleanity constraints and
/// `a·b = c + Σ b_i·2^i`, the product and the recomposition in one); `n + 1` as well when one
/// factor is constant (then `a·b - c` is linear and goes through [`enforce_bits`]).
pub fn enforce_product_bits(
    a: &FpVar<Fr>,
    b: &FpVar<Fr>,
    c: &FpVar<Fr>,
    n: usize,
) -> Result<(), SynthesisError> {
    if a.is_constant() || b.is_constant() {
        enforce_bits(&(a * b - c), n)?;
        return Ok(());
    }
    let cs = a.cs().or(b.cs()).or(c.cs());
    let value = if cs.is_in_setup_mode() {
        None
    } else {
        Some(a.value()? * b.value()? - c.value()?)
    };
    let (bits, _) = alloc_bits(cs, value, n)?;
    // a·b = c + Σ b_i·2^i
    a.mul_equals(b, &(c + bits))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::range::{fits_bits, fr_from_i128};
    use ark_r1cs_std::alloc::AllocationMode;
    use ark_relations::gr1cs::ConstraintSystem;

    const MODES: [AllocationMode; 3] = [
        AllocationMode::Constant,
        AllocationMode::Input,
        AllocationMode::Witness,
    ];

    /// Gadget and native agree on edge values in every allocation mode.
    #[test]
    fn agrees_with_native_on_edges() {
        let n = 16usize;
        let values = [
            0i128,
            1,
            (1 << n) - 1,
            1 << n,
            (1 << n) + 1,
            -1,
            -(1 << n),
            1 << 100,
        ];
        for mode in MODES {
            for v in values {
                let f = fr_from_i128(v);
                let cs = ConstraintSystem::<Fr>::new_ref();
                let x = FpVar::new_variable(cs.clone(), || Ok(f), mode).unwrap();
                let native = fits_bits(&f, n as u32);
                match enforce_bits(&x, n) {
                    Ok(bits) => {
                        assert_eq!(cs.is_satisfied().unwrap(), native, "{mode:?} {v}");
                        if native {
                            let back: u128 = bits
                                .iter()
                                .enumerate()
                                .map(|(i, b)| u128::from(b.value().unwrap()) << i)
                                .sum();
                            assert_eq!(back as i128, v);
                        }
                        if mode != AllocationMode::Constant {
                            assert_eq!(cs.num_constraints(), n + 1);
                        }
                    }
                    Err(SynthesisError::Unsatisfiable) => {
                        assert_eq!(mode, AllocationMode::Constant);
                        assert!(!native);
                    }
                    Err(e) => panic!("{e}"),
                }
            }
        }
    }

    /// The product check agrees with its native twin (`fits_bits(a·b - c)`) on edge values,
    /// including wrap-around attempts near the modulus, in every allocation mode.
    #[test]
    fn product_bits_agree_with_native() {
        let n = 20usize;
        let edge = [0i128, 1, 2, (1 << n) - 1, 1 << n, -1, -(1 << n), 1 << 60];
        for ma in MODES {
            for mb in MODES {
                for &a in &edge {
                    for &b in &[1i128, 3, -1] {
                        for &c in &[0i128, 5] {
                            let (fa, fb, fc) = (fr_from_i128(a), fr_from_i128(b), fr_from_i128(c));
                            let native = fits_bits(&(fa * fb - fc), n as u32);
                            let cs = ConstraintSystem::<Fr>::new_ref();
                            let va = FpVar::new_variable(cs.clone(), || Ok(fa), ma).unwrap();
                            let vb = FpVar::new_variable(cs.clone(), || Ok(fb), mb).unwrap();
                            let vc = FpVar::new_witness(cs.clone(), || Ok(fc)).unwrap();
                            match enforce_product_bits(&va, &vb, &vc, n) {
                                Ok(()) => {
                                    assert_eq!(
                                        cs.is_satisfied().unwrap(),
                                        native,
                                        "{ma:?} {mb:?} {a}·{b} - {c}"
                                    );
                                    assert_eq!(cs.num_constraints(), n + 1);
                                }
                                Err(e) => panic!("{e}"),
                            }
                        }
                    }
                }
            }
        }
    }

    /// A tampered bit breaks the recomposition constraint.
    #[test]
    fn tampered_decomposition_is_caught() {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let x = FpVar::new_witness(cs.clone(), || Ok(Fr::from(40u64))).unwrap();
        let (v, _) = alloc_bits(cs.clone(), Some(Fr::from(41u64)), 8).unwrap();
        v.enforce_equal(&x).unwrap();
        assert!(!cs.is_satisfied().unwrap());
    }

    #[test]
    fn setup_mode_allocates_without_values() {
        let cs = ConstraintSystem::<Fr>::new_ref();
        cs.set_mode(ark_relations::gr1cs::SynthesisMode::Setup);
        let x = FpVar::new_witness(cs.clone(), || Ok(Fr::from(3u64))).unwrap();
        enforce_bits(&x, 10).unwrap();
        assert_eq!(cs.num_constraints(), 11);
    }
}
