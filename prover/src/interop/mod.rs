//! Interop with the circom/snarkjs ecosystem and Ethereum (`zkcontrib export …`,
//! `zkcontrib setup --from-zkey`).
//!
//! | module | what | read by |
//! |---|---|---|
//! | [`snarkjs`] | verification key, proofs and public signals as snarkjs JSON | `snarkjs groth16 verify` |
//! | [`solidity`] | a verifier contract for a shape's key, calldata per chunk | solc, the EVM |
//! | [`r1cs`] | the circuit as iden3 `.r1cs` | `snarkjs groth16 setup`, `r1cs info`, `wtns check` |
//! | [`wtns`] | a chunk's witness as iden3 `.wtns` | `snarkjs wtns check`, `groth16 prove` |
//! | [`zkey`] | a ceremony's `.zkey` imported as a proving key | `zkcontrib prove` (circom QAP) |
//!
//! Everything that leaves a bundle recomputes the public inputs from the bundle's fields
//! ([`bundle_chunks`]); nothing takes an input list from outside. The formats are described
//! in `docs/interop.md`, the ceremony in `docs/ceremony.md`.

pub mod binfile;
pub mod r1cs;
pub mod snarkjs;
pub mod solidity;
pub mod wtns;
pub mod zkey;

use crate::contribution::{check, ContributionError, Opening};
use crate::matrices::{assignment, first_unsatisfied, Matrices};
use ark_bn254::{Bn254, Fr};
use ark_groth16::Proof;
use ark_relations::gr1cs::SynthesisError;
use zkcontrib_circuits::encode::Point;
use zkcontrib_circuits::plan::plan;
use zkcontrib_circuits::policy::Policy;
use zkcontrib_circuits::witness::chunk_witnesses;
use zkcontrib_verifier::bundle::{parse_submitter, Bundle, NUM_PUBLIC_INPUTS};
use zkcontrib_verifier::{decode_fr_hex, decode_proof_hex, encode_fr_hex, DecodeError};

/// One chunk of a bundle: its proof and the public inputs recomputed from the bundle.
#[derive(Clone, Debug, PartialEq)]
pub struct ChunkProof {
    /// The decoded proof.
    pub proof: Proof<Bn254>,
    /// The public inputs, in slot order.
    pub inputs: [Fr; NUM_PUBLIC_INPUTS],
}

/// Why an export could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    /// The bundle does not decode.
    #[error("the bundle is malformed: {0}")]
    Bundle(#[source] zkcontrib_verifier::Rejected),
    /// No witness for a trace the policy refuses, or for a bad submitter.
    #[error(transparent)]
    Contribution(#[from] ContributionError),
    /// The requested chunk does not exist.
    #[error("chunk {chunk} does not exist: the trace has {chunks} chunk(s) in shape `{shape}` (use 0..={last})", last = .chunks - 1)]
    NoSuchChunk {
        /// Requested.
        chunk: usize,
        /// Chunks of the trace.
        chunks: usize,
        /// Shape name.
        shape: &'static str,
    },
    /// The opening does not decode.
    #[error("the opening is malformed: {0}")]
    Opening(DecodeError),
    /// The opening belongs to another trace.
    #[error("the opening does not open this trace's commitment (it is for contribution {opening}); pass the opening written next to this trace's bundle")]
    OpeningMismatch {
        /// The opening's `contribution_id`.
        opening: String,
    },
    /// A verifying key that does not take the 11 public inputs of a chunk.
    #[error("the verifying key takes {got} public inputs, zkcontrib chunks have 11; the keys are not zkcontrib keys")]
    InputCount {
        /// Inputs the key takes.
        got: usize,
    },
    /// The circuit could not be synthesized.
    #[error("synthesis failed: {0}")]
    Synthesis(#[from] SynthesisError),
    /// The witness does not satisfy the circuit (a bug: the native check passed).
    #[error("chunk {chunk}: the witness does not satisfy constraint {row}; this is a bug in zkcontrib, please report it")]
    Unsatisfied {
        /// Chunk.
        chunk: usize,
        /// First failing constraint.
        row: usize,
    },
}

/// Decodes every chunk of a bundle strictly and recomputes its public inputs.
pub fn bundle_chunks(b: &Bundle) -> Result<Vec<ChunkProof>, ExportError> {
    let fields = b.fields().map_err(ExportError::Bundle)?;
    b.chunks
        .iter()
        .zip(b.chunk_inputs(&fields))
        .enumerate()
        .map(|(k, (c, inputs))| {
            Ok(ChunkProof {
                proof: decode_proof_hex(&c.proof).map_err(|error| {
                    ExportError::Bundle(zkcontrib_verifier::Rejected::Field {
                        field: zkcontrib_verifier::Field::Proof(k),
                        error,
                    })
                })?,
                inputs,
            })
        })
        .collect()
}

/// The full assignment of chunk `chunk` of a qualifying trace: the witness a `.wtns` holds.
///
/// With an `opening`, the chunk is the one of the bundle that opening belongs to (same
/// blinding, so the same chain states and commitment); without one, a fresh blinding is used
/// and the witness belongs to no bundle. Returns the assignment and the number of chunks.
pub fn chunk_assignment(
    m: &Matrices,
    policy: &Policy,
    points: &[Point],
    submitter: &str,
    opening: Option<&Opening>,
    chunk: usize,
) -> Result<(Vec<Fr>, usize), ExportError> {
    let submitter_fr = parse_submitter(submitter).map_err(ContributionError::Submitter)?;
    let eval = check(policy, points)?;
    let (plans, _) = plan(policy, &m.shape, points, &eval).map_err(ContributionError::Plan)?;
    let blinding = match opening {
        Some(o) => decode_fr_hex(&o.blinding).map_err(ExportError::Opening)?,
        None => {
            use ark_ff::UniformRand;
            Fr::rand(&mut rand::rngs::OsRng)
        }
    };
    let witnesses = chunk_witnesses(
        policy,
        &m.shape,
        points,
        &eval,
        &plans,
        blinding,
        submitter_fr,
    );
    let n = witnesses.len();
    if let Some(o) = opening {
        let last = witnesses
            .last()
            .expect("a trace has at least one chunk")
            .public;
        if encode_fr_hex(&last.commitment) != o.commitment.to_ascii_lowercase()
            || encode_fr_hex(&last.contribution_id) != o.contribution_id.to_ascii_lowercase()
        {
            return Err(ExportError::OpeningMismatch {
                opening: o.contribution_id.clone(),
            });
        }
    }
    let w = witnesses.get(chunk).ok_or(ExportError::NoSuchChunk {
        chunk,
        chunks: n,
        shape: m.shape.name,
    })?;
    let z = assignment(m, w)?;
    if let Some(row) = first_unsatisfied(m, &z) {
        return Err(ExportError::Unsatisfied { chunk, row });
    }
    Ok((z, n))
}
