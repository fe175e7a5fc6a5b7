//! Circuit shapes: named parameter sets. One Groth16 setup per shape serves every policy that
//! fits it ([`Shape::check_policy`]).

use crate::policy::Policy;
use crate::projection::DISTANCE_FRAC_BITS;

/// A named set of circuit parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    /// Name used on the command line and in bundles.
    pub name: &'static str,
    /// Point slots per chunk (a multiple of 16).
    pub points: usize,
    /// Region pieces opened per chunk (the working set).
    pub pieces: usize,
    /// Largest region Merkle depth.
    pub depth: u32,
    /// Frame bits: the policy's `grid_bits` must equal this.
    pub grid_bits: u8,
    /// Membership cell shift: the policy's `region_shift` must equal this.
    pub region_shift: u8,
    /// `max_interval - min_interval < 2^interval_bits`.
    pub interval_bits: u32,
    /// Legal steps are shorter than `2^step_bits` distance units (`2^(step_bits-20)` m).
    pub step_bits: u32,
    /// Half-plane values of inside points are below `2^area_bits`.
    pub area_bits: u32,
}

/// Small shape for tests and CI: 16 points per chunk.
pub const TEST: Shape = Shape {
    name: "test",
    points: 16,
    pieces: 2,
    depth: 8,
    grid_bits: 26,
    region_shift: 6,
    interval_bits: 16,
    step_bits: 28,
    area_bits: 40,
};

/// Production shape for walking, running and cycling traces in regions up to a few degrees:
/// 256 points per chunk, 4 pieces per chunk, regions of up to 4,096 pieces.
pub const COUNTY: Shape = Shape {
    name: "county",
    points: 256,
    pieces: 4,
    depth: 12,
    grid_bits: 26,
    region_shift: 6,
    interval_bits: 16,
    step_bits: 28,
    area_bits: 36,
};

/// Production shape for vehicles in country-sized regions: frames of 2^27 units (13.4°),
/// steps up to 4 km, regions of up to 4,096 pieces; 64 points per chunk.
pub const COUNTRY: Shape = Shape {
    name: "country",
    points: 64,
    pieces: 4,
    depth: 12,
    grid_bits: 27,
    region_shift: 6,
    interval_bits: 16,
    step_bits: 32,
    area_bits: 36,
};

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
    #[error("the region has {pieces} pieces (depth {depth}); shape `{shape}` opens trees of depth <= {max}")]
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
    #[error("the region's largest piece needs {bits} half-plane bits, shape `{shape}` has {max}; raise region_shift")]
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
        // Legal steps satisfy D^2 <= speed_v2 · dt^2 <= speed_v2 · max_dt^2 < 2^(2·step_bits).
        let max_dt = u128::from(p.max_interval_ms);
        let bound = u128::from(p.speed_v2) * max_dt * max_dt;
        if bound >= 1u128 << (2 * self.step_bits) {
            let unit = f64::from(1u32 << DISTANCE_FRAC_BITS);
            return Err(ShapeMismatch::Step {
                shape: self.name,
                metres: (bound as f64).sqrt() / unit,
                max_m: f64::from(1u32 << self.step_bits) / unit,
            });
        }
        Ok(())
    }
}
