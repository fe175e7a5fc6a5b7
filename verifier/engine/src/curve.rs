//! Curve arithmetic the verifier does itself instead of arkworks' defaults, each because it was
//! measured to matter (docs/verification-costs.md):
//!
//! - [`is_in_g2`]: the G2 subgroup check with one 63-bit scalar multiplication instead of a
//!   127-bit one;
//! - [`FixedBase`]: precomputed tables for the verifying key's IC points, so the public-input
//!   term `IC_0 + Σ x_j·IC_j` costs additions only;
//! - [`mul_glv_all`]: the batch's `z·A` with 64-bit GLV halves.
//!
//! The Miller loops are in `lines.rs`.

use alloc::vec::Vec;

use ark_bn254::{Config, Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::bn::BnConfig;
use ark_ec::scalar_mul::glv::GLVConfig;
use ark_ec::{AdditiveGroup, AffineRepr, CurveGroup};
use ark_ff::{BigInteger, PrimeField};

/// `ψ`, the untwist-Frobenius-twist endomorphism of the G2 curve, on Jacobian coordinates:
/// `(x, y) ↦ (x̄·c_x, ȳ·c_y)` with `x̄` the conjugate in `Fq2` (the `p`-power Frobenius).
fn psi(p: &G2Projective) -> G2Projective {
    let mut x = p.x;
    x.conjugate_in_place();
    x *= Config::TWIST_MUL_BY_Q_X;
    let mut y = p.y;
    y.conjugate_in_place();
    y *= Config::TWIST_MUL_BY_Q_Y;
    let mut z = p.z;
    z.conjugate_in_place();
    // Conjugation is a field automorphism, so X/Z², Y/Z³ map to the affine images.
    G2Projective::new_unchecked(x, y, z)
}

/// Whether a point already known to be on the G2 curve lies in the order-`r` subgroup.
///
/// Dai, Lin, Zhao, Zhou, "Fast subgroup membership testing for G1, G2 and GT on
/// pairing-friendly curves" (eprint 2022/348): for BN curves whose seed `x` satisfies
/// `x ≢ 4 (mod 13)` and `x ≢ 92 (mod 97)` — BN254's does — a point `P` is in G2 iff
/// `[x+1]P + ψ([x]P) + ψ²([x]P) = ψ³([2x]P)`. That is one multiplication by the 63-bit seed,
/// where arkworks' check (`ψ(P) = [6x²]P`) multiplies by a 127-bit scalar. The tests compare
/// both checks on points in and out of the subgroup.
pub fn is_in_g2(p: &G2Affine) -> bool {
    let t = p.mul_bigint(Config::X);
    let psi_t = psi(&t);
    let lhs = t + p + psi_t + psi(&psi_t);
    let rhs = psi(&psi(&psi(&t.double())));
    lhs == rhs
}

/// Bits per window of a [`FixedBase`] table.
const WINDOW: usize = 6;
/// Windows of a 254-bit scalar.
const WINDOWS: usize = (Fr::MODULUS_BIT_SIZE as usize).div_ceil(WINDOW);
/// Table entries per window (the digit 0 needs none).
const ENTRIES: usize = (1 << WINDOW) - 1;

/// Fixed-base tables for `Σ s_j·B_j` over fixed points `B_j`: entry `(j, k, d)` holds
/// `d·2^(6k)·B_j`, so a sum costs one mixed addition per nonzero 6-bit digit and no doublings.
///
/// Memory: `43 × 63` affine points per base, about 190 KiB; 2.1 MiB for the 11 public inputs
/// of a chunk key.
#[derive(Clone)]
pub struct FixedBase {
    table: Vec<G1Affine>,
    bases: usize,
}

impl core::fmt::Debug for FixedBase {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("FixedBase")
            .field("bases", &self.bases)
            .finish_non_exhaustive()
    }
}

impl FixedBase {
    /// The window tables of `bases` (built once per verifying key).
    pub fn new(bases: &[G1Affine]) -> Self {
        let mut table = Vec::with_capacity(bases.len() * WINDOWS * ENTRIES);
        for b in bases {
            let mut w = b.into_group();
            for _ in 0..WINDOWS {
                let mut acc = w;
                for _ in 0..ENTRIES {
                    table.push(acc);
                    acc += w;
                }
                // acc = 2^6·w now.
                w = acc;
            }
        }
        Self {
            table: G1Projective::normalize_batch(&table),
            bases: bases.len(),
        }
    }

    /// `Σ_k scalars[k]·B_{first+k}`; scalars beyond the last base are ignored (callers check
    /// counts).
    pub fn sum(&self, first: usize, scalars: &[Fr]) -> G1Projective {
        let mut acc = G1Projective::default();
        let last = self.bases.saturating_sub(first);
        for (k, s) in scalars.iter().enumerate().take(last) {
            let j = first + k;
            let bits = s.into_bigint();
            let base = &self.table[j * WINDOWS * ENTRIES..(j + 1) * WINDOWS * ENTRIES];
            for k in 0..WINDOWS {
                let mut d = 0usize;
                for i in 0..WINDOW {
                    d |= usize::from(bits.get_bit(k * WINDOW + i)) << i;
                }
                if d != 0 {
                    acc += base[k * ENTRIES + d - 1];
                }
            }
        }
        acc
    }
}

/// `λ` with `φ(x, y) = (β·x, y) = [λ](x, y)` on G1 (ark-bn254's GLV constants).
fn lambda() -> Fr {
    <ark_bn254::g1::Config as GLVConfig>::LAMBDA
}

/// The batch scalar `z = a + b·λ` of the 64-bit halves `(a, b)`.
///
/// Distinct `(a, b)` give distinct `z`: `a − a' ≡ (b' − b)·λ (mod r)` with both sides below
/// `2^64` in absolute value would be a nonzero vector of the GLV lattice of `λ`, whose
/// shortest vectors have length about `2^127`. So `z` takes `2^128` distinct values, each with
/// probability `2^−128`, and is nonzero unless `a = b = 0`.
pub fn glv_scalar(a: u64, b: u64) -> Fr {
    Fr::from(a) + Fr::from(b) * lambda()
}

/// `[a + b·λ]·P_i` for every point: `[a]P + [b]φ(P)` with one shared run of 64 doublings
/// (Straus–Shamir on the table `P, φ(P), P + φ(P)`, normalised for all points with one
/// inversion), instead of 128 doublings for a 128-bit scalar; on IFMA lanes where the CPU has
/// them (`lane_glv.rs`).
pub fn mul_glv_all(points: &[G1Affine], ab: &[(u64, u64)]) -> Vec<G1Projective> {
    #[cfg(all(feature = "std", target_arch = "x86_64"))]
    if crate::lanes::available() {
        let (endo, sums) = glv_tables(points);
        if let Some(v) = crate::lane_glv::mul_glv_all(points, &endo, &sums, ab) {
            return v;
        }
    }
    mul_glv_all_scalar(points, ab)
}

/// The tables `φ(P)` and `P + φ(P)` (affine, one inversion for all points).
pub fn glv_tables(points: &[G1Affine]) -> (Vec<G1Affine>, Vec<G1Affine>) {
    let endo: Vec<G1Affine> = points
        .iter()
        .map(<ark_bn254::g1::Config as GLVConfig>::endomorphism_affine)
        .collect();
    let sums: Vec<G1Projective> = points.iter().zip(&endo).map(|(p, e)| *p + e).collect();
    (endo, G1Projective::normalize_batch(&sums))
}

/// [`mul_glv_all`] without lanes.
pub fn mul_glv_all_scalar(points: &[G1Affine], ab: &[(u64, u64)]) -> Vec<G1Projective> {
    let (endo, sums) = glv_tables(points);
    let one = |i: usize| crate::glv::straus(&points[i], &endo[i], &sums[i], ab[i]);
    let n = points.len().min(ab.len());
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        (0..n).into_par_iter().map(one).collect()
    }
    #[cfg(not(feature = "parallel"))]
    (0..n).map(one).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_bn254::{Fq2, G2Affine};
    use ark_ec::{PrimeGroup, VariableBaseMSM};
    use ark_ff::{Field, One, UniformRand, Zero};
    use rand::{rngs::StdRng, RngCore, SeedableRng};

    /// Points on the G2 curve: in the subgroup, off it (from random x), and with only a
    /// cofactor component (`[r]P` of an off-subgroup `P`).
    #[test]
    fn g2_check_agrees_with_arkworks() {
        let mut rng = StdRng::seed_from_u64(1);
        let mut off = 0;
        for _ in 0..64 {
            let x = Fq2::rand(&mut rng);
            let Some(p) = G2Affine::get_point_from_x_unchecked(x, false) else {
                continue;
            };
            assert!(p.is_on_curve());
            let ark = p.is_in_correct_subgroup_assuming_on_curve();
            assert_eq!(is_in_g2(&p), ark);
            off += usize::from(!ark);
            let cofactor_part = p.mul_bigint(Fr::MODULUS).into_affine();
            assert_eq!(
                is_in_g2(&cofactor_part),
                cofactor_part.is_zero(),
                "order divides the cofactor"
            );
            let cleared = p.clear_cofactor();
            assert!(is_in_g2(&cleared));
            let mixed = (cleared.into_group() + cofactor_part).into_affine();
            assert_eq!(is_in_g2(&mixed), cofactor_part.is_zero());
        }
        assert!(off > 20, "random points are almost never in G2");
        for _ in 0..16 {
            let p = (G2Projective::generator() * Fr::rand(&mut rng)).into_affine();
            assert!(is_in_g2(&p));
            // ψ acts on G2 as multiplication by p mod r = 6x².
            let six_x2 = Fr::from(6u64) * Fr::from(Config::X[0]).square();
            assert_eq!(psi(&p.into_group()), p * six_x2);
        }
        assert!(is_in_g2(&G2Affine::zero()));
    }

    /// `[a + b·λ]P` by the shared-doubling GLV path equals the plain multiplication, for
    /// edge-case and random halves, and `φ` is multiplication by `λ`.
    #[test]
    fn glv_scaling_equals_plain_multiplication() {
        let mut rng = StdRng::seed_from_u64(4);
        let g = G1Projective::generator();
        assert_eq!(
            <ark_bn254::g1::Config as GLVConfig>::endomorphism_affine(&g.into_affine()),
            (g * lambda()).into_affine()
        );
        let mut ab = alloc::vec![(0u64, 1u64), (1, 0), (u64::MAX, u64::MAX), (1, 1), (0, 0)];
        ab.extend((0..20).map(|_| (rng.next_u64(), rng.next_u64() >> (rng.next_u64() % 64))));
        let points: Vec<G1Affine> = ab
            .iter()
            .map(|_| (g * Fr::rand(&mut rng)).into_affine())
            .collect();
        let got = mul_glv_all(&points, &ab);
        for ((p, (a, b)), got) in points.iter().zip(&ab).zip(&got) {
            assert_eq!(*got, *p * glv_scalar(*a, *b), "a = {a}, b = {b}");
        }
        assert!(glv_scalar(0, 0).is_zero());
        assert!(!glv_scalar(0, 1).is_zero());
    }

    #[test]
    fn fixed_base_sums_equal_msm() {
        let mut rng = StdRng::seed_from_u64(2);
        let bases: Vec<G1Affine> = (0..5)
            .map(|_| (G1Projective::generator() * Fr::rand(&mut rng)).into_affine())
            .collect();
        let table = FixedBase::new(&bases);
        let edge = [
            Fr::zero(),
            Fr::one(),
            -Fr::one(),
            Fr::from(u64::MAX),
            Fr::from(63u64),
        ];
        for round in 0..8 {
            let s: Vec<Fr> = (0..5)
                .map(|j| {
                    if round == 0 {
                        edge[j]
                    } else {
                        Fr::rand(&mut rng)
                    }
                })
                .collect();
            assert_eq!(table.sum(0, &s), G1Projective::msm(&bases, &s).unwrap());
            assert_eq!(
                table.sum(2, &s[..3]),
                G1Projective::msm(&bases[2..], &s[..3]).unwrap()
            );
        }
        // Scalars beyond the bases are ignored.
        assert_eq!(table.sum(4, &[Fr::one(), Fr::one()]), bases[4].into_group());
    }
}
