//! The verifying key as `zkcontrib setup` or a ceremony import writes it, loaded and checked.
//!
//! ```text
//! <keys_dir>/<shape>/verifying.key   the verifying key, crate::encode_vk (strict, compressed)
//! <keys_dir>/<shape>/keys.json       KeyMeta: shape, vk_hash, proving-key hash, origin, QAP
//! ```
//!
//! A validator needs those two files of each shape the network uses (not `proving.key`).
//! [`PinnedKey`] decodes `verifying.key` strictly and checks that it hashes to the `vk_hash`
//! of `keys.json`: a damaged file, or a key and metadata of different setups, is refused.
//! That protects against accidents, not against someone who replaces both files: a node that
//! takes its keys from a download should also compare [`PinnedKey::vk_hash_hex`] with the hash
//! the network publishes (or compile that hash in and use
//! [`VerifierBuilder::pinned_key`](crate::VerifierBuilder::pinned_key)).
//!
//! Errors here are the operator's configuration problems ([`KeyFileError`]), never a
//! sender's malformed input ([`crate::Rejected`]).

use alloc::string::String;

use ark_bn254::Bn254;
use ark_groth16::VerifyingKey;

use crate::decode::{self, DecodeError};

/// How the R1CS was reduced to a QAP when the keys were made (the prover must use the same;
/// a verifier does not care).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Qap {
    /// arkworks' default (`LibsnarkReduction`): keys from `zkcontrib setup --qap arkworks`
    /// (and from every `zkcontrib setup` before the coset reduction).
    Arkworks,
    /// circom/snarkjs' reduction: keys imported from a snarkjs `.zkey`.
    Circom,
    /// zkcontrib's coset reduction (the prover's `qap::CosetReduction`): the H query is the
    /// Lagrange basis of the coset `g·H`, so a proof needs four FFTs instead of six or seven.
    /// Keys from `zkcontrib setup`. The verifying key is an ordinary Groth16 one.
    Coset,
}

/// Where keys came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Origin {
    /// A single-machine development setup: whoever ran it can forge proofs. Not for
    /// production.
    DevSetup,
    /// Imported from a multi-party ceremony's `.zkey`.
    Zkey,
}

/// `keys.json`: what setup or a ceremony import records next to the keys.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyMeta {
    /// Shape name.
    pub shape: String,
    /// [`crate::vk_hash_hex`] of the verifying key.
    pub vk_hash: String,
    /// SHA-256 of `proving.key`, hex.
    pub pk_sha256: String,
    /// Bytes of `proving.key`.
    pub pk_bytes: u64,
    /// Constraints of the shape's circuit.
    pub constraints: usize,
    /// Where the keys came from.
    pub origin: Origin,
    /// The QAP reduction the keys are for.
    pub qap: Qap,
}

/// Largest `keys.json` read.
pub const MAX_KEYS_JSON_BYTES: usize = 64 * 1024;

/// Why a key could not be loaded: a configuration problem of the node (install the
/// network's published `verifying.key` and `keys.json` of the shape again).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyFileError {
    /// A file could not be read.
    #[cfg(feature = "std")]
    #[error("{file}: cannot read: {source}")]
    Io {
        /// The file.
        file: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A file is larger than any file setup writes.
    #[error("{file}: larger than the {max} bytes a key file of setup has")]
    TooLarge {
        /// The file.
        file: String,
        /// Accepted maximum.
        max: usize,
    },
    /// `keys.json` is not the metadata setup writes (syntax, a missing, unknown or mistyped
    /// field).
    #[error("{file}: not a keys.json of zkcontrib setup: {message}")]
    Meta {
        /// The file.
        file: String,
        /// What the JSON parser says.
        message: String,
    },
    /// `keys.json`'s `vk_hash` is not `0x` and 64 lowercase hex digits.
    #[error("{file}: vk_hash: {error}")]
    MetaHash {
        /// The file.
        file: String,
        /// What is wrong with it.
        error: DecodeError,
    },
    /// `verifying.key` does not decode strictly.
    #[error("{file}: {error}")]
    Key {
        /// The file.
        file: String,
        /// What is wrong with it.
        error: DecodeError,
    },
    /// `verifying.key` hashes to another value than the `vk_hash` of `keys.json`.
    #[error("{file}: hash {} differs from the vk_hash {} pinned in keys.json (a damaged key, or files of different setups): install the network's verifying.key and keys.json together", decode::to_hex(.got), decode::to_hex(.pinned))]
    HashMismatch {
        /// The verifying key file.
        file: String,
        /// The hash in `keys.json`.
        pinned: [u8; 32],
        /// The hash of the key.
        got: [u8; 32],
    },
}

/// A verifying key checked against the hash pinned in its `keys.json`.
#[derive(Clone, Debug, PartialEq)]
pub struct PinnedKey {
    meta: KeyMeta,
    vk: VerifyingKey<Bn254>,
    vk_hash: [u8; 32],
}

impl PinnedKey {
    /// From the contents of `keys.json` and `verifying.key`.
    #[cfg(feature = "json")]
    pub fn from_bytes(keys_json: &[u8], verifying_key: &[u8]) -> Result<Self, KeyFileError> {
        Self::from_named(("keys.json", keys_json), ("verifying.key", verifying_key))
    }

    /// From a shape's key directory (`<keys_dir>/<shape>`, what `zkcontrib setup --shape S
    /// --keys-dir D` writes to `D/S`): its `keys.json` and `verifying.key`. Errors name the
    /// file.
    #[cfg(all(feature = "std", feature = "json"))]
    pub fn from_dir(dir: impl AsRef<std::path::Path>) -> Result<Self, KeyFileError> {
        let dir = dir.as_ref();
        Self::from_files(dir.join("keys.json"), dir.join("verifying.key"))
    }

    /// From the two files at any paths.
    #[cfg(all(feature = "std", feature = "json"))]
    pub fn from_files(
        keys_json: impl AsRef<std::path::Path>,
        verifying_key: impl AsRef<std::path::Path>,
    ) -> Result<Self, KeyFileError> {
        let (meta_path, vk_path) = (keys_json.as_ref(), verifying_key.as_ref());
        let max_vk = decode::VK_FIXED_LEN + decode::G1_LEN * (decode::MAX_PUBLIC_INPUTS + 1);
        let meta = read_limited(meta_path, MAX_KEYS_JSON_BYTES)?;
        let vk = read_limited(vk_path, max_vk)?;
        Self::from_named(
            (&meta_path.display().to_string(), &meta),
            (&vk_path.display().to_string(), &vk),
        )
    }

    #[cfg(feature = "json")]
    fn from_named(
        (meta_name, meta): (&str, &[u8]),
        (vk_name, vk): (&str, &[u8]),
    ) -> Result<Self, KeyFileError> {
        if meta.len() > MAX_KEYS_JSON_BYTES {
            return Err(KeyFileError::TooLarge {
                file: meta_name.into(),
                max: MAX_KEYS_JSON_BYTES,
            });
        }
        let meta: KeyMeta = serde_json::from_slice(meta).map_err(|e| KeyFileError::Meta {
            file: meta_name.into(),
            message: alloc::format!("{e}"),
        })?;
        let pinned =
            decode::decode_hash_hex(&meta.vk_hash).map_err(|error| KeyFileError::MetaHash {
                file: meta_name.into(),
                error,
            })?;
        let vk = decode::decode_vk(vk).map_err(|error| KeyFileError::Key {
            file: vk_name.into(),
            error,
        })?;
        let got = decode::vk_hash(&vk);
        if got != pinned {
            return Err(KeyFileError::HashMismatch {
                file: vk_name.into(),
                pinned,
                got,
            });
        }
        Ok(Self {
            meta,
            vk,
            vk_hash: got,
        })
    }

    /// The verifying key, for [`VerifierBuilder::key`](crate::VerifierBuilder::key).
    pub fn vk(&self) -> &VerifyingKey<Bn254> {
        &self.vk
    }

    /// The key's hash (what bundles name in `vk_hash`).
    pub fn vk_hash(&self) -> [u8; 32] {
        self.vk_hash
    }

    /// The key's hash as `0x` and 64 lowercase hex digits: compare it with the one the
    /// network publishes.
    pub fn vk_hash_hex(&self) -> String {
        decode::to_hex(&self.vk_hash)
    }

    /// The metadata of `keys.json`.
    pub fn meta(&self) -> &KeyMeta {
        &self.meta
    }

    /// The shape the key is for.
    pub fn shape(&self) -> &str {
        &self.meta.shape
    }

    /// Whether the key is from a development setup (whoever ran it can forge proofs): a
    /// production node refuses such keys.
    pub fn is_dev_setup(&self) -> bool {
        self.meta.origin == Origin::DevSetup
    }
}

/// Reads at most `max` bytes of a file (one more tells it is larger), so that a wrong path
/// to a huge file fails fast instead of filling memory.
#[cfg(feature = "std")]
pub(crate) fn read_limited(
    path: &std::path::Path,
    max: usize,
) -> Result<alloc::vec::Vec<u8>, KeyFileError> {
    read_limited_io(path, max).map_err(|e| match e {
        ReadError::Io(source) => KeyFileError::Io {
            file: path.display().to_string(),
            source,
        },
        ReadError::TooLarge => KeyFileError::TooLarge {
            file: path.display().to_string(),
            max,
        },
    })
}

#[cfg(feature = "std")]
pub(crate) enum ReadError {
    Io(std::io::Error),
    TooLarge,
}

#[cfg(feature = "std")]
pub(crate) fn read_limited_io(
    path: &std::path::Path,
    max: usize,
) -> Result<alloc::vec::Vec<u8>, ReadError> {
    use std::io::Read;
    let f = std::fs::File::open(path).map_err(ReadError::Io)?;
    let mut bytes = alloc::vec::Vec::new();
    f.take(max as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() > max {
        return Err(ReadError::TooLarge);
    }
    Ok(bytes)
}
