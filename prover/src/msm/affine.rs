//! Affine point additions with one shared inversion (Montgomery's trick), on one value at a
//! time: the scalar kernel under the batch-affine summation ([`super::batch`]) and the
//! fallback of the IFMA lanes ([`super::ifma`]), which run the same formulas eight at a time.
//!
//! Every special case of affine addition is handled: either operand the identity, `P + P`
//! (doubling, whose denominator `2y` joins the same batch) and `P + (−P)` (identity).

use crate::arith::{AddSub, FastMul};
use ark_ec::short_weierstrass::{Affine, SWCurveConfig};
use ark_ec::AffineRepr;
use ark_ff::{AdditiveGroup, Field, Zero};

/// Kind of an affine addition, decided from the operands alone, once per addition: the
/// denominator pass records it in [`BatchInverse::kinds`] for the result pass (under
/// qemu-aarch64 deciding it again cost ≈ 2 % of a G1 batch addition: two identity tests of
/// eight limbs and a comparison of `x`).
#[derive(Clone, Copy)]
pub(crate) enum Kind {
    Add,
    Double,
    TakeA,
    TakeB,
    Zero,
}

#[inline(always)]
pub(crate) fn kind<P: SWCurveConfig>(a: &Affine<P>, b: &Affine<P>) -> Kind {
    if a.is_zero() {
        Kind::TakeB
    } else if b.is_zero() {
        Kind::TakeA
    } else if a.x != b.x {
        Kind::Add
    } else if a.y == b.y && !a.y.is_zero() {
        Kind::Double
    } else {
        Kind::Zero
    }
}

/// The buffers of one batch of additions sharing an inversion: the inverted denominators,
/// the prefix products of Montgomery's trick over the denominators' norms ([`AddSub::norm`]:
/// in G2 the trick runs in `Fq`), the norms themselves where they are not the denominators
/// (G2), and each addition's [`Kind`].
pub(crate) struct BatchInverse<F: AddSub> {
    pub(crate) den: Vec<F>,
    pub(crate) pre: Vec<F::Norm>,
    norms: Vec<F::Norm>,
    pub(crate) kinds: Vec<Kind>,
}

impl<F: AddSub> BatchInverse<F> {
    /// Empty buffers with room for `n` additions.
    pub(crate) fn with_capacity(n: usize) -> Self {
        Self {
            den: Vec::with_capacity(n),
            pre: Vec::with_capacity(n),
            norms: Vec::with_capacity(if F::NORM_IS_SELF { 0 } else { n }),
            kinds: Vec::with_capacity(n),
        }
    }
}

/// `slots[queue_slot[k]] += queue_pt[k]` (distinct slots) with one inversion (Montgomery's
/// trick).
pub(crate) fn add_queued<P: SWCurveConfig>(
    slots: &mut [Affine<P>],
    queue_slot: &[u32],
    queue_pt: &[Affine<P>],
    scratch: &mut BatchInverse<P::BaseField>,
) where
    P::BaseField: AddSub,
{
    let read: &[Affine<P>] = slots;
    invert_denominators(
        queue_slot
            .iter()
            .zip(queue_pt)
            .map(|(&s, b)| (&read[s as usize], b)),
        scratch,
    );
    for (((&s, b), inv), &k) in queue_slot
        .iter()
        .zip(queue_pt)
        .zip(&scratch.den)
        .zip(&scratch.kinds)
    {
        let a = slots[s as usize];
        slots[s as usize] = add_with_inverse(&a, b, inv, k);
    }
}

/// `scratch.den[k] ← 1/d_k` for the additions `a_k + b_k` in order, `d_k` the denominator of
/// the addition's [`kind`] (1 where there is none), recorded in `scratch.kinds[k]`, with one
/// inversion (Montgomery's trick on the norms `N(d_k)`, then `1/d_k = d̄_k·(1/N(d_k))`: in
/// G1 the norm is `d_k` itself, in G2 the trick's three multiplications per element are
/// `Fq`'s, not `Fq2`'s).
pub(crate) fn invert_denominators<'a, P: SWCurveConfig + 'a>(
    pairs: impl Iterator<Item = (&'a Affine<P>, &'a Affine<P>)>,
    scratch: &mut BatchInverse<P::BaseField>,
) where
    P::BaseField: AddSub,
{
    type N<P> = <<P as ark_ec::CurveConfig>::BaseField as AddSub>::Norm;
    let BatchInverse {
        den,
        pre,
        norms,
        kinds,
    } = scratch;
    den.clear();
    pre.clear();
    norms.clear();
    kinds.clear();
    let mut acc = N::<P>::ONE;
    for (a, b) in pairs {
        let k = kind(a, b);
        let d = match k {
            Kind::Add => b.x.sub_bf(&a.x),
            Kind::Double => a.y.double(),
            _ => P::BaseField::ONE,
        };
        kinds.push(k);
        pre.push(acc);
        let nd = d.norm();
        acc = acc.mul_fast(&nd);
        if !P::BaseField::NORM_IS_SELF {
            norms.push(nd);
        }
        den.push(d);
    }
    // Every denominator is non-zero, so is its norm, and the product is invertible.
    let mut inv = acc.inverse().unwrap_or(N::<P>::ZERO);
    for k in (0..den.len()).rev() {
        let nd = if P::BaseField::NORM_IS_SELF {
            den[k].norm()
        } else {
            norms[k]
        };
        // t = 1/N(d_k)
        let t = inv.mul_fast(&pre[k]);
        inv = inv.mul_fast(&nd);
        den[k] = den[k].conj_times(&t);
    }
}

/// `a + b` given its [`kind`] (`k`) and the inverse of that kind's denominator.
#[inline(always)]
pub(crate) fn add_with_inverse<P: SWCurveConfig>(
    a: &Affine<P>,
    b: &Affine<P>,
    inv: &P::BaseField,
    k: Kind,
) -> Affine<P>
where
    P::BaseField: AddSub,
{
    match k {
        Kind::Add => {
            // λ = (y_b − y_a)/(x_b − x_a), x3 = λ² − x_a − x_b, y3 = λ·(x_a − x3) − y_a
            let l = b.y.sub_bf(&a.y).mul_fast(inv);
            let x3 = l.square_fast().sub_bf(&a.x).sub_bf(&b.x);
            let y3 = l.mul_fast(&a.x.sub_bf(&x3)).sub_bf(&a.y);
            Affine::new_unchecked(x3, y3)
        }
        Kind::Double => {
            let xx = a.x.square();
            let l = (xx.double() + xx + P::COEFF_A) * inv;
            let x3 = l.square() - a.x.double();
            let y3 = l * (a.x - x3) - a.y;
            Affine::new_unchecked(x3, y3)
        }
        Kind::TakeA => *a,
        Kind::TakeB => *b,
        Kind::Zero => Affine::identity(),
    }
}
