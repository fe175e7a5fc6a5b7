//! The validator's entry point: a [`Verifier`] built from pinned keys and a policy registry.

use alloc::{collections::BTreeMap, string::String, vec::Vec};

use ark_bn254::{Bn254, Fr};
use ark_groth16::{Proof, VerifyingKey};
use ark_std::rand::{CryptoRng, RngCore};

use crate::batch::invalid_proofs;
use crate::bundle::{Bundle, NUM_PUBLIC_INPUTS};
use crate::decode::{self, DecodeError};
use crate::error::{Field, Rejected};
use crate::groth16::{pairing_check, Failure, PreparedKey};
use crate::{Claims, Thresholds};

/// What an accepted bundle establishes. Only a [`Verifier`] makes one.
///
/// `contribution_id` is the deduplication key (see [`crate::dedup`]): record it, and pay for
/// each id once.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Accepted {
    /// Hash of the key the chunks were verified with.
    pub vk_hash: [u8; 32],
    /// The policy the trace meets.
    pub policy_id: Fr,
    /// The reward address the proofs are bound to.
    pub submitter: Fr,
    /// The claims, at or above the policy's thresholds.
    pub claims: Claims,
    /// Hiding commitment to the trace.
    pub commitment: Fr,
    /// Deterministic id of the trace: the deduplication key.
    pub contribution_id: Fr,
    /// Number of chunks.
    pub chunks: usize,
}

impl Accepted {
    /// The reward address as the contributor gave it to `zkcontrib prove --submitter`, in
    /// its canonical form ([`crate::bundle::encode_submitter`]): `0x` and 40 lowercase hex
    /// digits for a 20-byte address (leading zero bytes kept), 64 for a value of 2^160 or
    /// more. Print and pay this, not `{:?}` of the field element.
    pub fn submitter_hex(&self) -> alloc::string::String {
        crate::bundle::encode_submitter(&self.submitter)
    }
}

/// Why a [`Verifier`] could not be built.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// A pinned key's bytes do not decode.
    #[error("verifying key: {0}")]
    Key(DecodeError),
    /// A pinned key's bytes hash to another value than the pinned one.
    #[error("verifying key: hash {} differs from the pinned {}", decode::to_hex(.got), decode::to_hex(.pinned))]
    HashMismatch {
        /// The pinned hash.
        pinned: [u8; 32],
        /// The hash of the bytes.
        got: [u8; 32],
    },
    /// A key is not a chunk key: it takes another number of public inputs.
    #[error("verifying key {}: takes {got} public inputs, chunk proofs have {expected}", decode::to_hex(.vk_hash))]
    InputCount {
        /// The key's hash.
        vk_hash: [u8; 32],
        /// Inputs of a chunk proof.
        expected: usize,
        /// Inputs of the key.
        got: usize,
    },
    /// No key was given: nothing could ever be accepted.
    #[error("no verifying key pinned")]
    NoKeys,
}

/// Builds a [`Verifier`]; see [`Verifier::builder`]. Errors surface at [`build`](Self::build).
#[derive(Default)]
pub struct VerifierBuilder {
    keys: Vec<(VerifyingKey<Bn254>, Option<String>)>,
    policies: BTreeMap<Fr, Thresholds>,
    error: Option<BuildError>,
}

impl core::fmt::Debug for VerifierBuilder {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("VerifierBuilder")
            .field("keys", &self.keys.len())
            .field("policies", &self.policies.len())
            .finish_non_exhaustive()
    }
}

impl VerifierBuilder {
    /// Pins a key the caller already trusts (e.g. compiled in); its hash is computed here.
    ///
    /// Prefer [`VerifierBuilder::key_for_shape`] when the shape is known: then a bundle
    /// naming this key under another `shape` label is refused, and every contribution has one
    /// canonical bundle.
    pub fn key(mut self, vk: &VerifyingKey<Bn254>) -> Self {
        self.keys.push((vk.clone(), None));
        self
    }

    /// Pins a key for the shape it was made for (`keys.json`'s `shape`, e.g.
    /// [`crate::keys::PinnedKey::shape`]): bundles naming the key must carry that `shape`
    /// label ([`Rejected::OtherShape`] otherwise).
    pub fn key_for_shape(mut self, shape: &str, vk: &VerifyingKey<Bn254>) -> Self {
        self.keys.push((vk.clone(), Some(shape.into())));
        self
    }

    /// Pins a key from its encoded bytes ([`crate::encode_vk`]), which must decode strictly
    /// and hash to `vk_hash`.
    pub fn pinned_key(mut self, vk_hash: [u8; 32], vk_bytes: &[u8]) -> Self {
        match decode::decode_vk(vk_bytes) {
            Err(e) => self.fail(BuildError::Key(e)),
            Ok(vk) => {
                let got = decode::vk_hash(&vk);
                if got != vk_hash {
                    self.fail(BuildError::HashMismatch {
                        pinned: vk_hash,
                        got,
                    })
                } else {
                    self.keys.push((vk, None));
                    self
                }
            }
        }
    }

    /// Registers a policy and the minimum claims accepted for it (a later registration of
    /// the same `policy_id` replaces the earlier).
    pub fn policy(mut self, policy_id: Fr, thresholds: Thresholds) -> Self {
        self.policies.insert(policy_id, thresholds);
        self
    }

    fn fail(mut self, e: BuildError) -> Self {
        self.error.get_or_insert(e);
        self
    }

    /// Prepares the keys (pairing precomputation and fixed-base tables, about 2.4 MiB and a
    /// few milliseconds per key) and returns the verifier.
    pub fn build(self) -> Result<Verifier, BuildError> {
        if let Some(e) = self.error {
            return Err(e);
        }
        if self.keys.is_empty() {
            return Err(BuildError::NoKeys);
        }
        let mut keys = BTreeMap::new();
        let mut shapes = BTreeMap::new();
        for (vk, shape) in &self.keys {
            let vk_hash = decode::vk_hash(vk);
            let got = vk.gamma_abc_g1.len().saturating_sub(1);
            if got != NUM_PUBLIC_INPUTS || vk.gamma_abc_g1.is_empty() {
                return Err(BuildError::InputCount {
                    vk_hash,
                    expected: NUM_PUBLIC_INPUTS,
                    got,
                });
            }
            if let alloc::collections::btree_map::Entry::Vacant(e) = keys.entry(vk_hash) {
                e.insert(PreparedKey::new(vk).map_err(BuildError::Key)?);
            }
            if let Some(s) = shape {
                shapes.entry(vk_hash).or_insert_with(|| s.clone());
            }
        }
        Ok(Verifier {
            keys,
            shapes,
            policies: self.policies,
        })
    }
}

/// Verifies contribution bundles against pinned verifying keys and registered policies.
///
/// A bundle is accepted iff it decodes strictly, names a pinned key (`vk_hash`) and a
/// registered policy (`policy_id`), its chunks form one chain, its claims meet the policy's
/// thresholds, and every chunk proof verifies for the public inputs recomputed from the
/// bundle. Policy and submitter are single fields of the bundle, so they are the same for
/// every chunk by construction; chunk `k` is proven with `is_first = (k == 0)` and
/// `is_last = (k == n − 1)`, so the first and last chunks are the ones that say so.
///
/// A `Verifier` is immutable and `Sync`: share one across threads.
#[derive(Clone, Debug)]
pub struct Verifier {
    keys: BTreeMap<[u8; 32], PreparedKey>,
    /// The `shape` label of keys pinned with one.
    shapes: BTreeMap<[u8; 32], String>,
    policies: BTreeMap<Fr, Thresholds>,
}

/// A bundle that passed every check but the pairings.
struct Checked<'a> {
    key: &'a PreparedKey,
    accepted: Accepted,
    proofs: Vec<Proof<Bn254>>,
    inputs: Vec<[Fr; NUM_PUBLIC_INPUTS]>,
}

impl Verifier {
    /// Starts a builder: `Verifier::builder().key(&vk).policy(id, thresholds).build()`.
    pub fn builder() -> VerifierBuilder {
        VerifierBuilder::default()
    }

    /// The pinned key with this hash.
    pub fn key(&self, vk_hash: &[u8; 32]) -> Option<&PreparedKey> {
        self.keys.get(vk_hash)
    }

    /// The thresholds registered for a policy.
    pub fn thresholds(&self, policy_id: &Fr) -> Option<Thresholds> {
        self.policies.get(policy_id).copied()
    }

    /// Verifies one bundle, each chunk's proof on its own (deterministic, no randomness).
    ///
    /// For many bundles, or bundles of many chunks, [`verify_batch`](Self::verify_batch) is
    /// faster: per proof about 3.4× at 16 proofs, about 4× at 1,024 on one core
    /// (docs/BENCHMARKS.md).
    pub fn verify(&self, bundle: &Bundle) -> Result<Accepted, Rejected> {
        let c = self.check(bundle)?;
        for (k, (proof, inputs)) in c.proofs.iter().zip(&c.inputs).enumerate() {
            pairing_check(c.key, proof, inputs).map_err(|f| rejection(f, k))?;
        }
        Ok(c.accepted)
    }

    /// Parses ([`Bundle::from_json`]) and [`verify`](Self::verify)s bundle JSON.
    #[cfg(feature = "json")]
    pub fn verify_json(&self, bytes: &[u8]) -> Result<Accepted, Rejected> {
        self.verify(&Bundle::from_json(bytes)?)
    }

    /// Verifies many bundles; one result per bundle, in order, each the same as
    /// [`verify`](Self::verify) would give (up to the `2^-128` soundness error of batching).
    ///
    /// All chunks of all well-formed bundles under the same key go into one batch check
    /// ([`crate::batch`]); when it fails, bisection finds exactly the invalid proofs and each
    /// bundle with one is rejected with its first invalid chunk. The batch scalars are seeded
    /// from the operating system's CSPRNG (`getrandom`), so no sender can predict them. Should
    /// the OS fail to provide randomness, every chunk is checked on its own: the same verdicts,
    /// slower, no panic.
    #[cfg(feature = "std")]
    pub fn verify_batch(&self, bundles: &[Bundle]) -> Vec<Result<Accepted, Rejected>> {
        self.verify_batch_seeded(bundles, crate::batch::os_seed())
    }

    /// [`verify_batch`](Self::verify_batch) with batch scalars drawn from the caller's `rng`.
    ///
    /// **Warning:** batching is sound only if the senders cannot predict the scalars. The
    /// `CryptoRng` bound does not ensure it: a `StdRng` seeded with a constant, a counter or a
    /// timestamp satisfies it, and with predictable scalars two crafted invalid proofs can
    /// cancel out and be accepted together. Prefer [`verify_batch`](Self::verify_batch); use
    /// this only with a CSPRNG seeded from the OS (e.g. on `no_std`/wasm32, where it is the
    /// only batch API, with the host's randomness), or in reproducible tests and benchmarks.
    pub fn verify_batch_with_rng<R: RngCore + CryptoRng>(
        &self,
        bundles: &[Bundle],
        rng: &mut R,
    ) -> Vec<Result<Accepted, Rejected>> {
        self.verify_batch_seeded(bundles, Some(crate::batch::rng_seed(rng)))
    }

    /// The batch with scalars from `seed` (`None`: each chunk checked on its own).
    fn verify_batch_seeded(
        &self,
        bundles: &[Bundle],
        seed: Option<[u8; 32]>,
    ) -> Vec<Result<Accepted, Rejected>> {
        #[cfg(feature = "parallel")]
        let fields: Vec<Result<Fields<'_>, Rejected>> = {
            use rayon::prelude::*;
            bundles.par_iter().map(|b| self.check_fields(b)).collect()
        };
        #[cfg(not(feature = "parallel"))]
        let fields: Vec<Result<Fields<'_>, Rejected>> =
            bundles.iter().map(|b| self.check_fields(b)).collect();
        // The proofs of the bundles that passed, decoded together (their square roots eight
        // at a time on IFMA lanes): the same results as `check`'s, in the same order.
        let hexes: Vec<&str> = bundles
            .iter()
            .zip(&fields)
            .filter(|(_, f)| f.is_ok())
            .flat_map(|(b, _)| b.chunks.iter().map(|c| c.proof.as_str()))
            .collect();
        #[cfg(feature = "parallel")]
        let decoded: Vec<Result<Proof<Bn254>, DecodeError>> = {
            use rayon::prelude::*;
            let parts: Vec<Vec<_>> = hexes
                .par_chunks(256)
                .map(decode::decode_proofs_hex_deferred)
                .collect();
            parts.into_iter().flatten().collect()
        };
        #[cfg(not(feature = "parallel"))]
        let decoded = decode::decode_proofs_hex_deferred(&hexes);
        let mut decoded = decoded.into_iter();
        let checked: Vec<Result<Checked<'_>, Rejected>> = bundles
            .iter()
            .zip(fields)
            .map(|(b, f)| {
                let f = f?;
                let proofs: Vec<_> = decoded.by_ref().take(b.chunks.len()).collect();
                let proofs = proofs
                    .into_iter()
                    .enumerate()
                    .map(|(k, p)| {
                        p.map_err(|error| Rejected::Field {
                            field: Field::Proof(k),
                            error,
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(f.with_proofs(b, proofs))
            })
            .collect();

        let mut verdicts: Vec<Option<Rejected>> = alloc::vec![None; bundles.len()];
        for (vk_hash, key) in &self.keys {
            // (bundle, chunk) of every proof under this key, in bundle then chunk order.
            let mut at: Vec<(usize, usize)> = Vec::new();
            let mut refs: Vec<(&Proof<Bn254>, &[Fr])> = Vec::new();
            for (i, c) in checked.iter().enumerate() {
                if let Ok(c) = c {
                    if c.accepted.vk_hash == *vk_hash {
                        for (k, (p, x)) in c.proofs.iter().zip(&c.inputs).enumerate() {
                            at.push((i, k));
                            refs.push((p, x.as_slice()));
                        }
                    }
                }
            }
            // One seed for every key's batch: each batch check is sound on its own, and the
            // union bound over all of them needs no independence between them.
            for (pos, failure) in invalid_proofs(key, &refs, seed) {
                let (i, k) = at[pos];
                verdicts[i].get_or_insert(rejection(failure, k));
            }
        }
        checked
            .into_iter()
            .zip(verdicts)
            .map(|(c, v)| match (c, v) {
                (Err(e), _) | (Ok(_), Some(e)) => Err(e),
                (Ok(c), None) => Ok(c.accepted),
            })
            .collect()
    }

    /// Every check but the pairings, cheapest first.
    fn check(&self, bundle: &Bundle) -> Result<Checked<'_>, Rejected> {
        let f = self.check_fields(bundle)?;
        // B's subgroup check is left to the pairing stage (`rejection`).
        let proofs = bundle.proofs_deferred()?;
        Ok(f.with_proofs(bundle, proofs))
    }

    /// The checks before decoding the proofs (the last of [`Verifier::check`]'s).
    fn check_fields(&self, bundle: &Bundle) -> Result<Fields<'_>, Rejected> {
        let f = bundle.fields()?;
        let key = self
            .keys
            .get(&f.vk_hash)
            .ok_or(Rejected::UnknownKey { vk_hash: f.vk_hash })?;
        if let Some(key_shape) = self.shapes.get(&f.vk_hash) {
            if *key_shape != bundle.shape {
                return Err(Rejected::OtherShape {
                    shape: bundle.shape.clone(),
                    key_shape: key_shape.clone(),
                });
            }
        }
        let thresholds = self
            .policies
            .get(&f.policy_id)
            .ok_or(Rejected::UnknownPolicy {
                policy_id: f.policy_id,
            })?;
        for (k, link) in f.links.iter().enumerate() {
            let next = f.links.get(k + 1).map_or(Fr::from(0u64), |l| l.0);
            if link.1 != next {
                return Err(Rejected::BrokenChain { chunk: k });
            }
        }
        thresholds
            .check(&bundle.claims)
            .map_err(Rejected::BelowPolicy)?;
        Ok(Fields { key, fields: f })
    }
}

/// A bundle that passed [`Verifier::check_fields`].
struct Fields<'a> {
    key: &'a PreparedKey,
    fields: crate::bundle::BundleFields,
}

impl<'a> Fields<'a> {
    /// With its decoded proofs: ready for the pairing stage.
    fn with_proofs(self, bundle: &Bundle, proofs: Vec<Proof<Bn254>>) -> Checked<'a> {
        let f = self.fields;
        let inputs = bundle.chunk_inputs(&f);
        Checked {
            key: self.key,
            accepted: Accepted {
                vk_hash: f.vk_hash,
                policy_id: f.policy_id,
                submitter: f.submitter,
                claims: bundle.claims,
                commitment: f.commitment,
                contribution_id: f.contribution_id,
                chunks: f.links.len(),
            },
            proofs,
            inputs,
        }
    }
}

/// The rejection of chunk `k` for a pairing-stage failure: a `B` outside G2 is the same
/// malformed-input rejection decoding gives for it ([`Bundle::proofs`] checks the subgroup
/// there; the verifier leaves it to the Miller loop, which decides it for free).
fn rejection(failure: Failure, k: usize) -> Rejected {
    match failure {
        Failure::Invalid => Rejected::InvalidProof { chunk: k },
        Failure::BNotInG2 => Rejected::Field {
            field: Field::Proof(k),
            error: DecodeError::InvalidPoint { what: "proof.b" },
        },
    }
}
