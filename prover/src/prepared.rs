//! The prepared local copy of a shape's proving key and matrices: what lets `prove` start in a
//! fraction of a second instead of seconds.
//!
//! The proving key is distributed compressed (24 MB for `earth`, within a phone's download
//! budget); loading it costs one square root per point, and the shape's matrices cost a
//! synthesis of the circuit. Both are done once, after download, and written next to the keys
//! in the in-memory form, so later loads only read, hash and copy:
//!
//! ```text
//! <keys_dir>/<shape>/proving.prepared
//! "ZKPREP01"                         8 bytes
//! format version                     u32 LE (= FORMAT_VERSION)
//! circuit source digest              32 bytes (zkcontrib_circuits::SOURCE_DIGEST)
//! proving.key SHA-256                32 bytes (the hash keys.json pins)
//! instance, witness, constraints     3 × u64 LE
//! beta_g1, delta_g1                  G1 points
//! a, b_g1, b_g2, h, l queries        each u64 LE count, then the points
//! coefficients                       u32 LE count, then the distinct matrix coefficients (Fr)
//! A, B, C matrices                   each u32 LE rows; per row u32 LE entries, then
//!                                    entries × (u32 LE variable, u32 LE coefficient index)
//! SHA-256 of everything above        32 bytes
//! ```
//!
//! Field elements are their four Montgomery limbs (u64 LE); a G1 point is `x ‖ y`, a G2 point
//! `x.c0 ‖ x.c1 ‖ y.c0 ‖ y.c1`, and the point at infinity is all zeros (`(0, 0)` is on neither
//! curve). The verifying key is not repeated: it comes from `verifying.key`, strictly decoded and
//! checked against the pinned vk hash, as on the compressed path.
//!
//! **Integrity.** A prepared file is used only when its trailing SHA-256 matches its content,
//! it names the pinned hash of `proving.key` and this build's circuit source digest, its counts
//! match the key's metadata, and every limb is a canonical field element; otherwise it is
//! rebuilt from `proving.key` (itself checked against its pinned hash). It therefore has the trust
//! of the keys directory it lives in, like `proving.key`: a corrupt or stale file is never used,
//! and the hash is the whole cost of the check (the report measures it).

use crate::keys::{load_meta, load_vk_file, KeyError, Keys};
use crate::prove::Matrices;
use ark_bn254::{Fq, Fq2, Fr, G1Affine, G2Affine};
use ark_ec::AffineRepr;
use ark_ff::{BigInt, PrimeField};
use ark_groth16::ProvingKey;
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::time::Instant;
use zkcontrib_circuits::shape::shape_by_name;

/// The file name, in the shape's key directory.
pub const FILE: &str = "proving.prepared";
/// Magic bytes.
pub const MAGIC: &[u8; 8] = b"ZKPREP01";
/// Format version.
pub const FORMAT_VERSION: u32 = 1;

/// How the keys and matrices were obtained.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Source {
    /// From the prepared file.
    Prepared,
    /// From `proving.key` and a synthesis of the circuit, because the prepared file was
    /// missing or unusable (`reason`); `written` says whether a new one was written (or why
    /// not).
    Rebuilt {
        /// Why the prepared file was not used.
        reason: String,
        /// The new prepared file, or why it could not be written.
        written: Result<PathBuf, String>,
    },
}

/// Where the time of a load went.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LoadTimings {
    /// Reading the files.
    pub read_s: f64,
    /// The integrity check (SHA-256 of the prepared file).
    pub check_s: f64,
    /// Decoding points and matrices.
    pub decode_s: f64,
    /// Everything, including a rebuild when one was needed.
    pub total_s: f64,
}

/// A shape's keys and matrices, ready to prove.
pub struct Loaded {
    /// The keys.
    pub keys: Keys,
    /// The shape's matrices.
    pub matrices: Matrices,
    /// Where they came from.
    pub source: Source,
    /// Where the time went.
    pub timings: LoadTimings,
}

impl std::fmt::Debug for Loaded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Loaded")
            .field("keys", &self.keys)
            .field("source", &self.source)
            .field("timings", &self.timings)
            .finish_non_exhaustive()
    }
}

/// Loads a shape's keys and matrices from the prepared file, or from `proving.key` and the
/// circuit when the prepared file is missing, corrupt or stale — then writes a new one (a
/// read-only keys directory is fine: the load succeeds and [`Source::Rebuilt`] says why
/// nothing was written).
pub fn load(keys_dir: &Path, shape: &str) -> Result<Loaded, KeyError> {
    let t0 = Instant::now();
    let s = shape_by_name(shape).ok_or_else(|| KeyError::UnknownShape(shape.into()))?;
    let dir = Keys::dir(keys_dir, shape);
    let meta = load_meta(keys_dir, shape)?;
    let vk = load_vk_file(&dir, &meta)?;
    let path = dir.join(FILE);
    let mut timings = LoadTimings::default();
    let reason = match std::fs::read(&path) {
        Ok(bytes) => {
            timings.read_s = t0.elapsed().as_secs_f64();
            match decode(&bytes, s, &meta, &mut timings) {
                Ok((mut pk, matrices)) => {
                    pk.vk = vk;
                    timings.total_s = t0.elapsed().as_secs_f64();
                    return Ok(Loaded {
                        keys: Keys { shape: s, pk, meta },
                        matrices,
                        source: Source::Prepared,
                        timings,
                    });
                }
                Err(why) => why,
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => "not prepared yet".to_string(),
        Err(e) => e.to_string(),
    };
    let keys = Keys::load(keys_dir, shape)?;
    let matrices = Matrices::new(s)?;
    let written = write(keys_dir, &keys, &matrices).map_err(|e| e.to_string());
    Ok(Loaded {
        keys,
        matrices,
        source: Source::Rebuilt { reason, written },
        timings: LoadTimings {
            total_s: t0.elapsed().as_secs_f64(),
            ..LoadTimings::default()
        },
    })
}

/// Writes the prepared file of `keys` and `matrices` (write, then rename).
pub fn write(keys_dir: &Path, keys: &Keys, matrices: &Matrices) -> Result<PathBuf, KeyError> {
    let dir = Keys::dir(keys_dir, keys.shape.name);
    let path = dir.join(FILE);
    let bytes = to_bytes(keys, matrices).map_err(|what| KeyError::Corrupt {
        path: path.clone(),
        what,
    })?;
    let tmp = dir.join(format!(".{FILE}.tmp"));
    let io = |p: &Path| {
        let p = p.to_path_buf();
        move |source| KeyError::Io { path: p, source }
    };
    std::fs::write(&tmp, &bytes).map_err(io(&tmp))?;
    std::fs::rename(&tmp, &path).map_err(io(&path))?;
    Ok(path)
}

/// The prepared bytes of `keys` and `matrices`.
pub fn to_bytes(keys: &Keys, m: &Matrices) -> Result<Vec<u8>, String> {
    let pk = &keys.pk;
    let entries: usize = m.abc.iter().flatten().map(Vec::len).sum();
    let g1s = pk.a_query.len() + pk.b_g1_query.len() + pk.h_query.len() + pk.l_query.len();
    let mut out = Vec::with_capacity(200 + 64 * g1s + 128 * pk.b_g2_query.len() + 8 * entries);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&digest_bytes(zkcontrib_circuits::SOURCE_DIGEST)?);
    out.extend_from_slice(&digest_bytes(&keys.meta.pk_sha256)?);
    for n in [m.num_instance, m.num_witness, m.num_constraints] {
        out.extend_from_slice(&(n as u64).to_le_bytes());
    }
    put_g1(&mut out, &pk.beta_g1);
    put_g1(&mut out, &pk.delta_g1);
    for q in [&pk.a_query, &pk.b_g1_query] {
        out.extend_from_slice(&(q.len() as u64).to_le_bytes());
        q.iter().for_each(|p| put_g1(&mut out, p));
    }
    out.extend_from_slice(&(pk.b_g2_query.len() as u64).to_le_bytes());
    pk.b_g2_query.iter().for_each(|p| put_g2(&mut out, p));
    for q in [&pk.h_query, &pk.l_query] {
        out.extend_from_slice(&(q.len() as u64).to_le_bytes());
        q.iter().for_each(|p| put_g1(&mut out, p));
    }
    if m.abc.len() != 3 {
        return Err("the shape's R1CS has no A, B, C matrices".into());
    }
    // A circuit uses few distinct coefficients (±1, powers of two, a few constants): each is
    // stored once and entries name it by index.
    let mut index: std::collections::HashMap<[u64; 4], u32> = std::collections::HashMap::new();
    let mut coeffs: Vec<[u64; 4]> = Vec::new();
    for (c, _) in m.abc.iter().flatten().flatten() {
        index.entry(c.0 .0).or_insert_with(|| {
            coeffs.push(c.0 .0);
            (coeffs.len() - 1) as u32
        });
    }
    out.extend_from_slice(&(coeffs.len() as u32).to_le_bytes());
    coeffs.iter().for_each(|c| put_limbs(&mut out, c));
    for mat in &m.abc {
        out.extend_from_slice(&(mat.len() as u32).to_le_bytes());
        for row in mat {
            out.extend_from_slice(&(row.len() as u32).to_le_bytes());
            for (c, i) in row {
                out.extend_from_slice(&(*i as u32).to_le_bytes());
                out.extend_from_slice(&index[&c.0 .0].to_le_bytes());
            }
        }
    }
    let sum = Sha256::digest(&out);
    out.extend_from_slice(&sum);
    Ok(out)
}

fn digest_bytes(hex_str: &str) -> Result<[u8; 32], String> {
    let h = hex_str.strip_prefix("0x").unwrap_or(hex_str);
    hex::decode(h)
        .ok()
        .and_then(|v| <[u8; 32]>::try_from(v).ok())
        .ok_or_else(|| format!("`{hex_str}` is not a SHA-256 digest"))
}

fn put_limbs(out: &mut Vec<u8>, limbs: &[u64; 4]) {
    for l in limbs {
        out.extend_from_slice(&l.to_le_bytes());
    }
}

fn put_g1(out: &mut Vec<u8>, p: &G1Affine) {
    if p.is_zero() {
        out.extend_from_slice(&[0u8; 64]);
    } else {
        put_limbs(out, &p.x.0 .0);
        put_limbs(out, &p.y.0 .0);
    }
}

fn put_g2(out: &mut Vec<u8>, p: &G2Affine) {
    if p.is_zero() {
        out.extend_from_slice(&[0u8; 128]);
    } else {
        for f in [p.x.c0, p.x.c1, p.y.c0, p.y.c1] {
            put_limbs(out, &f.0 .0);
        }
    }
}

struct Reader<'a> {
    b: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        if n > self.b.len() {
            return Err("truncated".into());
        }
        let (head, rest) = self.b.split_at(n);
        self.b = rest;
        Ok(head)
    }
    fn u32(&mut self) -> Result<u32, String> {
        let s = self.take(4)?;
        Ok(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
    }
    fn u64(&mut self) -> Result<u64, String> {
        let s = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(s);
        Ok(u64::from_le_bytes(a))
    }
    fn len(&mut self) -> Result<usize, String> {
        usize::try_from(self.u64()?).map_err(|_| "count too large".to_string())
    }
}

fn limbs(s: &[u8]) -> [u64; 4] {
    std::array::from_fn(|i| {
        let mut a = [0u8; 8];
        a.copy_from_slice(&s[8 * i..8 * i + 8]);
        u64::from_le_bytes(a)
    })
}

fn g1(s: &[u8]) -> Option<G1Affine> {
    if s.iter().all(|b| *b == 0) {
        return Some(G1Affine::zero());
    }
    Some(G1Affine::new_unchecked(fq(&s[..32])?, fq(&s[32..64])?))
}

fn g2(s: &[u8]) -> Option<G2Affine> {
    if s.iter().all(|b| *b == 0) {
        return Some(G2Affine::zero());
    }
    let f = |i: usize| fq(&s[32 * i..32 * i + 32]);
    Some(G2Affine::new_unchecked(
        Fq2::new(f(0)?, f(1)?),
        Fq2::new(f(2)?, f(3)?),
    ))
}

fn fq(s: &[u8]) -> Option<Fq> {
    let b = BigInt::new(limbs(s));
    (b < Fq::MODULUS).then(|| Fq::new_unchecked(b))
}

fn fr(s: &[u8]) -> Option<Fr> {
    let b = BigInt::new(limbs(s));
    (b < Fr::MODULUS).then(|| Fr::new_unchecked(b))
}

fn points<P: Send>(
    r: &mut Reader<'_>,
    size: usize,
    parse: fn(&[u8]) -> Option<P>,
) -> Result<Vec<P>, String> {
    let n = r.len()?;
    let body = r.take(n.checked_mul(size).ok_or("count too large")?)?;
    body.par_chunks(size)
        .map(parse)
        .collect::<Option<Vec<P>>>()
        .ok_or_else(|| "a point coordinate is not a canonical field element".to_string())
}

/// Decodes a prepared file for `meta`'s keys (the verifying key is left default: the caller
/// sets the strictly decoded one).
fn decode(
    bytes: &[u8],
    shape: zkcontrib_circuits::shape::Shape,
    meta: &crate::keys::KeyMeta,
    timings: &mut LoadTimings,
) -> Result<(ProvingKey<ark_bn254::Bn254>, Matrices), String> {
    let t = Instant::now();
    if bytes.len() < 8 + 4 + 64 + 32 || &bytes[..8] != MAGIC {
        return Err("not a prepared key file".into());
    }
    let version = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
    if version != FORMAT_VERSION {
        return Err(format!(
            "format {version}, this build writes {FORMAT_VERSION}"
        ));
    }
    if bytes[12..44] != digest_bytes(zkcontrib_circuits::SOURCE_DIGEST)? {
        return Err("made by a build with another circuit".into());
    }
    if bytes[44..76] != digest_bytes(&meta.pk_sha256)? {
        return Err("made from another proving key".into());
    }
    let (body, sum) = bytes.split_at(bytes.len() - 32);
    if Sha256::digest(body).as_slice() != sum {
        return Err("checksum mismatch (corrupt)".into());
    }
    timings.check_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let mut r = Reader { b: &body[76..] };
    let num_instance = r.len()?;
    let num_witness = r.len()?;
    let num_constraints = r.len()?;
    if num_constraints != meta.constraints {
        return Err(format!(
            "{num_constraints} constraints, the keys are for {}",
            meta.constraints
        ));
    }
    let beta_g1 = g1(r.take(64)?).ok_or("beta_g1 is not canonical")?;
    let delta_g1 = g1(r.take(64)?).ok_or("delta_g1 is not canonical")?;
    let a_query = points(&mut r, 64, g1)?;
    let b_g1_query = points(&mut r, 64, g1)?;
    let b_g2_query = points(&mut r, 128, g2)?;
    let h_query = points(&mut r, 64, g1)?;
    let l_query = points(&mut r, 64, g1)?;
    let ncoeffs = r.u32()? as usize;
    let coeffs = r
        .take(ncoeffs.checked_mul(32).ok_or("too many coefficients")?)?
        .chunks_exact(32)
        .map(fr)
        .collect::<Option<Vec<Fr>>>()
        .ok_or("a coefficient is not a canonical field element")?;
    let vars = num_instance + num_witness;
    let mut abc = Vec::with_capacity(3);
    for _ in 0..3 {
        let rows = r.u32()? as usize;
        if rows != num_constraints {
            return Err("a matrix has the wrong number of rows".into());
        }
        // Find the rows (a cheap scan of their lengths), then decode them in parallel.
        let mut spans = Vec::with_capacity(rows);
        for _ in 0..rows {
            let n = r.u32()? as usize;
            spans.push(r.take(n.checked_mul(8).ok_or("row too long")?)?);
        }
        let mat = spans
            .par_iter()
            .map(|body| {
                body.chunks_exact(8)
                    .map(|e| {
                        let i = u32::from_le_bytes([e[0], e[1], e[2], e[3]]) as usize;
                        let c = coeffs.get(u32::from_le_bytes([e[4], e[5], e[6], e[7]]) as usize)?;
                        (i < vars).then_some((*c, i))
                    })
                    .collect::<Option<Vec<_>>>()
            })
            .collect::<Option<Vec<_>>>()
            .ok_or("a matrix entry is out of range")?;
        abc.push(mat);
    }
    if !r.b.is_empty() {
        return Err("trailing bytes".into());
    }
    timings.decode_s = t.elapsed().as_secs_f64();
    let matrices = Matrices {
        shape,
        abc,
        num_instance,
        num_witness,
        num_constraints,
    };
    let pk = ProvingKey {
        vk: Default::default(),
        beta_g1,
        delta_g1,
        a_query,
        b_g1_query,
        b_g2_query,
        h_query,
        l_query,
    };
    Ok((pk, matrices))
}
