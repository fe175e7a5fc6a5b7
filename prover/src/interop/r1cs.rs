//! The circuit in iden3's `.r1cs` format (version 1), what `snarkjs groth16 setup`,
//! `snarkjs r1cs info` and `snarkjs wtns check` read.
//!
//! ```text
//! section 1, header:       n8 = 32 ‖ r (32 bytes) ‖ wires u32 ‖ public outputs u32 = 0 ‖
//!                          public inputs u32 = 11 ‖ private inputs u32 = 0 ‖ labels u64 ‖
//!                          constraints u32
//! section 2, constraints:  per constraint A ‖ B ‖ C, each: terms u32 ‖ terms × (wire u32 ‖ coeff)
//! section 3, wire → label: wires × u64 (the identity)
//! ```
//!
//! Wires are the arkworks variables in their matrix order: wire 0 is the constant 1, wires
//! 1..=11 the public inputs in slot order (circom's order too: outputs, then public inputs),
//! then the witnesses. Every witness is reported as an internal signal (circom's "private
//! inputs" are a subset of the witnesses that only the witness generator cares about).
//! Coefficients are canonical little-endian integers; each row lists a wire at most once, in
//! increasing order, without zero coefficients (snarkjs' `wtns check` keys terms by wire, so
//! a repeated wire would silently lose a term).

use super::binfile;
use crate::matrices::Matrices;
use ark_bn254::Fr;
use ark_ff::Zero;
use std::collections::BTreeMap;

/// One linear combination, canonical: increasing wires, no zero coefficient.
pub type Row = Vec<(u32, Fr)>;

/// `[A, B, C]` of one constraint.
pub type Constraint = [Row; 3];

/// A matrix row made canonical (terms on one wire summed, zeros dropped, sorted by wire).
pub fn canonical_row(row: &[(Fr, usize)]) -> Row {
    canonical_terms(row.iter().copied())
}

/// [`canonical_row`] of `(coefficient, variable)` terms.
fn canonical_terms(row: impl IntoIterator<Item = (Fr, usize)>) -> Row {
    let mut acc: BTreeMap<usize, Fr> = BTreeMap::new();
    for (c, i) in row {
        *acc.entry(i).or_insert_with(Fr::zero) += c;
    }
    acc.into_iter()
        .filter(|(_, c)| !c.is_zero())
        .map(|(i, c)| (i as u32, c))
        .collect()
}

/// Every constraint of the matrices, canonical.
pub fn constraints(m: &Matrices) -> Vec<Constraint> {
    (0..m.num_constraints)
        .map(|i| {
            [
                canonical_terms(m.abc.row(0, i)),
                canonical_terms(m.abc.row(1, i)),
                canonical_terms(m.abc.row(2, i)),
            ]
        })
        .collect()
}

/// The `.r1cs` file of a shape's circuit.
pub fn write(m: &Matrices) -> Vec<u8> {
    let wires = (m.num_instance + m.num_witness) as u32;
    let mut header = Vec::with_capacity(64);
    header.extend_from_slice(&32u32.to_le_bytes());
    binfile::put_modulus::<Fr>(&mut header);
    header.extend_from_slice(&wires.to_le_bytes());
    header.extend_from_slice(&0u32.to_le_bytes());
    header.extend_from_slice(&((m.num_instance - 1) as u32).to_le_bytes());
    header.extend_from_slice(&0u32.to_le_bytes());
    header.extend_from_slice(&u64::from(wires).to_le_bytes());
    header.extend_from_slice(&(m.num_constraints as u32).to_le_bytes());

    let mut body = Vec::new();
    for constraint in constraints(m) {
        for row in &constraint {
            body.extend_from_slice(&(row.len() as u32).to_le_bytes());
            for (wire, coeff) in row {
                body.extend_from_slice(&wire.to_le_bytes());
                binfile::put_field(&mut body, coeff);
            }
        }
    }
    let labels: Vec<u8> = (0..u64::from(wires)).flat_map(u64::to_le_bytes).collect();
    binfile::write(b"r1cs", 1, &[(1, header), (2, body), (3, labels)])
}
