//! circomlib Poseidon as an R1CS gadget: the in-circuit twin of [`crate::poseidon`].
//!
//! [`poseidon`] computes circomlib's `Poseidon(n)` (`n = inputs.len()`, state width
//! `t = n + 1`) with exactly the round structure of `light-poseidon`'s `new_circom` hasher,
//! and with its parameters ([`crate::poseidon::parameters`], read once per width and cached):
//!
//! ```text
//! state = [0 (domain tag), x_1, …, x_n]
//! for round r in 0 .. R_F + R_P:
//!     state[i] += ark[r·t + i]                      // round constants: linear
//!     full round (first and last R_F/2):  state[i] = state[i]^5 for every i
//!     partial round (the R_P in between): state[0] = state[0]^5 only
//!     state = MDS · state                           // linear
//! output state[0]
//! ```
//!
//! # Cost
//!
//! The state is carried as linear combinations: round constants and the MDS product are folded
//! into one symbolic linear combination per state element and round, which costs no
//! constraint. Only the x^5 S-box on a non-constant element costs anything: 3 multiplication
//! constraints (`x2 = x·x`, `x4 = x2·x2`, `y = x4·x`), each allocating one witness. An S-box on
//! a constant is evaluated natively for free. In the first round the domain-tag element is the
//! constant `0 + ark[0]`, so its S-box is free, and so is the one of every constant input;
//! after the first MDS every element depends on every input (the circomlib MDS matrices are
//! Cauchy matrices: no zero entry). Hence, for `n` inputs of which `k ≥ 1` are variables:
//!
//! ```text
//! constraints = 3 · (R_F·t + R_P − 1 − (n − k))      // t = n + 1
//! ```
//!
//! which is [`poseidon_constraints`] for `k = n`, and 0 for all-constant inputs (the output is
//! then a constant). This matches circomlib's own count for `Poseidon(n)` (e.g. 240 for
//! `Poseidon(2)`).

use ark_bn254::Fr;
use ark_ff::{Field, Zero};
use ark_r1cs_std::fields::{
    fp::{AllocatedFp, FpVar},
    FieldVar,
};
use ark_relations::gr1cs::{ConstraintSystemRef, LinearCombination, SynthesisError, Variable};

use crate::poseidon::{parameters, MAX_INPUTS};

/// Multiplication constraints of one x^5 S-box on a non-constant value.
pub const SBOX_CONSTRAINTS: usize = 3;

/// Constraints of [`poseidon`] on `n_inputs` non-constant inputs:
/// `3 · (R_F·t + R_P − 1)` with `t = n_inputs + 1` and circomlib's round numbers for that
/// width (`R_F = 8`, `R_P` = 56…65). The `− 1` is the first-round S-box on the constant
/// domain-tag element, which is free. All-constant inputs cost 0.
///
/// # Panics
/// If `n_inputs` is not in `1..=`[`MAX_INPUTS`]: arities are fixed by the circuit, never by
/// user data.
pub fn poseidon_constraints(n_inputs: usize) -> usize {
    let p = parameters(n_inputs)
        .unwrap_or_else(|| panic!("poseidon arity {n_inputs} out of range 1..={MAX_INPUTS}"));
    SBOX_CONSTRAINTS * (p.full_rounds * p.width + p.partial_rounds - 1)
}

/// circomlib `Poseidon(inputs.len())` in-circuit: equal to
/// [`crate::poseidon::poseidon`] on the same values.
///
/// Costs [`poseidon_constraints`]`(inputs.len())` constraints when every input is a variable,
/// 3 fewer per constant input, and none when all inputs are constants (the output is then a
/// [`FpVar::Constant`]). The output is a linear combination of S-box outputs; no constraint
/// binds it to a fresh variable.
///
/// # Errors
/// [`SynthesisError::ArityMismatch`] if `inputs` is empty or longer than [`MAX_INPUTS`]
/// (nothing is allocated then); [`SynthesisError::MissingCS`] and other errors of the
/// constraint system are passed through.
pub fn poseidon(inputs: &[FpVar<Fr>]) -> Result<FpVar<Fr>, SynthesisError> {
    let params = parameters(inputs.len()).ok_or(SynthesisError::ArityMismatch)?;
    let t = params.width;
    let half_full = params.full_rounds / 2;
    let rounds = params.full_rounds + params.partial_rounds;
    let ark = |round: usize| &params.ark[round * t..(round + 1) * t];

    // state = [0, x_1, …, x_n] + ark(0): linear, no constraint.
    let mut state: Vec<FpVar<Fr>> = std::iter::once(FpVar::Constant(Fr::zero()))
        .chain(inputs.iter().cloned())
        .zip(ark(0))
        .map(|(x, c)| x + *c)
        .collect();

    for round in 0..rounds {
        let full = round < half_full || round >= half_full + params.partial_rounds;
        if full {
            for x in state.iter_mut() {
                *x = sbox(x)?;
            }
        } else {
            state[0] = sbox(&state[0])?;
        }
        if round + 1 == rounds {
            break;
        }
        // state'[i] = Σ_j mds[i][j]·state[j] + ark(round + 1)[i]: linear, no constraint.
        let next = ark(round + 1);
        state = params
            .mds
            .iter()
            .zip(next)
            .map(|(row, c)| affine(row, &state, *c))
            .collect::<Result<_, _>>()?;
    }
    // Last round's MDS: only state[0] is output.
    // out = Σ_j mds[0][j]·state[j]: linear, no constraint.
    affine(&params.mds[0], &state, Fr::zero())
}

/// The x^5 S-box: 3 constraints on a variable, none on a constant.
fn sbox(x: &FpVar<Fr>) -> Result<FpVar<Fr>, SynthesisError> {
    if let FpVar::Constant(c) = x {
        return Ok(FpVar::Constant(c.square().square() * c));
    }
    // y = x^5: x2 = x·x, x4 = x2·x2, y = x4·x (one constraint and one witness each)
    let x2 = x.square()?;
    let x4 = x2.square()?;
    Ok(x4 * x)
}

/// `Σ_j coeffs[j]·xs[j] + constant` as a single symbolic linear combination: no constraint,
/// no witness. Constant terms are folded natively; all-constant terms give a constant.
fn affine(coeffs: &[Fr], xs: &[FpVar<Fr>], constant: Fr) -> Result<FpVar<Fr>, SynthesisError> {
    debug_assert_eq!(coeffs.len(), xs.len());
    let mut constant = constant;
    let mut terms = Vec::with_capacity(xs.len() + 1);
    let mut value = Some(Fr::zero());
    let mut cs = ConstraintSystemRef::None;
    for (c, x) in coeffs.iter().zip(xs) {
        match x {
            FpVar::Constant(v) => constant += *c * v,
            FpVar::Var(v) => {
                cs = cs.or(v.cs.clone());
                value = value.zip(v.value().ok()).map(|(acc, v)| acc + *c * v);
                terms.push((*c, v.variable));
            }
        }
    }
    if terms.is_empty() {
        return Ok(FpVar::Constant(constant));
    }
    if !constant.is_zero() {
        terms.push((constant, Variable::One));
    }
    let value = value.map(|v| v + constant);
    let variable = cs.new_lc(|| {
        let mut lc = LinearCombination(terms);
        lc.compactify();
        lc
    })?;
    Ok(FpVar::Var(AllocatedFp::new(value, variable, cs)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::poseidon::{fr_to_hex, poseidon as native};
    use ark_ff::{One, UniformRand};
    use ark_r1cs_std::{
        alloc::{AllocVar, AllocationMode},
        eq::EqGadget,
        GR1CSVar,
    };
    use ark_relations::gr1cs::{
        mat_vec_mul, ConstraintSystem, SynthesisMode, R1CS_PREDICATE_LABEL,
    };
    use rand::{rngs::StdRng, SeedableRng};

    /// Measured constraint counts of `poseidon` on `n` witness inputs, `n = 1..=12`
    /// (`3·(8·t + R_P − 1)`, `R_P` = 56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65).
    const PINNED: [usize; MAX_INPUTS] =
        [213, 240, 261, 297, 321, 354, 381, 402, 417, 459, 465, 504];

    fn random_inputs(n: usize, seed: u64) -> Vec<Fr> {
        let mut rng = StdRng::seed_from_u64(seed);
        (0..n).map(|_| Fr::rand(&mut rng)).collect()
    }

    fn alloc(
        cs: &ConstraintSystemRef<Fr>,
        values: &[Fr],
        mode: impl Fn(usize) -> AllocationMode,
    ) -> Vec<FpVar<Fr>> {
        values
            .iter()
            .enumerate()
            .map(|(i, v)| FpVar::new_variable(cs.clone(), || Ok(*v), mode(i)).unwrap())
            .collect()
    }

    /// The full assignment `z = (1, instance…, witness…)` in the matrices' column order.
    fn assignment(cs: &ConstraintSystemRef<Fr>) -> Vec<Fr> {
        let mut z = cs.instance_assignment().unwrap();
        z.extend(cs.witness_assignment().unwrap());
        z
    }

    /// `A·z ∘ B·z == C·z` on the finalized matrices: what a Groth16 prover is held to,
    /// independent of the constraint system's cached linear-combination values.
    fn r1cs_holds(cs: &ConstraintSystemRef<Fr>, z: &[Fr]) -> bool {
        let matrices = cs.to_matrices().unwrap();
        let abc = &matrices[R1CS_PREDICATE_LABEL];
        let (a, b, c) = (
            mat_vec_mul(&abc[0], z),
            mat_vec_mul(&abc[1], z),
            mat_vec_mul(&abc[2], z),
        );
        a.iter().zip(&b).zip(&c).all(|((a, b), c)| *a * b == *c)
    }

    /// Expected cost for `n` inputs of which `n_const` are constants.
    fn expected_constraints(n: usize, n_const: usize) -> usize {
        if n_const == n {
            0
        } else {
            poseidon_constraints(n) - SBOX_CONSTRAINTS * n_const
        }
    }

    #[test]
    fn matches_native_in_every_allocation_mode() {
        type Mode = fn(usize) -> AllocationMode;
        let modes: [(&str, Mode); 5] = [
            ("constant", |_| AllocationMode::Constant),
            ("input", |_| AllocationMode::Input),
            ("witness", |_| AllocationMode::Witness),
            ("mixed", |i| match i % 3 {
                0 => AllocationMode::Witness,
                1 => AllocationMode::Constant,
                _ => AllocationMode::Input,
            }),
            ("mostly constant", |i| {
                if i == 1 {
                    AllocationMode::Witness
                } else {
                    AllocationMode::Constant
                }
            }),
        ];
        for n in 1..=MAX_INPUTS {
            for (m, (name, mode)) in modes.iter().enumerate() {
                let values = random_inputs(n, (n * 16 + m) as u64);
                let cs = ConstraintSystem::<Fr>::new_ref();
                let vars = alloc(&cs, &values, mode);
                let n_const = vars.iter().filter(|v| v.is_constant()).count();
                let out = poseidon(&vars).unwrap();
                assert_eq!(out.value().unwrap(), native(&values), "n={n} {name}");
                assert_eq!(out.is_constant(), n_const == n, "n={n} {name}");
                assert!(cs.is_satisfied().unwrap(), "n={n} {name}");
                assert_eq!(
                    cs.num_constraints(),
                    expected_constraints(n, n_const),
                    "n={n} {name}"
                );
                cs.finalize();
                assert!(r1cs_holds(&cs, &assignment(&cs)), "n={n} {name}");
            }
        }
    }

    #[test]
    fn circomlibjs_vectors() {
        for mode in [AllocationMode::Constant, AllocationMode::Witness] {
            let cs = ConstraintSystem::<Fr>::new_ref();
            let h2 = poseidon(&alloc(&cs, &[1u64, 2].map(Fr::from), |_| mode)).unwrap();
            let h4 = poseidon(&alloc(&cs, &[1u64, 2, 3, 4].map(Fr::from), |_| mode)).unwrap();
            assert_eq!(
                fr_to_hex(&h2.value().unwrap()),
                "0x115cc0f5e7d690413df64c6b9662e9cf2a3617f2743245519e19607a4417189a"
            );
            assert_eq!(
                fr_to_hex(&h4.value().unwrap()),
                "0x299c867db6c1fdd79dcefa40e4510b9837e60ebb1ce0663dbaa525df65250465"
            );
            assert!(cs.is_satisfied().unwrap());
        }
    }

    #[test]
    fn pinned_constraint_counts() {
        for n in 1..=MAX_INPUTS {
            assert_eq!(poseidon_constraints(n), PINNED[n - 1], "formula, n={n}");
            let p = parameters(n).unwrap();
            assert_eq!(
                PINNED[n - 1],
                3 * (p.full_rounds * (n + 1) + p.partial_rounds - 1),
                "n={n}"
            );

            let cs = ConstraintSystem::<Fr>::new_ref();
            let values = random_inputs(n, n as u64);
            let _ = poseidon(&alloc(&cs, &values, |_| AllocationMode::Witness)).unwrap();
            assert_eq!(cs.num_constraints(), PINNED[n - 1], "n={n}");
            // One fresh witness per constraint, on top of the n inputs.
            assert_eq!(cs.num_witness_variables(), n + PINNED[n - 1], "n={n}");

            // Same shape in setup mode (no values), as during Groth16 key generation.
            let setup = ConstraintSystem::<Fr>::new_ref();
            setup.set_mode(SynthesisMode::Setup);
            let vars: Vec<_> = (0..n)
                .map(|_| {
                    FpVar::new_witness(setup.clone(), || -> Result<Fr, _> {
                        Err(SynthesisError::AssignmentMissing)
                    })
                    .unwrap()
                })
                .collect();
            let out = poseidon(&vars).unwrap();
            assert!(out.value().is_err());
            assert_eq!(setup.num_constraints(), PINNED[n - 1], "setup, n={n}");

            let constants = ConstraintSystem::<Fr>::new_ref();
            let out = poseidon(&alloc(&constants, &values, |_| AllocationMode::Constant)).unwrap();
            assert!(out.is_constant());
            assert_eq!(constants.num_constraints(), 0, "constants, n={n}");
            assert_eq!(constants.num_witness_variables(), 0, "constants, n={n}");
        }
    }

    #[test]
    fn wrong_output_is_rejected() {
        let values = random_inputs(3, 7);
        let h = native(&values);
        for (claimed, ok) in [(h, true), (h + Fr::one(), false)] {
            let cs = ConstraintSystem::<Fr>::new_ref();
            let vars = alloc(&cs, &values, |_| AllocationMode::Witness);
            let out = poseidon(&vars).unwrap();
            let claim = FpVar::new_input(cs.clone(), || Ok(claimed)).unwrap();
            out.enforce_equal(&claim).unwrap();
            assert_eq!(cs.num_constraints(), poseidon_constraints(3) + 1);
            assert_eq!(cs.is_satisfied().unwrap(), ok);
            assert_eq!(cs.which_is_unsatisfied().unwrap().is_none(), ok);
            cs.finalize();
            assert_eq!(r1cs_holds(&cs, &assignment(&cs)), ok);
        }
    }

    #[test]
    fn changed_input_is_rejected() {
        // The public output of one input vector does not accept another one.
        let values = random_inputs(4, 11);
        let h = native(&values);
        for i in 0..values.len() {
            let mut other = values.clone();
            other[i] += Fr::one();
            let cs = ConstraintSystem::<Fr>::new_ref();
            let out = poseidon(&alloc(&cs, &other, |_| AllocationMode::Witness)).unwrap();
            let claim = FpVar::new_input(cs.clone(), || Ok(h)).unwrap();
            out.enforce_equal(&claim).unwrap();
            assert!(cs.which_is_unsatisfied().unwrap().is_some(), "input {i}");
        }
    }

    #[test]
    fn every_tampered_variable_is_caught() {
        // A satisfying assignment with any single variable changed (input, intermediate
        // witness, public output) no longer satisfies the finalized R1CS: nothing is unused.
        // (A weak check on its own: an unconstrained intermediate would still be caught by its
        // honest downstream consumers. `witness_is_determined_by_inputs` is the real one.)
        let values = random_inputs(2, 3);
        let cs = ConstraintSystem::<Fr>::new_ref();
        let mut vars = alloc(&cs, &values[..1], |_| AllocationMode::Input);
        vars.extend(alloc(&cs, &values[1..], |_| AllocationMode::Witness));
        let out = poseidon(&vars).unwrap();
        let claim = FpVar::new_input(cs.clone(), || Ok(native(&values))).unwrap();
        out.enforce_equal(&claim).unwrap();
        cs.finalize();
        let z = assignment(&cs);
        assert_eq!(z.len(), 1 + 2 + 1 + poseidon_constraints(2));
        assert!(r1cs_holds(&cs, &z));
        for k in 1..z.len() {
            let mut bad = z.clone();
            bad[k] += Fr::one();
            assert!(!r1cs_holds(&cs, &bad), "variable {k} is unconstrained");
        }
    }

    #[test]
    fn witness_is_determined_by_inputs() {
        // Soundness by structure: constraint k defines the k-th intermediate witness w_k
        // (`C_k = w_k`) from the inputs and w_0 … w_{k-1} only (`A_k`, `B_k`). So the inputs
        // fix every witness, hence the output (a linear combination of them), and the output
        // is the native hash by `matches_native_in_every_allocation_mode`: a malicious prover
        // has no freedom left.
        for n in [1, 2, 5, MAX_INPUTS] {
            let cs = ConstraintSystem::<Fr>::new_ref();
            let values = random_inputs(n, 100 + n as u64);
            let _ = poseidon(&alloc(&cs, &values, |_| AllocationMode::Witness)).unwrap();
            cs.finalize();
            let matrices = cs.to_matrices().unwrap();
            let [a, b, c] = &matrices[R1CS_PREDICATE_LABEL][..] else {
                panic!("R1CS has three matrices");
            };
            let first_w = cs.num_instance_variables() + n;
            assert_eq!(c.len(), poseidon_constraints(n));
            assert_eq!(cs.num_witness_variables(), n + c.len());
            for k in 0..c.len() {
                assert_eq!(c[k], vec![(Fr::one(), first_w + k)], "n={n}: C row {k}");
                for row in [&a[k], &b[k]] {
                    assert!(!row.is_empty(), "n={n}: row {k} is empty");
                    assert!(
                        row.iter().all(|&(_, col)| col < first_w + k),
                        "n={n}: row {k} uses a later witness"
                    );
                }
            }
        }
    }

    #[test]
    fn bad_arity_is_an_error() {
        let cs = ConstraintSystem::<Fr>::new_ref();
        assert!(matches!(poseidon(&[]), Err(SynthesisError::ArityMismatch)));
        let too_many = alloc(&cs, &random_inputs(MAX_INPUTS + 1, 5), |_| {
            AllocationMode::Witness
        });
        assert!(matches!(
            poseidon(&too_many),
            Err(SynthesisError::ArityMismatch)
        ));
        assert_eq!(cs.num_constraints(), 0);
    }
}
