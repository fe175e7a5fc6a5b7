//! # zkcontrib-verifier
//!
//! What a validator node links in to judge zkcontrib contributions. It depends on nothing it
//! does not run: no geometry, no trace parsing, no constraint code.
//!
//! A node builds one [`Verifier`] from the verifying keys it pins and the policies it accepts,
//! then judges bundles from untrusted senders: [`Verifier::verify`] for one,
//! [`Verifier::verify_batch`] for many (one final exponentiation per batch, failures isolated
//! per bundle). The verdict is `Result<Accepted, Rejected>`: [`Accepted`] carries the claims,
//! commitment and `contribution_id`; [`Rejected`] says why, in one of three [`Class`]es
//! (malformed input, claims below the policy, invalid proof). [`Seen`] keeps the replay
//! contract of [`dedup`]: pay each `contribution_id` once.
//!
//! The validator's quick start — dependency and features, loading the key files `zkcontrib
//! setup` writes, registering a policy from `zkcontrib policy --json`, batches, the replay
//! set, printing the submitter, what each rejection class means, build flags — is
//! `verifier/README.md`; `examples/validator.rs` is the same as a complete program, run by the
//! test suite on bundles the CLI proves. In short (compiled, not run: it needs key files):
//!
//! ```no_run
//! use zkcontrib_verifier::{Bundle, CanonicalPolicy, Class, PinnedKey, Seen, Verifier};
//!
//! fn judge(bundles: &[Bundle], seen: &mut Seen) -> Result<(), Box<dyn std::error::Error>> {
//!     // verifying.key + keys.json, as `zkcontrib setup --shape earth` wrote them.
//!     let key = PinnedKey::from_dir("keys/earth")?;
//!     // `zkcontrib policy --policy santa-clara-2017.toml --json > santa-clara-2017.json`
//!     let policy = CanonicalPolicy::from_file("santa-clara-2017.json")?;
//!     let verifier = Verifier::builder()
//!         .key_for_shape(key.shape(), key.vk())
//!         .policy(policy.policy_id, policy.thresholds)
//!         .build()?;
//!     // Batch scalars from the OS: no RNG argument.
//!     for verdict in verifier.verify_batch(bundles) {
//!         match verdict {
//!             Ok(accepted) => match seen.insert(&accepted) {
//!                 Ok(()) => println!("pay {} for {:?}", accepted.submitter_hex(), accepted.claims),
//!                 Err(duplicate) => println!("replay: {duplicate}"),
//!             },
//!             // Includes a key this node does not pin and a policy it has not registered.
//!             Err(e) if e.class() == Class::Malformed => println!("drop the sender's input: {e}"),
//!             Err(e) => println!("rejected: {e}"),
//!         }
//!     }
//!     Ok(())
//! }
//! ```
//!
//! Underneath, for other uses of the same keys:
//!
//! - [`decode`]: strict decoding of untrusted field elements, proofs and verifying keys;
//! - [`verify`]: single Groth16 verification with an exact public-input count check;
//! - [`batch_verify`]: batch verification that isolates the invalid proofs;
//! - [`keys`] and [`policy`]: the key files of setup and the canonical policy JSON;
//! - [`bundle::encode_submitter`] / [`bundle::parse_submitter`]: the submitter's canonical
//!   form and what a person types.
//!
//! The thresholds a network registers are the check the verifier repeats itself rather than
//! trusting the prover's:
//!
//! ```
//! use zkcontrib_verifier::{Claims, ClaimsRejected, Thresholds};
//!
//! let t = Thresholds { min_points: 100, min_distance_m: 1_000 };
//! let ok = Claims { points: 988, distance_m: 12_780, duration_s: 6_000 };
//! assert_eq!(t.check(&ok), Ok(()));
//! let short = Claims { distance_m: 999, ..ok };
//! assert_eq!(
//!     t.check(&short),
//!     Err(ClaimsRejected::TooShort { distance_m: 999, min_m: 1_000 })
//! );
//! ```
//!
//! ## Features
//!
//! - `std` (default): implements `std::error::Error`; without it the crate is `no_std` (it
//!   needs `alloc`) and builds for `wasm32-unknown-unknown` (`scripts/check-wasm.sh`). With
//!   `std`, batch verification ([`Verifier::verify_batch`], [`batch_verify`]) seeds its
//!   scalars from the OS (`getrandom`; on wasm32-unknown-unknown add getrandom 0.2's `js`
//!   feature to your own manifest); without it only the explicitly named
//!   [`Verifier::verify_batch_with_rng`] and [`batch_verify_with_rng`] exist, which take the
//!   caller's RNG (read their warning).
//! - `json` (default): [`Bundle::from_json`] and [`Verifier::verify_json`] (`serde_json`
//!   without `std`).
//! - `parallel`: batch verification on rayon's thread pool.
//!
//! ## On x86-64 CPUs with AVX-512 IFMA
//!
//! The arithmetic is the engine crate's (`zkcontrib-engine`, in `verifier/engine/`). With
//! `std`, on x86-64 CPUs with AVX-512 IFMA (Intel since Ice Lake, AMD since Zen 4; detected
//! at run time) it runs on 52-bit-limb lanes: batch verification decodes its proofs' points
//! (the square roots), scales their `A`, computes their Miller-loop lines and runs the Miller
//! loop eight proofs at a time; a single verification runs its Miller loop as eight segments
//! in lockstep and its final exponentiation on one `Fq12` packed in one vector. The results
//! are the same as the scalar path's, which runs everywhere else (`no_std`, wasm32, other
//! CPUs, and with the environment variable `ZKCONTRIB_NO_LANES=1`, which CI uses to test both
//! paths on one machine). The engine's lane modules hold the `unsafe` code (vector registers,
//! `#[target_feature]` calls after the run-time check); this crate is `forbid(unsafe_code)`.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(rust_2018_idioms)]
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod batch;
pub mod bundle;
pub mod decode;
pub mod dedup;
pub mod error;
pub mod groth16;
pub mod keys;
mod limits;
pub mod policy;
pub mod verifier;

pub use ark_bn254::{Bn254, Fr};
pub use ark_groth16::{Proof, VerifyingKey};
#[cfg(feature = "std")]
pub use batch::batch_verify;
pub use batch::{batch_verify_with_rng, BatchItem};
pub use bundle::{
    decode_submitter, encode_submitter, parse_submitter, Bundle, BundleFields, Chunk, BUNDLE_FORMAT,
};
pub use decode::{
    decode_fr, decode_fr_hex, decode_proof, decode_proof_hex, decode_vk, encode_fr, encode_fr_hex,
    encode_proof, encode_proof_hex, encode_vk, vk_hash, vk_hash_hex, DecodeError,
    MAX_PUBLIC_INPUTS,
};
pub use dedup::{Duplicate, Seen};
pub use error::{Class, Field, Rejected};
pub use groth16::{verify, verify_encoded, PreparedKey, VerifyError};
pub use keys::{KeyFileError, PinnedKey};
pub use policy::{CanonicalPolicy, PolicyJsonError};
pub use verifier::{Accepted, BuildError, Verifier, VerifierBuilder};

/// Internals the criterion benches time one by one for the cost split in
/// `docs/verification-costs.md` (feature `bench`). Not part of the API: may change without
/// notice.
#[cfg(feature = "bench")]
#[doc(hidden)]
pub mod bench_support {
    use ark_bn254::{Bn254, Fr, G1Affine, G1Projective, G2Affine};
    use ark_ec::pairing::MillerLoopOutput;

    /// The batch's evaluated, normalised lines of the pairs `(P_i, Q_i)` (affine steps,
    /// inversions shared across proofs), on IFMA lanes where the batch uses them; opaque to
    /// callers.
    pub fn proof_lines(ps: &[G1Affine], qs: &[G2Affine]) -> Lines {
        #[cfg(all(feature = "std", target_arch = "x86_64"))]
        if let Some((lines, _)) = zkcontrib_engine::lane_lines::proof_lines(ps, qs) {
            return Lines(Inner::Lanes(lines));
        }
        Lines(Inner::Scalar(
            zkcontrib_engine::lines::proof_lines(ps, qs).0,
        ))
    }

    /// Lines from [`proof_lines`].
    pub struct Lines(Inner);

    enum Inner {
        Scalar(alloc::vec::Vec<zkcontrib_engine::lines::Line>),
        #[cfg(all(feature = "std", target_arch = "x86_64"))]
        Lanes(zkcontrib_engine::lane_lines::LaneLines),
    }

    /// The batch's Miller loop over the first `n` pairs of `lines`.
    pub fn miller_loop(lines: &Lines, n: usize) -> MillerLoopOutput<Bn254> {
        match &lines.0 {
            Inner::Scalar(lines) => zkcontrib_engine::lines::miller_loop(lines, 0, n, &[]),
            #[cfg(all(feature = "std", target_arch = "x86_64"))]
            Inner::Lanes(lines) => MillerLoopOutput(lines.miller_loop(0, n, &[])),
        }
    }

    /// `IC(x)` from the key's fixed-base tables.
    pub fn input_term(key: &crate::PreparedKey, inputs: &[Fr]) -> G1Projective {
        key.input_term(inputs)
    }

    /// `[a_i + b_i·λ]·P_i` as a batch scales its `A` points (GLV, shared doublings).
    pub fn scale_a(points: &[G1Affine], ab: &[(u64, u64)]) -> alloc::vec::Vec<G1Projective> {
        zkcontrib_engine::curve::mul_glv_all(points, ab)
    }

    /// The final exponentiation a verification runs (`fe.rs`: the hard part on IFMA lanes
    /// where the CPU has them); `None` for 0.
    pub fn final_exponentiation(f: &ark_bn254::Fq12) -> Option<ark_bn254::Fq12> {
        zkcontrib_engine::fe::final_exponentiation(f)
    }

    /// The proofs of many hex encodings, decoded together as a batch decodes them (the
    /// square roots eight at a time on IFMA lanes where the CPU has them).
    pub fn decode_proofs(
        hexes: &[&str],
    ) -> alloc::vec::Vec<Result<ark_groth16::Proof<Bn254>, crate::DecodeError>> {
        crate::decode::decode_proofs_hex_deferred(hexes)
    }

    /// The G2 subgroup check of decoding.
    pub fn is_in_g2(p: &G2Affine) -> bool {
        zkcontrib_engine::curve::is_in_g2(p)
    }

    /// The proofs of a bundle decoded as the [`Verifier`](crate::Verifier) decodes them:
    /// every check but `B`'s subgroup membership, which its Miller-loop lines decide.
    pub fn proofs_deferred(
        bundle: &crate::Bundle,
    ) -> Result<alloc::vec::Vec<ark_groth16::Proof<Bn254>>, crate::Rejected> {
        bundle.proofs_deferred()
    }
}

/// The values a contribution reveals: the last chunk's claim slots (`zkcontrib-public`).
pub use zkcontrib_public::Claims;

/// The minimums a network accepts for one policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    /// Fewest points.
    pub min_points: u64,
    /// Shortest distance, metres.
    pub min_distance_m: u64,
}

/// Why claims fall short of a policy's thresholds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClaimsRejected {
    /// Fewer points than the policy requires.
    #[error("{points} points claimed, the policy requires at least {min}")]
    TooFewPoints {
        /// Claimed.
        points: u64,
        /// Required.
        min: u64,
    },
    /// Shorter than the policy requires.
    #[error("{distance_m} m claimed, the policy requires at least {min_m} m")]
    TooShort {
        /// Claimed.
        distance_m: u64,
        /// Required.
        min_m: u64,
    },
}

impl Thresholds {
    /// Checks claims against the thresholds; the first shortfall is reported.
    pub fn check(&self, c: &Claims) -> Result<(), ClaimsRejected> {
        if c.points < self.min_points {
            return Err(ClaimsRejected::TooFewPoints {
                points: c.points,
                min: self.min_points,
            });
        }
        if c.distance_m < self.min_distance_m {
            return Err(ClaimsRejected::TooShort {
                distance_m: c.distance_m,
                min_m: self.min_distance_m,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_on_both_sides_of_the_boundary() {
        let t = Thresholds {
            min_points: 10,
            min_distance_m: 500,
        };
        let at = Claims {
            points: 10,
            distance_m: 500,
            duration_s: 0,
        };
        assert_eq!(t.check(&at), Ok(()));
        assert!(matches!(
            t.check(&Claims { points: 9, ..at }),
            Err(ClaimsRejected::TooFewPoints { points: 9, min: 10 })
        ));
        assert!(matches!(
            t.check(&Claims {
                distance_m: 499,
                ..at
            }),
            Err(ClaimsRejected::TooShort { .. })
        ));
    }

    #[test]
    fn claims_json_is_strict() {
        let c: Claims =
            serde_json::from_str(r#"{"points":1,"distance_m":2,"duration_s":3}"#).unwrap();
        assert_eq!(c.duration_s, 3);
        assert!(serde_json::from_str::<Claims>(
            r#"{"points":1,"distance_m":2,"duration_s":3,"bonus":1}"#
        )
        .is_err());
        assert!(
            serde_json::from_str::<Claims>(r#"{"points":-1,"distance_m":2,"duration_s":3}"#)
                .is_err()
        );
    }
}
