//! The canonical policy: every rule parameter as an integer, the encoded region, and the
//! `policy_id` that commits to all of it.
//!
//! # `policy_id`
//!
//! ```text
//! params    = Poseidon(not_before_ms, not_after_ms, min_interval_ms, max_interval_ms,
//!                      speed_units, speed_tolerance, min_points, min_distance_m, min_inside_bp,
//!                      origin_lat_e7 + 2^33, origin_lon_e7 + 2^33, 256·grid_bits + region_shift)
//! policy_id = Poseidon(TAG, params, kx, ky, region_root, region_depth)
//! TAG       = big-endian integer of the ASCII bytes "zkcontrib.policy.v2"
//! ```
//!
//! with circomlib's Poseidon, so `circomlibjs` recomputes it from [`PolicyParams`]' JSON.
//! The policy's `name` is a label and is *not* part of the id: two policies with the same
//! rules and region are the same statement.

use crate::encode::Frame;
use crate::merkle::MerkleTree;
use crate::poseidon::{fr_from_tag, fr_to_hex, poseidon};
use crate::projection::Projection;
use crate::region::{Region, RegionError};
use ark_bn254::Fr;
use geo::MultiPolygon;

/// Domain tag of policy ids.
pub const POLICY_TAG: &[u8] = b"zkcontrib.policy.v2";
/// Offset added to the (possibly negative) frame origin before it is hashed.
pub const ORIGIN_OFFSET: i64 = 1 << 33;
/// Largest interval bound, milliseconds (2^32 - 1 ≈ 49.7 days).
pub const MAX_INTERVAL_MS: u64 = u32::MAX as u64;
/// Largest timestamp, milliseconds (2^47 ≈ year 6429).
pub const MAX_TIME_MS: u64 = 1 << 47;
/// Largest speed limit, mm/s (1 km/s).
pub const MAX_SPEED_MMPS: u64 = 1_000_000;
/// Most bits a legal step may need (`speed_units · max_interval < 2^MAX_STEP_BITS`).
pub const MAX_STEP_BITS: u32 = 48;
/// Basis points of one whole.
pub const BASIS_POINTS: u16 = 10_000;

/// A policy as written by a network designer, before encoding (times in unix ms).
#[derive(Clone, Debug)]
pub struct PolicyInput {
    /// Human label (not hashed).
    pub name: String,
    /// The region, degrees (x = longitude, y = latitude).
    pub region: MultiPolygon<f64>,
    /// Earliest allowed timestamp (inclusive), unix ms.
    pub not_before_ms: u64,
    /// Latest allowed timestamp (inclusive), unix ms.
    pub not_after_ms: u64,
    /// Smallest allowed interval between consecutive points, ms (at least 1: strictly increasing).
    pub min_interval_ms: u64,
    /// Largest allowed interval between consecutive points, ms.
    pub max_interval_ms: u64,
    /// Speed limit between consecutive points, mm/s.
    pub max_speed_mmps: u64,
    /// Fewest points a qualifying trace has.
    pub min_points: u64,
    /// Shortest path length (lower bound) a qualifying trace has, metres.
    pub min_distance_m: u64,
    /// Share of points that must lie inside the region, basis points (10000 = all).
    pub min_inside_bp: u16,
    /// Frame box side `2^grid_bits` units of 1e-7 degree.
    pub grid_bits: u8,
    /// Membership cells of `2^region_shift` units.
    pub region_shift: u8,
    /// Region pieces have doubled areas below `2^piece_bits` cells².
    pub piece_bits: u32,
}

/// Why a policy is rejected.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// The time window is empty or out of range.
    #[error("not_before must be earlier than not_after, both after 1970 and before year 6429")]
    EmptyWindow,
    /// Interval bounds inconsistent.
    #[error(
        "need 0 < min_interval <= max_interval <= 49.7 days (got {min_ms} ms and {max_ms} ms)"
    )]
    Intervals {
        /// min_interval in ms.
        min_ms: u64,
        /// max_interval in ms.
        max_ms: u64,
    },
    /// Speed limit out of range.
    #[error("max_speed_mps must be in [0.004, 1000] (got {0} mm/s)")]
    Speed(u64),
    /// The longest legal step is too long to encode.
    #[error(
        "max_speed × max_interval allows steps of 2^{0} distance units; at most 2^48 are supported"
    )]
    StepTooLong(u32),
    /// min_points out of range.
    #[error("min_points must be between 1 and 4294967295")]
    MinPoints,
    /// min_distance out of range.
    #[error("min_distance_m must be at most 4294967295")]
    MinDistance,
    /// min_inside_fraction out of range.
    #[error("min_inside_fraction must be between 0 and 1")]
    InsideFraction,
    /// The region cannot be encoded.
    #[error("region: {0}")]
    Region(#[from] RegionError),
}

/// Every hashed parameter of a policy, as integers. This is the policy's canonical form:
/// its JSON (`serde`) is what external tooling needs to recompute `policy_id`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PolicyParams {
    /// Window start (inclusive), unix ms.
    pub not_before_ms: u64,
    /// Window end (inclusive), unix ms.
    pub not_after_ms: u64,
    /// Smallest interval, ms (≥ 1).
    pub min_interval_ms: u64,
    /// Largest interval, ms.
    pub max_interval_ms: u64,
    /// Speed limit as given, mm/s (informative; `speed_units` is what is enforced and hashed).
    pub max_speed_mmps: u64,
    /// `floor(max_speed_mmps · 2^18 / 10^6)`: the limit in distance units (2^-18 m) per ms.
    pub speed_units: u64,
    /// Bits of the longest legal step: the least `b` with `speed_units · max_interval_ms < 2^b`.
    pub step_bits: u32,
    /// `2^(step_bits + 1)`: a step passes the speed rule when
    /// `D^2 < (speed_units · dt)^2 + speed_tolerance` (see [`crate::rules`]).
    pub speed_tolerance: u64,
    /// Fewest points.
    pub min_points: u64,
    /// Shortest distance, metres.
    pub min_distance_m: u64,
    /// Share of points inside, basis points.
    pub min_inside_bp: u16,
    /// The coordinate frame.
    pub frame: Frame,
    /// Projection factors.
    pub projection: Projection,
    /// Root of the region's Merkle tree, `0x` hex.
    pub region_root: String,
    /// Depth of the region's Merkle tree.
    pub region_depth: u32,
    /// Number of pieces (informative).
    pub region_pieces: u64,
    /// Pieces have doubled areas below `2^piece_bits` cells² (informative: the pieces
    /// themselves are committed by `region_root`).
    pub piece_bits: u32,
}

/// A compiled policy.
#[derive(Clone, Debug)]
pub struct Policy {
    name: String,
    params: PolicyParams,
    region: Region,
    tree: MerkleTree,
    id: Fr,
}

/// `floor(v_mmps · 2^18 / 10^6)`: the speed limit in distance units per millisecond.
pub fn speed_units(max_speed_mmps: u64) -> u64 {
    (u128::from(max_speed_mmps) << crate::projection::DISTANCE_FRAC_BITS) as u64 / 1_000_000
}

/// The least `b` with `v < 2^b`.
pub fn bits_for(v: u128) -> u32 {
    128 - v.leading_zeros()
}

impl Policy {
    /// Validates and encodes a policy.
    pub fn compile(input: &PolicyInput) -> Result<Self, PolicyError> {
        let p = input;
        if p.not_before_ms >= p.not_after_ms || p.not_after_ms > MAX_TIME_MS {
            return Err(PolicyError::EmptyWindow);
        }
        if p.min_interval_ms == 0
            || p.min_interval_ms > p.max_interval_ms
            || p.max_interval_ms > MAX_INTERVAL_MS
        {
            return Err(PolicyError::Intervals {
                min_ms: p.min_interval_ms,
                max_ms: p.max_interval_ms,
            });
        }
        if speed_units(p.max_speed_mmps) == 0 || p.max_speed_mmps > MAX_SPEED_MMPS {
            return Err(PolicyError::Speed(p.max_speed_mmps));
        }
        let units = speed_units(p.max_speed_mmps);
        let step_bits = bits_for(u128::from(units) * u128::from(p.max_interval_ms));
        if step_bits > MAX_STEP_BITS {
            return Err(PolicyError::StepTooLong(step_bits));
        }
        if p.not_before_ms == 0 {
            // Packed points must never be 0 (0 marks padding); t ≥ 1 ms guarantees it.
            return Err(PolicyError::EmptyWindow);
        }
        if p.min_points == 0 || p.min_points > u64::from(u32::MAX) {
            return Err(PolicyError::MinPoints);
        }
        if p.min_distance_m > u64::from(u32::MAX) {
            return Err(PolicyError::MinDistance);
        }
        if p.min_inside_bp > BASIS_POINTS {
            return Err(PolicyError::InsideFraction);
        }
        let region = Region::compile(&p.region, p.grid_bits, p.region_shift, p.piece_bits)?;
        let (lat_lo, lat_hi) = region.lat_band_e7();
        let projection = Projection::for_band(lat_lo, lat_hi);
        let tree = region.merkle_tree();
        let params = PolicyParams {
            not_before_ms: p.not_before_ms,
            not_after_ms: p.not_after_ms,
            min_interval_ms: p.min_interval_ms,
            max_interval_ms: p.max_interval_ms,
            max_speed_mmps: p.max_speed_mmps,
            speed_units: units,
            step_bits,
            speed_tolerance: 1u64 << (step_bits + 1),
            min_points: p.min_points,
            min_distance_m: p.min_distance_m,
            min_inside_bp: p.min_inside_bp,
            frame: *region.frame(),
            projection,
            region_root: fr_to_hex(&tree.root()),
            region_depth: tree.depth(),
            region_pieces: region.pieces().len() as u64,
            piece_bits: p.piece_bits,
        };
        let id = policy_id(&params, tree.root());
        Ok(Self {
            name: p.name.clone(),
            params,
            region,
            tree,
            id,
        })
    }

    /// The label.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The canonical parameters.
    pub fn params(&self) -> &PolicyParams {
        &self.params
    }

    /// The encoded region.
    pub fn region(&self) -> &Region {
        &self.region
    }

    /// The Merkle tree over the region's pieces.
    pub fn tree(&self) -> &MerkleTree {
        &self.tree
    }

    /// `policy_id` as a field element.
    pub fn id(&self) -> Fr {
        self.id
    }

    /// `policy_id` as `0x` hex.
    pub fn id_hex(&self) -> String {
        fr_to_hex(&self.id)
    }
}

/// Number of parameters hashed into `params`.
pub const NUM_PARAMS: usize = 12;

/// The twelve parameters hashed into `params`, in order.
pub fn params_fields(p: &PolicyParams) -> [Fr; NUM_PARAMS] {
    let signed = |v: i64| Fr::from((v + ORIGIN_OFFSET) as u64);
    [
        Fr::from(p.not_before_ms),
        Fr::from(p.not_after_ms),
        Fr::from(p.min_interval_ms),
        Fr::from(p.max_interval_ms),
        Fr::from(p.speed_units),
        Fr::from(p.speed_tolerance),
        Fr::from(p.min_points),
        Fr::from(p.min_distance_m),
        Fr::from(u64::from(p.min_inside_bp)),
        signed(p.frame.origin_lat_e7),
        signed(p.frame.origin_lon_e7),
        Fr::from(frame_code(p.frame.grid_bits, p.frame.region_shift)),
    ]
}

/// `256·grid_bits + region_shift`: the frame's two sizes in one hashed parameter.
pub fn frame_code(grid_bits: u8, region_shift: u8) -> u64 {
    256 * u64::from(grid_bits) + u64::from(region_shift)
}

/// `policy_id` from the canonical parameters and the region root.
pub fn policy_id(p: &PolicyParams, region_root: Fr) -> Fr {
    let params = poseidon(&params_fields(p));
    poseidon(&[
        fr_from_tag(POLICY_TAG),
        params,
        Fr::from(u64::from(p.projection.kx)),
        Fr::from(u64::from(p.projection.ky)),
        region_root,
        Fr::from(u64::from(p.region_depth)),
    ])
}
