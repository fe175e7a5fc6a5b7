//! A synthetic circuit with the prover's mix of witness values: bits (boolean constraints and
//! a packing), products of short integers (26-bit factors, 52-bit products) and a
//! Poseidon-like chain of `x ↦ x⁵ + c` rounds (full-width values). Shared by the groth16
//! tests and the proving example through `#[path]`.

use ark_bn254::Fr;
use ark_ff::Field;
use ark_r1cs_std::{
    alloc::AllocVar, boolean::Boolean, eq::EqGadget, fields::fp::FpVar, fields::FieldVar,
};
use ark_relations::gr1cs::Matrix;
use ark_relations::gr1cs::{
    ConstraintSynthesizer, ConstraintSystem, ConstraintSystemRef, OptimizationGoal, SynthesisError,
    SynthesisMode, R1CS_PREDICATE_LABEL,
};
use rand::{rngs::StdRng, Rng, SeedableRng};

/// Sizes of the three parts.
#[derive(Clone, Copy, Debug)]
pub struct Sizes {
    /// Boolean witnesses (one constraint each) packed in groups of 64.
    pub bits: usize,
    /// Products of two 26-bit witnesses (one constraint each).
    pub products: usize,
    /// `x⁵ + c` rounds (three constraints each).
    pub rounds: usize,
}

impl Sizes {
    /// About `n` constraints: half bits, a quarter products, a quarter rounds.
    pub fn about(n: usize) -> Self {
        Self {
            bits: n / 2,
            products: n / 4,
            rounds: n / 12,
        }
    }
}

/// The circuit; `values` is `None` in setup mode.
#[derive(Clone)]
pub struct MixedCircuit {
    /// Sizes.
    pub sizes: Sizes,
    /// Witness values, from a seed.
    pub values: Option<Values>,
}

/// Witness values.
#[derive(Clone)]
pub struct Values {
    bits: Vec<bool>,
    factors: Vec<u64>,
    start: Fr,
    rounds: usize,
}

impl Values {
    /// Seeded random values.
    pub fn random(sizes: Sizes, seed: u64) -> Self {
        let mut rng = StdRng::seed_from_u64(seed);
        Self {
            bits: (0..sizes.bits).map(|_| rng.gen()).collect(),
            factors: (0..=sizes.products)
                .map(|_| rng.gen::<u64>() & ((1 << 26) - 1))
                .collect(),
            start: Fr::from(rng.gen::<u64>()),
            rounds: sizes.rounds,
        }
    }

    /// The public inputs: packed-bit sum, product sum, final chain state.
    pub fn public(&self) -> Vec<Fr> {
        let mut packed = Fr::from(0u64);
        for chunk in self.bits.chunks(64) {
            let mut v = Fr::from(0u64);
            for (i, b) in chunk.iter().enumerate() {
                if *b {
                    v += Fr::from(2u64).pow([i as u64]);
                }
            }
            packed += v;
        }
        let prods: Fr = self
            .factors
            .windows(2)
            .map(|w| Fr::from(w[0]) * Fr::from(w[1]))
            .sum();
        vec![packed, prods, self.chain_end()]
    }

    fn chain_end(&self) -> Fr {
        let mut x = self.start;
        for j in 0..self.rounds {
            x = x.pow([5]) + Fr::from(j as u64 + 7);
        }
        x
    }
}

impl ConstraintSynthesizer<Fr> for MixedCircuit {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        let v = self.values.as_ref();
        let public = v.map(|v| v.public());
        let input = |i: usize| {
            FpVar::new_input(cs.clone(), || {
                public
                    .as_ref()
                    .map(|p| p[i])
                    .ok_or(SynthesisError::AssignmentMissing)
            })
        };
        let (in_bits, in_prods, in_chain) = (input(0)?, input(1)?, input(2)?);

        // bits, packed 64 at a time: Σ_chunks Σ b_i 2^i = in_bits
        let mut packed = FpVar::constant(Fr::from(0u64));
        for k in (0..self.sizes.bits).step_by(64) {
            let bits = (k..(k + 64).min(self.sizes.bits))
                .map(|i| {
                    Boolean::new_witness(cs.clone(), || {
                        v.map(|v| v.bits[i])
                            .ok_or(SynthesisError::AssignmentMissing)
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            packed += Boolean::le_bits_to_fp(&bits)?;
        }
        packed.enforce_equal(&in_bits)?;

        // products of consecutive factors: Σ f_i·f_{i+1} = in_prods
        let factors = (0..=self.sizes.products)
            .map(|i| {
                FpVar::new_witness(cs.clone(), || {
                    v.map(|v| Fr::from(v.factors[i]))
                        .ok_or(SynthesisError::AssignmentMissing)
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut prods = FpVar::constant(Fr::from(0u64));
        for w in factors.windows(2) {
            prods += &w[0] * &w[1];
        }
        prods.enforce_equal(&in_prods)?;

        // x_{j+1} = x_j⁵ + (j + 7), x_0 = start
        let mut x = FpVar::new_witness(cs.clone(), || {
            v.map(|v| v.start).ok_or(SynthesisError::AssignmentMissing)
        })?;
        for j in 0..self.sizes.rounds {
            let x2 = x.square()?;
            let x4 = x2.square()?;
            x = &x4 * &x + FpVar::constant(Fr::from(j as u64 + 7));
        }
        x.enforce_equal(&in_chain)?;
        Ok(())
    }
}

/// Matrices and sizes of a synthesized circuit, as `matrices::Matrices::new` extracts them.
pub struct Extracted {
    /// `[A, B, C]`.
    pub abc: Vec<Matrix<Fr>>,
    /// Instance variables including the constant 1.
    pub num_instance: usize,
    /// Constraints.
    pub num_constraints: usize,
    /// Full assignment `[1, inputs…, witnesses…]` (when synthesized with values).
    pub z: Vec<Fr>,
}

/// Synthesizes `c` in prove mode with matrices and returns everything a prover needs.
pub fn extract(c: MixedCircuit) -> Extracted {
    let cs = ConstraintSystem::<Fr>::new_ref();
    cs.set_optimization_goal(OptimizationGoal::Constraints);
    cs.set_mode(SynthesisMode::Prove {
        construct_matrices: true,
        generate_lc_assignments: false,
    });
    c.generate_constraints(cs.clone()).unwrap();
    cs.finalize();
    assert!(cs.is_satisfied().unwrap());
    let mut all = cs.to_matrices().unwrap();
    let abc = all.remove(R1CS_PREDICATE_LABEL).unwrap();
    let num_instance = cs.num_instance_variables();
    let num_constraints = cs.num_constraints();
    let cs = cs.into_inner().unwrap();
    let mut z = cs.instance_assignment().unwrap().to_vec();
    z.extend_from_slice(cs.witness_assignment().unwrap());
    Extracted {
        abc,
        num_instance,
        num_constraints,
        z,
    }
}

impl Extracted {
    /// arkworks' proof for this assignment (libsnark reduction, what `Groth16::prove` runs
    /// after synthesis) with blinding `r, s`.
    pub fn arkworks_proof(
        &self,
        pk: &ark_groth16::ProvingKey<ark_bn254::Bn254>,
        r: Fr,
        s: Fr,
    ) -> ark_groth16::Proof<ark_bn254::Bn254> {
        use ark_groth16::{r1cs_to_qap::LibsnarkReduction, Groth16};
        Groth16::<ark_bn254::Bn254, LibsnarkReduction>::create_proof_with_reduction_and_matrices(
            pk,
            r,
            s,
            &self.abc,
            self.num_instance,
            self.num_constraints,
            &self.z,
        )
        .unwrap()
    }
}
