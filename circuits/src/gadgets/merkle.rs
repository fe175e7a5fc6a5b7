//! Merkle paths in-circuit: the twin of [`crate::merkle::MerklePath::root_from`].

use crate::gadgets::poseidon::poseidon;
use ark_bn254::Fr;
use ark_r1cs_std::{alloc::AllocVar, boolean::Boolean, fields::fp::FpVar, fields::FieldVar};
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};

fn b(x: &Boolean<Fr>) -> FpVar<Fr> {
    FpVar::from(x.clone())
}

/// The root reached from `leaf` along a 4-ary path of `levels.len()` levels: per level the
/// position bits of `index` (least significant first) and the three siblings; a level whose
/// flag is 0 passes the node through (trees shallower than the shape's depth).
///
/// `index` and `siblings` are `None` in setup mode.
pub fn root_from(
    cs: &ConstraintSystemRef<Fr>,
    leaf: FpVar<Fr>,
    index: Option<u64>,
    siblings: Option<&[[Fr; 3]]>,
    levels: &[Boolean<Fr>],
) -> Result<FpVar<Fr>, SynthesisError> {
    let mut node = leaf;
    for (l, level) in levels.iter().enumerate() {
        // Position among the four children: e = one-hot of b0 + 2·b1.
        let bit = |k: usize| {
            Boolean::new_witness(cs.clone(), || {
                index
                    .map(|i| (i >> (2 * l + k)) & 1 == 1)
                    .ok_or(SynthesisError::AssignmentMissing)
            })
        };
        let (b0, b1) = (b(&bit(0)?), b(&bit(1)?));
        let sib: Vec<FpVar<Fr>> = (0..3)
            .map(|j| {
                FpVar::new_witness(cs.clone(), || {
                    siblings
                        .and_then(|s| s.get(l))
                        .map(|s| s[j])
                        .ok_or(SynthesisError::AssignmentMissing)
                })
            })
            .collect::<Result<_, _>>()?;
        // e3 = b0·b1, e1 = b0 − e3, e2 = b1 − e3, e0 = 1 − b0 − b1 + e3
        let e3 = &b0 * &b1;
        let e1 = &b0 - &e3;
        let e2 = &b1 - &e3;
        let e0 = FpVar::one() - &b0 - &b1 + &e3;
        // children in order with `node` at the position
        let ch0 = &sib[0] + &e0 * (&node - &sib[0]);
        let ch1 = &sib[1] + &e0 * (&sib[0] - &sib[1]) + &e1 * (&node - &sib[1]);
        let ch2 = &sib[2] + (&e0 + &e1) * (&sib[1] - &sib[2]) + &e2 * (&node - &sib[2]);
        let ch3 = &sib[2] + &e3 * (&node - &sib[2]);
        let up = poseidon(&[ch0, ch1, ch2, ch3])?;
        // node' = node + ℓ_l·(up − node): levels past the depth pass through
        node = &node + b(level) * (up - &node);
    }
    Ok(node)
}
