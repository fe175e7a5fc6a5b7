//! 4-ary Poseidon Merkle tree over region items.
//!
//! `node = Poseidon(c0, c1, c2, c3)` over the four children in order; the leaf count is padded
//! to `4^depth` with the value `0`, which is not the Poseidon image of any known item, so
//! padding cannot be opened as an item. `depth = max(1, ceil(log4(items)))` and is part of the
//! policy id. A 4-ary tree costs the circuit one `Poseidon(4)` (297 constraints) per level
//! where a binary tree of the same capacity costs two `Poseidon(2)` (2 × 240).

use crate::poseidon::poseidon;
use ark_bn254::Fr;

/// Children per node.
pub const ARITY: usize = 4;

/// A 4-ary tree over `n` leaves, stored level by level (leaves first), without its padding:
/// level `l` keeps its first `ceil(n / 4^l)` nodes, every other node is the hash of an
/// all-padding subtree (`zeros[l]`). The leaf level may be dropped ([`MerkleTree::drop_leaves`])
/// when the leaves can be recomputed (a region package stores the levels above them).
#[derive(Clone, Debug)]
pub struct MerkleTree {
    n: usize,
    levels: Vec<Vec<Fr>>,
    zeros: Vec<Fr>,
}

/// An authentication path: per level (leaf level first) the three siblings in order, and the
/// leaf index whose base-4 digits (least significant first) give the running node's position
/// among its siblings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MerklePath {
    /// Leaf index.
    pub index: u64,
    /// The three siblings at each level, in child order with the running node left out.
    pub siblings: Vec<[Fr; 3]>,
}

/// The four children of a node whose child at `pos` is `node` and whose other children are
/// `siblings` in order (the native twin of the circuit's position mux).
pub fn children(node: Fr, siblings: &[Fr; 3], pos: usize) -> [Fr; ARITY] {
    let mut c = [Fr::from(0u64); ARITY];
    let mut s = siblings.iter();
    for (j, slot) in c.iter_mut().enumerate() {
        *slot = if j == pos {
            node
        } else {
            *s.next().unwrap_or(&node)
        };
    }
    c
}

/// `zeros[l]`: the hash of a subtree of height `l` whose leaves are all padding (0).
fn zero_hashes(depth: u32) -> Vec<Fr> {
    let mut z = vec![Fr::from(0u64)];
    for _ in 0..depth {
        let last = *z.last().unwrap_or(&Fr::from(0u64));
        z.push(poseidon(&[last; ARITY]));
    }
    z
}

/// The level above `level` (`level` has `len` nodes of height `l`, padding `zero`).
fn parent_level(level: &[Fr], zero: Fr) -> Vec<Fr> {
    use rayon::prelude::*;
    level
        .par_chunks(ARITY)
        .map(|c| {
            let mut four = [zero; ARITY];
            four[..c.len()].copy_from_slice(c);
            poseidon(&four)
        })
        .collect()
}

impl MerkleTree {
    /// Builds the tree over `leaves` (padded with zeros to `4^depth`), each level in parallel.
    pub fn new(leaves: Vec<Fr>) -> Self {
        let n = leaves.len();
        let depth = depth_for(n);
        let zeros = zero_hashes(depth);
        let mut levels = vec![leaves];
        for l in 0..depth as usize {
            let next = if levels[l].is_empty() {
                vec![zeros[l + 1]]
            } else {
                parent_level(&levels[l], zeros[l])
            };
            levels.push(next);
        }
        Self { n, levels, zeros }
    }

    /// A tree from its levels `first..=depth` (`upper[0]` is level `first ≥ 1`), as a package
    /// stores it; the levels below are recomputed from the leaves when a path needs them.
    /// `None` when the level sizes do not fit `n` leaves.
    pub fn from_upper_levels(n: usize, first: usize, upper: Vec<Vec<Fr>>) -> Option<Self> {
        let depth = depth_for(n) as usize;
        if first == 0 || first > depth || upper.len() != depth + 1 - first {
            return None;
        }
        for (k, level) in upper.iter().enumerate() {
            let want = n.max(1).div_ceil(ARITY.pow((first + k) as u32));
            if level.len() != want {
                return None;
            }
        }
        let mut levels = vec![Vec::new(); first];
        levels.extend(upper);
        Some(Self {
            n,
            levels,
            zeros: zero_hashes(depth as u32),
        })
    }

    /// Forgets the leaf level (paths then need the leaves from elsewhere, see
    /// [`MerkleTree::path_with`]).
    pub fn drop_leaves(&mut self) {
        self.drop_levels_below(1);
    }

    /// Forgets every level below `first` (at most the depth): a path recomputes the nodes it
    /// needs from the leaves (`4^first` leaf hashes per opened item).
    pub fn drop_levels_below(&mut self, first: usize) {
        let first = first.min(self.depth() as usize);
        for l in 0..first {
            self.levels[l] = Vec::new();
        }
    }

    /// The lowest stored level above the leaves.
    pub fn first_stored_level(&self) -> usize {
        (1..self.levels.len())
            .find(|&l| !self.levels[l].is_empty())
            .unwrap_or(self.levels.len() - 1)
    }

    /// The stored levels from [`MerkleTree::first_stored_level`] up (what a package stores).
    pub fn upper_levels(&self) -> &[Vec<Fr>] {
        &self.levels[self.first_stored_level()..]
    }

    /// Number of real leaves.
    pub fn len(&self) -> usize {
        self.n
    }

    /// True when the tree has no real leaf.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Number of levels above the leaves.
    pub fn depth(&self) -> u32 {
        (self.levels.len() - 1) as u32
    }

    /// The root.
    pub fn root(&self) -> Fr {
        self.levels
            .last()
            .and_then(|l| l.first())
            .copied()
            .unwrap_or_default()
    }

    fn node(&self, level: usize, j: usize, leaf: &dyn Fn(usize) -> Fr) -> Fr {
        // Nodes past the real leaves are padding.
        if j >= self.n.max(1).div_ceil(ARITY.pow(level as u32)) {
            return self.zeros[level];
        }
        if let Some(v) = self.levels[level].get(j) {
            return *v;
        }
        if level == 0 {
            return leaf(j);
        }
        let children: [Fr; ARITY] =
            std::array::from_fn(|c| self.node(level - 1, ARITY * j + c, leaf));
        poseidon(&children)
    }

    /// Authentication path of leaf `index`, or `None` when out of range (`index ≥ 4^depth`).
    /// Needs the leaf level (see [`MerkleTree::path_with`]).
    pub fn path(&self, index: usize) -> Option<MerklePath> {
        self.path_with(index, &|_| Fr::from(0u64))
    }

    /// Authentication path of leaf `index`; `leaf(j)` supplies leaf `j` when the leaf level
    /// was dropped.
    pub fn path_with(&self, index: usize, leaf: &dyn Fn(usize) -> Fr) -> Option<MerklePath> {
        if index >= ARITY.pow(self.depth()) {
            return None;
        }
        let mut i = index;
        let siblings = (0..self.depth() as usize)
            .map(|level| {
                let base = i - i % ARITY;
                let mut s = [Fr::from(0u64); 3];
                let mut k = 0;
                for j in 0..ARITY {
                    if base + j != i {
                        s[k] = self.node(level, base + j, leaf);
                        k += 1;
                    }
                }
                i /= ARITY;
                s
            })
            .collect();
        Some(MerklePath {
            index: index as u64,
            siblings,
        })
    }
}

impl MerklePath {
    /// The root this path leads to from `leaf` (the native twin of the circuit's path check).
    pub fn root_from(&self, leaf: Fr) -> Fr {
        let mut node = leaf;
        for (level, s) in self.siblings.iter().enumerate() {
            let pos = ((self.index >> (2 * level)) & 3) as usize;
            node = poseidon(&children(node, s, pos));
        }
        node
    }
}

/// `max(1, ceil(log4(n)))`.
pub fn depth_for(n: usize) -> u32 {
    let mut d = 1;
    while ARITY.pow(d) < n {
        d += 1;
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_verify_and_tampering_fails() {
        for n in [1usize, 2, 3, 4, 5, 16, 17, 70] {
            let leaves: Vec<Fr> = (0..n as u64).map(|i| Fr::from(i + 100)).collect();
            let t = MerkleTree::new(leaves.clone());
            assert_eq!(t.depth(), depth_for(n));
            for (i, l) in leaves.iter().enumerate() {
                let p = t.path(i).unwrap();
                assert_eq!(p.root_from(*l), t.root());
                assert_ne!(p.root_from(*l + Fr::from(1u64)), t.root());
                for flip in [1u64, 2, 3] {
                    let mut q = p.clone();
                    q.index ^= flip;
                    assert_ne!(q.root_from(*l), t.root(), "n {n} leaf {i} flip {flip}");
                }
            }
            assert!(t.path(ARITY.pow(t.depth())).is_none());
            // Without its lower levels, the tree gives the same paths from recomputed leaves.
            let leaf = |j: usize| leaves[j];
            for first in 1..=3usize {
                let mut v = t.clone();
                v.drop_levels_below(first);
                let u = MerkleTree::from_upper_levels(
                    n,
                    v.first_stored_level(),
                    v.upper_levels().to_vec(),
                )
                .unwrap();
                assert_eq!(u.root(), t.root());
                for i in 0..n {
                    assert_eq!(u.path_with(i, &leaf), t.path(i));
                }
            }
        }
        // Padding is never materialized, and the root equals the padded tree's.
        let t = MerkleTree::new(vec![Fr::from(5u64); 5]);
        let mut padded = vec![Fr::from(5u64); 5];
        padded.resize(16, Fr::from(0u64));
        let l1: Vec<Fr> = padded.chunks(4).map(poseidon).collect();
        assert_eq!(t.root(), poseidon(&l1));
    }

    #[test]
    fn depth_is_at_least_one() {
        assert_eq!(depth_for(0), 1);
        assert_eq!(depth_for(1), 1);
        assert_eq!(depth_for(4), 1);
        assert_eq!(depth_for(5), 2);
        assert_eq!(depth_for(16), 2);
        assert_eq!(depth_for(4096), 6);
        assert_eq!(depth_for(4097), 7);
    }

    #[test]
    fn children_places_the_node() {
        let s = [Fr::from(1u64), Fr::from(2u64), Fr::from(3u64)];
        let n = Fr::from(9u64);
        assert_eq!(children(n, &s, 0), [n, s[0], s[1], s[2]]);
        assert_eq!(children(n, &s, 2), [s[0], s[1], n, s[2]]);
        assert_eq!(children(n, &s, 3), [s[0], s[1], s[2], n]);
    }
}
