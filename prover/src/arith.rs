//! Branch-free modular addition and subtraction for the 4-limb BN254 fields.
//!
//! ark-ff's `Fp` addition ends with `if a ≥ p { a −= p }` and its subtraction starts with
//! `if b > a { a += p }`. For the uniformly distributed values of an FFT or of the
//! coordinates in an MSM those branches go either way about half the time, and the
//! mispredictions cost more than the limb arithmetic itself. The versions here compute both
//! candidates and select with a mask (on aarch64 in assembly, [`mont`]). They are used in the
//! prover's hot loops (FFT butterflies, batch-affine additions); the tests compare them with
//! ark-ff's on random and edge-case operands.
//!
//! [`FastMul`] does the same for multiplication and squaring on aarch64 (the CPU class of
//! phones), where ark-ff has no assembly: there it runs the Montgomery multiplication of
//! [`mont`]; on every other target it is ark-ff's own `*` (so x86-64 keeps ark-ff's BMI2/ADX
//! assembly, unchanged). Setting `--cfg zkcontrib_portable_mul` in `RUSTFLAGS` selects the
//! plain-Rust kernel on any target, to measure it natively against ark-ff (docs/tuning.md).

pub mod mont;

use ark_ff::{AdditiveGroup, BigInt, Field, Fp, FpConfig, QuadExtConfig, QuadExtField};
use core::marker::PhantomData;

/// Field types with branch-free `add`/`sub` and the target's [`FastMul`]; every other
/// operation is the field's own. (`FastMul` is a supertrait so that the prover's generic hot
/// loops need one bound.)
pub trait AddSub: FastMul {
    /// `a + b`.
    fn add_bf(&self, b: &Self) -> Self;
    /// `a − b`.
    fn sub_bf(&self, b: &Self) -> Self;
    /// `a + b` as an operand of [`FastMul::mul_fast`] and nothing else: where the tuned
    /// kernels run ([`TUNED_MUL`]) the base fields' sum is left unreduced (below `2q`, which
    /// the kernels accept: [`mont`]'s bounds), saving the comparison with `q`; elsewhere, and
    /// for extension fields, it is [`Self::add_bf`]. The product is the same either way.
    fn add_for_mul(&self, b: &Self) -> Self;

    /// The field the norm lands in: the base field of a quadratic extension, the field
    /// itself for a prime field.
    type Norm: AddSub;
    /// Whether [`Self::norm`] is the identity (a prime field), so that a batch inversion
    /// need not store the norms beside the values.
    const NORM_IS_SELF: bool;
    /// `N(x) = x·x̄`: `c₀² − β·c₁²` in `Fp[u]/(u² − β)`, `x` itself in a prime field.
    fn norm(&self) -> Self::Norm;
    /// `x̄ · n` (`x̄ = N(x)/x`: the conjugate, or 1 in a prime field): with `n = 1/N(x)` the
    /// inverse of `x`. A batch of `Fq2` inversions (Montgomery's trick) thus runs in `Fq`:
    /// per element two squarings for the norm and two multiplications here instead of
    /// three `Fq2` multiplications (nine `Fq` ones).
    fn conj_times(&self, n: &Self::Norm) -> Self;
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
        #[cfg(all(target_arch = "aarch64", not(zkcontrib_portable_mul)))]
        return Fp(
            BigInt(mont::add_asm(
                &self.0 .0,
                &b.0 .0,
                &const { mont::consts(&P::MODULUS.0) },
            )),
            PhantomData,
        );
        #[allow(unreachable_code)]
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
        #[cfg(all(target_arch = "aarch64", not(zkcontrib_portable_mul)))]
        return Fp(
            BigInt(mont::sub_asm(
                &self.0 .0,
                &b.0 .0,
                &const { mont::consts(&P::MODULUS.0) },
            )),
            PhantomData,
        );
        #[allow(unreachable_code)]
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

    #[inline(always)]
    fn add_for_mul(&self, b: &Self) -> Self {
        if TUNED_MUL && fits::<P>() {
            return Fp(BigInt(mont::add_wide(&self.0 .0, &b.0 .0)), PhantomData);
        }
        self.add_bf(b)
    }

    type Norm = Self;
    const NORM_IS_SELF: bool = true;

    #[inline(always)]
    fn norm(&self) -> Self {
        *self
    }

    #[inline(always)]
    fn conj_times(&self, n: &Self) -> Self {
        *n
    }
}

/// Field types whose multiplication and squaring the prover's hot loops call through this
/// trait, so that a target can supply its own kernel (see the module documentation). The
/// results are the field's own, bit for bit.
pub trait FastMul: Field {
    /// `a · b`.
    fn mul_fast(&self, b: &Self) -> Self;
    /// `a²`.
    fn square_fast(&self) -> Self;
}

/// Whether [`FastMul`] replaces ark-ff's multiplication on this build.
pub const TUNED_MUL: bool = cfg!(any(target_arch = "aarch64", zkcontrib_portable_mul));

impl<P: FpConfig<4>> FastMul for Fp<P, 4> {
    #[inline(always)]
    fn mul_fast(&self, b: &Self) -> Self {
        #[cfg(any(target_arch = "aarch64", zkcontrib_portable_mul))]
        if fits::<P>() {
            #[cfg(all(target_arch = "aarch64", not(zkcontrib_portable_mul)))]
            let r = mont::mul_asm(&self.0 .0, &b.0 .0, &const { mont::consts(&P::MODULUS.0) });
            #[cfg(zkcontrib_portable_mul)]
            let r = mont::mul_rust(
                &self.0 .0,
                &b.0 .0,
                &P::MODULUS.0,
                const { mont::neg_inv(P::MODULUS.0[0]) },
            );
            return Fp(BigInt(r), PhantomData);
        }
        *self * b
    }

    /// On aarch64 [`mont`]'s squaring kernel (six cross products, doubled, plus four squares,
    /// then the reduction; inlined, where ark-ff's generic squaring is a call); elsewhere
    /// ark-ff's own, which beats [`mont::mul_rust`] of `a` by itself.
    #[inline(always)]
    fn square_fast(&self) -> Self {
        #[cfg(all(target_arch = "aarch64", not(zkcontrib_portable_mul)))]
        if fits::<P>() {
            return Fp(
                BigInt(mont::sqr_asm(
                    &self.0 .0,
                    &const { mont::consts(&P::MODULUS.0) },
                )),
                PhantomData,
            );
        }
        self.square()
    }
}

impl<C: QuadExtConfig> FastMul for QuadExtField<C>
where
    C::BaseField: AddSub,
{
    #[inline(always)]
    fn mul_fast(&self, b: &Self) -> Self {
        if TUNED_MUL {
            // Karatsuba: v₀ = a₀b₀, v₁ = a₁b₁, c₀ = v₀ + βv₁, c₁ = (a₀+a₁)(b₀+b₁) − v₀ − v₁
            let v0 = self.c0.mul_fast(&b.c0);
            let v1 = self.c1.mul_fast(&b.c1);
            let s = self
                .c0
                .add_for_mul(&self.c1)
                .mul_fast(&b.c0.add_for_mul(&b.c1));
            let c1 = s.sub_bf(&v0).sub_bf(&v1);
            if C::NONRESIDUE == -C::BaseField::ONE {
                // β = −1 (BN254's Fq2): c₀ = v₀ − v₁, branch-free and inlined
                return QuadExtField::new(v0.sub_bf(&v1), c1);
            }
            let mut c0 = v1;
            C::mul_base_field_by_nonresidue_and_add(&mut c0, &v0);
            return QuadExtField::new(c0, c1);
        }
        *self * b
    }

    #[inline(always)]
    fn square_fast(&self) -> Self {
        if TUNED_MUL && C::NONRESIDUE == -C::BaseField::ONE {
            // two multiplications (complex squaring; β = −1 as in BN254's Fq2):
            // c₀ = a₀² − a₁² = (a₀ − a₁)(a₀ + a₁), c₁ = 2a₀a₁
            let v = self.c0.mul_fast(&self.c1);
            let c0 = self
                .c0
                .sub_bf(&self.c1)
                .mul_fast(&self.c0.add_for_mul(&self.c1));
            return QuadExtField::new(c0, v.add_bf(&v));
        }
        self.square()
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

    /// Reduced: an `Fq2` product's Karatsuba sums of unreduced halves would exceed `2q`.
    #[inline(always)]
    fn add_for_mul(&self, b: &Self) -> Self {
        self.add_bf(b)
    }

    type Norm = C::BaseField;
    const NORM_IS_SELF: bool = false;

    #[inline(always)]
    fn norm(&self) -> C::BaseField {
        if C::NONRESIDUE == -C::BaseField::ONE {
            // β = −1 (BN254's Fq2): N = c₀² + c₁²
            return self.c0.square_fast().add_bf(&self.c1.square_fast());
        }
        QuadExtField::norm(self)
    }

    #[inline(always)]
    fn conj_times(&self, n: &C::BaseField) -> Self {
        // (c₀ − c₁u)·n
        let c1 = self.c1.mul_fast(n);
        QuadExtField::new(self.c0.mul_fast(n), C::BaseField::ZERO.sub_bf(&c1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_bn254::{Fq, Fq2, Fr};
    use ark_ff::{PrimeField, UniformRand, Zero};
    use rand::{rngs::StdRng, SeedableRng};

    fn agrees<F: AddSub + FastMul + UniformRand>(edge: &[F]) {
        let mut rng = StdRng::seed_from_u64(9);
        let mut xs: Vec<F> = edge.to_vec();
        xs.extend((0..64).map(|_| F::rand(&mut rng)));
        for a in &xs {
            assert_eq!(a.square_fast(), a.square());
            for b in &xs {
                assert_eq!(a.add_bf(b), *a + b);
                assert_eq!(a.sub_bf(b), *a - b);
                assert_eq!(a.mul_fast(b), *a * b);
                if !a.is_zero() {
                    let inv = a.conj_times(&a.norm().inverse().unwrap());
                    assert_eq!(Some(inv), a.inverse(), "inverse through the norm");
                }
                let s = *a + b;
                assert_eq!(a.add_for_mul(b).mul_fast(&s), s * s, "unreduced sum");
                assert_eq!(s.mul_fast(&a.add_for_mul(b)), s * s, "as right operand");
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
            F::from(u64::MAX),
            F::from(2u64).pow([192]),
            F::from(2u64).pow([253]),
        ]
    }

    /// Raw Montgomery limbs at the edges of the kernels' carry chains: all-ones low limbs,
    /// values just below q, 0, 1 (raw), and the R⁻¹-like values whose rows give t₀ = 0.
    fn raw_edges(q: &[u64; 4]) -> Vec<[u64; 4]> {
        let qm1 = [q[0] - 1, q[1], q[2], q[3]];
        let qm2 = [q[0] - 2, q[1], q[2], q[3]];
        vec![
            [0; 4],
            [1, 0, 0, 0],
            [u64::MAX, 0, 0, 0],
            [u64::MAX, u64::MAX, u64::MAX, 0],
            [u64::MAX, u64::MAX, u64::MAX, q[3] - 1],
            [0, 0, 0, q[3]],
            [0, 0, 0, 1],
            qm1,
            qm2,
            [q[0] >> 1, q[1], q[2], q[3] >> 1],
        ]
    }

    /// The kernels on raw Montgomery limbs against ark-ff's `*` on the same limbs.
    fn kernels_agree<P: FpConfig<4>>() {
        let q = P::MODULUS.0;
        let inv = mont::neg_inv(q[0]);
        assert_eq!(q[0].wrapping_mul(inv), u64::MAX, "q₀·inv ≡ −1");
        let mut rng = StdRng::seed_from_u64(10);
        let mut xs: Vec<[u64; 4]> = raw_edges(&q);
        xs.extend((0..200).map(|_| Fp::<P, 4>::rand(&mut rng).0 .0));
        for a in &xs {
            for b in &xs {
                let fp = |r: &[u64; 4]| Fp::<P, 4>(BigInt(*r), PhantomData);
                let want = (fp(a) * fp(b)).0 .0;
                assert_eq!(mont::mul_rust(a, b, &q, inv), want, "rust {a:x?}·{b:x?}");
                #[cfg(target_arch = "aarch64")]
                assert_eq!(
                    mont::mul_asm(a, b, &mont::consts(&q)),
                    want,
                    "asm {a:x?}·{b:x?}"
                );
                // unreduced sums below 2q (`add_wide`) as operands: the same reduced product
                let (a2, b2) = (mont::add_wide(a, a), mont::add_wide(b, &q));
                let want2 = ((fp(a) + fp(a)) * fp(b)).0 .0;
                assert_eq!(mont::mul_rust(&a2, &b2, &q, inv), want2, "rust wide {a:x?}");
                #[cfg(target_arch = "aarch64")]
                assert_eq!(
                    mont::mul_asm(&a2, &b2, &mont::consts(&q)),
                    want2,
                    "asm wide"
                );
                #[cfg(target_arch = "aarch64")]
                if a == b {
                    assert_eq!(mont::sqr_asm(a, &mont::consts(&q)), want, "asm {a:x?}²");
                }
            }
        }
    }

    #[test]
    fn mont_kernels_match_ark_ff() {
        kernels_agree::<ark_ff::MontBackend<ark_bn254::FrConfig, 4>>();
        kernels_agree::<ark_ff::MontBackend<ark_bn254::FqConfig, 4>>();
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
