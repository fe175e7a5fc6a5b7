//! Groth16 proof construction on the tuned [`crate::msm`].
//!
//! [`Prover::create_proof`] computes exactly what
//! `ark_groth16::Groth16::<Bn254, LibsnarkReduction>::create_proof_with_reduction_and_matrices`
//! computes — the same QAP witness map (the libsnark reduction, the same coset) and the same
//! combination of MSMs — so for the same `r, s` the proof is identical. The differences are
//! in how: the five MSMs (A, B in G1, B in G2, L, H) use [`crate::msm::msm`], the seven
//! FFTs use [`crate::fft::Fft`] (tables built once per key, no bit-reversal passes between
//! transforms), and the sparse matrix–vector products `A·z`, `B·z`, `C·z` run row-parallel
//! without the per-row task splitting of arkworks.
//!
//! [`Prover::floor`] runs only the work no prover can avoid for this domain and witness
//! (the seven FFTs of the witness map and the five MSMs with the same scalars, on the same
//! kernels), so that a bench can report how close `create_proof` gets to it.

use crate::fft::Fft;
use crate::msm::{self, MsmError};
use ark_bn254::{Bn254, Fr, G1Projective, G2Projective};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{AdditiveGroup, FftField, Field, One, Zero};
use ark_groth16::{Proof, ProvingKey};
use ark_poly::{EvaluationDomain, GeneralEvaluationDomain};
use ark_relations::gr1cs::Matrix;

#[cfg(feature = "parallel")]
use rayon::prelude::*;

/// Why a proof could not be constructed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Groth16Error {
    /// No FFT domain of the needed size exists for BN254's scalar field.
    #[error("no evaluation domain for {0} constraints and inputs")]
    Domain(usize),
    /// An input does not have the size the key and the constraint system imply.
    #[error("{what}: expected {expected}, found {found}")]
    Shape {
        /// Which input.
        what: &'static str,
        /// The size the key or constraint counts imply.
        expected: usize,
        /// The size given.
        found: usize,
    },
    /// An MSM failed (a bug: sizes are checked before).
    #[error(transparent)]
    Msm(#[from] MsmError),
    /// The assignment does not satisfy constraint `row`.
    #[error("the assignment does not satisfy constraint {row}")]
    Unsatisfied {
        /// The first failing constraint.
        row: usize,
    },
}

/// A proving key with the data prepared once for all its proofs.
pub struct Prover<'a> {
    pk: &'a ProvingKey<Bn254>,
    fft: Fft,
    /// `1 / Z(g)` for the coset generator `g`: `Z` is constant on the coset.
    vanishing_inv: Fr,
    num_instance: usize,
    num_constraints: usize,
}

impl std::fmt::Debug for Prover<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prover")
            .field("domain_size", &self.fft.size())
            .field("num_instance", &self.num_instance)
            .field("num_constraints", &self.num_constraints)
            .finish_non_exhaustive()
    }
}

/// The five MSM results of a proof, before blinding.
struct Sums {
    a: G1Projective,
    b1: G1Projective,
    b2: G2Projective,
    l: G1Projective,
    h: G1Projective,
}

fn shape(what: &'static str, expected: usize, found: usize) -> Result<(), Groth16Error> {
    if expected == found {
        Ok(())
    } else {
        Err(Groth16Error::Shape {
            what,
            expected,
            found,
        })
    }
}

/// `⟨row, z⟩`, skipping the multiplication for unit coefficients (most R1CS coefficients).
#[inline]
fn dot(row: &[(Fr, usize)], z: &[Fr]) -> Fr {
    let mut acc = Fr::zero();
    for (c, i) in row {
        if c.is_one() {
            acc += z[*i];
        } else {
            acc += z[*i] * c;
        }
    }
    acc
}

/// `out[i] = ⟨m[i], z⟩` for the first `out.len()` rows.
fn mat_vec(m: &Matrix<Fr>, z: &[Fr], out: &mut [Fr]) {
    #[cfg(feature = "parallel")]
    out.par_iter_mut()
        .with_min_len(1 << 10)
        .zip(m.par_iter())
        .for_each(|(o, row)| *o = dot(row, z));
    #[cfg(not(feature = "parallel"))]
    out.iter_mut()
        .zip(m.iter())
        .for_each(|(o, row)| *o = dot(row, z));
}

impl<'a> Prover<'a> {
    /// Prepares `pk` for a constraint system with `num_instance` instance variables
    /// (including the constant 1) and `num_constraints` constraints.
    pub fn new(
        pk: &'a ProvingKey<Bn254>,
        num_instance: usize,
        num_constraints: usize,
    ) -> Result<Self, Groth16Error> {
        let n = num_constraints + num_instance;
        let domain = GeneralEvaluationDomain::<Fr>::new(n).ok_or(Groth16Error::Domain(n))?;
        let fft = Fft::new(domain.size(), Fr::GENERATOR).ok_or(Groth16Error::Domain(n))?;
        let vanishing_inv = domain
            .evaluate_vanishing_polynomial(Fr::GENERATOR)
            .inverse()
            .ok_or(Groth16Error::Domain(n))?;
        let num_variables = pk.a_query.len();
        // arkworks' (libsnark) reduction has an H query of domain − 1 points; circom's
        // (keys imported from snarkjs) one of domain points.
        if pk.h_query.len() != domain.size() - 1 && pk.h_query.len() != domain.size() {
            shape("H query", domain.size() - 1, pk.h_query.len())?;
        }
        shape("B query in G1", num_variables, pk.b_g1_query.len())?;
        shape("B query in G2", num_variables, pk.b_g2_query.len())?;
        if num_instance == 0 || num_instance > num_variables {
            return Err(Groth16Error::Shape {
                what: "instance variables",
                expected: num_variables,
                found: num_instance,
            });
        }
        shape("L query", num_variables - num_instance, pk.l_query.len())?;
        Ok(Self {
            pk,
            fft,
            vanishing_inv,
            num_instance,
            num_constraints,
        })
    }

    /// Size of the evaluation domain.
    pub fn domain_size(&self) -> usize {
        self.fft.size()
    }

    fn check(&self, abc: &[Matrix<Fr>], z: &[Fr]) -> Result<(), Groth16Error> {
        shape("matrices", 3, abc.len())?;
        for m in abc {
            if m.len() < self.num_constraints {
                return Err(Groth16Error::Shape {
                    what: "matrix rows",
                    expected: self.num_constraints,
                    found: m.len(),
                });
            }
        }
        shape("assignment", self.pk.a_query.len(), z.len())
    }

    /// The QAP witness map: coefficients of `h = (A·B − C) / Z` (libsnark reduction), as
    /// arkworks' `LibsnarkReduction::witness_map_from_matrices` computes them.
    pub fn witness_map(&self, abc: &[Matrix<Fr>], z: &[Fr]) -> Result<Vec<Fr>, Groth16Error> {
        self.witness_map_checked(abc, z, false)?
            .map_err(|row| Groth16Error::Unsatisfied { row })
    }

    /// [`Prover::witness_map`], and when `check` is set, first the R1CS itself on the same
    /// matrix–vector products: `Ok(Err(row))` names the first constraint `⟨A_i,z⟩·⟨B_i,z⟩ ≠
    /// ⟨C_i,z⟩` (then no FFT runs). Checking costs one multiplication per constraint.
    pub fn witness_map_checked(
        &self,
        abc: &[Matrix<Fr>],
        z: &[Fr],
        check: bool,
    ) -> Result<Result<Vec<Fr>, usize>, Groth16Error> {
        self.check(abc, z)?;
        let n = self.fft.size();
        let nc = self.num_constraints;
        let mut a = vec![Fr::zero(); n];
        let mut b = vec![Fr::zero(); n];
        let mut c = vec![Fr::zero(); n];
        mat_vec(&abc[0], z, &mut a[..nc]);
        mat_vec(&abc[1], z, &mut b[..nc]);
        mat_vec(&abc[2], z, &mut c[..nc]);
        if check {
            if let Some(row) = (0..nc).find(|&i| a[i] * b[i] != c[i]) {
                return Ok(Err(row));
            }
        }
        a[nc..nc + self.num_instance].copy_from_slice(&z[..self.num_instance]);

        self.fft.evals_to_coset_evals(&mut a);
        self.fft.evals_to_coset_evals(&mut b);
        let mut ab = a;
        mul_in_place(&mut ab, &b);
        drop(b);

        self.fft.evals_to_coset_evals(&mut c);

        let vinv = self.vanishing_inv;
        #[cfg(feature = "parallel")]
        ab.par_iter_mut().zip(c.par_iter()).for_each(|(x, c)| {
            *x -= c;
            *x *= vinv;
        });
        #[cfg(not(feature = "parallel"))]
        ab.iter_mut().zip(c.iter()).for_each(|(x, c)| {
            *x -= c;
            *x *= vinv;
        });
        drop(c);
        self.fft.coset_evals_to_coeffs(&mut ab);
        Ok(Ok(ab))
    }

    fn sums(&self, z: &[Fr], h: &[Fr], with_b1: bool) -> Result<Sums, Groth16Error> {
        let pk = self.pk;
        let h = &h[..pk.h_query.len().min(h.len())];
        let hq = &pk.h_query[..h.len()];
        Ok(Sums {
            h: msm::msm(hq, h)?,
            l: msm::msm(&pk.l_query, &z[self.num_instance..])?,
            a: msm::msm(&pk.a_query[1..], &z[1..])?,
            b1: if with_b1 {
                msm::msm(&pk.b_g1_query[1..], &z[1..])?
            } else {
                G1Projective::zero()
            },
            b2: msm::msm(&pk.b_g2_query[1..], &z[1..])?,
        })
    }

    /// A proof for the full assignment `z = [1, inputs…, witnesses…]` with blinding `r, s`;
    /// identical to arkworks' `create_proof_with_reduction_and_matrices` (libsnark reduction)
    /// for the same `r, s`. The witness is not checked against the constraints: an
    /// unsatisfying one gives a proof that does not verify, as with arkworks.
    pub fn create_proof(
        &self,
        abc: &[Matrix<Fr>],
        z: &[Fr],
        r: Fr,
        s: Fr,
    ) -> Result<Proof<Bn254>, Groth16Error> {
        let h = self.witness_map(abc, z)?;
        self.proof_from_witness_map(z, &h, r, s)
    }

    /// The proof for assignment `z` whose QAP witness map (`h`'s coefficients, from
    /// [`Prover::witness_map`] or from another reduction the key was made for) is `h`.
    pub fn proof_from_witness_map(
        &self,
        z: &[Fr],
        h: &[Fr],
        r: Fr,
        s: Fr,
    ) -> Result<Proof<Bn254>, Groth16Error> {
        shape("assignment", self.pk.a_query.len(), z.len())?;
        let sums = self.sums(z, h, !r.is_zero())?;
        let pk = self.pk;
        let vk = &pk.vk;

        let g_a = pk.delta_g1 * r + pk.a_query[0] + sums.a + vk.alpha_g1;
        let g1_b = if r.is_zero() {
            G1Projective::zero()
        } else {
            pk.delta_g1 * s + pk.b_g1_query[0] + sums.b1 + pk.beta_g1
        };
        let g2_b = vk.delta_g2 * s + pk.b_g2_query[0] + sums.b2 + vk.beta_g2;
        let g_c = g_a * s + g1_b * r - pk.delta_g1 * (r * s) + sums.l + sums.h;
        Ok(Proof {
            a: g_a.into_affine(),
            b: g2_b.into_affine(),
            c: g_c.into_affine(),
        })
    }

    /// The unavoidable work of a proof for this domain and witness: the seven FFTs of the
    /// witness map (on vectors of the domain size) and the five MSMs with the proof's scalars
    /// (`z`, and `h` from [`Prover::witness_map`]). Returns a digest of the MSM results so the
    /// work cannot be optimised away.
    pub fn floor(&self, z: &[Fr], h: &[Fr]) -> Result<G1Projective, Groth16Error> {
        shape("assignment", self.pk.a_query.len(), z.len())?;
        let n = self.fft.size();
        let mut v: Vec<Fr> = z.iter().chain(h).copied().cycle().take(n).collect();
        for _ in 0..3 {
            self.fft.evals_to_coset_evals(&mut v);
        }
        self.fft.coset_evals_to_coeffs(&mut v);
        let sums = self.sums(z, h, true)?;
        let g2 = sums.b2.into_affine();
        let digest = sums.a + sums.b1 + sums.l + sums.h;
        Ok(if g2.is_zero() || v[0].is_zero() {
            digest.double()
        } else {
            digest
        })
    }
}

/// `a[i] *= b[i]`.
fn mul_in_place(a: &mut [Fr], b: &[Fr]) {
    #[cfg(feature = "parallel")]
    a.par_iter_mut()
        .zip(b.par_iter())
        .for_each(|(x, y)| *x *= y);
    #[cfg(not(feature = "parallel"))]
    a.iter_mut().zip(b.iter()).for_each(|(x, y)| *x *= y);
}

/// One-shot [`Prover::create_proof`]: prepares the key and proves.
///
/// `abc` are the R1CS matrices `[A, B, C]` (row-major), `num_instance` counts the instance
/// variables including the constant 1, and `z = [1, inputs…, witnesses…]`.
pub fn create_proof(
    pk: &ProvingKey<Bn254>,
    abc: &[Matrix<Fr>],
    num_instance: usize,
    num_constraints: usize,
    z: &[Fr],
    r: Fr,
    s: Fr,
) -> Result<Proof<Bn254>, Groth16Error> {
    Prover::new(pk, num_instance, num_constraints)?.create_proof(abc, z, r, s)
}
