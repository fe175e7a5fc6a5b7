//! Local equirectangular projection used for distance and speed.
//!
//! A step `(dx, dy)` in 1e-7 degree units has the projected length
//! `D = sqrt((kx·dx)^2 + (ky·dy)^2)` in *distance units* of `2^-18` m
//! ([`DISTANCE_FRAC_BITS`]). The scale factors are integers fixed per policy:
//!
//! * `ky = floor(M(φ_lo) · π/180 · 1e-7 · 2^18)` with `M` the WGS84 meridional radius of
//!   curvature, which grows with |φ|, taken at the smallest |latitude| of the region's box;
//! * `kx = floor(N(φ_hi)·cos φ_hi · π/180 · 1e-7 · 2^18)` with `N` the prime-vertical radius;
//!   `N cos φ` shrinks with |φ|, so it is taken at the largest |latitude| of the region's box.
//!
//! Both are the *smallest* metric factors found anywhere in the region's latitude band, and
//! both are rounded down, so for steps inside the band `D` never exceeds the ellipsoidal
//! distance: summed over a trace it is a provable lower bound of the path length. The
//! under-estimate is at most `1 - min/max` of each factor over the band (for Santa Clara
//! County, 36.9°–37.5°: ≤ 0.8 % east–west, ≤ 0.02 % north–south) plus < 2^-18 m per step from
//! flooring. The trigonometry uses the `libm` crate so every platform derives the same
//! integers (the factors are part of the policy id).

/// Distance unit is `2^-DISTANCE_FRAC_BITS` metres.
pub const DISTANCE_FRAC_BITS: u32 = 18;

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
    n * libm::cos(phi) * core::f64::consts::PI / 180.0 * 1e-7
}

/// Metres per 1e-7 degree of latitude at latitude `phi_deg` on WGS84.
pub fn metres_per_unit_y(phi_deg: f64) -> f64 {
    let phi = phi_deg.to_radians();
    let s = libm::sin(phi);
    let w = 1.0 - e2() * s * s;
    let m = WGS84_A * (1.0 - e2()) / (w * libm::sqrt(w));
    m * core::f64::consts::PI / 180.0 * 1e-7
}

/// Integer scale factors of the projection (distance units per coordinate unit).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Projection {
    /// East–west factor.
    pub kx: u32,
    /// North–south factor.
    pub ky: u32,
}

impl Projection {
    /// Factors for the latitude band `[lat_min_e7, lat_max_e7]` (1e-7 degree).
    pub fn for_band(lat_min_e7: i64, lat_max_e7: i64) -> Self {
        let (lo, hi) = (lat_min_e7.min(lat_max_e7), lat_min_e7.max(lat_max_e7));
        let abs_lo = if lo <= 0 && hi >= 0 {
            0
        } else {
            lo.abs().min(hi.abs())
        };
        let abs_hi = lo.abs().max(hi.abs());
        let scale = f64::from(1u32 << DISTANCE_FRAC_BITS);
        let ky = (metres_per_unit_y(abs_lo as f64 / 1e7) * scale).floor();
        let kx = (metres_per_unit_x(abs_hi as f64 / 1e7) * scale).floor();
        Self {
            kx: kx.max(0.0) as u32,
            ky: ky.max(0.0) as u32,
        }
    }

    /// Squared projected length of a step, `(kx·dx)^2 + (ky·dy)^2`, in distance units squared.
    pub fn step_d2(&self, dx: i64, dy: i64) -> u128 {
        let ex = i128::from(self.kx) * i128::from(dx);
        let ey = i128::from(self.ky) * i128::from(dy);
        // |ex|, |ey| < 2^17 · 2^33, so the squares and their sum fit in u128.
        (ex * ex) as u128 + (ey * ey) as u128
    }
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
    fn factors_are_lower_bounds_in_band() {
        let p = Projection::for_band(369_000_000, 375_000_000);
        let scale = f64::from(1u32 << DISTANCE_FRAC_BITS);
        for lat in [36.9, 37.0, 37.2, 37.5] {
            assert!(f64::from(p.kx) <= metres_per_unit_x(lat) * scale);
            assert!(f64::from(p.ky) <= metres_per_unit_y(lat) * scale);
        }
        // At most 0.8 % east-west and 0.02 % north-south below the band's largest factors.
        let cx = metres_per_unit_x(36.9) * scale;
        let cy = metres_per_unit_y(37.5) * scale;
        assert!(f64::from(p.kx) / cx > 0.992, "{}", f64::from(p.kx) / cx);
        assert!(f64::from(p.ky) / cy > 0.9998);
    }

    #[test]
    fn equator_band_uses_equator_for_y() {
        let p = Projection::for_band(-10_000_000, 10_000_000);
        let q = Projection::for_band(0, 10_000_000);
        assert_eq!(p, q);
    }

    #[test]
    fn one_degree_of_latitude_is_about_111_km() {
        let p = Projection::for_band(450_000_000, 450_000_000);
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
