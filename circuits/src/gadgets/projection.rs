//! A step's distance factors in-circuit: the twin of [`crate::projection::Projection::for_step`].

use crate::gadgets::window::WindowVar;
use ark_bn254::Fr;
use ark_r1cs_std::{boolean::Boolean, fields::fp::FpVar};

/// `(kx, ky)` of a step between points in window bands `a` and `b` (bits: 0 = the window's
/// lower band `q`, 1 = `q + 1`): `min` over the two bands of each factor.
///
/// ```text
/// s_and = a·b,  s_xor = a + b − 2·s_and
/// k = K[q] + (K[q+1] − K[q])·s_and + (min(K[q], K[q+1]) − K[q])·s_xor
/// ```
///
/// 5 constraints (`a·b` and one product per term and factor).
pub fn step_factors(w: &WindowVar, a: &Boolean<Fr>, b: &Boolean<Fr>) -> (FpVar<Fr>, FpVar<Fr>) {
    let s_and = FpVar::from(a.clone()) * FpVar::from(b.clone());
    let s_xor = FpVar::from(a.clone()) + FpVar::from(b.clone()) - &s_and * Fr::from(2u64);
    let factor = |k: &[FpVar<Fr>; 3]| &k[0] + &k[1] * &s_and + &k[2] * &s_xor;
    (factor(&w.kx), factor(&w.ky))
}
