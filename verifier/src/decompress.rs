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
pub(crate) const TWO_INV: Fq = ark_ff::MontFp!(
    "10944121435919637611123202872628637544348155578648911831344518947322613104292"
);

/// Window of [`pow_fixed`].
const W: usize = 5;

/// `a^e` for a public exponent `e`: left-to-right sliding window of [`W`] bits over the odd
/// powers `a, a³, …, a^(2^W − 1)`.
pub(crate) fn pow_fixed(a: &Fq, e: &[u64; 4]) -> Fq {
    let bit = |i: usize| (e[i / 64] >> (i % 64)) & 1 == 1;
    let mut odd = [*a; 1 << (W - 1)];
    let a2 = a.square();
    for k in 1..odd.len() {
        odd[k] = odd[k - 1] * a2;
    }
    let mut r = Fq::one();
    let mut i = 256usize;
    while i > 0 && !bit(i - 1) {
        i -= 1;
    }
    // bits i−1 … 0 remain
    while i > 0 {
        if !bit(i - 1) {
            r.square_in_place();
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
            r.square_in_place();
            v = (v << 1) | usize::from(bit(b));
        }
        r *= odd[v >> 1];
        i = j;
    }
    r
}

/// `√a` in `Fq`, if `a` is a square (`p ≡ 3 mod 4`: `a^((p+1)/4)`, checked).
pub(crate) fn fq_sqrt(a: &Fq) -> Option<Fq> {
    let s = pow_fixed(a, &P_PLUS_1_DIV_4);
    (s.square() == *a).then_some(s)
}

/// `√a` in `Fq2 = Fq[u]/(u² + 1)`, if `a` is a square: with `α = √(a₀² + a₁²)` and
/// `δ = (a₀ ± α)/2` a square, `√a = √δ + a₁/(2√δ)·u`; `t = δ^((p−3)/4)` is `1/√δ` exactly when
/// `t²·δ = 1`, and then `√δ = δ·t`. The candidate is checked by squaring.
pub(crate) fn fq2_sqrt(a: &Fq2) -> Option<Fq2> {
    if a.c1.is_zero() {
        // a = a₀: √a₀, or √(−a₀)·u when a₀ is not a square in Fq.
        return match fq_sqrt(&a.c0) {
            Some(s) => Some(Fq2::new(s, Fq::zero())),
            None => fq_sqrt(&-a.c0).map(|s| Fq2::new(Fq::zero(), s)),
        };
    }
    let alpha = fq_sqrt(&(a.c0.square() + a.c1.square()))?;
    for delta in [(a.c0 + alpha) * TWO_INV, (a.c0 - alpha) * TWO_INV] {
        let t = pow_fixed(&delta, &P_MINUS_3_DIV_4);
        if (t.square() * delta).is_one() {
            let cand = Fq2::new(delta * t, a.c1 * TWO_INV * t);
            return (cand.square() == *a).then_some(cand);
        }
    }
    None
}

/// The point of a compressed encoding, as arkworks reads it without validation: `x` and the
/// flags (a canonical `x < p` per coordinate, as arkworks requires), the identity for its
/// flag, else `y = ±√(x³ + b)` with the smaller of `y, −y` for the "positive" flag. `None`
/// for an unreadable `x` or an `x` with no point on the curve.
fn decompress<P: SWCurveConfig>(
    bytes: &[u8],
    sqrt: impl Fn(&P::BaseField) -> Option<P::BaseField>,
) -> Option<ark_ec::short_weierstrass::Affine<P>>
where
    P::BaseField: CanonicalDeserializeWithFlags,
{
    let (x, flags): (P::BaseField, SWFlags) =
        CanonicalDeserializeWithFlags::deserialize_with_flags(bytes).ok()?;
    let positive = match flags.is_positive() {
        None => return Some(ark_ec::short_weierstrass::Affine::identity()),
        Some(p) => p,
    };
    // a = 0 for both BN254 curves (checked by the tests against arkworks).
    let y = sqrt(&P::add_b(x.square() * x))?;
    let neg = -y;
    let (smaller, larger) = if y < neg { (y, neg) } else { (neg, y) };
    Some(ark_ec::short_weierstrass::Affine::new_unchecked(
        x,
        if positive { smaller } else { larger },
    ))
}

/// A compressed G1 point (see [`decompress`]).
pub(crate) fn g1(bytes: &[u8]) -> Option<G1Affine> {
    decompress::<ark_bn254::g1::Config>(bytes, fq_sqrt)
}

/// A compressed G2 point (see [`decompress`]).
pub(crate) fn g2(bytes: &[u8]) -> Option<G2Affine> {
    decompress::<ark_bn254::g2::Config>(bytes, fq2_sqrt)
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
    }
}
