//! Batch-affine additions in BN254 G1 and G2 on eight lanes at once with AVX-512 IFMA.
//!
//! The MSM's cost is field multiplications: a batch-affine addition is about six of them
//! (prefix product, two back-propagation products, `λ`, `λ²`, `y₃`), all independent across
//! the queued additions. x86-64 CPUs with AVX-512 IFMA (`vpmadd52luq`/`vpmadd52huq`: Intel
//! since Ice Lake, AMD since Zen 4) multiply eight 52-bit limb pairs per instruction, so an
//! eight-lane Montgomery multiplication in radix `2^52` (five limbs, `R' = 2^260`) costs about
//! a third of eight scalar ones (measured on this project's 2-vCPU Xeon VM over 64
//! independent vectors: ≈ 7 ns against ≈ 23–28 ns per multiplication). This module runs the additions of
//! [`Accumulator::execute`](super::batch::Accumulator) that way when the CPU has IFMA
//! ([`available`], checked at run time); every other case (doublings, identities, the last
//! additions that do not fill eight lanes, and CPUs without IFMA) takes the scalar path.
//!
//! # Representation
//!
//! The lane field arithmetic is the engine crate's ([`zkcontrib_engine::lanes`], shared with the verifier's
//! batch verification): arkworks' Montgomery form re-cut into five 52-bit limbs, products
//! not fully reduced, values reduced to `[0, p)` when written back. The G1 bounds (in
//! multiples of `p`) are checked in the comments of [`execute_adds`]. G2 ([`execute_g2`])
//! runs the same formulas over `Fq2 = Fq[u]/(u² + 1)` (Karatsuba: three lane products per
//! `Fq2` product), with every coordinate kept below `2p` after each step.
//!
//! The tests (here and in the engine's `lanes`) compare lane products with `Fq`/`Fq2`
//! products on random, edge and unreduced
//! operands, and lane additions with projective additions (with doublings, identities and
//! cancellations mixed in); a debug assertion checks every value written back is below `p`.

#![allow(unsafe_code)]

use super::affine::{add_queued, kind, BatchInverse, Kind};
use ark_bn254::{Fq, Fq2, G1Affine, G2Affine};
use ark_ec::short_weierstrass::{Affine, SWCurveConfig};
use ark_ff::One;
pub(crate) use zkcontrib_engine::lanes::available;
use zkcontrib_engine::lanes::{
    load, load2, mul, mul2, square2, store, store2, sub, sub2, Consts, Lanes, Lanes2,
};

/// The points of one group of eight additions, in lane form.
struct Group {
    ax: Lanes,
    ay: Lanes,
    bx: Lanes,
    by: Lanes,
    /// `b.x − a.x + p` (< 2p), the denominator.
    dx: Lanes,
    /// The product of the denominators of the groups before this one (< 1.61p).
    pre: Lanes,
}

/// `slots[s_k] ← slots[s_k] + pts[k]` for additions of distinct slots whose operands have
/// different `x` (Kind::Add), eight at a time: `pairs.len()` must be a multiple of 8.
///
/// # Safety
/// The CPU must support AVX-512F and IFMA ([`available`]).
#[target_feature(enable = "avx512f,avx512ifma")]
unsafe fn execute_adds(slots: &mut [G1Affine], pairs: &[(u32, G1Affine)]) {
    let c = Consts::new();
    let one = load([&Fq::one().0 .0; 8]);
    let mut acc = one;
    let mut groups: Vec<Group> = Vec::with_capacity(pairs.len() / 8);
    for g in pairs.chunks_exact(8) {
        let a: [&G1Affine; 8] = core::array::from_fn(|i| &slots[g[i].0 as usize]);
        let ax = load(core::array::from_fn(|i| &a[i].x.0 .0));
        let ay = load(core::array::from_fn(|i| &a[i].y.0 .0));
        let bx = load(core::array::from_fn(|i| &g[i].1.x.0 .0));
        let by = load(core::array::from_fn(|i| &g[i].1.y.0 .0));
        // dx = b.x − a.x + p ∈ (0, 2p)
        let dx = sub(&bx, &ax, &c.kp[0], c.mask);
        let pre = acc;
        // acc < (0.19·1.61·2 + 1)·p < 1.61p: stable from acc_0 = 1·R mod p < p
        acc = mul(&acc, &dx, &c);
        groups.push(Group {
            ax,
            ay,
            bx,
            by,
            dx,
            pre,
        });
    }
    // Invert the eight lane products with one field inversion (Montgomery's trick).
    let prods = store(&acc);
    let mut inv = prods;
    ark_ff::batch_inversion(&mut inv);
    let mut inv = load(core::array::from_fn(|i| &inv[i].0 .0));
    for (gi, g) in groups.iter().enumerate().rev() {
        // 1/dx = inv·pre < 1.49p; inv ← inv·dx < 1.61p
        let dinv = mul(&inv, &g.pre, &c);
        inv = mul(&inv, &g.dx, &c);
        // λ = (b.y − a.y)·/dx: (2p, 1.49p) → < 1.57p
        let dy = sub(&g.by, &g.ay, &c.kp[0], c.mask);
        let l = mul(&dy, &dinv, &c);
        // x3 = λ² − a.x − b.x + 2p: λ² < 1.47p, so x3 ∈ (0, 3.47p)
        let l2 = mul(&l, &l, &c);
        let x3 = sub(&sub(&l2, &g.ax, &c.kp[0], c.mask), &g.bx, &c.kp[0], c.mask);
        // y3 = λ·(a.x − x3 + 4p) − a.y + p: (1.57p, 5p) → < 2.49p, y3 < 3.49p
        let t = sub(&g.ax, &x3, &c.kp[1], c.mask);
        let y3 = sub(&mul(&l, &t, &c), &g.ay, &c.kp[0], c.mask);
        let (xs, ys) = (store(&x3), store(&y3));
        let chunk = &pairs[gi * 8..gi * 8 + 8];
        for i in 0..8 {
            slots[chunk[i].0 as usize] = G1Affine::new_unchecked(xs[i], ys[i]);
        }
    }
}

/// Executes queued additions `slots[queue_slot[k]] += queue_pt[k]` (distinct slots) in G1 if
/// the CPU has IFMA, and returns whether it did: the plain additions eight lanes at a time, the
/// rest (doublings, identities, cancellations, and the last additions short of eight) with
/// one shared scalar inversion.
pub(crate) fn execute(slots: &mut [G1Affine], queue_slot: &[u32], queue_pt: &[G1Affine]) -> bool {
    run(slots, queue_slot, queue_pt, execute_adds)
}

/// [`execute`] in G2.
pub(crate) fn execute_g2(
    slots: &mut [G2Affine],
    queue_slot: &[u32],
    queue_pt: &[G2Affine],
) -> bool {
    run(slots, queue_slot, queue_pt, execute_adds_g2)
}

/// Lane additions taking `(slot, point)` pairs, a multiple of eight, all of kind `Add`.
type LaneAdds<P> = unsafe fn(&mut [Affine<P>], &[(u32, Affine<P>)]);

/// Sorts the queue into lane additions (`lanes`, requiring IFMA) and the scalar rest.
fn run<P: SWCurveConfig>(
    slots: &mut [Affine<P>],
    queue_slot: &[u32],
    queue_pt: &[Affine<P>],
    lanes: LaneAdds<P>,
) -> bool
where
    P::BaseField: crate::arith::AddSub,
{
    if !available() {
        return false;
    }
    let mut adds: Vec<(u32, Affine<P>)> = Vec::with_capacity(queue_slot.len());
    let mut rest: Vec<(u32, Affine<P>)> = Vec::new();
    for (&s, b) in queue_slot.iter().zip(queue_pt) {
        match kind(&slots[s as usize], b) {
            Kind::Add => adds.push((s, *b)),
            _ => rest.push((s, *b)),
        }
    }
    let tail = adds.len() % 8;
    rest.extend(adds.drain(adds.len() - tail..));
    if !adds.is_empty() {
        // SAFETY: `available()` holds, the only requirement of the lane functions.
        unsafe { lanes(slots, &adds) };
    }
    // The rest with the scalar path's shared inversion.
    let (rest_slot, rest_pt): (Vec<u32>, Vec<Affine<P>>) = rest.into_iter().unzip();
    add_queued(
        slots,
        &rest_slot,
        &rest_pt,
        &mut BatchInverse::with_capacity(rest_slot.len()),
    );
    true
}

/// `v − 2p` if that is non-negative, else `v`: from `v < 4p` to `v < 2p`.
#[inline]
/// The CPU must support AVX-512F and IFMA ([`available`]).
#[target_feature(enable = "avx512f,avx512ifma")]
unsafe fn execute_adds_g2(slots: &mut [G2Affine], pairs: &[(u32, G2Affine)]) {
    let c = Consts::new();
    let one = Fq2::one();
    let mut acc = load2([&one; 8]);
    // (a.x, a.y, b.x, b.y, dx, pre) per group of eight
    let mut groups: Vec<[Lanes2; 6]> = Vec::with_capacity(pairs.len() / 8);
    for g in pairs.chunks_exact(8) {
        let a: [&G2Affine; 8] = core::array::from_fn(|i| &slots[g[i].0 as usize]);
        let ax = load2(core::array::from_fn(|i| &a[i].x));
        let ay = load2(core::array::from_fn(|i| &a[i].y));
        let bx = load2(core::array::from_fn(|i| &g[i].1.x));
        let by = load2(core::array::from_fn(|i| &g[i].1.y));
        let dx = Lanes2(sub2(&bx.0, &ax.0, &c), sub2(&bx.1, &ax.1, &c));
        let pre = acc;
        acc = mul2(&acc, &dx, &c);
        groups.push([ax, ay, bx, by, dx, pre]);
    }
    let mut inv = store2(&acc);
    ark_ff::batch_inversion(&mut inv);
    let mut inv = load2(core::array::from_fn(|i| &inv[i]));
    for (gi, [ax, ay, bx, by, dx, pre]) in groups.iter().enumerate().rev() {
        let dinv = mul2(&inv, pre, &c);
        inv = mul2(&inv, dx, &c);
        // λ = (b.y − a.y)/dx, x3 = λ² − a.x − b.x, y3 = λ·(a.x − x3) − a.y
        let dy = Lanes2(sub2(&by.0, &ay.0, &c), sub2(&by.1, &ay.1, &c));
        let l = mul2(&dy, &dinv, &c);
        let l2 = square2(&l, &c);
        let x3 = Lanes2(
            sub2(&sub2(&l2.0, &ax.0, &c), &bx.0, &c),
            sub2(&sub2(&l2.1, &ax.1, &c), &bx.1, &c),
        );
        let t = Lanes2(sub2(&ax.0, &x3.0, &c), sub2(&ax.1, &x3.1, &c));
        let m = mul2(&l, &t, &c);
        let y3 = Lanes2(sub2(&m.0, &ay.0, &c), sub2(&m.1, &ay.1, &c));
        let (xs, ys) = (store2(&x3), store2(&y3));
        let chunk = &pairs[gi * 8..gi * 8 + 8];
        for i in 0..8 {
            slots[chunk[i].0 as usize] = G2Affine::new_unchecked(xs[i], ys[i]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::msm::batch::Exec;
    use ark_ec::short_weierstrass::Projective;
    use ark_ec::{AffineRepr, CurveGroup};
    use ark_ff::UniformRand;
    use rand::{rngs::StdRng, SeedableRng};

    /// Random additions plus doublings, identities and cancellations, against projective sums.
    fn check_execute<P: SWCurveConfig>(exec: Exec<P>, seed: u64) {
        let mut rng = StdRng::seed_from_u64(seed);
        for n in [0usize, 7, 8, 9, 64, 517] {
            let mut slots: Vec<Affine<P>> = (0..n)
                .map(|_| Projective::<P>::rand(&mut rng).into_affine())
                .collect();
            let mut pts: Vec<Affine<P>> = (0..n)
                .map(|_| Projective::<P>::rand(&mut rng).into_affine())
                .collect();
            for k in (0..n).step_by(13) {
                pts[k] = match k % 4 {
                    0 => slots[k],
                    1 => -slots[k],
                    2 => Affine::<P>::zero(),
                    _ => pts[k],
                };
            }
            if n > 5 {
                slots[5] = Affine::<P>::zero();
            }
            let want: Vec<Affine<P>> = slots
                .iter()
                .zip(&pts)
                .map(|(a, b)| (Projective::<P>::from(*a) + b).into_affine())
                .collect();
            let order: Vec<u32> = (0..n as u32).rev().collect();
            let queued: Vec<Affine<P>> = order.iter().map(|&s| pts[s as usize]).collect();
            assert!(exec(&mut slots, &order, &queued));
            assert_eq!(slots, want, "{n} additions");
        }
    }

    #[test]
    fn execute_equals_projective_additions() {
        if !available() {
            eprintln!("no AVX-512 IFMA on this CPU: lane additions not tested");
            return;
        }
        check_execute::<ark_bn254::g1::Config>(execute, 33);
        check_execute::<ark_bn254::g2::Config>(execute_g2, 36);
    }
}
