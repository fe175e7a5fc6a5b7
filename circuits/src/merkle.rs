//! 4-ary Poseidon Merkle tree over region pieces.
//!
//! `node = Poseidon(c0, c1, c2, c3)` over the four children in order; the leaf count is padded
//! to `4^depth` with the value `0`, which is not the Poseidon image of any known piece, so
//! padding cannot be opened as a piece. `depth = max(1, ceil(log4(pieces)))` and is part of the
//! policy id. A 4-ary tree costs the circuit one `Poseidon(4)` (297 constraints) per level
//! where a binary tree of the same capacity costs two `Poseidon(2)` (2 × 240).

use crate::poseidon::poseidon;
use ark_bn254::Fr;

/// Children per node.
pub const ARITY: usize = 4;

/// A full 4-ary tree, stored level by level (leaves first).
#[derive(Clone, Debug)]
pub struct MerkleTree {
    levels: Vec<Vec<Fr>>,
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

impl MerkleTree {
    /// Builds the tree over `leaves` (padded with zeros).
    pub fn new(mut leaves: Vec<Fr>) -> Self {
        let depth = depth_for(leaves.len());
        leaves.resize(ARITY.pow(depth), Fr::from(0u64));
        let mut levels = vec![leaves];
        while levels.last().map(|l| l.len()).unwrap_or(1) > 1 {
            let prev = levels.last().map(Vec::as_slice).unwrap_or(&[]);
            let next = prev.chunks_exact(ARITY).map(poseidon).collect();
            levels.push(next);
        }
        Self { levels }
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

    /// Authentication path of leaf `index`, or `None` when out of range.
    pub fn path(&self, index: usize) -> Option<MerklePath> {
        if index >= self.levels[0].len() {
            return None;
        }
        let mut i = index;
        let siblings = self.levels[..self.levels.len() - 1]
            .iter()
            .map(|level| {
                let base = i - i % ARITY;
                let mut s = [Fr::from(0u64); 3];
                let mut k = 0;
                for j in 0..ARITY {
                    if base + j != i {
                        s[k] = level[base + j];
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
        }
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
