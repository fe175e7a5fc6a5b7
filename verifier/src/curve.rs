//! Curve arithmetic the verifier does itself instead of arkworks' defaults, each because it was
//! measured to matter (docs/verification-costs.md):
//!
//! - [`is_in_g2`]: the G2 subgroup check with one 63-bit scalar multiplication instead of a
//!   127-bit one;
//! - [`FixedBase`]: precomputed tables for the verifying key's IC points, so the public-input
//!   term `IC_0 + Σ x_j·IC_j` costs additions only;
//! - [`multi_miller_loop`]: one Miller-loop accumulator for all pairs of a batch (arkworks
//!   squares once per group of four pairs), split across threads with `parallel`.

use alloc::vec::Vec;

use ark_bn254::{Bn254, Config, Fq12, Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::bn::{BnConfig, G2Prepared, TwistType};
use ark_ec::pairing::MillerLoopOutput;
use ark_ec::{AdditiveGroup, AffineRepr, CurveGroup};
use ark_ff::{BigInteger, CyclotomicMultSubgroup, Field, One, PrimeField};

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
pub(crate) fn is_in_g2(p: &G2Affine) -> bool {
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
pub(crate) struct FixedBase {
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
    pub(crate) fn new(bases: &[G1Affine]) -> Self {
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
    pub(crate) fn sum(&self, first: usize, scalars: &[Fr]) -> G1Projective {
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

/// One Miller-loop accumulator over `pairs` (the arkworks BN loop, squarings shared).
fn miller_chunk(pairs: &[(G1Affine, &G2Prepared<Config>)]) -> Fq12 {
    let ate = Config::ATE_LOOP_COUNT;
    let mut f = Fq12::one();
    let mut at = 0usize;
    for i in (1..ate.len()).rev() {
        if i != ate.len() - 1 {
            f.square_in_place();
        }
        for (p, q) in pairs {
            ell(&mut f, &q.ell_coeffs[at], p);
        }
        at += 1;
        if ate[i - 1] != 0 {
            for (p, q) in pairs {
                ell(&mut f, &q.ell_coeffs[at], p);
            }
            at += 1;
        }
    }
    f
}

/// Multiplies `f` by the line with coefficients `c` evaluated at `p` (arkworks' `Bn::ell`).
fn ell(f: &mut Fq12, c: &ark_ec::bn::g2::EllCoeff<Config>, p: &G1Affine) {
    let (mut c0, mut c1, c2) = (c.0, c.1, c.2);
    match Config::TWIST_TYPE {
        TwistType::M => {
            let mut c2 = c2;
            c2.mul_assign_by_fp(&p.y);
            c1.mul_assign_by_fp(&p.x);
            f.mul_by_014(&c0, &c1, &c2);
        }
        TwistType::D => {
            c0.mul_assign_by_fp(&p.y);
            c1.mul_assign_by_fp(&p.x);
            f.mul_by_034(&c0, &c1, &c2);
        }
    }
}

/// The Miller loop of `Π e(P_i, Q_i)`, equal to arkworks' `Bn254::multi_miller_loop` (the
/// tests compare them) with one accumulator per thread instead of one per four pairs.
/// Pairs with an identity point contribute 1 and are skipped.
pub(crate) fn multi_miller_loop(
    pairs: &[(G1Affine, &G2Prepared<Config>)],
) -> MillerLoopOutput<Bn254> {
    let pairs: Vec<(G1Affine, &G2Prepared<Config>)> = pairs
        .iter()
        .filter(|(p, q)| !p.is_zero() && !q.infinity)
        .copied()
        .collect();
    #[cfg(feature = "parallel")]
    let mut f: Fq12 = {
        use rayon::prelude::*;
        let per = pairs.len().div_ceil(rayon::current_num_threads()).max(1);
        pairs.par_chunks(per).map(miller_chunk).product()
    };
    #[cfg(not(feature = "parallel"))]
    let mut f = miller_chunk(&pairs);
    if Config::X_IS_NEGATIVE {
        f.cyclotomic_inverse_in_place();
    }
    // The two lines through π(Q) and −π²(Q) close every prepared point's coefficients.
    for back in [2, 1] {
        for (p, q) in &pairs {
            ell(&mut f, &q.ell_coeffs[q.ell_coeffs.len() - back], p);
        }
    }
    MillerLoopOutput(f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_bn254::{Fq2, G2Affine};
    use ark_ec::{pairing::Pairing, PrimeGroup, VariableBaseMSM};
    use ark_ff::{UniformRand, Zero};
    use rand::{rngs::StdRng, SeedableRng};

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

    #[test]
    fn miller_loop_equals_arkworks() {
        let mut rng = StdRng::seed_from_u64(3);
        for n in [1usize, 2, 3, 5, 9] {
            let ps: Vec<G1Affine> = (0..n)
                .map(|_| (G1Projective::generator() * Fr::rand(&mut rng)).into_affine())
                .collect();
            let qs: Vec<G2Prepared<Config>> = (0..n)
                .map(|_| {
                    (G2Projective::generator() * Fr::rand(&mut rng))
                        .into_affine()
                        .into()
                })
                .collect();
            let pairs: Vec<_> = ps.iter().copied().zip(&qs).collect();
            let ours = multi_miller_loop(&pairs);
            let ark = Bn254::multi_miller_loop(ps.clone(), qs.clone());
            assert_eq!(ours.0, ark.0, "{n} pairs");
            // Identity points are skipped.
            let mut with_zero = pairs.clone();
            with_zero.push((G1Affine::zero(), &qs[0]));
            assert_eq!(multi_miller_loop(&with_zero).0, ark.0);
        }
    }
}
