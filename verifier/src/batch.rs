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
//! and one final exponentiation; `Σ_i z_i·IC(x_i)` is a single MSM over the IC points with
//! scalars `(Σ_i z_i, Σ_i z_i·x_i1, …)`, and `Σ z_i·C_i` is another MSM.
//!
//! When the combined check fails, the batch is bisected (each half re-checked with fresh
//! randomness) down to single proofs, which are verified on their own, so exactly the invalid
//! proofs are reported.

use alloc::vec::Vec;

use ark_bn254::{Bn254, Fr, G1Affine, G1Projective};
use ark_ec::{pairing::Pairing, AffineRepr, CurveGroup, VariableBaseMSM};
use ark_ff::{One, Zero};
use ark_groth16::Proof;
use ark_std::rand::{rngs::StdRng, CryptoRng, RngCore, SeedableRng};

use crate::groth16::{pairing_check, precheck, PreparedKey, VerifyError};

/// One proof and its public inputs.
pub type BatchItem = (Proof<Bn254>, Vec<Fr>);

/// Verifies many proofs under one key; one result per item, in order.
///
/// Items with the wrong number of public inputs (or identity points) get their error without
/// entering the batch. If the combined check over the rest passes, they are all `Ok`;
/// otherwise the batch is bisected so that exactly the invalid items get
/// `Err(VerifyError::InvalidProof)`. A batch of one is plain [`verify`](crate::verify).
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
    if candidates.is_empty() {
        return results;
    }
    let mut seed = [0u8; 32];
    rng.fill_bytes(&mut seed);
    for i in invalid(key, items, &candidates, seed) {
        results[i] = Err(VerifyError::InvalidProof);
    }
    results
}

/// The subset of `idx` (all prechecked) whose proofs are invalid.
fn invalid(key: &PreparedKey, items: &[BatchItem], idx: &[usize], seed: [u8; 32]) -> Vec<usize> {
    match idx {
        [] => Vec::new(),
        &[i] => {
            let (proof, inputs) = &items[i];
            if pairing_check(key, proof, inputs) {
                Vec::new()
            } else {
                alloc::vec![i]
            }
        }
        _ => {
            let mut rng = StdRng::from_seed(seed);
            if combined_check(key, items, idx, &mut rng) {
                return Vec::new();
            }
            let (left, right) = idx.split_at(idx.len() / 2);
            let mut seeds = [[0u8; 32]; 2];
            rng.fill_bytes(&mut seeds[0]);
            rng.fill_bytes(&mut seeds[1]);
            let (mut l, r) = join(
                || invalid(key, items, left, seeds[0]),
                || invalid(key, items, right, seeds[1]),
            );
            l.extend(r);
            l
        }
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

/// The random-linear-combination check over the (prechecked) items `idx`.
fn combined_check(
    key: &PreparedKey,
    items: &[BatchItem],
    idx: &[usize],
    rng: &mut impl RngCore,
) -> bool {
    let vk = &key.pvk.vk;
    let z: Vec<u128> = idx.iter().map(|_| nonzero_u128(rng)).collect();
    let z_fr: Vec<Fr> = z.iter().map(|&z| Fr::from(z)).collect();

    // z_i·A_i with 128-bit scalars.
    let scale = |(&i, &z): (&usize, &u128)| -> G1Projective {
        items[i].0.a.mul_bigint([z as u64, (z >> 64) as u64])
    };
    #[cfg(feature = "parallel")]
    let mut g1: Vec<G1Projective> = {
        use rayon::prelude::*;
        idx.par_iter().zip(z.par_iter()).map(scale).collect()
    };
    #[cfg(not(feature = "parallel"))]
    let mut g1: Vec<G1Projective> = idx.iter().zip(z.iter()).map(scale).collect();

    // Σ_i z_i·IC(x_i) as one MSM over the IC points.
    let mut ic_scalars = alloc::vec![Fr::zero(); vk.gamma_abc_g1.len()];
    for (&i, zi) in idx.iter().zip(&z_fr) {
        ic_scalars[0] += zi;
        for (s, x) in ic_scalars[1..].iter_mut().zip(&items[i].1) {
            *s += *zi * x;
        }
    }
    let z_sum = ic_scalars[0];
    g1.push(G1Projective::msm_unchecked(&vk.gamma_abc_g1, &ic_scalars));

    // Σ z_i·C_i.
    let cs: Vec<G1Affine> = idx.iter().map(|&i| items[i].0.c).collect();
    g1.push(G1Projective::msm_unchecked(&cs, &z_fr));

    // (Σ z_i)·α.
    g1.push(vk.alpha_g1 * z_sum);

    let g1 = G1Projective::normalize_batch(&g1);

    let prepare = |&i: &usize| -> <Bn254 as Pairing>::G2Prepared { items[i].0.b.into() };
    #[cfg(feature = "parallel")]
    let mut g2: Vec<<Bn254 as Pairing>::G2Prepared> = {
        use rayon::prelude::*;
        idx.par_iter().map(prepare).collect()
    };
    #[cfg(not(feature = "parallel"))]
    let mut g2: Vec<<Bn254 as Pairing>::G2Prepared> = idx.iter().map(prepare).collect();
    g2.push(key.pvk.gamma_g2_neg_pc.clone());
    g2.push(key.pvk.delta_g2_neg_pc.clone());
    g2.push(key.neg_beta_g2.clone());

    let g1: Vec<<Bn254 as Pairing>::G1Prepared> = g1.into_iter().map(Into::into).collect();
    let mlo = Bn254::multi_miller_loop(g1, g2);
    Bn254::final_exponentiation(mlo).is_some_and(|out| out.0.is_one())
}
