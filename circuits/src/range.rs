//! Range membership, natively: the twin of [`crate::gadgets::range`] (feature `r1cs`).
//!
//! Every comparison in the statement is written as "this integer lies in `[0, 2^n)`", which the
//! circuit proves by decomposing it into `n` bits. A negative value is, as a field element,
//! `p - |v|`: far above `2^n` for every `n` used here (`n ≤ 64 < 253`), so it never passes.

use ark_bn254::Fr;
use ark_ff::{BigInteger, PrimeField};

/// True when the canonical integer of `v` is below `2^n`.
pub fn fits_bits(v: &Fr, n: u32) -> bool {
    let big = v.into_bigint();
    big.num_bits() <= n
}

/// The `n` low bits of `v`, little-endian (the witness of the range check).
pub fn low_bits(v: &Fr, n: usize) -> Vec<bool> {
    let bits = v.into_bigint().to_bits_le();
    (0..n)
        .map(|i| bits.get(i).copied().unwrap_or(false))
        .collect()
}

/// Field element of a signed integer (`p - |v|` for negative `v`).
pub fn fr_from_i128(v: i128) -> Fr {
    if v >= 0 {
        Fr::from(v as u128)
    } else {
        -Fr::from(v.unsigned_abs())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fits_bits_boundaries() {
        assert!(fits_bits(&Fr::from(0u64), 0));
        assert!(fits_bits(&Fr::from(255u64), 8));
        assert!(!fits_bits(&Fr::from(256u64), 8));
        assert!(!fits_bits(&fr_from_i128(-1), 64));
        assert!(!fits_bits(&fr_from_i128(-(1 << 40)), 200));
        assert_eq!(low_bits(&Fr::from(5u64), 4), vec![true, false, true, false]);
    }
}
