//! Chunk windows: the box of absolute indices a chunk proof works in.
//!
//! A chunk's points (and the point before them) must lie in its window:
//!
//! ```text
//! north: y ∈ [Y0, Y0 + 2^22),  Y0 = q·2^21,  0 ≤ q ≤ 856       two latitude bands q, q+1
//! east:  u ∈ [X0, X0 + 2^23),  X0 = 2^8·X0c, 0 ≤ X0c ≤ (3.6·10^9 − 2^23)/2^8   (plain)
//!        or X0 = 3.6·10^9 − 2^22                                            (seam)
//! ```
//!
//! `u` is the point's *unwrapped* east index: `x`, or `x + 3.6·10^9` for a point just east of
//! the antimeridian in a seam window, so a seam window runs 0.42° either side of ±180°
//! continuously. The window bounds every coordinate the circuit computes with:
//! the offsets `oy = y − Y0` and `ox = u − X0` are 22 and 23 bits, which is the circuit's
//! range check, its Earth check (`y ≤ 858·2^21 − 1 < 1.8·10^9`: latitude below 89.9356°; the
//! window's lower edge is at or above −90°) and its canonical longitude
//! (`x = u − 3.6·10^9·w`, `w` = the seam window's top offset bit).
//!
//! The latitude band of a point, `y >> 21` (0.21°), selects its distance factors
//! ([`crate::projection`]); a window holds two bands, so the band is one offset bit.

use crate::encode::{Point, CELL_SHIFT, LON_PERIOD};

/// Latitude bands are `2^BAND_SHIFT` north-index units high (0.2097°, 23.3 km).
pub const BAND_SHIFT: u32 = 21;
/// North offsets within a window have this many bits (two bands).
pub const LAT_WINDOW_BITS: u32 = 22;
/// East offsets within a window have this many bits (0.839°).
pub const LON_WINDOW_BITS: u32 = 23;
/// Largest band index `q` of a window's lower band: the window's top, `858·2^21 − 1`, stays
/// below 90° N.
pub const MAX_WINDOW_BAND: i64 = 856;
/// Largest north index a window can hold: `858·2^21 − 1` (latitude 89.9356°).
pub const MAX_WINDOW_Y: i64 = ((MAX_WINDOW_BAND + 2) << BAND_SHIFT) - 1;
/// Largest `X0c` of a plain window: it ends at or before the antimeridian.
pub const MAX_X0_CELL: i64 = (LON_PERIOD - (1 << LON_WINDOW_BITS)) >> CELL_SHIFT;
/// `X0c` of the seam window: 2^22 units either side of the antimeridian.
pub const SEAM_X0_CELL: i64 = (LON_PERIOD - (1 << (LON_WINDOW_BITS - 1))) >> CELL_SHIFT;

const _: () = assert!(MAX_WINDOW_Y < 1_800_000_000);
const _: () = assert!(MAX_X0_CELL << CELL_SHIFT == LON_PERIOD - (1 << LON_WINDOW_BITS));
const _: () = assert!(SEAM_X0_CELL << CELL_SHIFT == LON_PERIOD - (1 << (LON_WINDOW_BITS - 1)));

/// A chunk's window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    /// Index `q` of the lower latitude band: `Y0 = q·2^21`.
    pub band: i64,
    /// `X0 / 2^8` (for a seam window, [`SEAM_X0_CELL`]).
    pub x0_cell: i64,
    /// A seam window (straddles ±180°).
    pub seam: bool,
}

/// A point's position in a window.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Offsets {
    /// `y − Y0`, below `2^22`.
    pub oy: u64,
    /// `u − X0`, below `2^23`.
    pub ox: u64,
    /// The point is east of the antimeridian in a seam window (`u = x + 3.6·10^9`).
    pub wrapped: bool,
}

impl std::fmt::Debug for Offsets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Offsets").finish_non_exhaustive()
    }
}

impl Window {
    /// Lower north index `Y0`.
    pub fn y0(&self) -> i64 {
        self.band << BAND_SHIFT
    }

    /// Lower unwrapped east index `X0`.
    pub fn x0(&self) -> i64 {
        self.x0_cell << CELL_SHIFT
    }

    /// The point's unwrapped east index in this window, if the point lies in it.
    pub fn unwrapped_x(&self, p: &Point) -> Option<i64> {
        self.offsets(p).map(|o| self.x0() + o.ox as i64)
    }

    /// The point's offsets, or `None` when it lies outside the window.
    pub fn offsets(&self, p: &Point) -> Option<Offsets> {
        let (oy, ox, wrapped) = self.raw_offsets(p);
        if !(0..1 << LAT_WINDOW_BITS).contains(&oy) || !(0..1 << LON_WINDOW_BITS).contains(&ox) {
            return None;
        }
        Some(Offsets {
            oy: oy as u64,
            ox: ox as u64,
            wrapped,
        })
    }

    /// `(y − Y0, u − X0, wrapped)` whether or not the point lies in the window (what a prover
    /// would have to write for a point outside it: the circuit's decomposition cannot).
    pub fn raw_offsets(&self, p: &Point) -> (i64, i64, bool) {
        let oy = p.y() - self.y0();
        let x = p.x();
        let (u, wrapped) = if self.seam && x < self.x0() {
            (x + LON_PERIOD, true)
        } else {
            (x, false)
        };
        (oy, u - self.x0(), wrapped)
    }

    /// The point's membership cell in this window's (unwrapped) coordinates.
    pub fn cell(&self, p: &Point) -> Option<(i64, i64)> {
        self.offsets(p).map(|o| {
            (
                self.x0_cell + (o.ox >> CELL_SHIFT) as i64,
                (self.y0() + o.oy as i64) >> CELL_SHIFT,
            )
        })
    }

    /// The latitude band bit of a point (0: band `q`, 1: band `q + 1`).
    pub fn band_bit(&self, p: &Point) -> Option<bool> {
        self.offsets(p).map(|o| (o.oy >> BAND_SHIFT) & 1 == 1)
    }

    /// The canonical window of a set of points: the lowest band pair and the westmost plain
    /// window that hold them all, else the seam window; `None` when no window holds them
    /// (they span more than two bands or 0.84° of longitude, or lie beyond 89.9356° N).
    pub fn for_points<'a>(points: impl IntoIterator<Item = &'a Point> + Clone) -> Option<Self> {
        let mut it = points.clone().into_iter().peekable();
        it.peek()?;
        let (mut y_min, mut y_max, mut x_min, mut x_max) = (i64::MAX, i64::MIN, i64::MAX, i64::MIN);
        for p in points.clone() {
            y_min = y_min.min(p.y());
            y_max = y_max.max(p.y());
            x_min = x_min.min(p.x());
            x_max = x_max.max(p.x());
        }
        let band = (y_min >> BAND_SHIFT).min(MAX_WINDOW_BAND);
        if y_max - (band << BAND_SHIFT) >= 1 << LAT_WINDOW_BITS || y_max > MAX_WINDOW_Y {
            return None;
        }
        let plain = Window {
            band,
            x0_cell: (x_min >> CELL_SHIFT).min(MAX_X0_CELL),
            seam: false,
        };
        if points
            .clone()
            .into_iter()
            .all(|p| plain.offsets(p).is_some())
        {
            return Some(plain);
        }
        let seam = Window {
            band,
            x0_cell: SEAM_X0_CELL,
            seam: true,
        };
        points
            .into_iter()
            .all(|p| seam.offsets(p).is_some())
            .then_some(seam)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(lat: f64, lon: f64) -> Point {
        Point::from_degrees(lat, lon, 1).unwrap()
    }

    #[test]
    fn plain_and_seam_windows() {
        let a = p(37.2, -121.9);
        let b = p(37.3, -121.8);
        let w = Window::for_points([&a, &b]).unwrap();
        assert!(!w.seam);
        assert!(w.offsets(&a).is_some() && w.offsets(&b).is_some());
        // Across the antimeridian: only the seam window holds both.
        let e = p(-16.5, 179.9);
        let f = p(-16.5, -179.9);
        let s = Window::for_points([&e, &f]).unwrap();
        assert!(s.seam);
        let (ue, uf) = (s.unwrapped_x(&e).unwrap(), s.unwrapped_x(&f).unwrap());
        assert_eq!(uf - ue, 2_000_000);
        assert!(s.offsets(&f).unwrap().wrapped && !s.offsets(&e).unwrap().wrapped);
        assert_eq!(s.offsets(&f).unwrap().ox >> (LON_WINDOW_BITS - 1), 1);
        assert_eq!(s.offsets(&e).unwrap().ox >> (LON_WINDOW_BITS - 1), 0);
        // Too far apart.
        assert!(Window::for_points([&a, &p(37.2, -120.0)]).is_none());
        assert!(Window::for_points([&a, &p(37.7, -121.9)]).is_none());
        // The poles: the south pole fits, the last 0.065° below the north pole does not.
        assert!(Window::for_points([&p(-90.0, 0.0)]).is_some());
        assert!(Window::for_points([&p(89.93, 0.0)]).is_some());
        assert!(Window::for_points([&p(89.94, 0.0)]).is_none());
        // The east edge: a plain window reaches the antimeridian.
        let g = p(10.0, 179.999_999_9);
        let wg = Window::for_points([&g]).unwrap();
        assert!(!wg.seam && wg.offsets(&g).is_some());
    }
}
