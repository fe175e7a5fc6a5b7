//! Why a bundle was rejected: malformed input, claims below the policy, or an invalid proof.

use alloc::string::String;
use core::fmt;

use ark_bn254::Fr;

use crate::decode::{encode_fr_hex, DecodeError};
use crate::limits::{BUNDLE_FORMAT, MAX_BUNDLE_BYTES, MAX_CHUNKS};
use crate::ClaimsRejected;

/// A field of a bundle, for error messages (`Display` is the JSON path, `chunks[3].proof`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Field {
    /// `format`.
    Format,
    /// `shape`.
    Shape,
    /// `vk_hash`.
    VkHash,
    /// `policy_id`.
    PolicyId,
    /// `submitter`.
    Submitter,
    /// `commitment`.
    Commitment,
    /// `contribution_id`.
    ContributionId,
    /// `chunks[k].state_in`.
    StateIn(usize),
    /// `chunks[k].state_out`.
    StateOut(usize),
    /// `chunks[k].proof`.
    Proof(usize),
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Field::Format => f.write_str("format"),
            Field::Shape => f.write_str("shape"),
            Field::VkHash => f.write_str("vk_hash"),
            Field::PolicyId => f.write_str("policy_id"),
            Field::Submitter => f.write_str("submitter"),
            Field::Commitment => f.write_str("commitment"),
            Field::ContributionId => f.write_str("contribution_id"),
            Field::StateIn(k) => write!(f, "chunks[{k}].state_in"),
            Field::StateOut(k) => write!(f, "chunks[{k}].state_out"),
            Field::Proof(k) => write!(f, "chunks[{k}].proof"),
        }
    }
}

/// Why a bundle was not accepted. Every variant belongs to one [`Class`].
///
/// Checks run cheapest first: size, JSON, field decoding except proofs, key and policy
/// lookup, chain, thresholds, proof decoding (curve checks), pairings. The G2 subgroup check
/// of each proof's `B` is made by the pairing stage (its Miller-loop lines decide membership
/// for free) and reported as the same [`Rejected::Field`] decoding would give. A bundle with
/// several defects reports the first one in that order (for pairing-stage rejections: of the
/// chunks, the first).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Rejected {
    /// More bytes than [`MAX_BUNDLE_BYTES`], refused before parsing.
    #[error("bundle: {got} bytes, at most {max} are accepted", max = MAX_BUNDLE_BYTES)]
    TooLarge {
        /// Bytes received.
        got: usize,
    },
    /// Not JSON of the bundle format: syntax, a missing, unknown or mistyped field.
    #[error("bundle: not a {BUNDLE_FORMAT} bundle: {0}")]
    Json(String),
    /// A field fails strict decoding (hex, length, canonical value, point checks).
    #[error("{field}: {error}")]
    Field {
        /// The field.
        field: Field,
        /// What is wrong with it.
        error: DecodeError,
    },
    /// A bundle of an earlier statement (its `format` says which): its proofs are of another
    /// circuit, so it can never verify here; the contributor must prove the trace again.
    #[error("format: a statement v{statement} bundle; this verifier checks statement v3 bundles ({BUNDLE_FORMAT}): prove the trace again with a current zkcontrib")]
    StatementVersion {
        /// The bundle's statement version.
        statement: u32,
    },
    /// No chunks, or more than [`MAX_CHUNKS`].
    #[error("chunks: {got} chunks, between 1 and {max} are accepted", max = MAX_CHUNKS)]
    ChunkCount {
        /// Chunks in the bundle.
        got: usize,
    },
    /// `vk_hash` names no pinned key.
    #[error("vk_hash: no pinned verifying key has hash {}", hex32(.vk_hash))]
    UnknownKey {
        /// The bundle's `vk_hash`.
        vk_hash: [u8; 32],
    },
    /// `policy_id` names no registered policy.
    #[error("policy_id: policy {} is not registered", encode_fr_hex(.policy_id))]
    UnknownPolicy {
        /// The bundle's `policy_id`.
        policy_id: Fr,
    },
    /// The chunks do not form one chain: `state_out` of chunk `chunk` differs from `state_in`
    /// of the next, or is not 0 for the last chunk (swapped, dropped or spliced chunks).
    #[error(
        "chunks[{chunk}].state_out: does not link to the next chunk (the last chunk's must be 0)"
    )]
    BrokenChain {
        /// The chunk whose `state_out` does not link.
        chunk: usize,
    },
    /// The claims fall short of the policy's thresholds.
    #[error("claims: {0}")]
    BelowPolicy(ClaimsRejected),
    /// A well-formed proof does not verify for the bundle's public inputs (edited claims,
    /// another submitter, another key's proof, a tampered proof).
    #[error("chunks[{chunk}].proof: invalid for this bundle's public inputs")]
    InvalidProof {
        /// The first chunk whose proof is invalid.
        chunk: usize,
    },
}

/// The three kinds of rejection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Class {
    /// The input is not an acceptable bundle for this verifier: too large, undecodable,
    /// unknown key or policy, broken chain. No cryptography was needed to tell.
    Malformed,
    /// Well-formed, but the claims are below the policy's thresholds.
    BelowPolicy,
    /// Well-formed, and a proof does not verify.
    InvalidProof,
}

impl Rejected {
    /// The class of the rejection.
    pub fn class(&self) -> Class {
        match self {
            Rejected::BelowPolicy(_) => Class::BelowPolicy,
            Rejected::InvalidProof { .. } => Class::InvalidProof,
            _ => Class::Malformed,
        }
    }

    /// True for [`Class::Malformed`].
    pub fn is_malformed(&self) -> bool {
        self.class() == Class::Malformed
    }
}

fn hex32(b: &[u8; 32]) -> String {
    crate::decode::to_hex(b)
}
