//! # zkcontrib-public
//!
//! The public inputs of one zkcontrib chunk proof — the most soundness-critical layout of the
//! project — defined once: the circuit allocates its instance variables from
//! [`PublicInputs::to_array`], and the verifier recomputes every chunk's inputs with
//! [`PublicInputs::of_chunk`] from a bundle's fields. A slot moved here moves in both.
//!
//! | slot | field | encoding |
//! |---|---|---|
//! | 0 | `policy_id` | field element (the policy's Poseidon hash) |
//! | 1 | `submitter` | reward address, big-endian bytes as an integer mod r |
//! | 2 | `state_in` | chain-state hash before the chunk |
//! | 3 | `state_out` | chain-state hash after the chunk |
//! | 4 | `is_first` | 0 or 1 |
//! | 5 | `is_last` | 0 or 1 |
//! | 6 | `claimed_points` | integer; 0 unless `is_last` |
//! | 7 | `claimed_distance_m` | integer; 0 unless `is_last` |
//! | 8 | `claimed_duration_s` | integer; 0 unless `is_last` |
//! | 9 | `commitment` | field element; 0 unless `is_last` |
//! | 10 | `contribution_id` | field element; 0 unless `is_last` |
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use ark_bn254::Fr;

/// Number of public inputs of a chunk proof (the constant 1 not counted).
pub const NUM_PUBLIC_INPUTS: usize = 11;

/// The slots, in order: `Slot::X as usize` is the index of `X` in [`PublicInputs::to_array`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(usize)]
pub enum Slot {
    /// `policy_id`.
    PolicyId = 0,
    /// `submitter`.
    Submitter = 1,
    /// `state_in`.
    StateIn = 2,
    /// `state_out`.
    StateOut = 3,
    /// `is_first`.
    IsFirst = 4,
    /// `is_last`.
    IsLast = 5,
    /// `claimed_points`.
    ClaimedPoints = 6,
    /// `claimed_distance_m`.
    ClaimedDistanceM = 7,
    /// `claimed_duration_s`.
    ClaimedDurationS = 8,
    /// `commitment`.
    Commitment = 9,
    /// `contribution_id`.
    ContributionId = 10,
}

impl Slot {
    /// Every slot in order.
    pub const ALL: [Slot; NUM_PUBLIC_INPUTS] = [
        Slot::PolicyId,
        Slot::Submitter,
        Slot::StateIn,
        Slot::StateOut,
        Slot::IsFirst,
        Slot::IsLast,
        Slot::ClaimedPoints,
        Slot::ClaimedDistanceM,
        Slot::ClaimedDurationS,
        Slot::Commitment,
        Slot::ContributionId,
    ];

    /// The slot's name, as in the table above.
    pub fn name(self) -> &'static str {
        match self {
            Slot::PolicyId => "policy_id",
            Slot::Submitter => "submitter",
            Slot::StateIn => "state_in",
            Slot::StateOut => "state_out",
            Slot::IsFirst => "is_first",
            Slot::IsLast => "is_last",
            Slot::ClaimedPoints => "claimed_points",
            Slot::ClaimedDistanceM => "claimed_distance_m",
            Slot::ClaimedDurationS => "claimed_duration_s",
            Slot::Commitment => "commitment",
            Slot::ContributionId => "contribution_id",
        }
    }
}

/// The values a contribution reveals (the last chunk's claim slots).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claims {
    /// Number of trace points.
    pub points: u64,
    /// Lower bound of the path length, metres.
    pub distance_m: u64,
    /// Last minus first timestamp, whole seconds.
    pub duration_s: u64,
}

/// What every chunk of one contribution shares: the bundle-wide public values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Contribution {
    /// `policy_id`.
    pub policy_id: Fr,
    /// `submitter`.
    pub submitter: Fr,
    /// The claims (revealed by the last chunk).
    pub claims: Claims,
    /// `commitment` (revealed by the last chunk).
    pub commitment: Fr,
    /// `contribution_id` (revealed by the last chunk).
    pub contribution_id: Fr,
}

/// The public inputs of one chunk proof, one field per slot ([`Slot`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct PublicInputs {
    /// [`Slot::PolicyId`].
    pub policy_id: Fr,
    /// [`Slot::Submitter`].
    pub submitter: Fr,
    /// [`Slot::StateIn`].
    pub state_in: Fr,
    /// [`Slot::StateOut`].
    pub state_out: Fr,
    /// [`Slot::IsFirst`].
    pub is_first: bool,
    /// [`Slot::IsLast`].
    pub is_last: bool,
    /// [`Slot::ClaimedPoints`].
    pub claimed_points: u64,
    /// [`Slot::ClaimedDistanceM`].
    pub claimed_distance_m: u64,
    /// [`Slot::ClaimedDurationS`].
    pub claimed_duration_s: u64,
    /// [`Slot::Commitment`].
    pub commitment: Fr,
    /// [`Slot::ContributionId`].
    pub contribution_id: Fr,
}

impl PublicInputs {
    /// The inputs of chunk `k` of `n` of a contribution linked by `(state_in, state_out)`:
    /// the claims, commitment and id only on the last chunk (0 elsewhere), as the circuit
    /// enforces.
    pub fn of_chunk(c: &Contribution, state_in: Fr, state_out: Fr, k: usize, n: usize) -> Self {
        let is_last = k + 1 == n;
        let zero = Fr::from(0u64);
        let on_last = |v: Fr| if is_last { v } else { zero };
        let on_last_u = |v: u64| if is_last { v } else { 0 };
        Self {
            policy_id: c.policy_id,
            submitter: c.submitter,
            state_in,
            state_out,
            is_first: k == 0,
            is_last,
            claimed_points: on_last_u(c.claims.points),
            claimed_distance_m: on_last_u(c.claims.distance_m),
            claimed_duration_s: on_last_u(c.claims.duration_s),
            commitment: on_last(c.commitment),
            contribution_id: on_last(c.contribution_id),
        }
    }

    /// The value of one slot.
    pub fn get(&self, slot: Slot) -> Fr {
        match slot {
            Slot::PolicyId => self.policy_id,
            Slot::Submitter => self.submitter,
            Slot::StateIn => self.state_in,
            Slot::StateOut => self.state_out,
            Slot::IsFirst => Fr::from(u64::from(self.is_first)),
            Slot::IsLast => Fr::from(u64::from(self.is_last)),
            Slot::ClaimedPoints => Fr::from(self.claimed_points),
            Slot::ClaimedDistanceM => Fr::from(self.claimed_distance_m),
            Slot::ClaimedDurationS => Fr::from(self.claimed_duration_s),
            Slot::Commitment => self.commitment,
            Slot::ContributionId => self.contribution_id,
        }
    }

    /// The slots in order, as Groth16 takes them.
    pub fn to_array(&self) -> [Fr; NUM_PUBLIC_INPUTS] {
        Slot::ALL.map(|s| self.get(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A value per slot that no other slot holds.
    fn distinct() -> PublicInputs {
        PublicInputs {
            policy_id: Fr::from(1001u64),
            submitter: Fr::from(1002u64),
            state_in: Fr::from(1003u64),
            state_out: Fr::from(1004u64),
            is_first: true,
            is_last: false,
            claimed_points: 1007,
            claimed_distance_m: 1008,
            claimed_duration_s: 1009,
            commitment: Fr::from(1010u64),
            contribution_id: Fr::from(1011u64),
        }
    }

    #[test]
    fn each_slot_sits_at_its_index() {
        let p = distinct();
        let a = p.to_array();
        let want: [(Slot, Fr); NUM_PUBLIC_INPUTS] = [
            (Slot::PolicyId, Fr::from(1001u64)),
            (Slot::Submitter, Fr::from(1002u64)),
            (Slot::StateIn, Fr::from(1003u64)),
            (Slot::StateOut, Fr::from(1004u64)),
            (Slot::IsFirst, Fr::from(1u64)),
            (Slot::IsLast, Fr::from(0u64)),
            (Slot::ClaimedPoints, Fr::from(1007u64)),
            (Slot::ClaimedDistanceM, Fr::from(1008u64)),
            (Slot::ClaimedDurationS, Fr::from(1009u64)),
            (Slot::Commitment, Fr::from(1010u64)),
            (Slot::ContributionId, Fr::from(1011u64)),
        ];
        for (i, (slot, v)) in want.iter().enumerate() {
            assert_eq!(*slot as usize, i, "{}", slot.name());
            assert_eq!(Slot::ALL[i], *slot, "{}", slot.name());
            assert_eq!(a[i], *v, "slot {i} ({})", slot.name());
        }
    }

    #[test]
    fn only_the_last_chunk_reveals_claims_commitment_and_id() {
        let c = Contribution {
            policy_id: Fr::from(7u64),
            submitter: Fr::from(8u64),
            claims: Claims {
                points: 988,
                distance_m: 12_806,
                duration_s: 5_498,
            },
            commitment: Fr::from(9u64),
            contribution_id: Fr::from(10u64),
        };
        let (si, so) = (Fr::from(3u64), Fr::from(4u64));
        let first = PublicInputs::of_chunk(&c, si, so, 0, 3);
        assert!(first.is_first && !first.is_last);
        let middle = PublicInputs::of_chunk(&c, si, so, 1, 3);
        let last = PublicInputs::of_chunk(&c, si, so, 2, 3);
        for p in [first, middle] {
            for s in [
                Slot::ClaimedPoints,
                Slot::ClaimedDistanceM,
                Slot::ClaimedDurationS,
                Slot::Commitment,
                Slot::ContributionId,
            ] {
                assert_eq!(p.get(s), Fr::from(0u64), "{}", s.name());
            }
        }
        assert!(!middle.is_first && !middle.is_last);
        assert!(last.is_last && !last.is_first);
        assert_eq!(last.claimed_points, 988);
        assert_eq!(last.get(Slot::ContributionId), Fr::from(10u64));
        let only = PublicInputs::of_chunk(&c, si, so, 0, 1);
        assert!(only.is_first && only.is_last && only.commitment == Fr::from(9u64));
        for p in [first, middle, last] {
            assert_eq!(p.get(Slot::PolicyId), Fr::from(7u64));
            assert_eq!(p.get(Slot::Submitter), Fr::from(8u64));
            assert_eq!(p.get(Slot::StateIn), si);
            assert_eq!(p.get(Slot::StateOut), so);
        }
    }
}
