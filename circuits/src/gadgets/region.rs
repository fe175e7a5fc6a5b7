//! Region items in-circuit: the twin of [`crate::region::Item`].
//!
//! [`ItemVar::alloc`] decomposes the item's packed leaf preimage (145 bits: the kind and six
//! 24-bit coordinates) and derives its three affine forms, for a triangle or a square, with the
//! kind as a selector; [`ItemVar::enforce_contains_if`] is the membership test of one cell:
//! `f·L1, f·L2, f·L3 ∈ [0, 2^16)`.

use crate::gadgets::range::{alloc_bits, enforce_product_bits};
use crate::region::{Item, AREA_BITS, ITEM_COORD_BITS, ITEM_PACKED_BITS, MAX_SQUARE_LEVEL};
use ark_bn254::Fr;
use ark_ff::Field;
use ark_r1cs_std::{
    alloc::AllocVar, boolean::Boolean, eq::EqGadget, fields::fp::FpVar, fields::FieldVar,
};
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};

fn b(x: &Boolean<Fr>) -> FpVar<Fr> {
    FpVar::from(x.clone())
}

/// An opened item: its packed value (the leaf preimage) and its forms.
pub struct ItemVar {
    /// `packed` (see [`Item::packed`]).
    pub packed: FpVar<Fr>,
    /// `L1 = a1·cx + b1·cy + g1`, `L2 = a2·cx + b2·cy + g2`, `L3 = g3 − mu·(L1 + L2)`:
    /// `[a1, b1, g1, a2, b2, g2, g3, mu]`.
    pub forms: [FpVar<Fr>; 8],
}

impl ItemVar {
    /// Allocates an item from its packed bits (`None` in setup mode).
    pub fn alloc(
        cs: &ConstraintSystemRef<Fr>,
        item: Option<&Item>,
    ) -> Result<Self, SynthesisError> {
        // packed = Σ b_i 2^i, 145 bits: kind, then six 24-bit coordinates
        let (packed, bits) = alloc_bits(
            cs.clone(),
            item.map(Item::packed),
            ITEM_PACKED_BITS as usize,
        )?;
        let sq = bits[0].clone();
        let w = ITEM_COORD_BITS as usize;
        let v: Vec<FpVar<Fr>> = (0..6)
            .map(|j| Boolean::le_bits_to_fp(&bits[1 + j * w..1 + (j + 1) * w]))
            .collect::<Result<_, _>>()?;
        let not_sq = FpVar::one() - b(&sq);
        // Triangle a = (v0, v1), b = (v2, v3), c = (v4, v5):
        // e_ab = −uy·px + ux·py + (uy·ax − ux·ay), u = b − a
        // e_ca = −vy·px + vx·py + (vy·cx − vx·cy), v = a − c;  A2 = u × (c − a)
        let (ux, uy) = (&v[2] - &v[0], &v[3] - &v[1]);
        let (vx, vy) = (&v[0] - &v[4], &v[1] - &v[5]);
        let g1t = &uy * &v[0] - &ux * &v[1];
        let g2t = &vy * &v[4] - &vx * &v[5];
        let a2 = &ux * (&v[5] - &v[1]) - &uy * (&v[4] - &v[0]);
        // Square (X, Y, k) = (v0, v1, v2): one-hot o_j = [sq ∧ k = j], j ≤ 16;
        // Σ o_j = sq, Σ j·o_j = sq·k; pow = Σ o_j·2^(16−j) (0 for a triangle)
        let level = item.map(|it| match it.kind() {
            crate::region::ItemKind::Square { level, .. } => Some(level as usize),
            _ => None,
        });
        let onehot = (0..=MAX_SQUARE_LEVEL as usize)
            .map(|j| {
                Boolean::new_witness(cs.clone(), || {
                    level
                        .map(|l| l == Some(j))
                        .ok_or(SynthesisError::AssignmentMissing)
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        // Σ o_j = sq
        onehot
            .iter()
            .fold(FpVar::zero(), |a, o| a + b(o))
            .enforce_equal(&b(&sq))?;
        // Σ j·o_j = sq·k
        let jsum = onehot
            .iter()
            .enumerate()
            .fold(FpVar::zero(), |a, (j, o)| a + b(o) * Fr::from(j as u64));
        b(&sq).mul_equals(&v[2], &jsum)?;
        let pow = onehot.iter().enumerate().fold(FpVar::zero(), |a, (j, o)| {
            a + b(o) * Fr::from(2u64).pow([u64::from(AREA_BITS) - j as u64])
        });
        // Select: triangle terms times (1 − sq), square terms vanish for a triangle.
        let a1 = &not_sq * (FpVar::zero() - &uy) + &pow;
        let b1 = &not_sq * &ux;
        let g1 = &not_sq * g1t - &pow * &v[0];
        let a2f = &not_sq * (FpVar::zero() - &vy);
        let b2 = &not_sq * &vx + &pow;
        let g2 = &not_sq * g2t - &pow * &v[1];
        let g3 = &not_sq * a2;
        Ok(Self {
            packed,
            forms: [a1, b1, g1, a2f, b2, g2, g3, not_sq],
        })
    }

    /// Enforces `f = 0` or the cell lies in the item: `f·L_j ∈ [0, 2^16)` for the three forms.
    pub fn enforce_contains_if(
        &self,
        f: &FpVar<Fr>,
        cell: &(FpVar<Fr>, FpVar<Fr>),
    ) -> Result<(), SynthesisError> {
        let [a1, b1, g1, a2, b2, g2, g3, mu] = &self.forms;
        let (cx, cy) = cell;
        // L1 = a1·cx + b1·cy + g1, L2 = a2·cx + b2·cy + g2, L3 = g3 − mu·(L1 + L2)
        let l1 = a1 * cx + b1 * cy + g1;
        let l2 = a2 * cx + b2 * cy + g2;
        let l3 = g3 - mu * (&l1 + &l2);
        let zero = FpVar::zero();
        for l in [&l1, &l2, &l3] {
            // f·L ∈ [0, 2^16)
            enforce_product_bits(f, l, &zero, AREA_BITS as usize)?;
        }
        Ok(())
    }
}
