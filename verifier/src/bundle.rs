//! The contribution bundle: what a contributor sends and a validator verifies.
//!
//! A bundle is versioned JSON. Field elements and proofs are `0x`-prefixed lowercase hex of
//! their strict encodings ([`crate::decode`]): field elements 32 bytes big-endian, proofs
//! 128 bytes compressed; the submitter is 20 bytes below 2^160, else 32
//! ([`encode_submitter`]). Every value has exactly one accepted form (uppercase hex, another
//! submitter width, values `>= r` are rejected, naming the field), so [`Bundle::to_json`] of
//! a decoded bundle is its one canonical byte form (docs/formats.md says what a validator may
//! hash). A bundle never carries a list of public inputs: the verifier recomputes every
//! chunk's inputs from these fields (see [`Bundle::chunk_inputs`]).
//!
//! ```json
//! {
//!   "format": "zkcontrib.bundle.v2",
//!   "shape": "earth",
//!   "vk_hash": "0x…32 bytes (sha256 of the encoded verifying key)",
//!   "policy_id": "0x…",
//!   "submitter": "0x…reward address: 20 bytes below 2^160, else 32; < r",
//!   "claims": { "points": 988, "distance_m": 12799, "duration_s": 5498 },
//!   "commitment": "0x…",
//!   "contribution_id": "0x…",
//!   "chunks": [ { "state_in": "0x…", "state_out": "0x…", "proof": "0x…128 bytes" } ]
//! }
//! ```
//!
//! Chunk `k` of `n` is proven with the public inputs (slot order of the circuit):
//! `policy_id, submitter, state_in_k, state_out_k, k == 0, k == n-1`, then for the last chunk
//! `points, distance_m, duration_s, commitment, contribution_id` and zeros for the others.
//! The last chunk's `state_out` is 0; `state_out_k == state_in_{k+1}` links the chunks.

use alloc::{string::String, vec::Vec};
use zkcontrib_public::{Contribution, PublicInputs};

use ark_bn254::{Bn254, Fr};
use ark_ff::{BigInt, PrimeField};
use ark_groth16::Proof;

use crate::decode::{decode_fr_hex, decode_hash_hex, decode_proof_hex, DecodeError};
use crate::error::{Field, Rejected};
use crate::Claims;

pub use crate::limits::{
    BUNDLE_FORMAT, MAX_BUNDLE_BYTES, MAX_CHUNKS, MAX_SHAPE_LEN, OLD_BUNDLE_FORMATS,
};
/// Number of public inputs of a chunk proof (the slot table is `zkcontrib-public`'s).
pub use zkcontrib_public::NUM_PUBLIC_INPUTS;

/// A contribution bundle, as sent over the wire (fields still undecoded hex strings).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bundle {
    /// Always [`BUNDLE_FORMAT`].
    pub format: String,
    /// Name of the circuit shape the chunks were proven with.
    pub shape: String,
    /// Hash of the verifying key ([`crate::vk_hash_hex`]).
    pub vk_hash: String,
    /// The policy the trace was proven against.
    pub policy_id: String,
    /// The reward address the proof is bound to.
    pub submitter: String,
    /// The revealed claims.
    pub claims: Claims,
    /// Hiding commitment to the whole trace.
    pub commitment: String,
    /// Deterministic id of the trace: the deduplication key.
    pub contribution_id: String,
    /// The chunk proofs, in trace order.
    pub chunks: Vec<Chunk>,
}

/// One chunk of a bundle.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Chunk {
    /// Hash of the chain state before the chunk.
    pub state_in: String,
    /// Hash of the chain state after the chunk (0 for the last chunk).
    pub state_out: String,
    /// The compressed Groth16 proof.
    pub proof: String,
}

/// Hex digits of a canonical submitter below 2^160: a 20-byte (Ethereum-style) address.
pub const SUBMITTER_SHORT_DIGITS: usize = 40;
/// Hex digits of a canonical submitter of 2^160 or more: 32 bytes.
pub const SUBMITTER_LONG_DIGITS: usize = 64;

/// Parses a reward address as a contributor types it (`zkcontrib prove --submitter`): `0x`
/// and 2 to 64 hex digits, an even number, either case (EIP-55 checksum casing is fine),
/// read as a big-endian integer that must be below r.
///
/// Lenient on purpose: for user input only. A bundle's `submitter` is decoded strictly with
/// [`decode_submitter`]; [`encode_submitter`] gives the one form a bundle carries.
pub fn parse_submitter(s: &str) -> Result<Fr, DecodeError> {
    const WHAT: &str = "address hex";
    let digits = s
        .strip_prefix("0x")
        .ok_or(DecodeError::Hex { what: WHAT })?;
    if digits.is_empty() || digits.len() > 64 || digits.len() % 2 != 0 {
        return Err(DecodeError::Length {
            what: WHAT,
            expected: 32,
            got: digits.len() / 2,
        });
    }
    let mut limbs = [0u64; 4];
    for (i, c) in digits.bytes().rev().enumerate() {
        let v = (c as char)
            .to_digit(16)
            .ok_or(DecodeError::Hex { what: WHAT })?;
        limbs[i / 16] |= u64::from(v) << (4 * (i % 16));
    }
    Fr::from_bigint(BigInt(limbs)).ok_or(DecodeError::NotCanonical { what: WHAT })
}

/// The canonical form of a submitter address, the only one [`decode_submitter`] accepts and
/// what a validator prints (the address the contributor gave to `zkcontrib prove
/// --submitter`, in lowercase): `0x` and 40 lowercase hex digits (a 20-byte address) when
/// the value is below 2^160, else 64 (32 bytes).
///
/// The proofs bind the address as an integer (public input 1), not its width, so the bundle
/// fixes one width per value: a 20-byte address keeps its leading zero bytes and reads back
/// exactly; an address typed with another width (`0xabcdef`) is shown at 20 bytes.
pub fn encode_submitter(x: &Fr) -> String {
    let full = crate::decode::encode_fr_hex(x);
    let short = 2 + SUBMITTER_LONG_DIGITS - SUBMITTER_SHORT_DIGITS;
    if full.as_bytes()[2..short].iter().all(|&c| c == b'0') {
        alloc::format!("0x{}", &full[short..])
    } else {
        full
    }
}

/// Decodes a bundle's `submitter` strictly: exactly the form [`encode_submitter`] writes
/// (`0x`, lowercase, 40 digits below 2^160, 64 digits otherwise, below r), so that each
/// address has one form in a bundle. Uppercase digits are [`DecodeError::Uppercase`], another
/// width (leading zeros added or dropped) is [`DecodeError::SubmitterWidth`].
///
/// For an address a person typed, use [`parse_submitter`].
pub fn decode_submitter(s: &str) -> Result<Fr, DecodeError> {
    const WHAT: &str = "address hex";
    let digits = s
        .strip_prefix("0x")
        .ok_or(DecodeError::Hex { what: WHAT })?;
    if digits.bytes().any(|c| c.is_ascii_uppercase()) {
        return Err(DecodeError::Uppercase { what: WHAT });
    }
    let width = DecodeError::SubmitterWidth {
        digits: digits.len(),
    };
    // The width first: nothing longer than 64 digits is parsed.
    if digits.len() != SUBMITTER_SHORT_DIGITS && digits.len() != SUBMITTER_LONG_DIGITS {
        return Err(width);
    }
    let x = parse_submitter(s)?;
    // Lowercase, and the width the value has: then `s` is `encode_submitter(x)`.
    if encode_submitter(&x).len() != s.len() {
        return Err(width);
    }
    Ok(x)
}

/// The decoded scalar fields of a bundle (everything but the proofs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BundleFields {
    /// `vk_hash`.
    pub vk_hash: [u8; 32],
    /// `policy_id`.
    pub policy_id: Fr,
    /// `submitter`.
    pub submitter: Fr,
    /// `commitment`.
    pub commitment: Fr,
    /// `contribution_id`.
    pub contribution_id: Fr,
    /// Per chunk: `(state_in, state_out)`.
    pub links: Vec<(Fr, Fr)>,
}

impl BundleFields {
    /// The bundle-wide public values every chunk shares.
    pub fn contribution(&self, claims: Claims) -> Contribution {
        Contribution {
            policy_id: self.policy_id,
            submitter: self.submitter,
            claims,
            commitment: self.commitment,
            contribution_id: self.contribution_id,
        }
    }
}

impl Bundle {
    /// Parses bundle JSON, refusing more than [`MAX_BUNDLE_BYTES`] before looking at it.
    ///
    /// Parsing only checks the structure (fields, types); [`Bundle::fields`] and
    /// [`Bundle::proofs`] decode the values.
    #[cfg(feature = "json")]
    pub fn from_json(bytes: &[u8]) -> Result<Self, Rejected> {
        if bytes.len() > MAX_BUNDLE_BYTES {
            return Err(Rejected::TooLarge { got: bytes.len() });
        }
        serde_json::from_slice(bytes).map_err(|e| {
            // serde_json quotes offending values: keep log lines short.
            let mut m = alloc::format!("{e}");
            if m.len() > 200 {
                let mut end = 200;
                while !m.is_char_boundary(end) {
                    end -= 1;
                }
                m.truncate(end);
                m.push('…');
            }
            Rejected::Json(m)
        })
    }

    /// The bundle as JSON (what [`Bundle::from_json`] reads).
    #[cfg(feature = "json")]
    pub fn to_json(&self) -> String {
        // Strings and integers only: serializing cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Strictly decodes everything but the proofs: format, shape label, hashes and field
    /// elements (canonical, lengths checked before parsing), chunk count.
    ///
    /// The error names the field and chunk.
    pub fn fields(&self) -> Result<BundleFields, Rejected> {
        let bad = |field: Field| move |error: DecodeError| Rejected::Field { field, error };
        if let Some((_, statement)) = OLD_BUNDLE_FORMATS.iter().find(|(f, _)| *f == self.format) {
            return Err(Rejected::StatementVersion {
                statement: *statement,
            });
        }
        if self.format != BUNDLE_FORMAT {
            return Err(bad(Field::Format)(DecodeError::Format));
        }
        check_label(&self.shape).map_err(bad(Field::Shape))?;
        if self.chunks.is_empty() || self.chunks.len() > MAX_CHUNKS {
            return Err(Rejected::ChunkCount {
                got: self.chunks.len(),
            });
        }
        let vk_hash = decode_hash_hex(&self.vk_hash).map_err(bad(Field::VkHash))?;
        let policy_id = decode_fr_hex(&self.policy_id).map_err(bad(Field::PolicyId))?;
        let submitter = decode_submitter(&self.submitter).map_err(bad(Field::Submitter))?;
        let commitment = decode_fr_hex(&self.commitment).map_err(bad(Field::Commitment))?;
        let contribution_id =
            decode_fr_hex(&self.contribution_id).map_err(bad(Field::ContributionId))?;
        let links = self
            .chunks
            .iter()
            .enumerate()
            .map(|(k, c)| {
                Ok((
                    decode_fr_hex(&c.state_in).map_err(bad(Field::StateIn(k)))?,
                    decode_fr_hex(&c.state_out).map_err(bad(Field::StateOut(k)))?,
                ))
            })
            .collect::<Result<Vec<_>, Rejected>>()?;
        Ok(BundleFields {
            vk_hash,
            policy_id,
            submitter,
            commitment,
            contribution_id,
            links,
        })
    }

    /// Strictly decodes the chunk proofs ([`crate::decode_proof`]: curve, subgroup, identity
    /// and canonical-encoding checks). The error names the chunk.
    pub fn proofs(&self) -> Result<Vec<Proof<Bn254>>, Rejected> {
        self.decode_proofs(decode_proof_hex)
    }

    /// [`Bundle::proofs`] without the G2 subgroup check of each `B`, which the verifier's
    /// pairing stage makes instead (`groth16::pairing_check`, `batch::invalid_proofs`).
    pub(crate) fn proofs_deferred(&self) -> Result<Vec<Proof<Bn254>>, Rejected> {
        self.decode_proofs(crate::decode::decode_proof_hex_deferred)
    }

    fn decode_proofs(
        &self,
        decode: impl Fn(&str) -> Result<Proof<Bn254>, DecodeError>,
    ) -> Result<Vec<Proof<Bn254>>, Rejected> {
        self.chunks
            .iter()
            .enumerate()
            .map(|(k, c)| {
                decode(&c.proof).map_err(|error| Rejected::Field {
                    field: Field::Proof(k),
                    error,
                })
            })
            .collect()
    }

    /// The public inputs of every chunk, recomputed from the decoded fields (the slot table is
    /// `zkcontrib_public::PublicInputs`, shared with the circuit).
    pub fn chunk_inputs(&self, f: &BundleFields) -> Vec<[Fr; NUM_PUBLIC_INPUTS]> {
        let c = f.contribution(self.claims);
        let n = f.links.len();
        f.links
            .iter()
            .enumerate()
            .map(|(k, &(si, so))| PublicInputs::of_chunk(&c, si, so, k, n).to_array())
            .collect()
    }
}

/// A shape label: 1 to [`MAX_SHAPE_LEN`] characters from `[a-z0-9_-]` (it is only a label —
/// the key is identified by `vk_hash` — but it ends up in logs).
fn check_label(s: &str) -> Result<(), DecodeError> {
    let ok = !s.is_empty()
        && s.len() <= MAX_SHAPE_LEN
        && s.bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_' || c == b'-');
    if ok {
        Ok(())
    } else {
        Err(DecodeError::Label {
            what: "shape",
            max: MAX_SHAPE_LEN,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn submitter_addresses() {
        let a = decode_submitter("0x00000000000000000000000000000000000000ff").unwrap();
        assert_eq!(a, Fr::from(255u64));
        assert!(decode_submitter("0x").is_err());
        assert!(decode_submitter("ff").is_err());
        assert!(decode_submitter("0xfff").is_err());
        assert!(decode_submitter("0xzz").is_err());
        // r itself is not canonical.
        let r = "0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001";
        assert!(matches!(
            decode_submitter(r),
            Err(DecodeError::NotCanonical { .. })
        ));
        assert!(matches!(
            parse_submitter(r),
            Err(DecodeError::NotCanonical { .. })
        ));
        let big = alloc::format!("0x{}", "11".repeat(33));
        assert!(decode_submitter(&big).is_err());
        assert!(parse_submitter(&big).is_err());
    }

    /// One address, one form: the strict decoder takes exactly what the encoder writes.
    #[test]
    fn submitter_has_one_canonical_form() {
        let eth = "0x00000000000000000000000000000000000d3e40";
        let x = decode_submitter(eth).unwrap();
        assert_eq!(
            encode_submitter(&x),
            eth,
            "a 20-byte address reads back as given"
        );
        // What a person may type: other widths and cases parse to the same value...
        let padded = alloc::format!("0x{:0>64}", "d3e40");
        for typed in [
            "0x0d3e40",
            "0x00000000000000000000000000000000000D3E40",
            padded.as_str(),
        ] {
            assert_eq!(parse_submitter(typed), Ok(x), "{typed}");
            // ...but none of them is the bundle's form.
            assert!(decode_submitter(typed).is_err(), "{typed}");
        }
        assert_eq!(
            decode_submitter("0x00000000000000000000000000000000000D3E40"),
            Err(DecodeError::Uppercase {
                what: "address hex"
            })
        );
        assert_eq!(
            decode_submitter("0x0d3e40"),
            Err(DecodeError::SubmitterWidth { digits: 6 })
        );
        // Leading zeros beyond 20 bytes.
        assert_eq!(
            decode_submitter(&padded),
            Err(DecodeError::SubmitterWidth { digits: 64 })
        );
        assert_eq!(
            decode_submitter(&alloc::format!("0x00{}", &eth[2..])),
            Err(DecodeError::SubmitterWidth { digits: 42 })
        );
        // At 2^160 the form becomes 32 bytes, leading zero bytes included.
        let at = alloc::format!("0x{:0>64}", alloc::format!("1{}", "0".repeat(40)));
        let y = decode_submitter(&at).unwrap();
        assert_eq!(encode_submitter(&y), at);
        assert_eq!(
            decode_submitter(&alloc::format!("0x{}", "f".repeat(40))),
            parse_submitter(&alloc::format!("0x{}", "f".repeat(40)))
        );
        assert_eq!(
            encode_submitter(&Fr::from(0u64)),
            alloc::format!("0x{}", "0".repeat(40))
        );
        // Every encoding decodes to its value, and re-encodes byte-identically.
        for v in [1u64, 255, 0xd3e40, u64::MAX] {
            let v = Fr::from(v);
            let e = encode_submitter(&v);
            assert_eq!(decode_submitter(&e), Ok(v));
            assert_eq!(encode_submitter(&decode_submitter(&e).unwrap()), e);
        }
        let minus_one = -Fr::from(1u64);
        let e = encode_submitter(&minus_one);
        assert_eq!(e.len(), 66);
        assert_eq!(decode_submitter(&e), Ok(minus_one));
    }
}
