//! A shape's constraint matrices, built once per shape, and what is computed from them alone:
//! a chunk's full assignment (the circuit run without building constraints) and the check of
//! an assignment against the matrices.
//!
//! Read by the tuned prover ([`crate::prove`]), the key setup and import ([`crate::keys`]),
//! the prepared key cache ([`crate::prepared`]) and the circom/snarkjs interop
//! ([`crate::interop`]), none of which this module imports.

use crate::sparse::SparseMatrices;
use ark_bn254::Fr;
use ark_relations::gr1cs::{
    ConstraintSynthesizer, ConstraintSystem, OptimizationGoal, SynthesisError, SynthesisMode,
    R1CS_PREDICATE_LABEL,
};
use zkcontrib_circuits::circuit::TraceCircuit;
use zkcontrib_circuits::shape::Shape;
use zkcontrib_circuits::witness::ChunkWitness;

/// A shape's constraint matrices, built once and reused for every proof.
pub struct Matrices {
    /// The shape.
    pub shape: Shape,
    /// `[A, B, C]` of the R1CS predicate, in the compact form ([`SparseMatrices`]: 8 bytes
    /// per nonzero instead of arkworks' 40; `to_ark` gives arkworks' form).
    pub abc: SparseMatrices,
    /// Instance variables, including the constant 1.
    pub num_instance: usize,
    /// Witness variables.
    pub num_witness: usize,
    /// Constraints.
    pub num_constraints: usize,
}

impl std::fmt::Debug for Matrices {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Matrices")
            .field("shape", &self.shape.name)
            .field("num_constraints", &self.num_constraints)
            .finish_non_exhaustive()
    }
}

impl Matrices {
    /// Synthesizes `shape` in setup mode and keeps its matrices.
    pub fn new(shape: Shape) -> Result<Self, SynthesisError> {
        let cs = ConstraintSystem::<Fr>::new_ref();
        cs.set_optimization_goal(OptimizationGoal::Constraints);
        cs.set_mode(SynthesisMode::Setup);
        TraceCircuit {
            shape,
            witness: None,
        }
        .generate_constraints(cs.clone())?;
        cs.finalize();
        let mut all = cs.to_matrices()?;
        let abc = all
            .remove(R1CS_PREDICATE_LABEL)
            .ok_or(SynthesisError::PredicateNotFound)?;
        drop(all);
        let abc = SparseMatrices::from_ark(&abc).map_err(|_| SynthesisError::PredicateNotFound)?;
        Ok(Self {
            shape,
            abc,
            num_instance: cs.num_instance_variables(),
            num_witness: cs.num_witness_variables(),
            num_constraints: cs.num_constraints(),
        })
    }
}

/// The full assignment `[1, public inputs…, witnesses…]` of a chunk, computed without building
/// any constraint.
pub fn assignment(m: &Matrices, w: &ChunkWitness) -> Result<Vec<Fr>, SynthesisError> {
    let cs = ConstraintSystem::<Fr>::new_ref();
    cs.set_optimization_goal(OptimizationGoal::Constraints);
    cs.set_mode(SynthesisMode::Prove {
        construct_matrices: false,
        generate_lc_assignments: false,
    });
    TraceCircuit {
        shape: m.shape,
        witness: Some(w.clone()),
    }
    .generate_constraints(cs.clone())?;
    let cs = cs.into_inner().ok_or(SynthesisError::MissingCS)?;
    let mut full = cs.instance_assignment()?.to_vec();
    full.extend_from_slice(cs.witness_assignment()?);
    if full.len() != m.num_instance + m.num_witness {
        return Err(SynthesisError::Unsatisfiable);
    }
    Ok(full)
}

/// Checks an assignment against the matrices: `⟨A_i,z⟩·⟨B_i,z⟩ = ⟨C_i,z⟩` for every row.
/// Returns the first failing row.
pub fn first_unsatisfied(m: &Matrices, z: &[Fr]) -> Option<usize> {
    let dot = |k: usize, i: usize| m.abc.dot(m.abc.matrix(k).row(i), z);
    (0..m.num_constraints).find(|&i| dot(0, i) * dot(1, i) != dot(2, i))
}
