//! Batch verification of many proofs under one key, with failure isolation.
//!
//! For proofs `i` with random nonzero 128-bit scalars `z_i`, all proofs are valid (except with
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
//! When the combined check fails, the batch is bisected down to single proofs, so exactly the
//! invalid proofs are reported. The halves reuse the scalars `z_i` (and so the products
//! `z_i·A_i` and the prepared `B_i`): every proof's pairing equation holds iff its error
//! `E_i ∈ G_T` is 1, a check over a set `S` passes iff `Π_{i∈S} E_i^{z_i} = 1`, and for a
//! fixed `S` containing an invalid proof that happens for at most one value of that proof's
//! `z_i`, so with probability at most `1/(2^128 − 1)`. The bisection tree is fixed by the
//! batch size (at most `2n` nodes), hence a union bound covers every check made. A check of a
//! single proof is exact (`E^z = 1` iff `E = 1` for `0 < z < r`).

use alloc::vec::Vec;

use ark_bn254::{Bn254, Fr, G1Affine, G1Projective};
use ark_ec::{pairing::Pairing, AffineRepr, CurveGroup, VariableBaseMSM};
use ark_ff::{One, Zero};
use ark_groth16::Proof;
use ark_std::rand::{rngs::StdRng, CryptoRng, RngCore, SeedableRng};

use crate::curve::multi_miller_loop;
use crate::groth16::{precheck, PreparedKey, VerifyError};

/// One proof and its public inputs.
pub type BatchItem = (Proof<Bn254>, Vec<Fr>);

type G2Prepared = <Bn254 as Pairing>::G2Prepared;

/// Verifies many proofs under one key; one result per item, in order.
///
/// Items with the wrong number of public inputs (or identity points) get their error without
/// entering the batch. If the combined check over the rest passes, they are all `Ok`;
/// otherwise the batch is bisected so that exactly the invalid items get
/// `Err(VerifyError::InvalidProof)`.
///
/// `rng` seeds the random scalars; it must be a CSPRNG whose output the provers cannot
/// predict. With the `parallel` feature the work is spread over rayon's pool; the results
/// (and the random scalars drawn) are the same with and without it.
pub fn batch_verify<R: RngCore + CryptoRng>(
    key: &PreparedKey,
    items: &[BatchItem],
    rng: &mut R,
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
    for k in invalid_proofs(key, &refs, rng) {
        results[candidates[k]] = Err(VerifyError::InvalidProof);
    }
    results
}

/// The positions in `proofs` (all [`precheck`]ed against `key`) of the invalid proofs, in
/// increasing order.
pub(crate) fn invalid_proofs<R: RngCore + CryptoRng>(
    key: &PreparedKey,
    proofs: &[(&Proof<Bn254>, &[Fr])],
    rng: &mut R,
) -> Vec<usize> {
    if proofs.is_empty() {
        return Vec::new();
    }
    let mut seed = [0u8; 32];
    rng.fill_bytes(&mut seed);
    let batch = Batch::new(key, proofs, seed);
    batch.invalid(0, proofs.len())
}

/// The per-proof work of a batch, done once and shared by every bisection step.
struct Batch<'a> {
    key: &'a PreparedKey,
    inputs: Vec<&'a [Fr]>,
    z: Vec<Fr>,
    za: Vec<G1Affine>,
    b: Vec<G2Prepared>,
    c: Vec<G1Affine>,
}

impl<'a> Batch<'a> {
    fn new(key: &'a PreparedKey, proofs: &[(&'a Proof<Bn254>, &'a [Fr])], seed: [u8; 32]) -> Self {
        // Drawn sequentially, so the scalars do not depend on the thread count.
        let mut rng = StdRng::from_seed(seed);
        let z: Vec<u128> = proofs.iter().map(|_| nonzero_u128(&mut rng)).collect();
        let scale = |((p, _), z): (&(&Proof<Bn254>, &[Fr]), &u128)| -> G1Projective {
            p.a.mul_bigint([*z as u64, (*z >> 64) as u64])
        };
        let prepare = |(p, _): &(&Proof<Bn254>, &[Fr])| -> G2Prepared { p.b.into() };
        #[cfg(feature = "parallel")]
        let (za, b): (Vec<G1Projective>, Vec<G2Prepared>) = {
            use rayon::prelude::*;
            rayon::join(
                || proofs.par_iter().zip(z.par_iter()).map(scale).collect(),
                || proofs.par_iter().map(prepare).collect(),
            )
        };
        #[cfg(not(feature = "parallel"))]
        let (za, b): (Vec<G1Projective>, Vec<G2Prepared>) = (
            proofs.iter().zip(z.iter()).map(scale).collect(),
            proofs.iter().map(prepare).collect(),
        );
        Self {
            key,
            inputs: proofs.iter().map(|(_, x)| *x).collect(),
            z: z.into_iter().map(Fr::from).collect(),
            za: G1Projective::normalize_batch(&za),
            b,
            c: proofs.iter().map(|(p, _)| p.c).collect(),
        }
    }

    /// The invalid positions in `lo..hi`.
    fn invalid(&self, lo: usize, hi: usize) -> Vec<usize> {
        if self.check(lo, hi) {
            return Vec::new();
        }
        if hi - lo == 1 {
            return alloc::vec![lo];
        }
        let mid = lo + (hi - lo) / 2;
        let (mut l, r) = join(|| self.invalid(lo, mid), || self.invalid(mid, hi));
        l.extend(r);
        l
    }

    /// The random-linear-combination check over the proofs `lo..hi`.
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
            G1Projective::msm_unchecked(&self.c[lo..hi], z),
            key.tables.sum(0, &s[..1]),
        ]);
        let mut pairs: Vec<(G1Affine, &G2Prepared)> = self.za[lo..hi]
            .iter()
            .copied()
            .zip(&self.b[lo..hi])
            .collect();
        pairs.push((g1[0], &key.pvk.gamma_g2_neg_pc));
        pairs.push((g1[1], &key.pvk.delta_g2_neg_pc));
        pairs.push((g1[2], &key.neg_beta_g2));
        let ml = multi_miller_loop(&pairs);
        Bn254::final_exponentiation(ml).is_some_and(|out| out.0.is_one())
    }
}

#[cfg(feature = "parallel")]
fn join<A: Send, B: Send>(a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B + Send) -> (A, B) {
    rayon::join(a, b)
}

#[cfg(not(feature = "parallel"))]
fn join<A, B>(a: impl FnOnce() -> A, b: impl FnOnce() -> B) -> (A, B) {
    (a(), b())
}

/// A nonzero 128-bit scalar.
fn nonzero_u128(rng: &mut impl RngCore) -> u128 {
    loop {
        let z = (u128::from(rng.next_u64()) << 64) | u128::from(rng.next_u64());
        if z != 0 {
            return z;
        }
    }
}

#[allow(dead_code)]
fn _assert_affine(_: &impl AffineRepr) {}
