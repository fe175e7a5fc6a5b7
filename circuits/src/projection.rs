//! Distances: a local equirectangular projection with factors per latitude band.
//!
//! A step `(dx, dy)` in 1e-7 degree units has the projected length
//! `D = sqrt((kx·dx)^2 + (ky·dy)^2)` in *distance units* of `2^-18` m
//! ([`DISTANCE_FRAC_BITS`]). The factors belong to the *step*: the Earth is cut into latitude
//! bands of `2^21` north-index units (0.2097°, [`crate::window::BAND_SHIFT`]), each band `q`
//! has integer factors
//!
//! * `KX[q] = floor(N(φ)·cos φ · π/180 · 1e-7 · 2^18)` at the band's most poleward latitude
//!   plus [`MARGIN_DEG`] (N = WGS84 prime-vertical radius; `N cos φ` shrinks with |φ|);
//! * `KY[q] = floor(M(φ) · π/180 · 1e-7 · 2^18)` at the band's least |latitude| minus
//!   [`MARGIN_DEG`] (0 when the band holds the equator; M = meridional radius, grows with |φ|),
//!
//! and a step from a point in band `a` to a point in band `b` uses `kx = min(KX[a], KX[b])`,
//! `ky = min(KY[a], KY[b])`. Both are the *smallest* metric factors anywhere on the step (a
//! legal step is far shorter than a band, so it touches at most two; the margin covers the
//! slight poleward bulge of the geodesic), and both are rounded down, so `D` never exceeds the
//! ellipsoidal length of the step: summed over a trace it is a provable lower bound of the
//! path length. The under-estimate is the factors' spread over one band plus rounding:
//! ≈ 0.37 %·tan|φ| east–west (0.28 % at 37°, 0.37 % at 45°, 0.64 % at 60°), ≤ 0.01 %
//! north–south, plus < 2^-18 m per step. The trigonometry uses the `libm` crate so every
//! platform derives the same integers (the tables are part of the statement).

use crate::window::BAND_SHIFT;
use std::sync::OnceLock;

/// Distance unit is `2^-DISTANCE_FRAC_BITS` metres.
pub const DISTANCE_FRAC_BITS: u32 = 18;

/// Number of latitude bands: `q = (lat_e7 + 9·10^8) >> 21` runs over `0..=858`.
pub const BANDS: usize = 859;

/// Safety margin of the factor tables, degrees of latitude (covers the geodesic's bulge).
pub const MARGIN_DEG: f64 = 0.01;

const WGS84_A: f64 = 6_378_137.0;
const WGS84_F: f64 = 1.0 / 298.257_223_563;

fn e2() -> f64 {
    WGS84_F * (2.0 - WGS84_F)
}

/// Metres per 1e-7 degree of longitude at latitude `phi_deg` on WGS84.
pub fn metres_per_unit_x(phi_deg: f64) -> f64 {
    let phi = phi_deg.to_radians();
    let s = libm::sin(phi);
    let n = WGS84_A / libm::sqrt(1.0 - e2() * s * s);
    (n * libm::cos(phi) * core::f64::consts::PI / 180.0 * 1e-7).max(0.0)
}

/// Metres per 1e-7 degree of latitude at latitude `phi_deg` on WGS84.
pub fn metres_per_unit_y(phi_deg: f64) -> f64 {
    let phi = phi_deg.to_radians();
    let s = libm::sin(phi);
    let w = 1.0 - e2() * s * s;
    let m = WGS84_A * (1.0 - e2()) / (w * libm::sqrt(w));
    m * core::f64::consts::PI / 180.0 * 1e-7
}

/// The latitude range of band `q`, degrees (clipped to ±90°).
pub fn band_latitudes(q: usize) -> (f64, f64) {
    let lo = ((q as i64) << BAND_SHIFT) - 900_000_000;
    let hi = ((q as i64 + 1) << BAND_SHIFT) - 900_000_000;
    (
        (lo as f64 / 1e7).clamp(-90.0, 90.0),
        (hi as f64 / 1e7).clamp(-90.0, 90.0),
    )
}

/// Integer distance factors of one latitude band.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Projection {
    /// East–west factor (distance units per 1e-7 degree of longitude).
    pub kx: u32,
    /// North–south factor (distance units per 1e-7 degree of latitude).
    pub ky: u32,
}

impl Projection {
    /// The factors of band `q` (computed as described in the module docs).
    pub fn for_band(q: usize) -> Self {
        let (lo, hi) = band_latitudes(q);
        let poleward = (lo.abs().max(hi.abs()) + MARGIN_DEG).min(90.0);
        let equatorward = if lo <= 0.0 && hi >= 0.0 {
            0.0
        } else {
            (lo.abs().min(hi.abs()) - MARGIN_DEG).max(0.0)
        };
        let scale = f64::from(1u32 << DISTANCE_FRAC_BITS);
        Self {
            kx: (metres_per_unit_x(poleward) * scale).floor().max(0.0) as u32,
            ky: (metres_per_unit_y(equatorward) * scale).floor().max(0.0) as u32,
        }
    }

    /// The factors of a step between bands `a` and `b`: the smaller of each.
    pub fn for_step(a: usize, b: usize) -> Self {
        let (pa, pb) = (band_table()[a], band_table()[b]);
        Self {
            kx: pa.kx.min(pb.kx),
            ky: pa.ky.min(pb.ky),
        }
    }

    /// Squared projected length of a step, `(kx·dx)^2 + (ky·dy)^2`, in distance units squared.
    pub fn step_d2(&self, dx: i64, dy: i64) -> u128 {
        let ex = i128::from(self.kx) * i128::from(dx);
        let ey = i128::from(self.ky) * i128::from(dy);
        // |ex|, |ey| < 2^13 · 2^33, so the squares and their sum fit in u128.
        (ex * ex) as u128 + (ey * ey) as u128
    }
}

/// The factors of every band, `KX[q]`, `KY[q]` (computed once).
pub fn band_table() -> &'static [Projection; BANDS] {
    static TABLE: OnceLock<[Projection; BANDS]> = OnceLock::new();
    TABLE.get_or_init(|| std::array::from_fn(Projection::for_band))
}

/// `floor(sqrt(n))`: the per-step length the circuit proves (`d^2 <= D^2 < (d+1)^2`).
pub fn step_length(d2: u128) -> u64 {
    // D^2 < 2^101, so its root fits in u64.
    d2.isqrt() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn factors_are_lower_bounds_within_their_bands() {
        let scale = f64::from(1u32 << DISTANCE_FRAC_BITS);
        for q in 0..BANDS {
            let p = band_table()[q];
            let (lo, hi) = band_latitudes(q);
            for k in 0..=20 {
                let lat = lo + (hi - lo) * f64::from(k) / 20.0;
                assert!(
                    f64::from(p.kx) <= metres_per_unit_x(lat) * scale,
                    "{q} {lat}"
                );
                assert!(
                    f64::from(p.ky) <= metres_per_unit_y(lat) * scale,
                    "{q} {lat}"
                );
            }
        }
    }

    #[test]
    fn factors_are_tight() {
        let scale = f64::from(1u32 << DISTANCE_FRAC_BITS);
        // Band of 37.2° N (Santa Clara): within 0.4 % east–west, 0.02 % north–south.
        let q = ((372_000_000i64 + 900_000_000) >> BAND_SHIFT) as usize;
        let p = band_table()[q];
        let (lo, hi) = band_latitudes(q);
        let rx = f64::from(p.kx) / (metres_per_unit_x(lo) * scale);
        let ry = f64::from(p.ky) / (metres_per_unit_y(hi) * scale);
        assert!(rx > 0.996, "{rx}");
        assert!(ry > 0.9998, "{ry}");
        // A step's factors are the smaller of its two bands'.
        let s = Projection::for_step(q, q + 1);
        assert_eq!(s.kx, band_table()[q + 1].kx);
        assert_eq!(s.ky, band_table()[q].ky);
        assert_eq!(Projection::for_step(q + 1, q), s);
        // The pole bands count no east–west distance.
        assert_eq!(band_table()[0].kx, 0);
        assert_eq!(band_table()[BANDS - 1].kx, 0);
    }

    #[test]
    fn one_degree_of_latitude_is_about_111_km() {
        let q = ((450_000_000i64 + 900_000_000) >> BAND_SHIFT) as usize;
        let p = band_table()[q];
        let d = step_length(p.step_d2(0, 10_000_000)) >> DISTANCE_FRAC_BITS;
        assert!((111_000..111_200).contains(&d), "{d}");
    }

    #[test]
    fn step_length_is_floor_sqrt() {
        for n in [
            0u128,
            1,
            2,
            3,
            4,
            15,
            16,
            17,
            (1u128 << 100) - 1,
            1u128 << 100,
        ] {
            let d = u128::from(step_length(n));
            assert!(d * d <= n && (d + 1) * (d + 1) > n);
        }
    }
}
