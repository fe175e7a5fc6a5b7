//! Batch-affine additions in BN254 G1 and G2 on eight lanes at once with AVX-512 IFMA.
//!
//! The MSM's cost is field multiplications: a batch-affine addition is about six of them
//! (prefix product, two back-propagation products, `λ`, `λ²`, `y₃`), all independent across
//! the queued additions. x86-64 CPUs with AVX-512 IFMA (`vpmadd52luq`/`vpmadd52huq`: Intel
//! since Ice Lake, AMD since Zen 4) multiply eight 52-bit limb pairs per instruction, so an
//! eight-lane Montgomery multiplication in radix `2^52` (five limbs, `R' = 2^260`) costs about
//! a third of eight scalar ones (measured on this project's 2-vCPU Xeon VM over 64
//! independent vectors: ≈ 7 ns against ≈ 23–28 ns per multiplication). This module runs the additions of
//! [`Accumulator::execute`](super::batch::Accumulator) that way when the CPU has IFMA
//! ([`available`], checked at run time); every other case (doublings, identities, the last
//! additions that do not fill eight lanes, and CPUs without IFMA) takes the scalar path.
//!
//! # Representation
//!
//! Values stay in arkworks' Montgomery form `X = x·2^256 mod p`, re-cut into five 52-bit limbs
//! (no multiplication to convert). The lane product is `mont(16·X, Y) = X·Y·2^-256`, so one
//! operand is shifted left by four bits first ([`mul`]). Results are not fully reduced; the
//! bounds (in multiples of `p`, with `p/2^260 < 2^-6.3`, so `mont(A, B) < 16·A·B/2^260 + p`
//! for the shifted `A`) are kept below `2^256` by construction, checked in the comments of
//! [`execute_adds`], and reduced to `[0, p)` when written back.
//!
//! G2 ([`execute_g2`]) runs the same formulas over `Fq2 = Fq[u]/(u² + 1)` (Karatsuba: three
//! lane products per `Fq2` product), with every coordinate kept below `2p` after each step
//! by a masked conditional subtraction, so no bound depends on the order of operations.
//!
//! The tests compare lane products with `Fq`/`Fq2` products on random, edge and unreduced
//! operands, and lane additions with projective additions (with doublings, identities and
//! cancellations mixed in); a debug assertion checks every value written back is below `p`.

#![allow(unsafe_code)]

use super::batch::{add_queued, kind, Kind};
use ark_bn254::{Fq, Fq2, G1Affine, G2Affine};
use ark_ec::short_weierstrass::{Affine, SWCurveConfig};
use ark_ff::{BigInt, One, PrimeField};
use core::arch::x86_64::{
    __m512i, _mm512_add_epi64, _mm512_and_si512, _mm512_cmpge_epi64_mask, _mm512_madd52hi_epu64,
    _mm512_madd52lo_epu64, _mm512_mask_blend_epi64, _mm512_or_si512, _mm512_set1_epi64,
    _mm512_setzero_si512, _mm512_slli_epi64, _mm512_srai_epi64, _mm512_srli_epi64,
    _mm512_sub_epi64,
};
use std::sync::OnceLock;

const MASK: u64 = (1 << 52) - 1;

/// Whether this CPU has AVX-512F and IFMA (checked once).
pub(crate) fn available() -> bool {
    static HAS: OnceLock<bool> = OnceLock::new();
    *HAS.get_or_init(|| {
        std::is_x86_feature_detected!("avx512f") && std::is_x86_feature_detected!("avx512ifma")
    })
}

/// Eight field elements, limb-major: `l[j]` holds limb `j` (52 bits) of every lane.
#[derive(Clone, Copy)]
struct Lanes([__m512i; 5]);

/// A 4×64-bit integer cut into five 52-bit limbs.
#[inline(always)]
fn to52(w: &[u64; 4]) -> [u64; 5] {
    [
        w[0] & MASK,
        ((w[0] >> 52) | (w[1] << 12)) & MASK,
        ((w[1] >> 40) | (w[2] << 24)) & MASK,
        ((w[2] >> 28) | (w[3] << 36)) & MASK,
        w[3] >> 16,
    ]
}

/// Five normalised 52-bit limbs of a value below `2^256` back into 4×64 bits.
#[inline(always)]
fn from52(l: &[u64; 5]) -> [u64; 4] {
    [
        l[0] | (l[1] << 52),
        (l[1] >> 12) | (l[2] << 40),
        (l[2] >> 24) | (l[3] << 28),
        (l[3] >> 36) | (l[4] << 16),
    ]
}

/// `x mod p` for `x < 4p` (three conditional subtractions at most; `4p < 2^256`).
#[inline(always)]
fn reduce(mut w: [u64; 4]) -> Fq {
    let p = Fq::MODULUS.0;
    for _ in 0..3 {
        let mut d = [0u64; 4];
        let mut borrow = 0u64;
        for j in 0..4 {
            let (t, b1) = w[j].overflowing_sub(p[j]);
            let (t, b2) = t.overflowing_sub(borrow);
            d[j] = t;
            borrow = u64::from(b1 | b2);
        }
        if borrow == 0 {
            w = d;
        }
    }
    debug_assert!(BigInt(w) < Fq::MODULUS, "a lane value above its bound");
    Fq::new_unchecked(BigInt(w))
}

#[inline(always)]
fn to_vec(v: [u64; 8]) -> __m512i {
    // SAFETY: `[u64; 8]` and `__m512i` are both 64 bytes of plain integers; every bit pattern
    // is valid for either.
    unsafe { core::mem::transmute::<[u64; 8], __m512i>(v) }
}

#[inline(always)]
fn from_vec(v: __m512i) -> [u64; 8] {
    // SAFETY: as in `to_vec`.
    unsafe { core::mem::transmute::<__m512i, [u64; 8]>(v) }
}

/// Limbs of eight 4×64-bit values.
#[inline(always)]
fn load(w: [&[u64; 4]; 8]) -> Lanes {
    let l: [[u64; 5]; 8] = core::array::from_fn(|i| to52(w[i]));
    Lanes(core::array::from_fn(|j| {
        to_vec(core::array::from_fn(|i| l[i][j]))
    }))
}

/// The eight values of normalised lanes below `4p`, reduced into `[0, p)`.
#[inline(always)]
fn store(v: &Lanes) -> [Fq; 8] {
    let l: [[u64; 8]; 5] = core::array::from_fn(|j| from_vec(v.0[j]));
    core::array::from_fn(|i| reduce(from52(&core::array::from_fn(|j| l[j][i]))))
}

/// Per-field constants in lane form.
struct Consts {
    p: [__m512i; 5],
    /// `p`, `4p` and `2p` as normalised limbs: the offsets that keep differences positive,
    /// and (`2p`) the bound of the half-reduced values of the G2 path.
    kp: [[__m512i; 5]; 3],
    /// `−p^{−1} mod 2^52`.
    pinv: __m512i,
    mask: __m512i,
}

impl Consts {
    #[target_feature(enable = "avx512f")]
    fn new() -> Self {
        let p = Fq::MODULUS.0;
        let limbs = |k: u64| {
            let mut w = [0u64; 4];
            let mut carry = 0u128;
            for j in 0..4 {
                let t = u128::from(p[j]) * u128::from(k) + carry;
                w[j] = t as u64;
                carry = t >> 64;
            }
            to52(&w).map(|x| _mm512_set1_epi64(x as i64))
        };
        let p0 = to52(&p)[0];
        // Newton iteration for p0^{-1} mod 2^64, then negate and cut to 52 bits.
        let mut inv = 1u64;
        for _ in 0..6 {
            inv = inv.wrapping_mul(2u64.wrapping_sub(p0.wrapping_mul(inv)));
        }
        Self {
            p: limbs(1),
            kp: [limbs(1), limbs(4), limbs(2)],
            pinv: _mm512_set1_epi64((inv.wrapping_neg() & MASK) as i64),
            mask: _mm512_set1_epi64(MASK as i64),
        }
    }
}

/// Carries of limbs that may be negative or above 52 bits, propagated so that every limb is
/// in `[0, 2^52)` (the value must be non-negative and below `2^260`).
#[inline]
#[target_feature(enable = "avx512f")]
fn normalise(mut t: [__m512i; 5], mask: __m512i) -> Lanes {
    for j in 0..4 {
        let c = _mm512_srai_epi64::<52>(t[j]);
        t[j] = _mm512_and_si512(t[j], mask);
        t[j + 1] = _mm512_add_epi64(t[j + 1], c);
    }
    Lanes(t)
}

/// `a − b + k·p` lane-wise (`kp` = `k·p`'s limbs; `k·p > b` keeps it positive).
#[inline]
#[target_feature(enable = "avx512f")]
fn sub(a: &Lanes, b: &Lanes, kp: &[__m512i; 5], mask: __m512i) -> Lanes {
    let t = core::array::from_fn(|j| _mm512_add_epi64(_mm512_sub_epi64(a.0[j], b.0[j]), kp[j]));
    normalise(t, mask)
}

/// `16·a` (a four-bit shift across the limbs; `a < 2^256`, so it stays below `2^260`).
#[inline]
#[target_feature(enable = "avx512f")]
fn shl4(a: &Lanes, mask: __m512i) -> Lanes {
    let mut out = a.0;
    for j in (0..5).rev() {
        let hi = _mm512_and_si512(_mm512_slli_epi64::<4>(a.0[j]), mask);
        out[j] = if j == 0 {
            hi
        } else {
            _mm512_or_si512(hi, _mm512_srli_epi64::<48>(a.0[j - 1]))
        };
    }
    Lanes(out)
}

/// Montgomery multiplication in radix `2^52`: `a·b·2^-260 mod p`, below `a·b/2^260 + p`
/// (normalised limbs in and out).
#[inline]
#[target_feature(enable = "avx512f,avx512ifma")]
fn mont(a: &Lanes, b: &Lanes, c: &Consts) -> Lanes {
    let zero = _mm512_setzero_si512();
    let mut t = [zero; 6];
    for i in 0..5 {
        let bi = b.0[i];
        for j in 0..5 {
            // t += a·b_i, the low and high 52 bits of each limb product
            t[j] = _mm512_madd52lo_epu64(t[j], a.0[j], bi);
            t[j + 1] = _mm512_madd52hi_epu64(t[j + 1], a.0[j], bi);
        }
        // m = t_0·(−p^{−1}) mod 2^52; t += m·p makes t_0 ≡ 0 mod 2^52
        let m = _mm512_madd52lo_epu64(zero, t[0], c.pinv);
        for j in 0..5 {
            t[j] = _mm512_madd52lo_epu64(t[j], m, c.p[j]);
            t[j + 1] = _mm512_madd52hi_epu64(t[j + 1], m, c.p[j]);
        }
        // t /= 2^52
        let carry = _mm512_srli_epi64::<52>(t[0]);
        t = [_mm512_add_epi64(t[1], carry), t[2], t[3], t[4], t[5], zero];
    }
    normalise([t[0], t[1], t[2], t[3], t[4]], c.mask)
}

/// `a·b` in arkworks' form: `mont(16·a, b) = a·b·2^-256`. With `a < α·p`, `b < β·p`:
/// `< (0.19·α·β + 1)·p` (`16·p/2^260 < 0.19`); `16·a` must stay below `2^260` (`α < 84`).
#[inline]
#[target_feature(enable = "avx512f,avx512ifma")]
fn mul(a: &Lanes, b: &Lanes, c: &Consts) -> Lanes {
    mont(&shl4(a, c.mask), b, c)
}

/// The points of one group of eight additions, in lane form.
struct Group {
    ax: Lanes,
    ay: Lanes,
    bx: Lanes,
    by: Lanes,
    /// `b.x − a.x + p` (< 2p), the denominator.
    dx: Lanes,
    /// The product of the denominators of the groups before this one (< 1.61p).
    pre: Lanes,
}

/// `slots[s_k] ← slots[s_k] + pts[k]` for additions of distinct slots whose operands have
/// different `x` (Kind::Add), eight at a time: `pairs.len()` must be a multiple of 8.
///
/// # Safety
/// The CPU must support AVX-512F and IFMA ([`available`]).
#[target_feature(enable = "avx512f,avx512ifma")]
unsafe fn execute_adds(slots: &mut [G1Affine], pairs: &[(u32, G1Affine)]) {
    let c = Consts::new();
    let one = load([&Fq::one().0 .0; 8]);
    let mut acc = one;
    let mut groups: Vec<Group> = Vec::with_capacity(pairs.len() / 8);
    for g in pairs.chunks_exact(8) {
        let a: [&G1Affine; 8] = core::array::from_fn(|i| &slots[g[i].0 as usize]);
        let ax = load(core::array::from_fn(|i| &a[i].x.0 .0));
        let ay = load(core::array::from_fn(|i| &a[i].y.0 .0));
        let bx = load(core::array::from_fn(|i| &g[i].1.x.0 .0));
        let by = load(core::array::from_fn(|i| &g[i].1.y.0 .0));
        // dx = b.x − a.x + p ∈ (0, 2p)
        let dx = sub(&bx, &ax, &c.kp[0], c.mask);
        let pre = acc;
        // acc < (0.19·1.61·2 + 1)·p < 1.61p: stable from acc_0 = 1·R mod p < p
        acc = mul(&acc, &dx, &c);
        groups.push(Group {
            ax,
            ay,
            bx,
            by,
            dx,
            pre,
        });
    }
    // Invert the eight lane products with one field inversion (Montgomery's trick).
    let prods = store(&acc);
    let mut inv = prods;
    ark_ff::batch_inversion(&mut inv);
    let mut inv = load(core::array::from_fn(|i| &inv[i].0 .0));
    for (gi, g) in groups.iter().enumerate().rev() {
        // 1/dx = inv·pre < 1.49p; inv ← inv·dx < 1.61p
        let dinv = mul(&inv, &g.pre, &c);
        inv = mul(&inv, &g.dx, &c);
        // λ = (b.y − a.y)·/dx: (2p, 1.49p) → < 1.57p
        let dy = sub(&g.by, &g.ay, &c.kp[0], c.mask);
        let l = mul(&dy, &dinv, &c);
        // x3 = λ² − a.x − b.x + 2p: λ² < 1.47p, so x3 ∈ (0, 3.47p)
        let l2 = mul(&l, &l, &c);
        let x3 = sub(&sub(&l2, &g.ax, &c.kp[0], c.mask), &g.bx, &c.kp[0], c.mask);
        // y3 = λ·(a.x − x3 + 4p) − a.y + p: (1.57p, 5p) → < 2.49p, y3 < 3.49p
        let t = sub(&g.ax, &x3, &c.kp[1], c.mask);
        let y3 = sub(&mul(&l, &t, &c), &g.ay, &c.kp[0], c.mask);
        let (xs, ys) = (store(&x3), store(&y3));
        let chunk = &pairs[gi * 8..gi * 8 + 8];
        for i in 0..8 {
            slots[chunk[i].0 as usize] = G1Affine::new_unchecked(xs[i], ys[i]);
        }
    }
}

/// Executes queued additions `slots[queue_slot[k]] += queue_pt[k]` (distinct slots) in G1 if
/// the CPU has IFMA, and returns whether it did: the plain additions eight lanes at a time, the
/// rest (doublings, identities, cancellations, and the last additions short of eight) with
/// one shared scalar inversion.
pub(crate) fn execute(slots: &mut [G1Affine], queue_slot: &[u32], queue_pt: &[G1Affine]) -> bool {
    run(slots, queue_slot, queue_pt, execute_adds)
}

/// [`execute`] in G2.
pub(crate) fn execute_g2(
    slots: &mut [G2Affine],
    queue_slot: &[u32],
    queue_pt: &[G2Affine],
) -> bool {
    run(slots, queue_slot, queue_pt, execute_adds_g2)
}

/// Lane additions taking `(slot, point)` pairs, a multiple of eight, all of kind `Add`.
type LaneAdds<P> = unsafe fn(&mut [Affine<P>], &[(u32, Affine<P>)]);

/// Sorts the queue into lane additions (`lanes`, requiring IFMA) and the scalar rest.
fn run<P: SWCurveConfig>(
    slots: &mut [Affine<P>],
    queue_slot: &[u32],
    queue_pt: &[Affine<P>],
    lanes: LaneAdds<P>,
) -> bool
where
    P::BaseField: crate::arith::AddSub,
{
    if !available() {
        return false;
    }
    let mut adds: Vec<(u32, Affine<P>)> = Vec::with_capacity(queue_slot.len());
    let mut rest: Vec<(u32, Affine<P>)> = Vec::new();
    for (&s, b) in queue_slot.iter().zip(queue_pt) {
        match kind(&slots[s as usize], b) {
            Kind::Add => adds.push((s, *b)),
            _ => rest.push((s, *b)),
        }
    }
    let tail = adds.len() % 8;
    rest.extend(adds.drain(adds.len() - tail..));
    if !adds.is_empty() {
        // SAFETY: `available()` holds, the only requirement of the lane functions.
        unsafe { lanes(slots, &adds) };
    }
    // The rest with the scalar path's shared inversion.
    let (rest_slot, rest_pt): (Vec<u32>, Vec<Affine<P>>) = rest.into_iter().unzip();
    add_queued(
        slots,
        &rest_slot,
        &rest_pt,
        &mut Vec::new(),
        &mut Vec::new(),
    );
    true
}

/// `v − 2p` if that is non-negative, else `v`: from `v < 4p` to `v < 2p`.
#[inline]
#[target_feature(enable = "avx512f")]
fn below_2p(v: Lanes, c: &Consts) -> Lanes {
    let zero = _mm512_setzero_si512();
    let t = core::array::from_fn(|j| _mm512_sub_epi64(v.0[j], c.kp[2][j]));
    let t = normalise(t, c.mask);
    // the top limb keeps the sign after `normalise`
    let keep_t = _mm512_cmpge_epi64_mask(t.0[4], zero);
    Lanes(core::array::from_fn(|j| {
        _mm512_mask_blend_epi64(keep_t, v.0[j], t.0[j])
    }))
}

/// `a + b` for `a, b < 2p`, result `< 2p`.
#[inline]
#[target_feature(enable = "avx512f")]
fn add2(a: &Lanes, b: &Lanes, c: &Consts) -> Lanes {
    let t = core::array::from_fn(|j| _mm512_add_epi64(a.0[j], b.0[j]));
    below_2p(normalise(t, c.mask), c)
}

/// `a − b` for `a, b < 2p`, result `< 2p`.
#[inline]
#[target_feature(enable = "avx512f")]
fn sub2(a: &Lanes, b: &Lanes, c: &Consts) -> Lanes {
    below_2p(sub(a, b, &c.kp[2], c.mask), c)
}

/// `Fq2` elements `c0 + c1·u` (`u² = −1`) on lanes, each coordinate `< 2p`.
#[derive(Clone, Copy)]
struct Lanes2(Lanes, Lanes);

/// `a·b` (Karatsuba, three lane products): for inputs `< 2p` every product is
/// `< (0.19·2·2 + 1)·p < 1.8p` (sums are brought below `2p` first), and so the result `< 2p`.
#[inline]
#[target_feature(enable = "avx512f,avx512ifma")]
fn mul2(a: &Lanes2, b: &Lanes2, c: &Consts) -> Lanes2 {
    let v0 = mul(&a.0, &b.0, c);
    let v1 = mul(&a.1, &b.1, c);
    let s = mul(&add2(&a.0, &a.1, c), &add2(&b.0, &b.1, c), c);
    // c0 = a0·b0 − a1·b1, c1 = (a0 + a1)(b0 + b1) − a0·b0 − a1·b1
    Lanes2(sub2(&v0, &v1, c), sub2(&sub2(&s, &v0, c), &v1, c))
}

/// `a²`: `(a0 + a1)(a0 − a1) + 2·a0·a1·u`, two lane products.
#[inline]
#[target_feature(enable = "avx512f,avx512ifma")]
fn square2(a: &Lanes2, c: &Consts) -> Lanes2 {
    let c0 = mul(&add2(&a.0, &a.1, c), &sub2(&a.0, &a.1, c), c);
    let c1 = mul(&add2(&a.0, &a.0, c), &a.1, c);
    Lanes2(c0, c1)
}

#[inline(always)]
fn load2(w: [&Fq2; 8]) -> Lanes2 {
    Lanes2(
        load(core::array::from_fn(|i| &w[i].c0.0 .0)),
        load(core::array::from_fn(|i| &w[i].c1.0 .0)),
    )
}

#[inline(always)]
fn store2(v: &Lanes2) -> [Fq2; 8] {
    let (c0, c1) = (store(&v.0), store(&v.1));
    core::array::from_fn(|i| Fq2::new(c0[i], c1[i]))
}

/// [`execute_adds`] in G2: the same formulas over `Fq2`, every coordinate kept below `2p`.
///
/// # Safety
/// The CPU must support AVX-512F and IFMA ([`available`]).
#[target_feature(enable = "avx512f,avx512ifma")]
unsafe fn execute_adds_g2(slots: &mut [G2Affine], pairs: &[(u32, G2Affine)]) {
    let c = Consts::new();
    let one = Fq2::one();
    let mut acc = load2([&one; 8]);
    // (a.x, a.y, b.x, b.y, dx, pre) per group of eight
    let mut groups: Vec<[Lanes2; 6]> = Vec::with_capacity(pairs.len() / 8);
    for g in pairs.chunks_exact(8) {
        let a: [&G2Affine; 8] = core::array::from_fn(|i| &slots[g[i].0 as usize]);
        let ax = load2(core::array::from_fn(|i| &a[i].x));
        let ay = load2(core::array::from_fn(|i| &a[i].y));
        let bx = load2(core::array::from_fn(|i| &g[i].1.x));
        let by = load2(core::array::from_fn(|i| &g[i].1.y));
        let dx = Lanes2(sub2(&bx.0, &ax.0, &c), sub2(&bx.1, &ax.1, &c));
        let pre = acc;
        acc = mul2(&acc, &dx, &c);
        groups.push([ax, ay, bx, by, dx, pre]);
    }
    let mut inv = store2(&acc);
    ark_ff::batch_inversion(&mut inv);
    let mut inv = load2(core::array::from_fn(|i| &inv[i]));
    for (gi, [ax, ay, bx, by, dx, pre]) in groups.iter().enumerate().rev() {
        let dinv = mul2(&inv, pre, &c);
        inv = mul2(&inv, dx, &c);
        // λ = (b.y − a.y)/dx, x3 = λ² − a.x − b.x, y3 = λ·(a.x − x3) − a.y
        let dy = Lanes2(sub2(&by.0, &ay.0, &c), sub2(&by.1, &ay.1, &c));
        let l = mul2(&dy, &dinv, &c);
        let l2 = square2(&l, &c);
        let x3 = Lanes2(
            sub2(&sub2(&l2.0, &ax.0, &c), &bx.0, &c),
            sub2(&sub2(&l2.1, &ax.1, &c), &bx.1, &c),
        );
        let t = Lanes2(sub2(&ax.0, &x3.0, &c), sub2(&ax.1, &x3.1, &c));
        let m = mul2(&l, &t, &c);
        let y3 = Lanes2(sub2(&m.0, &ay.0, &c), sub2(&m.1, &ay.1, &c));
        let (xs, ys) = (store2(&x3), store2(&y3));
        let chunk = &pairs[gi * 8..gi * 8 + 8];
        for i in 0..8 {
            slots[chunk[i].0 as usize] = G2Affine::new_unchecked(xs[i], ys[i]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::msm::batch::Exec;
    use ark_ec::short_weierstrass::Projective;
    use ark_ec::{AffineRepr, CurveGroup};
    use ark_ff::UniformRand;
    use ark_ff::{AdditiveGroup, Field, Zero};
    use rand::{rngs::StdRng, SeedableRng};

    #[test]
    fn limb_cuts_round_trip() {
        let mut rng = StdRng::seed_from_u64(31);
        for _ in 0..100 {
            let x = Fq::rand(&mut rng);
            assert_eq!(from52(&to52(&x.0 .0)), x.0 .0);
        }
        let top = [u64::MAX; 4];
        assert_eq!(from52(&to52(&top)), top);
    }

    #[test]
    fn lane_products_equal_field_products() {
        if !available() {
            eprintln!("no AVX-512 IFMA on this CPU: lane arithmetic not tested");
            return;
        }
        let mut rng = StdRng::seed_from_u64(32);
        // random values, and values at the edges: 0, 1, p − 1, p − 2
        let edge = [Fq::zero(), Fq::one(), -Fq::one(), -Fq::one().double()];
        for round in 0..50 {
            let xs: [Fq; 8] = core::array::from_fn(|i| {
                if round == 0 && i < 4 {
                    edge[i]
                } else {
                    Fq::rand(&mut rng)
                }
            });
            let ys: [Fq; 8] = core::array::from_fn(|i| {
                if round == 0 {
                    edge[(i + 2) % 4]
                } else {
                    Fq::rand(&mut rng)
                }
            });
            // SAFETY: `available()` holds.
            let got = unsafe { products(&xs, &ys) };
            for i in 0..8 {
                assert_eq!(got[i], xs[i] * ys[i], "lane {i}, round {round}");
            }
        }
    }

    /// Operands above `p` as the addition formulas produce them (`a < 2p` shifted, `b < 5p`):
    /// the product is still right and below `4p`, so [`store`] reduces it.
    #[test]
    fn lane_products_of_unreduced_operands() {
        if !available() {
            eprintln!("no AVX-512 IFMA on this CPU: lane arithmetic not tested");
            return;
        }
        let mut rng = StdRng::seed_from_u64(34);
        let plus = |x: &Fq, k: u64| -> [u64; 4] {
            let mut w = x.0 .0;
            let mut carry = 0u128;
            for (j, p) in Fq::MODULUS.0.iter().enumerate() {
                let t = u128::from(w[j]) + u128::from(*p) * u128::from(k) + carry;
                w[j] = t as u64;
                carry = t >> 64;
            }
            assert_eq!(carry, 0);
            w
        };
        for round in 0..50 {
            let xs: [Fq; 8] = core::array::from_fn(|i| {
                if round == 0 {
                    -Fq::from(i as u64 + 1)
                } else {
                    Fq::rand(&mut rng)
                }
            });
            let ys: [Fq; 8] = core::array::from_fn(|_| Fq::rand(&mut rng));
            let a: [[u64; 4]; 8] = core::array::from_fn(|i| plus(&xs[i], 1));
            let b: [[u64; 4]; 8] = core::array::from_fn(|i| plus(&ys[i], 4));
            // SAFETY: `available()` holds.
            let got = unsafe { raw_products(&a, &b) };
            for i in 0..8 {
                assert_eq!(got[i], xs[i] * ys[i], "lane {i}, round {round}");
            }
        }
    }

    #[target_feature(enable = "avx512f,avx512ifma")]
    unsafe fn raw_products(a: &[[u64; 4]; 8], b: &[[u64; 4]; 8]) -> [Fq; 8] {
        let c = Consts::new();
        let a = load(core::array::from_fn(|i| &a[i]));
        let b = load(core::array::from_fn(|i| &b[i]));
        store(&mul(&a, &b, &c))
    }

    #[target_feature(enable = "avx512f,avx512ifma")]
    unsafe fn products(xs: &[Fq; 8], ys: &[Fq; 8]) -> [Fq; 8] {
        let c = Consts::new();
        let a = load(core::array::from_fn(|i| &xs[i].0 .0));
        let b = load(core::array::from_fn(|i| &ys[i].0 .0));
        store(&mul(&a, &b, &c))
    }

    #[test]
    fn lane_fq2_products_equal_field_products() {
        if !available() {
            eprintln!("no AVX-512 IFMA on this CPU: lane arithmetic not tested");
            return;
        }
        let mut rng = StdRng::seed_from_u64(35);
        let m1 = -Fq::one();
        let edge = [
            Fq2::zero(),
            Fq2::one(),
            Fq2::new(m1, m1),
            Fq2::new(Fq::zero(), m1),
        ];
        for round in 0..50 {
            let xs: [Fq2; 8] = core::array::from_fn(|i| {
                if round == 0 && i < 4 {
                    edge[i]
                } else {
                    Fq2::rand(&mut rng)
                }
            });
            let ys: [Fq2; 8] = core::array::from_fn(|i| {
                if round == 0 {
                    edge[(i + 1) % 4]
                } else {
                    Fq2::rand(&mut rng)
                }
            });
            // SAFETY: `available()` holds.
            let (prod, sq) = unsafe { fq2_products(&xs, &ys) };
            for i in 0..8 {
                assert_eq!(prod[i], xs[i] * ys[i], "product, lane {i}, round {round}");
                assert_eq!(sq[i], xs[i].square(), "square, lane {i}, round {round}");
            }
        }
    }

    #[target_feature(enable = "avx512f,avx512ifma")]
    unsafe fn fq2_products(xs: &[Fq2; 8], ys: &[Fq2; 8]) -> ([Fq2; 8], [Fq2; 8]) {
        let c = Consts::new();
        let a = load2(core::array::from_fn(|i| &xs[i]));
        let b = load2(core::array::from_fn(|i| &ys[i]));
        (store2(&mul2(&a, &b, &c)), store2(&square2(&a, &c)))
    }

    /// Random additions plus doublings, identities and cancellations, against projective sums.
    fn check_execute<P: SWCurveConfig>(exec: Exec<P>, seed: u64) {
        let mut rng = StdRng::seed_from_u64(seed);
        for n in [0usize, 7, 8, 9, 64, 517] {
            let mut slots: Vec<Affine<P>> = (0..n)
                .map(|_| Projective::<P>::rand(&mut rng).into_affine())
                .collect();
            let mut pts: Vec<Affine<P>> = (0..n)
                .map(|_| Projective::<P>::rand(&mut rng).into_affine())
                .collect();
            for k in (0..n).step_by(13) {
                pts[k] = match k % 4 {
                    0 => slots[k],
                    1 => -slots[k],
                    2 => Affine::<P>::zero(),
                    _ => pts[k],
                };
            }
            if n > 5 {
                slots[5] = Affine::<P>::zero();
            }
            let want: Vec<Affine<P>> = slots
                .iter()
                .zip(&pts)
                .map(|(a, b)| (Projective::<P>::from(*a) + b).into_affine())
                .collect();
            let order: Vec<u32> = (0..n as u32).rev().collect();
            let queued: Vec<Affine<P>> = order.iter().map(|&s| pts[s as usize]).collect();
            assert!(exec(&mut slots, &order, &queued));
            assert_eq!(slots, want, "{n} additions");
        }
    }

    #[test]
    fn execute_equals_projective_additions() {
        if !available() {
            eprintln!("no AVX-512 IFMA on this CPU: lane additions not tested");
            return;
        }
        check_execute::<ark_bn254::g1::Config>(execute, 33);
        check_execute::<ark_bn254::g2::Config>(execute_g2, 36);
    }
}
