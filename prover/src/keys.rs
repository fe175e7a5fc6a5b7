//! Proving and verifying keys per circuit shape, on disk.
//!
//! ```text
//! <keys_dir>/<shape>/proving.key     ProvingKey<Bn254>, arkworks compressed encoding
//! <keys_dir>/<shape>/verifying.key   zkcontrib_verifier::encode_vk (strict, compressed)
//! <keys_dir>/<shape>/keys.json       KeyMeta: shape, vk hash, proving-key SHA-256, origin, QAP
//! ```
//!
//! Loading hashes `proving.key` and decodes it *without* curve/subgroup checks only when the
//! hash matches the one pinned in `keys.json` (the file is then exactly what setup wrote);
//! otherwise loading fails. The verifying key is always strictly decoded and must hash to the
//! pinned vk hash.
//!
//! [`setup`] is a **development** setup: whoever runs it knows the toxic waste and can forge
//! proofs for this shape. Networks use keys from a multi-party ceremony, imported with
//! [`import_zkey`] (docs/ceremony.md).

use ark_bn254::{Bn254, Fr};
use ark_groth16::{Groth16, ProvingKey, VerifyingKey};
use ark_relations::gr1cs::SynthesisError;
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize, Compress, Validate};
use ark_std::rand::{CryptoRng, RngCore};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use zkcontrib_circuits::circuit::TraceCircuit;
use zkcontrib_circuits::shape::{shape_by_name, Shape};
use zkcontrib_verifier::{decode_vk, encode_vk, vk_hash_hex};

/// `keys.json` and its enums: defined in the verifier crate, which reads the same file
/// (`zkcontrib_verifier::PinnedKey`).
pub use zkcontrib_verifier::keys::{KeyMeta, Origin, Qap};

/// A shape's keys, loaded.
pub struct Keys {
    /// The shape.
    pub shape: Shape,
    /// Proving key.
    pub pk: ProvingKey<Bn254>,
    /// Metadata (hashes, origin).
    pub meta: KeyMeta,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keys").field("meta", &self.meta).finish()
    }
}

/// The shape names, for messages.
fn known_shapes() -> String {
    zkcontrib_circuits::shape::SHAPES
        .iter()
        .map(|s| s.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Why keys could not be made or loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// Unknown shape name.
    #[error("unknown shape `{0}` (known: {known})", known = known_shapes())]
    UnknownShape(String),
    /// No keys for the shape in the directory.
    #[error("{}: no keys for shape `{shape}`; run `zkcontrib setup --shape {shape} --keys-dir {}`", .dir.display(), .keys_dir.display())]
    Missing {
        /// The shape's key directory.
        dir: PathBuf,
        /// The keys directory.
        keys_dir: PathBuf,
        /// Shape name.
        shape: String,
    },
    /// A key file could not be read or written.
    #[error("{}: {source}", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A key file does not match the pinned hashes or cannot be decoded.
    #[error("{}: {what}; delete the directory and run setup again, or restore the keys", .path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        what: String,
    },
    /// A development setup was asked for the circom reduction, whose keys come only from a
    /// snarkjs ceremony.
    #[error("circom-reduction keys come from a snarkjs ceremony: run `zkcontrib setup --shape S --from-zkey FILE`")]
    CircomSetup,
    /// Key generation failed.
    #[error("setup failed: {0}")]
    Synthesis(#[from] SynthesisError),
    /// A ceremony's `.zkey` cannot be imported.
    #[error("{}: {source}", .path.display())]
    Zkey {
        /// The `.zkey` file.
        path: PathBuf,
        /// Why.
        source: crate::interop::zkey::ZkeyError,
    },
}

fn sha256_hex(bytes: &[u8]) -> String {
    format!("0x{}", hex::encode(Sha256::digest(bytes)))
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> KeyError + '_ {
    move |source| KeyError::Io {
        path: path.to_path_buf(),
        source,
    }
}

impl Keys {
    /// The verifying key.
    pub fn vk(&self) -> &VerifyingKey<Bn254> {
        &self.pk.vk
    }

    /// The directory of a shape's keys.
    pub fn dir(keys_dir: &Path, shape: &str) -> PathBuf {
        keys_dir.join(shape)
    }

    /// Writes the three key files.
    pub fn write(&self, keys_dir: &Path) -> Result<PathBuf, KeyError> {
        let dir = Self::dir(keys_dir, self.shape.name);
        std::fs::create_dir_all(&dir).map_err(io(&dir))?;
        let mut pk = Vec::new();
        self.pk
            .serialize_compressed(&mut pk)
            .map_err(|e| KeyError::Corrupt {
                path: dir.join("proving.key"),
                what: e.to_string(),
            })?;
        for (name, bytes) in [
            ("proving.key", pk),
            ("verifying.key", encode_vk(self.vk())),
            (
                "keys.json",
                serde_json::to_vec_pretty(&self.meta).expect("metadata serializes"),
            ),
        ] {
            let path = dir.join(name);
            // Write then rename, so an interrupted write never leaves a half key behind.
            let tmp = dir.join(format!(".{name}.tmp"));
            std::fs::write(&tmp, bytes).map_err(io(&tmp))?;
            std::fs::rename(&tmp, &path).map_err(io(&path))?;
        }
        Ok(dir)
    }

    /// Loads a shape's keys, checking them against the pinned hashes.
    pub fn load(keys_dir: &Path, shape: &str) -> Result<Self, KeyError> {
        let s = shape_by_name(shape).ok_or_else(|| KeyError::UnknownShape(shape.into()))?;
        let dir = Self::dir(keys_dir, shape);
        let meta = load_meta(keys_dir, shape)?;
        let vk = load_vk_file(&dir, &meta)?;
        let pk_path = dir.join("proving.key");
        let bytes = std::fs::read(&pk_path).map_err(io(&pk_path))?;
        if sha256_hex(&bytes) != meta.pk_sha256 {
            return Err(corrupt(
                &pk_path,
                "proving key does not match its pinned SHA-256".into(),
            ));
        }
        // The bytes are exactly what setup wrote (hash above): skip the point checks.
        let pk = decode_pk_unchecked(&bytes).map_err(|e| corrupt(&pk_path, e.to_string()))?;
        if pk.vk != vk {
            return Err(corrupt(
                &pk_path,
                "proving key belongs to another verifying key".into(),
            ));
        }
        Ok(Self { shape: s, pk, meta })
    }

    /// Wraps a proving key (from setup or an imported ceremony) with its metadata.
    pub fn from_proving_key(
        shape: Shape,
        pk: ProvingKey<Bn254>,
        constraints: usize,
        origin: Origin,
        qap: Qap,
    ) -> Self {
        let mut bytes = Vec::new();
        pk.serialize_compressed(&mut bytes)
            .expect("serializing to memory cannot fail");
        let meta = KeyMeta {
            shape: shape.name.into(),
            vk_hash: vk_hash_hex(&pk.vk),
            pk_sha256: sha256_hex(&bytes),
            pk_bytes: bytes.len() as u64,
            constraints,
            origin,
            qap,
        };
        Self { shape, pk, meta }
    }
}

/// Decodes a compressed arkworks `ProvingKey<Bn254>` without point checks, decompressing the
/// five point vectors in parallel (point decompression — one square root per point — is what
/// loading costs; the layout is arkworks' `CanonicalSerialize`: the verifying key, `beta_g1`,
/// `delta_g1`, then `a`, `b_g1`, `b_g2`, `h`, `l` queries, each a little-endian `u64` length
/// followed by the points).
///
/// Only for bytes whose hash matches the pinned one: nothing here checks that the points are
/// on the curve or in the subgroup.
pub fn decode_pk_unchecked(
    bytes: &[u8],
) -> Result<ProvingKey<Bn254>, ark_serialize::SerializationError> {
    use ark_bn254::{G1Affine, G2Affine};
    use ark_serialize::SerializationError;
    use rayon::prelude::*;
    let mut r = bytes;
    let vk = VerifyingKey::<Bn254>::deserialize_with_mode(&mut r, Compress::Yes, Validate::No)?;
    let beta_g1 = G1Affine::deserialize_with_mode(&mut r, Compress::Yes, Validate::No)?;
    let delta_g1 = G1Affine::deserialize_with_mode(&mut r, Compress::Yes, Validate::No)?;
    fn points<P: CanonicalDeserialize + Send>(
        r: &mut &[u8],
        size: usize,
    ) -> Result<Vec<P>, SerializationError> {
        let len = u64::deserialize_with_mode(&mut *r, Compress::Yes, Validate::No)?;
        let len = usize::try_from(len).map_err(|_| SerializationError::InvalidData)?;
        let need = len
            .checked_mul(size)
            .filter(|n| *n <= r.len())
            .ok_or(SerializationError::InvalidData)?;
        let (body, rest) = r.split_at(need);
        *r = rest;
        body.par_chunks(size)
            .map(|mut c| P::deserialize_with_mode(&mut c, Compress::Yes, Validate::No))
            .collect()
    }
    let g1 = G1Affine::default().compressed_size();
    let g2 = G2Affine::default().compressed_size();
    let a_query = points(&mut r, g1)?;
    let b_g1_query = points(&mut r, g1)?;
    let b_g2_query = points(&mut r, g2)?;
    let h_query = points(&mut r, g1)?;
    let l_query = points(&mut r, g1)?;
    if !r.is_empty() {
        return Err(SerializationError::InvalidData);
    }
    Ok(ProvingKey {
        vk,
        beta_g1,
        delta_g1,
        a_query,
        b_g1_query,
        b_g2_query,
        h_query,
        l_query,
    })
}

fn corrupt(path: &Path, what: String) -> KeyError {
    KeyError::Corrupt {
        path: path.to_path_buf(),
        what,
    }
}

/// Reads `keys.json` of a shape.
pub fn load_meta(keys_dir: &Path, shape: &str) -> Result<KeyMeta, KeyError> {
    let dir = Keys::dir(keys_dir, shape);
    let meta_path = dir.join("keys.json");
    if !meta_path.exists() {
        return Err(KeyError::Missing {
            dir,
            keys_dir: keys_dir.to_path_buf(),
            shape: shape.into(),
        });
    }
    let meta: KeyMeta = serde_json::from_slice(&std::fs::read(&meta_path).map_err(io(&meta_path))?)
        .map_err(|e| corrupt(&meta_path, e.to_string()))?;
    if meta.shape != shape {
        return Err(corrupt(
            &meta_path,
            format!("keys are for shape `{}`", meta.shape),
        ));
    }
    Ok(meta)
}

pub(crate) fn load_vk_file(dir: &Path, meta: &KeyMeta) -> Result<VerifyingKey<Bn254>, KeyError> {
    let vk_path = dir.join("verifying.key");
    let vk = decode_vk(&std::fs::read(&vk_path).map_err(io(&vk_path))?)
        .map_err(|e| corrupt(&vk_path, e.to_string()))?;
    if vk_hash_hex(&vk) != meta.vk_hash {
        return Err(corrupt(
            &vk_path,
            "verifying key does not match the pinned vk hash".into(),
        ));
    }
    Ok(vk)
}

/// Loads only a shape's verifying key (strictly decoded, checked against the pinned hash):
/// what a validator needs.
pub fn load_vk(keys_dir: &Path, shape: &str) -> Result<VerifyingKey<Bn254>, KeyError> {
    let meta = load_meta(keys_dir, shape)?;
    load_vk_file(&Keys::dir(keys_dir, shape), &meta)
}

/// Runs a development Groth16 setup for `shape` (see the module docs: not for production),
/// with the coset reduction ([`crate::qap::CosetReduction`]: four FFTs per proof).
pub fn setup<R: RngCore + CryptoRng>(shape: Shape, rng: &mut R) -> Result<Keys, KeyError> {
    setup_with(shape, Qap::Coset, rng)
}

/// [`setup`] for the QAP reduction `qap`: `Qap::Coset` (the default), or `Qap::Arkworks` for
/// keys that stock arkworks (`Groth16::<Bn254>::prove`) proves with. `Qap::Circom` keys come
/// from a snarkjs ceremony ([`import_zkey`]), not from here.
pub fn setup_with<R: RngCore + CryptoRng>(
    shape: Shape,
    qap: Qap,
    rng: &mut R,
) -> Result<Keys, KeyError> {
    let constraints = crate::matrices::Matrices::new(shape)?.num_constraints;
    let circuit = TraceCircuit {
        shape,
        witness: None,
    };
    let pk = match qap {
        Qap::Arkworks => Groth16::<Bn254>::generate_random_parameters_with_reduction(circuit, rng)?,
        Qap::Coset => {
            Groth16::<Bn254, crate::qap::CosetReduction>::generate_random_parameters_with_reduction(
                circuit, rng,
            )?
        }
        Qap::Circom => return Err(KeyError::CircomSetup),
    };
    Ok(Keys::from_proving_key(
        shape,
        pk,
        constraints,
        Origin::DevSetup,
        qap,
    ))
}

/// Imports the result of a snarkjs phase-2 ceremony (`.zkey`) as the keys of `shape`: origin
/// `zkey`, circom QAP reduction. The key must be for this version's circuit of the shape
/// (see [`crate::interop::zkey`] for what is checked); the ceremony itself is checked with
/// `snarkjs zkey verify` (docs/ceremony.md).
pub fn import_zkey(shape: Shape, path: &Path) -> Result<Keys, KeyError> {
    let bytes = std::fs::read(path).map_err(io(path))?;
    let m = crate::matrices::Matrices::new(shape)?;
    let pk = crate::interop::zkey::read(&bytes, &m).map_err(|source| KeyError::Zkey {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(Keys::from_proving_key(
        shape,
        pk,
        m.num_constraints,
        Origin::Zkey,
        Qap::Circom,
    ))
}

/// Loads the keys of `shape` from `keys_dir`, or sets them up (development setup, seeded from
/// the OS) and writes them there first. Returns whether a setup ran.
pub fn load_or_setup(keys_dir: &Path, shape: Shape) -> Result<(Keys, bool), KeyError> {
    match Keys::load(keys_dir, shape.name) {
        Ok(k) => Ok((k, false)),
        Err(KeyError::Missing { .. }) => {
            let keys = setup(shape, &mut rand::rngs::OsRng)?;
            keys.write(keys_dir)?;
            Ok((keys, true))
        }
        Err(e) => Err(e),
    }
}

/// A field element as `0x` + 64 hex digits.
pub fn fr_hex(x: &Fr) -> String {
    zkcontrib_verifier::encode_fr_hex(x)
}
