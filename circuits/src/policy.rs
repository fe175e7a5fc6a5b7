//! The canonical policy: every rule parameter as an integer, the encoded region, and the
//! `policy_id` that commits to all of it.
//!
//! # `policy_id`
//!
//! ```text
//! params    = Poseidon(not_before_ms, not_after_ms, min_interval_ms, max_interval_ms,
//!                      speed_units, speed_tolerance, min_points, min_distance_m, min_inside_bp,
//!                      region_encoding)
//! policy_id = Poseidon(TAG, params, region_root, region_depth)
//! TAG       = big-endian integer of the ASCII bytes "zkcontrib.policy.v3"
//! ```
//!
//! with circomlib's Poseidon, so `circomlibjs` recomputes it from [`PolicyParams`]' JSON.
//! The policy's `name` is a label and is *not* part of the id: two policies with the same
//! rules and region are the same statement. A policy states rules only: every encoding
//! parameter is fixed by the statement (cells, bands, windows, bit widths) or derived
//! deterministically from the region ([`crate::region::compile()`]).

use crate::merkle::MerkleTree;
use crate::poseidon::{fr_from_tag, fr_to_hex, poseidon};
use crate::region::{CompileOptions, Region, RegionError, ENCODING_CODE};
use ark_bn254::Fr;
use geo::MultiPolygon;

/// Domain tag of policy ids.
pub const POLICY_TAG: &[u8] = b"zkcontrib.policy.v3";
/// Largest interval bound, milliseconds (2^32 - 1 ≈ 49.7 days).
pub const MAX_INTERVAL_MS: u64 = u32::MAX as u64;
/// `max_interval − min_interval` must be below `2^INTERVAL_BITS` ms (65.5 s).
pub const INTERVAL_BITS: u32 = 16;
/// Largest timestamp, milliseconds (2^47 ≈ year 6429).
pub const MAX_TIME_MS: u64 = 1 << 47;
/// Largest speed limit, mm/s (1 km/s).
pub const MAX_SPEED_MMPS: u64 = 1_000_000;
/// Legal steps are shorter than `2^STEP_BITS` distance units (`2^(STEP_BITS−18)` m = 2048 m):
/// `speed_units · max_interval < 2^STEP_BITS`.
pub const STEP_BITS: u32 = 29;
/// Basis points of one whole.
pub const BASIS_POINTS: u16 = 10_000;

/// A policy as written by a network designer, before encoding (times in unix ms).
#[derive(Clone, Debug)]
pub struct PolicyInput {
    /// Human label (not hashed).
    pub name: String,
    /// The region, degrees (x = longitude, y = latitude).
    pub region: MultiPolygon<f64>,
    /// Zones excluded from the region (holes), degrees.
    pub exclude: Option<MultiPolygon<f64>>,
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
    /// The interval range is too wide for the statement.
    #[error("max_interval − min_interval is {width_ms} ms; the statement allows less than 65.536 s (raise min_interval_s or lower max_interval_s)")]
    IntervalRange {
        /// `max − min`, ms.
        width_ms: u64,
    },
    /// Speed limit out of range.
    #[error("max_speed_mps must be in [0.004, 1000] (got {0} mm/s)")]
    Speed(u64),
    /// The longest legal step is too long for the statement.
    #[error("max_speed × max_interval allows steps of {metres:.0} m; the statement allows steps up to 2048 m (lower max_speed_mps or max_interval_s)")]
    StepTooLong {
        /// The longest legal step, metres.
        metres: f64,
    },
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
    /// Root of the region's Merkle tree, `0x` hex.
    pub region_root: String,
    /// Depth of the region's Merkle tree.
    pub region_depth: u32,
    /// Number of items (informative: the items themselves are committed by `region_root`).
    pub region_items: u64,
    /// The region encoding's version code ([`ENCODING_CODE`]), hashed.
    pub region_encoding: u64,
}

/// The rule parameters of a policy, validated (no region yet).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rules {
    /// See [`PolicyParams`].
    pub not_before_ms: u64,
    /// See [`PolicyParams`].
    pub not_after_ms: u64,
    /// See [`PolicyParams`].
    pub min_interval_ms: u64,
    /// See [`PolicyParams`].
    pub max_interval_ms: u64,
    /// See [`PolicyParams`].
    pub max_speed_mmps: u64,
    /// See [`PolicyParams`].
    pub speed_units: u64,
    /// See [`PolicyParams`].
    pub step_bits: u32,
    /// See [`PolicyParams`].
    pub min_points: u64,
    /// See [`PolicyParams`].
    pub min_distance_m: u64,
    /// See [`PolicyParams`].
    pub min_inside_bp: u16,
}

/// A compiled policy.
#[derive(Clone, Debug)]
pub struct Policy {
    name: String,
    params: PolicyParams,
    region: Region,
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

/// Validates a policy's rules (everything but the region).
pub fn check_rules(p: &PolicyInput) -> Result<Rules, PolicyError> {
    if p.not_before_ms >= p.not_after_ms || p.not_after_ms > MAX_TIME_MS || p.not_before_ms == 0 {
        // Packed points must never be 0 (0 marks padding); t ≥ 1 ms guarantees it.
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
    if p.max_interval_ms - p.min_interval_ms >= 1 << INTERVAL_BITS {
        return Err(PolicyError::IntervalRange {
            width_ms: p.max_interval_ms - p.min_interval_ms,
        });
    }
    let units = speed_units(p.max_speed_mmps);
    if units == 0 || p.max_speed_mmps > MAX_SPEED_MMPS {
        return Err(PolicyError::Speed(p.max_speed_mmps));
    }
    let step_bits = bits_for(u128::from(units) * u128::from(p.max_interval_ms));
    if step_bits > STEP_BITS {
        return Err(PolicyError::StepTooLong {
            metres: (units as f64) * (p.max_interval_ms as f64)
                / f64::from(1u32 << crate::projection::DISTANCE_FRAC_BITS),
        });
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
    Ok(Rules {
        not_before_ms: p.not_before_ms,
        not_after_ms: p.not_after_ms,
        min_interval_ms: p.min_interval_ms,
        max_interval_ms: p.max_interval_ms,
        max_speed_mmps: p.max_speed_mmps,
        speed_units: units,
        step_bits,
        min_points: p.min_points,
        min_distance_m: p.min_distance_m,
        min_inside_bp: p.min_inside_bp,
    })
}

impl Policy {
    /// Validates and encodes a policy (compiles its region: seconds for a country).
    pub fn compile(input: &PolicyInput) -> Result<Self, PolicyError> {
        let rules = check_rules(input)?;
        let region = crate::region::compile(
            &input.region,
            input.exclude.as_ref(),
            &CompileOptions::default(),
        )?;
        Ok(Self::from_parts(&input.name, &rules, region))
    }

    /// A policy from validated rules and an already compiled region (e.g. a cached package).
    pub fn from_parts(name: &str, r: &Rules, region: Region) -> Self {
        let params = PolicyParams {
            not_before_ms: r.not_before_ms,
            not_after_ms: r.not_after_ms,
            min_interval_ms: r.min_interval_ms,
            max_interval_ms: r.max_interval_ms,
            max_speed_mmps: r.max_speed_mmps,
            speed_units: r.speed_units,
            step_bits: r.step_bits,
            speed_tolerance: 1u64 << (r.step_bits + 1),
            min_points: r.min_points,
            min_distance_m: r.min_distance_m,
            min_inside_bp: r.min_inside_bp,
            region_root: fr_to_hex(&region.root()),
            region_depth: region.depth(),
            region_items: region.items().len() as u64,
            region_encoding: ENCODING_CODE,
        };
        let id = policy_id(&params, region.root());
        Self {
            name: name.to_string(),
            params,
            region,
            id,
        }
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

    /// The Merkle tree over the region's items.
    pub fn tree(&self) -> &MerkleTree {
        self.region.tree()
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
pub const NUM_PARAMS: usize = 10;

/// The ten parameters hashed into `params`, in order.
pub fn params_fields(p: &PolicyParams) -> [Fr; NUM_PARAMS] {
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
        Fr::from(p.region_encoding),
    ]
}

/// `policy_id` from the canonical parameters and the region root.
pub fn policy_id(p: &PolicyParams, region_root: Fr) -> Fr {
    let params = poseidon(&params_fields(p));
    poseidon(&[
        fr_from_tag(POLICY_TAG),
        params,
        region_root,
        Fr::from(u64::from(p.region_depth)),
    ])
}
