//! The BN254 final exponentiation `f ↦ f^((p¹² − 1)/r)`, as arkworks computes it (easy part,
//! then the Fuentes-Castañeda et al. hard part with three exponentiations by the seed `x`),
//! with two changes that make it ≈ 15 % faster (282 → 241 µs on the development machine,
//! docs/verification-costs.md):
//!
//! - the exponentiation by `x` follows a 62-squaring, 17-multiplication addition chain
//!   ([`exp_by_x`]) instead of the 23 multiplications of `x`'s signed binary form;
//! - the cyclotomic squarings (Granger–Scott, [`cyclotomic_square`]) use three `Fq2`
//!   squarings per `Fq4` square where arkworks uses two `Fq2` multiplications and more
//!   multiplications by the non-residue.
//!
//! The tests compare every piece with arkworks on random inputs.

use ark_bn254::{Config, Fq12, Fq2, Fq6, Fq6Config};
use ark_ec::bn::BnConfig;
use ark_ff::{AdditiveGroup, CyclotomicMultSubgroup, Field, Fp6Config};

/// `ξ·a` with `ξ = 9 + u`, the `Fq6` non-residue.
#[inline(always)]
fn nr(a: &Fq2) -> Fq2 {
    <Fq6Config as Fp6Config>::mul_fp2_by_nonresidue(*a)
}

/// `(z + w·y)²` in `Fq4 = Fq2[y]/(y² − ξ)`: `(z² + ξ·w², (z + w)² − z² − w²)`.
#[inline(always)]
fn fp4_square(z: &Fq2, w: &Fq2) -> (Fq2, Fq2) {
    let a = z.square();
    let b = w.square();
    let c = (*z + w).square();
    (a + nr(&b), c - a - b)
}

/// `3t − 2z`.
#[inline(always)]
fn three_minus_two(t: &Fq2, z: &Fq2) -> Fq2 {
    (*t - z).double() + t
}

/// `3t + 2z`.
#[inline(always)]
fn three_plus_two(t: &Fq2, z: &Fq2) -> Fq2 {
    (*t + z).double() + t
}

/// `f²` for `f` in the cyclotomic subgroup (Granger–Scott, "Faster squaring in the cyclotomic
/// subgroup of sixth degree extensions", the same formulas as arkworks'
/// `cyclotomic_square_in_place`): three `Fq4` squarings of coefficient pairs, then
/// `3t ∓ 2z` per coefficient.
pub fn cyclotomic_square(f: &Fq12) -> Fq12 {
    let (r0, r4, r3) = (&f.c0.c0, &f.c0.c1, &f.c0.c2);
    let (r2, r1, r5) = (&f.c1.c0, &f.c1.c1, &f.c1.c2);
    let (t0, t1) = fp4_square(r0, r1);
    let (t2, t3) = fp4_square(r2, r3);
    let (t4, t5) = fp4_square(r4, r5);
    let z0 = three_minus_two(&t0, r0);
    let z1 = three_plus_two(&t1, r1);
    let z2 = three_plus_two(&nr(&t5), r2);
    let z3 = three_minus_two(&t4, r3);
    let z4 = three_minus_two(&t2, r4);
    let z5 = three_plus_two(&t3, r5);
    Fq12::new(Fq6::new(z0, z4, z3), Fq6::new(z2, z1, z5))
}

/// The operations of the hard part on elements of the cyclotomic subgroup: arkworks' `Fq12`
/// with [`cyclotomic_square`], or (x86-64 with IFMA) one element packed in one lane vector
/// (`lanes::Packed12`), so the chain below is written once for both.
pub trait Cyclotomic: Copy {
    /// `self^(2^n)`.
    fn square_n(&self, n: usize) -> Self;
    /// `self · other`.
    fn mul(&self, other: &Self) -> Self;
    /// The inverse (the conjugate).
    fn inv(&self) -> Self;
    /// `self^(p^k)`.
    fn frobenius(&self, k: usize) -> Self;
}

impl Cyclotomic for Fq12 {
    fn square_n(&self, n: usize) -> Self {
        let mut g = *self;
        for _ in 0..n {
            g = cyclotomic_square(&g);
        }
        g
    }
    fn mul(&self, other: &Self) -> Self {
        *self * other
    }
    fn inv(&self) -> Self {
        let mut g = *self;
        g.cyclotomic_inverse_in_place();
        g
    }
    fn frobenius(&self, k: usize) -> Self {
        let mut g = *self;
        g.frobenius_map_in_place(k);
        g
    }
}

#[cfg(all(feature = "std", target_arch = "x86_64"))]
impl Cyclotomic for crate::lanes::Packed12 {
    fn square_n(&self, n: usize) -> Self {
        self.cyclotomic_square_n(n)
    }
    fn mul(&self, other: &Self) -> Self {
        crate::lanes::Packed12::mul(self, other)
    }
    fn inv(&self) -> Self {
        self.conjugate()
    }
    fn frobenius(&self, k: usize) -> Self {
        // three per final exponentiation: through the scalar form
        self.load(&self.get().frobenius(k))
    }
}

/// `f^x` for the BN254 seed `x = 4965661367192848881` and `f` in the cyclotomic subgroup, by
/// the addition chain (62 squarings, 17 multiplications; `eB` is `f` to the binary exponent
/// `B`):
///
/// ```text
/// _10 = 2·1, _100 = 2·_10, _1000 = 2·_100, _10000 = 2·_1000, _10001 = 1 + _10000,
/// _10011 = _10 + _10001, _10100 = 1 + _10011, _11001 = _1000 + _10001,
/// _100010 = 2·_10001, _100111 = _10011 + _10100, _101001 = _10 + _100111,
/// i27 = (_100010 << 6 + _100 + _11001) << 7 + _11001,
/// i44 = (i27 << 8 + _101001 + _10) << 6 + _10001,
/// i70 = ((i44 << 8 + _101001) << 6 + _101001) << 10,
/// x   = (_100111 + i70) << 6 + _101001 + _1000
/// ```
pub fn exp_by_x<T: Cyclotomic>(f: &T) -> T {
    let e10 = f.square_n(1);
    let e100 = e10.square_n(1);
    let e1000 = e100.square_n(1);
    let e10000 = e1000.square_n(1);
    let e10001 = e10000.mul(f);
    let e10011 = e10.mul(&e10001);
    let e10100 = e10011.mul(f);
    let e11001 = e1000.mul(&e10001);
    let e100010 = e10001.square_n(1);
    let e100111 = e10011.mul(&e10100);
    let e101001 = e10.mul(&e100111);
    let i27 = e100010
        .square_n(6)
        .mul(&e100)
        .mul(&e11001)
        .square_n(7)
        .mul(&e11001);
    let i44 = i27
        .square_n(8)
        .mul(&e101001)
        .mul(&e10)
        .square_n(6)
        .mul(&e10001);
    let i70 = i44
        .square_n(8)
        .mul(&e101001)
        .square_n(6)
        .mul(&e101001)
        .square_n(10);
    e100111.mul(&i70).square_n(6).mul(&e101001).mul(&e1000)
}

// The chain above is for BN254's positive seed.
const _: () = assert!(!<Config as BnConfig>::X_IS_NEGATIVE);
const _: () = assert!(<Config as BnConfig>::X.len() == 1);

/// `f^((p¹² − 1)/r)`, equal to arkworks' `Bn254::final_exponentiation`; `None` for `f = 0`.
/// The hard part runs on IFMA lanes where the CPU has them.
pub fn final_exponentiation(f: &Fq12) -> Option<Fq12> {
    // Easy part: r = f^((p⁶ − 1)(p² + 1)) = (conj(f)·f⁻¹)^(p² + 1).
    let mut f1 = *f;
    f1.cyclotomic_inverse_in_place();
    let f2 = f.inverse()?;
    let mut r = f1 * f2;
    let f2 = r;
    r.frobenius_map_in_place(2);
    r *= f2;
    #[cfg(all(feature = "std", target_arch = "x86_64"))]
    if let Some(r) = crate::lanes::Packed12::new(&r) {
        return Some(hard_part(&r).get());
    }
    Some(hard_part(&r))
}

/// The hard part `r^((p⁴ − p² + 1)/r)` (Fuentes-Castañeda et al., "Faster hashing to G2"),
/// arkworks' sequence, for `r` in the cyclotomic subgroup.
fn hard_part<T: Cyclotomic>(r: &T) -> T {
    let exp_by_neg_x = |f: &T| exp_by_x(f).inv();
    let y0 = exp_by_neg_x(r);
    let y1 = y0.square_n(1);
    let y2 = y1.square_n(1);
    let y3 = y2.mul(&y1);
    let y4 = exp_by_neg_x(&y3);
    let y5 = y4.square_n(1);
    let y6 = exp_by_neg_x(&y5);
    let y3 = y3.inv();
    let y6 = y6.inv();
    let y7 = y6.mul(&y4);
    let y8 = y7.mul(&y3);
    let y9 = y8.mul(&y1);
    let y10 = y8.mul(&y4);
    let y11 = y10.mul(r);
    let y13 = y9.frobenius(1).mul(&y11);
    let y14 = y8.frobenius(2).mul(&y13);
    let y15 = r.inv().mul(&y9).frobenius(3);
    y15.mul(&y14)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_bn254::{Bn254, Fr, G1Projective, G2Projective};
    use ark_ec::pairing::{MillerLoopOutput, Pairing};
    use ark_ec::{CurveGroup, PrimeGroup};
    use ark_ff::{One, UniformRand, Zero};
    use rand::{rngs::StdRng, SeedableRng};

    fn cyclotomic(rng: &mut StdRng) -> Fq12 {
        let p = (G1Projective::generator() * Fr::rand(rng)).into_affine();
        let q = (G2Projective::generator() * Fr::rand(rng)).into_affine();
        Bn254::pairing(p, q).0
    }

    #[test]
    fn pieces_equal_arkworks() {
        let mut rng = StdRng::seed_from_u64(31);
        for _ in 0..8 {
            let f = cyclotomic(&mut rng);
            assert_eq!(cyclotomic_square(&f), f.cyclotomic_square());
            assert_eq!(exp_by_x(&f), f.cyclotomic_exp(<Config as BnConfig>::X));
            #[cfg(all(feature = "std", target_arch = "x86_64"))]
            if let Some(g) = crate::lanes::Packed12::new(&f) {
                assert_eq!(exp_by_x(&g).get(), exp_by_x(&f), "lanes");
                assert_eq!(hard_part(&g).get(), hard_part(&f), "lanes");
            }
        }
        let one = Fq12::one();
        assert_eq!(cyclotomic_square(&one), one);
        assert_eq!(exp_by_x(&one), one);
    }

    #[test]
    fn final_exponentiation_equals_arkworks() {
        let mut rng = StdRng::seed_from_u64(32);
        for _ in 0..8 {
            let f = Fq12::rand(&mut rng);
            let ark = Bn254::final_exponentiation(MillerLoopOutput(f)).map(|o| o.0);
            assert_eq!(final_exponentiation(&f), ark);
        }
        let p = (G1Projective::generator() * Fr::rand(&mut rng)).into_affine();
        let q = (G2Projective::generator() * Fr::rand(&mut rng)).into_affine();
        let ml = Bn254::multi_miller_loop([p], [q]);
        assert_eq!(final_exponentiation(&ml.0), Some(Bn254::pairing(p, q).0));
        assert_eq!(final_exponentiation(&Fq12::one()), Some(Fq12::one()));
        assert_eq!(final_exponentiation(&Fq12::zero()), None);
    }
}
