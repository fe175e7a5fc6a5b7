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
//!
//! # The coset reduction ([`CosetReduction`], keys of `zkcontrib setup`)
//!
//! A prover of either reduction above needs `C`'s values too: arkworks' seven FFTs (six in
//! [`crate::groth16`]) and snarkjs' six. Yet `C(τ) = Σ zᵢ·cᵢ(τ)` is *linear* in the witness,
//! so its share of `h(τ)Z(τ)` can live in the key. With `g` the coset offset
//! (`Fr::GENERATOR`), `κ(X) = Z(X)/(gⁿ − 1)` and `R = A·B mod (Xⁿ − gⁿ)` (the interpolant of
//! `A·B` on the coset `g·H`, where `Z ≡ gⁿ − 1`):
//!
//! * the QAP's `c`-polynomials are `c'ᵢ = cᵢ·(1 − κ)`. On `H`, `κ = 0`, so `c'ᵢ` has the same
//!   values as `cᵢ` there: `Z | A·B − C'` exactly when the R1CS holds, as for `c` — it is a
//!   QAP of the same R1CS, only with `c`-polynomials of degree `< 2n` (the `L` and `IC`
//!   queries are made from `c'`, nothing else changes);
//! * then `A·B − C' = (h + C/(gⁿ − 1))·Z = (R/(gⁿ − 1))·Z`, since on `g·H`
//!   `R = h·(gⁿ − 1) + C` and both sides have degree `< n`. So the quotient is
//!   `h' = R/(gⁿ − 1)`, of degree `< n`, and `h'(τ)Z(τ)/δ = Σⱼ R(g·ωʲ)·κ(τ)·ℓⱼ(τ)/δ` with `ℓⱼ`
//!   the Lagrange basis of `g·H`. The H query is `κ(τ)·ℓⱼ(τ)/δ` (`n` points) and the prover
//!   supplies `A(g·ωʲ)·B(g·ωʲ)`: two inverse and two coset FFTs, nothing of `C` (which the
//!   prover still evaluates on `H` to report an unsatisfied constraint by name).
//!
//! Soundness: this is Groth16 over the QAP `(a, b, c', Z)` of the same R1CS, and the prover's
//! elements (`L'ᵢ = Lᵢ − cᵢ(τ)·κ(τ)/δ`, with `cᵢ·κ/δ` a combination of the `τᵏZ(τ)/δ`, `k < n`)
//! span the same space as arkworks' `L` and H queries plus the one point `τⁿ⁻¹Z(τ)/δ`, as
//! snarkjs' keys already do; the verifying key is an ordinary one, checked by every Groth16
//! verifier (ours, snarkjs, the EVM contract) unchanged.

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

/// `⟨row, z⟩` for the first `num_constraints` rows of `m` (arkworks' form), zero-padded to `n`:
/// a QAP polynomial's values on `H` before the input constraints.
fn rows_times<F: PrimeField>(m: &Matrix<F>, n: usize, num_constraints: usize, z: &[F]) -> Vec<F> {
    let mut v = vec![F::zero(); n];
    cfg_iter_mut!(v[..num_constraints])
        .zip(m)
        .for_each(|(v, row)| *v = evaluate_constraint(row, z));
    v
}

/// Adds the input constraints `x_j · 0 = 0` (rows `num_constraints + j`, on the A side) to `a`,
/// then takes `a` and `others` from their values on `domain` to their values on `coset`.
fn onto_coset<F: PrimeField, D: EvaluationDomain<F>>(
    domain: &D,
    coset: &D,
    a: &mut Vec<F>,
    others: &mut [&mut Vec<F>],
    num_constraints: usize,
    inputs: &[F],
) {
    a[num_constraints..num_constraints + inputs.len()].copy_from_slice(inputs);
    for v in std::iter::once(a).chain(others.iter_mut().map(|v| &mut **v)) {
        domain.ifft_in_place(v);
        coset.fft_in_place(v);
    }
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
    // Values on H -> coefficients -> values on the odd points ω_{2n}·H.
    let inputs = &full_assignment[..num_inputs];
    onto_coset(
        &domain,
        &odd,
        &mut a,
        &mut [&mut b, &mut c],
        num_constraints,
        inputs,
    );
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
        let [a, b, c] = [ma, mb, mc].map(|m| rows_times(m, n, num_constraints, full_assignment));
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

/// The coset reduction of `zkcontrib setup` (see the module docs): arkworks' QAP with
/// `c'ᵢ = cᵢ·(1 − κ(τ))`, an H query in the Lagrange basis of `g·H`, and a witness map of four
/// FFTs (`A·B` on `g·H`). The prover's tuned form is [`crate::groth16::Prover::coset_witness_map_checked`];
/// this one, on arkworks' domains, is what stock `Groth16::<Bn254, CosetReduction>` runs.
#[derive(Clone, Copy, Debug, Default)]
pub struct CosetReduction;

/// `gⁿ − 1` for the coset offset `g = F::GENERATOR` of a domain of size `n`: the value of
/// `Z = Xⁿ − 1` everywhere on `g·H`; `None` if it is zero (no field does that for its
/// generator, but the caller must not divide by it).
fn coset_vanishing<F: PrimeField, D: EvaluationDomain<F>>(domain: &D) -> Option<F> {
    let v = domain.evaluate_vanishing_polynomial(F::GENERATOR);
    (!v.is_zero()).then_some(v)
}

impl R1CSToQAP for CosetReduction {
    #[allow(clippy::type_complexity)]
    fn instance_map_with_evaluation<F: PrimeField, D: EvaluationDomain<F>>(
        cs: ConstraintSystemRef<F>,
        t: &F,
    ) -> Result<(Vec<F>, Vec<F>, Vec<F>, F, usize, usize), SynthesisError> {
        let (a, b, mut c, zt, vars, n) =
            LibsnarkReduction::instance_map_with_evaluation::<F, D>(cs, t)?;
        let domain = D::new(n).ok_or(SynthesisError::PolynomialDegreeTooLarge)?;
        let zg = coset_vanishing(&domain).ok_or(SynthesisError::PolynomialDegreeTooLarge)?;
        // c'ᵢ(τ) = cᵢ(τ)·(1 − κ(τ)), κ(τ) = Z(τ)/(gⁿ − 1)
        let factor = F::one() - zt * zg.inverse().ok_or(SynthesisError::DivisionByZero)?;
        cfg_iter_mut!(c).for_each(|ci| *ci *= factor);
        Ok((a, b, c, zt, vars, n))
    }

    fn witness_map_from_matrices<F: PrimeField, D: EvaluationDomain<F>>(
        matrices: &[Matrix<F>],
        num_inputs: usize,
        num_constraints: usize,
        full_assignment: &[F],
    ) -> Result<Vec<F>, SynthesisError> {
        let [ma, mb, _] = matrices else {
            return Err(SynthesisError::PredicateNotFound);
        };
        let domain =
            D::new(num_constraints + num_inputs).ok_or(SynthesisError::PolynomialDegreeTooLarge)?;
        let coset = domain
            .get_coset(F::GENERATOR)
            .ok_or(SynthesisError::PolynomialDegreeTooLarge)?;
        let n = domain.size();
        let [mut a, mut b] = [ma, mb].map(|m| rows_times(m, n, num_constraints, full_assignment));
        // values on H -> coefficients -> values on g·H; then A·B there
        let inputs = &full_assignment[..num_inputs];
        onto_coset(
            &domain,
            &coset,
            &mut a,
            &mut [&mut b],
            num_constraints,
            inputs,
        );
        cfg_iter_mut!(a).zip(&b).for_each(|(a, b)| *a *= b);
        Ok(a)
    }

    fn h_query_scalars<F: PrimeField, D: EvaluationDomain<F>>(
        max_power: usize,
        t: F,
        zt: F,
        delta_inverse: F,
    ) -> Result<Vec<F>, SynthesisError> {
        // The generator passes n − 1. The scalars are κ(τ)·ℓⱼ(τ)/δ, ℓⱼ the Lagrange basis of
        // g·H (natural order: ℓⱼ(g·ωʲ) = 1).
        let domain = D::new(max_power + 1).ok_or(SynthesisError::PolynomialDegreeTooLarge)?;
        if domain.size() != max_power + 1 {
            return Err(SynthesisError::PolynomialDegreeTooLarge);
        }
        let zg = coset_vanishing(&domain).ok_or(SynthesisError::PolynomialDegreeTooLarge)?;
        let k = zt * zg.inverse().ok_or(SynthesisError::DivisionByZero)? * delta_inverse;
        let coset = domain
            .get_coset(F::GENERATOR)
            .ok_or(SynthesisError::PolynomialDegreeTooLarge)?;
        let mut l = coset.evaluate_all_lagrange_coefficients(t);
        cfg_iter_mut!(l).for_each(|x| *x *= k);
        Ok(l)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_bn254::Fr;
    use ark_ff::{FftField, Field, One, UniformRand};
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

    /// The coset reduction's identity: for any `A`, `B` of degree `< n` and `C = A·B mod Z`
    /// (a satisfied R1CS: `Z | A·B − C`), `A(τ)B(τ) − C'(τ) = Σⱼ (A·B)(g·ωʲ)·Hⱼ` with
    /// `C' = C·(1 − κ(τ))` (what the instance map puts in the `L`/`IC` queries) and `Hⱼ` the H
    /// query scalars (δ = 1) — Groth16's `C` then carries exactly `h'(τ)Z(τ)/δ`.
    #[test]
    fn coset_h_query_carries_the_quotient() {
        use ark_poly::evaluations::univariate::Evaluations;
        let mut rng = StdRng::seed_from_u64(8);
        let n = 16;
        let h = D::new(n).unwrap();
        let coset = h.get_coset(Fr::GENERATOR).unwrap();
        let a = DensePolynomial::<Fr>::rand(n - 1, &mut rng);
        let b = DensePolynomial::<Fr>::rand(n - 1, &mut rng);
        let ab = &a * &b;
        let c =
            Evaluations::from_vec_and_domain(h.elements().map(|x| ab.evaluate(&x)).collect(), h)
                .interpolate();
        let tau = Fr::rand(&mut rng);
        let zt = h.evaluate_vanishing_polynomial(tau);
        let kappa = zt / h.evaluate_vanishing_polynomial(Fr::GENERATOR);
        let hq = CosetReduction::h_query_scalars::<Fr, D>(n - 1, tau, zt, Fr::one()).unwrap();
        assert_eq!(hq.len(), n);
        let sum: Fr = coset
            .elements()
            .zip(&hq)
            .map(|(x, q)| ab.evaluate(&x) * q)
            .sum();
        let lhs = a.evaluate(&tau) * b.evaluate(&tau) - c.evaluate(&tau) * (Fr::one() - kappa);
        assert_eq!(lhs, sum);
    }
}
