//! The chunked statement, natively: how a trace is absorbed, how chunks are chained by hiding
//! state commitments, and the typed public inputs of a chunk proof.
//!
//! ```text
//! pack(p)      = (lat_e7 + 9·10^8) + 2^31·(lon_e7 + 18·10^8) + 2^63·t_ms        (< 2^110)
//! element_j    = pack(p_2j) + 2^110·pack(p_2j+1)                                 (< 2^220)
//! acc_0        = 0
//! acc_{g+1}    = Poseidon(acc_g, element_11g, …, element_11g+10)   22 points per group
//! contribution_id = Poseidon(ID_TAG, acc_final, points)
//! commitment      = Poseidon(COMMIT_TAG, contribution_id, blinding)
//! state           = Poseidon(STATE_TAG, acc, last_x, last_y, last_t, points, distance_units,
//!                            inside, first_t, pending, blinding)
//! pending         = Poseidon(element_0, …, element_10) of a trailing partial group, or 0
//! ```
//!
//! Groups are numbered by the points' positions in the whole trace (points `22g … 22g+21`),
//! whatever the chunking: a chunk may end inside a group, and then the group's first points are
//! *carried*: the chunk's state commits to them (`pending`), the next chunk re-reads them in its
//! first slots and absorbs the completed group. Points are packed with *absolute* coordinates,
//! so `contribution_id` depends only on the trace: not on the policy, the chunking, the shape,
//! the blinding or the proof. Slots past the end of the trace pack to 0 (a real point never
//! does: policies start after t = 0); the point count in the id keeps trailing zeros
//! distinguishable.

use crate::encode::{Point, MAX_LAT_E7, MAX_LON_E7};
use crate::poseidon::{fr_from_tag, poseidon};
use ark_bn254::Fr;
use std::fmt;

/// Domain tag of chain states.
pub const STATE_TAG: &[u8] = b"zkcontrib.state.v2";
/// Domain tag of contribution ids.
pub const ID_TAG: &[u8] = b"zkcontrib.id.v2";
/// Domain tag of trace commitments.
pub const COMMIT_TAG: &[u8] = b"zkcontrib.commit.v2";
/// Points absorbed per Poseidon call (11 elements of 2 points, plus the running value).
pub const POINTS_PER_GROUP: usize = 22;
/// Field elements of a group.
pub const ELEMENTS_PER_GROUP: usize = POINTS_PER_GROUP / 2;
/// Bits of one packed point.
pub const PACKED_POINT_BITS: u32 = 110;

/// `pack(p)` as an integer.
pub fn pack_point_u128(p: &Point) -> u128 {
    let lat = (i64::from(p.lat_e7) + i64::from(MAX_LAT_E7)) as u128;
    let lon = (i64::from(p.lon_e7) + i64::from(MAX_LON_E7)) as u128;
    lat + (lon << 31) + (u128::from(p.t_ms) << 63)
}

/// `pack(p)` as a field element.
pub fn pack_point(p: &Point) -> Fr {
    Fr::from(pack_point_u128(p))
}

/// The elements of a group of up to 22 points (missing slots are zero).
pub fn group_elements(group: &[Point]) -> [Fr; ELEMENTS_PER_GROUP] {
    debug_assert!(group.len() <= POINTS_PER_GROUP);
    let shift = Fr::from(1u128 << PACKED_POINT_BITS);
    let mut e = [Fr::from(0u64); ELEMENTS_PER_GROUP];
    for (j, pair) in group.chunks(2).enumerate() {
        let lo = pack_point(&pair[0]);
        let hi = pair.get(1).map(pack_point).unwrap_or_default();
        e[j] = lo + shift * hi;
    }
    e
}

/// Absorbs one group of up to 22 points (missing slots are zero).
pub fn absorb_group(acc: Fr, group: &[Point]) -> Fr {
    let mut inputs = [Fr::from(0u64); 1 + ELEMENTS_PER_GROUP];
    inputs[0] = acc;
    inputs[1..].copy_from_slice(&group_elements(group));
    poseidon(&inputs)
}

/// `pending` of a trailing partial group (1 to 21 points), or 0 for none.
pub fn pending_hash(partial: &[Point]) -> Fr {
    if partial.is_empty() {
        Fr::from(0u64)
    } else {
        poseidon(&group_elements(partial))
    }
}

/// The accumulator over a whole trace.
pub fn accumulate(points: &[Point]) -> Fr {
    points
        .chunks(POINTS_PER_GROUP)
        .fold(Fr::from(0u64), absorb_group)
}

/// `contribution_id` of a trace with accumulator `acc` and `points` points.
pub fn contribution_id(acc: Fr, points: u64) -> Fr {
    poseidon(&[fr_from_tag(ID_TAG), acc, Fr::from(points)])
}

/// The hiding commitment to a trace.
pub fn commitment(id: Fr, blinding: Fr) -> Fr {
    poseidon(&[fr_from_tag(COMMIT_TAG), id, blinding])
}

/// What links one chunk to the next. Hidden behind its hash; never printed.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub struct ChainState {
    /// Accumulator after the points so far.
    pub acc: Fr,
    /// Frame-relative x of the last point of the last complete group (the last point so far
    /// when there is no pending group).
    pub last_x: u64,
    /// Frame-relative y of that point.
    pub last_y: u64,
    /// Time of that point, ms.
    pub last_t: u64,
    /// Points so far.
    pub points: u64,
    /// Σ d_i so far, 2^-18 m.
    pub distance_units: u128,
    /// Points inside the region so far.
    pub inside: u64,
    /// Time of the trace's first point, ms.
    pub first_t: u64,
    /// [`pending_hash`] of the points after the last complete group.
    pub pending: Fr,
    /// Per-contribution random blinding.
    pub blinding: Fr,
}

impl fmt::Debug for ChainState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChainState").finish_non_exhaustive()
    }
}

impl ChainState {
    /// The genesis state of a contribution: nothing absorbed yet.
    pub fn genesis(blinding: Fr) -> Self {
        Self {
            blinding,
            ..Self::default()
        }
    }

    /// The ten hashed fields after the tag, in order.
    pub fn fields(&self) -> [Fr; 10] {
        [
            self.acc,
            Fr::from(self.last_x),
            Fr::from(self.last_y),
            Fr::from(self.last_t),
            Fr::from(self.points),
            Fr::from(self.distance_units),
            Fr::from(self.inside),
            Fr::from(self.first_t),
            self.pending,
            self.blinding,
        ]
    }

    /// `state = Poseidon(STATE_TAG, …fields)`.
    pub fn hash(&self) -> Fr {
        let f = self.fields();
        let mut inputs = [Fr::from(0u64); 11];
        inputs[0] = fr_from_tag(STATE_TAG);
        inputs[1..].copy_from_slice(&f);
        poseidon(&inputs)
    }
}

/// Number of public inputs of a chunk proof.
pub const NUM_PUBLIC_INPUTS: usize = 11;

/// The public inputs of one chunk proof, one field per slot, in slot order.
///
/// | slot | field | encoding |
/// |---|---|---|
/// | 0 | `policy_id` | field element (see [`crate::policy`]) |
/// | 1 | `submitter` | reward address, big-endian bytes as an integer mod r |
/// | 2 | `state_in` | [`ChainState::hash`] before the chunk |
/// | 3 | `state_out` | [`ChainState::hash`] after the chunk |
/// | 4 | `is_first` | 0 or 1 |
/// | 5 | `is_last` | 0 or 1 |
/// | 6 | `claimed_points` | integer; 0 unless `is_last` |
/// | 7 | `claimed_distance_m` | integer; 0 unless `is_last` |
/// | 8 | `claimed_duration_s` | integer; 0 unless `is_last` |
/// | 9 | `commitment` | [`commitment`]; 0 unless `is_last` |
/// | 10 | `contribution_id` | [`contribution_id`]; 0 unless `is_last` |
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct PublicInputs {
    /// Slot 0.
    pub policy_id: Fr,
    /// Slot 1.
    pub submitter: Fr,
    /// Slot 2.
    pub state_in: Fr,
    /// Slot 3.
    pub state_out: Fr,
    /// Slot 4.
    pub is_first: bool,
    /// Slot 5.
    pub is_last: bool,
    /// Slot 6.
    pub claimed_points: u64,
    /// Slot 7.
    pub claimed_distance_m: u64,
    /// Slot 8.
    pub claimed_duration_s: u64,
    /// Slot 9.
    pub commitment: Fr,
    /// Slot 10.
    pub contribution_id: Fr,
}

impl PublicInputs {
    /// The slots in order, as the verifier passes them to Groth16.
    pub fn to_array(&self) -> [Fr; NUM_PUBLIC_INPUTS] {
        [
            self.policy_id,
            self.submitter,
            self.state_in,
            self.state_out,
            Fr::from(u64::from(self.is_first)),
            Fr::from(u64::from(self.is_last)),
            Fr::from(self.claimed_points),
            Fr::from(self.claimed_distance_m),
            Fr::from(self.claimed_duration_s),
            self.commitment,
            self.contribution_id,
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pt(lat: i32, lon: i32, t: u64) -> Point {
        Point {
            lat_e7: lat,
            lon_e7: lon,
            t_ms: t,
        }
    }

    #[test]
    fn packing_is_injective_at_the_extremes() {
        let lo = pack_point_u128(&pt(-MAX_LAT_E7, -MAX_LON_E7, 0));
        assert_eq!(lo, 0);
        let hi = pack_point_u128(&pt(MAX_LAT_E7, MAX_LON_E7, (1 << 47) - 1));
        assert!(hi < 1u128 << PACKED_POINT_BITS);
        // Neighbouring values in each field never collide.
        let a = pack_point_u128(&pt(MAX_LAT_E7, 0, 5));
        let b = pack_point_u128(&pt(-MAX_LAT_E7, 1, 5));
        assert_ne!(a, b);
    }

    #[test]
    fn id_depends_on_points_and_count_only() {
        let pts: Vec<Point> = (0..50).map(|i| pt(i, 2 * i, 1000 * i as u64 + 1)).collect();
        let acc = accumulate(&pts);
        let id = contribution_id(acc, pts.len() as u64);
        assert_eq!(id, contribution_id(accumulate(&pts), 50));
        let mut moved = pts.clone();
        moved[17].lon_e7 += 1;
        assert_ne!(contribution_id(accumulate(&moved), 50), id);
        // A trailing zero-packed point changes the id through the count.
        let mut longer = pts.clone();
        longer.push(pt(-MAX_LAT_E7, -MAX_LON_E7, 0));
        assert_eq!(accumulate(&longer), acc);
        assert_ne!(contribution_id(accumulate(&longer), 51), id);
        // The pending hash of a partial group is 0 only for no points.
        assert_eq!(pending_hash(&[]), Fr::from(0u64));
        assert_ne!(pending_hash(&pts[..3]), pending_hash(&pts[..4]));
        // Commitments hide behind the blinding.
        assert_ne!(
            commitment(id, Fr::from(1u64)),
            commitment(id, Fr::from(2u64))
        );
    }

    #[test]
    fn debug_hides_state() {
        let s = ChainState {
            points: 12345,
            ..ChainState::genesis(Fr::from(7u64))
        };
        assert!(!format!("{s:?}").contains("12345"));
        assert_ne!(s.hash(), ChainState::genesis(Fr::from(7u64)).hash());
    }
}
