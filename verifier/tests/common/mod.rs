//! A tiny test circuit: knowledge of `x` with `x² = y`, plus `a·b = c`; public `(y, a, b, c)`.
#![allow(dead_code)]

use ark_bn254::{Bn254, Fr};
use ark_groth16::{Groth16, Proof, ProvingKey, VerifyingKey};
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError};
use ark_snark::SNARK;
use rand::{rngs::StdRng, SeedableRng};

/// Number of public inputs of [`Square`].
pub const NUM_INPUTS: usize = 4;

#[derive(Clone, Copy)]
pub struct Square {
    pub x: Fr,
    pub a: Fr,
    pub b: Fr,
}

impl Square {
    pub fn inputs(&self) -> Vec<Fr> {
        vec![self.x * self.x, self.a, self.b, self.a * self.b]
    }
}

impl ConstraintSynthesizer<Fr> for Square {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        let x = cs.new_witness_variable(|| Ok(self.x))?;
        let y = cs.new_input_variable(|| Ok(self.x * self.x))?;
        let a = cs.new_input_variable(|| Ok(self.a))?;
        let b = cs.new_input_variable(|| Ok(self.b))?;
        let c = cs.new_input_variable(|| Ok(self.a * self.b))?;
        cs.enforce_r1cs_constraint(|| x.into(), || x.into(), || y.into())?;
        cs.enforce_r1cs_constraint(|| a.into(), || b.into(), || c.into())?;
        Ok(())
    }
}

pub fn rng(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}

pub fn setup(seed: u64) -> (ProvingKey<Bn254>, VerifyingKey<Bn254>) {
    let c = Square {
        x: Fr::from(3u64),
        a: Fr::from(1u64),
        b: Fr::from(1u64),
    };
    Groth16::<Bn254>::circuit_specific_setup(c, &mut rng(seed)).expect("setup")
}

pub fn statement(i: u64) -> Square {
    Square {
        x: Fr::from(1000 + i),
        a: Fr::from(7 * i + 1),
        b: Fr::from(11 * i + 2),
    }
}

pub fn prove(pk: &ProvingKey<Bn254>, s: Square, rng: &mut StdRng) -> Proof<Bn254> {
    Groth16::<Bn254>::prove(pk, s, rng).expect("prove")
}

/// A dev circuit with the chunk statement's 11 public inputs (knowledge of `s = Σ x_j`):
/// every input is bound by the proof, and any input vector has a proof, so tests can make
/// bundles of any content in milliseconds.
#[derive(Clone, Copy)]
pub struct Chunk11 {
    pub inputs: [Fr; 11],
}

impl ConstraintSynthesizer<Fr> for Chunk11 {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        let sum: Fr = self.inputs.iter().sum();
        let s = cs.new_witness_variable(|| Ok(sum))?;
        let xs = self
            .inputs
            .iter()
            .map(|&x| cs.new_input_variable(|| Ok(x)))
            .collect::<Result<Vec<_>, _>>()?;
        // (Σ x_j) · 1 = s
        cs.enforce_r1cs_constraint(
            || ark_relations::gr1cs::LinearCombination::sum_vars(&xs),
            || ark_relations::gr1cs::Variable::One.into(),
            || s.into(),
        )?;
        Ok(())
    }
}

pub fn setup11(seed: u64) -> (ProvingKey<Bn254>, VerifyingKey<Bn254>) {
    let c = Chunk11 {
        inputs: [Fr::from(0u64); 11],
    };
    Groth16::<Bn254>::circuit_specific_setup(c, &mut rng(seed)).expect("setup")
}
