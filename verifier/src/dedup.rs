//! Replay protection: the contract, and a helper that keeps it.
//!
//! - **`contribution_id` is the deduplication key.** It is a public input of the last chunk,
//!   computed in the circuit from the trace alone (not the policy, shape, chunking, blinding or
//!   proof randomness), so a resubmission of the same trace — as is, re-proven, or under
//!   another policy — carries the same id. A validator pays for each id once.
//! - **A proof hash is not a deduplication key.** Groth16 proofs are malleable: anyone can
//!   re-randomize a valid proof into a different valid proof of the same statement
//!   (`ark_groth16::Groth16::rerandomize_proof`). Such a bundle verifies — and must be caught
//!   by its id.
//! - **The proof is bound to `submitter`.** It is a public input of every chunk: a bundle
//!   copied to another reward address does not verify
//!   ([`Rejected::InvalidProof`](crate::Rejected::InvalidProof)).
//!
//! [`Seen`] is the minimal in-memory form: a node with persistent state stores the ids the
//! same way, keyed by [`Accepted::contribution_id`].

use alloc::collections::BTreeSet;

use ark_bn254::Fr;

use crate::decode::encode_fr_hex;
use crate::verifier::Accepted;

/// A contribution whose id was already recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("contribution {} was already accepted", encode_fr_hex(.contribution_id))]
pub struct Duplicate {
    /// The repeated id.
    pub contribution_id: Fr,
}

/// The contribution ids accepted so far.
#[derive(Clone, Debug, Default)]
pub struct Seen {
    ids: BTreeSet<Fr>,
}

impl Seen {
    /// No ids yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records an accepted contribution's id; `Err` if it was recorded before (the
    /// contribution must not be paid again).
    pub fn insert(&mut self, accepted: &Accepted) -> Result<(), Duplicate> {
        self.insert_id(accepted.contribution_id)
    }

    /// Records an id directly: restoring the set from a node's storage (where
    /// [`insert`](Self::insert) saved [`Accepted::contribution_id`]). `Err` if it was already
    /// recorded.
    pub fn insert_id(&mut self, contribution_id: Fr) -> Result<(), Duplicate> {
        if self.ids.insert(contribution_id) {
            Ok(())
        } else {
            Err(Duplicate { contribution_id })
        }
    }

    /// The recorded ids, in increasing order: what a node persists.
    pub fn iter(&self) -> impl Iterator<Item = &Fr> + '_ {
        self.ids.iter()
    }

    /// Whether an id was recorded.
    pub fn contains(&self, contribution_id: &Fr) -> bool {
        self.ids.contains(contribution_id)
    }

    /// Number of ids recorded.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// No ids recorded.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}
