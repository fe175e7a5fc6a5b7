//! The bundle format's name and the size limits checked before anything is decoded: a leaf
//! module that the bundle, its decoder and its errors all read.

/// The bundle format this library reads and writes: bundles of statement v3.
pub const BUNDLE_FORMAT: &str = "zkcontrib.bundle.v2";
/// Formats of earlier statements, refused with `Rejected::StatementVersion`: their proofs
/// are of another circuit, whatever their fields say.
pub const OLD_BUNDLE_FORMATS: [(&str, u32); 1] = [("zkcontrib.bundle.v1", 2)];
/// Most chunks a bundle may have.
pub const MAX_CHUNKS: usize = 4096;
/// Largest bundle (JSON bytes) accepted before parsing: room for [`MAX_CHUNKS`] chunks.
pub const MAX_BUNDLE_BYTES: usize = 2048 + MAX_CHUNKS * 512;
/// Longest `shape` label accepted.
pub const MAX_SHAPE_LEN: usize = 32;
