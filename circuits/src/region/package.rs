//! The compiled region as bytes: what a phone stores instead of recompiling the boundary.
//!
//! ```text
//! "ZKREGION"                       8 bytes
//! version                          u32 LE (= FORMAT_VERSION)
//! source                           32 bytes: caller's hash of what the region was compiled from
//! report length, report JSON       u32 LE, bytes
//! item count n                     u32 LE
//! items                            n items, each a tag byte then:
//!                                    1 square: x, y u24 LE, level u8            (8 bytes)
//!                                    2 triangle: a u24 LE ×2, b − a, c − a i16 LE ×2 (15 bytes)
//!                                    0 triangle: a, b, c u24 LE ×2 each          (19 bytes)
//! tree depth d, first level f       u32 LE, u32 LE
//! levels f..=d                     per level: u32 LE count, count × 32 bytes (field elements LE)
//! outline                          u32 LE polygons; per polygon u32 LE rings; per ring u32 LE
//!                                  vertices, vertices × 2 u24 LE (cells; for pictures only)
//! sha256 of everything above       32 bytes
//! ```
//!
//! The leaves and the two levels above them are not stored (a leaf is `Poseidon(packed item)`;
//! a path recomputes the 64 leaves under its level-3 node), coordinates take 3 bytes (cells
//! are below 2^24) and a triangle's other vertices are offsets from its first, which keeps a
//! package at ≈ 14–16 bytes per item. Loading checks the
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
pub const FORMAT_VERSION: u32 = 3;

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
    let mut out = Vec::with_capacity(64 + report.len() + items.len() * ITEM_BYTES + nodes * 32);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(source);
    out.extend_from_slice(&(report.len() as u32).to_le_bytes());
    out.extend_from_slice(&report);
    out.extend_from_slice(&(items.len() as u32).to_le_bytes());
    for it in items {
        put_item(&mut out, it);
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
                put_u24(&mut out, x);
                put_u24(&mut out, y);
            }
        }
    }
    let sum = Sha256::digest(&out);
    out.extend_from_slice(&sum);
    out
}

/// Item tags: a triangle with its vertices in full, a square, a triangle whose second and third
/// vertices are stored as 16-bit offsets from the first (almost every triangle: band triangles
/// are small).
const TAG_TRIANGLE: u8 = 0;
const TAG_SQUARE: u8 = 1;
const TAG_TRIANGLE_NEAR: u8 = 2;
/// Bytes per item at most (a tag and six 3-byte coordinates), for the capacity estimate.
const ITEM_BYTES: usize = 1 + 6 * 3;
const _: () = assert!(
    ITEM_COORD_BITS == 24,
    "items are stored as 3-byte coordinates"
);

/// One item: a square in 8 bytes, a near triangle in 15, any other triangle in 19.
fn put_item(out: &mut Vec<u8>, it: &Item) {
    let c = it.coords();
    if it.is_square() {
        out.push(TAG_SQUARE);
        put_u24(out, c[0]);
        put_u24(out, c[1]);
        out.push(c[2] as u8);
        return;
    }
    let near = |v: i64| i16::try_from(v).is_ok();
    let d = [c[2] - c[0], c[3] - c[1], c[4] - c[0], c[5] - c[1]];
    if d.iter().all(|&v| near(v)) {
        out.push(TAG_TRIANGLE_NEAR);
        put_u24(out, c[0]);
        put_u24(out, c[1]);
        for v in d {
            out.extend_from_slice(&(v as i16).to_le_bytes());
        }
    } else {
        out.push(TAG_TRIANGLE);
        for v in c {
            put_u24(out, v);
        }
    }
}

/// Reads one item written by [`put_item`] and checks that it is well formed and stored in its
/// canonical form.
fn get_item(r: &mut Reader<'_>) -> Result<Item, PackageError> {
    let tag = r.take(1)?[0];
    let (it, c) = match tag {
        TAG_SQUARE => {
            let (x, y) = (i64::from(r.u24()?), i64::from(r.u24()?));
            let level = u32::from(r.take(1)?[0]);
            (Item::square(x, y, level), [x, y, i64::from(level), 0, 0, 0])
        }
        TAG_TRIANGLE_NEAR => {
            let (x, y) = (i64::from(r.u24()?), i64::from(r.u24()?));
            let mut d = [0i64; 4];
            for v in &mut d {
                let s = r.take(2)?;
                *v = i64::from(i16::from_le_bytes([s[0], s[1]]));
            }
            let c = [x, y, x + d[0], y + d[1], x + d[2], y + d[3]];
            if c.iter().any(|v| !(0..1 << ITEM_COORD_BITS).contains(v)) {
                return Err(PackageError::Malformed("item coordinates"));
            }
            (
                Item::triangle([(c[0], c[1]), (c[2], c[3]), (c[4], c[5])]),
                c,
            )
        }
        TAG_TRIANGLE => {
            let mut c = [0i64; 6];
            for v in &mut c {
                *v = i64::from(r.u24()?);
            }
            (
                Item::triangle([(c[0], c[1]), (c[2], c[3]), (c[4], c[5])]),
                c,
            )
        }
        _ => return Err(PackageError::Malformed("item kind")),
    };
    if !it.is_well_formed() || it.coords() != c {
        return Err(PackageError::Malformed("item"));
    }
    Ok(it)
}

/// A cell coordinate as 3 bytes LE (every cell is below 2^24; see [`ITEM_COORD_BITS`]).
fn put_u24(out: &mut Vec<u8>, v: i64) {
    debug_assert!((0..1 << 24).contains(&v));
    out.extend_from_slice(&(v as u32).to_le_bytes()[..3]);
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

    fn u24(&mut self) -> Result<u32, PackageError> {
        let s = self.take(3)?;
        Ok(u32::from_le_bytes([s[0], s[1], s[2], 0]))
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
        items.push(get_item(&mut r)?);
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
                let x = r.u24()?;
                let y = r.u24()?;
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
        let mut items: Vec<Item> = (0..300).map(|i| Item::square(10 * i, 20 * i, 3)).collect();
        // Near triangles (offsets fit 16 bits, also negative ones at the top of the range) and
        // a long sliver stored in full.
        let top = (1 << 24) - 1;
        items.extend((0..50).map(|i| Item::triangle([(i, 5), (i + 100, 5), (i + 50, 85)])));
        items.push(Item::triangle([
            (top - 100, top - 200),
            (top, top),
            (top - 300, top),
        ]));
        items.push(Item::triangle([(0, 0), (40_000, 1), (40_001, 2)]));
        items.sort();
        assert!(items.iter().all(Item::is_well_formed));
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
        // 300 squares × 8, 51 near triangles × 15, one sliver × 19.
        let items_at = 8 + 4 + 32 + 4 + serde_json::to_vec(r.report()).unwrap().len() + 4;
        let rest = &bytes[items_at..];
        assert_eq!(rest[0], TAG_TRIANGLE);
        assert_eq!(rest[19], TAG_TRIANGLE_NEAR);
        assert_eq!(rest[19 + 51 * 15], TAG_SQUARE);
        let end = 19 + 51 * 15 + 300 * 8;
        assert_eq!(rest[end..end + 4], r.depth().to_le_bytes());
    }
}
