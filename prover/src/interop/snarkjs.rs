//! snarkjs' Groth16 JSON formats (`protocol: groth16`, `curve: bn128`): the verification key
//! of `snarkjs zkey export verificationkey`, and the `proof.json` / `public.json` of
//! `snarkjs groth16 prove`, what `snarkjs groth16 verify vk.json public.json proof.json` reads.
//!
//! Numbers are decimal strings of canonical integers. Points are projective with `z = 1`:
//! G1 `[x, y, "1"]`, G2 `[[x.c0, x.c1], [y.c0, y.c1], ["1", "0"]]` (`x = x.c0 + x.c1·u`); the
//! identity is G1 `["0", "1", "0"]`, G2 `[["0","0"], ["1","0"], ["0","0"]]`.
//!
//! Parsing is strict: decimal digits only, values below the modulus, points on the curve and
//! in the prime-order subgroup.

use ark_bn254::{Bn254, Fq, Fq12, Fq2, Fq6, Fr, G1Affine, G2Affine};
use ark_ec::{pairing::Pairing, AffineRepr};
use ark_ff::{BigInt, PrimeField, Zero};
use ark_groth16::{Proof, VerifyingKey};
use serde::{Deserialize, Serialize};

/// A G1 point: `[x, y, z]`.
pub type G1Json = [String; 3];
/// A G2 point: `[[x.c0, x.c1], [y.c0, y.c1], [z.c0, z.c1]]`.
pub type G2Json = [[String; 2]; 3];

/// `verification_key.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VkJson {
    /// `groth16`.
    pub protocol: String,
    /// `bn128`.
    pub curve: String,
    /// Number of public inputs.
    #[serde(rename = "nPublic")]
    pub n_public: usize,
    /// α in G1.
    pub vk_alpha_1: G1Json,
    /// β in G2.
    pub vk_beta_2: G2Json,
    /// γ in G2.
    pub vk_gamma_2: G2Json,
    /// δ in G2.
    pub vk_delta_2: G2Json,
    /// `e(α, β)`, an element of Fq12 as two Fq6 of three Fq2.
    pub vk_alphabeta_12: [[[String; 2]; 3]; 2],
    /// The input commitments, constant term first.
    #[serde(rename = "IC")]
    pub ic: Vec<G1Json>,
}

/// `proof.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProofJson {
    /// A in G1.
    pub pi_a: G1Json,
    /// B in G2.
    pub pi_b: G2Json,
    /// C in G1.
    pub pi_c: G1Json,
    /// `groth16`.
    pub protocol: String,
    /// `bn128`.
    pub curve: String,
}

/// Why snarkjs JSON was not accepted.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SnarkjsError {
    /// Not JSON of the expected shape.
    #[error("not snarkjs groth16 JSON: {0}")]
    Json(String),
    /// `protocol` or `curve` is not `groth16` / `bn128`.
    #[error("protocol `{protocol}` on curve `{curve}`; only groth16 on bn128 is supported")]
    Protocol {
        /// Found protocol.
        protocol: String,
        /// Found curve.
        curve: String,
    },
    /// A number is not a canonical decimal integer below the modulus.
    #[error("{0}: not a decimal integer below the field modulus")]
    Number(&'static str),
    /// A point is not on the curve or not in the prime-order subgroup.
    #[error("{0}: not a valid point of the prime-order subgroup")]
    Point(&'static str),
}

/// A field element as a decimal string.
pub fn dec<F: PrimeField>(x: &F) -> String {
    x.into_bigint().to_string()
}

fn fq2_json(x: &Fq2) -> [String; 2] {
    [dec(&x.c0), dec(&x.c1)]
}

/// A G1 point in snarkjs' form.
pub fn g1_json(p: &G1Affine) -> G1Json {
    match p.xy() {
        Some((x, y)) => [dec(&x), dec(&y), "1".into()],
        None => ["0".into(), "1".into(), "0".into()],
    }
}

/// A G2 point in snarkjs' form.
pub fn g2_json(p: &G2Affine) -> G2Json {
    let s = |v: &str| v.to_string();
    match p.xy() {
        Some((x, y)) => [fq2_json(&x), fq2_json(&y), [s("1"), s("0")]],
        None => [[s("0"), s("0")], [s("1"), s("0")], [s("0"), s("0")]],
    }
}

fn fq6_json(x: &Fq6) -> [[String; 2]; 3] {
    [fq2_json(&x.c0), fq2_json(&x.c1), fq2_json(&x.c2)]
}

fn fq12_json(x: &Fq12) -> [[[String; 2]; 3]; 2] {
    [fq6_json(&x.c0), fq6_json(&x.c1)]
}

/// The verification key.
pub fn vk_json(vk: &VerifyingKey<Bn254>) -> VkJson {
    let ab = Bn254::pairing(vk.alpha_g1, vk.beta_g2).0;
    VkJson {
        protocol: "groth16".into(),
        curve: "bn128".into(),
        n_public: vk.gamma_abc_g1.len().saturating_sub(1),
        vk_alpha_1: g1_json(&vk.alpha_g1),
        vk_beta_2: g2_json(&vk.beta_g2),
        vk_gamma_2: g2_json(&vk.gamma_g2),
        vk_delta_2: g2_json(&vk.delta_g2),
        vk_alphabeta_12: fq12_json(&ab),
        ic: vk.gamma_abc_g1.iter().map(g1_json).collect(),
    }
}

/// A proof.
pub fn proof_json(p: &Proof<Bn254>) -> ProofJson {
    ProofJson {
        pi_a: g1_json(&p.a),
        pi_b: g2_json(&p.b),
        pi_c: g1_json(&p.c),
        protocol: "groth16".into(),
        curve: "bn128".into(),
    }
}

/// Public signals: the inputs as decimal strings, in slot order.
pub fn public_json(inputs: &[Fr]) -> Vec<String> {
    inputs.iter().map(dec).collect()
}

/// Parses a canonical decimal integer below the modulus of `F`.
pub fn parse_dec<F: PrimeField<BigInt = BigInt<4>>>(
    s: &str,
    what: &'static str,
) -> Result<F, SnarkjsError> {
    // 78 digits hold any 256-bit integer; longer strings are refused before any arithmetic.
    if s.is_empty() || s.len() > 78 || !s.bytes().all(|c| c.is_ascii_digit()) {
        return Err(SnarkjsError::Number(what));
    }
    let n: num_bigint::BigUint = s.parse().map_err(|_| SnarkjsError::Number(what))?;
    let big = BigInt::<4>::try_from(n).map_err(|_| SnarkjsError::Number(what))?;
    F::from_bigint(big).ok_or(SnarkjsError::Number(what))
}

fn parse_fq2(v: &[String; 2], what: &'static str) -> Result<Fq2, SnarkjsError> {
    Ok(Fq2::new(parse_dec(&v[0], what)?, parse_dec(&v[1], what)?))
}

/// Parses a G1 point (`z` must be 1, or 0 for the identity).
pub fn parse_g1(p: &G1Json, what: &'static str) -> Result<G1Affine, SnarkjsError> {
    let x: Fq = parse_dec(&p[0], what)?;
    let y: Fq = parse_dec(&p[1], what)?;
    match p[2].as_str() {
        // The identity has exactly one form.
        "0" if x.is_zero() && y == Fq::from(1u64) => Ok(G1Affine::zero()),
        "1" => {
            let q = G1Affine::new_unchecked(x, y);
            // BN254's G1 has cofactor 1.
            if q.is_on_curve() {
                Ok(q)
            } else {
                Err(SnarkjsError::Point(what))
            }
        }
        _ => Err(SnarkjsError::Point(what)),
    }
}

/// Parses a G2 point (`z` must be `["1","0"]`, or `["0","0"]` for the identity).
pub fn parse_g2(p: &G2Json, what: &'static str) -> Result<G2Affine, SnarkjsError> {
    let x = parse_fq2(&p[0], what)?;
    let y = parse_fq2(&p[1], what)?;
    match [p[2][0].as_str(), p[2][1].as_str()] {
        ["0", "0"] if x.is_zero() && y == Fq2::from(1u64) => Ok(G2Affine::zero()),
        ["1", "0"] => {
            let q = G2Affine::new_unchecked(x, y);
            if q.is_on_curve() && q.is_in_correct_subgroup_assuming_on_curve() {
                Ok(q)
            } else {
                Err(SnarkjsError::Point(what))
            }
        }
        _ => Err(SnarkjsError::Point(what)),
    }
}

fn check_protocol(protocol: &str, curve: &str) -> Result<(), SnarkjsError> {
    if protocol == "groth16" && curve == "bn128" {
        Ok(())
    } else {
        Err(SnarkjsError::Protocol {
            protocol: protocol.into(),
            curve: curve.into(),
        })
    }
}

/// Parses `proof.json`.
pub fn parse_proof(json: &str) -> Result<Proof<Bn254>, SnarkjsError> {
    let p: ProofJson = serde_json::from_str(json).map_err(|e| SnarkjsError::Json(e.to_string()))?;
    check_protocol(&p.protocol, &p.curve)?;
    Ok(Proof {
        a: parse_g1(&p.pi_a, "pi_a")?,
        b: parse_g2(&p.pi_b, "pi_b")?,
        c: parse_g1(&p.pi_c, "pi_c")?,
    })
}

/// Parses `public.json`.
pub fn parse_public(json: &str) -> Result<Vec<Fr>, SnarkjsError> {
    let v: Vec<String> =
        serde_json::from_str(json).map_err(|e| SnarkjsError::Json(e.to_string()))?;
    v.iter().map(|s| parse_dec(s, "public signal")).collect()
}

/// Parses `verification_key.json` (`vk_alphabeta_12` must equal `e(α, β)`).
pub fn parse_vk(json: &str) -> Result<VerifyingKey<Bn254>, SnarkjsError> {
    let v: VkJson = serde_json::from_str(json).map_err(|e| SnarkjsError::Json(e.to_string()))?;
    check_protocol(&v.protocol, &v.curve)?;
    if v.ic.len() != v.n_public + 1 {
        return Err(SnarkjsError::Json(format!(
            "nPublic is {} but IC has {} points",
            v.n_public,
            v.ic.len()
        )));
    }
    let vk = VerifyingKey {
        alpha_g1: parse_g1(&v.vk_alpha_1, "vk_alpha_1")?,
        beta_g2: parse_g2(&v.vk_beta_2, "vk_beta_2")?,
        gamma_g2: parse_g2(&v.vk_gamma_2, "vk_gamma_2")?,
        delta_g2: parse_g2(&v.vk_delta_2, "vk_delta_2")?,
        gamma_abc_g1: v
            .ic
            .iter()
            .map(|p| parse_g1(p, "IC"))
            .collect::<Result<_, _>>()?,
    };
    if vk_json(&vk).vk_alphabeta_12 != v.vk_alphabeta_12 {
        return Err(SnarkjsError::Json(
            "vk_alphabeta_12 is not e(vk_alpha_1, vk_beta_2)".into(),
        ));
    }
    Ok(vk)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ec::CurveGroup;
    use ark_ff::UniformRand;
    use ark_std::rand::{rngs::StdRng, SeedableRng};

    #[test]
    fn points_and_numbers_round_trip_and_bad_ones_are_refused() {
        let mut rng = StdRng::seed_from_u64(3);
        let proof = Proof::<Bn254> {
            a: ark_bn254::G1Projective::rand(&mut rng).into_affine(),
            b: ark_bn254::G2Projective::rand(&mut rng).into_affine(),
            c: G1Affine::zero(),
        };
        let json = serde_json::to_string(&proof_json(&proof)).unwrap();
        assert_eq!(parse_proof(&json).unwrap(), proof);
        assert!(json.contains(r#"["0","1","0"]"#), "{json}");

        let r_minus_1 = -Fr::from(1u64);
        assert_eq!(parse_dec::<Fr>(&dec(&r_minus_1), "x").unwrap(), r_minus_1);
        let r = "21888242871839275222246405745257275088548364400416034343698204186575808495617";
        for bad in ["", "-1", "+1", "0x10", "1 ", r, &"9".repeat(79)] {
            assert!(parse_dec::<Fr>(bad, "x").is_err(), "{bad:?}");
        }
        // (1, 3) is not on y² = x³ + 3.
        let off = ["1".to_string(), "3".into(), "1".into()];
        assert_eq!(parse_g1(&off, "p"), Err(SnarkjsError::Point("p")));
        let other_zero = ["0".to_string(), "2".into(), "0".into()];
        assert_eq!(parse_g1(&other_zero, "p"), Err(SnarkjsError::Point("p")));
        let g2_zero = g2_json(&G2Affine::zero());
        assert_eq!(parse_g2(&g2_zero, "p"), Ok(G2Affine::zero()));
        let mut p = proof_json(&proof);
        p.curve = "bls12381".into();
        assert!(matches!(
            parse_proof(&serde_json::to_string(&p).unwrap()),
            Err(SnarkjsError::Protocol { .. })
        ));
    }
}
