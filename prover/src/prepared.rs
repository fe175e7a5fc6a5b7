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
use crate::matrices::Matrices;
use crate::sparse::{Csr, Entry, SparseMatrices};
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
    let reason = match std::fs::File::open(&path) {
        Ok(file) => match decode(file, s, &meta, &mut timings) {
            Ok((mut pk, matrices)) => {
                crate::runtime::mem_mark("prepared: decoded");
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
        },
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
    let entries = m.abc.nonzeros();
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
    // A circuit uses few distinct coefficients (±1, powers of two, a few constants): each is
    // stored once and entries name it by index, as in memory (`SparseMatrices`).
    let coeffs = m.abc.coefficients();
    out.extend_from_slice(&(coeffs.len() as u32).to_le_bytes());
    coeffs.iter().for_each(|c| put_limbs(&mut out, &c.0 .0));
    for k in 0..3 {
        let mat = m.abc.matrix(k);
        out.extend_from_slice(&(mat.rows() as u32).to_le_bytes());
        for i in 0..mat.rows() {
            let row = mat.row(i);
            out.extend_from_slice(&(row.len() as u32).to_le_bytes());
            for e in row {
                out.extend_from_slice(&e.var.to_le_bytes());
                out.extend_from_slice(&e.coeff.to_le_bytes());
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

/// Bytes per read of the point sections: the file is decoded as it streams through a buffer
/// of this size, never held whole (it is as large as the decoded key and matrices).
const BLOCK: usize = 1 << 20;

/// A reader that hashes what it reads and times both.
struct Hashing<R> {
    r: R,
    hash: Sha256,
    read_s: f64,
    check_s: f64,
}

impl<R: std::io::Read> std::io::Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let t = Instant::now();
        let n = self.r.read(buf)?;
        let t2 = Instant::now();
        self.hash.update(&buf[..n]);
        self.read_s += (t2 - t).as_secs_f64();
        self.check_s += t2.elapsed().as_secs_f64();
        Ok(n)
    }
}

/// The body of a prepared file (everything before the trailing SHA-256) as a stream: every byte
/// read is hashed, and no read goes past the body.
struct Stream {
    r: std::io::BufReader<Hashing<std::io::Take<std::fs::File>>>,
    /// Body bytes not read yet.
    left: usize,
    buf: Vec<u8>,
}

impl Stream {
    /// The next `n` bytes of the body.
    fn take(&mut self, n: usize) -> Result<&[u8], String> {
        use std::io::Read;
        if n > self.left {
            return Err("truncated".into());
        }
        if self.buf.len() < n {
            self.buf.resize(n, 0);
        }
        self.r
            .read_exact(&mut self.buf[..n])
            .map_err(|e| e.to_string())?;
        self.left -= n;
        Ok(&self.buf[..n])
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
    /// A count of items of `size` bytes that the rest of the body can hold.
    fn count(&mut self, n: usize, size: usize) -> Result<usize, String> {
        match n.checked_mul(size) {
            Some(b) if b <= self.left => Ok(n),
            _ => Err("truncated".into()),
        }
    }
    /// Hashes the rest of the body and compares the digest with the trailing one; returns the
    /// time spent reading and hashing.
    fn finish(mut self) -> (Result<(), String>, f64, f64) {
        use std::io::Read;
        while self.left > 0 {
            let n = self.left.min(BLOCK);
            if let Err(e) = self.take(n) {
                return (Err(e), 0.0, 0.0);
            }
        }
        let h = self.r.into_inner();
        let mut file = h.r.into_inner();
        let mut sum = [0u8; 32];
        let ok = match file.read_exact(&mut sum) {
            Err(e) => Err(e.to_string()),
            Ok(()) if h.hash.finalize().as_slice() != sum => {
                Err("checksum mismatch (corrupt)".into())
            }
            Ok(()) => Ok(()),
        };
        (ok, h.read_s, h.check_s)
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
    r: &mut Stream,
    size: usize,
    parse: fn(&[u8]) -> Option<P>,
) -> Result<Vec<P>, String> {
    let n = r.len()?;
    let n = r.count(n, size)?;
    let mut out = Vec::with_capacity(n);
    let per_block = BLOCK / size;
    let mut done = 0;
    while done < n {
        let k = per_block.min(n - done);
        let body = r.take(k * size)?;
        let block = body
            .par_chunks(size)
            .map(parse)
            .collect::<Option<Vec<P>>>()
            .ok_or_else(|| "a point coordinate is not a canonical field element".to_string())?;
        out.extend(block);
        done += k;
    }
    Ok(out)
}

/// Decodes a prepared file for `meta`'s keys (the verifying key is left default: the caller
/// sets the strictly decoded one). The file streams through a small buffer; its checksum is
/// compared at the end, and a file whose checksum does not match is reported as corrupt
/// whatever else failed to decode (a count that does not fit the file is never allocated).
fn decode(
    mut file: std::fs::File,
    shape: zkcontrib_circuits::shape::Shape,
    meta: &crate::keys::KeyMeta,
    timings: &mut LoadTimings,
) -> Result<(ProvingKey<ark_bn254::Bn254>, Matrices), String> {
    use std::io::Read;
    let t = Instant::now();
    let len = file.metadata().map_err(|e| e.to_string())?.len();
    let len = usize::try_from(len).map_err(|_| "too large".to_string())?;
    let mut head = [0u8; 76];
    if len < 76 + 32 || file.read_exact(&mut head).is_err() || &head[..8] != MAGIC {
        return Err("not a prepared key file".into());
    }
    let version = u32::from_le_bytes([head[8], head[9], head[10], head[11]]);
    if version != FORMAT_VERSION {
        return Err(format!(
            "format {version}, this build writes {FORMAT_VERSION}"
        ));
    }
    if head[12..44] != digest_bytes(zkcontrib_circuits::SOURCE_DIGEST)? {
        return Err("made by a build with another circuit".into());
    }
    if head[44..76] != digest_bytes(&meta.pk_sha256)? {
        return Err("made from another proving key".into());
    }
    let mut hash = Sha256::new();
    hash.update(head);
    let left = len - 76 - 32;
    let mut r = Stream {
        r: std::io::BufReader::with_capacity(
            1 << 16,
            Hashing {
                r: file.take(left as u64),
                hash,
                read_s: 0.0,
                check_s: 0.0,
            },
        ),
        left,
        buf: Vec::with_capacity(BLOCK),
    };
    let body = decode_body(&mut r, shape, meta);
    let body = match body {
        Ok(b) if r.left == 0 => Ok(b),
        Ok(_) => Err("trailing bytes".to_string()),
        Err(e) => Err(e),
    };
    let (checked, read_s, check_s) = r.finish();
    timings.read_s = read_s;
    timings.check_s = check_s;
    timings.decode_s = t.elapsed().as_secs_f64() - read_s - check_s;
    // The checksum first: a damaged file is "corrupt", whichever part of it failed to decode.
    checked?;
    body
}

/// The body of a prepared file after its header.
fn decode_body(
    r: &mut Stream,
    shape: zkcontrib_circuits::shape::Shape,
    meta: &crate::keys::KeyMeta,
) -> Result<(ProvingKey<ark_bn254::Bn254>, Matrices), String> {
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
    let a_query = points(r, 64, g1)?;
    let b_g1_query = points(r, 64, g1)?;
    let b_g2_query = points(r, 128, g2)?;
    let h_query = points(r, 64, g1)?;
    let l_query = points(r, 64, g1)?;
    let ncoeffs = r.u32()? as usize;
    let ncoeffs = r.count(ncoeffs, 32)?;
    let coeffs = r
        .take(ncoeffs * 32)?
        .chunks_exact(32)
        .map(fr)
        .collect::<Option<Vec<Fr>>>()
        .ok_or("a coefficient is not a canonical field element")?;
    let vars = num_instance
        .checked_add(num_witness)
        .ok_or("count too large")?;
    let mut matrix = || -> Result<Csr, String> {
        let rows = r.u32()? as usize;
        if rows != num_constraints {
            return Err("a matrix has the wrong number of rows".into());
        }
        let mut m = Csr::with_capacity(rows, 0);
        for _ in 0..rows {
            let n = r.u32()? as usize;
            let n = r.count(n, 8)?;
            let body = r.take(n * 8)?;
            m.push_row(body.chunks_exact(8).map(|e| Entry {
                var: u32::from_le_bytes([e[0], e[1], e[2], e[3]]),
                coeff: u32::from_le_bytes([e[4], e[5], e[6], e[7]]),
            }))?;
        }
        Ok(m)
    };
    let abc = [matrix()?, matrix()?, matrix()?];
    let abc = SparseMatrices::new(coeffs, abc, vars)?;
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
