//! Binary Poseidon Merkle tree over region pieces.
//!
//! `node = Poseidon(left, right)`; the leaf count is padded to `2^depth` with the value `0`,
//! which is not the Poseidon image of any known piece, so padding cannot be opened as a piece.
//! `depth = max(1, ceil(log2(pieces)))` and is part of the policy id.

use crate::poseidon::poseidon;
use ark_bn254::Fr;

/// A full binary tree, stored level by level (leaves first).
#[derive(Clone, Debug)]
pub struct MerkleTree {
    levels: Vec<Vec<Fr>>,
}

/// An authentication path: siblings from the leaf level up, and the leaf index whose bits
/// (least significant first) say whether the running node is a right child.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MerklePath {
    /// Leaf index.
    pub index: u64,
    /// Sibling at each level, leaf level first.
    pub siblings: Vec<Fr>,
}

impl MerkleTree {
    /// Builds the tree over `leaves` (padded with zeros).
    pub fn new(mut leaves: Vec<Fr>) -> Self {
        let depth = depth_for(leaves.len());
        leaves.resize(1usize << depth, Fr::from(0u64));
        let mut levels = vec![leaves];
        while levels.last().map(|l| l.len()).unwrap_or(1) > 1 {
            let prev = levels.last().map(Vec::as_slice).unwrap_or(&[]);
            let next = prev
                .chunks_exact(2)
                .map(|c| poseidon(&[c[0], c[1]]))
                .collect();
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
                let s = level[i ^ 1];
                i >>= 1;
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
            node = if (self.index >> level) & 1 == 1 {
                poseidon(&[*s, node])
            } else {
                poseidon(&[node, *s])
            };
        }
        node
    }
}

/// `max(1, ceil(log2(n)))`.
pub fn depth_for(n: usize) -> u32 {
    n.max(2).next_power_of_two().trailing_zeros()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_verify_and_tampering_fails() {
        for n in [1usize, 2, 3, 5, 8, 13] {
            let leaves: Vec<Fr> = (0..n as u64).map(|i| Fr::from(i + 100)).collect();
            let t = MerkleTree::new(leaves.clone());
            assert_eq!(t.depth(), depth_for(n));
            for (i, l) in leaves.iter().enumerate() {
                let p = t.path(i).unwrap();
                assert_eq!(p.root_from(*l), t.root());
                assert_ne!(p.root_from(*l + Fr::from(1u64)), t.root());
                let mut q = p.clone();
                q.index ^= 1;
                assert_ne!(q.root_from(*l), t.root());
            }
            assert!(t.path(1 << t.depth()).is_none());
        }
    }

    #[test]
    fn depth_is_at_least_one() {
        assert_eq!(depth_for(0), 1);
        assert_eq!(depth_for(1), 1);
        assert_eq!(depth_for(2), 1);
        assert_eq!(depth_for(3), 2);
        assert_eq!(depth_for(1024), 10);
        assert_eq!(depth_for(1025), 11);
    }
}
