//! Poseidon over the BN254 scalar field with circomlib's parameters (x^5 S-box, the round
//! counts and constants of `circomlib/circuits/poseidon.circom`), through `light-poseidon`.
//!
//! Anything hashed here can be recomputed with `circomlibjs` (`buildPoseidon`) or a Solidity
//! port of circomlib's Poseidon: `poseidon(inputs)` is circomlib's `Poseidon(n)` with
//! `n = inputs.len()`.

use ark_bn254::Fr;
use ark_ff::{BigInteger, PrimeField};
use light_poseidon::{Poseidon, PoseidonHasher};

/// Largest number of inputs of one Poseidon call (state width 13).
pub const MAX_INPUTS: usize = 12;

/// circomlib `Poseidon(inputs.len())`.
///
/// # Panics
/// If `inputs` is empty or longer than [`MAX_INPUTS`]: arities are fixed by the callers in this
/// crate, never by user data.
pub fn poseidon(inputs: &[Fr]) -> Fr {
    assert!(
        (1..=MAX_INPUTS).contains(&inputs.len()),
        "poseidon arity {} out of range",
        inputs.len()
    );
    let mut h = Poseidon::<Fr>::new_circom(inputs.len()).expect("arity checked above");
    h.hash(inputs).expect("arity checked above")
}

/// Decimal string of a field element (the encoding circomlibjs and snarkjs print).
pub fn fr_to_decimal(x: &Fr) -> String {
    x.into_bigint().to_string()
}

/// `0x`-prefixed big-endian hex of a field element (32 bytes).
pub fn fr_to_hex(x: &Fr) -> String {
    format!("0x{}", hex::encode(x.into_bigint().to_bytes_be()))
}

/// Parses a canonical `0x` hex or decimal field element; rejects values `>= r`.
pub fn fr_from_str_canonical(s: &str) -> Option<Fr> {
    let n = if let Some(h) = s.strip_prefix("0x") {
        num_bigint::BigUint::parse_bytes(h.as_bytes(), 16)?
    } else {
        num_bigint::BigUint::parse_bytes(s.as_bytes(), 10)?
    };
    let modulus: num_bigint::BigUint = Fr::MODULUS.into();
    if n >= modulus {
        return None;
    }
    Some(Fr::from(n))
}

/// Field element from a big-endian byte string shorter than 32 bytes (a domain tag).
pub fn fr_from_tag(tag: &[u8]) -> Fr {
    assert!(tag.len() < 31, "domain tags are short ASCII strings");
    Fr::from_be_bytes_mod_order(tag)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Known answers from circomlibjs 0.1.7 (`test/poseidon.js`):
    /// `poseidon([1, 2])` and `poseidon([1, 2, 3, 4])`.
    #[test]
    fn circomlibjs_vectors() {
        let h = poseidon(&[Fr::from(1u64), Fr::from(2u64)]);
        assert_eq!(
            fr_to_hex(&h),
            "0x115cc0f5e7d690413df64c6b9662e9cf2a3617f2743245519e19607a4417189a"
        );
        assert_eq!(
            fr_to_decimal(&h),
            "7853200120776062878684798364095072458815029376092732009249414926327459813530"
        );
        let h4 = poseidon(&[1u64, 2, 3, 4].map(Fr::from));
        assert_eq!(
            fr_to_hex(&h4),
            "0x299c867db6c1fdd79dcefa40e4510b9837e60ebb1ce0663dbaa525df65250465"
        );
    }

    #[test]
    fn canonical_parsing_rejects_modulus() {
        let r = Fr::MODULUS.to_string();
        assert!(fr_from_str_canonical(&r).is_none());
        let r_minus_1 =
            fr_from_str_canonical(&(num_bigint::BigUint::from(Fr::MODULUS) - 1u32).to_string())
                .unwrap();
        assert_eq!(r_minus_1, -Fr::from(1u64));
        let x = Fr::from(123_456_789u64);
        assert_eq!(fr_from_str_canonical(&fr_to_hex(&x)), Some(x));
        assert_eq!(fr_from_str_canonical(&fr_to_decimal(&x)), Some(x));
        assert!(fr_from_str_canonical("0xzz").is_none());
    }
}
