//! Chunk windows in-circuit: the twin of [`crate::window`].
//!
//! Per chunk, [`WindowVar::alloc`] proves the window is one the statement allows (lower band
//! `q ≤ 856`, a plain west edge `0 ≤ X0c ≤ MAX_X0_CELL` or the seam window) and looks up the
//! distance factors of its two bands ([`crate::projection::band_table`]) in a constant table
//! with a two-level one-hot selector (27 × 32 entries). Per point, [`WindowVar::point`]
//! decomposes the offsets (22 + 23 bits): that is the point's range check, its Earth check,
//! its canonical longitude and its membership cell at once.

use crate::encode::{CELL_SHIFT, LON_PERIOD};
use crate::gadgets::range::{alloc_bits, enforce_bits};
use crate::projection::{band_table, BANDS};
use crate::window::{
    Window, BAND_SHIFT, LAT_WINDOW_BITS, LON_WINDOW_BITS, MAX_WINDOW_BAND, MAX_X0_CELL,
    SEAM_X0_CELL,
};
use ark_bn254::Fr;
use ark_r1cs_std::{
    alloc::AllocVar, boolean::Boolean, eq::EqGadget, fields::fp::FpVar, fields::FieldVar,
};
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};

/// Rows of the band table's two-level selector (`q = 32·hi + lo`).
const HI: usize = 27;
/// Columns of the band table's two-level selector.
const LO: usize = 32;
const _: () = assert!(HI * LO > MAX_WINDOW_BAND as usize && HI * LO <= BANDS + 6);

fn c(v: impl Into<Fr>) -> FpVar<Fr> {
    FpVar::Constant(v.into())
}

fn b(x: &Boolean<Fr>) -> FpVar<Fr> {
    FpVar::from(x.clone())
}

/// The per-window values of the band table: `[valid, KX[q], KX[q+1], KY[q], KY[q+1],
/// min KX, min KY]` for window band `q` (zeros for `q > 856`).
pub fn window_table(q: usize) -> [u64; 7] {
    if q > MAX_WINDOW_BAND as usize {
        return [0; 7];
    }
    let (a, b) = (band_table()[q], band_table()[q + 1]);
    [
        1,
        u64::from(a.kx),
        u64::from(b.kx),
        u64::from(a.ky),
        u64::from(b.ky),
        u64::from(a.kx.min(b.kx)),
        u64::from(a.ky.min(b.ky)),
    ]
}

/// A chunk's window and its bands' distance factors.
pub struct WindowVar {
    /// `Y0 = q·2^21`.
    pub y0: FpVar<Fr>,
    /// Cell row of `Y0`: `q·2^13`.
    pub cy0: FpVar<Fr>,
    /// `X0 / 2^8`.
    pub x0_cell: FpVar<Fr>,
    /// `X0`.
    pub x0: FpVar<Fr>,
    /// Seam window.
    pub seam: Boolean<Fr>,
    /// `KX[q]`, `KX[q+1] − KX[q]`, `min − KX[q]`.
    pub kx: [FpVar<Fr>; 3],
    /// `KY[q]`, `KY[q+1] − KY[q]`, `min − KY[q]`.
    pub ky: [FpVar<Fr>; 3],
}

/// A point in its chunk's window.
pub struct PointVar {
    /// North index `y = Y0 + oy`.
    pub y: FpVar<Fr>,
    /// Unwrapped east index `u = X0 + ox`.
    pub u: FpVar<Fr>,
    /// Canonical east index `x = u − 3.6·10^9·w`, `w = seam · ox_22`.
    pub x: FpVar<Fr>,
    /// Membership cell `(u >> 8, y >> 8)`.
    pub cell: (FpVar<Fr>, FpVar<Fr>),
    /// Latitude band bit (`oy_21`).
    pub band: Boolean<Fr>,
}

impl WindowVar {
    /// Allocates and checks the window (`None` in setup mode).
    pub fn alloc(cs: &ConstraintSystemRef<Fr>, w: Option<&Window>) -> Result<Self, SynthesisError> {
        let q = w.map(|w| w.band as usize);
        // One-hot hi and lo: h_i, l_j ∈ {0,1}, Σ h_i = 1, Σ l_j = 1.
        let hot = |n: usize, pick: Option<usize>| -> Result<Vec<Boolean<Fr>>, SynthesisError> {
            let v = (0..n)
                .map(|i| {
                    Boolean::new_witness(cs.clone(), || {
                        pick.map(|p| p == i)
                            .ok_or(SynthesisError::AssignmentMissing)
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            // Σ v_i = 1
            v.iter()
                .fold(FpVar::zero(), |acc, x| acc + b(x))
                .enforce_equal(&FpVar::one())?;
            Ok(v)
        };
        let hi = hot(HI, q.map(|q| q / LO))?;
        let lo = hot(LO, q.map(|q| q % LO))?;
        // q = 32·Σ i·h_i + Σ j·l_j
        let qv = hi.iter().enumerate().fold(FpVar::zero(), |acc, (i, h)| {
            acc + b(h) * Fr::from((i * LO) as u64)
        }) + lo
            .iter()
            .enumerate()
            .fold(FpVar::zero(), |acc, (j, l)| acc + b(l) * Fr::from(j as u64));
        // value_k = Σ_i h_i · (Σ_j l_j · T[32i + j]_k): one product per row and value.
        let mut vals: Vec<FpVar<Fr>> = Vec::with_capacity(7);
        for k in 0..7 {
            let mut v = FpVar::zero();
            for (i, h) in hi.iter().enumerate() {
                let row = lo.iter().enumerate().fold(FpVar::zero(), |acc, (j, l)| {
                    acc + b(l) * Fr::from(window_table(i * LO + j)[k])
                });
                v += b(h) * row;
            }
            vals.push(v);
        }
        // valid = 1: q ≤ 856
        vals[0].enforce_equal(&FpVar::one())?;
        let y0 = &qv * Fr::from(1u64 << BAND_SHIFT);
        let cy0 = &qv * Fr::from(1u64 << (BAND_SHIFT - CELL_SHIFT));
        // X0c ∈ [0, 2^24) and MAX_X0_CELL − X0c ∈ [0, 2^24): a plain window ends before ±180°
        let (plain_x0c, _) = alloc_bits(
            cs.clone(),
            w.map(|w| Fr::from(if w.seam { 0 } else { w.x0_cell as u64 })),
            24,
        )?;
        enforce_bits(&(c(MAX_X0_CELL as u64) - &plain_x0c), 24)?;
        // seam·(1 − seam) = 0; X0c = plain + seam·(SEAM − plain)
        let seam = Boolean::new_witness(cs.clone(), || {
            w.map(|w| w.seam).ok_or(SynthesisError::AssignmentMissing)
        })?;
        let x0_cell = &plain_x0c + b(&seam) * (c(SEAM_X0_CELL as u64) - &plain_x0c);
        let x0 = &x0_cell * Fr::from(1u64 << CELL_SHIFT);
        Ok(Self {
            y0,
            cy0,
            x0_cell,
            x0,
            seam,
            kx: [vals[1].clone(), &vals[2] - &vals[1], &vals[5] - &vals[1]],
            ky: [vals[3].clone(), &vals[4] - &vals[3], &vals[6] - &vals[3]],
        })
    }

    /// Allocates a point from its offsets `(y − Y0, u − X0)` (`None` in setup mode). Offsets
    /// outside `[0, 2^22) × [0, 2^23)` cannot be written: only their low bits are.
    pub fn point(
        &self,
        cs: &ConstraintSystemRef<Fr>,
        o: Option<(i64, i64)>,
    ) -> Result<PointVar, SynthesisError> {
        let signed = |v: i64| crate::range::fr_from_i128(i128::from(v));
        // oy = Σ b_i 2^i (22 bits), ox = Σ b_i 2^i (23 bits)
        let (oy, ybits) = alloc_bits(cs.clone(), o.map(|o| signed(o.0)), LAT_WINDOW_BITS as usize)?;
        let (ox, xbits) = alloc_bits(cs.clone(), o.map(|o| signed(o.1)), LON_WINDOW_BITS as usize)?;
        let y = &self.y0 + &oy;
        let u = &self.x0 + &ox;
        // w = seam · ox_22: the point is east of ±180° in a seam window
        let w = self.seam.clone() & xbits[LON_WINDOW_BITS as usize - 1].clone();
        let x = &u - b(&w) * Fr::from(LON_PERIOD as u64);
        let cx = &self.x0_cell + Boolean::le_bits_to_fp(&xbits[CELL_SHIFT as usize..])?;
        let cy = &self.cy0 + Boolean::le_bits_to_fp(&ybits[CELL_SHIFT as usize..])?;
        Ok(PointVar {
            y,
            u,
            x,
            cell: (cx, cy),
            band: ybits[BAND_SHIFT as usize].clone(),
        })
    }

    /// Enforces that a point given by its north index and unwrapped east index lies in the
    /// window (the chunk's predecessor, which comes from the chain state): `y − Y0 ∈ [0, 2^22)`,
    /// `u − X0 ∈ [0, 2^23)`. Returns its latitude band bit.
    pub fn enforce_contains(
        &self,
        y: &FpVar<Fr>,
        u: &FpVar<Fr>,
    ) -> Result<Boolean<Fr>, SynthesisError> {
        // y − Y0 ∈ [0, 2^22)
        let ybits = enforce_bits(&(y - &self.y0), LAT_WINDOW_BITS as usize)?;
        // u − X0 ∈ [0, 2^23)
        enforce_bits(&(u - &self.x0), LON_WINDOW_BITS as usize)?;
        Ok(ybits[BAND_SHIFT as usize].clone())
    }
}
