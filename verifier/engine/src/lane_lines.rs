//! The batch's `B` lines and its Miller loop on AVX-512 IFMA lanes ([`crate::lanes`]), and a
//! single proof's Miller loop cut into eight segments ([`single_miller_loop`]).
//!
//! The same computations as [`proof_lines`](crate::lines::proof_lines) and
//! [`miller_loop`](crate::lines::miller_loop), eight proofs at a time: proof `i` is lane
//! `i mod 8` of group `i / 8`.
//!
//! - **Lines.** Each group keeps its eight `T` points in lane form for the whole loop. A step
//!   takes the denominators (`2y_T` or `x_Q − x_T`) of the up to eight groups of a chunk of
//!   64 proofs, multiplies them into one lane product per lane, inverts those eight `Fq2`
//!   values with one scalar inversion (Montgomery's trick, as the scalar path shares one
//!   inversion per 64 proofs) and unwinds; the evaluated, normalised lines are stored in lane
//!   form. A zero denominator (only for a `B` outside G2) sends the whole chunk to the scalar
//!   computation, whose lines are then converted: the same results, at the scalar cost.
//! - **Miller loop.** One lane accumulator per lane (eight `Fq12` values), so the squarings
//!   are shared by the proofs of a lane; a range `lo..hi` of a bisection, and the proofs left
//!   out (`B` outside G2), are masked: their lanes get the line 1. The eight lane values are
//!   multiplied together at the end; the key's fixed pairs run on the scalar path.
//!
//! Every value stays below `2p` ([`crate::lanes`]); the tests compare lines, Miller loops and
//! membership results with the scalar path.

#![allow(unsafe_code)]

use alloc::vec::Vec;

use ark_bn254::{Config, Fq, Fq12, Fq2, G1Affine, G2Affine};
use ark_ec::bn::{BnConfig, G2Prepared};
use ark_ec::AffineRepr;
use ark_ff::{One, Zero};

use crate::lanes::{
    add_fq2, available, keep_lanes, load, load12, load2, mul12_by_034, mul12_by_line, mul2,
    mul_fq2_by_fq, select12, square12, square2, store12, store2, sub_fq2, Consts, Lanes, Lanes2,
    Packed12,
};
use crate::lines::{
    chunk_lines, frobenius_points, line_count, mul_by_char, p_scalars, FixedLines, Line, CHUNK,
};

/// A group's evaluated line `(c₃, c₄)` for one step, eight lanes.
#[derive(Clone, Copy)]
struct LaneLine(Lanes2, Lanes2);

/// The lines of a batch's pairs in lane form: `lines[g·L + k]` is step `k` of group `g`.
pub struct LaneLines {
    lines: Vec<LaneLine>,
    n: usize,
}

/// The lines of the pairs `(P_i, Q_i)` on lanes, with per pair whether it could be computed
/// (as [`proof_lines`](crate::lines::proof_lines)); `None` if the CPU has no IFMA.
pub fn proof_lines(ps: &[G1Affine], qs: &[G2Affine]) -> Option<(LaneLines, Vec<bool>)> {
    if !available() {
        return None;
    }
    let n = ps.len().min(qs.len());
    let l = line_count();
    let groups = n.div_ceil(8);
    // SAFETY (all `unsafe` below): `available()` holds, the only requirement of the lane
    // functions.
    let zero = unsafe { zero_line() };
    let mut lines = alloc::vec![zero; groups * l];
    let mut ok = alloc::vec![true; n];
    let work = |(out, ok): (&mut [LaneLine], &mut [bool]), start: usize| {
        let (ps, qs) = (&ps[start..start + ok.len()], &qs[start..start + ok.len()]);
        unsafe { chunk(ps, qs, out, ok, l, false) };
    };
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        lines
            .par_chunks_mut(CHUNK / 8 * l)
            .zip(ok.par_chunks_mut(CHUNK))
            .enumerate()
            .for_each(|(c, pair)| work(pair, c * CHUNK));
    }
    #[cfg(not(feature = "parallel"))]
    lines
        .chunks_mut(CHUNK / 8 * l)
        .zip(ok.chunks_mut(CHUNK))
        .enumerate()
        .for_each(|(c, pair)| work(pair, c * CHUNK));
    Some((LaneLines { lines, n }, ok))
}

/// One chunk's lines on lanes, or (if a denominator is zero, or `scalar`) by the scalar
/// computation and converted.
#[target_feature(enable = "avx512f,avx512ifma")]
fn chunk(
    ps: &[G1Affine],
    qs: &[G2Affine],
    out: &mut [LaneLine],
    ok: &mut [bool],
    l: usize,
    scalar: bool,
) {
    if scalar || !chunk_lane_lines(ps, qs, out, ok, l) {
        let mut lines = alloc::vec![(Fq2::zero(), Fq2::zero()); ok.len() * l];
        ok.fill(true);
        chunk_lines(ps, qs, &mut lines, ok, l);
        convert(&lines, out, ok.len(), l);
    }
}

#[target_feature(enable = "avx512f")]
fn zero_line() -> LaneLine {
    let z = load2([&Fq2::zero(); 8]);
    LaneLine(z, z)
}

/// Scalar lines (`m` pairs, proof-major) into lane form.
#[target_feature(enable = "avx512f")]
fn convert(scalar: &[Line], out: &mut [LaneLine], m: usize, l: usize) {
    let zero = (Fq2::zero(), Fq2::zero());
    for g in 0..m.div_ceil(8) {
        for k in 0..l {
            let at = |j: usize| {
                let i = g * 8 + j;
                if i < m {
                    &scalar[i * l + k]
                } else {
                    &zero
                }
            };
            let c3 = load2(core::array::from_fn(|j| &at(j).0));
            let c4 = load2(core::array::from_fn(|j| &at(j).1));
            out[g * l + k] = LaneLine(c3, c4);
        }
    }
}

/// A group's points in lane form, `(x, y)`.
type Point2 = (Lanes2, Lanes2);

/// [`chunk_lines`] on lanes for one chunk of at most [`CHUNK`] pairs; `false` (and `out`,
/// `ok` meaningless) if some denominator was zero.
#[target_feature(enable = "avx512f,avx512ifma")]
fn chunk_lane_lines(
    ps: &[G1Affine],
    qs: &[G2Affine],
    out: &mut [LaneLine],
    ok: &mut [bool],
    l: usize,
) -> bool {
    let c = Consts::new();
    let m = ok.len();
    let groups = m.div_ceil(8);
    // Pad the last group with copies of the first pair: its lanes are computed and never read.
    let pad = |i: usize| if i < m { i } else { 0 };
    // (−x_P/y_P, −1/y_P): the lines' coefficients are −λ·x_P/y_P and −ν/y_P.
    let s: Vec<(Fq, Fq)> = p_scalars(ps)
        .into_iter()
        .zip(ok.iter_mut())
        .map(|(s, ok)| {
            *ok &= s.is_some();
            s.map_or((Fq::zero(), Fq::zero()), |(a, b)| (-a, -b))
        })
        .collect();
    for (q, ok) in qs.iter().zip(ok.iter_mut()) {
        *ok &= !q.is_zero();
    }
    let (frob1, frob2) = frobenius_points(qs);
    let neg: Vec<G2Affine> = qs.iter().map(|q| -*q).collect();
    let lanes_of = |pts: &[G2Affine], g: usize| -> Point2 {
        (
            load2(core::array::from_fn(|j| &pts[pad(g * 8 + j)].x)),
            load2(core::array::from_fn(|j| &pts[pad(g * 8 + j)].y)),
        )
    };
    let sx: Vec<Lanes> = (0..groups)
        .map(|g| load(core::array::from_fn(|j| &s[pad(g * 8 + j)].0 .0 .0)))
        .collect();
    let sy: Vec<Lanes> = (0..groups)
        .map(|g| load(core::array::from_fn(|j| &s[pad(g * 8 + j)].1 .0 .0)))
        .collect();
    let q: Vec<Point2> = (0..groups).map(|g| lanes_of(qs, g)).collect();
    let nq: Vec<Point2> = (0..groups).map(|g| lanes_of(&neg, g)).collect();
    let f1: Vec<Point2> = (0..groups).map(|g| lanes_of(&frob1, g)).collect();
    let f2: Vec<Point2> = (0..groups).map(|g| lanes_of(&frob2, g)).collect();
    let mut t: Vec<Point2> = q.clone();
    let one = load2([&Fq2::one(); 8]);
    let mut den: Vec<Lanes2> = alloc::vec![one; groups];
    let mut pre: Vec<Lanes2> = alloc::vec![one; groups];
    // One step for every group: the line through T (tangent when `add` is None) and T's
    // update; `false` if a denominator is zero.
    let mut step = |t: &mut [Point2], add: Option<&[Point2]>, k: usize| -> bool {
        let mut acc = one;
        for g in 0..groups {
            den[g] = match add {
                None => add_fq2(&t[g].1, &t[g].1, &c),
                Some(a) => sub_fq2(&a[g].0, &t[g].0, &c),
            };
            pre[g] = acc;
            acc = mul2(&acc, &den[g], &c);
        }
        let mut inv = store2(&acc);
        if inv.iter().any(Zero::is_zero) {
            return false;
        }
        ark_ff::batch_inversion(&mut inv);
        let mut inv = load2(core::array::from_fn(|j| &inv[j]));
        for g in (0..groups).rev() {
            let dinv = mul2(&inv, &pre[g], &c);
            inv = mul2(&inv, &den[g], &c);
            let (x, y) = t[g];
            // λ = 3x²/(2y) (tangent) or (y_Q − y)/(x_Q − x); x₃ = λ² − x − x_Q;
            // y₃ = λ·(x − x₃) − y; the line (1, −λ, −(y − λ·x)) evaluated at P.
            let (lambda, xq) = match add {
                None => {
                    let xx = square2(&x, &c);
                    (
                        mul2(&add_fq2(&add_fq2(&xx, &xx, &c), &xx, &c), &dinv, &c),
                        x,
                    )
                }
                Some(a) => (mul2(&sub_fq2(&a[g].1, &y, &c), &dinv, &c), a[g].0),
            };
            let nu = sub_fq2(&y, &mul2(&lambda, &x, &c), &c);
            out[g * l + k] = LaneLine(
                mul_fq2_by_fq(&lambda, &sx[g], &c),
                mul_fq2_by_fq(&nu, &sy[g], &c),
            );
            let x3 = sub_fq2(&sub_fq2(&square2(&lambda, &c), &x, &c), &xq, &c);
            let y3 = sub_fq2(&mul2(&lambda, &sub_fq2(&x, &x3, &c), &c), &y, &c);
            t[g] = (x3, y3);
        }
        true
    };
    let mut k = 0usize;
    for &digit in Config::ATE_LOOP_COUNT.iter().rev().skip(1) {
        if !step(&mut t, None, k) {
            return false;
        }
        k += 1;
        let add = match digit {
            1 => &q,
            -1 => &nq,
            _ => continue,
        };
        if !step(&mut t, Some(add), k) {
            return false;
        }
        k += 1;
    }
    // (BN254's seed is positive, checked in lines.rs: no negation of T here.)
    if !step(&mut t, Some(&f1), k) || !step(&mut t, Some(&f2), k + 1) {
        return false;
    }
    debug_assert_eq!(k + 2, l);
    // T = [6x+2]Q + ψ(Q) − ψ²(Q) = −ψ³(Q) iff Q ∈ G2; frob2 = −ψ²(Q), so −ψ³(Q) = ψ(frob2).
    for (g, (x, y)) in t.iter().enumerate() {
        let (xs, ys) = (store2(x), store2(y));
        for j in 0..8 {
            let i = g * 8 + j;
            if i < m {
                ok[i] &= G2Affine::new_unchecked(xs[j], ys[j]) == mul_by_char(&frob2[i]);
            }
        }
    }
    true
}

impl LaneLines {
    /// The Miller loop of `Π e(P_i, Q_i)` over `i ∈ lo..hi` with `skip[i]` false, up to an
    /// `Fq2` factor (as [`miller_loop`](crate::lines::miller_loop) without fixed pairs). With
    /// `parallel`, one set of lane accumulators per thread.
    pub fn miller_loop(&self, lo: usize, hi: usize, skip: &[bool]) -> Fq12 {
        let hi = hi.min(self.n);
        if lo >= hi {
            return Fq12::one();
        }
        // The groups meeting lo..hi, each with the lanes it contributes.
        let masks: Vec<(usize, u8)> = (lo / 8..hi.div_ceil(8))
            .map(|g| {
                let mut keep = 0u8;
                for j in 0..8 {
                    let i = g * 8 + j;
                    if (lo..hi).contains(&i) && !skip.get(i).copied().unwrap_or(false) {
                        keep |= 1 << j;
                    }
                }
                (g, keep)
            })
            .filter(|&(_, keep)| keep != 0)
            .collect();
        // SAFETY: `LaneLines` exist only if `available()` held (`proof_lines`).
        let one = |m: &[(usize, u8)]| unsafe { self.lane_loop(m) };
        #[cfg(feature = "parallel")]
        {
            use rayon::prelude::*;
            let threads = rayon::current_num_threads().max(1);
            let per = masks.len().div_ceil(threads).max(1);
            masks
                .par_chunks(per)
                .map(one)
                .reduce(Fq12::one, |x, y| x * y)
        }
        #[cfg(not(feature = "parallel"))]
        one(&masks)
    }

    #[target_feature(enable = "avx512f,avx512ifma")]
    fn lane_loop(&self, masks: &[(usize, u8)]) -> Fq12 {
        if masks.is_empty() {
            return Fq12::one();
        }
        let c = Consts::new();
        let l = line_count();
        let ate = Config::ATE_LOOP_COUNT;
        let mut f = load12([&Fq12::one(); 8]);
        let mut k = 0usize;
        let apply = |f: &mut crate::lanes::Lanes12, k: usize| {
            for &(g, keep) in masks {
                let line = &self.lines[g * l + k];
                let (d0, d1) = if keep == 0xff {
                    (line.0, line.1)
                } else {
                    (keep_lanes(&line.0, keep), keep_lanes(&line.1, keep))
                };
                *f = mul12_by_line(f, &d0, &d1, &c);
            }
        };
        for i in (1..ate.len()).rev() {
            if i != ate.len() - 1 {
                f = square12(&f, &c);
            }
            apply(&mut f, k);
            k += 1;
            if ate[i - 1] != 0 {
                apply(&mut f, k);
                k += 1;
            }
        }
        apply(&mut f, k);
        apply(&mut f, k + 1);
        store12(&f).iter().fold(Fq12::one(), |acc, x| acc * x)
    }
}

/// The Miller loop of one proof's few pairs on lanes: [`miller_loop_with`] without batch
/// lines, the same value; `None` if the CPU has no IFMA.
///
/// A single proof's Miller loop is one chain of steps `f ← f²·l₁·l₂·l₃` (or `f·l₁·l₂·l₃` for
/// an addition step), which lanes of independent proofs cannot shorten. It is cut instead into
/// eight consecutive segments, one per lane: lane `j` runs its segment's steps from 1, giving
/// `F_j`, in lockstep with the others (a lane whose step does not square keeps its value; past
/// a segment's end the lines are 1). Squaring distributes over products, so running segment
/// `j` from `g` gives `g^(2^q_j)·F_j` with `q_j` the squarings of the segment, and the loop's
/// value is `(…((F₀^(2^q₁)·F₁)^(2^q₂)·F₂)…)·F₇`: the lanes make every line product and an
/// eighth of the squarings, the scalar chain the other squarings and seven products.
///
/// [`miller_loop_with`]: crate::lines::miller_loop_with
pub fn single_miller_loop(
    fixed: &[(&FixedLines, (Fq, Fq))],
    raw: &[(G1Affine, &G2Prepared<Config>)],
) -> Option<Fq12> {
    if !available() {
        return None;
    }
    let l = line_count();
    let raw = crate::lines::contributing(raw);
    let steps = crate::lines::loop_steps();
    debug_assert_eq!(steps.len(), l);
    let per = steps.len().div_ceil(8);
    // SAFETY: `available()` holds, the only requirement of the lane functions.
    let fs = unsafe { segments(&steps, per, fixed, &raw) };
    // The chain, one packed value (lanes::Packed12).
    let mut f = Packed12::new(&fs[0])?;
    for (j, fj) in fs.iter().enumerate().skip(1) {
        let q = steps.iter().skip(j * per).take(per).filter(|s| s.0).count();
        f = f.square_n(q).mul(&f.load(fj));
    }
    Some(f.get())
}

/// The segments' values `F_j` of [`single_miller_loop`] (`per` steps each).
#[target_feature(enable = "avx512f,avx512ifma")]
fn segments(
    steps: &[(bool, usize)],
    per: usize,
    fixed: &[(&FixedLines, (Fq, Fq))],
    raw: &[(G1Affine, &G2Prepared<Config>)],
) -> [Fq12; 8] {
    let c = Consts::new();
    let (zero, one) = (Fq2::zero(), Fq2::one());
    let zero_ratio = (zero, zero);
    let mut f = load12([&Fq12::one(); 8]);
    // Per fixed pair its factors `(x_P/y_P, 1/y_P)`, per raw pair `(x_P, y_P)`, in every lane.
    let fixed_s: Vec<(Lanes, Lanes)> = fixed
        .iter()
        .map(|(_, s)| (load([&s.0 .0 .0; 8]), load([&s.1 .0 .0; 8])))
        .collect();
    let raw_x: Vec<Lanes> = raw.iter().map(|(p, _)| load([&p.x.0 .0; 8])).collect();
    let fq_one = Fq::one();
    for t in 0..per {
        let step = |j: usize| steps.get(j * per + t);
        let mut square = 0u8;
        for j in 0..8 {
            if step(j).is_some_and(|s| s.0) {
                square |= 1 << j;
            }
        }
        if square != 0 {
            f = select12(square, &f, &square12(&f, &c));
        }
        // Lanes past their segment's end get the line 1: ratios 0, coefficients (1, 0, 0).
        for ((q, _), (sx, sy)) in fixed.iter().zip(&fixed_s) {
            let r: [&(Fq2, Fq2); 8] =
                core::array::from_fn(|j| step(j).map_or(&zero_ratio, |s| q.ratio(s.1)));
            let d0 = mul_fq2_by_fq(&load2(core::array::from_fn(|j| &r[j].0)), sx, &c);
            let d1 = mul_fq2_by_fq(&load2(core::array::from_fn(|j| &r[j].1)), sy, &c);
            f = mul12_by_line(&f, &d0, &d1, &c);
        }
        for ((p, q), x) in raw.iter().zip(&raw_x) {
            let e: [(&Fq2, &Fq2, &Fq2); 8] = core::array::from_fn(|j| {
                step(j).map_or((&one, &zero, &zero), |s| {
                    let (c0, c1, c2) = &q.ell_coeffs[s.1];
                    (c0, c1, c2)
                })
            });
            let a = load2(core::array::from_fn(|j| e[j].0));
            let b0 = load2(core::array::from_fn(|j| e[j].1));
            let b1 = load2(core::array::from_fn(|j| e[j].2));
            let y = load(core::array::from_fn(|j| {
                if step(j).is_some() {
                    &p.y.0 .0
                } else {
                    &fq_one.0 .0
                }
            }));
            f = mul12_by_034(
                &f,
                &mul_fq2_by_fq(&a, &y, &c),
                &mul_fq2_by_fq(&b0, x, &c),
                &b1,
                &c,
            );
        }
    }
    store12(&f)
}

const _: () = assert!(!<Config as BnConfig>::X_IS_NEGATIVE);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lines::{miller_loop, proof_lines as scalar_lines};
    use ark_bn254::{Fr, G1Projective, G2Projective};
    use ark_ec::{CurveGroup, PrimeGroup};
    use ark_ff::{Field, UniformRand};
    use rand::{rngs::StdRng, SeedableRng};

    fn points(n: usize, rng: &mut StdRng) -> (Vec<G1Affine>, Vec<G2Affine>) {
        let ps = (0..n)
            .map(|_| (G1Projective::generator() * Fr::rand(rng)).into_affine())
            .collect();
        let qs = (0..n)
            .map(|_| (G2Projective::generator() * Fr::rand(rng)).into_affine())
            .collect();
        (ps, qs)
    }

    /// Lane lines and Miller loops equal the scalar path's (up to the same `Fq2` factor:
    /// equal values), for sizes around the group and chunk edges, on every subrange a
    /// bisection makes and with proofs left out.
    #[test]
    fn lane_miller_loops_equal_the_scalar_path() {
        if !available() {
            eprintln!("no AVX-512 IFMA on this CPU: lane lines not tested");
            return;
        }
        let mut rng = StdRng::seed_from_u64(41);
        for n in [1usize, 7, 8, 9, 64, 70] {
            let (ps, qs) = points(n, &mut rng);
            let (scalar, ok_s) = scalar_lines(&ps, &qs);
            let (lanes, ok_l) = proof_lines(&ps, &qs).expect("IFMA");
            assert_eq!(ok_l, ok_s, "{n} pairs");
            assert!(ok_l.iter().all(|&b| b));
            let mut skip = alloc::vec![false; n];
            for (lo, hi) in [(0, n), (0, n / 2), (n / 2, n), (n / 3, n - n / 4)] {
                assert_eq!(
                    lanes.miller_loop(lo, hi, &skip),
                    miller_loop(&scalar, lo, hi, &[]).0,
                    "{n} pairs, {lo}..{hi}"
                );
            }
            if n > 3 {
                skip[3] = true;
                let mut zeroed = scalar.clone();
                let l = line_count();
                zeroed[3 * l..4 * l].fill((Fq2::zero(), Fq2::zero()));
                assert_eq!(
                    lanes.miller_loop(0, n, &skip),
                    miller_loop(&zeroed, 0, n, &[]).0,
                    "{n} pairs, one skipped"
                );
            }
        }
    }

    /// The scalar fallback of a chunk (taken when a denominator is zero) gives the lane
    /// computation's lines, in lane form.
    #[test]
    fn scalar_fallback_equals_lane_lines() {
        if !available() {
            eprintln!("no AVX-512 IFMA on this CPU: lane lines not tested");
            return;
        }
        let mut rng = StdRng::seed_from_u64(43);
        let l = line_count();
        for n in [5usize, 16, 64] {
            let (ps, qs) = points(n, &mut rng);
            let (lanes, ok) = proof_lines(&ps, &qs).expect("IFMA");
            let mut out = lanes.lines.clone();
            let mut ok2 = alloc::vec![true; n];
            // SAFETY: `available()` holds.
            unsafe { chunk(&ps, &qs, &mut out, &mut ok2, l, true) };
            assert_eq!(ok2, ok);
            let fallback = LaneLines { lines: out, n };
            let skip = alloc::vec![false; n];
            assert_eq!(
                fallback.miller_loop(0, n, &skip),
                lanes.miller_loop(0, n, &skip),
                "{n} pairs"
            );
        }
    }

    /// A `B` off the prime-order subgroup is reported as the scalar path reports it, and the
    /// other pairs' loops are unchanged.
    #[test]
    fn off_subgroup_points_as_the_scalar_path() {
        if !available() {
            eprintln!("no AVX-512 IFMA on this CPU: lane lines not tested");
            return;
        }
        let mut rng = StdRng::seed_from_u64(42);
        let (ps, mut qs) = points(20, &mut rng);
        // A point on the twist off G2: x with x³ + b' a square, not multiplied by the cofactor.
        let mut x = Fq2::from(7u64);
        let off = loop {
            let rhs = x.square() * x
                + <ark_bn254::g2::Config as ark_ec::short_weierstrass::SWCurveConfig>::COEFF_B;
            if let Some(y) = rhs.sqrt() {
                let p = G2Affine::new_unchecked(x, y);
                if !p.is_in_correct_subgroup_assuming_on_curve() {
                    break p;
                }
            }
            x += Fq2::one();
        };
        qs[5] = off;
        let (scalar, ok_s) = scalar_lines(&ps, &qs);
        let (lanes, ok_l) = proof_lines(&ps, &qs).expect("IFMA");
        assert_eq!(ok_l, ok_s);
        assert!(!ok_l[5]);
        let skip: Vec<bool> = ok_l.iter().map(|ok| !ok).collect();
        let mut zeroed = scalar.clone();
        let l = line_count();
        zeroed[5 * l..6 * l].fill((Fq2::zero(), Fq2::zero()));
        assert_eq!(
            lanes.miller_loop(0, 20, &skip),
            miller_loop(&zeroed, 0, 20, &[]).0
        );
    }

    /// A single proof's segmented lane Miller loop equals the scalar one (the same value, not
    /// only after the final exponentiation) for every mix of fixed and prepared pairs a
    /// verification makes, identity points included.
    #[test]
    fn single_miller_loop_equals_the_scalar_path() {
        if !available() {
            eprintln!("no AVX-512 IFMA on this CPU: lane Miller loop not tested");
            return;
        }
        use crate::lines::{miller_loop_with, prepare_checked};
        let mut rng = StdRng::seed_from_u64(47);
        for round in 0..4 {
            let (ps, qs) = points(4, &mut rng);
            let prepared: Vec<G2Prepared<Config>> = qs[..2]
                .iter()
                .map(|q| ark_ec::bn::G2Prepared::from(*q))
                .collect();
            let fixed_lines: Vec<FixedLines> = prepared
                .iter()
                .map(|q| FixedLines::new(q).expect("not the identity"))
                .collect();
            let b = prepare_checked(&qs[2]).expect("in G2");
            let sc = p_scalars(&ps[..2]);
            let fixed: Vec<(&FixedLines, (Fq, Fq))> = fixed_lines
                .iter()
                .zip(&sc)
                .map(|(q, s)| (q, s.expect("not the identity")))
                .collect();
            let a = if round == 3 { G1Affine::zero() } else { ps[3] };
            for (nf, nr) in [(2, 1), (1, 1), (2, 0), (0, 1), (0, 0)] {
                let raw = [(a, &b)];
                let raw = &raw[..nr];
                assert_eq!(
                    single_miller_loop(&fixed[..nf], raw).expect("IFMA"),
                    miller_loop_with(&[], 0, 0, &fixed[..nf], raw).0,
                    "round {round}, {nf} fixed, {nr} prepared pairs"
                );
            }
        }
    }
}
