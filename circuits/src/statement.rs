//! The chunked statement, natively: how a trace is absorbed, how chunks are chained by hiding
//! state commitments, and the typed public inputs of a chunk proof.
//!
//! Points are absorbed as *steps*: point `i` contributes the step from point `i − 1`
//! (the first point contributes the zero step; its absolute position goes into the id):
//!
//! ```text
//! dy = y_i − y_{i−1} ∈ (−2^22, 2^22)       north indices (a window holds both points)
//! dx = x_i − x_{i−1}, the short way round ∈ (−2^23, 2^23)
//! dt = t_i − t_{i−1} ∈ [0, 2^33)
//! pack(step)   = (dy + 2^22) + 2^23·(dx + 2^23) + 2^47·dt                       (< 2^80)
//! element_j    = pack_3j + 2^80·pack_3j+1 + 2^160·pack_3j+2                      (< 2^240)
//! acc_0        = 0
//! acc_{g+1}    = Poseidon(acc_g, element_11g, …, element_11g+10)   33 points per group
//! point(p)     = y + 2^31·x + 2^63·t                                             (< 2^110)
//! contribution_id = Poseidon(ID_TAG, acc_final, points, point(p_0))
//! commitment      = Poseidon(COMMIT_TAG, contribution_id, blinding)
//! state           = Poseidon(STATE_TAG, acc, point(last), points + 2^40·inside,
//!                            distance_units, point(first), pending, blinding)
//! pending         = Poseidon(element_0, …, element_10) of a trailing partial group, or 0
//! ```
//!
//! Groups are numbered by the points' positions in the whole trace (points `33g … 33g+32`),
//! whatever the chunking: a chunk may end inside a group, and then the group's first points are
//! *carried*: the chunk's state commits to them (`pending`), the next chunk re-reads them in its
//! first slots and absorbs the completed group. Steps and the first point are absolute, so
//! `contribution_id` depends only on the trace: not on the policy, the chunking, the windows,
//! the shape, the blinding or the proof. Slots past the end of the trace pack to 0 (a real
//! step never does: its `dy` field is at least 1); the point count in the id keeps trailing
//! zeros distinguishable.

use crate::encode::{lon_delta, Point};
use crate::poseidon::{fr_from_tag, poseidon};
use ark_bn254::Fr;
use std::fmt;

/// Domain tag of chain states.
pub const STATE_TAG: &[u8] = b"zkcontrib.state.v3";
/// Domain tag of contribution ids.
pub const ID_TAG: &[u8] = b"zkcontrib.id.v3";
/// Domain tag of trace commitments.
pub const COMMIT_TAG: &[u8] = b"zkcontrib.commit.v3";
/// Steps packed per field element.
pub const STEPS_PER_ELEMENT: usize = 3;
/// Field elements absorbed per Poseidon call (plus the running value: 12 inputs).
pub const ELEMENTS_PER_GROUP: usize = 11;
/// Points absorbed per Poseidon call.
pub const POINTS_PER_GROUP: usize = STEPS_PER_ELEMENT * ELEMENTS_PER_GROUP;
/// Bits of one packed step.
pub const PACKED_STEP_BITS: u32 = 80;
/// Offset of `dy` in a packed step (`dy + 2^22 ≥ 0`).
pub const DY_OFFSET: i64 = 1 << 22;
/// Offset of `dx` in a packed step.
pub const DX_OFFSET: i64 = 1 << 23;
/// Position of `dx` in a packed step.
pub const DX_SHIFT: u32 = 23;
/// Position of `dt` in a packed step.
pub const DT_SHIFT: u32 = 47;
/// Bits of a packed absolute point.
pub const PACKED_POINT_BITS: u32 = 110;
/// Position of the inside count in the state's count field.
pub const INSIDE_SHIFT: u32 = 40;

/// One step of a trace, as absorbed.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub struct Step {
    /// North-index difference.
    pub dy: i64,
    /// East-index difference, the short way round.
    pub dx: i64,
    /// Time difference, ms.
    pub dt: u64,
}

impl fmt::Debug for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Step").finish_non_exhaustive()
    }
}

impl Step {
    /// The step from `a` to `b` (the zero step when `b` is the first point: pass `a = b`).
    pub fn between(a: &Point, b: &Point) -> Self {
        Self {
            dy: b.y() - a.y(),
            dx: lon_delta(i64::from(a.lon_e7), i64::from(b.lon_e7)),
            dt: b.t_ms.wrapping_sub(a.t_ms),
        }
    }

    /// `pack(step)` as an integer. Only meaningful for steps in range (see the module docs);
    /// out-of-range fields wrap (the circuit never proves such a step).
    pub fn pack_u128(&self) -> u128 {
        let dy = (self.dy + DY_OFFSET) as u128;
        let dx = (self.dx + DX_OFFSET) as u128;
        dy + (dx << DX_SHIFT) + (u128::from(self.dt) << DT_SHIFT)
    }

    /// True when every field fits its place in the packing.
    pub fn fits(&self) -> bool {
        self.dy.abs() < DY_OFFSET && self.dx.abs() < DX_OFFSET && self.dt < 1 << 33
    }
}

/// The steps of a trace: `steps[0]` is the zero step, `steps[i]` goes from point `i − 1`.
pub fn steps(points: &[Point]) -> Vec<Step> {
    (0..points.len())
        .map(|i| Step::between(&points[i.saturating_sub(1)], &points[i]))
        .collect()
}

/// `point(p) = y + 2^31·x + 2^63·t` as an integer.
pub fn pack_point_u128(p: &Point) -> u128 {
    p.y() as u128 + ((p.x() as u128) << 31) + (u128::from(p.t_ms) << 63)
}

/// `point(p)` as a field element.
pub fn pack_point(p: &Point) -> Fr {
    Fr::from(pack_point_u128(p))
}

/// The elements of a group of up to 33 steps (missing slots are zero).
pub fn group_elements(group: &[Step]) -> [Fr; ELEMENTS_PER_GROUP] {
    debug_assert!(group.len() <= POINTS_PER_GROUP);
    let shift = Fr::from(1u128 << PACKED_STEP_BITS);
    let mut e = [Fr::from(0u64); ELEMENTS_PER_GROUP];
    for (j, triple) in group.chunks(STEPS_PER_ELEMENT).enumerate() {
        e[j] = triple.iter().rev().fold(Fr::from(0u64), |acc, s| {
            acc * shift + Fr::from(s.pack_u128())
        });
    }
    e
}

/// Absorbs one group of up to 33 steps (missing slots are zero).
pub fn absorb_group(acc: Fr, group: &[Step]) -> Fr {
    let mut inputs = [Fr::from(0u64); 1 + ELEMENTS_PER_GROUP];
    inputs[0] = acc;
    inputs[1..].copy_from_slice(&group_elements(group));
    poseidon(&inputs)
}

/// `pending` of a trailing partial group (1 to 32 steps), or 0 for none.
pub fn pending_hash(partial: &[Step]) -> Fr {
    if partial.is_empty() {
        Fr::from(0u64)
    } else {
        poseidon(&group_elements(partial))
    }
}

/// The accumulator over a whole trace.
pub fn accumulate(points: &[Point]) -> Fr {
    steps(points)
        .chunks(POINTS_PER_GROUP)
        .fold(Fr::from(0u64), absorb_group)
}

/// `contribution_id` of a trace with accumulator `acc`, `points` points and first point
/// `first`.
pub fn contribution_id(acc: Fr, points: u64, first: &Point) -> Fr {
    poseidon(&[
        fr_from_tag(ID_TAG),
        acc,
        Fr::from(points),
        pack_point(first),
    ])
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
    /// The last point of the last complete group (the point before the next chunk's first
    /// slot); all zero in the genesis state.
    pub last: Option<Point>,
    /// Points so far.
    pub points: u64,
    /// Points counted inside the region so far.
    pub inside: u64,
    /// Σ d_i so far, 2^-18 m.
    pub distance_units: u128,
    /// The trace's first point (none in the genesis state).
    pub first: Option<Point>,
    /// [`pending_hash`] of the steps after the last complete group.
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

    /// The seven hashed fields after the tag, in order.
    pub fn fields(&self) -> [Fr; 7] {
        let pt = |p: &Option<Point>| p.as_ref().map(pack_point).unwrap_or_default();
        [
            self.acc,
            pt(&self.last),
            Fr::from(self.points) + Fr::from(self.inside) * Fr::from(1u64 << INSIDE_SHIFT),
            Fr::from(self.distance_units),
            pt(&self.first),
            self.pending,
            self.blinding,
        ]
    }

    /// `state = Poseidon(STATE_TAG, …fields)`.
    pub fn hash(&self) -> Fr {
        let f = self.fields();
        let mut inputs = [Fr::from(0u64); 8];
        inputs[0] = fr_from_tag(STATE_TAG);
        inputs[1..].copy_from_slice(&f);
        poseidon(&inputs)
    }
}

// The public inputs (slot table, `PublicInputs`, `NUM_PUBLIC_INPUTS`) are defined once, in
// `zkcontrib-public`, for the circuit and the verifier.
pub use zkcontrib_public::{Contribution, PublicInputs, Slot, NUM_PUBLIC_INPUTS};

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
        let lo = Step {
            dy: 1 - DY_OFFSET,
            dx: 1 - DX_OFFSET,
            dt: 0,
        };
        let hi = Step {
            dy: DY_OFFSET - 1,
            dx: DX_OFFSET - 1,
            dt: (1 << 33) - 1,
        };
        assert!(lo.fits() && hi.fits());
        assert!(lo.pack_u128() > 0);
        assert!(hi.pack_u128() < 1u128 << PACKED_STEP_BITS);
        // Neighbouring values in each field never collide.
        let a = Step {
            dy: DY_OFFSET - 1,
            dx: 0,
            dt: 5,
        };
        let b = Step {
            dy: 1 - DY_OFFSET,
            dx: 1,
            dt: 5,
        };
        assert_ne!(a.pack_u128(), b.pack_u128());
        let c = Step {
            dy: 0,
            dx: DX_OFFSET - 1,
            dt: 5,
        };
        let d = Step {
            dy: 0,
            dx: 1 - DX_OFFSET,
            dt: 6,
        };
        assert_ne!(c.pack_u128(), d.pack_u128());
        // The zero step is not zero: a real point never packs like padding.
        assert_ne!(Step::default().pack_u128(), 0);
        let abs_hi = pack_point_u128(&pt(900_000_000, 1_799_999_999, (1 << 47) - 1));
        assert!(abs_hi < 1u128 << PACKED_POINT_BITS);
    }

    #[test]
    fn steps_cross_the_antimeridian_the_short_way() {
        let a = pt(-168_000_000, 1_799_999_900, 1_000);
        let b = pt(-168_000_000, -1_799_999_900, 2_000);
        let s = Step::between(&a, &b);
        assert_eq!((s.dy, s.dx, s.dt), (0, 200, 1_000));
        assert!(s.fits());
    }

    #[test]
    fn id_depends_on_points_and_count_only() {
        let pts: Vec<Point> = (0..70).map(|i| pt(i, 2 * i, 1000 * i as u64 + 1)).collect();
        let acc = accumulate(&pts);
        let id = contribution_id(acc, pts.len() as u64, &pts[0]);
        assert_eq!(id, contribution_id(accumulate(&pts), 70, &pts[0]));
        let mut moved = pts.clone();
        moved[17].lon_e7 += 1;
        assert_ne!(contribution_id(accumulate(&moved), 70, &moved[0]), id);
        // The same steps from another first point: another trace, another id.
        let shifted: Vec<Point> = pts
            .iter()
            .map(|p| pt(p.lat_e7 + 5, p.lon_e7, p.t_ms))
            .collect();
        assert_eq!(accumulate(&shifted), acc);
        assert_ne!(contribution_id(acc, 70, &shifted[0]), id);
        // The pending hash of a partial group is 0 only for no steps.
        let st = steps(&pts);
        assert_eq!(pending_hash(&[]), Fr::from(0u64));
        assert_ne!(pending_hash(&st[..3]), pending_hash(&st[..4]));
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
