//! The radix-2 FFTs of the QAP witness map, without bit-reversal passes.
//!
//! [`Fft`] holds, for one domain `H = ⟨ω⟩` of size `n = 2^k` and one coset `g·H`, the
//! twiddle factors and coset scalings, computed once per proving key. It offers exactly the
//! transforms the witness map needs:
//!
//! - [`Fft::evals_to_coset_evals`]: evaluations of a polynomial `p` (`deg p < n`) on `H` →
//!   its evaluations on `g·H` (what `domain.ifft` then `coset.fft` compute in arkworks);
//! - [`Fft::coset_evals_to_coeffs`]: evaluations on `g·H` → coefficients (`coset.ifft`);
//! - [`Fft::quotient_coeffs`]: the QAP quotient `(A·B − C)/Z` from `A·B` on `g·H` and `C` on
//!   `H`, without `C`'s coset evaluations (two inverse transforms instead of three
//!   transforms: the witness map runs six FFTs, not arkworks' seven).
//!
//! How, and why it is faster than the two arkworks transforms it replaces (measured in the
//! `prove` bench; about 40 ms per 2^17 transform with arkworks on one core):
//!
//! - the inverse transform is decimation in frequency (Gentleman–Sande: natural order in,
//!   bit-reversed out) and the forward one decimation in time (Cooley–Tukey: bit-reversed in,
//!   natural out), so the coefficients in between stay bit-reversed and need no permutation;
//!   the coset scaling and `1/n` are one precomputed factor per (bit-reversed) position;
//! - per-level contiguous twiddle tables, computed once instead of per call;
//! - branch-free modular addition and subtraction in the butterflies ([`crate::arith`]);
//! - levels whose butterflies span less than `BLOCK` elements run block by block, so a
//!   block stays in the L2 cache through all of them: the whole vector is streamed from
//!   memory only for the few widest levels.
//!
//! Only the final coefficient vector is permuted into natural order (one pass).

use crate::arith::{AddSub, FastMul};
use ark_bn254::Fr;
use ark_ff::{FftField, Field, One};

#[cfg(feature = "parallel")]
use rayon::prelude::*;

/// Elements per cache block (2^12 × 32 B = 128 KiB).
const BLOCK: usize = 1 << 12;

/// Twiddles of one direction: level `m` (butterflies between `i` and `i + m`) uses
/// `tw[m − 1 + j] = ω_{2m}^j` for `j < m`, with `ω_{2m}` a primitive `2m`-th root of unity.
struct Twiddles(Vec<Fr>);

impl Twiddles {
    /// Tables for the root `w` of order `n`.
    fn new(w: Fr, n: usize) -> Self {
        let mut tw = vec![Fr::one(); n.max(2) - 1];
        let half = n / 2;
        if half >= 1 {
            // widest level: ω^j for j < n/2
            let top = &mut tw[half - 1..n - 1];
            for j in 1..half {
                top[j] = top[j - 1] * w;
            }
            // level m: every (n/2m)-th power, i.e. every other entry of level 2m
            let mut m = half / 2;
            while m >= 1 {
                for j in 0..m {
                    tw[m - 1 + j] = tw[2 * m - 1 + 2 * j];
                }
                m /= 2;
            }
        }
        Self(tw)
    }

    /// The forward tables of the transform onto the coset `g·H`: the wide levels
    /// (`m ≥ BLOCK`) multiplied by `g^(n/2m)`. A DIT level `m` combines, in every group, the
    /// sub-transforms of the coefficients whose bit `n/2m` is clear (`lo`) and set (`hi`),
    /// so scaling the `hi` inputs by `g^(n/2m)` at every level scales coefficient `i` by
    /// `g^i` in all; done for the wide levels, the per-position coset factor left is the
    /// one of the bits below `n/2·BLOCK`, which [`Scaling`] applies with `1/n` in one
    /// multiplication per element (instead of two), at no cost in the wide levels, whose
    /// twiddles are multiplications anyway.
    fn with_coset_on_wide_levels(mut self, g: Fr, n: usize) -> Self {
        let mut m = BLOCK;
        while m < n {
            let f = g.pow([(n / (2 * m)) as u64]);
            for t in &mut self.0[m - 1..2 * m - 1] {
                *t *= f;
            }
            m *= 2;
        }
        self
    }

    #[inline]
    fn level(&self, m: usize) -> &[Fr] {
        &self.0[m - 1..2 * m - 1]
    }
}

/// FFT tables for one domain and coset; see the [module documentation](self).
pub struct Fft {
    n: usize,
    /// Forward twiddles onto the coset: the wide levels carry the coset's factors
    /// ([`Twiddles::with_coset_on_wide_levels`]).
    fwd: Twiddles,
    inv: Twiddles,
    /// `g^rev_l(j)·2^(k−l) / n` at position `p = h·L + j` (see [`Scaling`]): the part of the
    /// coset scaling of bit-reversed coefficients that `fwd`'s wide levels do not apply.
    to_coset: Scaling,
    /// `g^−rev(p) / n` at position `p`: removes the coset from bit-reversed coefficients.
    from_coset: Scaling,
    /// `1/n`.
    n_inv: Fr,
}

/// The factors `s(p) = g^rev(p) / n` of every position `p < n = 2^k`, as two small tables
/// instead of `n` field elements (4 MB each at 2^17): with `L = min(n, BLOCK) = 2^l` and
/// `p = h·L + j`, `rev_k(p) = rev_l(j)·2^(k−l) + rev_(k−l)(h)`, so
/// `s(p) = low[j] · high[h]` with `low[j] = (g^(2^(k−l)))^rev_l(j) / n` and
/// `high[h] = g^rev_(k−l)(h)` — one more multiplication per element of a transform.
struct Scaling {
    low: Vec<Fr>,
    high: Vec<Fr>,
}

impl Scaling {
    /// `low` alone (`high` all ones): the forward transform's wide levels apply `high`.
    fn low_only(g: Fr, n: usize, n_inv: Fr) -> Self {
        let s = Self::new(g, n, n_inv);
        Self {
            high: vec![Fr::one(); s.high.len()],
            low: s.low,
        }
    }

    fn new(g: Fr, n: usize, n_inv: Fr) -> Self {
        let bits = n.trailing_zeros();
        let l = n.min(BLOCK);
        let lbits = l.trailing_zeros();
        let powers = |base: Fr, len: usize, first: Fr| -> Vec<Fr> {
            let mut p = Vec::with_capacity(len);
            let mut acc = first;
            for _ in 0..len {
                p.push(acc);
                acc *= base;
            }
            let b = len.trailing_zeros();
            (0..len).map(|i| p[rev(i, b)]).collect()
        };
        let step = g.pow([1u64 << (bits - lbits)]);
        Self {
            low: powers(step, l, n_inv),
            high: powers(g, n / l, Fr::one()),
        }
    }
}

impl std::fmt::Debug for Fft {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fft")
            .field("n", &self.n)
            .finish_non_exhaustive()
    }
}

/// `i` with its low `bits` bits reversed.
#[inline]
fn rev(i: usize, bits: u32) -> usize {
    if bits == 0 {
        0
    } else {
        i.reverse_bits() >> (usize::BITS - bits)
    }
}

impl Fft {
    /// Tables for the domain of size `n` (a power of two the field supports) and the coset
    /// with offset `g`; `None` if there is no such domain or `g` is zero.
    pub fn new(n: usize, g: Fr) -> Option<Self> {
        if !n.is_power_of_two() {
            return None;
        }
        let w = Fr::get_root_of_unity(n as u64)?;
        let w_inv = w.inverse()?;
        let g_inv = g.inverse()?;
        let n_inv = Fr::from(n as u64).inverse()?;
        Some(Self {
            n,
            fwd: Twiddles::new(w, n).with_coset_on_wide_levels(g, n),
            inv: Twiddles::new(w_inv, n),
            to_coset: Scaling::low_only(g, n, n_inv),
            from_coset: Scaling::new(g_inv, n, n_inv),
            n_inv,
        })
    }

    /// Domain size.
    pub fn size(&self) -> usize {
        self.n
    }

    /// In place: evaluations of `p` on `H` (natural order) → evaluations on `g·H` (natural
    /// order). Panics if `v.len()` is not the domain size (callers size their vectors).
    pub fn evals_to_coset_evals(&self, v: &mut [Fr]) {
        assert_eq!(v.len(), self.n, "FFT input of the domain size");
        dif(v, &self.inv);
        // v[p] = n · coefficient rev(p); scale to coefficient·g^rev(p): the low bits' factor
        // and 1/n here, the high bits' in the wide levels of the forward transform
        mul_by(v, &self.to_coset);
        dit(v, &self.fwd);
    }

    /// In place: evaluations on `g·H` (natural order) → coefficients (natural order).
    /// Panics if `v.len()` is not the domain size.
    pub fn coset_evals_to_coeffs(&self, v: &mut [Fr]) {
        assert_eq!(v.len(), self.n, "FFT input of the domain size");
        dif(v, &self.inv);
        mul_by(v, &self.from_coset);
        bit_reverse(v);
    }

    /// The QAP quotient's coefficients in two inverse transforms instead of a forward and two
    /// inverse ones: given `ab` = the evaluations of `A·B` on `g·H` (`A`, `B` of degree `< n`)
    /// and `c` = the evaluations of `C` on `H`, overwrites `ab` with the coefficients
    /// (natural order) of
    ///
    /// `h = (coset_ifft(ab) − ifft(c)) · zinv`,
    ///
    /// which with `zinv = 1/(gⁿ − 1)` is exactly `coset_ifft((ab − C(g·H)) / Z(g·H))`, the
    /// quotient the witness map computes (`Z = Xⁿ − 1` is the constant `gⁿ − 1` on `g·H`, and
    /// `coset_ifft` of `C`'s coset evaluations is `C`'s coefficients because `deg C < n`):
    /// `C` never needs its coset evaluations. `c` is left in an unspecified state.
    /// Panics if a length is not the domain size.
    pub fn quotient_coeffs(&self, ab: &mut [Fr], c: &mut [Fr], zinv: Fr) {
        assert_eq!(ab.len(), self.n, "FFT input of the domain size");
        assert_eq!(c.len(), self.n, "FFT input of the domain size");
        dif(ab, &self.inv);
        dif(c, &self.inv);
        // ab[p] = n·g^rev(p)·P_rev(p), c[p] = n·C_rev(p) (P = A·B mod Xⁿ − gⁿ): one pass
        // h_rev(p) = (ab[p]·g^−rev(p)/n − c[p]/n)·zinv
        let s = &self.from_coset;
        let k = self.n_inv.mul_fast(&zinv);
        let low: Vec<Fr> = s.low.iter().map(|x| x.mul_fast(&zinv)).collect();
        let block = |((v, c), h): ((&mut [Fr], &[Fr]), &Fr)| {
            let one = h.is_one();
            for ((x, c), l) in v.iter_mut().zip(c).zip(&low) {
                let f = if one { *l } else { l.mul_fast(h) };
                *x = x.mul_fast(&f).sub_bf(&c.mul_fast(&k));
            }
        };
        #[cfg(feature = "parallel")]
        ab.par_chunks_mut(low.len())
            .zip(c.par_chunks(low.len()))
            .zip(s.high.par_iter())
            .for_each(block);
        #[cfg(not(feature = "parallel"))]
        ab.chunks_mut(low.len())
            .zip(c.chunks(low.len()))
            .zip(s.high.iter())
            .for_each(block);
        bit_reverse(ab);
    }
}

/// `v[p] *= s(p)` (see [`Scaling`]).
fn mul_by(v: &mut [Fr], s: &Scaling) {
    let block = |(v, h): (&mut [Fr], &Fr)| {
        if h.is_one() {
            v.iter_mut()
                .zip(&s.low)
                .for_each(|(x, y)| *x = x.mul_fast(y));
        } else {
            v.iter_mut()
                .zip(&s.low)
                .for_each(|(x, y)| *x = x.mul_fast(&y.mul_fast(h)));
        }
    };
    #[cfg(feature = "parallel")]
    v.par_chunks_mut(s.low.len())
        .zip(s.high.par_iter())
        .for_each(block);
    #[cfg(not(feature = "parallel"))]
    v.chunks_mut(s.low.len()).zip(s.high.iter()).for_each(block);
}

/// Butterflies whose twiddle is 1 skip the multiplication: the first of every group (`j = 0`),
/// which is every butterfly of the `m = 1` level and half of the `m = 2` level.
#[inline]
fn unit_first(tw: &[Fr]) -> usize {
    usize::from(tw.first().is_some_and(|w| w.is_one()))
}

/// One Gentleman–Sande level on a group `[lo | hi]` of `2m` elements:
/// `(u, v) ↦ (u + v, (u − v)·ω_{2m}^j)`.
#[inline]
fn dif_level(lo: &mut [Fr], hi: &mut [Fr], tw: &[Fr]) {
    let skip = unit_first(tw).min(lo.len());
    for (u, v) in lo[..skip].iter_mut().zip(hi[..skip].iter_mut()) {
        let t = u.sub_bf(v);
        *u = u.add_bf(v);
        *v = t;
    }
    for ((u, v), w) in lo[skip..]
        .iter_mut()
        .zip(hi[skip..].iter_mut())
        .zip(&tw[skip..])
    {
        let t = u.sub_bf(v);
        *u = u.add_bf(v);
        *v = t.mul_fast(w);
    }
}

/// One Cooley–Tukey level on a group `[lo | hi]`: `(u, v) ↦ (u + v·ω^j, u − v·ω^j)`.
#[inline]
fn dit_level(lo: &mut [Fr], hi: &mut [Fr], tw: &[Fr]) {
    let skip = unit_first(tw).min(lo.len());
    for (u, v) in lo[..skip].iter_mut().zip(hi[..skip].iter_mut()) {
        let t = *v;
        *v = u.sub_bf(&t);
        *u = u.add_bf(&t);
    }
    for ((u, v), w) in lo[skip..]
        .iter_mut()
        .zip(hi[skip..].iter_mut())
        .zip(&tw[skip..])
    {
        let t = v.mul_fast(w);
        *v = u.sub_bf(&t);
        *u = u.add_bf(&t);
    }
}

/// Level `m` over all of `v` (groups of `2m`), split into tasks of about `BLOCK` butterflies.
fn wide_level(v: &mut [Fr], m: usize, tw: &[Fr], f: fn(&mut [Fr], &mut [Fr], &[Fr])) {
    let step = m.min(BLOCK);
    let one_group = |g: &mut [Fr]| {
        let (lo, hi) = g.split_at_mut(m);
        #[cfg(feature = "parallel")]
        lo.par_chunks_mut(step)
            .zip(hi.par_chunks_mut(step))
            .zip(tw.par_chunks(step))
            .for_each(|((l, h), t)| f(l, h, t));
        #[cfg(not(feature = "parallel"))]
        lo.chunks_mut(step)
            .zip(hi.chunks_mut(step))
            .zip(tw.chunks(step))
            .for_each(|((l, h), t)| f(l, h, t));
    };
    #[cfg(feature = "parallel")]
    v.par_chunks_mut(2 * m).for_each(one_group);
    #[cfg(not(feature = "parallel"))]
    v.chunks_mut(2 * m).for_each(one_group);
}

/// Level `m` of `t` on every group of `2m` elements inside one block.
fn block_level(b: &mut [Fr], m: usize, t: &Twiddles, f: fn(&mut [Fr], &mut [Fr], &[Fr])) {
    let tw = t.level(m);
    for g in b.chunks_mut(2 * m) {
        let (lo, hi) = g.split_at_mut(m);
        f(lo, hi, tw);
    }
}

/// Levels `m = first, first/2, …, 1` (DIF order) inside one block.
fn block_dif(b: &mut [Fr], first: usize, t: &Twiddles) {
    let mut m = first;
    while m >= 1 {
        block_level(b, m, t, dif_level);
        m /= 2;
    }
}

/// Levels `m = 1, 2, …, last` (DIT order) inside one block.
fn block_dit(b: &mut [Fr], last: usize, t: &Twiddles) {
    let mut m = 1;
    while m <= last {
        block_level(b, m, t, dit_level);
        m *= 2;
    }
}

/// Unscaled DIF transform with the twiddles `t`: natural order in, bit-reversed out.
fn dif(v: &mut [Fr], t: &Twiddles) {
    let n = v.len();
    let mut m = n / 2;
    while m >= 1 && 2 * m > BLOCK {
        wide_level(v, m, t.level(m), dif_level);
        m /= 2;
    }
    if m >= 1 {
        let bs = 2 * m;
        #[cfg(feature = "parallel")]
        v.par_chunks_mut(bs).for_each(|b| block_dif(b, m, t));
        #[cfg(not(feature = "parallel"))]
        v.chunks_mut(bs).for_each(|b| block_dif(b, m, t));
    }
}

/// Unscaled DIT transform with the twiddles `t`: bit-reversed order in, natural out.
fn dit(v: &mut [Fr], t: &Twiddles) {
    let n = v.len();
    if n < 2 {
        return;
    }
    let top = (n / 2).min(BLOCK / 2);
    let bs = 2 * top;
    #[cfg(feature = "parallel")]
    v.par_chunks_mut(bs).for_each(|b| block_dit(b, top, t));
    #[cfg(not(feature = "parallel"))]
    v.chunks_mut(bs).for_each(|b| block_dit(b, top, t));
    let mut m = 2 * top;
    while m < n {
        wide_level(v, m, t.level(m), dit_level);
        m *= 2;
    }
}

/// Permutes `v` (length a power of two) from bit-reversed into natural order.
fn bit_reverse(v: &mut [Fr]) {
    let bits = v.len().trailing_zeros();
    for i in 0..v.len() {
        let j = rev(i, bits);
        if i < j {
            v.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ff::UniformRand;
    use ark_poly::{EvaluationDomain, GeneralEvaluationDomain};
    use rand::{rngs::StdRng, SeedableRng};

    /// Both transforms equal arkworks' (`ifft` then coset `fft`; coset `ifft`) for every size
    /// from 1 to past the cache block, with the prover's coset offset.
    #[test]
    fn transforms_equal_arkworks() {
        let mut rng = StdRng::seed_from_u64(5);
        for log in 0..=14 {
            let n = 1usize << log;
            let g = Fr::GENERATOR;
            let d = GeneralEvaluationDomain::<Fr>::new(n).unwrap();
            let c = d.get_coset(g).unwrap();
            let fft = Fft::new(n, g).unwrap();
            let evals: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();

            let mut want = evals.clone();
            d.ifft_in_place(&mut want);
            c.fft_in_place(&mut want);
            let mut got = evals.clone();
            fft.evals_to_coset_evals(&mut got);
            assert_eq!(got, want, "evals → coset evals, n = {n}");

            let mut want = evals.clone();
            c.ifft_in_place(&mut want);
            let mut got = evals.clone();
            fft.coset_evals_to_coeffs(&mut got);
            assert_eq!(got, want, "coset evals → coefficients, n = {n}");

            // the quotient: coset_ifft((ab − C(g·H)) / (gⁿ − 1)), for any ab and C (the
            // identity holds whether or not ab = A·B agrees with C on H)
            let cs: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
            let zinv = (g.pow([n as u64]) - Fr::one()).inverse().unwrap();
            let mut cc = cs.clone();
            d.ifft_in_place(&mut cc);
            c.fft_in_place(&mut cc);
            let mut want: Vec<Fr> = evals
                .iter()
                .zip(&cc)
                .map(|(x, y)| (*x - y) * zinv)
                .collect();
            c.ifft_in_place(&mut want);
            let (mut got, mut cv) = (evals, cs);
            fft.quotient_coeffs(&mut got, &mut cv, zinv);
            assert_eq!(got, want, "quotient coefficients, n = {n}");
        }
    }

    #[test]
    fn rejects_sizes_without_a_domain() {
        assert!(Fft::new(3, Fr::GENERATOR).is_none());
        assert!(
            Fft::new(1 << 29, Fr::GENERATOR).is_none(),
            "2-adicity of Fr is 28"
        );
        assert!(Fft::new(8, Fr::from(0u64)).is_none());
    }
}
