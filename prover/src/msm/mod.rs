//! Variable-base multi-scalar multiplication (MSM) for short Weierstrass curves with a GLV
//! endomorphism (BN254 G1 and G2).
//!
//! One concern, one file above 700 lines: the MSM driver (GLV split, signed windows, the cost
//! model that picks the window and the summation, the bucket reduction) and its tests; the
//! additions it runs are `affine.rs`, `batch.rs` and `ifma.rs`.
//!
//! `msm(bases, scalars) = Σ scalarsᵢ · basesᵢ`, computed as follows.
//!
//! 1. **Scalars** are read as integers `k < r` and replaced by `−(r − k)` when that is shorter,
//!    so small negative values cost like small positive ones. Scalars longer than 128 bits are
//!    split with the GLV endomorphism `φ(P) = λ·P` into `k₁·P + k₂·φ(P)` with
//!    `|k₁|, |k₂| ≤ 2^128` (the `glv` submodule decomposes without big-integer allocations). Signs are
//!    folded into the points (negating a point is free).
//! 2. **Groups by length.** The resulting (point, magnitude) entries are grouped by bit length
//!    (the prover's witness is mostly bits and short integers, its H-query scalars are full
//!    width); each group gets its own window size from a cost model, so a group of bits is a
//!    single batched sum and a group of 26-bit values needs two windows instead of twenty.
//! 3. **Pippenger with signed digits**: each window digit lies in `[−2^(c−1), 2^(c−1))`
//!    (the top window holds the non-negative remainder), which halves the bucket count.
//!    Digits are read independently per window from `|k| + Σ 2^(c·j + c − 1)`.
//! 4. **Batch-affine buckets** (the `batch` submodule): per window the points stream, in input
//!    order, into cache-resident affine buckets; the additions are queued and executed 512 at a
//!    time sharing one field inversion (Montgomery's trick), about 5M + 1S each instead of the
//!    8M + 2S of an XYZZ mixed addition. A point whose bucket already has a queued addition
//!    waits for the next batch; doubling `P + P`, `P + (−P)` and the identity are handled.
//!    On x86-64 CPUs with AVX-512 IFMA (detected at run time), the plain additions of a
//!    batch run eight lanes at a time, in G1 and G2 (the `ifma` submodule: 52-bit-limb
//!    Montgomery multiplication, ≈ a third of the time of eight scalar ones); a `county`
//!    proof's H MSM then takes ≈ 40 % less time, its G2 MSM ≈ 25 % less.
//! 5. **Bucket reduction** `Σ b·B_b`: for windows of many buckets, segments of buckets walked
//!    together so that their running sums are batch-affine additions too (the `reduce`
//!    submodule); for few buckets, running sums in XYZZ coordinates. Then the windows are
//!    combined by doubling.
//!
//! With the `parallel` feature, the (group, window, chunk of points) tasks run on the current
//! rayon pool: the caller chooses the thread count by installing a pool. The result is the
//! same group element for every thread count.
//!
//! GLV relies on `φ(P) = λ·P`, which holds on the prime-order subgroup: always for BN254 G1
//! (cofactor 1), and for G2 points that passed the subgroup check (as every proving-key point
//! deserialized with validation does). For points outside the subgroup use
//! [`MsmConfig::glv`]` = false`.

mod affine;
mod batch;
mod glv;
#[cfg(target_arch = "x86_64")]
mod ifma;
mod reduce;

use crate::arith::AddSub;
use ark_ec::scalar_mul::glv::GLVConfig;
use ark_ec::short_weierstrass::{Affine, Bucket, Projective, SWCurveConfig};
use ark_ec::{AdditiveGroup, AffineRepr};
use ark_ff::{PrimeField, Zero};
use glv::{Decomposer, U256};

#[cfg(feature = "parallel")]
use rayon::prelude::*;

/// Why an MSM could not be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MsmError {
    /// `bases` and `scalars` differ in length.
    #[error("MSM with {bases} bases but {scalars} scalars")]
    LengthMismatch {
        /// Number of bases.
        bases: usize,
        /// Number of scalars.
        scalars: usize,
    },
    /// More points than the 30-bit entry indices can address.
    #[error("MSM of {0} points is larger than supported (2^30)")]
    TooLarge(usize),
}

/// Tuning knobs of [`msm_with`]; [`MsmConfig::default`] is what [`msm`] uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MsmConfig {
    /// Split long scalars with the GLV endomorphism (requires bases in the prime-order
    /// subgroup).
    pub glv: bool,
    /// Force this window size for every group instead of the cost model's choice (1..=24);
    /// for tests and tuning.
    pub window: Option<usize>,
}

impl Default for MsmConfig {
    fn default() -> Self {
        Self {
            glv: true,
            window: None,
        }
    }
}

/// `Σ scalarsᵢ · basesᵢ` with the default configuration (GLV on, windows from the cost
/// model). See the [module documentation](self).
pub fn msm<P: GLVConfig>(
    bases: &[Affine<P>],
    scalars: &[P::ScalarField],
) -> Result<Projective<P>, MsmError>
where
    P::BaseField: AddSub,
{
    msm_with(bases, scalars, &MsmConfig::default())
}

/// [`msm`] with explicit tuning knobs.
pub fn msm_with<P: GLVConfig>(
    bases: &[Affine<P>],
    scalars: &[P::ScalarField],
    config: &MsmConfig,
) -> Result<Projective<P>, MsmError>
where
    P::BaseField: AddSub,
{
    msm_merged_with(bases, scalars, None, &[], config)
}

/// One extra part of [`msm_merged`]: its bases and their scalars.
pub type Part<'a, P> = (
    &'a [Affine<P>],
    &'a [<P as ark_ec::CurveConfig>::ScalarField],
);

/// `Σ scalarsᵢ · basesᵢ + Σ_parts Σ sⱼ · Pⱼ` as **one** Pippenger pass: the entries of the
/// `extra` parts (each a `(bases, scalars)` pair) join the main MSM's groups, so a part's
/// full-width scalars share the main MSM's buckets instead of paying a bucket reduction of
/// their own (for the prover: `L`'s and `r·B`'s full-width scalars added to the `H` MSM's
/// windows cost about a third less than in MSMs of their own). The extra parts' points are
/// copied into the MSM's table of endomorphism images (one point per entry, two for a
/// GLV-split scalar), so they should be small beside the main part.
pub fn msm_merged<P: GLVConfig>(
    bases: &[Affine<P>],
    scalars: &[P::ScalarField],
    extra: &[Part<'_, P>],
) -> Result<Projective<P>, MsmError>
where
    P::BaseField: AddSub,
{
    msm_merged_with(bases, scalars, None, extra, &MsmConfig::default())
}

/// `Σ_{i : !skip[i]} scalarsᵢ · basesᵢ`: [`msm`] leaving out the marked terms, without a
/// copy of the scalars (the prover leaves out the full-width scalars it merged into the H
/// MSM, [`msm_merged`]). `skip` has one flag per base.
pub fn msm_skipping<P: GLVConfig>(
    bases: &[Affine<P>],
    scalars: &[P::ScalarField],
    skip: &[bool],
) -> Result<Projective<P>, MsmError>
where
    P::BaseField: AddSub,
{
    if skip.len() != bases.len() {
        return Err(MsmError::LengthMismatch {
            bases: bases.len(),
            scalars: skip.len(),
        });
    }
    msm_merged_with(bases, scalars, Some(skip), &[], &MsmConfig::default())
}

fn msm_merged_with<P: GLVConfig>(
    bases: &[Affine<P>],
    scalars: &[P::ScalarField],
    skip: Option<&[bool]>,
    extra: &[Part<'_, P>],
    config: &MsmConfig,
) -> Result<Projective<P>, MsmError>
where
    P::BaseField: AddSub,
{
    for (b, s) in std::iter::once((bases, scalars)).chain(extra.iter().copied()) {
        if b.len() != s.len() {
            return Err(MsmError::LengthMismatch {
                bases: b.len(),
                scalars: s.len(),
            });
        }
    }
    // the main part's indices and the table (one endomorphism image per main point, up to
    // two copies per extra point) must fit the 30-bit references
    let extra_len: usize = extra.iter().map(|(b, _)| b.len()).sum();
    let total = bases.len().saturating_add(extra_len.saturating_mul(2));
    if total >= IDX_MASK as usize {
        return Err(MsmError::TooLarge(total));
    }
    if !glv::fits_u256::<P::ScalarField>() {
        // Not reachable for BN254; keeps the function total for other fields.
        let kept = |i: usize| !skip.is_some_and(|m| m[i]);
        return Ok(bases
            .iter()
            .zip(scalars)
            .enumerate()
            .filter(|(i, _)| kept(*i))
            .map(|(_, t)| t)
            .chain(extra.iter().flat_map(|(b, s)| b.iter().zip(s.iter())))
            .map(|(b, s)| Projective::from(*b) * s)
            .sum::<Projective<P>>());
    }
    let decomposer = if config.glv {
        Decomposer::new::<P>()
    } else {
        None
    };
    let mut entries = prepare(bases, scalars, skip, decomposer.as_ref(), extra_len);
    for (b, s) in extra {
        prepare_copies(&mut entries, b, s, decomposer.as_ref());
    }
    Ok(run(bases, entries, config))
}

/// Whether [`msm`] splits `s` with the GLV endomorphism: its shorter representative
/// (`k` or `−(r − k)`) is longer than 128 bits — what the prover calls a full-width scalar.
pub fn is_glv_split<F: PrimeField>(s: &F) -> bool {
    if !glv::fits_u256::<F>() {
        return false;
    }
    let (_, mag) = shorter(&glv::to_u256(s), &glv::modulus_u256::<F>());
    glv::num_bits(&mag) > 128
}

/// The shorter representative of `k mod r`: `(false, k)` or `(true, r − k)` for `−(r − k)`.
fn shorter(k: &U256, r: &U256) -> (bool, U256) {
    let kn = glv::sub_u256(r, k);
    if glv::num_bits(&kn) < glv::num_bits(k) {
        (true, kn)
    } else {
        (false, *k)
    }
}

/// Nanoseconds per addition of the batch-affine kernel under every bucket
/// (`affine::add_queued`): `rounds` times, one queue of `q` additions (the accumulator's
/// queue length for `P`: 1,024 in G1, 512 in G2) of `points[q..2q]` into the slots
/// `points[..q]`, sharing one inversion. For the probes (`examples/msm_probe.rs add`), to
/// split an MSM's time into its additions and the rest; not API. `None` if fewer than `2q`
/// points are given.
#[cfg(feature = "bench")]
pub fn time_batch_add<P: SWCurveConfig>(points: &[Affine<P>], rounds: usize) -> Option<f64>
where
    P::BaseField: AddSub,
{
    let q = batch::queue_len::<P>();
    let mut slots = points.get(..q)?.to_vec();
    let pts = points.get(q..2 * q)?;
    let idx: Vec<u32> = (0..q as u32).collect();
    let mut scratch = affine::BatchInverse::with_capacity(q);
    let t = std::time::Instant::now();
    for _ in 0..rounds {
        affine::add_queued(&mut slots, &idx, pts, &mut scratch);
    }
    let ns = t.elapsed().as_secs_f64() * 1e9 / (rounds * q) as f64;
    std::hint::black_box(&slots);
    Some(ns)
}

/// Entry reference: bit 31 negates the point, bit 30 selects the table (`φ(base)` of a main
/// point, or a copied point of an extra part: [`msm_merged`]) instead of `bases`, bits 0..30
/// index `bases` (or the table).
const NEG: u32 = 1 << 31;
const ENDO: u32 = 1 << 30;
const IDX_MASK: u32 = ENDO - 1;

/// The (point, magnitude) entries an MSM reduces to.
struct Entries<P: SWCurveConfig> {
    refs: Vec<u32>,
    mags: Vec<U256>,
    endo: Vec<Affine<P>>,
}

/// Inputs per preparation chunk.
const PREP_CHUNK: usize = 1 << 13;

/// The entries of `Σ scalarsᵢ·basesᵢ`, with room for the entries of `extra` more points
/// ([`prepare_copies`]) so that appending them does not reallocate (a reallocation of the
/// H MSM's entries would briefly hold two copies of them).
fn prepare<P: GLVConfig>(
    bases: &[Affine<P>],
    scalars: &[P::ScalarField],
    skip: Option<&[bool]>,
    dec: Option<&Decomposer>,
    extra: usize,
) -> Entries<P> {
    let r = glv::modulus_u256::<P::ScalarField>();
    type Chunk<'c, P> = (
        usize,
        (
            &'c [Affine<P>],
            &'c [<P as ark_ec::CurveConfig>::ScalarField],
        ),
    );
    let fill = |e: &mut Entries<P>, (ci, (bs, ss)): Chunk<'_, P>| {
        for (i, (b, s)) in bs.iter().zip(ss).enumerate() {
            let gi = ci * PREP_CHUNK + i;
            if b.is_zero() || s.is_zero() || skip.is_some_and(|m| m[gi]) {
                continue;
            }
            let idx = gi as u32;
            for (neg, mag, endo) in scalar_parts::<P>(s, &r, dec).into_iter().flatten() {
                let sign = if neg { NEG } else { 0 };
                if endo {
                    e.refs.push(e.endo.len() as u32 | ENDO | sign);
                    e.endo.push(P::endomorphism_affine(b));
                } else {
                    e.refs.push(idx | sign);
                }
                e.mags.push(mag);
            }
        }
    };
    #[cfg(feature = "parallel")]
    let threads = rayon::current_num_threads();
    #[cfg(not(feature = "parallel"))]
    let threads = 1;
    if threads == 1 {
        // One pass into one set of entries: no per-chunk parts to merge (a second copy).
        // Reserved, untouched capacity costs address space, not memory.
        let mut e = Entries {
            refs: Vec::with_capacity(2 * (bases.len() + extra)),
            mags: Vec::with_capacity(2 * (bases.len() + extra)),
            endo: Vec::with_capacity(bases.len() + 2 * extra),
        };
        bases
            .chunks(PREP_CHUNK)
            .zip(scalars.chunks(PREP_CHUNK))
            .enumerate()
            .for_each(|c| fill(&mut e, c));
        return e;
    }
    let one_chunk = |c: Chunk<'_, P>| {
        let mut e = Entries {
            refs: Vec::with_capacity(c.1 .0.len()),
            mags: Vec::with_capacity(c.1 .0.len()),
            endo: Vec::new(),
        };
        fill(&mut e, c);
        e
    };
    #[cfg(feature = "parallel")]
    let parts: Vec<Entries<P>> = bases
        .par_chunks(PREP_CHUNK)
        .zip(scalars.par_chunks(PREP_CHUNK))
        .enumerate()
        .map(one_chunk)
        .collect();
    #[cfg(not(feature = "parallel"))]
    let parts: Vec<Entries<P>> = bases
        .chunks(PREP_CHUNK)
        .zip(scalars.chunks(PREP_CHUNK))
        .enumerate()
        .map(one_chunk)
        .collect();
    if parts.len() == 1 && extra == 0 {
        return parts.into_iter().next().unwrap_or_else(|| Entries {
            refs: vec![],
            mags: vec![],
            endo: vec![],
        });
    }
    let total: usize = parts.iter().map(|p| p.refs.len()).sum::<usize>() + 2 * extra;
    let mut out = Entries {
        refs: Vec::with_capacity(total),
        mags: Vec::with_capacity(total),
        endo: Vec::with_capacity(parts.iter().map(|p| p.endo.len()).sum::<usize>() + 2 * extra),
    };
    for p in parts {
        let off = out.endo.len() as u32;
        out.refs.extend(
            p.refs
                .iter()
                .map(|&r| if r & ENDO != 0 { r + off } else { r }),
        );
        out.mags.extend_from_slice(&p.mags);
        out.endo.extend_from_slice(&p.endo);
    }
    out
}

/// A scalar's entries, `(negated, magnitude, on φ(P))`: one for a short scalar (the shorter of
/// `k` and `−(r − k)`), two for a GLV-split one (`k₁·P + k₂·φ(P)`); a zero part is left out.
fn scalar_parts<P: GLVConfig>(
    s: &P::ScalarField,
    r: &U256,
    dec: Option<&Decomposer>,
) -> [Option<(bool, U256, bool)>; 2] {
    let k = glv::to_u256(s);
    let (neg, mag) = shorter(&k, r);
    match dec {
        Some(d) if glv::num_bits(&mag) > 128 => {
            let ((n1, k1), (n2, k2)) = d.decompose(&k);
            [
                (k1 != [0; 4]).then_some((n1, k1, false)),
                (k2 != [0; 4]).then_some((n2, k2, true)),
            ]
        }
        _ => [Some((neg, mag, false)), None],
    }
}

/// Appends the entries of an extra part ([`msm_merged`]): its points are copied into the
/// table (`P` itself, or `φ(P)` for a GLV part), which the entries reference.
fn prepare_copies<P: GLVConfig>(
    e: &mut Entries<P>,
    bases: &[Affine<P>],
    scalars: &[P::ScalarField],
    dec: Option<&Decomposer>,
) {
    let r = glv::modulus_u256::<P::ScalarField>();
    for (b, s) in bases.iter().zip(scalars) {
        if b.is_zero() || s.is_zero() {
            continue;
        }
        for (neg, mag, endo) in scalar_parts::<P>(s, &r, dec).into_iter().flatten() {
            e.refs
                .push(e.endo.len() as u32 | ENDO | if neg { NEG } else { 0 });
            e.endo
                .push(if endo { P::endomorphism_affine(b) } else { *b });
            e.mags.push(mag);
        }
    }
}

/// Relative costs (in field multiplications) used to choose windows and groups; measured on
/// BN254 G1 (see `examples/msm_probe.rs`).
mod cost {
    /// One batch-affine addition inside a bucket run, including sorting and copying.
    pub const ADD: f64 = 7.0;
    /// The same in G1 with the additions on IFMA lanes (`ifma.rs`): about half, measured
    /// from the H MSM of a `county` proof (≈ 140 instead of ≈ 260 ns per addition), which
    /// then runs fastest with 13-bit windows instead of the scalar path's 15. (x86-64 only:
    /// other targets have no IFMA lanes.)
    #[cfg(target_arch = "x86_64")]
    pub const ADD_IFMA: f64 = 4.0;
    /// Reading an entry's digit and counting it, per window.
    pub const SCAN: f64 = 1.0;
    /// Per bucket in the reduction: a mixed and a full XYZZ addition.
    pub const BUCKET: f64 = 25.0;
    /// Fixed cost of a window task.
    pub const TASK: f64 = 3000.0;
}

/// [`cost::ADD`], or `cost::ADD_IFMA` for G1 on an x86-64 CPU whose additions run on IFMA lanes.
// Only x86-64 tells the curves apart (IFMA lanes exist for G1 there).
#[cfg_attr(
    not(target_arch = "x86_64"),
    allow(clippy::extra_unused_type_parameters)
)]
fn add_cost<P: SWCurveConfig>() -> f64 {
    #[cfg(target_arch = "x86_64")]
    if core::any::TypeId::of::<P>() == core::any::TypeId::of::<ark_bn254::g1::Config>()
        && ifma::available()
    {
        return cost::ADD_IFMA;
    }
    cost::ADD
}

/// Largest window size considered.
const MAX_WINDOW: usize = 22;

/// Windows `W`, normal bucket count and top-window bucket bound for `bits`-bit magnitudes.
fn shape(bits: usize, c: usize) -> (usize, f64, f64) {
    let w = bits.div_ceil(c).max(1);
    if w == 1 {
        (1, 0.0, ((1u128 << bits) - 1) as f64)
    } else {
        let top = bits - c * (w - 1);
        (w, (1u64 << (c - 1)) as f64, (1u128 << top) as f64)
    }
}

/// Expected additions to sum `n` points into `m` buckets.
fn adds(n: f64, m: f64) -> f64 {
    if m <= 0.0 {
        return 0.0;
    }
    (n - m * (1.0 - (-n / m).exp())).max(0.0)
}

/// Modelled cost of one group of `n` entries of at most `bits` bits with window `c`.
/// `add` is the cost of one batch-affine addition ([`add_cost`]).
fn group_cost(n: f64, bits: usize, c: usize, add: f64) -> f64 {
    let (w, m, mtop) = shape(bits, c);
    let normal = (w - 1) as f64 * (adds(n, m) * add + m * cost::BUCKET);
    let top = adds(n, mtop) * add + mtop * cost::BUCKET;
    normal + top + w as f64 * (n * cost::SCAN + cost::TASK)
}

fn best_window(n: usize, bits: usize, forced: Option<usize>, add: f64) -> (usize, f64) {
    if let Some(c) = forced {
        let c = c.clamp(1, MAX_WINDOW);
        return (c, group_cost(n as f64, bits, c, add));
    }
    (1..=bits.min(MAX_WINDOW))
        .map(|c| (c, group_cost(n as f64, bits, c, add)))
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .unwrap_or((1, 0.0))
}

/// Upper bit lengths of the candidate groups; the plan merges adjacent ones when that is
/// cheaper under the cost model.
const BOUNDS: [usize; 34] = [
    1, 2, 3, 4, 6, 8, 10, 12, 14, 16, 20, 24, 28, 32, 40, 48, 56, 64, 80, 96, 112, 120, 124, 126,
    127, 128, 129, 130, 160, 192, 224, 240, 254, 256,
];

/// One group's plan: entries with bit length in `(lo, hi]`, `w` windows of `c` bits.
#[derive(Clone, Copy, Debug)]
struct GroupPlan {
    lo: usize,
    hi: usize,
    bits: usize,
    c: usize,
    w: usize,
}

/// Chooses groups (contiguous ranges of candidate bins) minimising the modelled cost.
fn plan(hist: &[usize; 257], forced: Option<usize>, add: f64) -> Vec<GroupPlan> {
    let nb = BOUNDS.len();
    // per candidate bin: entry count and the largest bit length present
    let mut count = vec![0usize; nb];
    let mut maxb = vec![0usize; nb];
    let mut lo = 0;
    for (k, &hi) in BOUNDS.iter().enumerate() {
        for (b, &h) in hist.iter().enumerate().take(hi + 1).skip(lo + 1) {
            if h > 0 {
                count[k] += h;
                maxb[k] = b;
            }
        }
        lo = hi;
    }
    let nonempty: Vec<usize> = (0..nb).filter(|&k| count[k] > 0).collect();
    let m = nonempty.len();
    // dp[i]: best cost of the first i non-empty bins; from[i]: start of the last group
    let mut dp = vec![f64::INFINITY; m + 1];
    let mut from = vec![0usize; m + 1];
    dp[0] = 0.0;
    for i in 1..=m {
        let mut n = 0;
        for j in (0..i).rev() {
            n += count[nonempty[j]];
            let bits = maxb[nonempty[i - 1]];
            let (_, c) = best_window(n, bits, forced, add);
            if dp[j] + c < dp[i] {
                dp[i] = dp[j] + c;
                from[i] = j;
            }
        }
    }
    let mut groups = Vec::new();
    let mut i = m;
    while i > 0 {
        let j = from[i];
        let lo = if nonempty[j] == 0 {
            0
        } else {
            BOUNDS[nonempty[j] - 1]
        };
        let hi = BOUNDS[nonempty[i - 1]];
        let bits = maxb[nonempty[i - 1]];
        let n: usize = (j..i).map(|t| count[nonempty[t]]).sum();
        let (c, _) = best_window(n, bits, forced, add);
        let (w, _, _) = shape(bits, c);
        groups.push(GroupPlan { lo, hi, bits, c, w });
        i = j;
    }
    groups.reverse();
    // stretch the ranges over empty bins so that every bit length has a group
    let mut prev = 0;
    for g in groups.iter_mut() {
        g.lo = prev;
        prev = g.hi;
    }
    if let Some(last) = groups.last_mut() {
        last.hi = 256;
    }
    groups
}

/// A planned group: entries `start..start + len` of the (regrouped) entries, whose magnitudes
/// already carry the signed-digit offset.
struct Group {
    plan: GroupPlan,
    start: usize,
    len: usize,
    /// Bucket count of the top window (its largest digit).
    top_buckets: usize,
}

/// `Σ_{j < w−1} 2^(c·j + c − 1)`: adding it makes every lower window's digit a plain bit
/// field shifted by `2^(c−1)`.
fn offset(c: usize, w: usize) -> U256 {
    let mut h = [0u64; 4];
    for j in 0..w.saturating_sub(1) {
        let bit = c * j + c - 1;
        h[bit / 64] |= 1 << (bit % 64);
    }
    h
}

#[inline(always)]
fn bits_at(v: &U256, start: usize, width: usize) -> u64 {
    let limb = start / 64;
    let off = start % 64;
    let mut x = v[limb] >> off;
    if off + width > 64 && limb + 1 < 4 {
        x |= v[limb + 1] << (64 - off);
    }
    x & ((1u64 << width) - 1)
}

/// Plans the groups and reorders `entries` in place so that each group's entries are
/// contiguous (an in-place counting sort: no second copy of the entries, which for the H query
/// are as large as a third of its points), with the signed-digit offset added to their
/// magnitudes. The order inside a group is not the input order; the sum does not depend on it.
fn build_groups<P: SWCurveConfig>(entries: &mut Entries<P>, forced: Option<usize>) -> Vec<Group> {
    let mut hist = [0usize; 257];
    for m in &entries.mags {
        hist[glv::num_bits(m) as usize] += 1;
    }
    let plans = plan(&hist, forced, add_cost::<P>());
    let mut which = [usize::MAX; 257];
    let mut start = 0;
    let mut groups: Vec<Group> = plans
        .iter()
        .enumerate()
        .map(|(g, p)| {
            for slot in which.iter_mut().take(p.hi + 1).skip(p.lo + 1) {
                *slot = g;
            }
            let len: usize = hist[p.lo + 1..=p.hi].iter().sum();
            start += len;
            Group {
                plan: *p,
                start: start - len,
                len,
                top_buckets: 0,
            }
        })
        .collect();
    // American flag sort: `next[g]` is the first slot of group g not yet known to hold one of
    // its entries; every swap puts one entry in its group for good.
    let group_of = |m: &U256| which[glv::num_bits(m) as usize];
    let mut next: Vec<usize> = groups.iter().map(|g| g.start).collect();
    for g in 0..groups.len() {
        let end = groups[g].start + groups[g].len;
        while next[g] < end {
            let i = next[g];
            let h = group_of(&entries.mags[i]);
            if h == g {
                next[g] += 1;
            } else {
                let j = next[h];
                entries.mags.swap(i, j);
                entries.refs.swap(i, j);
                next[h] += 1;
            }
        }
    }
    for g in groups.iter_mut() {
        let p = &g.plan;
        let off = offset(p.c, p.w);
        let mut top_max = 0;
        for m in &mut entries.mags[g.start..g.start + g.len] {
            *m = glv::add_u256(m, &off);
            top_max = top_max.max(bits_at(m, p.c * (p.w - 1), (p.c + 1).min(63)));
        }
        g.top_buckets = top_max as usize;
    }
    groups
}

/// One unit of work: window `window` of group `group`, entries `lo..hi`.
#[derive(Clone, Copy, Debug)]
struct Task {
    group: usize,
    window: usize,
    lo: usize,
    hi: usize,
}

/// Per-worker buffers.
struct Scratch<P: SWCurveConfig>
where
    P::BaseField: AddSub,
{
    acc: batch::Accumulator<P>,
    batch: batch::Batch<P::BaseField>,
    reduce: reduce::Reduce<P>,
}

impl<P: SWCurveConfig> Scratch<P>
where
    P::BaseField: AddSub,
{
    fn new() -> Self {
        Self {
            acc: batch::Accumulator::new(),
            batch: batch::Batch::new(),
            reduce: reduce::Reduce::new(),
        }
    }
}

/// Slots per window below which buckets are replicated (see [`batch::Accumulator`]).
const MIN_SLOTS: usize = 8 * batch::QUEUE;

fn window_sum<P: SWCurveConfig>(
    bases: &[Affine<P>],
    entries: &Entries<P>,
    g: &Group,
    t: &Task,
    s: &mut Scratch<P>,
) -> Projective<P>
where
    P::BaseField: AddSub,
{
    let GroupPlan { c, w, .. } = g.plan;
    let top = t.window == w - 1;
    let start = c * t.window;
    let (width, nbuckets, half) = if top {
        ((c + 1).min(63), g.top_buckets, 0u64)
    } else {
        (c, 1usize << (c - 1), 1u64 << (c - 1))
    };
    if nbuckets == 0 {
        return Projective::zero();
    }
    let endo = &entries.endo;
    let refs = &entries.refs[g.start + t.lo..g.start + t.hi];
    let vals = &entries.mags[g.start + t.lo..g.start + t.hi];
    let replicas = if nbuckets >= MIN_SLOTS {
        1
    } else {
        (MIN_SLOTS / nbuckets)
            .next_power_of_two()
            .min(refs.len().next_power_of_two())
    };
    let mask = replicas - 1;
    let acc = &mut s.acc;
    acc.reset(nbuckets, replicas);
    for (i, (r, v)) in refs.iter().zip(vals).enumerate() {
        let raw = bits_at(v, start, width);
        let (mag, neg) = if top {
            (raw, false)
        } else if raw >= half {
            (raw - half, false)
        } else {
            (half - raw, true)
        };
        if mag == 0 {
            continue;
        }
        let b = (mag - 1) as usize;
        let idx = (r & IDX_MASK) as usize;
        let p = if r & ENDO != 0 { endo[idx] } else { bases[idx] };
        // −(x, y) = (x, 0 − y): branch-free (entries never reference the identity)
        let p = if (r & NEG != 0) != neg {
            Affine::new_unchecked(p.x, P::BaseField::ZERO.sub_bf(&p.y))
        } else {
            p
        };
        acc.add(b, b * replicas + (i & mask), p);
    }
    acc.finish();
    if replicas > 1 {
        let runs = (0..nbuckets).map(|b| ((b * replicas) as u32, replicas as u32));
        batch::sum_runs(&mut acc.slots, runs, &mut s.batch);
    }

    // Σ (b+1)·B_b: batch-affine segments for many buckets (after the overflow sums joined
    // the slots), else running sums in XYZZ, highest bucket first
    if nbuckets >= reduce::MIN_BUCKETS {
        acc.fold_overflow();
        return reduce::weighted_sum(&acc.slots, replicas, nbuckets, &mut s.reduce);
    }
    let mut running = Bucket::<P>::ZERO;
    let mut sum = Bucket::<P>::ZERO;
    for b in (0..nbuckets).rev() {
        running += &acc.slots[b * replicas];
        if acc.overflowed {
            running += &acc.overflow[b];
        }
        sum += &running;
    }
    sum.into()
}

/// Entries per chunk below which a window is not split further for parallelism.
#[cfg(feature = "parallel")]
const MIN_CHUNK: usize = 1 << 13;

fn tasks_for(groups: &[Group], threads: usize, add: f64) -> Vec<Task> {
    let mut tasks = Vec::new();
    let costs: Vec<f64> = groups
        .iter()
        .map(|g| group_cost(g.len as f64, g.plan.bits, g.plan.c, add) / g.plan.w as f64)
        .collect();
    let total: f64 = groups
        .iter()
        .zip(&costs)
        .map(|(g, c)| c * g.plan.w as f64)
        .sum();
    let target = total / (2 * threads) as f64;
    for (gi, g) in groups.iter().enumerate() {
        let n = g.len;
        #[cfg(feature = "parallel")]
        let chunks = if threads > 1 && costs[gi] > target {
            ((costs[gi] / target).ceil() as usize)
                .min(n / MIN_CHUNK)
                .max(1)
        } else {
            1
        };
        #[cfg(not(feature = "parallel"))]
        let chunks = {
            let _ = (target, &costs);
            1
        };
        let step = n.div_ceil(chunks);
        for window in 0..g.plan.w {
            for k in 0..chunks {
                let lo = k * step;
                let hi = ((k + 1) * step).min(n);
                if lo < hi {
                    tasks.push(Task {
                        group: gi,
                        window,
                        lo,
                        hi,
                    });
                }
            }
        }
    }
    tasks
}

fn run<P: SWCurveConfig>(
    bases: &[Affine<P>],
    mut entries: Entries<P>,
    config: &MsmConfig,
) -> Projective<P>
where
    P::BaseField: AddSub,
{
    if entries.refs.is_empty() {
        return Projective::zero();
    }
    let groups = build_groups(&mut entries, config.window);
    #[cfg(feature = "parallel")]
    let threads = rayon::current_num_threads();
    #[cfg(not(feature = "parallel"))]
    let threads = 1;
    let tasks = tasks_for(&groups, threads, add_cost::<P>());
    let work = |s: &mut Scratch<P>, t: &Task| window_sum(bases, &entries, &groups[t.group], t, s);
    #[cfg(feature = "parallel")]
    let sums: Vec<Projective<P>> = tasks.par_iter().map_init(Scratch::new, work).collect();
    #[cfg(not(feature = "parallel"))]
    let sums: Vec<Projective<P>> = {
        let mut s = Scratch::new();
        tasks.iter().map(|t| work(&mut s, t)).collect()
    };
    // per group: Σ_j 2^(c·j)·S_j, highest window first
    let mut per_window: Vec<Vec<Projective<P>>> = groups
        .iter()
        .map(|g| vec![Projective::zero(); g.plan.w])
        .collect();
    for (t, s) in tasks.iter().zip(sums) {
        per_window[t.group][t.window] += s;
    }
    let mut total = Projective::zero();
    for (g, ws) in groups.iter().zip(per_window) {
        let mut acc = Projective::<P>::zero();
        for s in ws.iter().rev() {
            for _ in 0..g.plan.c {
                acc.double_in_place();
            }
            acc += s;
        }
        total += acc;
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_makes_digits_signed() {
        // k = Σ (bits_j − 2^(c−1))·2^(cj) + top·2^(c(w−1)) for every k
        for (c, w) in [(3usize, 4usize), (13, 10), (16, 8), (1, 5)] {
            let h = offset(c, w);
            for k in [0u64, 1, 5, 77, 1234, 4095, 65535, u32::MAX as u64] {
                if 64 - k.leading_zeros() as usize > c * w {
                    continue;
                }
                let v = glv::add_u256(&[k, 0, 0, 0], &h);
                let mut sum: i128 = 0;
                for j in 0..w {
                    let top = j == w - 1;
                    let raw = bits_at(&v, c * j, if top { (c + 1).min(63) } else { c }) as i128;
                    let d = if top { raw } else { raw - (1 << (c - 1)) };
                    sum += d << (c * j);
                }
                assert_eq!(sum, k as i128, "c={c} w={w} k={k}");
            }
        }
    }

    #[test]
    fn plan_covers_every_bit_length() {
        let mut hist = [0usize; 257];
        for (b, h) in hist.iter_mut().enumerate().skip(1) {
            *h = b * 7 % 13;
        }
        let groups = plan(&hist, None, cost::ADD);
        let mut covered = 0;
        for g in &groups {
            assert_eq!(g.lo, covered);
            assert!(g.w * g.c >= g.bits);
            covered = g.hi;
        }
        assert_eq!(covered, 256);
    }
}
