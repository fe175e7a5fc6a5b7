//! Bucket reduction `Σ_b (b+1)·B_b` of one window, in batch-affine arithmetic.
//!
//! The textbook reduction walks the buckets from the top with two running sums
//! (`R ← R + B_b`, `T ← T + R`), two dependent additions per bucket that can only run in
//! projective (XYZZ) coordinates, about 25 multiplications a bucket. Here the `n` buckets are
//! cut into `S` segments of `L` buckets; the segments' running sums advance together, so
//! every step is `S` independent affine additions sharing one inversion (Montgomery's trick,
//! [`super::affine::add_queued`]): about 6 multiplications each, two per bucket. With
//! `b = s·L + j` (segment `s`, place `j`):
//!
//! `Σ_b (b+1)·B_b = Σ_s T_s + L·Σ_s s·R_s`, where `R_s = Σ_j B_{sL+j}` and
//! `T_s = Σ_j (j+1)·B_{sL+j}`
//!
//! and the last sum over the `S` segment totals is a short XYZZ running sum. Every special
//! case of affine addition (empty buckets, equal or opposite points) is handled by
//! [`super::affine`].

use crate::arith::AddSub;
use ark_ec::short_weierstrass::{Affine, Bucket, Projective, SWCurveConfig};
use ark_ec::PrimeGroup;

use super::affine::{add_queued, BatchInverse};

/// Windows with fewer buckets use the XYZZ running sums (the segments would be too few to
/// amortise an inversion).
pub(crate) const MIN_BUCKETS: usize = 1024;

/// Segments (additions sharing one inversion) at most.
const MAX_SEGMENTS: usize = 512;

/// Reusable buffers of [`weighted_sum`].
pub(crate) struct Reduce<P: SWCurveConfig>
where
    P::BaseField: AddSub,
{
    r: Vec<Affine<P>>,
    t: Vec<Affine<P>>,
    step: Vec<Affine<P>>,
    idx: Vec<u32>,
    scratch: BatchInverse<P::BaseField>,
}

impl<P: SWCurveConfig> Reduce<P>
where
    P::BaseField: AddSub,
{
    pub(crate) fn new() -> Self {
        Self {
            r: Vec::new(),
            t: Vec::new(),
            step: Vec::new(),
            idx: Vec::new(),
            scratch: BatchInverse::with_capacity(0),
        }
    }
}

/// `Σ_{b < n} (b+1)·B_b` for the affine buckets `B_b = slots[b·stride]` (the identity for an
/// empty bucket), `n ≥ 1`; see the [module documentation](self).
pub(crate) fn weighted_sum<P: SWCurveConfig>(
    slots: &[Affine<P>],
    stride: usize,
    n: usize,
    buf: &mut Reduce<P>,
) -> Projective<P>
where
    P::BaseField: AddSub,
{
    let segments = (n / 32).clamp(1, MAX_SEGMENTS);
    let len = n.div_ceil(segments);
    let segments = n.div_ceil(len);
    let Reduce {
        r,
        t,
        step,
        idx,
        scratch,
    } = buf;
    for v in [&mut *r, &mut *t, &mut *step] {
        v.clear();
        v.resize(segments, Affine::identity());
    }
    idx.clear();
    idx.extend(0..segments as u32);
    for j in (0..len).rev() {
        for (s, p) in step.iter_mut().enumerate() {
            let b = s * len + j;
            *p = if b < n {
                slots[b * stride]
            } else {
                Affine::identity()
            };
        }
        // R_s += B_{sL+j}, then T_s += R_s: T_s gains (j+1)·B_{sL+j} over the walk
        add_queued(r, idx, step, scratch);
        add_queued(t, idx, r, scratch);
    }
    // Σ_s T_s + L·Σ_s s·R_s (the second by a running sum from the top segment)
    let mut total = Bucket::<P>::ZERO;
    for p in t.iter() {
        total += p;
    }
    let mut running = Bucket::<P>::ZERO;
    let mut shifted = Bucket::<P>::ZERO;
    for p in r.iter().skip(1).rev() {
        running += p;
        shifted += &running;
    }
    Projective::from(total) + Projective::from(shifted).mul_bigint([len as u64])
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_bn254::{G1Affine, G1Projective};
    use ark_ec::CurveGroup;
    use ark_ff::{UniformRand, Zero};
    use rand::{rngs::StdRng, Rng, SeedableRng};

    fn naive(slots: &[G1Affine], stride: usize, n: usize) -> G1Projective {
        let mut running = G1Projective::zero();
        let mut sum = G1Projective::zero();
        for b in (0..n).rev() {
            running += slots[b * stride];
            sum += running;
        }
        sum
    }

    /// Bucket counts that do and do not divide into segments, strides of replicated slots,
    /// and buckets that are empty, equal, opposite or doubled along a segment's walk.
    #[test]
    fn matches_running_sums() {
        let mut rng = StdRng::seed_from_u64(31);
        let p = G1Projective::rand(&mut rng).into_affine();
        let mut buf = Reduce::new();
        for (n, stride) in [
            (1usize, 1usize),
            (31, 2),
            (1024, 1),
            (1500, 3),
            (4096, 1),
            (16385, 1),
        ] {
            let slots: Vec<G1Affine> = (0..n * stride)
                .map(|_| match rng.gen_range(0..6) {
                    0 => G1Affine::identity(),
                    1 => p,
                    2 => -p,
                    3 => (p + p).into_affine(),
                    _ => G1Projective::rand(&mut rng).into_affine(),
                })
                .collect();
            assert_eq!(
                weighted_sum(&slots, stride, n, &mut buf).into_affine(),
                naive(&slots, stride, n).into_affine(),
                "n = {n}, stride = {stride}"
            );
        }
    }
}
