//! Fixed-point encoding of trace points: the integers every rule is evaluated on.
//!
//! * latitude / longitude: signed integers in units of 1e-7 degree (`COORD_UNITS_PER_DEGREE`),
//!   rounded to nearest (≈ 1.1 cm of latitude);
//! * time: unsigned milliseconds since the unix epoch.
//!
//! A policy's [`Frame`] maps a point to *region-relative* coordinates: non-negative integers below
//! `2^grid_bits`, which is what the circuit decomposes into bits (that decomposition is the
//! range check and the coarse box test at once).

use std::fmt;

/// Integer coordinate units per degree (1e-7 degree resolution).
pub const COORD_UNITS_PER_DEGREE: f64 = 1e7;

/// Largest latitude in coordinate units (90°).
pub const MAX_LAT_E7: i32 = 900_000_000;

/// Largest longitude in coordinate units (180°).
pub const MAX_LON_E7: i32 = 1_800_000_000;

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

/// One trace point in fixed point. Trace data is private: `Debug` does not print it.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Point {
    /// Latitude in 1e-7 degree.
    pub lat_e7: i32,
    /// Longitude in 1e-7 degree.
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
    /// Encodes a fix given in degrees and unix milliseconds.
    pub fn from_degrees(lat: f64, lon: f64, time_ms: i64) -> Result<Self, PointError> {
        let lat_e7 = quantize_degrees(lat, MAX_LAT_E7).ok_or(PointError::Latitude)?;
        let lon_e7 = quantize_degrees(lon, MAX_LON_E7).ok_or(PointError::Longitude)?;
        let t_ms = u64::try_from(time_ms).map_err(|_| PointError::TimeBeforeEpoch)?;
        Ok(Self {
            lat_e7,
            lon_e7,
            t_ms,
        })
    }
}

/// The policy's coordinate frame: an axis-aligned box of `2^grid_bits` units per side whose
/// lower-left corner is `origin`, plus the coarse shift used for region membership.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Frame {
    /// Latitude of the box's lower edge, 1e-7 degree.
    pub origin_lat_e7: i64,
    /// Longitude of the box's left edge, 1e-7 degree.
    pub origin_lon_e7: i64,
    /// Side of the box is `2^grid_bits` units.
    pub grid_bits: u8,
    /// Region membership is evaluated on cells of `2^region_shift` units.
    pub region_shift: u8,
}

/// A point in frame-relative coordinates: `0 <= x, y < 2^grid_bits`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct RelPoint {
    /// Easting: `lon_e7 - origin_lon_e7`.
    pub x: u32,
    /// Northing: `lat_e7 - origin_lat_e7`.
    pub y: u32,
}

impl fmt::Debug for RelPoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RelPoint").finish_non_exhaustive()
    }
}

impl Frame {
    /// Side length of the box in coordinate units.
    pub fn side(&self) -> i64 {
        1i64 << self.grid_bits
    }

    /// Frame-relative coordinates, or `None` when the point lies outside the box.
    pub fn relative(&self, p: &Point) -> Option<RelPoint> {
        let x = i64::from(p.lon_e7) - self.origin_lon_e7;
        let y = i64::from(p.lat_e7) - self.origin_lat_e7;
        let side = self.side();
        if (0..side).contains(&x) && (0..side).contains(&y) {
            Some(RelPoint {
                x: x as u32,
                y: y as u32,
            })
        } else {
            None
        }
    }

    /// The coarse cell of a relative point: `(x >> region_shift, y >> region_shift)`.
    pub fn cell(&self, r: RelPoint) -> (i64, i64) {
        (
            i64::from(r.x >> self.region_shift),
            i64::from(r.y >> self.region_shift),
        )
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
    fn frame_box_is_half_open() {
        let f = Frame {
            origin_lat_e7: -10,
            origin_lon_e7: 100,
            grid_bits: 4,
            region_shift: 2,
        };
        let p = |lat, lon| Point {
            lat_e7: lat,
            lon_e7: lon,
            t_ms: 0,
        };
        let r = f.relative(&p(-10, 100)).unwrap();
        assert_eq!((r.x, r.y), (0, 0));
        let r = f.relative(&p(5, 115)).unwrap();
        assert_eq!((r.x, r.y), (15, 15));
        assert_eq!(f.cell(r), (3, 3));
        assert!(f.relative(&p(6, 115)).is_none());
        assert!(f.relative(&p(5, 116)).is_none());
        assert!(f.relative(&p(-11, 100)).is_none());
        assert!(f.relative(&p(-10, 99)).is_none());
    }
}
