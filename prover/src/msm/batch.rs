//! Batch-affine summation of runs of points.
//!
//! Points destined for one bucket lie next to each other (a run). Each round adds the points
//! of every run pairwise, so all additions of a round are independent and share one field
//! inversion per block (Montgomery's trick): an affine addition then costs about 5M + 1S
//! instead of the 8M + 2S of a mixed XYZZ addition. There are no conflicts to schedule:
//! a run halves each round until one point, the bucket's sum, is left at its start. The
//! additions themselves (every special case included) are [`super::affine`]'s; on a CPU with
//! AVX-512 IFMA the queued additions run eight at a time in [`super::ifma`].

use crate::arith::AddSub;
use ark_ec::short_weierstrass::{Affine, Projective, SWCurveConfig};
use ark_ec::{AffineRepr, CurveGroup};

use super::affine::{add_queued, add_with_inverse, invert_denominators, BatchInverse};

/// Pairs per shared inversion: large enough to amortise the inversion, small enough for the
/// block's points and products to stay in L1/L2.
const BLOCK: usize = 1024;

/// Marks a job that moves a run's odd last point instead of adding two points.
const MOVE: u32 = u32::MAX;

/// `pts[out] = pts[a] + pts[b]` (or a move when `b == MOVE`).
#[derive(Clone, Copy)]
struct Job {
    a: u32,
    b: u32,
    out: u32,
}

/// Reusable buffers for [`sum_runs`].
pub(crate) struct Batch<F: AddSub> {
    jobs: Vec<Job>,
    scratch: BatchInverse<F>,
    active: Vec<(u32, u32)>,
}

impl<F: AddSub> Batch<F> {
    pub(crate) fn new() -> Self {
        Self {
            jobs: Vec::with_capacity(BLOCK + 1),
            scratch: BatchInverse::with_capacity(BLOCK),
            active: Vec::new(),
        }
    }
}

/// Sums each run `(start, len)` of `pts` in place: afterwards `pts[start]` is the sum of the
/// run's original points. Other positions of a run are left with partial sums.
pub(crate) fn sum_runs<P: SWCurveConfig>(
    pts: &mut [Affine<P>],
    runs: impl Iterator<Item = (u32, u32)>,
    batch: &mut Batch<P::BaseField>,
) where
    P::BaseField: AddSub,
{
    let mut active = std::mem::take(&mut batch.active);
    active.clear();
    active.extend(runs.filter(|&(_, len)| len >= 2));
    while !active.is_empty() {
        for (start, len) in active.iter_mut() {
            let s = *start;
            let half = *len / 2;
            for i in 0..half {
                batch.jobs.push(Job {
                    a: s + 2 * i,
                    b: s + 2 * i + 1,
                    out: s + i,
                });
                if batch.jobs.len() >= BLOCK {
                    flush(pts, batch);
                }
            }
            if *len % 2 == 1 {
                batch.jobs.push(Job {
                    a: s + *len - 1,
                    b: MOVE,
                    out: s + half,
                });
            }
            *len = len.div_ceil(2);
        }
        // A round must be complete before the next reads its results.
        flush(pts, batch);
        active.retain(|&(_, len)| len >= 2);
    }
    batch.active = active;
}

/// Executes the queued jobs in order with one inversion.
fn flush<P: SWCurveConfig>(pts: &mut [Affine<P>], batch: &mut Batch<P::BaseField>)
where
    P::BaseField: AddSub,
{
    let Batch { jobs, scratch, .. } = batch;
    let read: &[Affine<P>] = pts;
    invert_denominators(
        jobs.iter()
            .filter(|job| job.b != MOVE)
            .map(|job| (&read[job.a as usize], &read[job.b as usize])),
        scratch,
    );
    let mut k = 0;
    for job in jobs.iter() {
        if job.b == MOVE {
            pts[job.out as usize] = pts[job.a as usize];
            continue;
        }
        let a = pts[job.a as usize];
        let b = pts[job.b as usize];
        pts[job.out as usize] = add_with_inverse(&a, &b, &scratch.den[k], scratch.kinds[k]);
        k += 1;
    }
    jobs.clear();
}

/// Additions queued per shared inversion in [`Accumulator`] for G2 points (and the unit of
/// [`queue_len`]).
pub(crate) const QUEUE: usize = 512;

/// Additions queued per shared inversion for points of `P`: about 64 KiB of queued points
/// (1,024 in G1, 512 in G2). The inversion is ≈ 3 % of a G1 batch addition at 512; a
/// longer queue halves it, and points meeting a busy slot (≈ queue / buckets of them) are
/// deferred, not lost. G2 points are twice the size and their additions four times the cost,
/// so the inversion matters less there and the queue stays at [`QUEUE`].
pub(crate) fn queue_len<P: SWCurveConfig>() -> usize {
    ((64 << 10) / core::mem::size_of::<Affine<P>>())
        .next_power_of_two()
        .clamp(QUEUE, 2 * QUEUE)
}

/// A queue executor on other hardware (`ifma.rs`): `(slots, queued slots, queued points)`,
/// returning whether it ran.
#[cfg(target_arch = "x86_64")]
pub(crate) type Exec<P> = fn(&mut [Affine<P>], &[u32], &[Affine<P>]) -> bool;

/// Streaming batch-affine bucket accumulation.
///
/// Points arrive in input order (so bases are read sequentially, not gathered) and are added
/// into affine bucket slots that stay cache-resident; additions are queued and executed
/// a queue ([`queue_len`]) at a time with one inversion. A point whose slot already has an addition queued is
/// deferred to the next batch (a few percent of the points for random digits); when the
/// deferred list is full, or a deferred point meets a busy slot again, it goes to the bucket's
/// XYZZ overflow bucket instead (a mixed addition), so adversarial inputs that hit one bucket
/// over and over cost like arkworks rather than one inversion per point. When there are few
/// buckets, each
/// bucket gets `replicas` slots (points rotate over them) so that conflicts stay rare even for
/// a single bucket; the replicas are summed at the end with [`sum_runs`].
pub(crate) struct Accumulator<P: SWCurveConfig>
where
    P::BaseField: AddSub,
{
    /// `buckets × replicas` affine slots, bucket-major; the identity means empty.
    pub(crate) slots: Vec<Affine<P>>,
    busy: Vec<bool>,
    /// Per bucket: the sum of points that met a busy slot.
    pub(crate) overflow: Vec<ark_ec::short_weierstrass::Bucket<P>>,
    /// Whether any overflow bucket was used.
    pub(crate) overflowed: bool,
    queue_slot: Vec<u32>,
    queue_pt: Vec<Affine<P>>,
    /// (bucket, slot, point) that met a busy slot, retried after the next flush.
    deferred: Vec<(u32, u32, Affine<P>)>,
    scratch: BatchInverse<P::BaseField>,
    pub(crate) replicas: usize,
    pub(crate) buckets: usize,
    /// [`queue_len`] of `P`.
    queue: usize,
}

impl<P: SWCurveConfig> Accumulator<P>
where
    P::BaseField: AddSub,
{
    pub(crate) fn new() -> Self {
        let queue = queue_len::<P>();
        Self {
            slots: Vec::new(),
            busy: Vec::new(),
            overflow: Vec::new(),
            overflowed: false,
            queue_slot: Vec::with_capacity(queue),
            queue_pt: Vec::with_capacity(queue),
            deferred: Vec::with_capacity(queue),
            scratch: BatchInverse::with_capacity(queue),
            replicas: 1,
            buckets: 0,
            queue,
        }
    }

    /// Empties the accumulator for `buckets` buckets of `replicas` slots each.
    pub(crate) fn reset(&mut self, buckets: usize, replicas: usize) {
        self.buckets = buckets;
        self.replicas = replicas;
        self.slots.clear();
        self.slots.resize(buckets * replicas, Affine::identity());
        self.busy.clear();
        self.busy.resize(buckets * replicas, false);
        self.overflow.clear();
        self.overflow
            .resize(buckets, ark_ec::short_weierstrass::Bucket::ZERO);
        self.overflowed = false;
        self.queue_slot.clear();
        self.queue_pt.clear();
        self.deferred.clear();
    }

    /// Adds `p` (not the identity) to bucket `bucket` through slot `slot`.
    #[inline(always)]
    pub(crate) fn add(&mut self, bucket: usize, slot: usize, p: Affine<P>) {
        if self.busy[slot] {
            if self.deferred.len() < self.queue {
                self.deferred.push((bucket as u32, slot as u32, p));
            } else {
                self.overflow[bucket] += &p;
                self.overflowed = true;
            }
        } else if self.slots[slot].is_zero() {
            self.slots[slot] = p;
        } else {
            self.busy[slot] = true;
            self.queue_slot.push(slot as u32);
            self.queue_pt.push(p);
            if self.queue_slot.len() >= self.queue {
                self.flush();
            }
        }
    }

    /// Adds every non-empty overflow bucket into its bucket's first slot, so that the slots
    /// alone hold the bucket sums: the overflow sums (XYZZ) become affine with one shared
    /// inversion, then join the slots in one batch of affine additions (distinct slots; equal,
    /// opposite and empty operands are [`super::affine`]'s special cases). Call after
    /// [`Self::finish`] and after the replicas are summed into the first slots. A window with
    /// many buckets almost always has a few overflowed points (two deferred points meeting
    /// the same slot), and without this its reduction could not run in affine coordinates.
    pub(crate) fn fold_overflow(&mut self) {
        if !self.overflowed {
            return;
        }
        let buckets: Vec<usize> = (0..self.buckets)
            .filter(|&b| !self.overflow[b].is_zero())
            .collect();
        let sums: Vec<Projective<P>> = buckets.iter().map(|&b| self.overflow[b].into()).collect();
        let sums = Projective::normalize_batch(&sums);
        // finish() left the queue empty and every slot free
        for (&b, p) in buckets.iter().zip(sums) {
            self.queue_slot.push((b * self.replicas) as u32);
            self.queue_pt.push(p);
        }
        self.execute();
        for &b in &buckets {
            self.overflow[b] = ark_ec::short_weierstrass::Bucket::ZERO;
        }
        self.overflowed = false;
    }

    /// Executes everything queued and deferred.
    pub(crate) fn finish(&mut self) {
        while !self.queue_slot.is_empty() || !self.deferred.is_empty() {
            self.flush();
        }
    }

    /// Executes the queued additions, then queues the deferred points (at most a queue, so
    /// they fit; one meeting a busy slot again goes to the overflow bucket).
    fn flush(&mut self) {
        if !self.queue_slot.is_empty() {
            self.execute();
        }
        let mut deferred = std::mem::take(&mut self.deferred);
        for (bucket, slot, p) in deferred.drain(..) {
            let (b, s) = (bucket as usize, slot as usize);
            if self.busy[s] {
                self.overflow[b] += &p;
                self.overflowed = true;
            } else if self.slots[s].is_zero() {
                self.slots[s] = p;
            } else {
                self.busy[s] = true;
                self.queue_slot.push(slot);
                self.queue_pt.push(p);
            }
        }
        self.deferred = deferred;
    }

    /// Executes the queue with `exec` (`ifma.rs`) if it can (`exec` returns whether it did).
    #[cfg(target_arch = "x86_64")]
    fn execute_with(&mut self, exec: Exec<P>) -> bool {
        if !exec(&mut self.slots, &self.queue_slot, &self.queue_pt) {
            return false;
        }
        for &s in &self.queue_slot {
            self.busy[s as usize] = false;
        }
        self.queue_slot.clear();
        self.queue_pt.clear();
        true
    }

    /// Executes the queued additions with one inversion (in G1 and G2 on a CPU with AVX-512
    /// IFMA, eight lanes at a time: `ifma.rs`).
    fn execute(&mut self) {
        #[cfg(target_arch = "x86_64")]
        {
            use ark_bn254::{g1, g2};
            let any = self as &mut dyn core::any::Any;
            if let Some(acc) = any.downcast_mut::<Accumulator<g1::Config>>() {
                if acc.execute_with(super::ifma::execute) {
                    return;
                }
            } else if let Some(acc) = any.downcast_mut::<Accumulator<g2::Config>>() {
                if acc.execute_with(super::ifma::execute_g2) {
                    return;
                }
            }
        }
        add_queued(
            &mut self.slots,
            &self.queue_slot,
            &self.queue_pt,
            &mut self.scratch,
        );
        for &s in &self.queue_slot {
            self.busy[s as usize] = false;
        }
        self.queue_slot.clear();
        self.queue_pt.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_bn254::{G1Affine, G1Projective};
    use ark_ec::CurveGroup;
    use ark_ff::UniformRand;
    use ark_ff::Zero;
    use rand::{rngs::StdRng, Rng, SeedableRng};

    /// Many points into few slots: exercises deferral, the overflow fallback (deferred list
    /// full, deferred point meeting a busy slot), doubling and cancellation.
    #[test]
    fn accumulator_conflicts_match_naive_sums() {
        let mut rng = StdRng::seed_from_u64(21);
        let base: Vec<G1Affine> = (0..4)
            .map(|_| G1Projective::rand(&mut rng).into_affine())
            .collect();
        for buckets in [1usize, 3] {
            let mut acc = Accumulator::<ark_bn254::g1::Config>::new();
            acc.reset(buckets, 1);
            let mut want = vec![G1Projective::zero(); buckets];
            for i in 0..3 * queue_len::<ark_bn254::g1::Config>() + 17 {
                let b = rng.gen_range(0..buckets);
                let p = match i % 5 {
                    0 | 1 => base[0],
                    2 => -base[0],
                    3 => base[rng.gen_range(0..4)],
                    _ => G1Projective::rand(&mut rng).into_affine(),
                };
                want[b] += p;
                acc.add(b, b, p);
            }
            acc.finish();
            assert!(acc.overflowed);
            for (b, w) in want.iter().enumerate() {
                let got = G1Projective::from(acc.slots[b]) + G1Projective::from(acc.overflow[b]);
                assert_eq!(
                    got.into_affine(),
                    w.into_affine(),
                    "bucket {b} of {buckets}"
                );
            }
            // folded, the slots alone hold the sums
            acc.fold_overflow();
            assert!(!acc.overflowed);
            for (b, w) in want.iter().enumerate() {
                assert!(acc.overflow[b].is_zero(), "overflow {b} emptied");
                assert_eq!(
                    acc.slots[b],
                    w.into_affine(),
                    "folded bucket {b} of {buckets}"
                );
            }
        }
    }

    #[test]
    fn runs_sum_with_doublings_and_cancellations() {
        let mut rng = StdRng::seed_from_u64(22);
        let p = G1Projective::rand(&mut rng).into_affine();
        let q = G1Projective::rand(&mut rng).into_affine();
        let mut pts = vec![
            p,
            p,
            p,
            -p,
            q,
            Affine::identity(),
            -q,
            p,
            p,
            Affine::identity(),
        ];
        let runs = [(0u32, 4u32), (4, 3), (7, 2), (9, 1)];
        let want: Vec<G1Projective> = runs
            .iter()
            .map(|&(s, l)| {
                pts[s as usize..(s + l) as usize]
                    .iter()
                    .map(|x| G1Projective::from(*x))
                    .sum()
            })
            .collect();
        let mut batch = Batch::new();
        sum_runs(&mut pts, runs.iter().copied(), &mut batch);
        for (&(s, _), w) in runs.iter().zip(&want) {
            assert_eq!(pts[s as usize], w.into_affine());
        }
    }
}
