//! Verification of a single Groth16 proof over BN254.

use ark_bn254::{Bn254, Fq, Fr, G2Projective};
use ark_ec::{pairing::Pairing, AffineRepr, CurveGroup};
use ark_groth16::{prepare_verifying_key, PreparedVerifyingKey, Proof, VerifyingKey};

use crate::decode::{self, DecodeError};
use zkcontrib_engine::curve::FixedBase;
use zkcontrib_engine::lines::{miller_loop_with, p_scalars, prepare_checked, FixedLines};

/// Why a proof was not accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// The number of public inputs does not match the key.
    #[error("the key takes {expected} public inputs, {got} were given")]
    InputCount {
        /// Public inputs of the key.
        expected: usize,
        /// Public inputs given.
        got: usize,
    },
    /// The proof does not verify for these public inputs under this key.
    #[error("the proof is invalid for these public inputs")]
    InvalidProof,
    /// The proof or a public input could not be decoded.
    #[error("decoding failed: {0}")]
    Decode(#[from] DecodeError),
}

/// A verifying key prepared for repeated verification.
///
/// Holds the arkworks [`PreparedVerifyingKey`] (with `e(α, β)`, `−γ` and `−δ` precomputed),
/// `−β` prepared for batch verification, fixed-base tables for `α` and the IC points (about
/// 190 KiB per point, 2.4 MiB for a chunk key) and the number of public inputs the key takes.
#[derive(Clone, Debug)]
pub struct PreparedKey {
    pub(crate) pvk: PreparedVerifyingKey<Bn254>,
    /// Normalised line ratios of `−γ`, `−δ`, `−β` (batch verification).
    pub(crate) gamma_lines: FixedLines,
    pub(crate) delta_lines: FixedLines,
    pub(crate) beta_lines: FixedLines,
    /// Tables for `[α, IC_0, IC_1, …]`.
    pub(crate) tables: FixedBase,
    pub(crate) num_inputs: usize,
    pub(crate) hash: [u8; 32],
}

impl PreparedKey {
    /// Prepares a key. Fails only if the key has no IC points (not even the constant term) or
    /// its `β`, `γ` or `δ` is the identity.
    ///
    /// The key is trusted: its points are not checked here (use [`decode_vk`](crate::decode_vk)
    /// or [`PreparedKey::from_bytes`] for keys from untrusted bytes).
    pub fn new(vk: &VerifyingKey<Bn254>) -> Result<Self, DecodeError> {
        let num_inputs = vk
            .gamma_abc_g1
            .len()
            .checked_sub(1)
            .ok_or(DecodeError::EmptyIc)?;
        let neg_beta: G2Projective = -vk.beta_g2.into_group();
        let pvk = prepare_verifying_key(vk);
        let neg_beta_g2: <Bn254 as Pairing>::G2Prepared = neg_beta.into_affine().into();
        let lines = |q| {
            FixedLines::new(q).ok_or(DecodeError::Identity {
                what: "verifying key (beta, gamma or delta)",
            })
        };
        Ok(Self {
            gamma_lines: lines(&pvk.gamma_g2_neg_pc)?,
            delta_lines: lines(&pvk.delta_g2_neg_pc)?,
            beta_lines: lines(&neg_beta_g2)?,
            pvk,
            tables: FixedBase::new(
                &core::iter::once(vk.alpha_g1)
                    .chain(vk.gamma_abc_g1.iter().copied())
                    .collect::<alloc::vec::Vec<_>>(),
            ),
            num_inputs,
            hash: decode::vk_hash(vk),
        })
    }

    /// Decodes ([`decode_vk`](crate::decode_vk)) and prepares a key.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        Self::new(&decode::decode_vk(bytes)?)
    }

    /// Number of public inputs the key takes.
    pub fn num_inputs(&self) -> usize {
        self.num_inputs
    }

    /// The verifying key.
    pub fn vk(&self) -> &VerifyingKey<Bn254> {
        &self.pvk.vk
    }

    /// [`vk_hash`](crate::vk_hash) of the key.
    pub fn hash(&self) -> [u8; 32] {
        self.hash
    }

    /// `IC(x) = IC_0 + Σ_j x_j·IC_j` for inputs of the right count.
    pub(crate) fn input_term(&self, inputs: &[Fr]) -> ark_bn254::G1Projective {
        self.tables.sum(2, inputs) + self.pvk.vk.gamma_abc_g1[0]
    }
}

impl TryFrom<&VerifyingKey<Bn254>> for PreparedKey {
    type Error = DecodeError;

    fn try_from(vk: &VerifyingKey<Bn254>) -> Result<Self, DecodeError> {
        Self::new(vk)
    }
}

/// Checks the public-input count and the identity elements; `Ok` means "run the pairing check".
pub(crate) fn precheck(
    key: &PreparedKey,
    proof: &Proof<Bn254>,
    inputs: &[Fr],
) -> Result<(), VerifyError> {
    if inputs.len() != key.num_inputs {
        return Err(VerifyError::InputCount {
            expected: key.num_inputs,
            got: inputs.len(),
        });
    }
    // Honest proofs never contain the identity; `decode_proof` rejects it too.
    if proof.a.is_zero() || proof.b.is_zero() || proof.c.is_zero() {
        return Err(VerifyError::InvalidProof);
    }
    Ok(())
}

/// Why the pairing stage rejected a proof that passed [`precheck`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The pairing equation does not hold.
    Invalid,
    /// `B` is not in G2 (found while computing its Miller-loop lines, see `lines.rs`); for a
    /// bundle that is malformed input, as a failed subgroup check in decoding would be.
    BNotInG2,
}

/// The pairing check alone, for a proof that passed [`precheck`] and whose `B` is on the G2
/// curve (decoded with or without the subgroup check):
/// `e(A, B)·e(IC(x), −γ)·e(C, −δ) == e(α, β)`, one multi-Miller loop and one final
/// exponentiation, the input term from the key's fixed-base tables. `B`'s membership in G2 is
/// decided by its line computation ([`prepare_checked`]).
pub(crate) fn pairing_check(
    key: &PreparedKey,
    proof: &Proof<Bn254>,
    inputs: &[Fr],
) -> Result<(), Failure> {
    let b = prepare_checked(&proof.b).ok_or(Failure::BNotInG2)?;
    let ic = key.input_term(inputs).into_affine();
    // −γ and −δ through their normalised lines (lines.rs), B through its projective lines; on
    // IFMA lanes the loop's steps are cut into eight segments (lane_lines.rs).
    let sc = p_scalars(&[ic, proof.c]);
    let fixed: alloc::vec::Vec<(&FixedLines, (Fq, Fq))> = [&key.gamma_lines, &key.delta_lines]
        .into_iter()
        .zip(sc)
        .filter_map(|(q, s)| s.map(|s| (q, s)))
        .collect();
    let raw = [(proof.a, &b)];
    let scalar = || miller_loop_with(&[], 0, 0, &fixed, &raw).0;
    #[cfg(all(feature = "std", target_arch = "x86_64"))]
    let ml = zkcontrib_engine::lane_lines::single_miller_loop(&fixed, &raw).unwrap_or_else(scalar);
    #[cfg(not(all(feature = "std", target_arch = "x86_64")))]
    let ml = scalar();
    if zkcontrib_engine::fe::final_exponentiation(&ml)
        .is_some_and(|out| out == key.pvk.alpha_g1_beta_g2)
    {
        Ok(())
    } else {
        Err(Failure::Invalid)
    }
}

/// Verifies one proof against the key and public inputs.
///
/// The number of public inputs must equal [`PreparedKey::num_inputs`]: arkworks' own
/// `prepare_inputs` zips the inputs with the IC points, so a shorter list would silently
/// verify a different statement (the missing inputs taken as zero).
///
/// The proof's points are assumed to be on their curves, as
/// [`decode_proof`](crate::decode_proof) guarantees; identity points and a `B` outside the
/// prime-order subgroup are rejected as [`VerifyError::InvalidProof`].
pub fn verify(key: &PreparedKey, proof: &Proof<Bn254>, inputs: &[Fr]) -> Result<(), VerifyError> {
    precheck(key, proof, inputs)?;
    pairing_check(key, proof, inputs).map_err(|_| VerifyError::InvalidProof)
}

/// Decodes a proof ([`decode_proof`](crate::decode_proof)) and public inputs
/// ([`decode_fr`](crate::decode_fr)), then [`verify`]s.
pub fn verify_encoded(
    key: &PreparedKey,
    proof: &[u8],
    inputs: &[[u8; 32]],
) -> Result<(), VerifyError> {
    if inputs.len() != key.num_inputs {
        return Err(VerifyError::InputCount {
            expected: key.num_inputs,
            got: inputs.len(),
        });
    }
    // B's subgroup check is made by the pairing check (`prepare_checked`), not twice.
    let proof = decode::decode_proof_deferred(proof)?;
    let inputs = inputs
        .iter()
        .map(|x| decode::decode_fr(x))
        .collect::<Result<alloc::vec::Vec<Fr>, _>>()?;
    precheck(key, &proof, &inputs)?;
    pairing_check(key, &proof, &inputs).map_err(|f| match f {
        Failure::Invalid => VerifyError::InvalidProof,
        Failure::BNotInG2 => VerifyError::Decode(DecodeError::InvalidPoint { what: "proof.b" }),
    })
}
