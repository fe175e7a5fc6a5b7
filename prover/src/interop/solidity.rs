//! An on-chain verifier: a Solidity contract for one shape's verifying key, checking a chunk
//! proof with the BN254 precompiles (EIP-196 `ecAdd` 0x06 / `ecMul` 0x07, EIP-197 pairing
//! 0x08), and the calldata of a bundle's chunks.
//!
//! The contract checks the Groth16 equation as one pairing product,
//! `e(−A, B)·e(α, β)·e(Σ xᵢ·ICᵢ, γ)·e(C, δ) = 1`, after refusing coordinates `≥ q` and inputs
//! `≥ r` (so every proof and input has exactly one encoding, as in `zkcontrib-verifier`).
//! It returns `false` for any invalid proof and never reverts on one. The curve equations of
//! A, C (G1) and B (the twist) are checked in the contract, because a failing precompile
//! consumes all the gas it was given; only a B on the twist but outside the prime-order
//! subgroup is left to the pairing precompile (and then does cost the gas forwarded to it).
//!
//! The EVM encodes an Fq2 element `c0 + c1·u` as `(c1, c0)`: G2 points in the contract and in
//! the calldata are `[[x.c1, x.c0], [y.c1, y.c0]]`.

use super::snarkjs::dec;
use super::ExportError;
use ark_bn254::{Bn254, Fq, Fq2, Fr, G1Affine, G2Affine};
use ark_ec::{short_weierstrass::SWCurveConfig, AffineRepr};
use ark_ff::{BigInteger, PrimeField, Zero};
use ark_groth16::{Proof, VerifyingKey};
use sha3::{Digest, Keccak256};
use std::fmt::Write;

/// The Solidity signature of the verifier's entry point (11 public inputs).
pub const SIGNATURE: &str = "verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[11])";

/// The names of the 11 public-input slots, for the contract's documentation.
const SLOTS: [&str; 11] = [
    "policy_id",
    "submitter",
    "state_in",
    "state_out",
    "is_first",
    "is_last",
    "claimed_points",
    "claimed_distance_m",
    "claimed_duration_s",
    "commitment",
    "contribution_id",
];

/// The contract name for a shape: `ZkcontribVerifier` + the shape's name in CamelCase.
pub fn contract_name(shape: &str) -> String {
    let mut name = String::from("ZkcontribVerifier");
    for part in shape.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut cs = part.chars();
        if let Some(first) = cs.next() {
            name.push(first.to_ascii_uppercase());
            name.extend(cs);
        }
    }
    name
}

/// The 4-byte selector of [`SIGNATURE`].
pub fn selector() -> [u8; 4] {
    let h = Keccak256::digest(SIGNATURE.as_bytes());
    [h[0], h[1], h[2], h[3]]
}

fn g1_xy(p: &G1Affine) -> (Fq, Fq) {
    p.xy().unwrap_or((Fq::zero(), Fq::zero()))
}

fn g2_xy(p: &G2Affine) -> (Fq2, Fq2) {
    p.xy().unwrap_or((Fq2::zero(), Fq2::zero()))
}

/// What the contract's header says about the key.
#[derive(Clone, Debug)]
pub struct KeyLabel<'a> {
    /// Shape name.
    pub shape: &'a str,
    /// `vk_hash_hex` of the key.
    pub vk_hash: &'a str,
    /// Where the key came from, e.g. "development setup (NOT FOR PRODUCTION)".
    pub origin: &'a str,
}

/// The verifier contract for `vk`, which must take the 11 public inputs of zkcontrib chunks.
pub fn contract(vk: &VerifyingKey<Bn254>, label: &KeyLabel<'_>) -> Result<String, ExportError> {
    if vk.gamma_abc_g1.len() != SLOTS.len() + 1 {
        return Err(ExportError::InputCount {
            got: vk.gamma_abc_g1.len().saturating_sub(1),
        });
    }
    let name = contract_name(label.shape);
    let mut consts = String::new();
    let mut g1 = |name: &str, p: &G1Affine| {
        let (x, y) = g1_xy(p);
        let _ = writeln!(
            consts,
            "    uint256 internal constant {name}_X = {};",
            dec(&x)
        );
        let _ = writeln!(
            consts,
            "    uint256 internal constant {name}_Y = {};",
            dec(&y)
        );
    };
    g1("ALPHA", &vk.alpha_g1);
    for (i, p) in vk.gamma_abc_g1.iter().enumerate() {
        g1(&format!("IC{i}"), p);
    }
    for (name, p) in [
        ("BETA", &vk.beta_g2),
        ("GAMMA", &vk.gamma_g2),
        ("DELTA", &vk.delta_g2),
    ] {
        let (x, y) = g2_xy(p);
        for (part, v) in [("X1", x.c1), ("X0", x.c0), ("Y1", y.c1), ("Y0", y.c0)] {
            let _ = writeln!(
                consts,
                "    uint256 internal constant {name}_{part} = {};",
                dec(&v)
            );
        }
    }
    let mut inputs_doc = String::new();
    for (i, s) in SLOTS.iter().enumerate() {
        let _ = writeln!(inputs_doc, "    ///      input[{i}] {s}");
    }
    let mut accumulate = String::new();
    for i in 0..SLOTS.len() {
        let _ = writeln!(
            accumulate,
            "        if (!_addMul(x, IC{k}_X, IC{k}_Y, input[{i}])) return false;",
            k = i + 1
        );
    }
    let g2_slots = |base: usize, name: &str| {
        ["X1", "X0", "Y1", "Y0"]
            .iter()
            .enumerate()
            .map(|(j, part)| format!("        p[{}] = {name}_{part};\n", base + j))
            .collect::<String>()
    };
    let beta = g2_slots(8, "BETA");
    let gamma = g2_slots(14, "GAMMA");
    let delta = g2_slots(20, "DELTA");
    let r = dec_modulus::<Fr>();
    let q = dec_modulus::<Fq>();
    let twist_b0 = dec(&<ark_bn254::g2::Config as SWCurveConfig>::COEFF_B.c0);
    let twist_b1 = dec(&<ark_bn254::g2::Config as SWCurveConfig>::COEFF_B.c1);
    let version = env!("CARGO_PKG_VERSION");
    let KeyLabel {
        shape,
        vk_hash,
        origin,
    } = label;
    Ok(format!(
        r#"// SPDX-License-Identifier: MIT OR Apache-2.0
// Generated by `zkcontrib export solidity` (zkcontrib {version}); regenerate, do not edit.
// Shape `{shape}`, verifying key {vk_hash}: {origin}.
pragma solidity ^0.8.20;

/// @title zkcontrib chunk verifier for shape `{shape}` (Groth16 over BN254)
/// @notice Verifies one chunk proof of a zkcontrib contribution bundle with the EIP-196/197
///         precompiles. A bundle is valid when every chunk verifies and the chunks link
///         (state_out of chunk k is state_in of chunk k+1, 0 after the last): see the
///         zkcontrib bundle format. A reward contract must compute the inputs from what it
///         trusts (its registered policy_id, the payee as submitter, the claims it pays for),
///         never take them from the sender.
contract {name} {{
    /// Scalar field modulus r: every public input must be below it.
    uint256 internal constant R = {r};
    /// Base field modulus q: every proof coordinate must be below it.
    uint256 internal constant Q = {q};
    /// b' = 3 / (9 + u) of the G2 twist y² = x³ + b', as (c0, c1).
    uint256 internal constant TWIST_B0 = {twist_b0};
    uint256 internal constant TWIST_B1 = {twist_b1};

    /// SHA-256 of the zkcontrib verifying-key encoding (the bundle's vk_hash).
    bytes32 public constant VK_HASH = {vk_hash};
    /// The circuit shape.
    string public constant SHAPE = "{shape}";

    // The verifying key. G2 coordinates c0 + c1·u are stored as (c1, c0), the precompile order.
{consts}
    /// @notice Checks a chunk proof.
    /// @param a proof A = (x, y)
    /// @param b proof B = ((x.c1, x.c0), (y.c1, y.c0))
    /// @param c proof C = (x, y)
    /// @param input the public inputs in slot order:
{inputs_doc}    /// @return true iff the proof is valid for these inputs
    function verifyProof(
        uint256[2] calldata a,
        uint256[2][2] calldata b,
        uint256[2] calldata c,
        uint256[11] calldata input
    ) external view returns (bool) {{
        if (a[0] >= Q || a[1] >= Q || c[0] >= Q || c[1] >= Q) return false;
        if (b[0][0] >= Q || b[0][1] >= Q || b[1][0] >= Q || b[1][1] >= Q) return false;
        // A failing precompile consumes all the gas it was given: refuse first what it would
        // refuse where that is cheap (curve equations). B's subgroup check is the precompile's.
        if (!_onG1(a[0], a[1]) || !_onG1(c[0], c[1])) return false;
        if (!_onTwist(b[0][0], b[0][1], b[1][0], b[1][1])) return false;
        for (uint256 i = 0; i < 11; i++) {{
            if (input[i] >= R) return false;
        }}
        // x = IC0 + Σ input[i]·IC[i+1]
        uint256[2] memory x = [IC0_X, IC0_Y];
{accumulate}
        uint256[24] memory p;
        // −A: (x, q − y); the identity (0, 0) stays itself.
        p[0] = a[0];
        p[1] = a[1] == 0 ? 0 : Q - a[1];
        p[2] = b[0][0];
        p[3] = b[0][1];
        p[4] = b[1][0];
        p[5] = b[1][1];
        p[6] = ALPHA_X;
        p[7] = ALPHA_Y;
{beta}        p[12] = x[0];
        p[13] = x[1];
{gamma}        p[18] = c[0];
        p[19] = c[1];
{delta}        return _pairing(p);
    }}

    /// (x, y) is on y² = x³ + 3 or is the identity (0, 0); BN254's G1 has cofactor 1, so this is
    /// also the subgroup check. Coordinates are below Q.
    function _onG1(uint256 x, uint256 y) private pure returns (bool) {{
        if (x == 0 && y == 0) return true;
        return mulmod(y, y, Q) == addmod(mulmod(mulmod(x, x, Q), x, Q), 3, Q);
    }}

    /// (x, y), x = x0 + x1·u, is on the twist y² = x³ + b' or is the identity (0, 0, 0, 0).
    /// Coordinates are below Q.
    function _onTwist(uint256 x1, uint256 x0, uint256 y1, uint256 y0) private pure returns (bool) {{
        if (x0 == 0 && x1 == 0 && y0 == 0 && y1 == 0) return true;
        // x² = (x0² − x1², 2·x0·x1), x³ = x²·x, y² = (y0² − y1², 2·y0·y1)
        uint256 s0 = addmod(mulmod(x0, x0, Q), Q - mulmod(x1, x1, Q), Q);
        uint256 s1 = mulmod(2, mulmod(x0, x1, Q), Q);
        uint256 c0 = addmod(mulmod(s0, x0, Q), Q - mulmod(s1, x1, Q), Q);
        uint256 c1 = addmod(mulmod(s0, x1, Q), mulmod(s1, x0, Q), Q);
        uint256 t0 = addmod(mulmod(y0, y0, Q), Q - mulmod(y1, y1, Q), Q);
        uint256 t1 = mulmod(2, mulmod(y0, y1, Q), Q);
        return t0 == addmod(c0, TWIST_B0, Q) && t1 == addmod(c1, TWIST_B1, Q);
    }}

    /// x ← x + s·(px, py) with ecMul (0x07) then ecAdd (0x06); false if a precompile fails.
    function _addMul(uint256[2] memory x, uint256 px, uint256 py, uint256 s) private view returns (bool ok) {{
        uint256[5] memory buf;
        buf[0] = x[0];
        buf[1] = x[1];
        buf[2] = px;
        buf[3] = py;
        buf[4] = s;
        assembly ("memory-safe") {{
            ok := staticcall(gas(), 0x07, add(buf, 0x40), 0x60, add(buf, 0x40), 0x40)
            if ok {{
                ok := staticcall(gas(), 0x06, buf, 0x80, x, 0x40)
            }}
        }}
    }}

    /// The pairing check (0x08) of four pairs; false if the precompile fails.
    function _pairing(uint256[24] memory p) private view returns (bool) {{
        uint256[1] memory out;
        bool ok;
        assembly ("memory-safe") {{
            ok := staticcall(gas(), 0x08, p, 0x300, out, 0x20)
        }}
        return ok && out[0] == 1;
    }}
}}
"#
    ))
}

fn dec_modulus<F: PrimeField>() -> String {
    F::MODULUS.to_string()
}

fn word(out: &mut Vec<u8>, x: &impl PrimeField) {
    let be = x.into_bigint().to_bytes_be();
    out.extend(std::iter::repeat_n(0u8, 32 - be.len()));
    out.extend_from_slice(&be);
}

/// The ABI-encoded call `verifyProof(a, b, c, input)` for one chunk.
pub fn calldata(proof: &Proof<Bn254>, inputs: &[Fr; 11]) -> Vec<u8> {
    let mut out = Vec::with_capacity(4 + 19 * 32);
    out.extend_from_slice(&selector());
    let (ax, ay) = g1_xy(&proof.a);
    let (bx, by) = g2_xy(&proof.b);
    let (cx, cy) = g1_xy(&proof.c);
    for v in [ax, ay] {
        word(&mut out, &v);
    }
    for v in [bx.c1, bx.c0, by.c1, by.c0] {
        word(&mut out, &v);
    }
    for v in [cx, cy] {
        word(&mut out, &v);
    }
    for x in inputs {
        word(&mut out, x);
    }
    out
}

/// `calldata.json`: the contract, the function and one call per chunk.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalldataJson {
    /// Contract name.
    pub contract: String,
    /// Function signature.
    pub function: String,
    /// The bundle's vk hash (the contract's `VK_HASH`).
    pub vk_hash: String,
    /// Per chunk, in order: `0x` + hex of the full call data (selector and arguments).
    pub chunks: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_selector_and_layout() {
        assert_eq!(contract_name("test"), "ZkcontribVerifierTest");
        assert_eq!(contract_name("county"), "ZkcontribVerifierCounty");
        // Computed independently with @noble/hashes keccak_256; the interop test checks it
        // against solc's methodIdentifiers.
        assert_eq!(hex::encode(selector()), "b9c6ea87");
        let proof = Proof::<Bn254> {
            a: G1Affine::generator(),
            b: G2Affine::generator(),
            c: G1Affine::generator(),
        };
        let inputs = core::array::from_fn(|i| Fr::from(i as u64));
        let data = calldata(&proof, &inputs);
        assert_eq!(data.len(), 4 + 19 * 32);
        // A = (1, 2), then B's x.c1 first.
        assert_eq!(data[4 + 31], 1);
        assert_eq!(data[4 + 63], 2);
        let (bx, _) = g2_xy(&proof.b);
        let mut w = Vec::new();
        word(&mut w, &bx.c1);
        assert_eq!(&data[68..100], &w[..]);
        assert_eq!(data[data.len() - 1], 10);
    }
}
