//! The scalar core of the batch's GLV multiplication, shared by the scalar path (`curve.rs`)
//! and the IFMA lanes (`lane_glv.rs`, for the points that do not fill a vector).

use ark_bn254::{G1Affine, G1Projective};
use ark_ec::AdditiveGroup;

/// `[a]p + [b]e` by Straus–Shamir with `s = p + e`.
pub fn straus(p: &G1Affine, e: &G1Affine, s: &G1Affine, (a, b): (u64, u64)) -> G1Projective {
    let mut acc = G1Projective::ZERO;
    let top = 64 - (a | b).leading_zeros();
    for i in (0..top).rev() {
        acc.double_in_place();
        match ((a >> i) & 1, (b >> i) & 1) {
            (1, 0) => acc += p,
            (0, 1) => acc += e,
            (1, 1) => acc += s,
            _ => {}
        }
    }
    acc
}
