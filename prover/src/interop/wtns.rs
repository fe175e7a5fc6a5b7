//! A chunk's full assignment in iden3's `.wtns` format (version 2), what
//! `snarkjs wtns check` and `snarkjs groth16 prove` read.
//!
//! ```text
//! section 1, header:  n8 = 32 ‖ r (32 bytes) ‖ wires u32
//! section 2, values:  wires × 32-byte little-endian canonical integers
//! ```
//!
//! Wire order is that of [`super::r1cs`]: `[1, public inputs…, witnesses…]`, exactly
//! [`crate::matrices::assignment`]. **A witness file contains the trace**: treat it like the
//! trace itself.

use super::binfile::{self, BinFile, Malformed, Reader};
use ark_bn254::Fr;
use ark_ff::{BigInt, PrimeField};

/// The `.wtns` file of an assignment.
pub fn write(assignment: &[Fr]) -> Vec<u8> {
    let mut header = Vec::with_capacity(40);
    header.extend_from_slice(&32u32.to_le_bytes());
    binfile::put_modulus::<Fr>(&mut header);
    header.extend_from_slice(&(assignment.len() as u32).to_le_bytes());
    let mut values = Vec::with_capacity(32 * assignment.len());
    for x in assignment {
        binfile::put_field(&mut values, x);
    }
    binfile::write(b"wtns", 2, &[(1, header), (2, values)])
}

/// Reads a `.wtns` file back (strict: BN254's field, canonical values).
pub fn read(bytes: &[u8]) -> Result<Vec<Fr>, Malformed> {
    let f = BinFile::parse(bytes, b"wtns", 2, ".wtns")?;
    let mut h = Reader::new(f.section(1)?, "wtns header");
    if h.u32()? != 32 || h.limbs()? != Fr::MODULUS.0 {
        return Err(Malformed(
            "the witness is not over BN254's scalar field".into(),
        ));
    }
    let n = h.u32()? as usize;
    h.finish()?;
    let mut v = Reader::new(f.section(2)?, "wtns values");
    if v.remaining() != 32 * n {
        return Err(Malformed(format!(
            "the header announces {n} values, the section holds {} bytes",
            v.remaining()
        )));
    }
    (0..n)
        .map(|i| {
            Fr::from_bigint(BigInt(v.limbs()?))
                .ok_or_else(|| Malformed(format!("value {i} is not below the modulus")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn witnesses_round_trip() {
        let z = vec![Fr::from(1u64), -Fr::from(1u64), Fr::from(12345u64)];
        let bytes = write(&z);
        // 12-byte container header, two 12-byte section headers, 36 + 4 header bytes, values.
        assert_eq!(bytes.len(), 12 + 12 + 40 + 12 + 3 * 32);
        assert_eq!(read(&bytes).unwrap(), z);
        assert!(read(&bytes[..bytes.len() - 1]).is_err());
    }
}
