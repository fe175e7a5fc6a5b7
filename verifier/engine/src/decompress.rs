//! Point decompression for strict decoding: what arkworks' compressed
//! `deserialize_with_mode(…, Validate::No)` computes for BN254 G1 and G2, with cheaper square
//! roots (docs/verification-costs.md):
//!
//! - exponentiations by the fixed exponents `(p + 1)/4` and `(p − 3)/4` with a 5-bit sliding
//!   window ([`pow_fixed`]) instead of square-and-multiply (≈ 300 instead of ≈ 380
//!   multiplications);
//! - the `Fq2` square root by the complex method with `t = δ^((p−3)/4)`, which gives both
//!   `√δ = δ·t` and `1/√δ = t`: no inversion and no separate quadratic-residue test (arkworks
//!   computes a Legendre symbol, a square root and an inverse).
//!
//! The tests compare every function with arkworks, on valid encodings, both signs of `y`, the
//! identity flag, `x` off the curve and `x ≥ p`.

use ark_bn254::{Fq, Fq2, G1Affine, G2Affine};
use ark_ec::short_weierstrass::{SWCurveConfig, SWFlags};
use ark_ff::{Field, One, Zero};
use ark_serialize::CanonicalDeserializeWithFlags;

use alloc::vec::Vec;

/// `(p + 1)/4` for BN254's base field (`p ≡ 3 mod 4`), little-endian limbs.
const P_PLUS_1_DIV_4: [u64; 4] = [
    0x4f082305b61f3f52,
    0x65e05aa45a1c72a3,
    0x6e14116da0605617,
    0x0c19139cb84c680a,
];

/// `(p − 3)/4`.
const P_MINUS_3_DIV_4: [u64; 4] = [
    0x4f082305b61f3f51,
    0x65e05aa45a1c72a3,
    0x6e14116da0605617,
    0x0c19139cb84c680a,
];

/// `1/2` in `Fq`, `(p + 1)/2`.
pub const TWO_INV: Fq = ark_ff::MontFp!(
    "10944121435919637611123202872628637544348155578648911831344518947322613104292"
);

/// Window of [`pow_fixed`].
pub const W: usize = 5;

/// The steps of `a^e` for a public exponent `e` by a left-to-right sliding window of [`W`]
/// bits over the odd powers `a, a³, …, a^(2^W − 1)`: `None` squares, `Some(k)` multiplies by
/// `a^(2k+1)`. Starts from 1.
pub fn window_steps(e: &[u64; 4]) -> Vec<Option<usize>> {
    let bit = |i: usize| (e[i / 64] >> (i % 64)) & 1 == 1;
    let mut steps = Vec::with_capacity(300);
    let mut i = 256usize;
    while i > 0 && !bit(i - 1) {
        i -= 1;
    }
    // bits i−1 … 0 remain
    while i > 0 {
        if !bit(i - 1) {
            steps.push(None);
            i -= 1;
            continue;
        }
        // the window bits [j, i): its lowest bit set, at most W long
        let mut j = i.saturating_sub(W);
        while !bit(j) {
            j += 1;
        }
        let mut v = 0usize;
        for b in (j..i).rev() {
            steps.push(None);
            v = (v << 1) | usize::from(bit(b));
        }
        steps.push(Some(v >> 1));
        i = j;
    }
    steps
}

/// `a^e` for a public exponent `e` ([`window_steps`]).
pub fn pow_fixed(a: &Fq, e: &[u64; 4]) -> Fq {
    let mut odd = [*a; 1 << (W - 1)];
    let a2 = a.square();
    for k in 1..odd.len() {
        odd[k] = odd[k - 1] * a2;
    }
    let mut r = Fq::one();
    for step in window_steps(e) {
        match step {
            None => {
                r.square_in_place();
            }
            Some(k) => r *= odd[k],
        }
    }
    r
}

/// [`pow_fixed`] of many values: eight at a time on IFMA lanes where the CPU has them
/// (`lanes::pow_fixed_many`), for the batch's decoding; a few values, or no lanes, one by one.
pub fn pow_fixed_many(xs: &[Fq], e: &[u64; 4]) -> Vec<Fq> {
    #[cfg(all(feature = "std", target_arch = "x86_64"))]
    if xs.len() >= LANES_MIN {
        if let Some(v) = crate::lanes::pow_fixed_many(xs, &window_steps(e), 1 << (W - 1)) {
            return v;
        }
    }
    xs.iter().map(|x| pow_fixed(x, e)).collect()
}

/// Fewest values [`pow_fixed_many`] puts on lanes (a lane exponentiation costs about four
/// scalar ones, whatever the number of lanes in use).
#[cfg(all(feature = "std", target_arch = "x86_64"))]
const LANES_MIN: usize = 4;

/// `√a` in `Fq`, if `a` is a square (`p ≡ 3 mod 4`: `a^((p+1)/4)`, checked).
pub fn fq_sqrt(a: &Fq) -> Option<Fq> {
    fq_sqrt_many(core::slice::from_ref(a)).pop().flatten()
}

/// [`fq_sqrt`] of many values.
pub fn fq_sqrt_many(a: &[Fq]) -> Vec<Option<Fq>> {
    pow_fixed_many(a, &P_PLUS_1_DIV_4)
        .into_iter()
        .zip(a)
        .map(|(s, a)| (s.square() == *a).then_some(s))
        .collect()
}

/// `√a` in `Fq2 = Fq[u]/(u² + 1)`, if `a` is a square: with `α = √(a₀² + a₁²)` and
/// `δ = (a₀ ± α)/2` a square, `√a = √δ + a₁/(2√δ)·u`; `t = δ^((p−3)/4)` is `1/√δ` exactly when
/// `t²·δ = 1`, and then `√δ = δ·t`. The candidate is checked by squaring.
pub fn fq2_sqrt(a: &Fq2) -> Option<Fq2> {
    fq2_sqrt_many(core::slice::from_ref(a)).pop().flatten()
}

/// [`fq2_sqrt`] of many values, the exponentiations of each round ([`fq_sqrt_many`] of the
/// norms, then `δ = (a₀ + α)/2`, then `(a₀ − α)/2` where the first is not a square) together.
pub fn fq2_sqrt_many(a: &[Fq2]) -> Vec<Option<Fq2>> {
    let mut out: Vec<Option<Fq2>> = alloc::vec![None; a.len()];
    // a = a₀ (c1 = 0): √a₀, or √(−a₀)·u when a₀ is not a square in Fq; one by one (only an
    // adversary's encodings have it).
    for (o, a) in out.iter_mut().zip(a).filter(|(_, a)| a.c1.is_zero()) {
        *o = match fq_sqrt(&a.c0) {
            Some(s) => Some(Fq2::new(s, Fq::zero())),
            None => fq_sqrt(&-a.c0).map(|s| Fq2::new(Fq::zero(), s)),
        };
    }
    let general: Vec<usize> = (0..a.len()).filter(|&i| !a[i].c1.is_zero()).collect();
    let norms: Vec<Fq> = general
        .iter()
        .map(|&i| a[i].c0.square() + a[i].c1.square())
        .collect();
    // (index, α) of the values whose norm is a square
    let mut pending: Vec<(usize, Fq)> = general
        .iter()
        .zip(fq_sqrt_many(&norms))
        .filter_map(|(&i, alpha)| alpha.map(|alpha| (i, alpha)))
        .collect();
    for sign in [Fq::one(), -Fq::one()] {
        let deltas: Vec<Fq> = pending
            .iter()
            .map(|&(i, alpha)| (a[i].c0 + sign * alpha) * TWO_INV)
            .collect();
        let ts = pow_fixed_many(&deltas, &P_MINUS_3_DIV_4);
        let mut next = Vec::new();
        for ((&(i, alpha), delta), t) in pending.iter().zip(&deltas).zip(ts) {
            if (t.square() * delta).is_one() {
                let cand = Fq2::new(*delta * t, a[i].c1 * TWO_INV * t);
                out[i] = (cand.square() == a[i]).then_some(cand);
            } else {
                next.push((i, alpha));
            }
        }
        pending = next;
    }
    out
}

/// A compressed encoding read up to its square root.
enum Parsed<F> {
    /// Unreadable: `x` not canonical, or bad flags.
    Bad,
    /// The identity flag.
    Identity,
    /// `x`, the "positive" flag and `x³ + b`, whose square root is `y` or `−y`.
    Root { x: F, positive: bool, rhs: F },
}

/// `x` and the flags of a compressed encoding (a canonical `x < p` per coordinate, as
/// arkworks requires).
fn parse<P: SWCurveConfig>(bytes: &[u8]) -> Parsed<P::BaseField>
where
    P::BaseField: CanonicalDeserializeWithFlags,
{
    let read: Result<(P::BaseField, SWFlags), _> =
        CanonicalDeserializeWithFlags::deserialize_with_flags(bytes);
    let Ok((x, flags)) = read else {
        return Parsed::Bad;
    };
    match flags.is_positive() {
        None => Parsed::Identity,
        // a = 0 for both BN254 curves (checked by the tests against arkworks).
        Some(positive) => Parsed::Root {
            x,
            positive,
            rhs: P::add_b(x.square() * x),
        },
    }
}

/// The point of a [`Parsed`] encoding given `√(x³ + b)` (`None`: no point with this `x`): the
/// smaller of `y, −y` for the "positive" flag.
fn finish<P: SWCurveConfig>(
    parsed: &Parsed<P::BaseField>,
    y: Option<P::BaseField>,
) -> Option<ark_ec::short_weierstrass::Affine<P>> {
    match parsed {
        Parsed::Bad => None,
        Parsed::Identity => Some(ark_ec::short_weierstrass::Affine::identity()),
        Parsed::Root { x, positive, .. } => {
            let y = y?;
            let neg = -y;
            let (smaller, larger) = if y < neg { (y, neg) } else { (neg, y) };
            Some(ark_ec::short_weierstrass::Affine::new_unchecked(
                *x,
                if *positive { smaller } else { larger },
            ))
        }
    }
}

/// The points of compressed encodings, as arkworks reads them without validation: the
/// identity for its flag, else `y = ±√(x³ + b)`; `None` for an unreadable `x` or an `x` with
/// no point on the curve. The square roots of all encodings are taken together (`sqrt`).
fn decompress_many<P: SWCurveConfig>(
    bytes: &[&[u8]],
    sqrt: impl Fn(&[P::BaseField]) -> Vec<Option<P::BaseField>>,
) -> Vec<Option<ark_ec::short_weierstrass::Affine<P>>>
where
    P::BaseField: CanonicalDeserializeWithFlags,
{
    let parsed: Vec<Parsed<P::BaseField>> = bytes.iter().map(|b| parse::<P>(b)).collect();
    let rhs: Vec<P::BaseField> = parsed
        .iter()
        .filter_map(|p| match p {
            Parsed::Root { rhs, .. } => Some(*rhs),
            _ => None,
        })
        .collect();
    let mut roots = sqrt(&rhs).into_iter();
    parsed
        .iter()
        .map(|p| {
            let y = match p {
                Parsed::Root { .. } => roots.next().flatten(),
                _ => None,
            };
            finish(p, y)
        })
        .collect()
}

/// A compressed G1 point (see `decompress_many`).
pub fn g1(bytes: &[u8]) -> Option<G1Affine> {
    g1_many(&[bytes]).pop().flatten()
}

/// A compressed G2 point (see `decompress_many`).
pub fn g2(bytes: &[u8]) -> Option<G2Affine> {
    g2_many(&[bytes]).pop().flatten()
}

/// Compressed G1 points, the square roots together (on lanes where the CPU has them).
pub fn g1_many(bytes: &[&[u8]]) -> Vec<Option<G1Affine>> {
    decompress_many::<ark_bn254::g1::Config>(bytes, fq_sqrt_many)
}

/// Compressed G2 points, the square roots together.
pub fn g2_many(bytes: &[&[u8]]) -> Vec<Option<G2Affine>> {
    decompress_many::<ark_bn254::g2::Config>(bytes, fq2_sqrt_many)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_bn254::{Fr, G1Projective, G2Projective};
    use ark_ec::{AffineRepr, CurveGroup, PrimeGroup};
    use ark_ff::{BigInteger, PrimeField, UniformRand};
    use ark_serialize::{CanonicalDeserialize, CanonicalSerialize, Compress, Validate};
    use rand::{rngs::StdRng, Rng, SeedableRng};

    #[test]
    fn pow_fixed_equals_pow() {
        let mut rng = StdRng::seed_from_u64(41);
        for _ in 0..32 {
            let a = Fq::rand(&mut rng);
            let e: [u64; 4] = [
                rng.gen(),
                rng.gen(),
                rng.gen(),
                rng.gen::<u64>() >> rng.gen_range(0..64),
            ];
            assert_eq!(pow_fixed(&a, &e), a.pow(e));
        }
        for e in [
            [0u64; 4],
            [1, 0, 0, 0],
            [31, 0, 0, 0],
            [u64::MAX; 4],
            P_PLUS_1_DIV_4,
        ] {
            let a = Fq::rand(&mut rng);
            assert_eq!(pow_fixed(&a, &e), a.pow(e));
        }
        // many at once (lanes on an IFMA CPU, groups of 8 and a partial one)
        for n in [1usize, 3, 4, 8, 13] {
            let xs: Vec<Fq> = (0..n).map(|_| Fq::rand(&mut rng)).collect();
            for e in [P_PLUS_1_DIV_4, P_MINUS_3_DIV_4, [u64::MAX; 4], [1, 0, 0, 0]] {
                let want: Vec<Fq> = xs.iter().map(|x| x.pow(e)).collect();
                assert_eq!(pow_fixed_many(&xs, &e), want, "{n} values");
            }
        }
    }

    #[test]
    fn square_roots_agree_with_arkworks() {
        let mut rng = StdRng::seed_from_u64(42);
        let mut fq: Vec<Fq> = (0..64).map(|_| Fq::rand(&mut rng)).collect();
        fq.extend([Fq::zero(), Fq::one(), -Fq::one()]);
        for a in &fq {
            let ours = fq_sqrt(a);
            assert_eq!(ours.is_some(), a.sqrt().is_some());
            if let Some(s) = ours {
                assert_eq!(s.square(), *a);
            }
        }
        let mut fq2: Vec<Fq2> = (0..64).map(|_| Fq2::rand(&mut rng)).collect();
        for a in &fq {
            fq2.push(Fq2::new(*a, Fq::zero()));
            fq2.push(Fq2::new(Fq::zero(), *a));
        }
        let squares: Vec<Fq2> = fq2.iter().map(|a| a.square()).collect();
        fq2.extend(squares);
        let mut found = 0;
        for a in &fq2 {
            let ours = fq2_sqrt(a);
            assert_eq!(ours.is_some(), a.sqrt().is_some(), "{a}");
            if let Some(s) = ours {
                assert_eq!(s.square(), *a);
                found += 1;
            }
        }
        assert!(found > 64 + 32, "squares and about half of the rest");
        // together: the same results
        let one_by_one: Vec<Option<Fq2>> = fq2.iter().map(fq2_sqrt).collect();
        assert_eq!(fq2_sqrt_many(&fq2), one_by_one);
        let one_by_one: Vec<Option<Fq>> = fq.iter().map(fq_sqrt).collect();
        assert_eq!(fq_sqrt_many(&fq), one_by_one);
    }

    fn arkworks<A: CanonicalDeserialize>(bytes: &[u8]) -> Option<A> {
        A::deserialize_with_mode(bytes, Compress::Yes, Validate::No).ok()
    }

    /// Encodings of random points (both signs of y), the identity, random bytes (mostly x off
    /// the curve or ≥ p) and every flag combination on a valid x.
    #[test]
    fn decompression_equals_arkworks() {
        let mut rng = StdRng::seed_from_u64(43);
        let mut g1s: Vec<Vec<u8>> = Vec::new();
        let mut g2s: Vec<Vec<u8>> = Vec::new();
        for _ in 0..32 {
            let p = (G1Projective::generator() * Fr::rand(&mut rng)).into_affine();
            let q = (G2Projective::generator() * Fr::rand(&mut rng)).into_affine();
            for p in [p, -p] {
                let mut b = Vec::new();
                p.serialize_compressed(&mut b).unwrap();
                g1s.push(b);
            }
            for q in [q, -q] {
                let mut b = Vec::new();
                q.serialize_compressed(&mut b).unwrap();
                g2s.push(b);
            }
            g1s.push((0..32).map(|_| rng.gen()).collect());
            g2s.push((0..64).map(|_| rng.gen()).collect());
        }
        let mut id = Vec::new();
        G1Affine::zero().serialize_compressed(&mut id).unwrap();
        g1s.push(id);
        let mut id = Vec::new();
        G2Affine::zero().serialize_compressed(&mut id).unwrap();
        g2s.push(id);
        // flag bits (the top two bits of the last byte) over valid x
        for base in [g1s[0].clone(), g2s[0].clone()] {
            for flags in 0..4u8 {
                let mut b = base.clone();
                let last = b.len() - 1;
                b[last] = (b[last] & 0x3f) | (flags << 6);
                if b.len() == 32 {
                    g1s.push(b);
                } else {
                    g2s.push(b);
                }
            }
        }
        // x = p (not canonical)
        let mut p_bytes = Fq::MODULUS.to_bytes_le();
        p_bytes.resize(32, 0);
        g1s.push(p_bytes.clone());
        let mut two = p_bytes.clone();
        two.extend(vec![0u8; 32]);
        g2s.push(two);
        let (mut some1, mut some2) = (0, 0);
        for b in &g1s {
            let ours = g1(b);
            assert_eq!(ours, arkworks::<G1Affine>(b), "{b:?}");
            some1 += usize::from(ours.is_some());
        }
        for b in &g2s {
            let ours = g2(b);
            assert_eq!(ours, arkworks::<G2Affine>(b), "{b:?}");
            some2 += usize::from(ours.is_some());
        }
        assert!(some1 > 64 && some2 > 64);
        let refs: Vec<&[u8]> = g1s.iter().map(Vec::as_slice).collect();
        let one_by_one: Vec<Option<G1Affine>> = refs.iter().map(|b| g1(b)).collect();
        assert_eq!(g1_many(&refs), one_by_one);
        let refs: Vec<&[u8]> = g2s.iter().map(Vec::as_slice).collect();
        let one_by_one: Vec<Option<G2Affine>> = refs.iter().map(|b| g2(b)).collect();
        assert_eq!(g2_many(&refs), one_by_one);
    }
}
