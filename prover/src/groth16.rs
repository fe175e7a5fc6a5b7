//! Groth16 proof construction on the tuned [`crate::msm`].
//!
//! [`Prover::create_proof`] computes exactly what
//! `ark_groth16::Groth16::<Bn254, LibsnarkReduction>::create_proof_with_reduction_and_matrices`
//! computes — the same QAP witness map (the libsnark reduction, the same coset) and the same
//! combination of MSMs — so for the same `r, s` the proof is identical. The differences are
//! in how: the MSMs (A, B in G1, B in G2, L, H) use [`crate::msm`] — with the full-width
//! scalars of `L` and of `r·B` merged into the `H` MSM (see [`Prover::create_proof`]) — the FFTs
//! use [`crate::fft::Fft`] (tables built once per key, no bit-reversal passes between
//! transforms, and six transforms instead of seven: `C` needs only its coefficients, see
//! [`Fft::quotient_coeffs`]), and the sparse matrix–vector products `A·z`, `B·z`, `C·z` run
//! row-parallel without the per-row task splitting of arkworks.
//!
//! Keys of `zkcontrib setup` use the coset reduction ([`crate::qap::CosetReduction`]), whose
//! witness map ([`Prover::coset_witness_map_checked`]) is four FFTs: `A·B` on the coset, no
//! `C`. The MSMs are the same for every reduction ([`Prover::proof_from_witness_map`]).
//!
//! [`Prover::floor`] runs only the work no prover can avoid for this domain and witness
//! (the witness map's FFTs and the MSMs with the same scalars, on the same
//! kernels and merged the same way), so that a bench can report how close `create_proof` gets to it.

use crate::arith::FastMul;
use crate::fft::Fft;
use crate::msm::{self, MsmError};
use crate::sparse::ConstraintMatrices;
use ark_bn254::{Bn254, Fr, G1Projective, G2Projective};
use ark_ec::CurveGroup;
use ark_ff::{FftField, Field, One, Zero};
use ark_groth16::{Proof, ProvingKey};
use ark_poly::{EvaluationDomain, GeneralEvaluationDomain};

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

/// The proof's MSM results (see [`Prover::sums`]): with `S = {i : zᵢ is full width}`
/// ([`msm::is_glv_split`]),
struct Sums {
    /// `Σ_{i≥1} zᵢ·Aᵢ`
    a: G1Projective,
    /// `Σ_{i≥1, i∉S} zᵢ·B¹ᵢ` (zero when `r = 0`)
    b1_short: G1Projective,
    /// `Σ_{i≥1} zᵢ·B²ᵢ`
    b2: G2Projective,
    /// `Σ_{i∉S} zᵢ·Lᵢ`
    l_short: G1Projective,
    /// `Σ hⱼ·Hⱼ + Σ_{i∈S} zᵢ·Lᵢ + Σ_{i≥1, i∈S} (r·zᵢ)·B¹ᵢ`
    merged: G1Projective,
}

/// The terms of `Σ sᵢ·Pᵢ` marked in `full` (the full-width ones), scaled by `factor`: the
/// points (copied) and their scalars `factor·sᵢ`.
fn full_width(
    bases: &[ark_bn254::G1Affine],
    scalars: &[Fr],
    full: &[bool],
    factor: Fr,
) -> (Vec<ark_bn254::G1Affine>, Vec<Fr>) {
    bases
        .iter()
        .zip(scalars)
        .zip(full)
        .filter(|(_, &f)| f)
        .map(|((p, s), _)| (*p, *s * factor))
        .unzip()
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

    fn check<M: ConstraintMatrices + ?Sized>(&self, abc: &M, z: &[Fr]) -> Result<(), Groth16Error> {
        shape("matrices", 3, abc.count())?;
        for k in 0..3 {
            if abc.rows(k) < self.num_constraints {
                return Err(Groth16Error::Shape {
                    what: "matrix rows",
                    expected: self.num_constraints,
                    found: abc.rows(k),
                });
            }
        }
        shape("assignment", self.pk.a_query.len(), z.len())
    }

    /// The QAP witness map: coefficients of `h = (A·B − C) / Z` (libsnark reduction), as
    /// arkworks' `LibsnarkReduction::witness_map_from_matrices` computes them.
    pub fn witness_map<M: ConstraintMatrices + ?Sized>(
        &self,
        abc: &M,
        z: &[Fr],
    ) -> Result<Vec<Fr>, Groth16Error> {
        self.witness_map_checked(abc, z, false)?
            .map_err(|row| Groth16Error::Unsatisfied { row })
    }

    /// [`Prover::witness_map`], and when `check` is set, first the R1CS itself on the same
    /// matrix–vector products: `Ok(Err(row))` names the first constraint `⟨A_i,z⟩·⟨B_i,z⟩ ≠
    /// ⟨C_i,z⟩` (then no FFT runs). Checking costs one multiplication per constraint.
    pub fn witness_map_checked<M: ConstraintMatrices + ?Sized>(
        &self,
        abc: &M,
        z: &[Fr],
        check: bool,
    ) -> Result<Result<Vec<Fr>, usize>, Groth16Error> {
        let (ab, mut c) = match self.values_on_h(abc, z, check, true)? {
            Ok(v) => v,
            Err(row) => return Ok(Err(row)),
        };
        let mut ab = self.coset_product(ab);
        // h = coset_ifft((A·B − C)/Z on g·H) = (coset_ifft(A·B) − ifft(C))/(gⁿ − 1): C's
        // coefficients come from its values on H directly (six FFTs in all, not seven).
        self.fft
            .quotient_coeffs(&mut ab, &mut c, self.vanishing_inv);
        Ok(Ok(ab))
    }

    /// The witness map of [`crate::qap::CosetReduction`], unchecked (see
    /// [`Prover::coset_witness_map_checked`]).
    pub fn coset_witness_map<M: ConstraintMatrices + ?Sized>(
        &self,
        abc: &M,
        z: &[Fr],
    ) -> Result<Vec<Fr>, Groth16Error> {
        self.coset_witness_map_checked(abc, z, false)?
            .map_err(|row| Groth16Error::Unsatisfied { row })
    }

    /// The witness map of [`crate::qap::CosetReduction`] (keys of `zkcontrib setup`): the
    /// values of `A·B` on the coset `g·H` (natural order), which the key's H query (the
    /// coset's Lagrange basis, scaled) turns into `h'(τ)Z(τ)/δ` — four FFTs, and `C` only for
    /// the check. Equal to `CosetReduction::witness_map_from_matrices`. With `check`,
    /// `Ok(Err(row))` names the first unsatisfied constraint (then no FFT runs).
    pub fn coset_witness_map_checked<M: ConstraintMatrices + ?Sized>(
        &self,
        abc: &M,
        z: &[Fr],
        check: bool,
    ) -> Result<Result<Vec<Fr>, usize>, Groth16Error> {
        Ok(match self.values_on_h(abc, z, check, false)? {
            Ok((ab, c)) => {
                drop(c);
                Ok(self.coset_product(ab))
            }
            Err(row) => Err(row),
        })
    }

    /// `A·z` (with the input constraints' rows) and `B·z` on `H`, and `C·z` when `check` or
    /// `need_c` asks for it (else empty): `Ok(Err(row))` names the first constraint
    /// `⟨A_i,z⟩·⟨B_i,z⟩ ≠ ⟨C_i,z⟩`. The vectors have the domain size.
    #[allow(clippy::type_complexity)]
    fn values_on_h<M: ConstraintMatrices + ?Sized>(
        &self,
        abc: &M,
        z: &[Fr],
        check: bool,
        need_c: bool,
    ) -> Result<Result<([Vec<Fr>; 2], Vec<Fr>), usize>, Groth16Error> {
        self.check(abc, z)?;
        let n = self.fft.size();
        let nc = self.num_constraints;
        let mut a = vec![Fr::zero(); n];
        let mut b = vec![Fr::zero(); n];
        abc.mat_vec(0, z, &mut a[..nc]);
        abc.mat_vec(1, z, &mut b[..nc]);
        let mut c = Vec::new();
        if check || need_c {
            c = vec![Fr::zero(); n];
            abc.mat_vec(2, z, &mut c[..nc]);
        }
        if check {
            if let Some(row) = (0..nc).find(|&i| a[i] * b[i] != c[i]) {
                return Ok(Err(row));
            }
        }
        // the input constraints x_j · 0 = 0
        a[nc..nc + self.num_instance].copy_from_slice(&z[..self.num_instance]);
        Ok(Ok(([a, b], c)))
    }

    /// `A·B` on `g·H` (natural order) from `A` and `B` on `H`: four FFTs.
    fn coset_product(&self, [mut a, mut b]: [Vec<Fr>; 2]) -> Vec<Fr> {
        self.fft.evals_to_coset_evals(&mut a);
        self.fft.evals_to_coset_evals(&mut b);
        mul_in_place(&mut a, &b);
        drop(b);
        crate::runtime::mem_mark("witness map: FFTs");
        a
    }

    /// The proof's MSMs for blinding `r`. `B`'s G1 sum enters the proof only as `r·g1_b` in
    /// `C`, so the full-width scalars of `L` and of `r·B` (`r·zᵢ`, full width exactly when
    /// `zᵢ` is) join the `H` MSM ([`msm::msm_merged`]) and share its windows instead of
    /// paying bucket reductions of their own; the short ones (bits and small integers, most
    /// of the witness) keep MSMs of their own, where the cost model gives them short windows
    /// (and where `r` does not make `B`'s full width). Merging all of `L` would save ≈ 2 %
    /// more of these MSMs' instructions but cost ≈ 4.5 MB more memory at the H MSM, the
    /// prover's peak (docs/tuning.md).
    fn sums(&self, z: &[Fr], h: &[Fr], r: Fr) -> Result<Sums, Groth16Error> {
        let pk = self.pk;
        let h = &h[..pk.h_query.len().min(h.len())];
        let hq = &pk.h_query[..h.len()];
        let mark = crate::runtime::mem_mark;
        let zl = &z[self.num_instance..];
        let zb = &z[1..];
        let bq = &pk.b_g1_query[1..];
        // which zᵢ are full width, decided once for L (z[num_instance..]) and B (z[1..])
        let full: Vec<bool> = z.iter().map(msm::is_glv_split).collect();
        let (l_taken, b_taken) = (&full[self.num_instance..], &full[1..]);
        let (l_bases, l_full) = full_width(&pk.l_query, zl, l_taken, Fr::one());
        let (b_bases, b_full) = if r.is_zero() {
            (Vec::new(), Vec::new())
        } else {
            full_width(bq, zb, b_taken, r)
        };
        let merged = msm::msm_merged(hq, h, &[(&l_bases, &l_full), (&b_bases, &b_full)])?;
        drop((l_bases, l_full, b_bases, b_full));
        mark("msm: H, L and r·B full width");
        let l_short = msm::msm_skipping(&pk.l_query, zl, l_taken)?;
        mark("msm: L short");
        let a = msm::msm(&pk.a_query[1..], zb)?;
        mark("msm: A");
        let b1_short = if r.is_zero() {
            G1Projective::zero()
        } else {
            msm::msm_skipping(bq, zb, b_taken)?
        };
        mark("msm: B1");
        let b2 = msm::msm(&pk.b_g2_query[1..], zb)?;
        mark("msm: B2");
        Ok(Sums {
            a,
            b1_short,
            b2,
            l_short,
            merged,
        })
    }

    /// A proof for the full assignment `z = [1, inputs…, witnesses…]` with blinding `r, s`;
    /// identical to arkworks' `create_proof_with_reduction_and_matrices` (libsnark reduction)
    /// for the same `r, s`. The witness is not checked against the constraints: an
    /// unsatisfying one gives a proof that does not verify, as with arkworks.
    ///
    /// The same group elements, fewer additions: `B`'s G1 sum enters the proof only as
    /// `r·(Σ zᵢ·B¹ᵢ)` inside `C`, so the full-width scalars of `L` and of `r·B` join the `H`
    /// MSM (one bucket reduction for all of them, [`msm::msm_merged`]) and only the short
    /// ones (bits, small integers) keep MSMs of their own.
    pub fn create_proof<M: ConstraintMatrices + ?Sized>(
        &self,
        abc: &M,
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
        let sums = self.sums(z, h, r)?;
        let pk = self.pk;
        let vk = &pk.vk;

        let g_a = pk.delta_g1 * r + pk.a_query[0] + sums.a + vk.alpha_g1;
        let g2_b = vk.delta_g2 * s + pk.b_g2_query[0] + sums.b2 + vk.beta_g2;
        // arkworks: g_c = s·g_a + r·g1_b − r·s·δ + L + H with g1_b = s·δ + B¹₀ + Σ zᵢ·B¹ᵢ + β;
        // r·s·δ cancels, and r·Σ zᵢ·B¹ᵢ + L + H = r·b1_short + l_short + merged
        let g_c = g_a * s
            + (pk.b_g1_query[0] + sums.b1_short + pk.beta_g1) * r
            + sums.l_short
            + sums.merged;
        Ok(Proof {
            a: g_a.into_affine(),
            b: g2_b.into_affine(),
            c: g_c.into_affine(),
        })
    }

    /// The unavoidable work of a proof for this domain and witness: the FFTs of the
    /// witness map (on vectors of the domain size) and the MSMs with the proof's scalars
    /// (`z`, and `h` from [`Prover::witness_map`]). Returns a digest of the MSM results so the
    /// work cannot be optimised away. Feature `bench`: what benchmarks compare a proof with.
    /// With `coset` (keys of [`crate::qap::CosetReduction`]) the witness map's part is its
    /// four FFTs instead of six.
    #[cfg(feature = "bench")]
    pub fn floor(&self, z: &[Fr], h: &[Fr], coset: bool) -> Result<G1Projective, Groth16Error> {
        use ark_ec::AffineRepr;
        use ark_ff::AdditiveGroup;
        shape("assignment", self.pk.a_query.len(), z.len())?;
        let n = self.fft.size();
        let mut v: Vec<Fr> = z.iter().chain(h).copied().cycle().take(n).collect();
        let mut w = if coset { Vec::new() } else { v.clone() };
        for _ in 0..2 {
            self.fft.evals_to_coset_evals(&mut v);
        }
        if !coset {
            self.fft.quotient_coeffs(&mut v, &mut w, self.vanishing_inv);
        }
        let sums = self.sums(z, h, Fr::one())?;
        let g2 = sums.b2.into_affine();
        let digest = sums.a + sums.b1_short + sums.l_short + sums.merged;
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
        .for_each(|(x, y)| *x = x.mul_fast(y));
    #[cfg(not(feature = "parallel"))]
    a.iter_mut()
        .zip(b.iter())
        .for_each(|(x, y)| *x = x.mul_fast(y));
}

/// One-shot [`Prover::create_proof`]: prepares the key and proves.
///
/// `abc` are the R1CS matrices `[A, B, C]` (arkworks' row-major form or [`crate::sparse::SparseMatrices`]), `num_instance` counts the instance
/// variables including the constant 1, and `z = [1, inputs…, witnesses…]`.
pub fn create_proof<M: ConstraintMatrices + ?Sized>(
    pk: &ProvingKey<Bn254>,
    abc: &M,
    num_instance: usize,
    num_constraints: usize,
    z: &[Fr],
    r: Fr,
    s: Fr,
) -> Result<Proof<Bn254>, Groth16Error> {
    Prover::new(pk, num_instance, num_constraints)?.create_proof(abc, z, r, s)
}
