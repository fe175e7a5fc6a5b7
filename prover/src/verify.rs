//! `zkcontrib verify`: a thin wrapper over the validator library ([`Verifier`]) that takes its
//! policy from a policy file and its keys from a keys directory.

use ark_bn254::Fr;
use std::collections::BTreeMap;
use std::path::Path;
use zkcontrib_circuits::policy::Policy;
use zkcontrib_verifier::{encode_fr_hex, Accepted, Bundle, Class, Rejected, Thresholds, Verifier};

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
    /// Not verified because of the validator's own configuration: no verifying key for the
    /// bundle's shape in the keys directory, or a damaged one. Says what to install.
    Configuration(String),
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
            Outcome::Configuration(why) => {
                serde_json::json!({"file": file, "valid": false, "class": "configuration", "reason": why})
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
                "valid: {} points, {} m, {}; contribution {}",
                claims.points,
                claims.distance_m,
                crate::report::duration(claims.duration_s),
                contribution_id
            ),
            Outcome::Rejected(why) => write!(f, "INVALID: {why}"),
            Outcome::Malformed(why) => write!(f, "MALFORMED: {why}"),
            Outcome::Configuration(why) => write!(f, "CANNOT VERIFY: {why}"),
        }
    }
}

/// Verifies bundles (JSON bytes each) in one batch against a policy entry and the keys in
/// `keys_dir`, with the validator library ([`Verifier::verify_batch`]); one outcome per bundle.
///
/// Each bundle's `shape` names the key directory to load; the key must hash to the bundle's
/// `vk_hash`. A bundle of another policy than `entry` is rejected (not malformed): the CLI
/// verifies against one policy.
pub fn verify_bundles(keys_dir: &Path, entry: &PolicyEntry, files: &[&[u8]]) -> Vec<Outcome> {
    let parsed: Vec<Result<Bundle, Rejected>> =
        files.iter().map(|bytes| Bundle::from_json(bytes)).collect();
    let mut builder = Verifier::builder().policy(entry.policy_id, entry.thresholds);
    // Per shape named by a bundle: its key loaded, or why not.
    let mut loaded: BTreeMap<&str, Result<(), Outcome>> = BTreeMap::new();
    for b in parsed.iter().flatten() {
        let shape = b.shape.as_str();
        if loaded.contains_key(shape) {
            continue;
        }
        let key = match crate::keys::load_vk(keys_dir, shape) {
            Ok(vk) => {
                builder = builder.key_for_shape(shape, &vk);
                Ok(())
            }
            Err(crate::keys::KeyError::UnknownShape(_)) => {
                Err(Outcome::Malformed(format!("unknown shape `{shape}`")))
            }
            Err(crate::keys::KeyError::Missing { dir, .. }) => {
                Err(Outcome::Configuration(format!(
                    "no verifying key for shape `{shape}` in {}: install the network's published \
                     `verifying.key` and `keys.json` there (or point --keys-dir / \
                     $ZKCONTRIB_KEYS_DIR at them); keys from your own `zkcontrib setup` cannot \
                     verify anyone else's bundles",
                    dir.display()
                )))
            }
            Err(e) => Err(Outcome::Configuration(format!(
                "{e} (the validator's verifying key for shape `{shape}`; install the network's \
                 published keys again)"
            ))),
        };
        loaded.insert(shape, key);
    }
    let verifier = builder.build();
    let mut checked: Vec<Bundle> = Vec::new();
    let mut outcomes: Vec<Option<Outcome>> = parsed
        .iter()
        .map(|p| match p {
            Err(e) => Some(outcome(Err(e.clone()))),
            Ok(b) => match (&verifier, loaded.get(b.shape.as_str())) {
                (_, Some(Err(why))) => Some(why.clone()),
                (Err(e), _) => Some(Outcome::Malformed(e.to_string())),
                (Ok(_), _) => {
                    checked.push(b.clone());
                    None
                }
            },
        })
        .collect();
    if let Ok(v) = &verifier {
        let mut verdicts = v.verify_batch(&checked).into_iter();
        for o in outcomes.iter_mut().filter(|o| o.is_none()) {
            *o = verdicts.next().map(outcome);
        }
    }
    outcomes
        .into_iter()
        .map(|o| o.unwrap_or_else(|| Outcome::Malformed("not verified".into())))
        .collect()
}

/// Verifies one bundle (JSON bytes) against a policy entry and the keys in `keys_dir`.
pub fn verify_bundle(keys_dir: &Path, entry: &PolicyEntry, bytes: &[u8]) -> Outcome {
    verify_bundles(keys_dir, entry, &[bytes])
        .pop()
        .unwrap_or_else(|| Outcome::Malformed("not verified".into()))
}

/// The CLI's view of a verdict: another policy is a rejection here, not malformed input.
fn outcome(v: Result<Accepted, Rejected>) -> Outcome {
    match v {
        Ok(a) => Outcome::Accepted {
            claims: a.claims,
            contribution_id: encode_fr_hex(&a.contribution_id),
        },
        Err(Rejected::UnknownPolicy { policy_id }) => Outcome::Rejected(format!(
            "proven against another policy ({})",
            encode_fr_hex(&policy_id)
        )),
        Err(Rejected::UnknownKey { vk_hash }) => Outcome::Malformed(format!(
            "unknown verifying key 0x{} (not the key in the keys directory for this shape)",
            hex::encode(vk_hash)
        )),
        Err(e) => match e.class() {
            Class::Malformed => Outcome::Malformed(e.to_string()),
            _ => Outcome::Rejected(e.to_string()),
        },
    }
}
