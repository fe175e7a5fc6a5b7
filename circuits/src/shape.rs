//! Circuit shapes: named parameter sets. One Groth16 setup per shape serves every policy that
//! fits it ([`Shape::check_policy`]).

use crate::policy::Policy;
use crate::projection::DISTANCE_FRAC_BITS;
use crate::statement::POINTS_PER_GROUP;

/// A named set of circuit parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    /// Name used on the command line and in bundles.
    pub name: &'static str,
    /// Point slots per chunk (a multiple of [`POINTS_PER_GROUP`]).
    pub points: usize,
    /// Region pieces opened per chunk (the working set). The circuit opens exactly 2.
    pub pieces: usize,
    /// Largest region Merkle depth (4-ary levels: up to `4^depth` pieces).
    pub depth: u32,
    /// Frame bits: the policy's `grid_bits` must equal this.
    pub grid_bits: u8,
    /// Membership cell shift: the policy's `region_shift` must equal this.
    pub region_shift: u8,
    /// `max_interval - min_interval < 2^interval_bits`.
    pub interval_bits: u32,
    /// Legal steps are shorter than `2^step_bits` distance units (`2^(step_bits-18)` m): the
    /// policy's `step_bits` is at most this.
    pub step_bits: u32,
    /// Half-plane values of inside points are below `2^area_bits`: the policy's pieces have
    /// doubled areas below `2^area_bits` cells².
    pub area_bits: u32,
}

/// Small shape for tests and CI: 44 points per chunk, same parameters as `county` otherwise.
pub const TEST: Shape = Shape {
    name: "test",
    points: 44,
    pieces: 2,
    depth: 6,
    grid_bits: 25,
    region_shift: 8,
    interval_bits: 15,
    step_bits: 26,
    area_bits: 21,
};

/// Production shape for walking, running and cycling traces in county-sized regions (up to
/// 1.7 degrees across): 440 points per chunk, cells of 2^8 units (≈ 2.8 m), regions of up to
/// 4,096 pieces, steps up to 256 m, intervals spanning up to 32.7 s.
pub const COUNTY: Shape = Shape {
    name: "county",
    points: 440,
    pieces: 2,
    depth: 6,
    grid_bits: 25,
    region_shift: 8,
    interval_bits: 15,
    step_bits: 26,
    area_bits: 21,
};

/// Production shape for vehicles in country-sized regions (up to 6.7 degrees across): cells of
/// 2^10 units (≈ 11 m), steps up to 4 km, intervals spanning up to 65.5 s; 396 points per chunk.
pub const COUNTRY: Shape = Shape {
    name: "country",
    points: 396,
    pieces: 2,
    depth: 6,
    grid_bits: 27,
    region_shift: 10,
    interval_bits: 16,
    step_bits: 30,
    area_bits: 22,
};

// Chunks hold whole groups.
const _: () = assert!(
    TEST.points.is_multiple_of(POINTS_PER_GROUP)
        && COUNTY.points.is_multiple_of(POINTS_PER_GROUP)
        && COUNTRY.points.is_multiple_of(POINTS_PER_GROUP)
);

/// Every shape, by name.
pub const SHAPES: [Shape; 3] = [TEST, COUNTY, COUNTRY];

/// Looks a shape up by name.
pub fn shape_by_name(name: &str) -> Option<Shape> {
    SHAPES.iter().copied().find(|s| s.name == name)
}

/// Why a policy cannot be proven with a shape.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ShapeMismatch {
    /// Frame size differs.
    #[error("the policy's grid_bits is {policy}, shape `{shape}` needs {needed}")]
    GridBits {
        /// Shape name.
        shape: &'static str,
        /// Policy value.
        policy: u8,
        /// Shape value.
        needed: u8,
    },
    /// Membership cell differs.
    #[error("the policy's region_shift is {policy}, shape `{shape}` needs {needed}")]
    RegionShift {
        /// Shape name.
        shape: &'static str,
        /// Policy value.
        policy: u8,
        /// Shape value.
        needed: u8,
    },
    /// Region tree too deep.
    #[error("the region has {pieces} pieces (depth {depth}); shape `{shape}` opens 4-ary trees of depth <= {max}")]
    Depth {
        /// Shape name.
        shape: &'static str,
        /// Pieces.
        pieces: u64,
        /// Policy depth.
        depth: u32,
        /// Shape depth.
        max: u32,
    },
    /// Pieces too large for the half-plane range checks.
    #[error("the region's largest piece needs {bits} half-plane bits, shape `{shape}` has {max}; set piece_bits = {max} in the policy")]
    Area {
        /// Shape name.
        shape: &'static str,
        /// Needed.
        bits: u32,
        /// Available.
        max: u32,
    },
    /// Interval window too wide.
    #[error("max_interval - min_interval must be below {max_ms} ms for shape `{shape}`")]
    Interval {
        /// Shape name.
        shape: &'static str,
        /// Bound.
        max_ms: u64,
    },
    /// Longest legal step too long.
    #[error("max_speed × max_interval allows steps of {metres:.0} m; shape `{shape}` allows {max_m:.0} m")]
    Step {
        /// Shape name.
        shape: &'static str,
        /// Allowed by the policy.
        metres: f64,
        /// Allowed by the shape.
        max_m: f64,
    },
}

impl Shape {
    /// Checks that every legal trace of `policy` can be expressed in this shape.
    pub fn check_policy(&self, policy: &Policy) -> Result<(), ShapeMismatch> {
        let p = policy.params();
        if p.frame.grid_bits != self.grid_bits {
            return Err(ShapeMismatch::GridBits {
                shape: self.name,
                policy: p.frame.grid_bits,
                needed: self.grid_bits,
            });
        }
        if p.frame.region_shift != self.region_shift {
            return Err(ShapeMismatch::RegionShift {
                shape: self.name,
                policy: p.frame.region_shift,
                needed: self.region_shift,
            });
        }
        if p.region_depth > self.depth {
            return Err(ShapeMismatch::Depth {
                shape: self.name,
                pieces: p.region_pieces,
                depth: p.region_depth,
                max: self.depth,
            });
        }
        let bits = policy.region().piece_area_bits();
        if bits > self.area_bits {
            return Err(ShapeMismatch::Area {
                shape: self.name,
                bits,
                max: self.area_bits,
            });
        }
        if p.max_interval_ms - p.min_interval_ms >= 1u64 << self.interval_bits {
            return Err(ShapeMismatch::Interval {
                shape: self.name,
                max_ms: 1u64 << self.interval_bits,
            });
        }
        if p.step_bits > self.step_bits {
            let unit = f64::from(1u32 << DISTANCE_FRAC_BITS);
            return Err(ShapeMismatch::Step {
                shape: self.name,
                metres: (p.speed_units as f64) * (p.max_interval_ms as f64) / unit,
                max_m: (1u64 << self.step_bits) as f64 / unit,
            });
        }
        Ok(())
    }
}
