//! The region: its *items* (the pieces a chunk can open), their exact membership test, and the
//! Merkle tree that commits to them.
//!
//! A point is judged by its cell `c = (x >> 8, y >> 8)` ([`crate::encode`]). The region is
//! encoded as a set of items, each with three affine forms of the cell
//!
//! ```text
//! L1 = α1·cx + β1·cy + γ1,   L2 = α2·cx + β2·cy + γ2,   L3 = γ3 − μ·(L1 + L2)
//! c ∈ item  ⟺  L1, L2, L3 ∈ [0, 2^16)
//! ```
//!
//! * a **triangle** `(a, b, c)` (counter-clockwise, doubled area below `2^16` cells², ≈ 0.1 km²):
//!   `L1 = e_ab`, `L2 = e_ca`, `μ = 1`, `γ3 = A2` so `L3 = e_bc`, with
//!   `e_uv(p) = (v − u) × (p − u)`: the closed triangle;
//! * a **square** of side `2^k` cells (`k ≤ 16`) at `(X, Y)`: `L1 = 2^(16−k)·(cx − X)`,
//!   `L2 = 2^(16−k)·(cy − Y)`, `L3 = 0`: the cells `X ≤ cx < X + 2^k`, `Y ≤ cy < Y + 2^k`.
//!
//! Both kinds cost a chunk the same: one item opened per chunk, three 16-bit range checks per
//! point. Squares make large regions cheap to cover: deep inside a country one square of up
//! to 2^16 cells (1.68°) holds a whole chunk of a drive, whatever the region's extent or
//! vertex count. The region is *exactly* the union of its items ([`compile()`] decomposes each
//! polygon into core squares and a band of triangles along its boundary, plus overlapping
//! squares that give chunks room), so membership is a property of the cell alone.
//!
//! Item coordinates are absolute cells; items east of the antimeridian may continue past
//! [`crate::encode::CELLS_PER_TURN`] (the unwrapped coordinates of a seam window).
//!
//! This file is the membership the circuit mirrors (items, their forms, the tree). Turning a
//! boundary file into items is the compilation: [`compile`](mod@compile) (repair, exclusion, the steps in
//! order), `quantize` (onto the grid), `decompose` (squares and triangles), with [`geometry`]
//! (exact integer ring predicates), [`validity`] (the checks every compiled region passes) and
//! [`package`] (the file a network publishes).

pub mod compile;
mod decompose;
pub mod geometry;
pub mod package;
mod quantize;
pub mod validity;

pub use compile::{compile, CompileOptions, CompileReport, Repair};
pub use geometry::Cell;

use crate::merkle::{MerklePath, MerkleTree};
use crate::poseidon::poseidon;
use ark_bn254::Fr;
use rstar::{RTree, RTreeObject, AABB};

/// Range-check bits of the item forms: `L1, L2, L3 ∈ [0, 2^AREA_BITS)`.
pub const AREA_BITS: u32 = 16;
/// Largest square level `k` (side `2^k` cells = `2^(k+8)` units: 1.68° for k = 16).
pub const MAX_SQUARE_LEVEL: u32 = AREA_BITS;
/// Bits of each of the six coordinates packed into an item's leaf.
pub const ITEM_COORD_BITS: u32 = 24;
/// Bits of a packed item: kind, then six coordinates.
pub const ITEM_PACKED_BITS: u32 = 1 + 6 * ITEM_COORD_BITS;
/// Most items a region may have: a tree of depth 12 (all land of the Earth at Natural Earth's
/// finest scale needs more than 4^11).
pub const MAX_ITEMS: usize = 1 << 24;
/// The lowest Merkle level a region keeps in memory and in its package (below it, nodes are
/// recomputed from the items: `4^3 = 64` leaf hashes per opened item).
pub const STORED_FROM_LEVEL: usize = 3;
/// Version of the region encoding, hashed into `policy_id` (cells of 2^8 units, 16-bit forms).
pub const ENCODING_CODE: u64 = 3 << 16 | (AREA_BITS as u64) << 8 | crate::encode::CELL_SHIFT as u64;

/// One item of the region, stored compactly (items of a continent run into millions).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Item {
    square: bool,
    coords: [u32; 6],
}

impl std::fmt::Debug for Item {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.kind().fmt(f)
    }
}

/// What an item is (the decoded view of an [`Item`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemKind {
    /// A counter-clockwise triangle, starting at its smallest vertex, of doubled area
    /// in `(0, 2^16)`.
    Triangle([Cell; 3]),
    /// The cells `[x, x + 2^level) × [y, y + 2^level)`.
    Square {
        /// Lowest cell x.
        x: i64,
        /// Lowest cell y.
        y: i64,
        /// Side `2^level` cells.
        level: u32,
    },
}

/// The affine forms of an item (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Forms {
    /// `L1 = a1·cx + b1·cy + g1`.
    pub a1: i64,
    /// See `a1`.
    pub b1: i64,
    /// See `a1`.
    pub g1: i64,
    /// `L2 = a2·cx + b2·cy + g2`.
    pub a2: i64,
    /// See `a2`.
    pub b2: i64,
    /// See `a2`.
    pub g2: i64,
    /// `L3 = g3 − mu·(L1 + L2)`.
    pub g3: i64,
    /// 1 for triangles, 0 for squares.
    pub mu: i64,
}

impl Forms {
    /// `[L1, L2, L3]` at a cell.
    pub fn values(&self, c: Cell) -> [i128; 3] {
        let (cx, cy) = (i128::from(c.0), i128::from(c.1));
        let l1 = i128::from(self.a1) * cx + i128::from(self.b1) * cy + i128::from(self.g1);
        let l2 = i128::from(self.a2) * cx + i128::from(self.b2) * cy + i128::from(self.g2);
        let l3 = i128::from(self.g3) - i128::from(self.mu) * (l1 + l2);
        [l1, l2, l3]
    }

    /// Membership: every form in `[0, 2^16)`.
    pub fn contains(&self, c: Cell) -> bool {
        self.values(c)
            .iter()
            .all(|v| (0..1i128 << AREA_BITS).contains(v))
    }
}

/// Doubled signed area of a triangle.
pub fn double_area(t: &[Cell; 3]) -> i128 {
    geometry::edge_value(t[0], t[1], t[2])
}

fn u(v: i64) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

impl Item {
    /// The canonical item of a triangle (counter-clockwise, smallest vertex first).
    /// Coordinates must be non-negative and below 2^24 (see [`Item::is_well_formed`]).
    pub fn triangle(mut t: [Cell; 3]) -> Self {
        if double_area(&t) < 0 {
            t.swap(1, 2);
        }
        let k = (0..3).min_by_key(|&i| t[i]).unwrap_or(0);
        t.rotate_left(k);
        let [a, b, c] = t;
        Self {
            square: false,
            coords: [u(a.0), u(a.1), u(b.0), u(b.1), u(c.0), u(c.1)],
        }
    }

    /// The square of side `2^level` cells at `(x, y)`.
    pub fn square(x: i64, y: i64, level: u32) -> Self {
        Self {
            square: true,
            coords: [u(x), u(y), level, 0, 0, 0],
        }
    }

    /// The decoded item.
    pub fn kind(&self) -> ItemKind {
        let c = self.coords.map(i64::from);
        if self.square {
            ItemKind::Square {
                x: c[0],
                y: c[1],
                level: self.coords[2],
            }
        } else {
            ItemKind::Triangle([(c[0], c[1]), (c[2], c[3]), (c[4], c[5])])
        }
    }

    /// The item's forms.
    pub fn forms(&self) -> Forms {
        match self.kind() {
            ItemKind::Triangle([a, b, c]) => {
                // e_ab(p) = (b − a) × (p − a) = −(by − ay)·px + (bx − ax)·py + (by − ay)·ax − (bx − ax)·ay
                let (ux, uy) = (b.0 - a.0, b.1 - a.1);
                // e_ca(p) = (a − c) × (p − c)
                let (vx, vy) = (a.0 - c.0, a.1 - c.1);
                Forms {
                    a1: -uy,
                    b1: ux,
                    g1: uy * a.0 - ux * a.1,
                    a2: -vy,
                    b2: vx,
                    g2: vy * c.0 - vx * c.1,
                    g3: double_area(&[a, b, c]) as i64,
                    mu: 1,
                }
            }
            ItemKind::Square { x, y, level } => {
                let s = 1i64 << (AREA_BITS - level.min(AREA_BITS));
                Forms {
                    a1: s,
                    b1: 0,
                    g1: -s * x,
                    a2: 0,
                    b2: s,
                    g2: -s * y,
                    g3: 0,
                    mu: 0,
                }
            }
        }
    }

    /// Membership of a cell (the statement's definition: the forms' range check).
    pub fn contains(&self, c: Cell) -> bool {
        self.forms().contains(c)
    }

    /// The six packed coordinates: a triangle's vertices, or a square's `(x, y, level, 0, 0, 0)`.
    pub fn coords(&self) -> [i64; 6] {
        self.coords.map(i64::from)
    }

    /// True for squares.
    pub fn is_square(&self) -> bool {
        self.square
    }

    /// `packed = kind + 2·Σ_j coord_j·2^(24·j)` (kind 1 for squares): the leaf's preimage.
    pub fn packed(&self) -> Fr {
        let mut v = Fr::from(0u64);
        let shift = Fr::from(1u64 << ITEM_COORD_BITS);
        for c in self.coords.iter().rev() {
            v = v * shift + Fr::from(u64::from(*c));
        }
        Fr::from(2u64) * v + Fr::from(u64::from(self.square))
    }

    /// Merkle leaf: `Poseidon(packed)`.
    pub fn leaf(&self) -> Fr {
        poseidon(&[self.packed()])
    }

    /// Bounding box of the item's cells `(min, max)` (inclusive).
    pub fn bbox(&self) -> (Cell, Cell) {
        match self.kind() {
            ItemKind::Triangle(t) => {
                let xs = t.map(|c| c.0);
                let ys = t.map(|c| c.1);
                (
                    (
                        xs.into_iter().min().unwrap_or(0),
                        ys.into_iter().min().unwrap_or(0),
                    ),
                    (
                        xs.into_iter().max().unwrap_or(0),
                        ys.into_iter().max().unwrap_or(0),
                    ),
                )
            }
            ItemKind::Square { x, y, level } => {
                ((x, y), (x + (1 << level) - 1, y + (1 << level) - 1))
            }
        }
    }

    /// Twice the number of cells the item spans (for preferring large items).
    pub fn size(&self) -> i128 {
        match self.kind() {
            ItemKind::Triangle(t) => double_area(&t),
            ItemKind::Square { level, .. } => 2i128 << (2 * level),
        }
    }

    /// True when the coordinates fit their 24 bits and the forms are well-formed (a triangle
    /// of doubled area in `(0, 2^16)`, a square of level at most 16).
    pub fn is_well_formed(&self) -> bool {
        let fits = self.coords.iter().all(|c| *c < 1 << ITEM_COORD_BITS);
        fits && match self.kind() {
            ItemKind::Triangle(t) => (1..1i128 << AREA_BITS).contains(&double_area(&t)),
            ItemKind::Square { level, .. } => level <= MAX_SQUARE_LEVEL,
        }
    }
}

/// Why a region cannot be encoded.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum RegionError {
    /// No polygon at all.
    #[error("the region has no polygon")]
    Empty,
    /// A coordinate is not a valid longitude/latitude.
    #[error("polygon {polygon}: vertex {vertex} is not a valid longitude/latitude pair")]
    BadCoordinate {
        /// Polygon index in the multipolygon.
        polygon: usize,
        /// Vertex index in its rings (exterior first, then holes).
        vertex: usize,
    },
    /// The geometry could not be repaired into valid polygons.
    #[error("polygon {polygon}: {reason}; the automatic repair failed: check the file in a GIS (e.g. `ogr2ogr -makevalid`) or simplify the polygon")]
    Unrepairable {
        /// Polygon index.
        polygon: usize,
        /// What is wrong.
        reason: String,
    },
    /// Nothing is left (everything excluded, or smaller than a cell).
    #[error("the region has no area on the 2.8 m membership grid (everything excluded, or smaller than a cell)")]
    NoArea,
    /// The decomposition did not reproduce the polygon exactly (a bug).
    #[error("polygon {polygon} could not be decomposed exactly (pieces cover {got} of {want} area units); this is a bug in zkcontrib, please report it")]
    Decomposition {
        /// Polygon index.
        polygon: usize,
        /// Twice the area covered.
        got: i128,
        /// Twice the area of the polygon.
        want: i128,
    },
    /// Too many items.
    #[error("the region decomposes into {0} items; at most {MAX_ITEMS} fit the circuit's tree (simplify the boundary or split the region)")]
    TooManyItems(usize),
}

/// An item in the spatial index.
#[derive(Clone, Copy, Debug)]
struct Indexed {
    bbox: AABB<[i32; 2]>,
    index: u32,
}

impl RTreeObject for Indexed {
    type Envelope = AABB<[i32; 2]>;
    fn envelope(&self) -> Self::Envelope {
        self.bbox
    }
}

/// An encoded region: its items (canonical order), their Merkle tree, a spatial index.
pub struct Region {
    items: Vec<Item>,
    tree: MerkleTree,
    index: RTree<Indexed>,
    report: CompileReport,
    rings: Vec<Vec<Vec<Cell>>>,
}

impl std::fmt::Debug for Region {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Region")
            .field("items", &self.items.len())
            .field("root", &crate::poseidon::fr_to_hex(&self.tree.root()))
            .finish_non_exhaustive()
    }
}

impl Clone for Region {
    fn clone(&self) -> Self {
        Self {
            items: self.items.clone(),
            tree: self.tree.clone(),
            index: self.index.clone(),
            report: self.report.clone(),
            rings: self.rings.clone(),
        }
    }
}

impl Region {
    /// A region from its items (sorted into canonical order, duplicates dropped) and the
    /// report of how they were made.
    pub fn from_items(mut items: Vec<Item>, report: CompileReport) -> Result<Self, RegionError> {
        items.sort_unstable();
        items.dedup();
        if items.is_empty() {
            return Err(RegionError::NoArea);
        }
        if items.len() > MAX_ITEMS {
            return Err(RegionError::TooManyItems(items.len()));
        }
        let leaves = par_map(&items, Item::leaf);
        let mut tree = MerkleTree::new(leaves);
        // The two lowest levels are recomputed from the items when a path needs them (16 leaf
        // hashes per opened item): a continent's region has millions of items.
        tree.drop_levels_below(STORED_FROM_LEVEL);
        Ok(Self::with_tree(items, tree, report, Vec::new()))
    }

    /// Sets the region's outline: the polygons' rings on the cell grid, as encoded (for
    /// pictures; membership is the items').
    pub fn with_rings(mut self, rings: Vec<Vec<Vec<Cell>>>) -> Self {
        self.rings = rings;
        self
    }

    /// The encoded polygons' rings on the cell grid (exterior first), per polygon.
    pub fn rings(&self) -> &[Vec<Vec<Cell>>] {
        &self.rings
    }

    /// A region whose tree is already built (loading a package).
    pub(crate) fn with_tree(
        items: Vec<Item>,
        tree: MerkleTree,
        report: CompileReport,
        rings: Vec<Vec<Vec<Cell>>>,
    ) -> Self {
        let index = RTree::bulk_load(
            items
                .iter()
                .enumerate()
                .map(|(i, it)| {
                    let (lo, hi) = it.bbox();
                    Indexed {
                        bbox: AABB::from_corners(
                            [lo.0 as i32, lo.1 as i32],
                            [hi.0 as i32, hi.1 as i32],
                        ),
                        index: i as u32,
                    }
                })
                .collect(),
        );
        Self {
            items,
            tree,
            index,
            report,
            rings,
        }
    }

    /// The items, in tree order.
    pub fn items(&self) -> &[Item] {
        &self.items
    }

    /// The Merkle tree over the items' leaves (without its leaf level; see [`Region::path`]).
    pub fn tree(&self) -> &MerkleTree {
        &self.tree
    }

    /// The tree's root.
    pub fn root(&self) -> Fr {
        self.tree.root()
    }

    /// The tree's depth.
    pub fn depth(&self) -> u32 {
        self.tree.depth()
    }

    /// The authentication path of item `i` (leaves recomputed from the items).
    pub fn path(&self, i: usize) -> Option<MerklePath> {
        let leaf = |j: usize| self.items.get(j).map(Item::leaf).unwrap_or_default();
        self.tree.path_with(i, &leaf)
    }

    /// How the region was made (repairs, counts).
    pub fn report(&self) -> &CompileReport {
        &self.report
    }

    /// Indices of the items containing cell `c` (in the coordinates given: a cell east of the
    /// antimeridian in a seam window is matched against the unwrapped items).
    pub fn containing(&self, c: Cell) -> impl Iterator<Item = usize> + '_ {
        let p = [
            i32::try_from(c.0).unwrap_or(i32::MIN),
            i32::try_from(c.1).unwrap_or(i32::MIN),
        ];
        self.index
            .locate_in_envelope_intersecting(&AABB::from_point(p))
            .map(|e| e.index as usize)
            .filter(move |&i| self.items[i].contains(c))
    }

    /// True when the canonical cell `c` lies in the region (in an item, directly or through
    /// an unwrapped copy east of the antimeridian).
    pub fn contains(&self, c: Cell) -> bool {
        self.containing(c).next().is_some()
            || self
                .containing((c.0 + crate::encode::CELLS_PER_TURN, c.1))
                .next()
                .is_some()
    }

    /// The largest item containing every cell of `cells`, if any.
    pub fn covering(&self, cells: &[Cell]) -> Option<usize> {
        let first = *cells.first()?;
        self.containing(first)
            .filter(|&i| cells.iter().all(|&c| self.items[i].contains(c)))
            .max_by_key(|&i| (self.items[i].size(), std::cmp::Reverse(i)))
    }
}

/// `f` over `xs` on every core (rayon), keeping the order.
pub(crate) fn par_map<T: Sync, U: Send>(xs: &[T], f: impl Fn(&T) -> U + Sync + Send) -> Vec<U> {
    use rayon::prelude::*;
    xs.par_iter().map(f).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn triangle_forms_are_the_closed_triangle() {
        let t = Item::triangle([(10, 0), (0, 0), (0, 7)]);
        assert_eq!(t.kind(), ItemKind::Triangle([(0, 0), (10, 0), (0, 7)]));
        for x in -3..14 {
            for y in -3..10 {
                let want = geometry::edge_value((0, 0), (10, 0), (x, y)) >= 0
                    && geometry::edge_value((10, 0), (0, 7), (x, y)) >= 0
                    && geometry::edge_value((0, 7), (0, 0), (x, y)) >= 0;
                assert_eq!(t.contains((x, y)), want, "({x}, {y})");
            }
        }
        let [l1, l2, l3] = t.forms().values((3, 2));
        assert_eq!(l1 + l2 + l3, 70);
    }

    #[test]
    fn square_forms_are_the_half_open_square() {
        let s = Item::square(100, 200, 3);
        for x in 95..115 {
            for y in 195..215 {
                let want = (100..108).contains(&x) && (200..208).contains(&y);
                assert_eq!(s.contains((x, y)), want, "({x}, {y})");
            }
        }
        let big = Item::square(0, 0, MAX_SQUARE_LEVEL);
        assert!(big.contains((65_535, 65_535)) && !big.contains((65_536, 0)));
        assert!(big.is_well_formed());
        assert!(!Item::square(0, 0, 17).is_well_formed());
    }

    #[test]
    fn packing_separates_kinds_and_coordinates() {
        let t = Item::triangle([(1, 2), (3, 2), (1, 4)]);
        let s = Item::square(1, 2, 1);
        assert_ne!(t.packed(), s.packed());
        assert_ne!(t.leaf(), s.leaf());
        let u = Item::triangle([(1, 2), (3, 2), (1, 5)]);
        assert_ne!(t.packed(), u.packed());
    }

    #[test]
    fn region_membership_and_covering() {
        assert_eq!(std::mem::size_of::<Item>(), 28);
        let items = vec![
            Item::square(0, 0, 4),
            Item::square(8, 8, 4),
            Item::triangle([(16, 0), (26, 0), (16, 10)]),
        ];
        let r = Region::from_items(items, CompileReport::default()).unwrap();
        assert!(r.contains((3, 3)) && r.contains((20, 20)) && r.contains((17, 1)));
        assert!(!r.contains((30, 30)) && !r.contains((25, 5)));
        // Cells in both squares: the covering is one of them.
        let k = r.covering(&[(9, 9), (15, 15)]).unwrap();
        assert!(r.items()[k].is_square());
        assert!(r.covering(&[(1, 1), (23, 23)]).is_none());
        assert_eq!(r.tree().depth(), 1);
    }
}
