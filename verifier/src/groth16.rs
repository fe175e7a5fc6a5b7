//! Verification of a single Groth16 proof over BN254.

use ark_bn254::{Bn254, Fr, G2Projective};
use ark_ec::{pairing::Pairing, AffineRepr, CurveGroup};
use ark_groth16::{prepare_verifying_key, Groth16, PreparedVerifyingKey, Proof, VerifyingKey};

use crate::decode::{self, DecodeError};

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
/// `−β` prepared for batch verification, and the number of public inputs the key takes.
#[derive(Clone, Debug)]
pub struct PreparedKey {
    pub(crate) pvk: PreparedVerifyingKey<Bn254>,
    pub(crate) neg_beta_g2: <Bn254 as Pairing>::G2Prepared,
    pub(crate) num_inputs: usize,
}

impl PreparedKey {
    /// Prepares a key. Fails only if the key has no IC points (not even the constant term).
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
        Ok(Self {
            pvk: prepare_verifying_key(vk),
            neg_beta_g2: neg_beta.into_affine().into(),
            num_inputs,
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
        decode::vk_hash(&self.pvk.vk)
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

/// The pairing check alone, for a proof that passed [`precheck`].
pub(crate) fn pairing_check(key: &PreparedKey, proof: &Proof<Bn254>, inputs: &[Fr]) -> bool {
    matches!(
        Groth16::<Bn254>::verify_proof(&key.pvk, proof, inputs),
        Ok(true)
    )
}

/// Verifies one proof against the key and public inputs.
///
/// The number of public inputs must equal [`PreparedKey::num_inputs`]: arkworks' own
/// `prepare_inputs` zips the inputs with the IC points, so a shorter list would silently
/// verify a different statement (the missing inputs taken as zero).
///
/// The proof's points are assumed to be valid subgroup points, as
/// [`decode_proof`](crate::decode_proof) guarantees; identity points are rejected as
/// [`VerifyError::InvalidProof`].
pub fn verify(key: &PreparedKey, proof: &Proof<Bn254>, inputs: &[Fr]) -> Result<(), VerifyError> {
    precheck(key, proof, inputs)?;
    if pairing_check(key, proof, inputs) {
        Ok(())
    } else {
        Err(VerifyError::InvalidProof)
    }
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
    let proof = decode::decode_proof(proof)?;
    let inputs = inputs
        .iter()
        .map(|x| decode::decode_fr(x))
        .collect::<Result<alloc::vec::Vec<Fr>, _>>()?;
    verify(key, &proof, &inputs)
}
