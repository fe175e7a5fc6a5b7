//! Branch-free modular addition and subtraction for the 4-limb BN254 fields.
//!
//! ark-ff's `Fp` addition ends with `if a ≥ p { a −= p }` and its subtraction starts with
//! `if b > a { a += p }`. For the uniformly distributed values of an FFT or of the
//! coordinates in an MSM those branches go either way about half the time, and the
//! mispredictions cost more than the limb arithmetic itself. The versions here compute both
//! candidates and select with a mask. They are used in the prover's hot loops (FFT
//! butterflies, batch-affine additions); the tests compare them with ark-ff's on random and
//! edge-case operands.

use ark_ff::{BigInt, Fp, FpConfig, QuadExtConfig, QuadExtField};
use core::marker::PhantomData;

/// Field types with branch-free `add`/`sub`; every other operation is the field's own.
pub trait AddSub: Copy {
    /// `a + b`.
    fn add_bf(&self, b: &Self) -> Self;
    /// `a − b`.
    fn sub_bf(&self, b: &Self) -> Self;
}

/// `p < 2^254`: `a + b` of two reduced operands fits in 255 bits, and `2p` in 256.
const fn fits<P: FpConfig<4>>() -> bool {
    P::MODULUS.0[3] >> 62 == 0
}

#[inline(always)]
fn adc(a: u64, b: u64, carry: u64) -> (u64, u64) {
    let t = a as u128 + b as u128 + carry as u128;
    (t as u64, (t >> 64) as u64)
}

#[inline(always)]
fn sbb(a: u64, b: u64, borrow: u64) -> (u64, u64) {
    let t = (a as u128).wrapping_sub(b as u128 + borrow as u128);
    (t as u64, ((t >> 64) as u64) & 1)
}

impl<P: FpConfig<4>> AddSub for Fp<P, 4> {
    #[inline(always)]
    fn add_bf(&self, b: &Self) -> Self {
        if !fits::<P>() {
            return *self + b;
        }
        let (x, y, m) = (&self.0 .0, &b.0 .0, &P::MODULUS.0);
        // s = a + b < 2p < 2^256
        let (s0, c) = adc(x[0], y[0], 0);
        let (s1, c) = adc(x[1], y[1], c);
        let (s2, c) = adc(x[2], y[2], c);
        let (s3, _) = adc(x[3], y[3], c);
        // d = s − p; keep s when that borrows (s < p)
        let (d0, br) = sbb(s0, m[0], 0);
        let (d1, br) = sbb(s1, m[1], br);
        let (d2, br) = sbb(s2, m[2], br);
        let (d3, br) = sbb(s3, m[3], br);
        let keep = 0u64.wrapping_sub(br);
        Fp(
            BigInt([
                (s0 & keep) | (d0 & !keep),
                (s1 & keep) | (d1 & !keep),
                (s2 & keep) | (d2 & !keep),
                (s3 & keep) | (d3 & !keep),
            ]),
            PhantomData,
        )
    }

    #[inline(always)]
    fn sub_bf(&self, b: &Self) -> Self {
        if !fits::<P>() {
            return *self - b;
        }
        let (x, y, m) = (&self.0 .0, &b.0 .0, &P::MODULUS.0);
        // d = a − b (mod 2^256); add p back when that borrowed
        let (d0, br) = sbb(x[0], y[0], 0);
        let (d1, br) = sbb(x[1], y[1], br);
        let (d2, br) = sbb(x[2], y[2], br);
        let (d3, br) = sbb(x[3], y[3], br);
        let add = 0u64.wrapping_sub(br);
        let (r0, c) = adc(d0, m[0] & add, 0);
        let (r1, c) = adc(d1, m[1] & add, c);
        let (r2, c) = adc(d2, m[2] & add, c);
        let (r3, _) = adc(d3, m[3] & add, c);
        Fp(BigInt([r0, r1, r2, r3]), PhantomData)
    }
}

impl<C: QuadExtConfig> AddSub for QuadExtField<C>
where
    C::BaseField: AddSub,
{
    #[inline(always)]
    fn add_bf(&self, b: &Self) -> Self {
        QuadExtField::new(self.c0.add_bf(&b.c0), self.c1.add_bf(&b.c1))
    }

    #[inline(always)]
    fn sub_bf(&self, b: &Self) -> Self {
        QuadExtField::new(self.c0.sub_bf(&b.c0), self.c1.sub_bf(&b.c1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_bn254::{Fq, Fq2, Fr};
    use ark_ff::{Field, PrimeField, UniformRand, Zero};
    use rand::{rngs::StdRng, SeedableRng};

    fn agrees<F: AddSub + Field + UniformRand>(edge: &[F]) {
        let mut rng = StdRng::seed_from_u64(9);
        let mut xs: Vec<F> = edge.to_vec();
        xs.extend((0..64).map(|_| F::rand(&mut rng)));
        for a in &xs {
            for b in &xs {
                assert_eq!(a.add_bf(b), *a + b);
                assert_eq!(a.sub_bf(b), *a - b);
            }
        }
    }

    fn edges<F: PrimeField>() -> Vec<F> {
        vec![
            F::zero(),
            F::one(),
            -F::one(),
            -F::from(2u64),
            F::from(2u64).inverse().unwrap(),
            -F::from(2u64).inverse().unwrap(),
        ]
    }

    #[test]
    fn matches_ark_ff() {
        agrees::<Fr>(&edges::<Fr>());
        agrees::<Fq>(&edges::<Fq>());
        let e: Vec<Fq2> = edges::<Fq>()
            .iter()
            .flat_map(|&a| [Fq2::new(a, Fq::zero()), Fq2::new(a, -a)])
            .collect();
        agrees::<Fq2>(&e);
    }
}
