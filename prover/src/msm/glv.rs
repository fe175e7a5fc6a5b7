//! Fast GLV scalar decomposition with fixed-width integers.
//!
//! arkworks' `GLVConfig::scalar_decomposition` uses heap-allocated big integers (about a
//! microsecond per scalar). Here the lattice rounding `β = round(k·n/r)` is replaced by a
//! multiplication with a precomputed `g ≈ 2^256·n/r` and a shift, everything else is exact
//! 256-bit wrapping arithmetic. Any integers `β₁, β₂` give a valid decomposition
//! `k = k₁ + λ·k₂ (mod r)` because the rows of the reduced basis are lattice vectors
//! (`nᵢ₁ + λ·nᵢ₂ ≡ 0`); the approximate rounding only makes `|k₁|, |k₂|` at most one basis
//! vector larger than optimal. The MSM sizes its windows from the actual magnitudes, so the
//! bound never matters for correctness.

use ark_ec::scalar_mul::glv::GLVConfig;
use ark_ff::{BigInteger, PrimeField};
use num_bigint::{BigInt, BigUint, Sign};

/// A 256-bit unsigned integer, little-endian limbs.
pub(crate) type U256 = [u64; 4];

/// A signed 128-bit-magnitude constant.
#[derive(Clone, Copy, Debug)]
struct Signed128 {
    neg: bool,
    mag: u128,
}

/// Precomputed constants for one curve's decomposition.
#[derive(Clone, Debug)]
pub(crate) struct Decomposer {
    /// `[n11, n12, n21, n22]` of the reduced lattice basis.
    n: [Signed128; 4],
    /// `≈ 2^256·n22/r` and `≈ −2^256·n12/r`, as (sign, 192-bit magnitude).
    g: [(bool, [u64; 3]); 2],
}

fn to_biguint(limbs: &[u64]) -> BigUint {
    let mut bytes = Vec::with_capacity(limbs.len() * 8);
    for l in limbs {
        bytes.extend_from_slice(&l.to_le_bytes());
    }
    BigUint::from_bytes_le(&bytes)
}

fn to_limbs<const N: usize>(v: &BigUint) -> Option<[u64; N]> {
    let digits = v.to_u64_digits();
    if digits.len() > N {
        return None;
    }
    let mut out = [0u64; N];
    out[..digits.len()].copy_from_slice(&digits);
    Some(out)
}

impl Decomposer {
    /// The constants for `P`, or `None` if its basis does not fit the fixed widths used here
    /// (then the caller does without GLV).
    pub(crate) fn new<P: GLVConfig>() -> Option<Self> {
        let r = to_biguint(P::ScalarField::MODULUS.as_ref());
        if r.bits() > 256 {
            return None;
        }
        let mut n = [Signed128 { neg: false, mag: 0 }; 4];
        let mut big = Vec::with_capacity(4);
        for (slot, (plus, v)) in n.iter_mut().zip(P::SCALAR_DECOMP_COEFFS.iter()) {
            let mag = to_biguint(v.as_ref());
            let limbs: [u64; 2] = to_limbs(&mag)?;
            *slot = Signed128 {
                neg: !*plus,
                mag: (limbs[0] as u128) | ((limbs[1] as u128) << 64),
            };
            let sign = if *plus { Sign::Plus } else { Sign::Minus };
            big.push(BigInt::from_biguint(sign, mag));
        }
        let rb = BigInt::from_biguint(Sign::Plus, r);
        let shift = BigInt::from(1u8) << 256u32;
        let approx = |num: BigInt| -> Option<(bool, [u64; 3])> {
            // round(2^256 · num / r), sign kept apart
            let neg = num.sign() == Sign::Minus;
            let mag = (num.magnitude() * shift.magnitude() + rb.magnitude() / 2u8) / rb.magnitude();
            Some((neg, to_limbs(&mag)?))
        };
        let g = [approx(big[3].clone())?, approx(-big[1].clone())?];
        Some(Self { n, g })
    }

    /// Splits `k < r` into `(neg₁, |k₁|), (neg₂, |k₂|)` with `k ≡ k₁ + λ·k₂ (mod r)`.
    #[inline]
    pub(crate) fn decompose(&self, k: &U256) -> ((bool, U256), (bool, U256)) {
        let beta = |(neg, g): &(bool, [u64; 3])| -> Signed128 {
            let prod = mul_4x3(k, g);
            Signed128 {
                neg: *neg,
                mag: (prod[4] as u128) | ((prod[5] as u128) << 64),
            }
        };
        let b1 = beta(&self.g[0]);
        let b2 = beta(&self.g[1]);
        let [n11, n12, n21, n22] = self.n;
        // k1 = k − (β1·n11 + β2·n21), k2 = −(β1·n12 + β2·n22), wrapping mod 2^256: the true
        // values are far below 2^255 in magnitude, so two's complement recovers them exactly.
        let t1 = add(&smul(b1, n11), &smul(b2, n21));
        let t2 = add(&smul(b1, n12), &smul(b2, n22));
        let k1 = sub(k, &t1);
        let k2 = neg(&t2);
        (abs(&k1), abs(&k2))
    }
}

#[inline(always)]
fn mac(a: u64, b: u64, c: u64, carry: u64) -> (u64, u64) {
    let t = (a as u128) * (b as u128) + (c as u128) + (carry as u128);
    (t as u64, (t >> 64) as u64)
}

/// Full 448-bit product of a 256-bit and a 192-bit integer (only limbs 0..6 are needed).
#[inline]
fn mul_4x3(a: &U256, b: &[u64; 3]) -> [u64; 7] {
    let mut out = [0u64; 7];
    for (i, &ai) in a.iter().enumerate() {
        let mut carry = 0;
        for (j, &bj) in b.iter().enumerate() {
            let (lo, hi) = mac(ai, bj, out[i + j], carry);
            out[i + j] = lo;
            carry = hi;
        }
        out[i + 3] = carry;
    }
    out
}

/// Signed 128×128-bit product as a wrapping 256-bit two's complement value.
#[inline]
fn smul(a: Signed128, b: Signed128) -> U256 {
    let (a0, a1) = (a.mag as u64, (a.mag >> 64) as u64);
    let (b0, b1) = (b.mag as u64, (b.mag >> 64) as u64);
    let mut out = [0u64; 4];
    let (l, c) = mac(a0, b0, 0, 0);
    out[0] = l;
    let (l, c2) = mac(a0, b1, c, 0);
    out[1] = l;
    out[2] = c2;
    let (l, c) = mac(a1, b0, out[1], 0);
    out[1] = l;
    let (l, c) = mac(a1, b1, out[2], c);
    out[2] = l;
    out[3] = c;
    if a.neg != b.neg {
        neg(&out)
    } else {
        out
    }
}

#[inline]
fn add(a: &U256, b: &U256) -> U256 {
    let mut out = [0u64; 4];
    let mut carry = false;
    for i in 0..4 {
        let (s, c1) = a[i].overflowing_add(b[i]);
        let (s, c2) = s.overflowing_add(carry as u64);
        out[i] = s;
        carry = c1 | c2;
    }
    out
}

#[inline]
fn sub(a: &U256, b: &U256) -> U256 {
    let mut out = [0u64; 4];
    let mut borrow = false;
    for i in 0..4 {
        let (s, b1) = a[i].overflowing_sub(b[i]);
        let (s, b2) = s.overflowing_sub(borrow as u64);
        out[i] = s;
        borrow = b1 | b2;
    }
    out
}

#[inline]
fn neg(a: &U256) -> U256 {
    sub(&[0; 4], a)
}

/// `(is_negative, |a|)` of a two's complement value.
#[inline]
fn abs(a: &U256) -> (bool, U256) {
    if a[3] >> 63 == 1 {
        (true, neg(a))
    } else {
        (false, *a)
    }
}

/// Bit length of `a`.
#[inline]
pub(crate) fn num_bits(a: &U256) -> u32 {
    for i in (0..4).rev() {
        if a[i] != 0 {
            return 64 * i as u32 + 64 - a[i].leading_zeros();
        }
    }
    0
}

/// `a + b` (the caller guarantees no overflow).
#[inline]
pub(crate) fn add_u256(a: &U256, b: &U256) -> U256 {
    add(a, b)
}

/// `a − b` (the caller guarantees `a ≥ b`).
#[inline]
pub(crate) fn sub_u256(a: &U256, b: &U256) -> U256 {
    sub(a, b)
}

/// The limbs of a scalar field element's canonical integer, widened to 256 bits.
#[inline]
pub(crate) fn to_u256<F: PrimeField>(f: &F) -> U256 {
    let b = f.into_bigint();
    let limbs = b.as_ref();
    let mut out = [0u64; 4];
    out[..limbs.len()].copy_from_slice(limbs);
    out
}

/// The modulus of `F` as 256 bits.
pub(crate) fn modulus_u256<F: PrimeField>() -> U256 {
    let m = F::MODULUS;
    let limbs = m.as_ref();
    let mut out = [0u64; 4];
    out[..limbs.len()].copy_from_slice(limbs);
    out
}

/// Whether `F` fits the 256-bit integers used by the MSM.
pub(crate) fn fits_u256<F: PrimeField>() -> bool {
    F::MODULUS.as_ref().len() <= 4 && F::MODULUS.num_bits() <= 255
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_bn254::{Fr, G1Affine};
    use ark_ec::{AffineRepr, CurveGroup};
    use ark_ff::{AdditiveGroup, Field, UniformRand};
    use rand::{rngs::StdRng, SeedableRng};

    fn from_u256(neg: bool, v: &U256) -> Fr {
        let f = Fr::from_bigint(ark_ff::BigInt::new(*v)).unwrap();
        if neg {
            -f
        } else {
            f
        }
    }

    fn check<P: GLVConfig<ScalarField = Fr>>(d: &Decomposer, k: Fr) -> u32 {
        let ((n1, k1), (n2, k2)) = d.decompose(&to_u256(&k));
        assert_eq!(from_u256(n1, &k1) + P::LAMBDA * from_u256(n2, &k2), k);
        num_bits(&k1).max(num_bits(&k2))
    }

    #[test]
    fn decomposition_is_exact_and_short() {
        let d1 = Decomposer::new::<ark_bn254::g1::Config>().unwrap();
        let d2 = Decomposer::new::<ark_bn254::g2::Config>().unwrap();
        let mut rng = StdRng::seed_from_u64(7);
        let mut edge = vec![
            Fr::ZERO,
            Fr::ONE,
            -Fr::ONE,
            Fr::from(u64::MAX),
            -Fr::from(u64::MAX),
            ark_bn254::g1::Config::LAMBDA,
            -ark_bn254::g1::Config::LAMBDA,
            ark_bn254::g2::Config::LAMBDA,
            Fr::from(2u64).pow([253]),
            Fr::from(2u64).pow([128]),
            Fr::from(2u64).pow([127]) - Fr::ONE,
        ];
        for _ in 0..2000 {
            edge.push(Fr::rand(&mut rng));
        }
        for k in edge {
            assert!(check::<ark_bn254::g1::Config>(&d1, k) <= 128);
            assert!(check::<ark_bn254::g2::Config>(&d2, k) <= 128);
        }
    }

    #[test]
    fn endomorphism_matches_lambda() {
        let g = G1Affine::generator();
        let phi = <ark_bn254::g1::Config as GLVConfig>::endomorphism_affine(&g);
        assert_eq!(phi, (g * ark_bn254::g1::Config::LAMBDA).into_affine());
        let g2 = ark_bn254::G2Affine::generator();
        let phi2 = <ark_bn254::g2::Config as GLVConfig>::endomorphism_affine(&g2);
        assert_eq!(phi2, (g2 * ark_bn254::g2::Config::LAMBDA).into_affine());
    }
}
