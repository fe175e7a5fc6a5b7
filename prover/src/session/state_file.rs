//! The session's state file: what a [`super::Session`] needs to continue after the app or the
//! device stopped.
//!
//! ```text
//! "ZKSESS01"                 8 bytes
//! format version             u32 LE (= FORMAT_VERSION)
//! body length                u64 LE
//! body                       JSON (StateBody): shape, vk hash, policy id, submitter,
//!                            blinding, every pushed point, every proven chunk
//! SHA-256 of everything above 32 bytes
//! ```
//!
//! **It holds the private trace** (every point pushed so far, hex-packed as
//! `lat_e7 i32 LE ‖ lon_e7 i32 LE ‖ t_ms u64 LE`) and the commitment's blinding: it is created
//! with mode 0600 on unix, never logged, and the app deletes it once it has stored the bundle.
//!
//! A file is written to `<name>.tmp` next to it, flushed to disk (`fsync`), renamed over the
//! old one and the directory is synced: a kill at any moment leaves either the old or the new
//! complete file. A file whose checksum, magic, version, shape, verifying key or policy does not
//! match is refused with a [`StateFileProblem`], never half-used.

use super::ProvenChunk;
use ark_bn254::Fr;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};
use zkcontrib_circuits::encode::Point;
use zkcontrib_circuits::plan::ChunkPlan;
use zkcontrib_circuits::statement::PublicInputs;
use zkcontrib_circuits::window::Window;
use zkcontrib_verifier::{decode_fr_hex, decode_proof_hex, encode_fr_hex, encode_proof_hex};

/// Magic bytes.
pub const MAGIC: &[u8; 8] = b"ZKSESS01";
/// Format version this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;
/// Largest state file read (a million points and their chunks fit easily).
const MAX_BYTES: u64 = 256 << 20;

/// Why a state file was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StateFileProblem {
    /// It could not be read or written.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// A new session would overwrite an existing state file.
    #[error("a state file already exists: resume it, or delete it to start over")]
    Exists,
    /// Not a session state file (wrong magic or too short).
    #[error("not a zkcontrib session state file")]
    NotAStateFile,
    /// Written by another format version.
    #[error("format version {found}, this build reads version {supported}")]
    Version {
        /// The file's version.
        found: u32,
        /// The version this build reads.
        supported: u32,
    },
    /// The checksum does not match the content (truncated or damaged).
    #[error("checksum mismatch: the file is damaged or truncated")]
    Checksum,
    /// The content cannot be decoded.
    #[error("malformed content: {0}")]
    Malformed(String),
    /// It belongs to another shape.
    #[error("made for shape `{found}`, the keys are for `{expected}`")]
    OtherShape {
        /// The file's shape.
        found: String,
        /// The keys' shape.
        expected: String,
    },
    /// It belongs to other keys (another verifying key hash).
    #[error("made with verifying key {found}, the keys loaded are {expected}")]
    OtherKeys {
        /// The file's vk hash.
        found: String,
        /// The loaded keys' vk hash.
        expected: String,
    },
    /// It belongs to another policy.
    #[error("made for policy {found}, the policy given is {expected}")]
    OtherPolicy {
        /// The file's policy id.
        found: String,
        /// The given policy's id.
        expected: String,
    },
    /// It belongs to another submitter address.
    #[error("made for submitter {found}, the options name {expected}")]
    OtherSubmitter {
        /// The file's submitter.
        found: String,
        /// The options' submitter.
        expected: String,
    },
    /// The options give a blinding other than the file's.
    #[error("the options give a blinding other than the one in the file")]
    OtherBlinding,
}

/// A chunk as stored.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredChunk {
    index: usize,
    start: usize,
    len: usize,
    carried: usize,
    band: i64,
    x0_cell: i64,
    seam: bool,
    item: usize,
    /// One character per new point: `1` counted inside, `0` not.
    counted: String,
    policy_id: String,
    submitter: String,
    state_in: String,
    state_out: String,
    is_first: bool,
    is_last: bool,
    claimed_points: u64,
    claimed_distance_m: u64,
    claimed_duration_s: u64,
    commitment: String,
    contribution_id: String,
    proof: String,
}

/// The JSON body.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct StateBody {
    note: String,
    shape: String,
    vk_hash: String,
    policy_id: String,
    submitter: String,
    blinding: String,
    points: String,
    chunks: Vec<StoredChunk>,
}

/// What identifies a session: a state file is used only with the same values.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Header {
    pub shape: String,
    pub vk_hash: String,
    pub policy_id: String,
    pub submitter: String,
    pub blinding: Fr,
}

impl std::fmt::Debug for Header {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Header")
            .field("shape", &self.shape)
            .field("policy_id", &self.policy_id)
            .finish_non_exhaustive()
    }
}

/// A decoded state file.
pub(crate) struct Contents {
    pub header: Header,
    pub points: Vec<Point>,
    pub chunks: Vec<(usize, ProvenChunk)>,
}

fn malformed(what: impl std::fmt::Display) -> StateFileProblem {
    StateFileProblem::Malformed(what.to_string())
}

/// The bytes of a state file.
pub(crate) fn encode<'a>(
    header: &Header,
    points: &[Point],
    chunks: impl Iterator<Item = (usize, &'a ProvenChunk)>,
) -> Vec<u8> {
    let mut packed = Vec::with_capacity(points.len() * 16);
    for p in points {
        packed.extend_from_slice(&p.lat_e7.to_le_bytes());
        packed.extend_from_slice(&p.lon_e7.to_le_bytes());
        packed.extend_from_slice(&p.t_ms.to_le_bytes());
    }
    let body = StateBody {
        note: "Private: the GPS points of a trace being proven by zkcontrib. Never share it; \
               delete it once the bundle is stored."
            .into(),
        shape: header.shape.clone(),
        vk_hash: header.vk_hash.clone(),
        policy_id: header.policy_id.clone(),
        submitter: header.submitter.clone(),
        blinding: encode_fr_hex(&header.blinding),
        points: hex::encode(packed),
        chunks: chunks
            .map(|(index, c)| StoredChunk {
                index,
                start: c.plan.start,
                len: c.plan.len,
                carried: c.plan.carried,
                band: c.plan.window.band,
                x0_cell: c.plan.window.x0_cell,
                seam: c.plan.window.seam,
                item: c.plan.item,
                counted: c
                    .plan
                    .counted
                    .iter()
                    .map(|&b| if b { '1' } else { '0' })
                    .collect(),
                policy_id: encode_fr_hex(&c.public.policy_id),
                submitter: encode_fr_hex(&c.public.submitter),
                state_in: encode_fr_hex(&c.public.state_in),
                state_out: encode_fr_hex(&c.public.state_out),
                is_first: c.public.is_first,
                is_last: c.public.is_last,
                claimed_points: c.public.claimed_points,
                claimed_distance_m: c.public.claimed_distance_m,
                claimed_duration_s: c.public.claimed_duration_s,
                commitment: encode_fr_hex(&c.public.commitment),
                contribution_id: encode_fr_hex(&c.public.contribution_id),
                proof: encode_proof_hex(&c.proof),
            })
            .collect(),
    };
    // Serializing plain strings and integers cannot fail.
    let json = serde_json::to_vec(&body).unwrap_or_default();
    let mut out = Vec::with_capacity(json.len() + 52);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(json.len() as u64).to_le_bytes());
    out.extend_from_slice(&json);
    let sum = Sha256::digest(&out);
    out.extend_from_slice(&sum);
    out
}

/// Decodes a state file's bytes (no check against keys or policy: see [`Contents::header`]).
pub(crate) fn decode(bytes: &[u8]) -> Result<Contents, StateFileProblem> {
    if bytes.len() < 8 + 4 + 8 + 32 || &bytes[..8] != MAGIC {
        return Err(StateFileProblem::NotAStateFile);
    }
    let version = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
    if version != FORMAT_VERSION {
        return Err(StateFileProblem::Version {
            found: version,
            supported: FORMAT_VERSION,
        });
    }
    let (content, sum) = bytes.split_at(bytes.len() - 32);
    if Sha256::digest(content).as_slice() != sum {
        return Err(StateFileProblem::Checksum);
    }
    let mut len = [0u8; 8];
    len.copy_from_slice(&content[12..20]);
    let json = &content[20..];
    if u64::from_le_bytes(len) != json.len() as u64 {
        return Err(malformed("body length"));
    }
    let body: StateBody = serde_json::from_slice(json).map_err(malformed)?;
    let fr = |what: &str, s: &str| decode_fr_hex(s).map_err(|e| malformed(format!("{what}: {e}")));
    let packed = hex::decode(&body.points).map_err(|e| malformed(format!("points: {e}")))?;
    if packed.len() % 16 != 0 {
        return Err(malformed("points: not whole records"));
    }
    let points: Vec<Point> = packed
        .chunks_exact(16)
        .map(|r| {
            let mut t = [0u8; 8];
            t.copy_from_slice(&r[8..16]);
            Point {
                lat_e7: i32::from_le_bytes([r[0], r[1], r[2], r[3]]),
                lon_e7: i32::from_le_bytes([r[4], r[5], r[6], r[7]]),
                t_ms: u64::from_le_bytes(t),
            }
        })
        .collect();
    let mut chunks = Vec::with_capacity(body.chunks.len());
    for c in &body.chunks {
        let counted = c
            .counted
            .chars()
            .map(|ch| match ch {
                '1' => Ok(true),
                '0' => Ok(false),
                _ => Err(malformed(format!("chunk {}: counted flags", c.index))),
            })
            .collect::<Result<Vec<bool>, _>>()?;
        let end = c.start.checked_add(c.len);
        if counted.len() != c.len || end.is_none_or(|e| e > points.len()) || c.carried > c.start {
            return Err(malformed(format!("chunk {}: point range", c.index)));
        }
        let public = PublicInputs {
            policy_id: fr("policy_id", &c.policy_id)?,
            submitter: fr("submitter", &c.submitter)?,
            state_in: fr("state_in", &c.state_in)?,
            state_out: fr("state_out", &c.state_out)?,
            is_first: c.is_first,
            is_last: c.is_last,
            claimed_points: c.claimed_points,
            claimed_distance_m: c.claimed_distance_m,
            claimed_duration_s: c.claimed_duration_s,
            commitment: fr("commitment", &c.commitment)?,
            contribution_id: fr("contribution_id", &c.contribution_id)?,
        };
        let proof = decode_proof_hex(&c.proof)
            .map_err(|e| malformed(format!("chunk {}: proof: {e}", c.index)))?;
        let plan = ChunkPlan {
            start: c.start,
            len: c.len,
            carried: c.carried,
            window: Window {
                band: c.band,
                x0_cell: c.x0_cell,
                seam: c.seam,
            },
            item: c.item,
            counted,
        };
        chunks.push((
            c.index,
            ProvenChunk {
                plan,
                public,
                proof,
            },
        ));
    }
    Ok(Contents {
        header: Header {
            shape: body.shape,
            vk_hash: body.vk_hash,
            policy_id: body.policy_id,
            submitter: body.submitter,
            blinding: fr("blinding", &body.blinding)?,
        },
        points,
        chunks,
    })
}

/// Reads and decodes a state file.
pub(crate) fn read(path: &Path) -> Result<Contents, StateFileProblem> {
    let meta = std::fs::metadata(path)?;
    if meta.len() > MAX_BYTES {
        return Err(malformed(format!(
            "{} bytes, more than a state file can hold",
            meta.len()
        )));
    }
    decode(&std::fs::read(path)?)
}

/// The temporary file a state file is written to before it replaces the old one.
fn temp_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".tmp");
    path.with_file_name(name)
}

/// Writes `bytes` atomically: a 0600 temporary file next to `path`, synced, renamed over it;
/// then the directory is synced so the rename survives a power loss.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), StateFileProblem> {
    let tmp = temp_path(path);
    // A temporary file left by a kill is ours and stale.
    let _ = std::fs::remove_file(&tmp);
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts.open(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    drop(f);
    std::fs::rename(&tmp, path)?;
    #[cfg(unix)]
    if let Some(dir) = path.parent() {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
}
