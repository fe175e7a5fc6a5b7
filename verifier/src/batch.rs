//! Batch verification of many proofs under one key, with failure isolation.
//!
//! For proofs `i` with random nonzero scalars `z_i`, all proofs are valid (except with
//! probability about `2^-128` per check) iff
//!
//! ```text
//! Π e(z_i·A_i, B_i) · e(Σ z_i·IC(x_i), −γ) · e(Σ z_i·C_i, −δ) · e((Σ z_i)·α, −β) == 1
//! ```
//!
//! with `IC(x) = IC_0 + Σ_j x_j·IC_j`. The check is one multi-Miller loop over `n + 3` pairs
//! and one final exponentiation; `Σ_i z_i·IC(x_i)` is a single sum over the IC points with
//! scalars `(Σ_i z_i, Σ_i z_i·x_i1, …)` from the key's fixed-base tables, and `Σ z_i·C_i` is
//! one MSM.
//!
//! The scalars are `z_i = a_i + b_i·λ` with uniform 64-bit `(a_i, b_i) ≠ (0, 0)` and `λ` the
//! eigenvalue of G1's endomorphism `φ`: `2^128 − 1` distinct nonzero values, each equally
//! likely (`glv_scalar`), so the same soundness as uniform 128-bit scalars, while
//! `z_i·A_i = a_i·A_i + b_i·φ(A_i)` needs 64 doublings instead of 128.
//!
//! When the combined check fails, the batch is bisected down to single proofs, so exactly the
//! invalid proofs are reported. The halves reuse the scalars `z_i` (and so the products
//! `z_i·A_i` and the prepared `B_i`): every proof's pairing equation holds iff its error
//! `E_i ∈ G_T` is 1, a check over a set `S` passes iff `Π_{i∈S} E_i^{z_i} = 1`, and for a
//! fixed `S` containing an invalid proof that happens for at most one value of that proof's
//! `z_i`, so with probability at most `1/(2^128 − 1)`. The bisection tree is fixed by the
//! batch size (at most `2n` nodes), hence a union bound covers every check made. A check of a
//! single proof is exact (`E^z = 1` iff `E = 1` for `0 < z < r`).
//!
//! A batch of one proof is checked as a single proof (`pairing_check`: three pairs, no
//! scalar), which is exact and costs less than the batch equation with one term.

use alloc::vec::Vec;

use ark_bn254::{Bn254, Fq, Fq2, Fr, G1Affine, G1Projective, G2Affine};
use ark_ec::pairing::Pairing;
use ark_ec::scalar_mul::glv::GLVConfig;
use ark_ec::{AffineRepr, CurveGroup, VariableBaseMSM};
use ark_ff::{One, Zero};
use ark_groth16::Proof;
use ark_std::rand::{rngs::StdRng, CryptoRng, RngCore, SeedableRng};

use crate::groth16::{pairing_check, precheck, Failure, PreparedKey, VerifyError};
use zkcontrib_engine::curve::{glv_scalar, mul_glv_all};
use zkcontrib_engine::lines::{
    line_count, miller_loop_with, p_scalars, prepare_checked, proof_lines, FixedLines, Line,
};

/// One proof and its public inputs.
pub type BatchItem = (Proof<Bn254>, Vec<Fr>);

type G2Prepared = <Bn254 as Pairing>::G2Prepared;

/// Verifies many proofs under one key; one result per item, in order. The batch scalars are
/// seeded from the operating system's CSPRNG (`getrandom`).
///
/// Items with the wrong number of public inputs (or identity points) get their error without
/// entering the batch. If the combined check over the rest passes, they are all `Ok`;
/// otherwise the batch is bisected so that exactly the invalid items get
/// `Err(VerifyError::InvalidProof)`. The points are assumed to be on their curves (as
/// [`decode_proof`](crate::decode_proof) guarantees); a `B` outside the prime-order subgroup
/// makes its item invalid.
///
/// Should the OS fail to provide randomness, every item is checked on its own (exact, no
/// randomness needed, slower): the results are the same. With the `parallel` feature the
/// work is spread over rayon's thread pool.
#[cfg(feature = "std")]
pub fn batch_verify(key: &PreparedKey, items: &[BatchItem]) -> Vec<Result<(), VerifyError>> {
    batch_verify_seeded(key, items, os_seed())
}

/// [`batch_verify`] with batch scalars drawn from the caller's `rng`.
///
/// **Warning:** the soundness of a batch rests on the provers not knowing the scalars before
/// they send their proofs. `CryptoRng` does not ensure that: a `StdRng` seeded with a
/// constant, a counter or a timestamp satisfies it, and with predictable scalars two crafted
/// invalid proofs can cancel out and pass together. Use [`batch_verify`] (OS randomness)
/// unless the node has its own CSPRNG seeded from the OS, or for reproducible tests and
/// benchmarks. This is the only batch API without `std`.
pub fn batch_verify_with_rng<R: RngCore + CryptoRng>(
    key: &PreparedKey,
    items: &[BatchItem],
    rng: &mut R,
) -> Vec<Result<(), VerifyError>> {
    batch_verify_seeded(key, items, Some(rng_seed(rng)))
}

fn batch_verify_seeded(
    key: &PreparedKey,
    items: &[BatchItem],
    seed: Option<[u8; 32]>,
) -> Vec<Result<(), VerifyError>> {
    let mut results: Vec<Result<(), VerifyError>> = items
        .iter()
        .map(|(proof, inputs)| precheck(key, proof, inputs))
        .collect();
    let candidates: Vec<usize> = (0..items.len()).filter(|&i| results[i].is_ok()).collect();
    let refs: Vec<(&Proof<Bn254>, &[Fr])> = candidates
        .iter()
        .map(|&i| (&items[i].0, items[i].1.as_slice()))
        .collect();
    for (k, _) in invalid_proofs(key, &refs, seed) {
        results[candidates[k]] = Err(VerifyError::InvalidProof);
    }
    results
}

/// A batch seed from the operating system's CSPRNG, or `None` if it fails (then the callers
/// check proofs one by one, which needs no randomness).
#[cfg(feature = "std")]
pub(crate) fn os_seed() -> Option<[u8; 32]> {
    let mut seed = [0u8; 32];
    getrandom::getrandom(&mut seed).ok().map(|()| seed)
}

/// A batch seed from the caller's RNG.
pub(crate) fn rng_seed<R: RngCore + CryptoRng>(rng: &mut R) -> [u8; 32] {
    let mut seed = [0u8; 32];
    rng.fill_bytes(&mut seed);
    seed
}

/// The positions in `proofs` (all [`precheck`]ed against `key`, points on their curves) of
/// the rejected proofs, in increasing order, each with why: a `B` outside G2 (found by the
/// line computations, `lines.rs`) or an invalid proof.
///
/// `seed` seeds the batch scalars (it must be unpredictable to the provers); `None` checks
/// every proof on its own (exact, no randomness).
pub(crate) fn invalid_proofs(
    key: &PreparedKey,
    proofs: &[(&Proof<Bn254>, &[Fr])],
    seed: Option<[u8; 32]>,
) -> Vec<(usize, Failure)> {
    // One proof: the single check (3 pairs, no scalar) is exact and cheaper than a batch of
    // one (4 pairs and `z·A`). On IFMA lanes, below `AFFINE_MIN` proofs too: a single check
    // runs its Miller loop as eight lane segments and its final exponentiation packed, while
    // such a small batch computes its lines projectively on the scalar path.
    let seed = match seed {
        Some(seed) if !(proofs.len() == 1 || (proofs.len() < AFFINE_MIN && single_on_lanes())) => {
            seed
        }
        _ => {
            return proofs
                .iter()
                .enumerate()
                .filter_map(|(i, (proof, inputs))| {
                    pairing_check(key, proof, inputs).err().map(|f| (i, f))
                })
                .collect();
        }
    };
    let batch = Batch::new(key, proofs, seed);
    batch
        .invalid(0, proofs.len())
        .into_iter()
        .map(|i| {
            let why = if batch.bad[i] {
                Failure::BNotInG2
            } else {
                Failure::Invalid
            };
            (i, why)
        })
        .collect()
}

/// Whether single checks run on IFMA lanes ([`zkcontrib_engine::lanes::available`]).
fn single_on_lanes() -> bool {
    #[cfg(all(feature = "std", target_arch = "x86_64"))]
    {
        zkcontrib_engine::lanes::available()
    }
    #[cfg(not(all(feature = "std", target_arch = "x86_64")))]
    {
        false
    }
}

/// The per-proof work of a batch, done once and shared by every bisection step.
struct Batch<'a> {
    key: &'a PreparedKey,
    inputs: Vec<&'a [Fr]>,
    /// `z_i`, or 0 for a proof whose `B` is not in G2 (`bad`).
    z: Vec<Fr>,
    pairs: Pairs,
    /// Proofs whose `B` is not in G2 (as their line computation found): rejected, with `z = 0`,
    /// and left out of every check.
    bad: Vec<bool>,
    /// `(a_i, b_i)` of `z_i = a_i + b_i·λ` ((0, 0) for a `bad` proof), and `C_i`, `φ(C_i)`:
    /// `Σ z_i·C_i = Σ a_i·C_i + Σ b_i·φ(C_i)`, two MSMs with 64-bit scalars.
    ab: Vec<(u64, u64)>,
    c: Vec<G1Affine>,
    c_endo: Vec<G1Affine>,
}

/// The pairs `(z_i·A_i, B_i)` in the form the Miller loop reads.
enum Pairs {
    /// Normalised, evaluated lines ([`proof_lines`]); all 1 for a `bad` proof, so it drops out
    /// of every product.
    Lines(Vec<Line>),
    /// The same lines on IFMA lanes (`lane_lines.rs`); `bad` proofs are masked out.
    #[cfg(all(feature = "std", target_arch = "x86_64"))]
    Lanes(zkcontrib_engine::lane_lines::LaneLines),
    /// `z_i·A_i` and the projective preparation of `B_i` (arkworks' lines, applied by
    /// `mul_by_034`); `None` for a `bad` proof.
    Prepared(Vec<G1Affine>, Vec<Option<G2Prepared>>),
}

/// Batches smaller than this prepare each `B` projectively (arkworks' `G2Prepared`, no
/// inversions); larger ones compute normalised lines in affine coordinates, sharing one
/// inversion per Miller step over up to 64 proofs ([`proof_lines`]).
const AFFINE_MIN: usize = 8;

impl<'a> Batch<'a> {
    fn new(key: &'a PreparedKey, proofs: &[(&'a Proof<Bn254>, &'a [Fr])], seed: [u8; 32]) -> Self {
        // Drawn sequentially, so the scalars do not depend on the thread count.
        let mut rng = StdRng::from_seed(seed);
        let mut ab: Vec<(u64, u64)> = proofs.iter().map(|_| nonzero_halves(&mut rng)).collect();
        let a: Vec<G1Affine> = proofs.iter().map(|(p, _)| p.a).collect();
        let za = G1Projective::normalize_batch(&mul_glv_all(&a, &ab));
        let mut z: Vec<Fr> = ab.iter().map(|&(a, b)| glv_scalar(a, b)).collect();
        let lanes = if proofs.len() >= AFFINE_MIN {
            lane_pairs(&za, proofs)
        } else {
            None
        };
        let (pairs, bad) = if let Some(lanes) = lanes {
            lanes
        } else if proofs.len() >= AFFINE_MIN {
            let bs: Vec<G2Affine> = proofs.iter().map(|(p, _)| p.b).collect();
            let (mut lines, ok) = proof_lines(&za, &bs);
            let bad: Vec<bool> = ok.into_iter().map(|ok| !ok).collect();
            let l = line_count();
            for (i, _) in bad.iter().enumerate().filter(|(_, &b)| b) {
                lines[i * l..(i + 1) * l].fill((Fq2::zero(), Fq2::zero()));
            }
            (Pairs::Lines(lines), bad)
        } else {
            let prepared: Vec<Option<G2Prepared>> =
                proofs.iter().map(|(p, _)| prepare_checked(&p.b)).collect();
            let bad: Vec<bool> = prepared.iter().map(Option::is_none).collect();
            (Pairs::Prepared(za, prepared), bad)
        };
        for ((ab, z), _) in ab
            .iter_mut()
            .zip(z.iter_mut())
            .zip(&bad)
            .filter(|(_, &b)| b)
        {
            *ab = (0, 0);
            *z = Fr::zero();
        }
        let c: Vec<G1Affine> = proofs.iter().map(|(p, _)| p.c).collect();
        let c_endo = c
            .iter()
            .map(<ark_bn254::g1::Config as GLVConfig>::endomorphism_affine)
            .collect();
        Self {
            key,
            inputs: proofs.iter().map(|(_, x)| *x).collect(),
            z,
            pairs,
            bad,
            ab,
            c,
            c_endo,
        }
    }

    /// `Σ_{i∈lo..hi} z_i·C_i` as `Σ a_i·C_i + Σ b_i·φ(C_i)`.
    fn z_c(&self, lo: usize, hi: usize) -> G1Projective {
        let (a, b): (Vec<u64>, Vec<u64>) = self.ab[lo..hi].iter().copied().unzip();
        G1Projective::msm_u64(&self.c[lo..hi], &a) + G1Projective::msm_u64(&self.c_endo[lo..hi], &b)
    }

    /// The invalid positions in `lo..hi`.
    fn invalid(&self, lo: usize, hi: usize) -> Vec<usize> {
        if self.check(lo, hi) {
            return (lo..hi).filter(|&i| self.bad[i]).collect();
        }
        if hi - lo == 1 {
            return alloc::vec![lo];
        }
        let mid = lo + (hi - lo) / 2;
        let (mut l, r) = join(|| self.invalid(lo, mid), || self.invalid(mid, hi));
        l.extend(r);
        l
    }

    /// The random-linear-combination check over the proofs `lo..hi` (except `bad` ones).
    fn check(&self, lo: usize, hi: usize) -> bool {
        let key = self.key;
        let z = &self.z[lo..hi];
        // Σ_i z_i·(1, x_i): the scalars of α (first) and of the IC points.
        let mut s = alloc::vec![Fr::zero(); key.num_inputs + 1];
        for (zi, x) in z.iter().zip(&self.inputs[lo..hi]) {
            s[0] += zi;
            for (s, x) in s[1..].iter_mut().zip(x.iter()) {
                *s += *zi * x;
            }
        }
        let g1 = G1Projective::normalize_batch(&[
            key.tables.sum(1, &s),
            self.z_c(lo, hi),
            key.tables.sum(0, &s[..1]),
        ]);
        let sc = p_scalars(&g1);
        let fixed: Vec<(&FixedLines, (Fq, Fq))> =
            [&key.gamma_lines, &key.delta_lines, &key.beta_lines]
                .into_iter()
                .zip(sc)
                .filter_map(|(q, s)| s.map(|s| (q, s)))
                .collect();
        let ml = match &self.pairs {
            Pairs::Lines(lines) => miller_loop_with(lines, lo, hi, &fixed, &[]),
            #[cfg(all(feature = "std", target_arch = "x86_64"))]
            Pairs::Lanes(lines) => ark_ec::pairing::MillerLoopOutput(
                lines.miller_loop(lo, hi, &self.bad) * miller_loop_with(&[], 0, 0, &fixed, &[]).0,
            ),
            Pairs::Prepared(za, prepared) => {
                let raw: Vec<(G1Affine, &G2Prepared)> = za[lo..hi]
                    .iter()
                    .zip(&prepared[lo..hi])
                    .filter_map(|(a, q)| Some((*a, q.as_ref()?)))
                    .collect();
                miller_loop_with(&[], 0, 0, &fixed, &raw)
            }
        };
        zkcontrib_engine::fe::final_exponentiation(&ml.0).is_some_and(|out| out.is_one())
    }
}

/// The pairs on IFMA lanes ([`lane_lines`](crate::lane_lines)) and the `bad` flags, if the
/// CPU has IFMA.
#[cfg(all(feature = "std", target_arch = "x86_64"))]
fn lane_pairs(za: &[G1Affine], proofs: &[(&Proof<Bn254>, &[Fr])]) -> Option<(Pairs, Vec<bool>)> {
    let bs: Vec<G2Affine> = proofs.iter().map(|(p, _)| p.b).collect();
    let (lines, ok) = zkcontrib_engine::lane_lines::proof_lines(za, &bs)?;
    Some((Pairs::Lanes(lines), ok.into_iter().map(|ok| !ok).collect()))
}

/// Without `std` (no run-time CPU detection) or off x86-64: never.
#[cfg(not(all(feature = "std", target_arch = "x86_64")))]
fn lane_pairs(_: &[G1Affine], _: &[(&Proof<Bn254>, &[Fr])]) -> Option<(Pairs, Vec<bool>)> {
    None
}

#[cfg(feature = "parallel")]
fn join<A: Send, B: Send>(a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B + Send) -> (A, B) {
    rayon::join(a, b)
}

#[cfg(not(feature = "parallel"))]
fn join<A, B>(a: impl FnOnce() -> A, b: impl FnOnce() -> B) -> (A, B) {
    (a(), b())
}

/// Uniform 64-bit halves `(a, b) ≠ (0, 0)` of a batch scalar `z = a + b·λ`
/// (`glv_scalar`).
fn nonzero_halves(rng: &mut impl RngCore) -> (u64, u64) {
    loop {
        let (a, b) = (rng.next_u64(), rng.next_u64());
        if (a, b) != (0, 0) {
            return (a, b);
        }
    }
}

#[allow(dead_code)]
fn _assert_affine(_: &impl AffineRepr) {}
