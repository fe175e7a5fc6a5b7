//! Fixed-point encoding of trace points: the integers every rule is evaluated on.
//!
//! * latitude / longitude: signed integers in units of 1e-7 degree (`COORD_UNITS_PER_DEGREE`),
//!   rounded to nearest (≈ 1.1 cm of latitude); longitudes are *canonical*: in
//!   `[-180°, 180°)`, so 180° E is written −180°;
//! * time: unsigned milliseconds since the unix epoch.
//!
//! Statement v3 has no per-policy frame. Every point has absolute, non-negative *indices*
//!
//! ```text
//! y = lat_e7 + 9·10^8       ∈ [0, 1.8·10^9]          (north index)
//! x = lon_e7 + 18·10^8      ∈ [0, 3.6·10^9)          (east index, wraps at 3.6·10^9)
//! cell = (x >> 8, y >> 8)                            (membership cell, 2.56e-5° ≈ 2.8 m)
//! ```
//!
//! A chunk proof works in a *window* around its points (see [`crate::window`]), where east
//! indices may continue past 3.6·10^9 across the antimeridian ("unwrapped").

use std::fmt;

/// Integer coordinate units per degree (1e-7 degree resolution).
pub const COORD_UNITS_PER_DEGREE: f64 = 1e7;

/// Largest latitude in coordinate units (90°).
pub const MAX_LAT_E7: i32 = 900_000_000;

/// Largest longitude magnitude in coordinate units (180°; canonical longitudes are below it).
pub const MAX_LON_E7: i32 = 1_800_000_000;

/// Added to a latitude to get its north index `y`.
pub const LAT_OFFSET: i64 = 900_000_000;

/// Added to a longitude to get its east index `x`.
pub const LON_OFFSET: i64 = 1_800_000_000;

/// East indices per turn of the Earth (360°).
pub const LON_PERIOD: i64 = 3_600_000_000;

/// Membership cells are `2^CELL_SHIFT` units on each side (2.56e-5°: 2.8 m north–south,
/// 2.8·cos φ m east–west).
pub const CELL_SHIFT: u32 = 8;

/// Cells per turn of the Earth: `LON_PERIOD >> CELL_SHIFT` (exact: 3.6·10^9 = 2^8 · 14,062,500).
pub const CELLS_PER_TURN: i64 = LON_PERIOD >> CELL_SHIFT;

const _: () = assert!(CELLS_PER_TURN << CELL_SHIFT == LON_PERIOD);

/// Quantizes degrees to 1e-7 degree units, rounding to nearest, ties away from zero.
///
/// Returns `None` for non-finite input or a value outside `[-limit, limit]` degrees.
pub fn quantize_degrees(deg: f64, limit_e7: i32) -> Option<i32> {
    if !deg.is_finite() {
        return None;
    }
    let v = (deg * COORD_UNITS_PER_DEGREE).round();
    if v.abs() > f64::from(limit_e7) {
        return None;
    }
    // In range by the check above, so the cast is exact.
    Some(v as i32)
}

/// Converts 1e-7 degree units back to degrees (for display and geometry only).
pub fn e7_to_degrees(v: i64) -> f64 {
    v as f64 / COORD_UNITS_PER_DEGREE
}

/// The canonical longitude of any longitude in 1e-7 degree: `[-180°, 180°)`.
pub fn canonical_lon_e7(lon_e7: i64) -> i32 {
    ((lon_e7 + LON_OFFSET).rem_euclid(LON_PERIOD) - LON_OFFSET) as i32
}

/// The east–west step from longitude `a` to `b` (1e-7 degree) the short way round:
/// `((b - a + 180°) mod 360°) - 180°`.
pub fn lon_delta(a_e7: i64, b_e7: i64) -> i64 {
    (b_e7 - a_e7 + LON_OFFSET).rem_euclid(LON_PERIOD) - LON_OFFSET
}

/// One trace point in fixed point. Trace data is private: `Debug` does not print it.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Point {
    /// Latitude in 1e-7 degree.
    pub lat_e7: i32,
    /// Longitude in 1e-7 degree, canonical (`[-180°, 180°)`; see [`Point::from_degrees`]).
    pub lon_e7: i32,
    /// Unix time in milliseconds.
    pub t_ms: u64,
}

impl fmt::Debug for Point {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Point").finish_non_exhaustive()
    }
}

/// Why a raw fix could not be encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PointError {
    /// Latitude not finite or outside [-90, 90].
    #[error("latitude is not a number in [-90, 90]")]
    Latitude,
    /// Longitude not finite or outside [-180, 180].
    #[error("longitude is not a number in [-180, 180]")]
    Longitude,
    /// Time before 1970-01-01.
    #[error("time is before 1970-01-01T00:00:00Z")]
    TimeBeforeEpoch,
}

impl Point {
    /// Encodes a fix given in degrees and unix milliseconds. A longitude of 180° (after
    /// rounding) becomes −180°, the same meridian.
    pub fn from_degrees(lat: f64, lon: f64, time_ms: i64) -> Result<Self, PointError> {
        let lat_e7 = quantize_degrees(lat, MAX_LAT_E7).ok_or(PointError::Latitude)?;
        let lon_e7 = quantize_degrees(lon, MAX_LON_E7).ok_or(PointError::Longitude)?;
        let t_ms = u64::try_from(time_ms).map_err(|_| PointError::TimeBeforeEpoch)?;
        Ok(Self {
            lat_e7,
            lon_e7: canonical_lon_e7(i64::from(lon_e7)),
            t_ms,
        })
    }

    /// North index `y = lat_e7 + 9·10^8`.
    pub fn y(&self) -> i64 {
        i64::from(self.lat_e7) + LAT_OFFSET
    }

    /// East index `x = lon_e7 + 18·10^8`, in `[0, 3.6·10^9)` (non-canonical longitudes are
    /// wrapped).
    pub fn x(&self) -> i64 {
        (i64::from(self.lon_e7) + LON_OFFSET).rem_euclid(LON_PERIOD)
    }

    /// The membership cell `(x >> 8, y >> 8)` of the point.
    pub fn cell(&self) -> (i64, i64) {
        (self.x() >> CELL_SHIFT, self.y() >> CELL_SHIFT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantize_rounds_to_nearest_and_rejects_out_of_range() {
        assert_eq!(
            quantize_degrees(37.241_738_168_5, MAX_LAT_E7),
            Some(372_417_382)
        );
        assert_eq!(
            quantize_degrees(-121.972_324_2, MAX_LON_E7),
            Some(-1_219_723_242)
        );
        assert_eq!(quantize_degrees(90.0, MAX_LAT_E7), Some(MAX_LAT_E7));
        assert_eq!(quantize_degrees(90.000_000_1, MAX_LAT_E7), None);
        assert_eq!(quantize_degrees(-180.0, MAX_LON_E7), Some(-MAX_LON_E7));
        assert_eq!(quantize_degrees(f64::NAN, MAX_LAT_E7), None);
        assert_eq!(quantize_degrees(f64::INFINITY, MAX_LAT_E7), None);
    }

    #[test]
    fn point_debug_hides_data() {
        let p = Point::from_degrees(37.5, -122.0, 1_500_000_000_123).unwrap();
        let s = format!("{p:?}");
        assert!(!s.contains("375") && !s.contains("122") && !s.contains("1500000000123"));
        assert_eq!(
            Point::from_degrees(0.0, 0.0, -1),
            Err(PointError::TimeBeforeEpoch)
        );
    }

    #[test]
    fn longitudes_are_canonical_and_wrap() {
        let east = Point::from_degrees(-16.8, 180.0, 1).unwrap();
        let west = Point::from_degrees(-16.8, -180.0, 1).unwrap();
        assert_eq!(east, west);
        assert_eq!(east.lon_e7, -MAX_LON_E7);
        assert_eq!(east.x(), 0);
        let p = Point::from_degrees(-16.8, 179.999_999_9, 1).unwrap();
        assert_eq!(p.x(), LON_PERIOD - 1);
        // The short way across the antimeridian.
        assert_eq!(lon_delta(1_799_999_990, -1_799_999_990), 20);
        assert_eq!(lon_delta(-1_799_999_990, 1_799_999_990), -20);
        assert_eq!(lon_delta(0, 100), 100);
        assert_eq!(canonical_lon_e7(1_800_000_000), -1_800_000_000);
        assert_eq!(canonical_lon_e7(1_900_000_000), -1_700_000_000);
        // Indices and cells.
        let q = Point::from_degrees(-90.0, -180.0, 1).unwrap();
        assert_eq!((q.x(), q.y()), (0, 0));
        assert_eq!(q.cell(), (0, 0));
        let r = Point::from_degrees(90.0, 179.999_999_9, 1).unwrap();
        assert_eq!(r.y(), 1_800_000_000);
        assert_eq!(r.cell(), (CELLS_PER_TURN - 1, 1_800_000_000 >> 8));
    }
}
