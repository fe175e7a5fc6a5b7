//! The chunked statement's hashing in-circuit: the twin of [`crate::statement`].

use crate::gadgets::poseidon::poseidon;
use crate::poseidon::fr_from_tag;
use crate::statement::{
    DT_SHIFT, DX_OFFSET, DX_SHIFT, DY_OFFSET, ELEMENTS_PER_GROUP, INSIDE_SHIFT, PACKED_STEP_BITS,
    STATE_TAG, STEPS_PER_ELEMENT,
};
use ark_bn254::Fr;
use ark_ff::Field;
use ark_r1cs_std::fields::{fp::FpVar, FieldVar};
use ark_relations::gr1cs::SynthesisError;

fn pow2(k: u32) -> Fr {
    Fr::from(2u64).pow([u64::from(k)])
}

/// `pack(step) = (dy + 2^22) + 2^23·(dx + 2^23) + 2^47·dt` (a linear combination; the fields'
/// ranges come from the window and the interval checks).
pub fn pack_step(dy: &FpVar<Fr>, dx: &FpVar<Fr>, dt: &FpVar<Fr>) -> FpVar<Fr> {
    (dy + Fr::from(DY_OFFSET as u64))
        + (dx + Fr::from(DX_OFFSET as u64)) * pow2(DX_SHIFT)
        + dt * pow2(DT_SHIFT)
}

/// `point(p) = y + 2^31·x + 2^63·t`.
pub fn pack_point(y: &FpVar<Fr>, x: &FpVar<Fr>, t: &FpVar<Fr>) -> FpVar<Fr> {
    y + x * pow2(31) + t * pow2(63)
}

/// The group elements of up to 33 (masked) packed steps, missing ones zero:
/// `element_j = pack_3j + 2^80·pack_3j+1 + 2^160·pack_3j+2`.
pub fn group_elements(packs: &[FpVar<Fr>]) -> Vec<FpVar<Fr>> {
    (0..ELEMENTS_PER_GROUP)
        .map(|j| {
            (0..STEPS_PER_ELEMENT).fold(FpVar::zero(), |acc, k| {
                match packs.get(STEPS_PER_ELEMENT * j + k) {
                    Some(p) => acc + p * pow2(PACKED_STEP_BITS * k as u32),
                    None => acc,
                }
            })
        })
        .collect()
}

/// The fields of a chain state, as the circuit holds them.
pub struct StateVars {
    /// Accumulator.
    pub acc: FpVar<Fr>,
    /// `point(last)`.
    pub last: FpVar<Fr>,
    /// Points so far.
    pub points: FpVar<Fr>,
    /// Points counted inside so far.
    pub inside: FpVar<Fr>,
    /// Σ d so far.
    pub distance: FpVar<Fr>,
    /// `point(first)`.
    pub first: FpVar<Fr>,
    /// Pending partial group.
    pub pending: FpVar<Fr>,
    /// Blinding.
    pub blinding: FpVar<Fr>,
}

/// `state = Poseidon(STATE_TAG, acc, point(last), points + 2^40·inside, distance,
/// point(first), pending, blinding)`: the twin of [`crate::statement::ChainState::hash`].
pub fn state_hash(s: &StateVars) -> Result<FpVar<Fr>, SynthesisError> {
    poseidon(&[
        FpVar::Constant(fr_from_tag(STATE_TAG)),
        s.acc.clone(),
        s.last.clone(),
        &s.points + &s.inside * pow2(INSIDE_SHIFT),
        s.distance.clone(),
        s.first.clone(),
        s.pending.clone(),
        s.blinding.clone(),
    ])
}
