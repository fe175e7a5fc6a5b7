//! From a checked trace to a contribution bundle: plan the chunks, prove them one after
//! another, and assemble the [`Bundle`] plus the private [`Opening`].

use crate::keys::Keys;
use crate::matrices::Matrices;
use crate::prove::{ChunkProver, ProveError};
use ark_bn254::{Bn254, Fr};
use ark_ff::UniformRand;
use ark_groth16::Proof;
use ark_std::rand::{CryptoRng, RngCore};
use zkcontrib_circuits::encode::Point;
use zkcontrib_circuits::plan::{plan, ChunkPlan, Chunking, PlanError};
use zkcontrib_circuits::policy::Policy;
use zkcontrib_circuits::rules::{evaluate, Evaluation};
use zkcontrib_circuits::shape::Shape;
use zkcontrib_circuits::statement::PublicInputs;
use zkcontrib_circuits::witness::{chain_states, ChunkContext};
use zkcontrib_verifier::bundle::{encode_submitter, parse_submitter, Bundle, Chunk, BUNDLE_FORMAT};
use zkcontrib_verifier::{encode_fr_hex, encode_proof_hex, Claims, DecodeError};

/// The opening of a bundle's commitment: keep it private, next to the trace.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Opening {
    /// Always `zkcontrib.opening.v1`.
    pub format: String,
    /// What this file is.
    pub note: String,
    /// The bundle's `contribution_id`.
    pub contribution_id: String,
    /// The bundle's `commitment`.
    pub commitment: String,
    /// The blinding: `commitment = Poseidon(COMMIT_TAG, contribution_id, blinding)`.
    pub blinding: String,
}

impl std::fmt::Debug for Opening {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Opening")
            .field("contribution_id", &self.contribution_id)
            .finish_non_exhaustive()
    }
}

/// Why no bundle was produced.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ContributionError {
    /// The trace breaks the policy: nothing is proven.
    #[error("the trace does not qualify: {}", .rules.join(", "))]
    NotQualifying {
        /// Names of the broken rules.
        rules: Vec<&'static str>,
    },
    /// The submitter address is malformed.
    #[error("--submitter: {0} (expected 0x followed by up to 64 hex digits)")]
    Submitter(DecodeError),
    /// The trace cannot be split for this shape.
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// Proving failed.
    #[error(transparent)]
    Prove(#[from] ProveError),
    /// The keys are for another shape than the trace was planned for.
    #[error("the trace was planned for shape `{planned}` but the keys are for `{keys}`")]
    ShapeMismatch {
        /// The planned shape.
        planned: &'static str,
        /// The keys' shape.
        keys: &'static str,
    },
}

/// A proven contribution.
#[derive(Debug)]
pub struct Proven {
    /// The bundle to submit.
    pub bundle: Bundle,
    /// The private opening of its commitment.
    pub opening: Opening,
    /// The native evaluation (claims, per-point results).
    pub eval: Evaluation,
    /// How the trace was chunked: `Fixed` (`⌈n/N⌉` chunks) unless it had to end chunks early.
    pub chunking: Chunking,
}

/// Evaluates the trace and refuses it if it breaks a rule.
pub fn check(policy: &Policy, points: &[Point]) -> Result<Evaluation, ContributionError> {
    let eval = evaluate(policy, points);
    if !eval.qualifies() {
        return Err(ContributionError::NotQualifying {
            rules: eval.broken_rules().iter().map(|r| r.name()).collect(),
        });
    }
    Ok(eval)
}

/// A qualifying trace planned into chunks for a shape: everything `prove` needs except the keys.
///
/// [`Planned::new`] runs the native check and the chunk planner, so a trace that breaks a rule
/// or cannot be split is refused before any key is read; [`Planned::prove`] then proves it.
pub struct Planned<'a> {
    policy: &'a Policy,
    shape: Shape,
    points: &'a [Point],
    submitter_fr: Fr,
    eval: Evaluation,
    plans: Vec<ChunkPlan>,
    chunking: Chunking,
}

impl std::fmt::Debug for Planned<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // No trace data: only the shape and the chunk count.
        f.debug_struct("Planned")
            .field("shape", &self.shape.name)
            .field("chunks", &self.plans.len())
            .finish_non_exhaustive()
    }
}

impl<'a> Planned<'a> {
    /// Checks the submitter and the trace (native rules) and plans the chunks for `shape`.
    pub fn new(
        policy: &'a Policy,
        shape: Shape,
        points: &'a [Point],
        submitter: &str,
    ) -> Result<Self, ContributionError> {
        let submitter_fr = parse_submitter(submitter).map_err(ContributionError::Submitter)?;
        let eval = check(policy, points)?;
        let (plans, chunking) = plan(policy, &shape, points, &eval)?;
        Ok(Self {
            policy,
            shape,
            points,
            submitter_fr,
            eval,
            plans,
            chunking,
        })
    }

    /// Number of chunks the trace will be proven in.
    pub fn chunks(&self) -> usize {
        self.plans.len()
    }

    /// The shape the trace was planned for.
    pub fn shape(&self) -> Shape {
        self.shape
    }

    /// The native evaluation (claims, per-point results).
    pub fn eval(&self) -> &Evaluation {
        &self.eval
    }

    /// Proves the planned chunks with `keys` (of the planned shape). `progress(k, n)` is called
    /// after each chunk.
    pub fn prove<G: RngCore + CryptoRng>(
        self,
        keys: &Keys,
        matrices: &Matrices,
        rng: &mut G,
        progress: impl FnMut(usize, usize),
    ) -> Result<Proven, ContributionError> {
        if keys.shape.name != self.shape.name {
            return Err(ContributionError::ShapeMismatch {
                planned: self.shape.name,
                keys: keys.shape.name,
            });
        }
        let blinding = Fr::rand(rng);
        prove_planned(self, keys, matrices, blinding, rng, progress)
    }

    /// [`Planned::prove`] with a given commitment `blinding` instead of a random one: the chain
    /// states, the commitment and the opening are then fully determined by the trace, and only
    /// the proofs' own randomness (from `rng`) differs between two runs. For tests and for
    /// comparing with [`crate::session`]; a real contribution needs a fresh random blinding
    /// (it hides the trace behind the commitment).
    pub fn prove_with_blinding<G: RngCore + CryptoRng>(
        self,
        keys: &Keys,
        matrices: &Matrices,
        blinding: Fr,
        rng: &mut G,
        progress: impl FnMut(usize, usize),
    ) -> Result<Proven, ContributionError> {
        if keys.shape.name != self.shape.name {
            return Err(ContributionError::ShapeMismatch {
                planned: self.shape.name,
                keys: keys.shape.name,
            });
        }
        prove_planned(self, keys, matrices, blinding, rng, progress)
    }

    /// The chunk plans.
    pub(crate) fn plans(&self) -> &[ChunkPlan] {
        &self.plans
    }

    /// How the trace was chunked.
    pub fn chunking(&self) -> Chunking {
        self.chunking
    }
}

/// Proves a qualifying trace chunk by chunk. `progress(k, n)` is called after each chunk.
///
/// The native check runs first; a trace that breaks a rule is refused before any proving.
/// Chunk witnesses are small (points and a few pieces); the proving memory is one chunk's.
/// Equivalent to [`Planned::new`] for the keys' shape followed by [`Planned::prove`].
pub fn prove_contribution<G: RngCore + CryptoRng>(
    keys: &Keys,
    matrices: &Matrices,
    policy: &Policy,
    points: &[Point],
    submitter: &str,
    rng: &mut G,
    progress: impl FnMut(usize, usize),
) -> Result<Proven, ContributionError> {
    Planned::new(policy, keys.shape, points, submitter)?.prove(keys, matrices, rng, progress)
}

fn prove_planned<G: RngCore + CryptoRng>(
    planned: Planned<'_>,
    keys: &Keys,
    matrices: &Matrices,
    blinding: Fr,
    rng: &mut G,
    mut progress: impl FnMut(usize, usize),
) -> Result<Proven, ContributionError> {
    let Planned {
        policy,
        shape,
        points,
        submitter_fr,
        eval,
        plans,
        chunking,
    } = planned;
    // The chain states are a few field elements per chunk; each chunk's witness is built just
    // before it is proven and dropped after, so memory stays one chunk's whatever the length.
    let states = chain_states(points, &eval, &plans, blinding);
    let ctx = ChunkContext {
        policy,
        shape: &shape,
        points,
        eval: &eval,
        plans: &plans,
        states: &states,
        blinding,
        submitter: submitter_fr,
    };
    let prover = ChunkProver::new(matrices, &keys.pk, keys.meta.qap)?;
    crate::runtime::mem_mark("prover ready");
    let n = plans.len();
    let mut chunks = Vec::with_capacity(n);
    for k in 0..n {
        let w = ctx.witness(k);
        let proof = prover.prove(&w, k, rng)?;
        chunks.push((w.public, proof));
        progress(k + 1, n);
    }
    Ok(assemble(
        policy,
        shape,
        keys,
        submitter_fr,
        blinding,
        &chunks,
        eval,
        chunking,
    ))
}

/// The bundle and opening of proven chunks (in order, each with its public inputs).
#[allow(clippy::too_many_arguments)]
pub(crate) fn assemble(
    policy: &Policy,
    shape: Shape,
    keys: &Keys,
    submitter: Fr,
    blinding: Fr,
    chunks: &[(PublicInputs, Proof<Bn254>)],
    eval: Evaluation,
    chunking: Chunking,
) -> Proven {
    let last = chunks
        .last()
        .map(|c| c.0)
        .expect("a planned trace has at least one chunk");
    let claims = Claims {
        points: last.claimed_points,
        distance_m: last.claimed_distance_m,
        duration_s: last.claimed_duration_s,
    };
    let bundle = Bundle {
        format: BUNDLE_FORMAT.into(),
        shape: shape.name.into(),
        vk_hash: keys.meta.vk_hash.clone(),
        policy_id: encode_fr_hex(&policy.id()),
        submitter: encode_submitter(&submitter),
        claims,
        commitment: encode_fr_hex(&last.commitment),
        contribution_id: encode_fr_hex(&last.contribution_id),
        chunks: chunks
            .iter()
            .map(|(public, proof)| Chunk {
                state_in: encode_fr_hex(&public.state_in),
                state_out: encode_fr_hex(&public.state_out),
                proof: encode_proof_hex(proof),
            })
            .collect(),
    };
    let opening = Opening {
        format: "zkcontrib.opening.v1".into(),
        note: "Private: opens the bundle's commitment. Keep it with the trace; never submit it."
            .into(),
        contribution_id: bundle.contribution_id.clone(),
        commitment: bundle.commitment.clone(),
        blinding: encode_fr_hex(&blinding),
    };
    Proven {
        bundle,
        opening,
        eval,
        chunking,
    }
}
