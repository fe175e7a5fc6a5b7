//! Where each constraint of a chunk belongs: the statement's parts ([`PARTS`]), recorded
//! while synthesizing ([`Layout`]), so the first unsatisfied constraint names its rule.

use ark_bn254::Fr;
use ark_relations::gr1cs::ConstraintSystemRef;

/// The parts of a chunk's constraint system, in the order they are first met: what
/// [`Layout::rule_of`] names and the breakdown tables list.
pub const PARTS: [&str; 18] = [
    "public inputs",
    "policy id",
    "window",
    "region item (Merkle)",
    "carry",
    "chain state in",
    "padding (active prefix)",
    "coordinates (window offsets)",
    "time (order, interval)",
    "projection",
    "speed",
    "distance",
    "region (membership)",
    "hashing (absorb)",
    "time window",
    "chain state out",
    "claims and thresholds",
    "id and commitment",
];

/// Where each constraint of a chunk belongs: a list of `(first constraint, part)` runs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Layout {
    runs: Vec<(usize, &'static str)>,
    total: usize,
}

impl Layout {
    /// The part that constraint `row` belongs to.
    pub fn rule_of(&self, row: usize) -> Option<&'static str> {
        if row >= self.total {
            return None;
        }
        let k = self.runs.partition_point(|(start, _)| *start <= row);
        self.runs.get(k.checked_sub(1)?).map(|(_, part)| *part)
    }

    /// Constraints per part, in [`PARTS`] order (parts without constraints omitted).
    pub fn breakdown(&self) -> Vec<(&'static str, usize)> {
        let mut counts: Vec<(&'static str, usize)> = PARTS.iter().map(|p| (*p, 0)).collect();
        for (i, (start, part)) in self.runs.iter().enumerate() {
            let end = self.runs.get(i + 1).map(|r| r.0).unwrap_or(self.total);
            if let Some(c) = counts.iter_mut().find(|(p, _)| p == part) {
                c.1 += end - start;
            }
        }
        counts.retain(|(_, n)| *n > 0);
        counts
    }

    /// Total constraints.
    pub fn total(&self) -> usize {
        self.total
    }
}

pub(super) struct Meter {
    pub(super) cs: ConstraintSystemRef<Fr>,
    pub(super) seen: usize,
    pub(super) layout: Layout,
}

impl Meter {
    pub(super) fn new(cs: &ConstraintSystemRef<Fr>) -> Self {
        Self {
            cs: cs.clone(),
            seen: cs.num_constraints(),
            layout: Layout::default(),
        }
    }

    /// Attributes the constraints added since the last tick to `part`.
    pub(super) fn tick(&mut self, part: &'static str) {
        debug_assert!(PARTS.contains(&part), "{part}");
        let now = self.cs.num_constraints();
        if now > self.seen {
            match self.layout.runs.last() {
                Some((_, p)) if *p == part => {}
                _ => self.layout.runs.push((self.seen, part)),
            }
        }
        self.seen = now;
        self.layout.total = now;
    }
}
