//! Registering a policy from its canonical JSON, the output of `zkcontrib policy --policy
//! FILE --json` (docs/formats.md, docs/statement.md § 9), instead of copying thresholds by
//! hand.
//!
//! ```json
//! { "name": "santa-clara-2017", "policy_id": "0x…",
//!   "params": { "not_before_ms": …, "min_points": 100, "min_distance_m": 1000, …,
//!               "region_root": "0x…", "region_depth": 6, "region_items": 3146,
//!               "region_encoding": 200712 },
//!   "region": { …the compiler's report, informative… } }
//! ```
//!
//! `policy_id` is a Poseidon hash of `params` and the region's Merkle root; recomputing it
//! needs the circuit's hash code, which this crate does not link. So the id is taken from the
//! JSON, and the rest is checked strictly: no unknown or missing fields, every `params` field
//! with its type, `policy_id` and `region_root` canonical field elements, the region encoding
//! of statement v3, thresholds and rules in the statement's ranges. Take the JSON from the
//! network (or run `zkcontrib policy --json` on the policy file yourself). A JSON whose
//! thresholds were edited cannot let a weaker trace through: the circuit enforces the
//! thresholds hashed into the id, and the verifier's own threshold check
//! ([`Thresholds::check`]) only repeats that.
//!
//! Errors are the operator's configuration problems ([`PolicyJsonError`]), never a
//! sender's malformed input.

use alloc::string::String;

use ark_bn254::Fr;

#[cfg(feature = "json")]
use crate::decode;
use crate::decode::DecodeError;
use crate::Thresholds;

/// `region_encoding` of statement v3 policies (`3·2^16 + 16·2^8 + 8`: statement v3, 16-bit
/// forms, 2^8-unit cells); the prover's `zkcontrib_circuits::policy::ENCODING_CODE`.
pub const REGION_ENCODING_V3: u64 = 200_712;

/// Largest canonical policy JSON read (the region report of the world's land included).
pub const MAX_POLICY_JSON_BYTES: usize = 16 * 1024 * 1024;

/// A policy as a validator registers it: its id and the thresholds the verifier checks.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CanonicalPolicy {
    /// The label (not hashed into the id), if the JSON has one.
    pub name: Option<String>,
    /// `policy_id`: what bundles name.
    pub policy_id: Fr,
    /// `params.min_points` and `params.min_distance_m`.
    pub thresholds: Thresholds,
}

/// Why a canonical policy JSON was refused: a configuration problem of the node.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyJsonError {
    /// The file could not be read.
    #[cfg(feature = "std")]
    #[error("{file}: cannot read: {source}")]
    Io {
        /// The file.
        file: String,
        /// The cause.
        source: std::io::Error,
    },
    /// More than [`MAX_POLICY_JSON_BYTES`].
    #[error("{file}: larger than {max} bytes, not a canonical policy", max = MAX_POLICY_JSON_BYTES)]
    TooLarge {
        /// The file.
        file: String,
    },
    /// Not the JSON of `zkcontrib policy --json`: syntax, a missing, unknown or mistyped
    /// field (a policy *file* — TOML with `region = "…geojson"` — is not it: run `zkcontrib
    /// policy --policy FILE --json` on it).
    #[error("{file}: not the canonical policy JSON of `zkcontrib policy --policy FILE --json`: {message}")]
    Json {
        /// The file.
        file: String,
        /// What the JSON parser says.
        message: String,
    },
    /// `policy_id` or `params.region_root` is not `0x` and 64 lowercase hex digits below r.
    #[error("{file}: {field}: {error}")]
    Field {
        /// The file.
        file: String,
        /// The field's JSON path.
        field: &'static str,
        /// What is wrong with it.
        error: DecodeError,
    },
    /// A parameter outside the range statement v3 allows.
    #[error("{file}: {field}: {rule}")]
    Value {
        /// The file.
        file: String,
        /// The field's JSON path.
        field: &'static str,
        /// The rule it breaks.
        rule: &'static str,
    },
}

/// The canonical JSON, as `zkcontrib policy --json` prints it.
#[cfg(feature = "json")]
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Json {
    #[serde(default)]
    name: Option<String>,
    policy_id: String,
    params: Params,
    /// The region compiler's report: informative, not checked.
    #[serde(default)]
    #[allow(dead_code)]
    region: Option<serde::de::IgnoredAny>,
}

/// `PolicyParams` of the circuits crate, every field required.
#[cfg(feature = "json")]
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    not_before_ms: u64,
    not_after_ms: u64,
    min_interval_ms: u64,
    max_interval_ms: u64,
    #[allow(dead_code)]
    max_speed_mmps: u64,
    speed_units: u64,
    step_bits: u32,
    speed_tolerance: u64,
    min_points: u64,
    min_distance_m: u64,
    min_inside_bp: u16,
    region_root: String,
    #[allow(dead_code)]
    region_depth: u32,
    #[allow(dead_code)]
    region_items: u64,
    region_encoding: u64,
}

impl CanonicalPolicy {
    /// From the canonical JSON's bytes.
    #[cfg(feature = "json")]
    pub fn from_json(bytes: &[u8]) -> Result<Self, PolicyJsonError> {
        Self::from_named("policy JSON", bytes)
    }

    /// From a file holding the canonical JSON (`zkcontrib policy --policy P --json > F`).
    #[cfg(all(feature = "std", feature = "json"))]
    pub fn from_file(path: impl AsRef<std::path::Path>) -> Result<Self, PolicyJsonError> {
        let path = path.as_ref();
        let file = path.display().to_string();
        let bytes =
            crate::keys::read_limited_io(path, MAX_POLICY_JSON_BYTES).map_err(|e| match e {
                crate::keys::ReadError::Io(source) => PolicyJsonError::Io {
                    file: file.clone(),
                    source,
                },
                crate::keys::ReadError::TooLarge => {
                    PolicyJsonError::TooLarge { file: file.clone() }
                }
            })?;
        Self::from_named(&file, &bytes)
    }

    #[cfg(feature = "json")]
    fn from_named(file: &str, bytes: &[u8]) -> Result<Self, PolicyJsonError> {
        if bytes.len() > MAX_POLICY_JSON_BYTES {
            return Err(PolicyJsonError::TooLarge { file: file.into() });
        }
        let j: Json = serde_json::from_slice(bytes).map_err(|e| PolicyJsonError::Json {
            file: file.into(),
            message: alloc::format!("{e}"),
        })?;
        let field = |field: &'static str| {
            move |error: DecodeError| PolicyJsonError::Field {
                file: file.into(),
                field,
                error,
            }
        };
        let policy_id = decode::decode_fr_hex(&j.policy_id).map_err(field("policy_id"))?;
        let p = &j.params;
        decode::decode_fr_hex(&p.region_root).map_err(field("params.region_root"))?;
        let value = |field: &'static str, rule: &'static str| PolicyJsonError::Value {
            file: file.into(),
            field,
            rule,
        };
        if p.region_encoding != REGION_ENCODING_V3 {
            return Err(value(
                "params.region_encoding",
                "not statement v3's region encoding (200712): a policy of another statement version; compute it with a current zkcontrib",
            ));
        }
        if p.min_points == 0 || p.min_points > u64::from(u32::MAX) {
            return Err(value(
                "params.min_points",
                "must be between 1 and 4294967295",
            ));
        }
        if p.min_distance_m > u64::from(u32::MAX) {
            return Err(value("params.min_distance_m", "must be at most 4294967295"));
        }
        if p.min_inside_bp > 10_000 {
            return Err(value(
                "params.min_inside_bp",
                "must be at most 10000 (basis points)",
            ));
        }
        if p.not_before_ms == 0 || p.not_before_ms >= p.not_after_ms {
            return Err(value(
                "params.not_after_ms",
                "the window must be non-empty and start at 1 ms or later",
            ));
        }
        if p.min_interval_ms == 0
            || p.min_interval_ms > p.max_interval_ms
            || p.max_interval_ms > u64::from(u32::MAX)
            || p.max_interval_ms - p.min_interval_ms >= 1 << 16
        {
            return Err(value(
                "params.max_interval_ms",
                "the intervals must satisfy 1 <= min_interval_ms <= max_interval_ms < 2^32 and max - min < 2^16",
            ));
        }
        if p.speed_units == 0 || p.step_bits > 29 || p.speed_tolerance != 1u64 << (p.step_bits + 1)
        {
            return Err(value(
                "params.speed_tolerance",
                "speed_units must be at least 1, step_bits at most 29 and speed_tolerance 2^(step_bits + 1)",
            ));
        }
        Ok(Self {
            name: j.name,
            policy_id,
            thresholds: Thresholds {
                min_points: p.min_points,
                min_distance_m: p.min_distance_m,
            },
        })
    }
}
