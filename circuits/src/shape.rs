//! Circuit shapes: named parameter sets. One Groth16 setup per shape serves every policy that
//! fits it ([`Shape::check_policy`]).
//!
//! Statement v3 fixes every bit width for all shapes (windows of 22 and 23 offset bits,
//! intervals of [`INTERVAL_BITS`], steps of [`STEP_BITS`], item forms of
//! [`crate::region::AREA_BITS`]); a shape chooses only the points per chunk and the largest
//! region tree. Any region on Earth fits both shapes as long as it has at most `4^depth` items.

use crate::policy::{Policy, INTERVAL_BITS, STEP_BITS};
use crate::statement::POINTS_PER_GROUP;

/// A named set of circuit parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    /// Name used on the command line and in bundles.
    pub name: &'static str,
    /// Point slots per chunk (a multiple of [`POINTS_PER_GROUP`]).
    pub points: usize,
    /// Largest region Merkle depth (4-ary levels: up to `4^depth` items).
    pub depth: u32,
}

impl Shape {
    /// `max_interval − min_interval < 2^interval_bits` (the same for every shape).
    pub const fn interval_bits(&self) -> u32 {
        INTERVAL_BITS
    }

    /// Legal steps are shorter than `2^step_bits` distance units (the same for every shape).
    pub const fn step_bits(&self) -> u32 {
        STEP_BITS
    }
}

/// Small shape for tests and CI: 66 points (two groups) per chunk, the production tree depth.
pub const TEST: Shape = Shape {
    name: "test",
    points: 2 * POINTS_PER_GROUP,
    depth: 12,
};

/// The production shape: 462 points (14 groups) per chunk, regions of up to 16,777,216 items
/// (every country; the world's land), a 2^17 evaluation domain.
pub const EARTH: Shape = Shape {
    name: "earth",
    points: 14 * POINTS_PER_GROUP,
    depth: 12,
};

// Chunks hold whole groups, at least two (a carried partial group and the next one).
const _: () = assert!(
    TEST.points.is_multiple_of(POINTS_PER_GROUP)
        && EARTH.points.is_multiple_of(POINTS_PER_GROUP)
        && TEST.points >= 2 * POINTS_PER_GROUP
);

/// Every shape, by name.
pub const SHAPES: [Shape; 2] = [TEST, EARTH];

/// Looks a shape up by name.
pub fn shape_by_name(name: &str) -> Option<Shape> {
    SHAPES.iter().copied().find(|s| s.name == name)
}

/// Why a policy cannot be proven with a shape.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ShapeMismatch {
    /// Region tree too deep.
    #[error("the region has {items} items (tree depth {depth}); shape `{shape}` opens trees of depth <= {max}")]
    Depth {
        /// Shape name.
        shape: &'static str,
        /// Items.
        items: u64,
        /// Policy depth.
        depth: u32,
        /// Shape depth.
        max: u32,
    },
}

impl Shape {
    /// Checks that every legal trace of `policy` can be expressed in this shape.
    pub fn check_policy(&self, policy: &Policy) -> Result<(), ShapeMismatch> {
        let p = policy.params();
        if p.region_depth > self.depth {
            return Err(ShapeMismatch::Depth {
                shape: self.name,
                items: p.region_items,
                depth: p.region_depth,
                max: self.depth,
            });
        }
        Ok(())
    }
}
