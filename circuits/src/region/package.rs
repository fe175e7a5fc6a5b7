//! The compiled region as bytes: what a phone stores instead of recompiling the boundary.
//!
//! ```text
//! "ZKREGION"                       8 bytes
//! version                          u32 LE (= FORMAT_VERSION)
//! source                           32 bytes: caller's hash of what the region was compiled from
//! report length, report JSON       u32 LE, bytes
//! item count n                     u32 LE
//! items                            n × 25 bytes: kind (0 triangle, 1 square), six u32 LE coords
//! tree depth d, first level f       u32 LE, u32 LE
//! levels f..=d                     per level: u32 LE count, count × 32 bytes (field elements LE)
//! outline                          u32 LE polygons; per polygon u32 LE rings; per ring u32 LE
//!                                  vertices, vertices × 2 u32 LE (cells; for pictures only)
//! sha256 of everything above       32 bytes
//! ```
//!
//! The leaves and the two levels above them are not stored (a leaf is `Poseidon(packed item)`;
//! a path recomputes the 64 leaves under its level-3 node), which keeps a package at ≈ 26 bytes
//! per item. Loading checks the
//! checksum, every item's well-formedness and every level's size; the root the package claims
//! is what the policy id commits to, and every Merkle path a prover opens is checked against
//! it natively before it is used.

use super::{CompileReport, Item, Region, ITEM_COORD_BITS};
use crate::merkle::MerkleTree;
use ark_bn254::Fr;
use ark_ff::{BigInteger, PrimeField};
use sha2::{Digest, Sha256};

/// Magic bytes of a region package.
pub const MAGIC: &[u8; 8] = b"ZKREGION";
/// Package format version.
pub const FORMAT_VERSION: u32 = 1;

/// Why a package cannot be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PackageError {
    /// Not a region package, or a truncated one.
    #[error("not a zkcontrib region package (or truncated)")]
    NotAPackage,
    /// Made by another format version.
    #[error(
        "region package format {0}, this build reads {FORMAT_VERSION}: compile the policy again"
    )]
    Version(u32),
    /// The checksum does not match: the file is corrupt.
    #[error("region package checksum mismatch: the file is corrupt, compile the policy again")]
    Checksum,
    /// An item or a tree level is malformed.
    #[error("region package is malformed ({0}): compile the policy again")]
    Malformed(&'static str),
}

/// Serializes a region with the hash of its source.
pub fn to_bytes(region: &Region, source: &[u8; 32]) -> Vec<u8> {
    let items = region.items();
    let tree = region.tree();
    let report = serde_json::to_vec(region.report()).unwrap_or_default();
    let nodes: usize = tree.upper_levels().iter().map(Vec::len).sum();
    let mut out = Vec::with_capacity(64 + report.len() + items.len() * 25 + nodes * 32);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(source);
    out.extend_from_slice(&(report.len() as u32).to_le_bytes());
    out.extend_from_slice(&report);
    out.extend_from_slice(&(items.len() as u32).to_le_bytes());
    for it in items {
        out.push(u8::from(it.is_square()));
        for c in it.coords() {
            out.extend_from_slice(&(c as u32).to_le_bytes());
        }
    }
    out.extend_from_slice(&tree.depth().to_le_bytes());
    out.extend_from_slice(&(tree.first_stored_level() as u32).to_le_bytes());
    for level in tree.upper_levels() {
        out.extend_from_slice(&(level.len() as u32).to_le_bytes());
        for v in level {
            out.extend_from_slice(&v.into_bigint().to_bytes_le());
        }
    }
    out.extend_from_slice(&(region.rings().len() as u32).to_le_bytes());
    for poly in region.rings() {
        out.extend_from_slice(&(poly.len() as u32).to_le_bytes());
        for ring in poly {
            out.extend_from_slice(&(ring.len() as u32).to_le_bytes());
            for &(x, y) in ring {
                out.extend_from_slice(&(x as u32).to_le_bytes());
                out.extend_from_slice(&(y as u32).to_le_bytes());
            }
        }
    }
    let sum = Sha256::digest(&out);
    out.extend_from_slice(&sum);
    out
}

struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], PackageError> {
        let s = self
            .b
            .get(self.at..self.at.checked_add(n).ok_or(PackageError::NotAPackage)?)
            .ok_or(PackageError::NotAPackage)?;
        self.at += n;
        Ok(s)
    }

    fn u32(&mut self) -> Result<u32, PackageError> {
        let s = self.take(4)?;
        Ok(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
    }
}

/// The source hash a package was made from, without reading the rest (to check a cache).
pub fn source_of(bytes: &[u8]) -> Option<[u8; 32]> {
    if bytes.get(..8)? != MAGIC {
        return None;
    }
    bytes.get(12..44)?.try_into().ok()
}

/// Reads a package: the region and the source hash it was made from.
pub fn from_bytes(bytes: &[u8]) -> Result<(Region, [u8; 32]), PackageError> {
    if bytes.len() < 8 + 4 + 32 + 4 + 4 + 4 + 32 || &bytes[..8] != MAGIC {
        return Err(PackageError::NotAPackage);
    }
    let (body, sum) = bytes.split_at(bytes.len() - 32);
    let mut r = Reader { b: body, at: 8 };
    let version = r.u32()?;
    if version != FORMAT_VERSION {
        return Err(PackageError::Version(version));
    }
    if Sha256::digest(body).as_slice() != sum {
        return Err(PackageError::Checksum);
    }
    let source: [u8; 32] = r
        .take(32)?
        .try_into()
        .map_err(|_| PackageError::NotAPackage)?;
    let rl = r.u32()? as usize;
    let report: CompileReport =
        serde_json::from_slice(r.take(rl)?).map_err(|_| PackageError::Malformed("report"))?;
    let n = r.u32()? as usize;
    if n == 0 || n > super::MAX_ITEMS {
        return Err(PackageError::Malformed("item count"));
    }
    let mut items = Vec::with_capacity(n);
    for _ in 0..n {
        let s = r.take(25)?;
        let c: [u32; 6] = std::array::from_fn(|j| {
            u32::from_le_bytes([s[1 + 4 * j], s[2 + 4 * j], s[3 + 4 * j], s[4 + 4 * j]])
        });
        if c.iter().any(|v| *v >= 1 << ITEM_COORD_BITS) {
            return Err(PackageError::Malformed("item coordinates"));
        }
        let c = c.map(i64::from);
        let it = match s[0] {
            0 => Item::triangle([(c[0], c[1]), (c[2], c[3]), (c[4], c[5])]),
            1 => Item::square(c[0], c[1], c[2] as u32),
            _ => return Err(PackageError::Malformed("item kind")),
        };
        if !it.is_well_formed() || it.coords() != c {
            return Err(PackageError::Malformed("item"));
        }
        items.push(it);
    }
    if items.windows(2).any(|w| w[0] >= w[1]) {
        return Err(PackageError::Malformed("item order"));
    }
    let depth = r.u32()? as usize;
    let first = r.u32()? as usize;
    if depth > 16 || first == 0 || first > depth {
        return Err(PackageError::Malformed("tree depth"));
    }
    let mut upper = Vec::with_capacity(depth);
    for _ in first..=depth {
        let m = r.u32()? as usize;
        if m > n {
            return Err(PackageError::Malformed("tree level"));
        }
        let mut level = Vec::with_capacity(m);
        for _ in 0..m {
            let v = Fr::from_le_bytes_mod_order(r.take(32)?);
            level.push(v);
        }
        upper.push(level);
    }
    let polys = r.u32()? as usize;
    let mut rings = Vec::with_capacity(polys.min(1 << 20));
    for _ in 0..polys {
        let nr = r.u32()? as usize;
        let mut poly = Vec::with_capacity(nr.min(1 << 16));
        for _ in 0..nr {
            let nv = r.u32()? as usize;
            let mut ring = Vec::with_capacity(nv.min(1 << 20));
            for _ in 0..nv {
                let x = r.u32()?;
                let y = r.u32()?;
                ring.push((i64::from(x), i64::from(y)));
            }
            poly.push(ring);
        }
        rings.push(poly);
    }
    if r.at != body.len() {
        return Err(PackageError::Malformed("trailing bytes"));
    }
    let tree =
        MerkleTree::from_upper_levels(n, first, upper).ok_or(PackageError::Malformed("tree"))?;
    Ok((Region::with_tree(items, tree, report, rings), source))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_corruption() {
        let items: Vec<Item> = (0..300).map(|i| Item::square(10 * i, 20 * i, 3)).collect();
        let r = Region::from_items(items, CompileReport::default()).unwrap();
        let bytes = to_bytes(&r, &[7u8; 32]);
        assert_eq!(source_of(&bytes), Some([7u8; 32]));
        let (back, src) = from_bytes(&bytes).unwrap();
        assert_eq!(src, [7u8; 32]);
        assert_eq!(back.items(), r.items());
        assert_eq!(back.tree().root(), r.tree().root());
        for i in 0..r.items().len() {
            assert_eq!(back.path(i), r.path(i));
        }
        let mut bad = bytes.clone();
        bad[70] ^= 1;
        assert_eq!(from_bytes(&bad).unwrap_err(), PackageError::Checksum);
        assert_eq!(
            from_bytes(&bytes[..bytes.len() - 1]).unwrap_err(),
            PackageError::Checksum
        );
        assert_eq!(from_bytes(b"nope").unwrap_err(), PackageError::NotAPackage);
    }
}
