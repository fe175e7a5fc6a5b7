//! The batch's `z·A` ([`mul_glv_all`](crate::curve::mul_glv_all)) on AVX-512 IFMA lanes
//! ([`crate::lanes`]): eight points at a time, point `i` in lane `i mod 8` of group `i / 8`.
//!
//! The same Straus–Shamir run as the scalar path (`[a]P + [b]φ(P)`, table `P, φ(P), P + φ(P)`
//! in affine form, 64 shared doublings): the accumulators are Jacobian `(X, Y, Z)` on lanes,
//! every step doubles all eight, and a lane whose digit pair is nonzero adds its table point
//! (a mixed addition, computed for the group and selected per lane). The digits are known, so
//! which lanes are still at the identity is tracked outside the lanes: such a lane takes its
//! first table point as is.
//!
//! **No special cases.** A mixed addition `acc + T` degenerates only if `acc = ±T`. For a
//! point `P` of G1 (every point of the BN254 G1 curve: its cofactor is 1) a lane's
//! accumulator is `[k + k'λ]P` after doubling, with `0 ≤ k, k' < 2^64`, `(k, k')` even and not
//! zero, and `T = [t + t'λ]P` with `(t, t') ∈ {(1, 0), (0, 1), (1, 1)}`. `acc = ±T` would make
//! `(k ∓ t) + (k' ∓ t')λ ≡ 0 (mod r)` with both coefficients below `2^64 + 1` in absolute
//! value, a vector of the GLV lattice far shorter than its shortest nonzero vectors (length
//! ≈ 2^127), so `(k, k') = ±(t, t')`, which the parities and signs exclude. Doublings never
//! meet a point of order 2 (there is none). A group containing the identity runs on the
//! scalar path. The tests compare every result with the scalar path.

#![allow(unsafe_code)]

use alloc::vec::Vec;

use ark_bn254::{Fq, G1Affine, G1Projective};
use ark_ec::AffineRepr;
use ark_ff::{AdditiveGroup, One};

use crate::lanes::{add2, available, load, mul, store, sub2, Consts, Lanes};

/// Jacobian points on lanes.
#[derive(Clone, Copy)]
struct Jac(Lanes, Lanes, Lanes);

/// `[a_i + b_i·λ]·P_i` for every point; `None` if the CPU has no IFMA.
pub fn mul_glv_all(
    points: &[G1Affine],
    endo: &[G1Affine],
    sums: &[G1Affine],
    ab: &[(u64, u64)],
) -> Option<Vec<G1Projective>> {
    if !available() {
        return None;
    }
    let n = points.len().min(ab.len()).min(endo.len()).min(sums.len());
    let mut out = alloc::vec![G1Projective::ZERO; n];
    let work = |(g, out): (usize, &mut [G1Projective])| {
        let r = g * 8..g * 8 + out.len();
        let (p, e, s, ab) = (
            &points[r.clone()],
            &endo[r.clone()],
            &sums[r.clone()],
            &ab[r],
        );
        if p.iter().chain(e).chain(s).any(AffineRepr::is_zero) {
            for (j, o) in out.iter_mut().enumerate() {
                *o = crate::glv::straus(&p[j], &e[j], &s[j], ab[j]);
            }
        } else {
            // SAFETY: `available()` holds, the only requirement of the lane functions.
            unsafe { group(p, e, s, ab, out) };
        }
    };
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        out.par_chunks_mut(8).enumerate().for_each(work);
    }
    #[cfg(not(feature = "parallel"))]
    out.chunks_mut(8).enumerate().for_each(work);
    Some(out)
}

/// `2·acc` (dbl-2009-l: `A = X²`, `B = Y²`, `C = B²`, `D = 2((X + B)² − A − C)`, `E = 3A`,
/// `X₃ = E² − 2D`, `Y₃ = E(D − X₃) − 8C`, `Z₃ = 2YZ`).
#[inline]
#[target_feature(enable = "avx512f,avx512ifma")]
fn double(q: &Jac, c: &Consts) -> Jac {
    let (x, y, z) = (&q.0, &q.1, &q.2);
    let a = mul(x, x, c);
    let b = mul(y, y, c);
    let cc = mul(&b, &b, c);
    let xb = add2(x, &b, c);
    let d = sub2(&sub2(&mul(&xb, &xb, c), &a, c), &cc, c);
    let d = add2(&d, &d, c);
    let e = add2(&add2(&a, &a, c), &a, c);
    let x3 = sub2(&mul(&e, &e, c), &add2(&d, &d, c), c);
    let c2 = add2(&cc, &cc, c);
    let c4 = add2(&c2, &c2, c);
    let y3 = sub2(&mul(&e, &sub2(&d, &x3, c), c), &add2(&c4, &c4, c), c);
    let yz = mul(y, z, c);
    Jac(x3, y3, add2(&yz, &yz, c))
}

/// `acc + (x₂, y₂)` (madd-2007-bl: `U₂ = x₂Z₁²`, `S₂ = y₂Z₁³`, `H = U₂ − X₁`, `I = 4H²`,
/// `J = HI`, `r = 2(S₂ − Y₁)`, `V = X₁I`, `X₃ = r² − J − 2V`, `Y₃ = r(V − X₃) − 2Y₁J`,
/// `Z₃ = (Z₁ + H)² − Z₁² − H²`); `acc ≠ ±(x₂, y₂)` (see the module docs).
#[inline]
#[target_feature(enable = "avx512f,avx512ifma")]
fn add_affine(q: &Jac, x2: &Lanes, y2: &Lanes, c: &Consts) -> Jac {
    let (x1, y1, z1) = (&q.0, &q.1, &q.2);
    let z1z1 = mul(z1, z1, c);
    let u2 = mul(x2, &z1z1, c);
    let s2 = mul(&mul(y2, z1, c), &z1z1, c);
    let h = sub2(&u2, x1, c);
    let hh = mul(&h, &h, c);
    let hh2 = add2(&hh, &hh, c);
    let i = add2(&hh2, &hh2, c);
    let j = mul(&h, &i, c);
    let r = sub2(&s2, y1, c);
    let r = add2(&r, &r, c);
    let v = mul(x1, &i, c);
    let x3 = sub2(&sub2(&mul(&r, &r, c), &j, c), &add2(&v, &v, c), c);
    let y1j = mul(y1, &j, c);
    let y3 = sub2(&mul(&r, &sub2(&v, &x3, c), c), &add2(&y1j, &y1j, c), c);
    let zh = add2(z1, &h, c);
    let z3 = sub2(&sub2(&mul(&zh, &zh, c), &z1z1, c), &hh, c);
    Jac(x3, y3, z3)
}

/// `b` in the lanes whose bit in `mask` is set, `a` elsewhere.
#[inline]
#[target_feature(enable = "avx512f")]
fn select(mask: u8, a: &Jac, b: &Jac) -> Jac {
    Jac(
        crate::lanes::select(mask, &a.0, &b.0),
        crate::lanes::select(mask, &a.1, &b.1),
        crate::lanes::select(mask, &a.2, &b.2),
    )
}

/// One group of at most eight points, none the identity.
#[target_feature(enable = "avx512f,avx512ifma")]
fn group(
    p: &[G1Affine],
    e: &[G1Affine],
    s: &[G1Affine],
    ab: &[(u64, u64)],
    out: &mut [G1Projective],
) {
    let c = Consts::new();
    let m = out.len();
    let one = Fq::one();
    let lane = |v: &[Fq; 8]| load(core::array::from_fn(|j| &v[j].0 .0));
    let top = ab[..m]
        .iter()
        .map(|(a, b)| 64 - (a | b).leading_zeros())
        .max()
        .unwrap_or(0);
    let mut acc = Jac(lane(&[one; 8]), lane(&[one; 8]), lane(&[one; 8]));
    let mut started = 0u8;
    for i in (0..top).rev() {
        acc = double(&acc, &c);
        let mut tx = [Fq::ZERO; 8];
        let mut ty = [Fq::ZERO; 8];
        let mut nonzero = 0u8;
        for j in 0..m {
            let (a, b) = ab[j];
            let t = match ((a >> i) & 1, (b >> i) & 1) {
                (1, 0) => &p[j],
                (0, 1) => &e[j],
                (1, 1) => &s[j],
                _ => continue,
            };
            tx[j] = t.x;
            ty[j] = t.y;
            nonzero |= 1 << j;
        }
        if nonzero == 0 {
            continue;
        }
        let (x2, y2) = (lane(&tx), lane(&ty));
        let add = nonzero & started;
        if add != 0 {
            acc = select(add, &acc, &add_affine(&acc, &x2, &y2, &c));
        }
        let first = nonzero & !started;
        if first != 0 {
            acc = select(first, &acc, &Jac(x2, y2, lane(&[one; 8])));
        }
        started |= nonzero;
    }
    let (x, y, z) = (store(&acc.0), store(&acc.1), store(&acc.2));
    for (j, o) in out.iter_mut().enumerate() {
        *o = if started & (1 << j) != 0 {
            G1Projective::new_unchecked(x[j], y[j], z[j])
        } else {
            G1Projective::ZERO
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_bn254::Fr;
    use ark_ec::{CurveGroup, PrimeGroup};
    use ark_ff::UniformRand;
    use rand::{rngs::StdRng, RngCore, SeedableRng};

    /// The lane `z·A` equals the scalar path for group sizes around 8, edge-case halves
    /// (0, 1, all ones, only the top bit) and random ones, and with the identity in a group.
    #[test]
    fn lane_glv_equals_the_scalar_path() {
        if !available() {
            eprintln!("no AVX-512 IFMA on this CPU: lane z·A not tested");
            return;
        }
        let mut rng = StdRng::seed_from_u64(53);
        let edge = [
            (0, 0),
            (1, 0),
            (0, 1),
            (1, 1),
            (u64::MAX, u64::MAX),
            (1 << 63, 0),
            (0, 1 << 63),
            (3, u64::MAX),
        ];
        for n in [1usize, 7, 8, 9, 20] {
            let mut points: Vec<G1Affine> = (0..n)
                .map(|_| (G1Projective::generator() * Fr::rand(&mut rng)).into_affine())
                .collect();
            if n == 20 {
                points[10] = G1Affine::zero();
            }
            let ab: Vec<(u64, u64)> = (0..n)
                .map(|i| {
                    if n >= 8 && i < 8 {
                        edge[i]
                    } else {
                        (rng.next_u64(), rng.next_u64())
                    }
                })
                .collect();
            let want = crate::curve::mul_glv_all_scalar(&points, &ab);
            let (endo, sums) = crate::curve::glv_tables(&points);
            let got = mul_glv_all(&points, &endo, &sums, &ab).expect("IFMA");
            assert_eq!(got, want, "{n} points");
        }
    }
}
