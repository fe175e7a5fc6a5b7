//! Miller-loop lines normalised to `1 + (c₃ + c₄·v)·w`, and the batch's affine line
//! computation.
//!
//! A BN254 (D-twist) line evaluated at `P = (x_P, y_P)` is the sparse `Fq12` element
//! `c₀·y_P + (c₁·x_P + c₂·v)·w` (arkworks' `mul_by_034`). Scaling a Miller-loop factor by an
//! element of `Fq2*` does not change the pairing: the final exponentiation `(p¹² − 1)/r` is a
//! multiple of `p² − 1`, so it sends every `Fq2*` element to 1. Dividing each line by
//! `c₀·y_P` gives `1 + (c₃ + c₄·v)·w` with `c₃ = (c₁/c₀)·(x_P/y_P)`, `c₄ = (c₂/c₀)·(1/y_P)`,
//! and multiplying the accumulator by such a line ([`mul_by_line`]) costs 10 `Fq2`
//! multiplications instead of `mul_by_034`'s 13.
//!
//! - For a fixed G2 point (the key's `−γ`, `−δ`, `−β`) the ratios `c₁/c₀`, `c₂/c₀` are
//!   computed once per key ([`FixedLines`]); `x_P/y_P` and `1/y_P` once per G1 point.
//! - For the proofs' `B` points of a batch ([`proof_lines`]) the line through `T` (tangent,
//!   or through `T` and `±Q`) with slope `λ` is, normalised, `(1, −λ, −(y_T − λ·x_T))`: the
//!   steps run in affine coordinates, and the one inversion per step is shared by a chunk
//!   of proofs (Montgomery's trick), so a step costs about 8 `Fq2` multiplications instead
//!   of the ~11 of arkworks' projective step, and only the two evaluated coefficients are
//!   stored.
//!
//! - **G2 membership for free.** Both ways of computing `B`'s lines end with
//!   `T = [6x+2]B + ψ(B) − ψ²(B)` (the optimal-ate loop and its two Frobenius steps), and
//!   `B` is in G2 iff `T = −ψ³(B)` ([`prepare_checked`], [`proof_lines`]); see
//!   [`prepare_checked`] for why. That replaces the separate subgroup check of decoding
//!   (a 63-bit scalar multiplication, about a fifth of a batch's cost per proof) by one
//!   comparison.
//!
//! The tests compare pairings computed this way with arkworks', and the membership results
//! with the subgroup check of `curve.rs` on points in G2, off it, and with only a cofactor
//! component.

use alloc::vec::Vec;

use ark_bn254::{Config, Fq, Fq12, Fq2, G1Affine, G2Affine};
use ark_ec::bn::{BnConfig, G2Prepared, TwistType};
use ark_ec::pairing::MillerLoopOutput;
use ark_ec::AffineRepr;
use ark_ff::{fields::Fp12Config, AdditiveGroup, CyclotomicMultSubgroup, Field, One, Zero};

use ark_bn254::Bn254;

use crate::decompress::TWO_INV;

/// A normalised line `1 + (c₃ + c₄·v)·w`, as `(c₃, c₄)`.
pub type Line = (Fq2, Fq2);

/// `f ← f · (1 + (c₃ + c₄·v)·w)`: with `f = f₀ + f₁·w` and `d = c₃ + c₄·v`,
/// `f₀ + v·(f₁·d)` and `f₁ + f₀·d` (two sparse `Fq6` products, 10 `Fq2` multiplications).
#[inline]
pub fn mul_by_line(f: &mut Fq12, l: &Line) {
    let mut a = f.c0;
    a.mul_by_01(&l.0, &l.1);
    let mut b = f.c1;
    b.mul_by_01(&l.0, &l.1);
    <ark_bn254::Fq12Config as Fp12Config>::mul_fp6_by_nonresidue_in_place(&mut b);
    f.c0 += b;
    f.c1 += a;
}

/// Lines of the Miller loop: one per doubling, one per nonzero digit, two for the Frobenius
/// points (the length of arkworks' `G2Prepared::ell_coeffs`).
pub fn line_count() -> usize {
    let ate = Config::ATE_LOOP_COUNT;
    (ate.len() - 1) + ate[..ate.len() - 1].iter().filter(|&&d| d != 0).count() + 2
}

/// The Miller loop's steps in order, as [`miller_loop_with`] runs them: whether the step
/// squares the accumulator first, and the index of its line (`0..line_count()`): per digit
/// below the top a doubling step (squaring, except the first), then an addition step for a
/// nonzero digit, then the two Frobenius steps.
#[cfg(any(test, all(feature = "std", target_arch = "x86_64")))]
pub fn loop_steps() -> Vec<(bool, usize)> {
    let ate = Config::ATE_LOOP_COUNT;
    let mut steps: Vec<(bool, usize)> = Vec::with_capacity(line_count());
    for i in (1..ate.len()).rev() {
        steps.push((i != ate.len() - 1, steps.len()));
        if ate[i - 1] != 0 {
            steps.push((false, steps.len()));
        }
    }
    steps.push((false, steps.len()));
    steps.push((false, steps.len()));
    steps
}

/// The per-point factors `(x_P/y_P, 1/y_P)` of G1 points; `None` for the identity (its pair
/// contributes 1 and is skipped). One inversion for all points.
pub fn p_scalars(ps: &[G1Affine]) -> Vec<Option<(Fq, Fq)>> {
    let mut inv: Vec<Fq> = ps
        .iter()
        .map(|p| if p.is_zero() { Fq::zero() } else { p.y })
        .collect();
    ark_ff::batch_inversion(&mut inv);
    ps.iter()
        .zip(inv)
        .map(|(p, i)| (!p.is_zero() && !i.is_zero()).then(|| (p.x * i, i)))
        .collect()
}

/// The normalised line ratios `(c₁/c₀, c₂/c₀)` of a fixed, prepared G2 point.
#[derive(Clone, Debug)]
pub struct FixedLines {
    ratios: Vec<(Fq2, Fq2)>,
}

impl FixedLines {
    /// From arkworks' prepared coefficients; `None` for the identity or if some `c₀` is zero
    /// (not the case for points of the prime-order subgroup).
    pub fn new(q: &G2Prepared<Config>) -> Option<Self> {
        if q.infinity || !matches!(Config::TWIST_TYPE, TwistType::D) {
            return None;
        }
        let mut inv: Vec<Fq2> = q.ell_coeffs.iter().map(|c| c.0).collect();
        if inv.iter().any(Zero::is_zero) {
            return None;
        }
        ark_ff::batch_inversion(&mut inv);
        Some(Self {
            ratios: q
                .ell_coeffs
                .iter()
                .zip(inv)
                .map(|(c, i)| (c.1 * i, c.2 * i))
                .collect(),
        })
    }

    /// Ratios `(c₁/c₀, c₂/c₀)` of line `k`.
    #[cfg(all(feature = "std", target_arch = "x86_64"))]
    pub fn ratio(&self, k: usize) -> &(Fq2, Fq2) {
        &self.ratios[k]
    }

    /// Line `k` evaluated at the point with factors `(sx, sy)` from [`p_scalars`].
    #[inline]
    pub fn at(&self, k: usize, s: &(Fq, Fq)) -> Line {
        let (mut c3, mut c4) = self.ratios[k];
        c3.mul_assign_by_fp(&s.0);
        c4.mul_assign_by_fp(&s.1);
        (c3, c4)
    }
}

/// Proofs per shared inversion in [`proof_lines`].
pub const CHUNK: usize = 64;

/// The evaluated, normalised lines of the pairs `(P_i, Q_i)`, proof-major
/// (`lines[i·L + k]`, `L` = [`line_count`]), and per pair whether it could be computed.
///
/// Every `P_i` must be a non-identity G1 point; the `Q_i` need only be on the G2 curve. A pair
/// is reported `true` iff `Q_i` is a non-identity point of the prime-order subgroup (and `P_i`
/// not the identity): no step met a zero denominator, so every step was an exact group
/// operation, and the final `T` equals `−ψ³(Q_i)` (see [`prepare_checked`]). For a `false`
/// pair the lines are meaningless. (For `Q` in G2 no denominator is zero: `T = [k]Q` with
/// `1 < k < r` never equals `±Q`, and the group has no 2-torsion.)
pub fn proof_lines(ps: &[G1Affine], qs: &[G2Affine]) -> (Vec<Line>, Vec<bool>) {
    let n = ps.len().min(qs.len());
    let l = line_count();
    let mut lines = alloc::vec![(Fq2::zero(), Fq2::zero()); n * l];
    let mut ok = alloc::vec![true; n];
    let work = |(lines, ok): (&mut [Line], &mut [bool]), start: usize| {
        chunk_lines(
            &ps[start..start + ok.len()],
            &qs[start..start + ok.len()],
            lines,
            ok,
            l,
        );
    };
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        lines
            .par_chunks_mut(CHUNK * l)
            .zip(ok.par_chunks_mut(CHUNK))
            .enumerate()
            .for_each(|(c, pair)| work(pair, c * CHUNK));
    }
    #[cfg(not(feature = "parallel"))]
    lines
        .chunks_mut(CHUNK * l)
        .zip(ok.chunks_mut(CHUNK))
        .enumerate()
        .for_each(|(c, pair)| work(pair, c * CHUNK));
    (lines, ok)
}

/// [`proof_lines`] for one chunk of at most [`CHUNK`] pairs.
pub fn chunk_lines(ps: &[G1Affine], qs: &[G2Affine], out: &mut [Line], ok: &mut [bool], l: usize) {
    let m = ok.len();
    let s: Vec<(Fq, Fq)> = p_scalars(ps)
        .into_iter()
        .zip(ok.iter_mut())
        .map(|(s, ok)| {
            *ok &= s.is_some();
            s.unwrap_or((Fq::zero(), Fq::zero()))
        })
        .collect();
    let mut t: Vec<G2Affine> = qs.to_vec();
    for (q, ok) in qs.iter().zip(ok.iter_mut()) {
        *ok &= !q.is_zero();
    }
    let neg: Vec<G2Affine> = qs.iter().map(|q| -*q).collect();
    let (frob1, frob2) = frobenius_points(qs);
    let mut den = alloc::vec![Fq2::zero(); m];
    let mut k = 0usize;
    // One step for every pair: the line through T (tangent when `add` is None) and T's update.
    let mut step = |t: &mut [G2Affine], add: Option<&[G2Affine]>, k: usize| {
        for i in 0..m {
            den[i] = match add {
                None => t[i].y.double(),
                Some(a) => a[i].x - t[i].x,
            };
            if den[i].is_zero() {
                ok[i] = false;
            }
        }
        ark_ff::batch_inversion(&mut den);
        for i in 0..m {
            let (x, y) = (t[i].x, t[i].y);
            // λ = 3x²/(2y) (tangent) or (y_Q − y)/(x_Q − x); x₃ = λ² − x − x_Q;
            // y₃ = λ·(x − x₃) − y; the line (1, −λ, −(y − λ·x)) evaluated at P.
            let (lambda, xq) = match add {
                None => {
                    let xx = x.square();
                    ((xx.double() + xx) * den[i], x)
                }
                Some(a) => ((a[i].y - y) * den[i], a[i].x),
            };
            let nu = y - lambda * x;
            let mut c3 = -lambda;
            c3.mul_assign_by_fp(&s[i].0);
            let mut c4 = -nu;
            c4.mul_assign_by_fp(&s[i].1);
            out[i * l + k] = (c3, c4);
            let x3 = lambda.square() - x - xq;
            let y3 = lambda * (x - x3) - y;
            t[i] = G2Affine::new_unchecked(x3, y3);
        }
    };
    let ate = Config::ATE_LOOP_COUNT;
    for &digit in ate.iter().rev().skip(1) {
        step(&mut t, None, k);
        k += 1;
        match digit {
            1 => {
                step(&mut t, Some(qs), k);
                k += 1;
            }
            -1 => {
                step(&mut t, Some(&neg), k);
                k += 1;
            }
            _ => {}
        }
    }
    if Config::X_IS_NEGATIVE {
        for p in t.iter_mut() {
            p.y = -p.y;
        }
    }
    step(&mut t, Some(&frob1), k);
    step(&mut t, Some(&frob2), k + 1);
    debug_assert_eq!(k + 2, l);
    // T = [6x+2]Q + ψ(Q) − ψ²(Q) = −ψ³(Q) iff Q ∈ G2; frob2 = −ψ²(Q), so −ψ³(Q) = ψ(frob2).
    for ((t, f2), ok) in t.iter().zip(&frob2).zip(ok.iter_mut()) {
        *ok &= *t == mul_by_char(f2);
    }
}

// The membership argument below is for a positive seed (BN254's).
const _: () = assert!(
    !<Config as BnConfig>::X_IS_NEGATIVE
        && matches!(<Config as BnConfig>::TWIST_TYPE, TwistType::D)
);

/// arkworks' `G2Prepared::from(q)` (the same projective steps and line coefficients, eprint
/// 2013/722), or `None` unless `q` is a non-identity point of the prime-order subgroup G2.
/// `q` must be on the G2 curve.
///
/// **Why the final point decides membership.** The steps compute
/// `T = [6x+2]q + ψ(q) − ψ²(q)` with `ψ` the untwist-Frobenius-twist endomorphism (as long as
/// no step meets a special case; those make `Z = 0`, which stays 0, and are rejected). We
/// accept iff `T = −ψ³(q)`, i.e. `f(ψ)(q) = 0` for `f(X) = (6x+2) + X − X² + X³`. The group
/// `E'(F_p²)` has order `r·h` with `h = 2p − r = 10069 · 5864401 · 1875725156269 ·
/// 197620364512881247228717050342013327560683201906968909` (squarefree), and no prime factor
/// of `r·h` divides `p² − 1`, so every Sylow subgroup is cyclic of prime order and `ψ` acts on
/// it as a root `μ` of its characteristic polynomial `X² − tX + p` (`t = 6x² + 1`). On G2,
/// `μ = p` and `f(p) ≡ 0 (mod r)` (the relation behind the optimal ate pairing). For each
/// prime `ℓ | h` and both roots `μ` of `X² − tX + p` mod `ℓ`, `f(μ) ≢ 0 (mod ℓ)` (computed
/// with exact integers; the values are in `docs/verification-costs.md`), so `f(ψ)` is
/// injective on the cofactor part and `f(ψ)(q) = 0` iff `q ∈ G2`. The tests check the result
/// against `curve::is_in_g2` on points in G2, off it, and of each cofactor prime order.
pub fn prepare_checked(q: &G2Affine) -> Option<G2Prepared<Config>> {
    if q.is_zero() {
        return None;
    }
    let b = <ark_bn254::g2::Config as ark_ec::short_weierstrass::SWCurveConfig>::COEFF_B;
    let (mut x, mut y, mut z) = (q.x, q.y, Fq2::one());
    let mut ell = Vec::with_capacity(line_count());
    // Doubling in homogeneous coordinates; line (−h, 3x², e − y²) for the D-type twist.
    let double = |x: &mut Fq2, y: &mut Fq2, z: &mut Fq2| {
        let mut a = *x * *y;
        a.mul_assign_by_fp(&TWO_INV);
        let bb = y.square();
        let c = z.square();
        let e = b * (c.double() + c);
        let f = e.double() + e;
        let mut g = bb + f;
        g.mul_assign_by_fp(&TWO_INV);
        let h = (*y + *z).square() - (bb + c);
        let i = e - bb;
        let j = x.square();
        let e2 = e.square();
        *x = a * (bb - f);
        *y = g.square() - (e2.double() + e2);
        *z = bb * h;
        (-h, j.double() + j, i)
    };
    // Mixed addition T + r; line (λ, −θ, θ·x_r − λ·y_r).
    let add = |x: &mut Fq2, y: &mut Fq2, z: &mut Fq2, r: &G2Affine| {
        let theta = *y - r.y * *z;
        let lambda = *x - r.x * *z;
        let c = theta.square();
        let d = lambda.square();
        let e = lambda * d;
        let f = *z * c;
        let g = *x * d;
        let h = e + f - g.double();
        *x = lambda * h;
        *y = theta * (g - h) - e * *y;
        *z *= e;
        (lambda, -theta, theta * r.x - lambda * r.y)
    };
    let neg = -*q;
    for digit in Config::ATE_LOOP_COUNT.iter().rev().skip(1) {
        ell.push(double(&mut x, &mut y, &mut z));
        match digit {
            1 => ell.push(add(&mut x, &mut y, &mut z, q)),
            -1 => ell.push(add(&mut x, &mut y, &mut z, &neg)),
            _ => {}
        }
    }
    let q1 = mul_by_char(q);
    let mut q2 = mul_by_char(&q1);
    q2.y = -q2.y;
    ell.push(add(&mut x, &mut y, &mut z, &q1));
    ell.push(add(&mut x, &mut y, &mut z, &q2));
    // (x : y : z) = −ψ³(q) = ψ(q2), with z ≠ 0 (no special case on the way).
    let target = mul_by_char(&q2);
    (!z.is_zero() && x == target.x * z && y == target.y * z).then_some(G2Prepared {
        ell_coeffs: ell,
        infinity: false,
    })
}

/// The points of the Miller loop's two last additions: `ψ(Q)` and `−ψ²(Q)`.
pub fn frobenius_points(qs: &[G2Affine]) -> (Vec<G2Affine>, Vec<G2Affine>) {
    let frob1: Vec<G2Affine> = qs.iter().map(mul_by_char).collect();
    let frob2 = frob1
        .iter()
        .map(|q| {
            let mut q2 = mul_by_char(q);
            q2.y = -q2.y;
            q2
        })
        .collect();
    (frob1, frob2)
}

/// `π(Q)` on the twist (arkworks' `mul_by_char`).
pub fn mul_by_char(q: &G2Affine) -> G2Affine {
    let mut s = *q;
    s.x.frobenius_map_in_place(1);
    s.x *= &Config::TWIST_MUL_BY_Q_X;
    s.y.frobenius_map_in_place(1);
    s.y *= &Config::TWIST_MUL_BY_Q_Y;
    s
}

/// The Miller loop of `Π_{i∈lo..hi} e(P_i, Q_i) · Π_j e(R_j, S_j)` up to an `Fq2` factor:
/// the pairs `i` from `lines` ([`proof_lines`], `L` lines each), the fixed pairs as
/// `(S_j's lines, R_j's factors)`. One accumulator (squarings shared); with `parallel` one
/// per thread.
pub fn miller_loop(
    lines: &[Line],
    lo: usize,
    hi: usize,
    fixed: &[(&FixedLines, (Fq, Fq))],
) -> MillerLoopOutput<Bn254> {
    miller_loop_with(lines, lo, hi, fixed, &[])
}

/// The prepared pairs that contribute to a Miller loop: an identity point, or a prepared
/// point of the wrong length, contributes 1 and is left out.
pub fn contributing<'a>(
    raw: &[(G1Affine, &'a G2Prepared<Config>)],
) -> Vec<(G1Affine, &'a G2Prepared<Config>)> {
    let l = line_count();
    raw.iter()
        .filter(|(p, q)| !p.is_zero() && !q.infinity && q.ell_coeffs.len() == l)
        .copied()
        .collect()
}

/// [`miller_loop`] with more pairs `e(P, Q)` from arkworks' prepared `Q`s, their lines
/// applied unnormalised (`mul_by_034`): normalising a few proofs' lines would cost an
/// inversion per proof and more multiplications than it saves. Pairs with an identity point
/// contribute 1 and are skipped.
pub fn miller_loop_with(
    lines: &[Line],
    lo: usize,
    hi: usize,
    fixed: &[(&FixedLines, (Fq, Fq))],
    raw: &[(G1Affine, &G2Prepared<Config>)],
) -> MillerLoopOutput<Bn254> {
    let l = line_count();
    let raw = contributing(raw);
    let one = |lo: usize,
               hi: usize,
               fixed: &[(&FixedLines, (Fq, Fq))],
               raw: &[(G1Affine, &G2Prepared<Config>)]|
     -> Fq12 {
        let ate = Config::ATE_LOOP_COUNT;
        let mut f = Fq12::one();
        let mut k = 0usize;
        let apply = |f: &mut Fq12, k: usize| {
            for i in lo..hi {
                mul_by_line(f, &lines[i * l + k]);
            }
            for (q, s) in fixed {
                mul_by_line(f, &q.at(k, s));
            }
            for (p, q) in raw {
                let (mut c0, mut c1, c2) = q.ell_coeffs[k];
                c0.mul_assign_by_fp(&p.y);
                c1.mul_assign_by_fp(&p.x);
                f.mul_by_034(&c0, &c1, &c2);
            }
        };
        for i in (1..ate.len()).rev() {
            if i != ate.len() - 1 {
                f.square_in_place();
            }
            apply(&mut f, k);
            k += 1;
            if ate[i - 1] != 0 {
                apply(&mut f, k);
                k += 1;
            }
        }
        if Config::X_IS_NEGATIVE {
            f.cyclotomic_inverse_in_place();
        }
        apply(&mut f, k);
        apply(&mut f, k + 1);
        f
    };
    #[cfg(feature = "parallel")]
    let f = {
        use rayon::prelude::*;
        let threads = rayon::current_num_threads().max(1);
        let per = (hi - lo).div_ceil(threads).max(1);
        let ranges: Vec<(usize, usize)> = (lo..hi)
            .step_by(per)
            .map(|s| (s, (s + per).min(hi)))
            .collect();
        if ranges.len() <= 1 {
            one(lo, hi, fixed, &raw)
        } else {
            ranges
                .par_iter()
                .enumerate()
                .map(|(j, &(a, b))| {
                    if j == 0 {
                        one(a, b, fixed, &raw)
                    } else {
                        one(a, b, &[], &[])
                    }
                })
                .reduce(Fq12::one, |x, y| x * y)
        }
    };
    #[cfg(not(feature = "parallel"))]
    let f = one(lo, hi, fixed, &raw);
    MillerLoopOutput(f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_bn254::{Fr, G1Projective, G2Projective};
    use ark_ec::{pairing::Pairing, CurveGroup, PrimeGroup};
    use ark_ff::UniformRand;
    use rand::{rngs::StdRng, SeedableRng};

    fn g1(rng: &mut StdRng) -> G1Affine {
        (G1Projective::generator() * Fr::rand(rng)).into_affine()
    }

    fn g2(rng: &mut StdRng) -> G2Affine {
        (G2Projective::generator() * Fr::rand(rng)).into_affine()
    }

    #[test]
    fn two_inv_is_one_half() {
        assert_eq!(TWO_INV.double(), Fq::one());
    }

    #[test]
    fn line_count_matches_arkworks() {
        let q: G2Prepared<Config> = G2Affine::generator().into();
        assert_eq!(line_count(), q.ell_coeffs.len());
        assert_eq!(loop_steps().len(), line_count());
        assert_eq!(
            loop_steps().iter().filter(|s| s.0).count(),
            Config::ATE_LOOP_COUNT.len() - 2
        );
    }

    /// Products of pairings through normalised lines (batch lines, fixed lines, both, with
    /// sub-ranges and an identity fixed point) equal arkworks' after the final
    /// exponentiation.
    #[test]
    fn pairings_equal_arkworks() {
        let mut rng = StdRng::seed_from_u64(11);
        for n in [1usize, 2, 5, 70, 130] {
            let ps: Vec<G1Affine> = (0..n).map(|_| g1(&mut rng)).collect();
            let qs: Vec<G2Affine> = (0..n).map(|_| g2(&mut rng)).collect();
            let (lines, ok) = proof_lines(&ps, &qs);
            assert!(ok.iter().all(|&b| b));
            let r = [g1(&mut rng), g1(&mut rng), G1Affine::zero()];
            let s = [g2(&mut rng), g2(&mut rng), g2(&mut rng)];
            let prepared: Vec<G2Prepared<Config>> = s.iter().map(|q| (*q).into()).collect();
            let fl: Vec<FixedLines> = prepared
                .iter()
                .map(|q| FixedLines::new(q).unwrap())
                .collect();
            let sc = p_scalars(&r);
            assert!(sc[2].is_none());
            let fixed: Vec<(&FixedLines, (Fq, Fq))> = fl
                .iter()
                .zip(&sc)
                .filter_map(|(q, s)| s.map(|s| (q, s)))
                .collect();
            for (lo, hi) in [(0, n), (n / 2, n), (0, n.div_ceil(2))] {
                let ours = Bn254::final_exponentiation(miller_loop(&lines, lo, hi, &fixed));
                let mut g1s: Vec<G1Affine> = ps[lo..hi].to_vec();
                let mut g2s: Vec<G2Affine> = qs[lo..hi].to_vec();
                g1s.extend(r);
                g2s.extend(s);
                let ark = Bn254::multi_pairing(g1s, g2s);
                assert_eq!(ours, Some(ark), "n = {n}, {lo}..{hi}");
                // with one more, unnormalised pair
                let (p, q) = (g1(&mut rng), g2(&mut rng));
                let qp: G2Prepared<Config> = q.into();
                let ours = Bn254::final_exponentiation(miller_loop_with(
                    &lines,
                    lo,
                    hi,
                    &fixed,
                    &[(p, &qp), (G1Affine::zero(), &qp)],
                ));
                let mut g1s: Vec<G1Affine> = ps[lo..hi].to_vec();
                let mut g2s: Vec<G2Affine> = qs[lo..hi].to_vec();
                g1s.extend(r);
                g2s.extend(s);
                g1s.push(p);
                g2s.push(q);
                assert_eq!(ours, Some(Bn254::multi_pairing(g1s, g2s)));
                // without the fixed pairs
                let ours = Bn254::final_exponentiation(miller_loop(&lines, lo, hi, &[]));
                let ark = Bn254::multi_pairing(ps[lo..hi].to_vec(), qs[lo..hi].to_vec());
                assert_eq!(ours, Some(ark));
            }
        }
    }

    /// `h / ℓ` for the four primes `ℓ` of the G2 cofactor `h` (little-endian limbs): `[r·h/ℓ]P`
    /// is a point of order `ℓ` (or the identity).
    const COFACTOR_OVER_PRIME: [(u64, &[u64]); 4] = [
        (
            10069,
            &[
                0x6c3cd334915f1659,
                0x207142f7671af448,
                0x9e28bcf65b5681da,
                0x00013af7a58fce69,
            ],
        ),
        (
            5864401,
            &[
                0xd3865bed56710dfd,
                0xd47f2c69679e3e75,
                0x67a5f8660434f091,
                0x0000008a712e2645,
            ],
        ),
        (
            1875725156269,
            &[
                0x57455809a5954261,
                0x227489973709a736,
                0x6f7cb3fd5082f93b,
                0x1c5dc5,
            ],
        ),
        (0, &[0x4286afdaa1f39641, 0x1774]), // ℓ ≈ 2^177
    ];

    fn on_curve(rng: &mut StdRng) -> G2Affine {
        loop {
            if let Some(q) = G2Affine::get_point_from_x_unchecked(Fq2::rand(rng), false) {
                return q;
            }
        }
    }

    /// G2 points and points with a cofactor component: in G2, random curve points, their
    /// cofactor parts `[r]P`, cofactor parts of each prime order, and sums of G2 points with
    /// those. The membership both line computations report equals `curve::is_in_g2`, and the
    /// prepared lines equal arkworks'.
    #[test]
    fn membership_from_the_lines_equals_the_subgroup_check() {
        use ark_ff::PrimeField;
        let mut rng = StdRng::seed_from_u64(13);
        let mut qs: Vec<G2Affine> = (0..12).map(|_| g2(&mut rng)).collect();
        for _ in 0..12 {
            let p = on_curve(&mut rng);
            let cofactor = p.mul_bigint(Fr::MODULUS);
            qs.push(p);
            qs.push(cofactor.into_affine());
            qs.push((cofactor + g2(&mut rng)).into_affine());
        }
        let mut orders = 0;
        for (l, h_over_l) in COFACTOR_OVER_PRIME {
            let mut found = 0;
            while found < 3 {
                let p_l = on_curve(&mut rng)
                    .mul_bigint(Fr::MODULUS)
                    .into_affine()
                    .mul_bigint(h_over_l);
                if p_l.is_zero() {
                    continue;
                }
                if l != 0 {
                    assert!(p_l.mul_bigint([l]).is_zero(), "order {l}");
                }
                found += 1;
                qs.push(p_l.into_affine());
                qs.push((p_l + g2(&mut rng)).into_affine());
            }
            orders += 1;
        }
        assert_eq!(orders, 4);
        let want: Vec<bool> = qs
            .iter()
            .map(|q| crate::curve::is_in_g2(q) && !q.is_zero())
            .collect();
        assert_eq!(
            want.iter().filter(|&&w| w).count(),
            12,
            "only the G2 points"
        );
        for (q, &want) in qs.iter().zip(&want) {
            match prepare_checked(q) {
                Some(ours) => {
                    assert!(want, "accepted a point outside G2");
                    let ark: G2Prepared<Config> = (*q).into();
                    assert_eq!(ours, ark);
                }
                None => assert!(!want, "rejected a point of G2"),
            }
        }
        let ps: Vec<G1Affine> = qs.iter().map(|_| g1(&mut rng)).collect();
        let (_, ok) = proof_lines(&ps, &qs);
        assert_eq!(ok, want);
        assert!(prepare_checked(&G2Affine::zero()).is_none());
    }

    /// A G2 point outside the subgroup never makes the line computation panic; when a step
    /// meets a zero denominator the pair is reported.
    #[test]
    fn off_subgroup_points_do_not_panic() {
        let mut rng = StdRng::seed_from_u64(12);
        let mut qs = Vec::new();
        while qs.len() < 8 {
            if let Some(q) = G2Affine::get_point_from_x_unchecked(Fq2::rand(&mut rng), false) {
                qs.push(q);
            }
        }
        let ps: Vec<G1Affine> = (0..8).map(|_| g1(&mut rng)).collect();
        let (lines, ok) = proof_lines(&ps, &qs);
        assert_eq!(lines.len(), 8 * line_count());
        assert_eq!(ok.len(), 8);
    }
}
