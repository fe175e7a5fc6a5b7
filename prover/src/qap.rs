//! The circom/snarkjs R1CS-to-QAP reduction, for keys imported from a snarkjs `.zkey`.
//!
//! Both reductions use the same QAP: over the domain `H` of size `n ≥ constraints + instance
//! variables`, row `i < constraints` is constraint `i`, and row `constraints + j` is the extra
//! "input constraint" `x_j · 0 = 0` on the A side that keeps the public-input polynomials
//! independent. `a(X)·b(X) − c(X) = h(X)·Z(X)` with `Z(X) = Xⁿ − 1`. What differs is how the
//! proving key encodes `h(τ)Z(τ)/δ`:
//!
//! * arkworks ([`LibsnarkReduction`]): `h_query[i] = τⁱ·Z(τ)/δ`, and the prover computes the
//!   coefficients of `h` (evaluate on a coset, divide by `Z`, interpolate);
//! * snarkjs: `h_query[i] = L_{2i+1}(τ)/δ`, the Lagrange basis of the domain of size `2n` at its
//!   odd points `ω_{2n}^{2i+1}` (the coset `ω_{2n}·H`), and the prover supplies the values of
//!   `p = a·b − c` at those points. Since `p` has degree `≤ 2n − 2` and vanishes on `H` (the
//!   even points), `Σ_i p(ω_{2n}^{2i+1})·L_{2i+1}(τ) = p(τ) = h(τ)Z(τ)`: no division by `Z`.
//!
//! Everything else in the key (`A`, `B`, `C`/`L`, `IC` queries) is the same, so
//! [`CircomReduction`] reuses arkworks' instance map; the math follows ark-circom's
//! `CircomReduction` and snarkjs' `groth16_prove.js`.

use crate::sparse::{ConstraintMatrices, SparseMatrices};
use ark_bn254::Fr;
use ark_ff::{PrimeField, Zero};
use ark_groth16::r1cs_to_qap::{evaluate_constraint, LibsnarkReduction, R1CSToQAP};
use ark_poly::EvaluationDomain;
use ark_relations::gr1cs::{ConstraintSystemRef, Matrix, SynthesisError};
use ark_std::{cfg_into_iter, cfg_iter_mut};

#[cfg(feature = "parallel")]
use rayon::prelude::*;

/// The R1CS-to-QAP reduction of circom and snarkjs (see the module docs).
#[derive(Clone, Copy, Debug, Default)]
pub struct CircomReduction;

/// `ω_{2n}`: the generator of the domain of twice the size of `domain`.
fn half_step<F: PrimeField, D: EvaluationDomain<F>>(domain: &D) -> Result<F, SynthesisError> {
    Ok(D::new(2 * domain.size())
        .ok_or(SynthesisError::PolynomialDegreeTooLarge)?
        .group_gen())
}

/// From `A·z`, `B·z`, `C·z` on the constraint rows of `a`, `b`, `c` (each of the domain size,
/// zero beyond): the values of `a·b − c` at the odd points `ω_{2n}·H` (adds the input
/// constraints first).
fn odd_point_values<F: PrimeField, D: EvaluationDomain<F>>(
    mut a: Vec<F>,
    mut b: Vec<F>,
    mut c: Vec<F>,
    num_inputs: usize,
    num_constraints: usize,
    full_assignment: &[F],
) -> Result<Vec<F>, SynthesisError> {
    let domain =
        D::new(num_constraints + num_inputs).ok_or(SynthesisError::PolynomialDegreeTooLarge)?;
    let odd = domain
        .get_coset(half_step(&domain)?)
        .ok_or(SynthesisError::PolynomialDegreeTooLarge)?;
    // The input constraints: x_j · 0 = 0.
    a[num_constraints..num_constraints + num_inputs]
        .copy_from_slice(&full_assignment[..num_inputs]);
    // Values on H -> coefficients -> values on the odd points ω_{2n}·H.
    for v in [&mut a, &mut b, &mut c] {
        domain.ifft_in_place(v);
        odd.fft_in_place(v);
    }
    cfg_iter_mut!(a)
        .zip(&b)
        .zip(&c)
        .for_each(|((a, b), c)| *a = *a * b - c);
    Ok(a)
}

/// [`CircomReduction`]'s witness map on the prover's compact matrices: the same values as
/// `CircomReduction::witness_map_from_matrices` on arkworks' form of `abc`.
pub fn circom_witness_map(
    abc: &SparseMatrices,
    num_inputs: usize,
    num_constraints: usize,
    full_assignment: &[Fr],
) -> Result<Vec<Fr>, SynthesisError> {
    type D = ark_poly::GeneralEvaluationDomain<Fr>;
    let n = D::new(num_constraints + num_inputs)
        .ok_or(SynthesisError::PolynomialDegreeTooLarge)?
        .size();
    if abc.rows() < num_constraints || n < num_constraints + num_inputs {
        return Err(SynthesisError::Unsatisfiable);
    }
    let mut v = [
        vec![Fr::zero(); n],
        vec![Fr::zero(); n],
        vec![Fr::zero(); n],
    ];
    for (k, out) in v.iter_mut().enumerate() {
        abc.mat_vec(k, full_assignment, &mut out[..num_constraints]);
    }
    let [a, b, c] = v;
    odd_point_values::<Fr, D>(a, b, c, num_inputs, num_constraints, full_assignment)
}

impl R1CSToQAP for CircomReduction {
    #[allow(clippy::type_complexity)]
    fn instance_map_with_evaluation<F: PrimeField, D: EvaluationDomain<F>>(
        cs: ConstraintSystemRef<F>,
        t: &F,
    ) -> Result<(Vec<F>, Vec<F>, Vec<F>, F, usize, usize), SynthesisError> {
        // Same QAP polynomials, input constraints included.
        LibsnarkReduction::instance_map_with_evaluation::<F, D>(cs, t)
    }

    fn witness_map_from_matrices<F: PrimeField, D: EvaluationDomain<F>>(
        matrices: &[Matrix<F>],
        num_inputs: usize,
        num_constraints: usize,
        full_assignment: &[F],
    ) -> Result<Vec<F>, SynthesisError> {
        let [ma, mb, mc] = matrices else {
            return Err(SynthesisError::PredicateNotFound);
        };
        let n = D::new(num_constraints + num_inputs)
            .ok_or(SynthesisError::PolynomialDegreeTooLarge)?
            .size();
        let zero = F::zero();
        let mut a = vec![zero; n];
        let mut b = vec![zero; n];
        let mut c = vec![zero; n];
        cfg_iter_mut!(a[..num_constraints])
            .zip(&mut b[..num_constraints])
            .zip(&mut c[..num_constraints])
            .zip(ma)
            .zip(mb)
            .zip(mc)
            .for_each(|(((((a, b), c), ra), rb), rc)| {
                *a = evaluate_constraint(ra, full_assignment);
                *b = evaluate_constraint(rb, full_assignment);
                *c = evaluate_constraint(rc, full_assignment);
            });
        odd_point_values::<F, D>(a, b, c, num_inputs, num_constraints, full_assignment)
    }

    fn h_query_scalars<F: PrimeField, D: EvaluationDomain<F>>(
        max_power: usize,
        t: F,
        _zt: F,
        delta_inverse: F,
    ) -> Result<Vec<F>, SynthesisError> {
        // The generator passes n - 1. L_j(τ) over the domain of size 2n is the inverse FFT of
        // (τ⁰, …, τ^{2n-1}); keep the odd j.
        let n = max_power + 1;
        let big = D::new(2 * n).ok_or(SynthesisError::PolynomialDegreeTooLarge)?;
        if big.size() != 2 * n {
            return Err(SynthesisError::PolynomialDegreeTooLarge);
        }
        let mut powers = Vec::with_capacity(2 * n);
        let mut x = delta_inverse;
        for _ in 0..2 * n {
            powers.push(x);
            x *= t;
        }
        big.ifft_in_place(&mut powers);
        Ok(cfg_into_iter!(powers).skip(1).step_by(2).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_bn254::Fr;
    use ark_ff::{Field, UniformRand};
    use ark_poly::{
        univariate::DensePolynomial, DenseUVPolynomial, GeneralEvaluationDomain, Polynomial,
    };
    use ark_std::rand::{rngs::StdRng, SeedableRng};

    type D = GeneralEvaluationDomain<Fr>;

    #[test]
    fn odd_lagrange_basis_interpolates_polynomials_vanishing_on_h() {
        let mut rng = StdRng::seed_from_u64(5);
        let n = 8;
        let h = D::new(n).unwrap();
        // p = q·Z with deg q = n - 2: degree 2n - 2, zero on H.
        let q = DensePolynomial::<Fr>::rand(n - 2, &mut rng);
        let z: DensePolynomial<Fr> = h.vanishing_polynomial().into();
        let p = &q * &z;
        let tau = Fr::rand(&mut rng);
        let basis =
            CircomReduction::h_query_scalars::<Fr, D>(n - 1, tau, Fr::from(0u64), Fr::from(1u64))
                .unwrap();
        let w = D::new(2 * n).unwrap().group_gen();
        let sum: Fr = (0..n)
            .map(|i| p.evaluate(&w.pow([2 * i as u64 + 1])) * basis[i])
            .sum();
        assert_eq!(sum, p.evaluate(&tau));
    }
}
