//! The tuned proving path.
//!
//! `ark_groth16::Groth16::prove` synthesizes the whole constraint system for every proof:
//! it builds every linear combination, inlines them and turns them into matrices, then
//! computes the QAP witness and the MSMs. For one shape the matrices never change, so the
//! [`ChunkProver`] builds them once ([`Matrices::new`]) and prepares the key's evaluation
//! domains once ([`crate::groth16::Prover`]); per chunk it runs the circuit only to compute
//! the assignment ([`assignment`]: synthesis with matrix construction switched off, so no
//! linear combination or constraint is ever stored — about 2 % of a proof), checks every
//! constraint on the matrix–vector products the QAP needs anyway, and finishes with the tuned
//! MSMs ([`crate::msm`]). The proof is identical to arkworks' for the same randomness.
//!
//! Memory is bounded by one chunk: the matrices, the proving key, and one chunk's assignment
//! and QAP vectors; chunks are proven one after another.

use crate::matrices::{assignment, first_unsatisfied, Matrices};
use crate::qap::{CircomReduction, CosetReduction};
use ark_bn254::{Bn254, Fr};
use ark_ff::UniformRand;
use ark_groth16::r1cs_to_qap::{LibsnarkReduction, R1CSToQAP};
use ark_groth16::{Groth16, Proof, ProvingKey};
use ark_relations::gr1cs::SynthesisError;
use ark_std::rand::{CryptoRng, RngCore};
#[cfg(feature = "bench")]
use zkcontrib_circuits::shape::Shape;
use zkcontrib_circuits::witness::ChunkWitness;
use zkcontrib_verifier::keys::Qap;

/// Why a chunk could not be proven.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProveError {
    /// The witness does not satisfy the circuit (a bug: the native check passed).
    #[error("chunk {chunk}: the witness does not satisfy the circuit (constraint {row}, rule \"{rule}\"); this is a bug in zkcontrib, please report it")]
    Unsatisfied {
        /// Chunk index.
        chunk: usize,
        /// The first unsatisfied constraint.
        row: usize,
        /// The part of the statement it belongs to (`zkcontrib_circuits::circuit::PARTS`), or
        /// `"unknown"`.
        rule: &'static str,
    },
    /// The proving key does not fit the shape's constraint system.
    #[error("the proving key does not fit the circuit: {0}; set the keys up again")]
    Key(#[source] crate::groth16::Groth16Error),
    /// Synthesis failed.
    #[error("chunk {chunk}: {source}")]
    Synthesis {
        /// Chunk index.
        chunk: usize,
        /// The cause.
        source: SynthesisError,
    },
}

/// [`ProveError::Unsatisfied`] for constraint `row`, naming its rule. Only on this failure
/// path (a bug) is the circuit synthesized again to find where `row` belongs.
fn unsatisfied(m: &Matrices, chunk: usize, row: usize) -> ProveError {
    let rule = zkcontrib_circuits::circuit::layout(m.shape)
        .ok()
        .and_then(|l| l.rule_of(row))
        .unwrap_or("unknown");
    ProveError::Unsatisfied { chunk, row, rule }
}

/// The phases of one chunk proof, in order (for progress reports). On the `earth` shape the
/// witness takes a few per cent of a proof, the FFTs about a fifth and the MSMs the rest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ProvePhase {
    /// Running the circuit for its assignment.
    Witness,
    /// The R1CS check and the QAP witness map (four FFTs with the keys of `zkcontrib setup`,
    /// six with arkworks-reduction keys).
    Fft,
    /// The multi-scalar multiplications (A, B in G1 and G2, L, H).
    Msm,
}

/// Why [`ChunkProver::prove_observed`] returned no proof.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ObservedError<E> {
    /// Proving failed.
    #[error(transparent)]
    Prove(#[from] ProveError),
    /// The observer stopped it before a phase.
    #[error("stopped before a proving phase")]
    Stopped(E),
}

impl From<ObservedError<std::convert::Infallible>> for ProveError {
    fn from(e: ObservedError<std::convert::Infallible>) -> Self {
        match e {
            ObservedError::Prove(e) => e,
            ObservedError::Stopped(never) => match never {},
        }
    }
}

/// A shape's matrices and a proving key, prepared once for every chunk of every trace.
pub struct ChunkProver<'a> {
    matrices: &'a Matrices,
    core: crate::groth16::Prover<'a>,
    qap: Qap,
}

impl std::fmt::Debug for ChunkProver<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChunkProver")
            .field("shape", &self.matrices.shape.name)
            .field("qap", &self.qap)
            .finish_non_exhaustive()
    }
}

impl<'a> ChunkProver<'a> {
    /// Prepares the key of `matrices`' shape, made with QAP reduction `qap`.
    pub fn new(
        matrices: &'a Matrices,
        pk: &'a ProvingKey<Bn254>,
        qap: Qap,
    ) -> Result<Self, ProveError> {
        let core = crate::groth16::Prover::new(pk, matrices.num_instance, matrices.num_constraints)
            .map_err(ProveError::Key)?;
        Ok(Self {
            matrices,
            core,
            qap,
        })
    }

    /// Proves chunk `chunk` (its index, for error messages). Every constraint is checked
    /// first, so an unsatisfied witness is an error naming the constraint, never a proof that
    /// fails to verify.
    pub fn prove<G: RngCore + CryptoRng>(
        &self,
        w: &ChunkWitness,
        chunk: usize,
        rng: &mut G,
    ) -> Result<Proof<Bn254>, ProveError> {
        self.prove_observed(w, chunk, rng, |_| Ok::<(), std::convert::Infallible>(()))
            .map_err(ProveError::from)
    }

    /// [`ChunkProver::prove`], calling `before(phase)` as each phase starts; an `Err` from it
    /// stops the proof there (for progress reports and cancellation between phases). The
    /// proof is the same as [`ChunkProver::prove`]'s for the same `rng`.
    pub fn prove_observed<G: RngCore + CryptoRng, E>(
        &self,
        w: &ChunkWitness,
        chunk: usize,
        rng: &mut G,
        mut before: impl FnMut(ProvePhase) -> Result<(), E>,
    ) -> Result<Proof<Bn254>, ObservedError<E>> {
        let syn = |source| ProveError::Synthesis { chunk, source };
        before(ProvePhase::Witness).map_err(ObservedError::Stopped)?;
        // the previous chunk's freed vectors leave resident holes in the heap: released, so
        // that peak memory does not depend on how glibc placed them (≈ 2 % of a proof in page
        // faults at 1 thread on x86-64; every fourth chunk only did not lower the peak:
        // docs/tuning.md)
        crate::runtime::release_free_heap();
        let z = assignment(self.matrices, w).map_err(syn)?;
        crate::runtime::mem_mark("chunk: assignment");
        before(ProvePhase::Fft).map_err(ObservedError::Stopped)?;
        let h = match self.qap {
            Qap::Arkworks => self
                .core
                .witness_map_checked(&self.matrices.abc, &z, true)
                .map_err(ProveError::Key)?
                .map_err(|row| unsatisfied(self.matrices, chunk, row))?,
            Qap::Coset => self
                .core
                .coset_witness_map_checked(&self.matrices.abc, &z, true)
                .map_err(ProveError::Key)?
                .map_err(|row| unsatisfied(self.matrices, chunk, row))?,
            Qap::Circom => {
                if let Some(row) = first_unsatisfied(self.matrices, &z) {
                    return Err(unsatisfied(self.matrices, chunk, row).into());
                }
                crate::qap::circom_witness_map(
                    &self.matrices.abc,
                    self.matrices.num_instance,
                    self.matrices.num_constraints,
                    &z,
                )
                .map_err(syn)?
            }
        };
        crate::runtime::mem_mark("chunk: witness map");
        before(ProvePhase::Msm).map_err(ObservedError::Stopped)?;
        let r = Fr::rand(rng);
        let s = Fr::rand(rng);
        Ok(self
            .core
            .proof_from_witness_map(&z, &h, r, s)
            .map_err(ProveError::Key)?)
    }

    /// The assignment of `w` and its QAP witness map: the inputs of [`ChunkProver::floor_of`],
    /// computed outside the timed part of a floor measurement (feature `bench`).
    #[cfg(feature = "bench")]
    pub fn floor_inputs(&self, w: &ChunkWitness) -> Result<(Vec<Fr>, Vec<Fr>), ProveError> {
        let syn = |source| ProveError::Synthesis { chunk: 0, source };
        let z = assignment(self.matrices, w).map_err(syn)?;
        let abc = &self.matrices.abc;
        let h = match self.qap {
            Qap::Coset => self.core.coset_witness_map(abc, &z),
            _ => self.core.witness_map(abc, &z),
        }
        .map_err(ProveError::Key)?;
        Ok((z, h))
    }

    /// The unavoidable work of one proof for a prepared assignment and witness map (the QAP's
    /// FFTs — four for coset keys, six otherwise — and the MSMs with the proof's scalars, see
    /// [`crate::groth16::Prover::floor`]): what benchmarks compare [`ChunkProver::prove`] with
    /// (feature `bench`).
    #[cfg(feature = "bench")]
    pub fn floor_of(&self, z: &[Fr], h: &[Fr]) -> Result<(), ProveError> {
        self.core
            .floor(z, h, self.qap == Qap::Coset)
            .map(|_| ())
            .map_err(ProveError::Key)
    }
}

/// Proves one chunk on the arkworks core (`create_proof_with_reduction_and_matrices`, with the
/// prebuilt matrices), for keys made with QAP reduction `R`: the reference the tuned
/// [`ChunkProver`] is tested against.
///
/// `check` re-evaluates every constraint first (cheap next to the MSMs) so that an
/// unsatisfied witness is reported as such instead of producing a proof that fails to verify.
pub fn prove_chunk_with<R: R1CSToQAP, G: RngCore + CryptoRng>(
    m: &Matrices,
    pk: &ProvingKey<Bn254>,
    w: &ChunkWitness,
    chunk: usize,
    check: bool,
    rng: &mut G,
) -> Result<Proof<Bn254>, ProveError> {
    let syn = |source| ProveError::Synthesis { chunk, source };
    let z = assignment(m, w).map_err(syn)?;
    if check {
        if let Some(row) = first_unsatisfied(m, &z) {
            return Err(unsatisfied(m, chunk, row));
        }
    }
    let r = Fr::rand(rng);
    let s = Fr::rand(rng);
    Groth16::<Bn254, R>::create_proof_with_reduction_and_matrices(
        pk,
        r,
        s,
        &m.abc.to_ark(),
        m.num_instance,
        m.num_constraints,
        &z,
    )
    .map_err(syn)
}

/// [`prove_chunk_with`] with the reduction `qap` the keys were made for.
pub fn prove_chunk<G: RngCore + CryptoRng>(
    m: &Matrices,
    pk: &ProvingKey<Bn254>,
    qap: Qap,
    w: &ChunkWitness,
    chunk: usize,
    rng: &mut G,
) -> Result<Proof<Bn254>, ProveError> {
    match qap {
        Qap::Arkworks => prove_chunk_with::<LibsnarkReduction, G>(m, pk, w, chunk, true, rng),
        Qap::Coset => prove_chunk_with::<CosetReduction, G>(m, pk, w, chunk, true, rng),
        Qap::Circom => prove_chunk_with::<CircomReduction, G>(m, pk, w, chunk, true, rng),
    }
}

/// The stock arkworks path (`Groth16::prove`: synthesis, then arkworks' prover with the
/// reduction `qap` the keys were made for) on the same circuit and witness, for comparison in
/// the benches (feature `bench`). For `Qap::Arkworks` it is arkworks as shipped.
#[cfg(feature = "bench")]
pub fn prove_chunk_stock<G: RngCore + CryptoRng>(
    shape: Shape,
    pk: &ProvingKey<Bn254>,
    qap: Qap,
    w: &ChunkWitness,
    rng: &mut G,
) -> Result<Proof<Bn254>, SynthesisError> {
    use zkcontrib_circuits::circuit::TraceCircuit;
    let circuit = TraceCircuit {
        shape,
        witness: Some(w.clone()),
    };
    match qap {
        Qap::Arkworks => Groth16::<Bn254>::create_random_proof_with_reduction(circuit, pk, rng),
        Qap::Coset => {
            Groth16::<Bn254, CosetReduction>::create_random_proof_with_reduction(circuit, pk, rng)
        }
        Qap::Circom => {
            Groth16::<Bn254, CircomReduction>::create_random_proof_with_reduction(circuit, pk, rng)
        }
    }
}
