//! BN254 base-field arithmetic on eight lanes at once with AVX-512 IFMA.
//!
//! x86-64 CPUs with AVX-512 IFMA (`vpmadd52luq`/`vpmadd52huq`: Intel since Ice Lake, AMD
//! since Zen 4) multiply eight 52-bit limb pairs per instruction, so an eight-lane Montgomery
//! multiplication in radix `2^52` (five limbs, `R' = 2^260`) costs about a third of eight
//! scalar ones (measured on this project's 2-vCPU Xeon VM over 64 independent vectors: ≈ 7 ns
//! against ≈ 23–28 ns per multiplication). The batch verifier runs its square roots
//! ([`pow_fixed_many`]), `z·A` (`lane_glv`), line computations and Miller loop
//! (`lane_lines`) on these lanes, a single verification its Miller loop (eight
//! segments of one loop) and its final exponentiation ([`Packed12`]: one `Fq12` in one
//! vector), and the prover's MSM its batch-affine additions; all check [`available`] at run
//! time and take the scalar path otherwise.
//! An internal interface of zkcontrib's verifier and prover: may change without notice.
//! One concern in one file above 700 lines: the lane field arithmetic (`Fq`, `Fq2`, `Fq6`,
//! `Fq12` on eight lanes) and its tests against arkworks.
//!
//! # Safety
//!
//! Every `#[target_feature(enable = "avx512f,avx512ifma")]` function here may only be called
//! on a CPU that has those features: call [`available`] first (once), as every caller does.
//! That is the only safety condition; no function reads memory outside its arguments.
//!
//! # Representation
//!
//! Values stay in arkworks' Montgomery form `X = x·2^256 mod p`, re-cut into five 52-bit limbs
//! (no multiplication to convert). The lane product is `mont(16·X, Y) = X·Y·2^-256`, so one
//! operand is shifted left by four bits first ([`mul`]). Results are not fully reduced; the
//! bounds (in multiples of `p`, with `p/2^260 < 2^-6.3`, so `mont(A, B) < 16·A·B/2^260 + p`
//! for the shifted `A`) are the caller's to keep below `2^256`; [`store`] reduces values
//! below `4p` to `[0, p)`. The `Fq2` functions ([`Lanes2`]) keep every coordinate below `2p`
//! after each operation by a masked conditional subtraction, so no bound depends on the order
//! of operations; the `Fq6`/`Fq12` functions are built from them and keep the same bound.
//!
//! The tests compare lane results with arkworks' `Fq`, `Fq2`, `Fq6` and `Fq12` on random,
//! edge and unreduced operands; a debug assertion checks every value stored is below `p`.

#![allow(unsafe_code)]
// The one safety condition of every function is the module's (see "# Safety" above).
#![allow(clippy::missing_safety_doc)]

use ark_bn254::{Fq, Fq2};
use ark_ff::{AdditiveGroup, BigInt, PrimeField};
use core::arch::x86_64::{
    __m512i, _mm512_add_epi64, _mm512_and_si512, _mm512_cmpge_epi64_mask, _mm512_madd52hi_epu64,
    _mm512_madd52lo_epu64, _mm512_mask_blend_epi64, _mm512_maskz_mov_epi64, _mm512_or_si512,
    _mm512_permutexvar_epi64, _mm512_set1_epi64, _mm512_setr_epi64, _mm512_setzero_si512,
    _mm512_slli_epi64, _mm512_srai_epi64, _mm512_srli_epi64, _mm512_sub_epi64,
};
use std::sync::OnceLock;
use std::vec::Vec;

const MASK: u64 = (1 << 52) - 1;

/// Whether the lanes are used: this CPU has AVX-512F and IFMA, and the environment variable
/// `ZKCONTRIB_NO_LANES` is unset, empty or `0` (checked once per process). Setting it runs the
/// scalar path on an IFMA CPU too (for comparisons, and so CI tests both paths).
pub fn available() -> bool {
    static HAS: OnceLock<bool> = OnceLock::new();
    *HAS.get_or_init(|| {
        let off = std::env::var_os("ZKCONTRIB_NO_LANES").is_some_and(|v| !v.is_empty() && v != "0");
        !off && std::is_x86_feature_detected!("avx512f")
            && std::is_x86_feature_detected!("avx512ifma")
    })
}

/// Eight field elements, limb-major: `l[j]` holds limb `j` (52 bits) of every lane.
#[derive(Clone, Copy)]
pub struct Lanes([__m512i; 5]);

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
pub fn load(w: [&[u64; 4]; 8]) -> Lanes {
    let l: [[u64; 5]; 8] = core::array::from_fn(|i| to52(w[i]));
    Lanes(core::array::from_fn(|j| {
        to_vec(core::array::from_fn(|i| l[i][j]))
    }))
}

/// The eight values of normalised lanes below `4p`, reduced into `[0, p)`.
#[inline(always)]
pub fn store(v: &Lanes) -> [Fq; 8] {
    let l: [[u64; 8]; 5] = core::array::from_fn(|j| from_vec(v.0[j]));
    core::array::from_fn(|i| reduce(from52(&core::array::from_fn(|j| l[j][i]))))
}

/// Per-field constants in lane form.
pub struct Consts {
    /// `p` as normalised 52-bit limbs, broadcast.
    pub p: [__m512i; 5],
    /// `p`, `4p` and `2p` as normalised limbs: the offsets that keep differences positive,
    /// and (`2p`) the bound of the half-reduced values of the G2 path.
    pub kp: [[__m512i; 5]; 3],
    /// `−p^{−1} mod 2^52`.
    pub pinv: __m512i,
    /// `2^52 − 1`: one limb's bits.
    pub mask: __m512i,
}

impl Consts {
    /// The constants of `Fq` (the CPU must have AVX-512F: see [`available`]).
    #[target_feature(enable = "avx512f")]
    pub fn new() -> Self {
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
pub fn sub(a: &Lanes, b: &Lanes, kp: &[__m512i; 5], mask: __m512i) -> Lanes {
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
pub fn mul(a: &Lanes, b: &Lanes, c: &Consts) -> Lanes {
    mont(&shl4(a, c.mask), b, c)
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
pub fn add2(a: &Lanes, b: &Lanes, c: &Consts) -> Lanes {
    let t = core::array::from_fn(|j| _mm512_add_epi64(a.0[j], b.0[j]));
    below_2p(normalise(t, c.mask), c)
}

/// `a − b` for `a, b < 2p`, result `< 2p`.
#[inline]
#[target_feature(enable = "avx512f")]
pub fn sub2(a: &Lanes, b: &Lanes, c: &Consts) -> Lanes {
    below_2p(sub(a, b, &c.kp[2], c.mask), c)
}

/// `Fq2` elements `c0 + c1·u` (`u² = −1`) on lanes, each coordinate `< 2p`.
#[derive(Clone, Copy)]
pub struct Lanes2(pub Lanes, pub Lanes);

/// `a·b` (Karatsuba, three lane products): for inputs `< 2p` every product is
/// `< (0.19·2·2 + 1)·p < 1.8p` (sums are brought below `2p` first), and so the result `< 2p`.
#[inline]
#[target_feature(enable = "avx512f,avx512ifma")]
pub fn mul2(a: &Lanes2, b: &Lanes2, c: &Consts) -> Lanes2 {
    let v0 = mul(&a.0, &b.0, c);
    let v1 = mul(&a.1, &b.1, c);
    let s = mul(&add2(&a.0, &a.1, c), &add2(&b.0, &b.1, c), c);
    // c0 = a0·b0 − a1·b1, c1 = (a0 + a1)(b0 + b1) − a0·b0 − a1·b1
    Lanes2(sub2(&v0, &v1, c), sub2(&sub2(&s, &v0, c), &v1, c))
}

/// `a²`: `(a0 + a1)(a0 − a1) + 2·a0·a1·u`, two lane products.
#[inline]
#[target_feature(enable = "avx512f,avx512ifma")]
pub fn square2(a: &Lanes2, c: &Consts) -> Lanes2 {
    let c0 = mul(&add2(&a.0, &a.1, c), &sub2(&a.0, &a.1, c), c);
    let c1 = mul(&add2(&a.0, &a.0, c), &a.1, c);
    Lanes2(c0, c1)
}

/// Eight `Fq2` values into lanes (`c0`, `c1`), as [`load`].
#[inline(always)]
pub fn load2(w: [&Fq2; 8]) -> Lanes2 {
    Lanes2(
        load(core::array::from_fn(|i| &w[i].c0.0 .0)),
        load(core::array::from_fn(|i| &w[i].c1.0 .0)),
    )
}

/// Eight `Fq2` values out of lanes, as [`store`].
#[inline(always)]
pub fn store2(v: &Lanes2) -> [Fq2; 8] {
    let (c0, c1) = (store(&v.0), store(&v.1));
    core::array::from_fn(|i| Fq2::new(c0[i], c1[i]))
}

/// `a + b` in `Fq2` (coordinates `< 2p` in and out).
#[inline]
#[target_feature(enable = "avx512f")]
pub fn add_fq2(a: &Lanes2, b: &Lanes2, c: &Consts) -> Lanes2 {
    Lanes2(add2(&a.0, &b.0, c), add2(&a.1, &b.1, c))
}

/// `a − b` in `Fq2` (coordinates `< 2p` in and out).
#[inline]
#[target_feature(enable = "avx512f")]
pub fn sub_fq2(a: &Lanes2, b: &Lanes2, c: &Consts) -> Lanes2 {
    Lanes2(sub2(&a.0, &b.0, c), sub2(&a.1, &b.1, c))
}

/// `a·x` for `a ∈ Fq2`, `x ∈ Fq` (two lane products; `< 1.8p` for inputs `< 2p`).
#[inline]
#[target_feature(enable = "avx512f,avx512ifma")]
pub fn mul_fq2_by_fq(a: &Lanes2, x: &Lanes, c: &Consts) -> Lanes2 {
    Lanes2(mul(&a.0, x, c), mul(&a.1, x, c))
}

/// `ξ·a` with `ξ = 9 + u`, `Fq6`'s non-residue: `(9a₀ − a₁) + (a₀ + 9a₁)·u` (additions only).
#[inline]
#[target_feature(enable = "avx512f")]
pub fn mul_by_xi(a: &Lanes2, c: &Consts) -> Lanes2 {
    let nine = |x: &Lanes| {
        let x2 = add2(x, x, c);
        let x4 = add2(&x2, &x2, c);
        add2(&add2(&x4, &x4, c), x, c)
    };
    Lanes2(sub2(&nine(&a.0), &a.1, c), add2(&a.0, &nine(&a.1), c))
}

/// Zero in the lanes whose bit in `keep` is clear, the value elsewhere.
#[inline]
#[target_feature(enable = "avx512f")]
pub fn keep_lanes(a: &Lanes2, keep: u8) -> Lanes2 {
    let m = |v: &Lanes| Lanes(v.0.map(|x| _mm512_maskz_mov_epi64(keep, x)));
    Lanes2(m(&a.0), m(&a.1))
}

/// `Fq6 = Fq2[v]/(v³ − ξ)` on lanes: `c₀ + c₁·v + c₂·v²`.
#[derive(Clone, Copy)]
pub struct Lanes6(pub Lanes2, pub Lanes2, pub Lanes2);

/// `Fq12 = Fq6[w]/(w² − v)` on lanes: `c₀ + c₁·w`.
#[derive(Clone, Copy)]
pub struct Lanes12(pub Lanes6, pub Lanes6);

#[inline]
#[target_feature(enable = "avx512f")]
fn add6(a: &Lanes6, b: &Lanes6, c: &Consts) -> Lanes6 {
    Lanes6(
        add_fq2(&a.0, &b.0, c),
        add_fq2(&a.1, &b.1, c),
        add_fq2(&a.2, &b.2, c),
    )
}

#[inline]
#[target_feature(enable = "avx512f")]
fn sub6(a: &Lanes6, b: &Lanes6, c: &Consts) -> Lanes6 {
    Lanes6(
        sub_fq2(&a.0, &b.0, c),
        sub_fq2(&a.1, &b.1, c),
        sub_fq2(&a.2, &b.2, c),
    )
}

/// `v·a = ξ·a₂ + a₀·v + a₁·v²`.
#[inline]
#[target_feature(enable = "avx512f")]
fn mul6_by_v(a: &Lanes6, c: &Consts) -> Lanes6 {
    Lanes6(mul_by_xi(&a.2, c), a.0, a.1)
}

/// `a·b` in `Fq6` (Karatsuba, six `Fq2` products), as arkworks' `CubicExtField::mul`.
#[inline]
#[target_feature(enable = "avx512f,avx512ifma")]
fn mul6(a: &Lanes6, b: &Lanes6, c: &Consts) -> Lanes6 {
    let v0 = mul2(&a.0, &b.0, c);
    let v1 = mul2(&a.1, &b.1, c);
    let v2 = mul2(&a.2, &b.2, c);
    // c₀ = ξ·((a₁ + a₂)(b₁ + b₂) − v₁ − v₂) + v₀ = v₀ + ξ·(a₁b₂ + a₂b₁)
    let t = mul2(&add_fq2(&a.1, &a.2, c), &add_fq2(&b.1, &b.2, c), c);
    let c0 = add_fq2(
        &mul_by_xi(&sub_fq2(&sub_fq2(&t, &v1, c), &v2, c), c),
        &v0,
        c,
    );
    // c₁ = (a₀ + a₁)(b₀ + b₁) − v₀ − v₁ + ξ·v₂ = a₀b₁ + a₁b₀ + ξ·a₂b₂
    let t = mul2(&add_fq2(&a.0, &a.1, c), &add_fq2(&b.0, &b.1, c), c);
    let c1 = add_fq2(
        &sub_fq2(&sub_fq2(&t, &v0, c), &v1, c),
        &mul_by_xi(&v2, c),
        c,
    );
    // c₂ = (a₀ + a₂)(b₀ + b₂) − v₀ − v₂ + v₁ = a₀b₂ + a₂b₀ + a₁b₁
    let t = mul2(&add_fq2(&a.0, &a.2, c), &add_fq2(&b.0, &b.2, c), c);
    let c2 = add_fq2(&sub_fq2(&sub_fq2(&t, &v0, c), &v2, c), &v1, c);
    Lanes6(c0, c1, c2)
}

/// `a·(b₀ + b₁·v)` in `Fq6` (five `Fq2` products), as arkworks' `mul_by_01`.
#[inline]
#[target_feature(enable = "avx512f,avx512ifma")]
fn mul6_by_01(a: &Lanes6, b0: &Lanes2, b1: &Lanes2, c: &Consts) -> Lanes6 {
    let v0 = mul2(&a.0, b0, c);
    let v1 = mul2(&a.1, b1, c);
    // c₀ = ξ·((a₁ + a₂)·b₁ − v₁) + v₀ = a₀b₀ + ξ·a₂b₁
    let t = mul2(&add_fq2(&a.1, &a.2, c), b1, c);
    let c0 = add_fq2(&mul_by_xi(&sub_fq2(&t, &v1, c), c), &v0, c);
    // c₁ = (a₀ + a₁)(b₀ + b₁) − v₀ − v₁ = a₀b₁ + a₁b₀
    let t = mul2(&add_fq2(&a.0, &a.1, c), &add_fq2(b0, b1, c), c);
    let c1 = sub_fq2(&sub_fq2(&t, &v0, c), &v1, c);
    // c₂ = (a₀ + a₂)·b₀ − v₀ + v₁ = a₂b₀ + a₁b₁
    let t = mul2(&add_fq2(&a.0, &a.2, c), b0, c);
    let c2 = add_fq2(&sub_fq2(&t, &v0, c), &v1, c);
    Lanes6(c0, c1, c2)
}

/// `f²` in `Fq12` (two `Fq6` products), as arkworks' `QuadExtField::square`:
/// `(f₀ + f₁w)² = (f₀ − f₁)(f₀ − v·f₁) + f₀f₁ + v·f₀f₁ + 2f₀f₁·w`.
#[inline]
#[target_feature(enable = "avx512f,avx512ifma")]
pub fn square12(f: &Lanes12, c: &Consts) -> Lanes12 {
    let v0 = sub6(&f.0, &f.1, c);
    let v3 = sub6(&f.0, &mul6_by_v(&f.1, c), c);
    let v2 = mul6(&f.0, &f.1, c);
    let v0 = mul6(&v0, &v3, c);
    let c0 = add6(&add6(&v0, &v2, c), &mul6_by_v(&v2, c), c);
    Lanes12(c0, add6(&v2, &v2, c))
}

/// `f·(1 + d·w)` with `d = d₀ + d₁·v`, a normalised line (`lines.rs`):
/// `(f₀ + v·f₁d) + (f₁ + f₀d)·w`, ten `Fq2` products.
#[inline]
#[target_feature(enable = "avx512f,avx512ifma")]
pub fn mul12_by_line(f: &Lanes12, d0: &Lanes2, d1: &Lanes2, c: &Consts) -> Lanes12 {
    let a = mul6_by_01(&f.0, d0, d1, c);
    let b = mul6_by_01(&f.1, d0, d1, c);
    Lanes12(add6(&f.0, &mul6_by_v(&b, c), c), add6(&f.1, &a, c))
}

/// `a·x` for `a ∈ Fq6`, `x ∈ Fq2` (three `Fq2` products).
#[inline]
#[target_feature(enable = "avx512f,avx512ifma")]
fn mul6_by_fq2(a: &Lanes6, x: &Lanes2, c: &Consts) -> Lanes6 {
    Lanes6(mul2(&a.0, x, c), mul2(&a.1, x, c), mul2(&a.2, x, c))
}

/// `f·(a + (b₀ + b₁·v)·w)`, an unnormalised line (arkworks' `mul_by_034` for the D-type
/// twist): with `t₀ = f₀·a`, `t₁ = f₁·(b₀ + b₁v)`, the product is
/// `(t₀ + v·t₁) + ((f₀ + f₁)·((a + b₀) + b₁v) − t₀ − t₁)·w`, thirteen `Fq2` products.
#[inline]
#[target_feature(enable = "avx512f,avx512ifma")]
pub fn mul12_by_034(f: &Lanes12, a: &Lanes2, b0: &Lanes2, b1: &Lanes2, c: &Consts) -> Lanes12 {
    let t0 = mul6_by_fq2(&f.0, a, c);
    let t1 = mul6_by_01(&f.1, b0, b1, c);
    let e = mul6_by_01(&add6(&f.0, &f.1, c), &add_fq2(a, b0, c), b1, c);
    Lanes12(
        add6(&t0, &mul6_by_v(&t1, c), c),
        sub6(&sub6(&e, &t0, c), &t1, c),
    )
}

/// `b` in the lanes whose bit in `mask` is set, `a` elsewhere.
#[inline]
#[target_feature(enable = "avx512f")]
pub fn select12(mask: u8, a: &Lanes12, b: &Lanes12) -> Lanes12 {
    let s2 = |x: &Lanes2, y: &Lanes2| select2(mask, x, y);
    let s6 = |x: &Lanes6, y: &Lanes6| Lanes6(s2(&x.0, &y.0), s2(&x.1, &y.1), s2(&x.2, &y.2));
    Lanes12(s6(&a.0, &b.0), s6(&a.1, &b.1))
}

/// `x^e` for many values, eight at a time: `steps` from `decompress::window_steps` (`None`
/// squares, `Some(k)` multiplies by `x^(2k+1)`, `k < odd`); `None` if the CPU has no IFMA.
pub fn pow_fixed_many(xs: &[Fq], steps: &[Option<usize>], odd: usize) -> Option<Vec<Fq>> {
    #[target_feature(enable = "avx512f,avx512ifma")]
    fn group(xs: &[Fq], steps: &[Option<usize>], odd: usize, out: &mut Vec<Fq>) {
        let c = Consts::new();
        let one = <Fq as ark_ff::Field>::ONE;
        let x = load(core::array::from_fn(|j| &xs.get(j).unwrap_or(&one).0 .0));
        let x2 = mul(&x, &x, &c);
        let mut table = Vec::with_capacity(odd);
        table.push(x);
        for k in 1..odd {
            table.push(mul(&table[k - 1], &x2, &c));
        }
        let mut r = load([&one.0 .0; 8]);
        for step in steps {
            r = match step {
                None => mul(&r, &r, &c),
                Some(k) => mul(&r, &table[*k], &c),
            };
        }
        out.extend_from_slice(&store(&r)[..xs.len()]);
    }
    if !available() || steps.iter().any(|s| s.is_some_and(|k| k >= odd)) {
        return None;
    }
    let mut out = Vec::with_capacity(xs.len());
    for xs in xs.chunks(8) {
        // SAFETY: `available()` holds, the only requirement of the lane functions.
        unsafe { group(xs, steps, odd, &mut out) };
    }
    Some(out)
}

/// `v` with lane `k` taken from lane `from[k]`.
#[inline]
#[target_feature(enable = "avx512f")]
fn permute2(v: &Lanes2, from: [i64; 8]) -> Lanes2 {
    let idx = _mm512_setr_epi64(
        from[0], from[1], from[2], from[3], from[4], from[5], from[6], from[7],
    );
    let p = |x: &Lanes| Lanes(x.0.map(|l| _mm512_permutexvar_epi64(idx, l)));
    Lanes2(p(&v.0), p(&v.1))
}

/// `b` in the lanes whose bit in `mask` is set, `a` elsewhere.
#[inline]
#[target_feature(enable = "avx512f")]
pub fn select(mask: u8, a: &Lanes, b: &Lanes) -> Lanes {
    Lanes(core::array::from_fn(|j| {
        _mm512_mask_blend_epi64(mask, a.0[j], b.0[j])
    }))
}

/// `b` in the lanes whose bit in `mask` is set, `a` elsewhere.
#[inline]
#[target_feature(enable = "avx512f")]
fn select2(mask: u8, a: &Lanes2, b: &Lanes2) -> Lanes2 {
    Lanes2(select(mask, &a.0, &b.0), select(mask, &a.1, &b.1))
}

/// One `Fq12` element in one [`Lanes2`]: lanes 0…5 hold its `Fq2` coefficients in
/// Granger–Scott order `r₀…r₅` = `c0.c0, c1.c1, c1.c0, c0.c2, c0.c1, c1.c2` (the pairs
/// `(r₀, r₁)`, `(r₂, r₃)`, `(r₄, r₅)` are the three `Fq4` coordinates of a cyclotomic
/// squaring), lanes 6 and 7 are zero. For the operations of a single chain (the final
/// exponentiation, a single proof's Miller loop), where there are no eight independent
/// values to put in the lanes: a product is 18 lane products instead of 54 scalar ones, a
/// cyclotomic squaring four instead of 18.
///
/// A value exists only if [`available`] held when it was made ([`Packed12::new`]), which is
/// what makes its safe methods sound.
#[derive(Clone, Copy)]
pub struct Packed12(Lanes2);

/// Exponent of `w` (`Fq12 = Fq2[w]/(w⁶ − ξ)`, `v = w²`) of the coefficient in each lane.
const W_EXP: [usize; 6] = [0, 3, 1, 4, 2, 5];
/// The lane of the coefficient of `w^k`.
const LANE_OF: [usize; 6] = [0, 2, 4, 1, 3, 5];

/// The permutations and masks of a product: for `i = 0…5`, the lane indices taking `a_i` to
/// every lane, those taking `b_{k−i mod 6}` to the lane of `w^k`, and the lanes where
/// `k < i` (the term wraps around `w⁶ = ξ`).
const fn product_tables() -> ([[i64; 8]; 6], [[i64; 8]; 6], [u8; 6]) {
    let mut bcast = [[6i64; 8]; 6];
    let mut from = [[6i64; 8]; 6];
    let mut wrap = [0u8; 6];
    let mut i = 0;
    while i < 6 {
        let mut l = 0;
        while l < 8 {
            bcast[i][l] = LANE_OF[i] as i64;
            l += 1;
        }
        let mut l = 0;
        while l < 6 {
            let k = W_EXP[l];
            from[i][l] = LANE_OF[(k + 6 - i) % 6] as i64;
            if k < i {
                wrap[i] |= 1 << l;
            }
            l += 1;
        }
        i += 1;
    }
    (bcast, from, wrap)
}

const TABLES: ([[i64; 8]; 6], [[i64; 8]; 6], [u8; 6]) = product_tables();

#[inline]
#[target_feature(enable = "avx512f")]
fn load_packed(f: &ark_bn254::Fq12) -> Packed12 {
    let z = Fq2::ZERO;
    Packed12(load2([
        &f.c0.c0, &f.c1.c1, &f.c1.c0, &f.c0.c2, &f.c0.c1, &f.c1.c2, &z, &z,
    ]))
}

#[inline]
#[target_feature(enable = "avx512f")]
fn store_packed(v: &Packed12) -> ark_bn254::Fq12 {
    let r = store2(&v.0);
    ark_bn254::Fq12::new(
        ark_bn254::Fq6::new(r[0], r[4], r[3]),
        ark_bn254::Fq6::new(r[2], r[1], r[5]),
    )
}

/// `a·b`: with `a = Σ a_i·w^i`, lane `w^k` of the result is
/// `Σ_i a_i·b_{k−i mod 6}·(ξ if k < i)`, six lane `Fq2` products of `a_i` (in every lane)
/// by `b` rotated (and, where it wraps, multiplied by `ξ`).
#[inline]
#[target_feature(enable = "avx512f,avx512ifma")]
fn mul_packed(a: &Packed12, b: &Packed12, c: &Consts) -> Packed12 {
    let (bcast, from, wrap) = &TABLES;
    let xb = mul_by_xi(&b.0, c);
    let term = |i: usize| {
        let bi = select2(wrap[i], &permute2(&b.0, from[i]), &permute2(&xb, from[i]));
        mul2(&permute2(&a.0, bcast[i]), &bi, c)
    };
    let mut h = term(0);
    for i in 1..6 {
        h = add_fq2(&h, &term(i), c);
    }
    Packed12(h)
}

/// `f²` for `f` in the cyclotomic subgroup (Granger–Scott, the formulas of
/// `fe::cyclotomic_square`), all six coefficients at once: with `s_i = r_i²` and
/// `q_k = (r_{2k} + r_{2k+1})²`, the `Fq4` squares are `t_{2k} = s_{2k} + ξ·s_{2k+1}` and
/// `t_{2k+1} = q_k − s_{2k} − s_{2k+1}`, and the result is
/// `(3t₀ − 2r₀, 3t₁ + 2r₁, 3ξt₅ + 2r₂, 3t₄ − 2r₃, 3t₂ − 2r₄, 3t₃ + 2r₅)`.
#[inline]
#[target_feature(enable = "avx512f,avx512ifma")]
fn cyclotomic_square_packed(f: &Packed12, c: &Consts) -> Packed12 {
    const SWAP: [i64; 8] = [1, 0, 3, 2, 5, 4, 6, 7];
    const ODD: u8 = 0b0010_1010;
    const FROM: [i64; 8] = [0, 1, 5, 4, 2, 3, 6, 7];
    const MINUS: u8 = 0b0001_1001;
    let r = &f.0;
    let s = square2(r, c);
    let q = square2(&add_fq2(r, &permute2(r, SWAP), c), c);
    let s_swap = permute2(&s, SWAP);
    let even = add_fq2(&s, &mul_by_xi(&s_swap, c), c);
    let odd = sub_fq2(&q, &add_fq2(&s, &s_swap, c), c);
    let t = permute2(&select2(ODD, &even, &odd), FROM);
    let t = select2(0b100, &t, &mul_by_xi(&t, c));
    let t3 = add_fq2(&add_fq2(&t, &t, c), &t, c);
    let r2 = add_fq2(r, r, c);
    Packed12(add_fq2(&t3, &select2(MINUS, &r2, &neg_fq2(&r2, c)), c))
}

/// `−a` in `Fq2` (coordinates `< 2p` in and out).
#[inline]
#[target_feature(enable = "avx512f")]
fn neg_fq2(a: &Lanes2, c: &Consts) -> Lanes2 {
    let zero = Lanes([_mm512_setzero_si512(); 5]);
    Lanes2(sub2(&zero, &a.0, c), sub2(&zero, &a.1, c))
}

/// The conjugate `c0 − c1·w` (the inverse in the cyclotomic subgroup).
#[inline]
#[target_feature(enable = "avx512f")]
fn conjugate_packed(f: &Packed12, c: &Consts) -> Packed12 {
    // the lanes of c1.c1, c1.c0, c1.c2
    Packed12(select2(0b0010_0110, &f.0, &neg_fq2(&f.0, c)))
}

impl Packed12 {
    /// `f` in lane form; `None` if the CPU has no IFMA ([`available`]).
    pub fn new(f: &ark_bn254::Fq12) -> Option<Self> {
        // SAFETY: `available()` holds, the only requirement of the lane functions.
        available().then(|| unsafe { load_packed(f) })
    }

    /// Another value in lane form (this one shows the lanes are available).
    pub fn load(&self, f: &ark_bn254::Fq12) -> Self {
        // SAFETY: `self` exists, so `available()` held.
        unsafe { load_packed(f) }
    }

    /// The value, reduced.
    pub fn get(&self) -> ark_bn254::Fq12 {
        // SAFETY: as in `load`.
        unsafe { store_packed(self) }
    }

    /// `self · other`.
    pub fn mul(&self, other: &Self) -> Self {
        // SAFETY: as in `load`.
        unsafe { mul_packed(self, other, &Consts::new()) }
    }

    /// `self^(2^n)`, by products (any element).
    pub fn square_n(&self, n: usize) -> Self {
        #[target_feature(enable = "avx512f,avx512ifma")]
        fn run(f: &Packed12, n: usize) -> Packed12 {
            let c = Consts::new();
            let mut g = *f;
            for _ in 0..n {
                g = mul_packed(&g, &g, &c);
            }
            g
        }
        // SAFETY: as in `load`.
        unsafe { run(self, n) }
    }

    /// `self^(2^n)` for `self` in the cyclotomic subgroup (Granger–Scott squarings); any
    /// other value gives a wrong result.
    pub fn cyclotomic_square_n(&self, n: usize) -> Self {
        #[target_feature(enable = "avx512f,avx512ifma")]
        fn run(f: &Packed12, n: usize) -> Packed12 {
            let c = Consts::new();
            let mut g = *f;
            for _ in 0..n {
                g = cyclotomic_square_packed(&g, &c);
            }
            g
        }
        // SAFETY: as in `load`.
        unsafe { run(self, n) }
    }

    /// The conjugate (the inverse in the cyclotomic subgroup).
    pub fn conjugate(&self) -> Self {
        // SAFETY: as in `load`.
        unsafe { conjugate_packed(self, &Consts::new()) }
    }
}

/// Eight `Fq12` elements in lane form.
#[inline]
pub fn load12(w: [&ark_bn254::Fq12; 8]) -> Lanes12 {
    let l6 = |f: [&ark_bn254::Fq6; 8]| {
        Lanes6(
            load2(core::array::from_fn(|i| &f[i].c0)),
            load2(core::array::from_fn(|i| &f[i].c1)),
            load2(core::array::from_fn(|i| &f[i].c2)),
        )
    };
    Lanes12(
        l6(core::array::from_fn(|i| &w[i].c0)),
        l6(core::array::from_fn(|i| &w[i].c1)),
    )
}

/// The eight `Fq12` values of lanes, reduced.
#[inline]
pub fn store12(v: &Lanes12) -> [ark_bn254::Fq12; 8] {
    let s6 = |v: &Lanes6| {
        let (a, b, c) = (store2(&v.0), store2(&v.1), store2(&v.2));
        core::array::from_fn::<_, 8, _>(|i| ark_bn254::Fq6::new(a[i], b[i], c[i]))
    };
    let (a, b) = (s6(&v.0), s6(&v.1));
    core::array::from_fn(|i| ark_bn254::Fq12::new(a[i], b[i]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ff::{AdditiveGroup, Field, One, UniformRand, Zero};
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

    /// `Fq12` squarings, products by normalised and unnormalised lines and lane selection on
    /// lanes equal arkworks' (and the scalar `lines::mul_by_line`), on random values and on 1
    /// and 0 lines.
    #[test]
    fn lane_fq12_operations_equal_field_operations() {
        if !available() {
            eprintln!("no AVX-512 IFMA on this CPU: lane arithmetic not tested");
            return;
        }
        use ark_bn254::Fq12;
        let mut rng = StdRng::seed_from_u64(37);
        for round in 0..10 {
            let fs: [Fq12; 8] = core::array::from_fn(|i| {
                if round == 0 && i == 0 {
                    Fq12::one()
                } else {
                    Fq12::rand(&mut rng)
                }
            });
            let ls: [(Fq2, Fq2); 8] = core::array::from_fn(|i| {
                if round == 0 && i < 2 {
                    (Fq2::zero(), Fq2::zero())
                } else {
                    (Fq2::rand(&mut rng), Fq2::rand(&mut rng))
                }
            });
            let raw: [Fq2; 8] = core::array::from_fn(|i| {
                if round == 0 && i == 0 {
                    Fq2::one()
                } else {
                    Fq2::rand(&mut rng)
                }
            });
            // SAFETY: `available()` holds.
            let [sq, prod, p034, sel] = unsafe { fq12_ops(&fs, &ls, &raw) };
            for i in 0..8 {
                assert_eq!(sq[i], fs[i].square(), "square, lane {i}, round {round}");
                let mut want = fs[i];
                want.mul_by_034(&raw[i], &ls[i].0, &ls[i].1);
                assert_eq!(p034[i], want, "034 product, lane {i}, round {round}");
                let pick = if i % 3 == 0 { fs[i].square() } else { fs[i] };
                assert_eq!(sel[i], pick, "select, lane {i}");
                let mut want = fs[i];
                crate::lines::mul_by_line(&mut want, &ls[i]);
                let mut full = Fq12::one();
                full.c1.c0 = ls[i].0;
                full.c1.c1 = ls[i].1;
                assert_eq!(want, fs[i] * full, "scalar twin, lane {i}");
                assert_eq!(prod[i], want, "line product, lane {i}, round {round}");
            }
        }
    }

    #[target_feature(enable = "avx512f,avx512ifma")]
    unsafe fn fq12_ops(
        fs: &[ark_bn254::Fq12; 8],
        ls: &[(Fq2, Fq2); 8],
        raw: &[Fq2; 8],
    ) -> [[ark_bn254::Fq12; 8]; 4] {
        let c = Consts::new();
        let f = load12(core::array::from_fn(|i| &fs[i]));
        let d0 = load2(core::array::from_fn(|i| &ls[i].0));
        let d1 = load2(core::array::from_fn(|i| &ls[i].1));
        let a = load2(core::array::from_fn(|i| &raw[i]));
        let sq = square12(&f, &c);
        [
            store12(&sq),
            store12(&mul12_by_line(&f, &d0, &d1, &c)),
            store12(&mul12_by_034(&f, &a, &d0, &d1, &c)),
            store12(&select12(0b0100_1001, &f, &sq)),
        ]
    }

    /// Runs of lane cyclotomic squarings equal arkworks' `cyclotomic_square`, on elements of
    /// the cyclotomic subgroup (pairing values) and on 1.
    #[test]
    fn lane_cyclotomic_squares_equal_field_squares() {
        if !available() {
            eprintln!("no AVX-512 IFMA on this CPU: lane arithmetic not tested");
            return;
        }
        use ark_bn254::{Bn254, Fq12, Fr, G1Projective, G2Projective};
        use ark_ec::{pairing::Pairing, CurveGroup, PrimeGroup};
        use ark_ff::CyclotomicMultSubgroup;
        let mut rng = StdRng::seed_from_u64(39);
        for round in 0..6 {
            let f = if round == 0 {
                Fq12::one()
            } else {
                let p = (G1Projective::generator() * Fr::rand(&mut rng)).into_affine();
                let q = (G2Projective::generator() * Fr::rand(&mut rng)).into_affine();
                Bn254::pairing(p, q).0
            };
            for n in [0usize, 1, 2, 7] {
                let mut want = f;
                for _ in 0..n {
                    want.cyclotomic_square_in_place();
                }
                let g = Packed12::new(&f).expect("IFMA");
                assert_eq!(g.cyclotomic_square_n(n).get(), want, "round {round}, {n}");
            }
        }
    }

    /// Packed `Fq12` products, squarings by products and conjugates equal arkworks', on
    /// random and edge values (0, 1, −1, a coefficient `p − 1` in every position).
    #[test]
    fn packed_fq12_operations_equal_field_operations() {
        if !available() {
            eprintln!("no AVX-512 IFMA on this CPU: lane arithmetic not tested");
            return;
        }
        use ark_bn254::Fq12;
        let mut rng = StdRng::seed_from_u64(38);
        let m1 = -Fq2::one();
        let mut vals = alloc::vec![Fq12::zero(), Fq12::one(), -Fq12::one()];
        vals.push(Fq12::new(
            ark_bn254::Fq6::new(m1, m1, m1),
            ark_bn254::Fq6::new(m1, m1, m1),
        ));
        vals.extend((0..12).map(|_| Fq12::rand(&mut rng)));
        for (i, x) in vals.iter().enumerate() {
            let px = Packed12::new(x).expect("IFMA");
            assert_eq!(px.get(), *x, "round trip {i}");
            assert_eq!(px.conjugate().get(), {
                let mut c = *x;
                c.conjugate_in_place();
                c
            });
            assert_eq!(
                px.square_n(3).get(),
                x.square().square().square(),
                "squares {i}"
            );
            for (j, y) in vals.iter().enumerate() {
                assert_eq!(px.mul(&px.load(y)).get(), *x * y, "product {i}·{j}");
            }
        }
    }
}
