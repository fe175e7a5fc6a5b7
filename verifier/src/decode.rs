//! Strict decoding of untrusted bytes: field elements, proofs and verifying keys.
//!
//! Every function here takes bytes from the network and never panics. Encodings are the
//! arkworks *compressed* ones, checked for canonicity (a point must re-encode to the same
//! bytes, a coordinate or field element must be below its modulus), curve membership and
//! subgroup membership; lengths are exact and trailing bytes are an error.
//!
//! | item          | layout                                                              | bytes     |
//! |---------------|---------------------------------------------------------------------|-----------|
//! | field element | big-endian, `< r`                                                   | 32        |
//! | proof         | `A` (G1) ‖ `B` (G2) ‖ `C` (G1)                                      | 128       |
//! | verifying key | `α` (G1) ‖ `β` ‖ `γ` ‖ `δ` (G2) ‖ `n` (u64 LE) ‖ `n` × IC (G1)      | 232 + 32n |

use alloc::{string::String, vec::Vec};

use ark_bn254::{Bn254, Fr, G1Affine, G2Affine};
use ark_ec::AffineRepr;
use ark_ff::{BigInt, PrimeField};
use ark_groth16::{Proof, VerifyingKey};
use ark_serialize::CanonicalSerialize;
use sha2::{Digest, Sha256};

/// Most public inputs a decoded verifying key may have (IC points minus one).
pub const MAX_PUBLIC_INPUTS: usize = 64;

/// Bytes of a field element.
pub const FR_LEN: usize = 32;
/// Bytes of a compressed G1 point.
pub const G1_LEN: usize = 32;
/// Bytes of a compressed G2 point.
pub const G2_LEN: usize = 64;
/// Bytes of a compressed proof.
pub const PROOF_LEN: usize = G1_LEN + G2_LEN + G1_LEN;
/// Bytes of a compressed verifying key before its IC points (α, β, γ, δ and the count).
pub const VK_FIXED_LEN: usize = G1_LEN + 3 * G2_LEN + 8;

/// Why untrusted bytes were rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The input has the wrong length.
    #[error("{what}: expected {expected} bytes, got {got}")]
    Length {
        /// What was being decoded.
        what: &'static str,
        /// Required length.
        expected: usize,
        /// Actual length.
        got: usize,
    },
    /// A field element is not reduced (its value is at least the modulus).
    #[error("{what}: not a canonical field element (value >= modulus)")]
    NotCanonical {
        /// What was being decoded.
        what: &'static str,
    },
    /// A point encoding is malformed or not canonical, or the point is not on the curve or
    /// not in the prime-order subgroup.
    #[error("{what}: not the canonical encoding of a point in the prime-order subgroup")]
    InvalidPoint {
        /// What was being decoded.
        what: &'static str,
    },
    /// A point is the identity where the identity is not allowed.
    #[error("{what}: the identity point is not allowed")]
    Identity {
        /// What was being decoded.
        what: &'static str,
    },
    /// A hex string is malformed (missing `0x` prefix or a non-hex digit).
    #[error("{what}: malformed hex (expected 0x followed by hex digits)")]
    Hex {
        /// What was being decoded.
        what: &'static str,
    },
    /// A verifying key has more public inputs than [`MAX_PUBLIC_INPUTS`].
    #[error("verifying key has {got} public inputs, at most {max} are accepted")]
    TooManyInputs {
        /// Public inputs of the key.
        got: u64,
        /// Accepted maximum.
        max: usize,
    },
    /// A verifying key has no IC points, so not even the constant term.
    #[error("verifying key has no IC points (gamma_abc_g1 is empty)")]
    EmptyIc,
    /// Bytes follow a complete encoding.
    #[error("{what}: trailing bytes after the encoding")]
    Trailing {
        /// What was being decoded.
        what: &'static str,
    },
    /// Hex digits in upper case: the canonical form is lower case, so that every value has
    /// exactly one encoding.
    #[error("{what}: uppercase hex digits (the canonical form is lowercase)")]
    Uppercase {
        /// What was being decoded.
        what: &'static str,
    },
    /// A submitter address not in its canonical width: 40 hex digits (20 bytes) for a value
    /// below 2^160, else 64 (see [`crate::bundle::encode_submitter`]).
    #[error("address hex: {digits} digits; the canonical form has 40 for a value below 2^160 (a 20-byte address, leading zeros kept), else 64")]
    SubmitterWidth {
        /// Hex digits given.
        digits: usize,
    },
    /// A bundle's `format` is not one this library reads.
    #[error("unknown bundle format (expected {})", crate::limits::BUNDLE_FORMAT)]
    Format,
    /// A label (a shape name) is empty, too long or has characters outside `[a-z0-9_-]`.
    #[error("{what}: expected 1 to {max} characters from a-z, 0-9, '_' and '-'")]
    Label {
        /// What was being decoded.
        what: &'static str,
        /// Longest accepted label.
        max: usize,
    },
}

/// Decodes a scalar-field element: exactly 32 bytes, big-endian, strictly below `r`.
///
/// Values `>= r` are rejected, never reduced, so every element has exactly one encoding.
pub fn decode_fr(bytes: &[u8]) -> Result<Fr, DecodeError> {
    decode_fr_named(bytes, "field element")
}

fn decode_fr_named(bytes: &[u8], what: &'static str) -> Result<Fr, DecodeError> {
    let arr: &[u8; FR_LEN] = bytes.try_into().map_err(|_| DecodeError::Length {
        what,
        expected: FR_LEN,
        got: bytes.len(),
    })?;
    let mut limbs = [0u64; 4];
    for (i, chunk) in arr.chunks_exact(8).enumerate() {
        let mut w = [0u8; 8];
        w.copy_from_slice(chunk);
        // Big-endian bytes: the first chunk is the most significant limb.
        limbs[3 - i] = u64::from_be_bytes(w);
    }
    Fr::from_bigint(BigInt::new(limbs)).ok_or(DecodeError::NotCanonical { what })
}

/// Encodes a scalar-field element as 32 big-endian bytes (the inverse of [`decode_fr`]).
pub fn encode_fr(x: &Fr) -> [u8; FR_LEN] {
    let limbs = x.into_bigint().0;
    let mut out = [0u8; FR_LEN];
    for (i, chunk) in out.chunks_exact_mut(8).enumerate() {
        chunk.copy_from_slice(&limbs[3 - i].to_be_bytes());
    }
    out
}

/// Decodes `0x` followed by exactly 64 lowercase hex digits as 32 bytes (a hash).
pub fn decode_hash_hex(s: &str) -> Result<[u8; 32], DecodeError> {
    decode_hex_exact(s, "hash hex")
}

/// Decodes `0x` followed by exactly 64 lowercase hex digits as a field element (the only
/// form [`encode_fr_hex`] writes; uppercase is [`DecodeError::Uppercase`]).
pub fn decode_fr_hex(s: &str) -> Result<Fr, DecodeError> {
    const WHAT: &str = "field element hex";
    let bytes: [u8; FR_LEN] = decode_hex_exact(s, WHAT)?;
    decode_fr_named(&bytes, "field element")
}

/// Encodes a field element as `0x` and 64 lowercase hex digits.
pub fn encode_fr_hex(x: &Fr) -> String {
    to_hex(&encode_fr(x))
}

/// Decodes a compressed Groth16 proof: exactly 128 bytes, each point on the curve, in the
/// prime-order subgroup and not the identity.
pub fn decode_proof(bytes: &[u8]) -> Result<Proof<Bn254>, DecodeError> {
    decode_proof_with(bytes, true)
}

/// [`decode_proof`] without the G2 subgroup check of `B` (it is only checked to be on the
/// curve): for the verifier, whose Miller loop decides `B`'s membership on the way
/// ([`zkcontrib_engine::lines::prepare_checked`]). Every other check is the same.
pub(crate) fn decode_proof_deferred(bytes: &[u8]) -> Result<Proof<Bn254>, DecodeError> {
    decode_proof_with(bytes, false)
}

fn decode_proof_with(bytes: &[u8], subgroup_b: bool) -> Result<Proof<Bn254>, DecodeError> {
    let (a, b, c) = proof_parts(bytes)?;
    let points = (
        zkcontrib_engine::decompress::g1(a),
        zkcontrib_engine::decompress::g2(b),
        zkcontrib_engine::decompress::g1(c),
    );
    proof_from_points((a, b, c), points, subgroup_b)
}

/// The encodings of `A`, `B`, `C` of a proof of the right length.
fn proof_parts(bytes: &[u8]) -> Result<Parts<'_>, DecodeError> {
    if bytes.len() != PROOF_LEN {
        return Err(DecodeError::Length {
            what: "proof",
            expected: PROOF_LEN,
            got: bytes.len(),
        });
    }
    Ok(split_proof(bytes))
}

/// The encodings of a proof's `A`, `B`, `C`.
type Parts<'a> = (&'a [u8], &'a [u8], &'a [u8]);

/// `A`, `B`, `C` of `PROOF_LEN` bytes.
fn split_proof(bytes: &[u8]) -> Parts<'_> {
    let (a, rest) = bytes.split_at(G1_LEN);
    let (b, c) = rest.split_at(G2_LEN);
    (a, b, c)
}

/// The checks of [`decode_proof`] on the decompressed points of `A`, `B`, `C`
/// (`crate::decompress`), in its order: each point valid and canonical, then none the
/// identity.
fn proof_from_points(
    (a_bytes, b_bytes, c_bytes): Parts<'_>,
    (a, b, c): (Option<G1Affine>, Option<G2Affine>, Option<G1Affine>),
    subgroup_b: bool,
) -> Result<Proof<Bn254>, DecodeError> {
    let a = g1_checked(a, a_bytes, "proof.a")?;
    let b = g2_point_with(b, b_bytes, "proof.b", subgroup_b)?;
    let c = g1_checked(c, c_bytes, "proof.c")?;
    for (zero, what) in [
        (a.is_zero(), "proof.a"),
        (b.is_zero(), "proof.b"),
        (c.is_zero(), "proof.c"),
    ] {
        if zero {
            return Err(DecodeError::Identity { what });
        }
    }
    Ok(Proof { a, b, c })
}

/// [`decode_proof_hex_deferred`] of many proofs, the same results; the square roots of all
/// points are taken together (eight at a time on IFMA lanes where the CPU has them), which
/// is most of decoding's cost.
pub(crate) fn decode_proofs_hex_deferred(hexes: &[&str]) -> Vec<Result<Proof<Bn254>, DecodeError>> {
    let bytes: Vec<Result<[u8; PROOF_LEN], DecodeError>> = hexes
        .iter()
        .map(|s| decode_hex_exact::<PROOF_LEN>(s, "proof hex"))
        .collect();
    let parts: Vec<Parts<'_>> = bytes
        .iter()
        .filter_map(|b| b.as_ref().ok())
        .map(|b| split_proof(b))
        .collect();
    let g1s = zkcontrib_engine::decompress::g1_many(
        &parts.iter().flat_map(|p| [p.0, p.2]).collect::<Vec<_>>(),
    );
    let g2s = zkcontrib_engine::decompress::g2_many(&parts.iter().map(|p| p.1).collect::<Vec<_>>());
    // one entry of `parts`, two of `g1s` and one of `g2s` per proof of the right length
    let mut decoded = parts
        .iter()
        .enumerate()
        .map(|(k, p)| proof_from_points(*p, (g1s[2 * k], g2s[k], g1s[2 * k + 1]), false));
    bytes
        .iter()
        .map(|b| match b {
            Err(e) => Err(*e),
            Ok(_) => decoded
                .next()
                .unwrap_or(Err(DecodeError::InvalidPoint { what: "proof" })),
        })
        .collect()
}

/// Decodes `0x` followed by exactly 256 lowercase hex digits as a proof (see
/// [`decode_proof`]).
pub fn decode_proof_hex(s: &str) -> Result<Proof<Bn254>, DecodeError> {
    let bytes: [u8; PROOF_LEN] = decode_hex_exact(s, "proof hex")?;
    decode_proof(&bytes)
}

/// [`decode_proof_hex`] with [`decode_proof_deferred`].
pub(crate) fn decode_proof_hex_deferred(s: &str) -> Result<Proof<Bn254>, DecodeError> {
    let bytes: [u8; PROOF_LEN] = decode_hex_exact(s, "proof hex")?;
    decode_proof_deferred(&bytes)
}

/// Encodes a proof in the compressed form [`decode_proof`] reads.
pub fn encode_proof(proof: &Proof<Bn254>) -> [u8; PROOF_LEN] {
    let mut out = [0u8; PROOF_LEN];
    let (a, rest) = out.split_at_mut(G1_LEN);
    let (b, c) = rest.split_at_mut(G2_LEN);
    // Writing a fixed-size compressed point into a buffer of exactly its size cannot fail.
    let _ = proof.a.serialize_compressed(a);
    let _ = proof.b.serialize_compressed(b);
    let _ = proof.c.serialize_compressed(c);
    out
}

/// Encodes a proof as `0x` and 256 lowercase hex digits.
pub fn encode_proof_hex(proof: &Proof<Bn254>) -> String {
    to_hex(&encode_proof(proof))
}

/// Decodes a compressed verifying key.
///
/// Checks every point (curve and subgroup), rejects the identity for `α`, `β`, `γ`, `δ`,
/// requires at least one IC point and at most [`MAX_PUBLIC_INPUTS`] public inputs, and
/// checks the exact length *before* decoding any IC point.
pub fn decode_vk(bytes: &[u8]) -> Result<VerifyingKey<Bn254>, DecodeError> {
    const WHAT: &str = "verifying key";
    if bytes.len() < VK_FIXED_LEN {
        return Err(DecodeError::Length {
            what: WHAT,
            expected: VK_FIXED_LEN,
            got: bytes.len(),
        });
    }
    let (fixed, ic_bytes) = bytes.split_at(VK_FIXED_LEN);
    let (alpha, rest) = fixed.split_at(G1_LEN);
    let (beta, rest) = rest.split_at(G2_LEN);
    let (gamma, rest) = rest.split_at(G2_LEN);
    let (delta, count) = rest.split_at(G2_LEN);

    let mut n = [0u8; 8];
    n.copy_from_slice(count);
    let n = u64::from_le_bytes(n);
    if n == 0 {
        return Err(DecodeError::EmptyIc);
    }
    if n - 1 > MAX_PUBLIC_INPUTS as u64 {
        return Err(DecodeError::TooManyInputs {
            got: n - 1,
            max: MAX_PUBLIC_INPUTS,
        });
    }
    // n <= 65, so this cannot overflow.
    let n = n as usize;
    let expected = VK_FIXED_LEN + n * G1_LEN;
    if bytes.len() < expected {
        return Err(DecodeError::Length {
            what: WHAT,
            expected,
            got: bytes.len(),
        });
    }
    if bytes.len() > expected {
        return Err(DecodeError::Trailing { what: WHAT });
    }

    let alpha_g1 = nonzero(g1_point(alpha, "vk.alpha_g1")?, "vk.alpha_g1")?;
    let beta_g2 = nonzero(g2_point(beta, "vk.beta_g2")?, "vk.beta_g2")?;
    let gamma_g2 = nonzero(g2_point(gamma, "vk.gamma_g2")?, "vk.gamma_g2")?;
    let delta_g2 = nonzero(g2_point(delta, "vk.delta_g2")?, "vk.delta_g2")?;
    let gamma_abc_g1 = ic_bytes
        .chunks_exact(G1_LEN)
        .map(|p| g1_point(p, "vk.gamma_abc_g1"))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(VerifyingKey {
        alpha_g1,
        beta_g2,
        gamma_g2,
        delta_g2,
        gamma_abc_g1,
    })
}

/// Encodes a verifying key in the compressed form [`decode_vk`] reads.
pub fn encode_vk(vk: &VerifyingKey<Bn254>) -> Vec<u8> {
    let mut out = Vec::with_capacity(vk.compressed_size());
    // Serializing into a Vec cannot fail.
    let _ = vk.serialize_compressed(&mut out);
    out
}

/// SHA-256 of the compressed verifying key ([`encode_vk`]): the key's identity.
pub fn vk_hash(vk: &VerifyingKey<Bn254>) -> [u8; 32] {
    Sha256::digest(encode_vk(vk)).into()
}

/// [`vk_hash`] as `0x` and 64 lowercase hex digits, for display.
pub fn vk_hash_hex(vk: &VerifyingKey<Bn254>) -> String {
    to_hex(&vk_hash(vk))
}

/// Decodes a compressed G1 point: on the curve (BN254's G1 has cofactor 1, so that is the
/// subgroup) and canonically encoded. `bytes` is exactly [`G1_LEN`] long.
fn g1_point(bytes: &[u8], what: &'static str) -> Result<G1Affine, DecodeError> {
    g1_checked(zkcontrib_engine::decompress::g1(bytes), bytes, what)
}

/// [`g1_point`] of the decompressed `p`.
fn g1_checked(
    p: Option<G1Affine>,
    bytes: &[u8],
    what: &'static str,
) -> Result<G1Affine, DecodeError> {
    // Decompression solved the curve equation for y (crate::decompress, arkworks' result with
    // cheaper square roots); the checks follow.
    let p = p.ok_or(DecodeError::InvalidPoint { what })?;
    if !p.is_on_curve() {
        return Err(DecodeError::InvalidPoint { what });
    }
    canonical::<G1_LEN, _>(&p, bytes, what)?;
    Ok(p)
}

/// Decodes a compressed G2 point: on the curve, in the order-`r` subgroup (the fast check of
/// [`zkcontrib_engine::curve::is_in_g2`]) and canonically encoded. `bytes` is exactly [`G2_LEN`] long.
fn g2_point(bytes: &[u8], what: &'static str) -> Result<G2Affine, DecodeError> {
    g2_point_with(zkcontrib_engine::decompress::g2(bytes), bytes, what, true)
}

/// [`g2_point`] of the decompressed `p`, the subgroup check only when `subgroup` is set.
fn g2_point_with(
    p: Option<G2Affine>,
    bytes: &[u8],
    what: &'static str,
    subgroup: bool,
) -> Result<G2Affine, DecodeError> {
    let p = p.ok_or(DecodeError::InvalidPoint { what })?;
    if !p.is_on_curve() || (subgroup && !zkcontrib_engine::curve::is_in_g2(&p)) {
        return Err(DecodeError::InvalidPoint { what });
    }
    canonical::<G2_LEN, _>(&p, bytes, what)?;
    Ok(p)
}

/// The point re-encodes to exactly `bytes`: one encoding per point (arkworks reads an
/// identity flag without looking at the rest, for example).
fn canonical<const N: usize, P: CanonicalSerialize>(
    p: &P,
    bytes: &[u8],
    what: &'static str,
) -> Result<(), DecodeError> {
    let mut out = [0u8; N];
    match p.serialize_compressed(&mut out[..]) {
        Ok(()) if out[..] == *bytes => Ok(()),
        _ => Err(DecodeError::InvalidPoint { what }),
    }
}

fn nonzero<P: AffineRepr>(p: P, what: &'static str) -> Result<P, DecodeError> {
    if p.is_zero() {
        return Err(DecodeError::Identity { what });
    }
    Ok(p)
}

/// Parses `0x` and exactly `2 * N` lowercase hex digits; the length is checked before any
/// parsing. Uppercase digits are refused ([`DecodeError::Uppercase`]): one value, one form.
fn decode_hex_exact<const N: usize>(s: &str, what: &'static str) -> Result<[u8; N], DecodeError> {
    let s = s.as_bytes();
    let expected = 2 + 2 * N;
    if s.len() != expected {
        return Err(DecodeError::Length {
            what,
            expected,
            got: s.len(),
        });
    }
    let digits = s.strip_prefix(b"0x").ok_or(DecodeError::Hex { what })?;
    if digits.iter().any(u8::is_ascii_uppercase) {
        return Err(DecodeError::Uppercase { what });
    }
    let mut out = [0u8; N];
    for (o, pair) in out.iter_mut().zip(digits.chunks_exact(2)) {
        let hi = hex_digit(pair[0]).ok_or(DecodeError::Hex { what })?;
        let lo = hex_digit(pair[1]).ok_or(DecodeError::Hex { what })?;
        *o = (hi << 4) | lo;
    }
    Ok(out)
}

fn hex_digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

pub(crate) fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(2 + 2 * bytes.len());
    s.push_str("0x");
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 0xf)] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_bn254::{Fr, G1Projective, G2Projective};
    use ark_ec::{CurveGroup, PrimeGroup};
    use ark_ff::UniformRand;
    use rand::{rngs::StdRng, Rng, SeedableRng};

    /// Decoding many proofs together gives, for each, what decoding it alone gives: valid
    /// proofs, every byte position flipped in turn, wrong lengths, bad hex, identities.
    #[test]
    fn batched_decoding_equals_one_by_one() {
        let mut rng = StdRng::seed_from_u64(61);
        let mut hexes: Vec<String> = Vec::new();
        for _ in 0..12 {
            let proof = Proof::<Bn254> {
                a: (G1Projective::generator() * Fr::rand(&mut rng)).into_affine(),
                b: (G2Projective::generator() * Fr::rand(&mut rng)).into_affine(),
                c: (G1Projective::generator() * Fr::rand(&mut rng)).into_affine(),
            };
            let bytes = encode_proof(&proof);
            hexes.push(to_hex(&bytes));
            for _ in 0..6 {
                let mut b = bytes;
                let i = rng.gen_range(0..PROOF_LEN);
                b[i] ^= 1 << rng.gen_range(0..8);
                hexes.push(to_hex(&b));
            }
            let mut id = proof;
            id.c = G1Affine::zero();
            hexes.push(to_hex(&encode_proof(&id)));
        }
        hexes.push("0x12".into());
        hexes.push(format!("0x{}", "zz".repeat(PROOF_LEN)));
        hexes.push(to_hex(&[0xff; PROOF_LEN]));
        let refs: Vec<&str> = hexes.iter().map(String::as_str).collect();
        let one_by_one: Vec<_> = refs.iter().map(|s| decode_proof_hex_deferred(s)).collect();
        assert!(one_by_one.iter().filter(|r| r.is_ok()).count() >= 12);
        assert!(one_by_one.iter().filter(|r| r.is_err()).count() >= 12);
        assert_eq!(decode_proofs_hex_deferred(&refs), one_by_one);
        assert_eq!(decode_proofs_hex_deferred(&refs[..3]), one_by_one[..3]);
        assert!(decode_proofs_hex_deferred(&[]).is_empty());
    }
}
