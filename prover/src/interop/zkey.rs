//! Importing a snarkjs Groth16 `.zkey` (the result of a phase-2 ceremony) as an arkworks
//! [`ProvingKey`] for the circom QAP reduction ([`crate::qap::CircomReduction`]).
//!
//! ```text
//! section 1   protocol u32 (1 = groth16)
//! section 2   n8q ‖ q ‖ n8r ‖ r ‖ nVars u32 ‖ nPublic u32 ‖ domainSize u32 ‖
//!             α₁ ‖ β₁ ‖ β₂ ‖ γ₂ ‖ δ₁ ‖ δ₂
//! section 3   IC: nPublic + 1 G1 points                    → vk.gamma_abc_g1
//! section 4   coefficients: count u32 ‖ (matrix u32 ‖ constraint u32 ‖ wire u32 ‖ value)…
//! section 5   A: nVars G1                                  → a_query
//! section 6   B: nVars G1                                  → b_g1_query
//! section 7   B: nVars G2                                  → b_g2_query
//! section 8   C: nVars − nPublic − 1 G1                    → l_query
//! section 9   H: domainSize G1 (odd-point Lagrange basis)  → h_query
//! section 10  the ceremony's contributions (not needed to prove)
//! ```
//!
//! Base-field coordinates are 32-byte little-endian integers in Montgomery form (`x·2²⁵⁶ mod
//! q`); a G2 coordinate is `c0 ‖ c1`; the identity is all zeros. Coefficients are stored as
//! `v·2⁵¹² mod r`.
//!
//! Besides decoding every point strictly (canonical coordinates, on the curve, in the
//! prime-order subgroup), the import checks that the key is for *this* circuit: the counts and
//! every A and B coefficient of section 4 must be those of [`super::r1cs::write`] for the
//! shape. It does not check the ceremony itself: that is `snarkjs zkey verify`
//! (docs/ceremony.md).

use super::binfile::{BinFile, Malformed, Reader};
use super::r1cs;
use crate::matrices::Matrices;
use ark_bn254::{Bn254, Fq, Fq2, Fr, G1Affine, G2Affine};
use ark_ec::AffineRepr;
use ark_ff::{BigInt, Field, PrimeField, Zero};
use ark_groth16::{ProvingKey, VerifyingKey};

/// Why a `.zkey` cannot be imported.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ZkeyError {
    /// The bytes are not a well-formed snarkjs key.
    #[error("not a well-formed snarkjs .zkey: {0}")]
    Malformed(#[from] Malformed),
    /// A key for another proving system.
    #[error(
        "a snarkjs key for protocol {0} (1 is groth16); export the Groth16 key of the ceremony"
    )]
    Protocol(u32),
    /// A key over another curve.
    #[error("the key is not over BN254 (bn128)")]
    Curve,
    /// A point is not valid.
    #[error("{0}: not a valid point of the prime-order subgroup")]
    Point(String),
    /// A well-formed key, but for another circuit.
    #[error("the key is for another circuit than shape `{shape}` ({what}); run the ceremony on `zkcontrib export r1cs --shape {shape}` of this version")]
    OtherCircuit {
        /// The shape.
        shape: &'static str,
        /// The first difference found.
        what: String,
    },
}

fn malformed(s: impl Into<String>) -> ZkeyError {
    ZkeyError::Malformed(Malformed(s.into()))
}

/// A Montgomery-form base-field element: canonical (`< q`) or an error.
fn fq(r: &mut Reader<'_>, what: &str) -> Result<Fq, ZkeyError> {
    let limbs = BigInt(r.limbs()?);
    if limbs >= Fq::MODULUS {
        return Err(ZkeyError::Point(format!("{what}: coordinate not below q")));
    }
    Ok(Fq::new_unchecked(limbs))
}

fn g1(r: &mut Reader<'_>, what: &str) -> Result<G1Affine, ZkeyError> {
    let x = fq(r, what)?;
    let y = fq(r, what)?;
    if x.is_zero() && y.is_zero() {
        return Ok(G1Affine::zero());
    }
    let p = G1Affine::new_unchecked(x, y);
    // BN254's G1 has cofactor 1: on the curve is in the subgroup.
    if !p.is_on_curve() {
        return Err(ZkeyError::Point(what.into()));
    }
    Ok(p)
}

fn g2(r: &mut Reader<'_>, what: &str) -> Result<G2Affine, ZkeyError> {
    let x = Fq2::new(fq(r, what)?, fq(r, what)?);
    let y = Fq2::new(fq(r, what)?, fq(r, what)?);
    if x.is_zero() && y.is_zero() {
        return Ok(G2Affine::zero());
    }
    let p = G2Affine::new_unchecked(x, y);
    if !p.is_on_curve() || !p.is_in_correct_subgroup_assuming_on_curve() {
        return Err(ZkeyError::Point(what.into()));
    }
    Ok(p)
}

fn nonzero<P: AffineRepr>(p: P, what: &str) -> Result<P, ZkeyError> {
    if p.is_zero() {
        return Err(ZkeyError::Point(format!("{what} is the identity")));
    }
    Ok(p)
}

fn points<P: Send>(
    f: &BinFile<'_>,
    id: u32,
    n: usize,
    size: usize,
    what: &str,
    read: impl Fn(&mut Reader<'_>, &str) -> Result<P, ZkeyError> + Sync,
) -> Result<Vec<P>, ZkeyError> {
    use rayon::prelude::*;
    let body = f.section(id)?;
    if body.len() != n * size {
        return Err(malformed(format!(
            "section {id} ({what}) holds {} bytes, {n} points need {}",
            body.len(),
            n * size
        )));
    }
    // The subgroup checks of G2 dominate the import: spread them over the cores.
    body.par_chunks_exact(size)
        .enumerate()
        .map(|(i, b)| read(&mut Reader::new(b, what), &format!("{what}[{i}]")))
        .collect()
}

/// `2^256 mod r`, the Montgomery factor of the scalar field.
fn mont_r() -> Fr {
    Fr::from(2u64).pow([256])
}

/// Imports a `.zkey` for the circuit of `m` (see the module docs for what is checked).
pub fn read(bytes: &[u8], m: &Matrices) -> Result<ProvingKey<Bn254>, ZkeyError> {
    let shape = m.shape.name;
    let other = |what: String| ZkeyError::OtherCircuit { shape, what };
    let f = BinFile::parse(bytes, b"zkey", 1, ".zkey")?;

    let mut h = Reader::new(f.section(1)?, "zkey header");
    let protocol = h.u32()?;
    if protocol != 1 {
        return Err(ZkeyError::Protocol(protocol));
    }

    let mut h = Reader::new(f.section(2)?, "groth16 header");
    if h.u32()? != 32 || BigInt(h.limbs()?) != Fq::MODULUS {
        return Err(ZkeyError::Curve);
    }
    if h.u32()? != 32 || BigInt(h.limbs()?) != Fr::MODULUS {
        return Err(ZkeyError::Curve);
    }
    let n_vars = h.u32()? as usize;
    let n_public = h.u32()? as usize;
    let domain_size = h.u32()? as usize;
    let alpha_g1 = nonzero(g1(&mut h, "alpha_1")?, "alpha_1")?;
    let beta_g1 = nonzero(g1(&mut h, "beta_1")?, "beta_1")?;
    let beta_g2 = nonzero(g2(&mut h, "beta_2")?, "beta_2")?;
    let gamma_g2 = nonzero(g2(&mut h, "gamma_2")?, "gamma_2")?;
    let delta_g1 = nonzero(g1(&mut h, "delta_1")?, "delta_1")?;
    let delta_g2 = nonzero(g2(&mut h, "delta_2")?, "delta_2")?;
    h.finish()?;

    let wires = m.num_instance + m.num_witness;
    if n_vars != wires {
        return Err(other(format!("{n_vars} wires, the circuit has {wires}")));
    }
    if n_public + 1 != m.num_instance {
        return Err(other(format!(
            "{n_public} public inputs, the circuit has {}",
            m.num_instance - 1
        )));
    }
    let domain = (m.num_constraints + m.num_instance).next_power_of_two();
    if domain_size != domain {
        return Err(other(format!(
            "domain of {domain_size}, the circuit needs {domain}"
        )));
    }
    check_coefficients(f.section(4)?, m).map_err(|e| match e {
        Coef::Malformed(e) => ZkeyError::Malformed(e),
        Coef::Differs(what) => other(what),
    })?;

    let gamma_abc_g1 = points(&f, 3, n_public + 1, 64, "IC", g1)?;
    let a_query = points(&f, 5, n_vars, 64, "A", g1)?;
    let b_g1_query = points(&f, 6, n_vars, 64, "B1", g1)?;
    let b_g2_query = points(&f, 7, n_vars, 128, "B2", g2)?;
    let l_query = points(&f, 8, n_vars - n_public - 1, 64, "C", g1)?;
    let h_query = points(&f, 9, domain_size, 64, "H", g1)?;

    Ok(ProvingKey {
        vk: VerifyingKey {
            alpha_g1,
            beta_g2,
            gamma_g2,
            delta_g2,
            gamma_abc_g1,
        },
        beta_g1,
        delta_g1,
        a_query,
        b_g1_query,
        b_g2_query,
        h_query,
        l_query,
    })
}

enum Coef {
    Malformed(Malformed),
    Differs(String),
}

impl From<Malformed> for Coef {
    fn from(e: Malformed) -> Self {
        Coef::Malformed(e)
    }
}

/// Section 4 must list, in order, every A then B term of every constraint of the canonical
/// r1cs, then the input constraints `A[constraints + j][j] = 1`.
fn check_coefficients(body: &[u8], m: &Matrices) -> Result<(), Coef> {
    let r2 = mont_r().square();
    let mut expected: Vec<(u32, u32, u32, Fr)> = Vec::new();
    for (c, [a, b, _]) in r1cs::constraints(m).iter().enumerate() {
        for (matrix, row) in [(0u32, a), (1, b)] {
            expected.extend(row.iter().map(|(w, v)| (matrix, c as u32, *w, *v)));
        }
    }
    for j in 0..m.num_instance {
        expected.push((0, (m.num_constraints + j) as u32, j as u32, Fr::from(1u64)));
    }
    let mut r = Reader::new(body, "coefficients");
    let n = r.u32()? as usize;
    if n != expected.len() {
        return Err(Coef::Differs(format!(
            "{n} A/B coefficients, the circuit has {}",
            expected.len()
        )));
    }
    if r.remaining() != n * 44 {
        return Err(Coef::Malformed(Malformed(format!(
            "section 4 announces {n} coefficients but holds {} bytes",
            r.remaining()
        ))));
    }
    for (k, (matrix, constraint, wire, value)) in expected.into_iter().enumerate() {
        let got = (r.u32()?, r.u32()?, r.u32()?);
        let stored = BigInt(r.limbs()?);
        let want = (value * r2).into_bigint();
        if got != (matrix, constraint, wire) || stored != want {
            let side = if matrix == 0 { "A" } else { "B" };
            return Err(Coef::Differs(format!(
                "coefficient {k} ({side} of constraint {constraint}) differs"
            )));
        }
    }
    Ok(())
}
