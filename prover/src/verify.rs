//! `zkcontrib verify`: bundles checked by the validator library against a policy file and the
//! verifying keys in a keys directory.

use ark_bn254::Fr;
use std::path::Path;
use zkcontrib_circuits::policy::Policy;
use zkcontrib_verifier::bundle::{Bundle, MAX_BUNDLE_BYTES};
use zkcontrib_verifier::{decode_proof_hex, encode_fr_hex, PreparedKey, Thresholds, VerifyError};

/// What a validator registers for a policy: its id and the thresholds it accepts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyEntry {
    /// `policy_id`.
    pub policy_id: Fr,
    /// Minimum claims.
    pub thresholds: Thresholds,
}

impl PolicyEntry {
    /// The entry of a compiled policy.
    pub fn new(policy: &Policy) -> Self {
        let p = policy.params();
        Self {
            policy_id: policy.id(),
            thresholds: Thresholds {
                min_points: p.min_points,
                min_distance_m: p.min_distance_m,
            },
        }
    }
}

/// The verdict on one bundle.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// Valid: the claims and the deduplication id.
    Accepted {
        /// The bundle's claims.
        claims: zkcontrib_verifier::Claims,
        /// `contribution_id`, the deduplication key.
        contribution_id: String,
    },
    /// Well-formed but not acceptable (invalid proof, other policy, claims below thresholds).
    Rejected(String),
    /// Not a well-formed bundle (encoding, lengths, unknown key, broken chain).
    Malformed(String),
}

impl Outcome {
    /// True for [`Outcome::Accepted`].
    pub fn is_accepted(&self) -> bool {
        matches!(self, Outcome::Accepted { .. })
    }

    /// One JSON object.
    pub fn to_json(&self, file: &str) -> String {
        let v = match self {
            Outcome::Accepted {
                claims,
                contribution_id,
            } => serde_json::json!({
                "file": file, "valid": true, "claims": claims, "contribution_id": contribution_id
            }),
            Outcome::Rejected(why) => {
                serde_json::json!({"file": file, "valid": false, "class": "rejected", "reason": why})
            }
            Outcome::Malformed(why) => {
                serde_json::json!({"file": file, "valid": false, "class": "malformed", "reason": why})
            }
        };
        v.to_string()
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Outcome::Accepted {
                claims,
                contribution_id,
            } => write!(
                f,
                "valid: {} points, {} m, {} s; contribution {}",
                claims.points, claims.distance_m, claims.duration_s, contribution_id
            ),
            Outcome::Rejected(why) => write!(f, "INVALID: {why}"),
            Outcome::Malformed(why) => write!(f, "MALFORMED: {why}"),
        }
    }
}

/// Verifies one bundle (JSON bytes) against a policy entry and the keys in `keys_dir`.
pub fn verify_bundle(keys_dir: &Path, entry: &PolicyEntry, bytes: &[u8]) -> Outcome {
    let bad = |s: String| Outcome::Malformed(s);
    if bytes.len() > MAX_BUNDLE_BYTES {
        return bad(format!(
            "{} bytes, at most {MAX_BUNDLE_BYTES} accepted",
            bytes.len()
        ));
    }
    let bundle: Bundle = match serde_json::from_slice(bytes) {
        Ok(b) => b,
        Err(e) => return bad(format!("not a bundle: {e}")),
    };
    let fields = match bundle.fields() {
        Ok(f) => f,
        Err(e) => return bad(e.to_string()),
    };
    let vk = match crate::keys::load_vk(keys_dir, &bundle.shape) {
        Ok(vk) => vk,
        Err(e) => return bad(e.to_string()),
    };
    let key = match PreparedKey::new(&vk) {
        Ok(k) => k,
        Err(e) => return bad(e.to_string()),
    };
    if encode_fr_hex(&fields.policy_id) != encode_fr_hex(&entry.policy_id) {
        return Outcome::Rejected("proven against another policy".into());
    }
    if bundle.vk_hash != zkcontrib_verifier::vk_hash_hex(&vk) {
        return bad(format!("unknown verifying key {}", bundle.vk_hash));
    }
    for k in 0..fields.links.len() {
        let next = fields.links.get(k + 1).map(|l| l.0).unwrap_or_default();
        if fields.links[k].1 != next {
            return bad(format!(
                "chunk {k}: state_out does not link to the next chunk"
            ));
        }
    }
    if let Err(e) = entry.thresholds.check(&bundle.claims) {
        return Outcome::Rejected(e.to_string());
    }
    for (k, (chunk, inputs)) in bundle
        .chunks
        .iter()
        .zip(bundle.chunk_inputs(&fields))
        .enumerate()
    {
        let proof = match decode_proof_hex(&chunk.proof) {
            Ok(p) => p,
            Err(e) => return bad(format!("chunk {k}: {e}")),
        };
        match zkcontrib_verifier::verify(&key, &proof, &inputs) {
            Ok(()) => {}
            Err(VerifyError::InvalidProof) => {
                return Outcome::Rejected(format!("chunk {k}: the proof is invalid"))
            }
            Err(e) => return bad(format!("chunk {k}: {e}")),
        }
    }
    Outcome::Accepted {
        claims: bundle.claims,
        contribution_id: bundle.contribution_id,
    }
}
