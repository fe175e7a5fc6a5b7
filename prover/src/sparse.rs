//! The constraint matrices in the compact form the prover keeps in memory.
//!
//! arkworks' `Matrix<Fr>` (`Vec<Vec<(Fr, usize)>>`) costs 40 bytes per nonzero plus a heap
//! allocation per row: the `earth` shape's 1.25 M nonzeros in 3 × 127,559 rows take about
//! 60 MB, as much as its proving key. A circuit uses few distinct coefficients (`earth`:
//! 9,614, and 57 % of its entries are ±1), so [`SparseMatrices`] keeps one table of the
//! distinct coefficients and, per matrix, compressed sparse rows: a `u32` offset per row and
//! per entry a `u32` variable and a `u32` index into the table — 8 bytes per nonzero, about
//! 11.5 MB for `earth`. The prepared key file stores the matrices in the same shape, so
//! [`crate::prepared::load`] builds this form directly.
//!
//! The matrix–vector products the QAP needs ([`ConstraintMatrices::mat_vec`]) read the table
//! (in cache) and add or subtract unit coefficients without a multiplication; the result is the
//! same field element as arkworks' `evaluate_constraint`. [`SparseMatrices::to_ark`] gives the
//! arkworks form back for the code that needs it (the reference prover, exports).

use ark_bn254::Fr;
use ark_ff::{One, Zero};
use ark_relations::gr1cs::Matrix;

#[cfg(feature = "parallel")]
use rayon::prelude::*;

/// One nonzero of a row: the variable it multiplies and its coefficient's index in the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Index of the variable in the full assignment `[1, inputs…, witnesses…]`.
    pub var: u32,
    /// Index of the coefficient in [`SparseMatrices::coefficients`].
    pub coeff: u32,
}

/// One matrix as compressed sparse rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Csr {
    /// Row `i` is `entries[offsets[i]..offsets[i + 1]]`; `offsets.len()` is rows + 1.
    offsets: Vec<u32>,
    entries: Vec<Entry>,
}

impl Default for Csr {
    fn default() -> Self {
        Self::with_capacity(0, 0)
    }
}

impl Csr {
    /// An empty matrix with room for `rows` rows and `entries` nonzeros.
    pub fn with_capacity(rows: usize, entries: usize) -> Self {
        let mut offsets = Vec::with_capacity(rows + 1);
        offsets.push(0);
        Self {
            offsets,
            entries: Vec::with_capacity(entries),
        }
    }

    /// Appends a row; `Err` when the matrix would exceed 2^32 − 1 nonzeros.
    pub fn push_row(&mut self, row: impl IntoIterator<Item = Entry>) -> Result<(), String> {
        self.entries.extend(row);
        let end = u32::try_from(self.entries.len())
            .map_err(|_| "more than 2^32 - 1 nonzeros in a matrix".to_string())?;
        self.offsets.push(end);
        Ok(())
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Number of nonzeros.
    pub fn nonzeros(&self) -> usize {
        self.entries.len()
    }

    /// Row `i`.
    pub fn row(&self, i: usize) -> &[Entry] {
        &self.entries[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }

    fn shrink_to_fit(&mut self) {
        self.offsets.shrink_to_fit();
        self.entries.shrink_to_fit();
    }
}

/// The `A`, `B`, `C` matrices of an R1CS over one table of distinct coefficients; see the
/// [module documentation](self).
#[derive(Clone, PartialEq, Eq)]
pub struct SparseMatrices {
    coeffs: Vec<Fr>,
    /// Table indices of 1 and −1 (`u32::MAX` when absent), added without a multiplication.
    one: u32,
    minus_one: u32,
    abc: [Csr; 3],
}

impl std::fmt::Debug for SparseMatrices {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SparseMatrices")
            .field("rows", &self.abc[0].rows())
            .field("nonzeros", &self.nonzeros())
            .field("coefficients", &self.coeffs.len())
            .finish_non_exhaustive()
    }
}

impl SparseMatrices {
    /// The matrices `abc` over the coefficient table `coeffs`. `Err` unless every entry names
    /// a variable below `num_variables` and a coefficient of the table, and the three matrices
    /// have the same number of rows.
    pub fn new(coeffs: Vec<Fr>, abc: [Csr; 3], num_variables: usize) -> Result<Self, String> {
        if abc.iter().any(|m| m.rows() != abc[0].rows()) {
            return Err("the matrices have different numbers of rows".into());
        }
        let ok = |e: &Entry| (e.var as usize) < num_variables && (e.coeff as usize) < coeffs.len();
        if !abc.iter().all(|m| m.entries.iter().all(ok)) {
            return Err("a matrix entry is out of range".into());
        }
        let find = |v: Fr| {
            coeffs
                .iter()
                .position(|c| *c == v)
                .map_or(u32::MAX, |i| i as u32)
        };
        let (one, minus_one) = (find(Fr::one()), find(-Fr::one()));
        let mut abc = abc;
        abc.iter_mut().for_each(Csr::shrink_to_fit);
        Ok(Self {
            coeffs,
            one,
            minus_one,
            abc,
        })
    }

    /// The compact form of arkworks' `[A, B, C]`; the table lists the coefficients in order
    /// of first appearance (A, then B, then C, row by row). `Err` unless there are exactly
    /// three matrices of equal height.
    pub fn from_ark(abc: &[Matrix<Fr>]) -> Result<Self, String> {
        let [a, b, c] = abc else {
            return Err("the R1CS has no A, B, C matrices".into());
        };
        let mut index: std::collections::HashMap<[u64; 4], u32> = Default::default();
        let mut coeffs = Vec::new();
        let mut num_variables = 0;
        let mut convert = |m: &Matrix<Fr>| -> Result<Csr, String> {
            let mut out = Csr::with_capacity(m.len(), m.iter().map(Vec::len).sum());
            for row in m {
                let mut entries = Vec::with_capacity(row.len());
                for (v, i) in row {
                    let coeff = *index.entry(v.0 .0).or_insert_with(|| {
                        coeffs.push(*v);
                        (coeffs.len() - 1) as u32
                    });
                    let var = u32::try_from(*i).map_err(|_| "a variable index is too large")?;
                    num_variables = num_variables.max(*i + 1);
                    entries.push(Entry { var, coeff });
                }
                out.push_row(entries)?;
            }
            Ok(out)
        };
        let abc = [convert(a)?, convert(b)?, convert(c)?];
        Self::new(coeffs, abc, num_variables)
    }

    /// arkworks' form of the same matrices.
    pub fn to_ark(&self) -> Vec<Matrix<Fr>> {
        self.abc
            .iter()
            .map(|m| {
                (0..m.rows())
                    .map(|i| {
                        m.row(i)
                            .iter()
                            .map(|e| (self.coeffs[e.coeff as usize], e.var as usize))
                            .collect()
                    })
                    .collect()
            })
            .collect()
    }

    /// The distinct coefficients, in the order entries index them.
    pub fn coefficients(&self) -> &[Fr] {
        &self.coeffs
    }

    /// Matrix `k` (0: A, 1: B, 2: C).
    pub fn matrix(&self, k: usize) -> &Csr {
        &self.abc[k]
    }

    /// Row `i` of matrix `k` as arkworks lists it: `(coefficient, variable)` pairs.
    pub fn row(&self, k: usize, i: usize) -> impl Iterator<Item = (Fr, usize)> + '_ {
        self.abc[k]
            .row(i)
            .iter()
            .map(|e| (self.coeffs[e.coeff as usize], e.var as usize))
    }

    /// Number of constraints (rows of each matrix).
    pub fn rows(&self) -> usize {
        self.abc[0].rows()
    }

    /// Nonzeros of the three matrices.
    pub fn nonzeros(&self) -> usize {
        self.abc.iter().map(Csr::nonzeros).sum()
    }

    /// Heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.coeffs.capacity() * std::mem::size_of::<Fr>()
            + self
                .abc
                .iter()
                .map(|m| {
                    m.offsets.capacity() * 4 + m.entries.capacity() * std::mem::size_of::<Entry>()
                })
                .sum::<usize>()
    }

    /// `⟨row, z⟩`.
    #[inline]
    pub fn dot(&self, row: &[Entry], z: &[Fr]) -> Fr {
        let mut acc = Fr::zero();
        for e in row {
            let v = z[e.var as usize];
            if e.coeff == self.one {
                acc += v;
            } else if e.coeff == self.minus_one {
                acc -= v;
            } else {
                acc += v * self.coeffs[e.coeff as usize];
            }
        }
        acc
    }
}

/// Constraint matrices `[A, B, C]` as the prover reads them: arkworks' form or
/// [`SparseMatrices`].
pub trait ConstraintMatrices {
    /// Number of matrices (3 for an R1CS).
    fn count(&self) -> usize;
    /// Rows of matrix `k`.
    fn rows(&self, k: usize) -> usize;
    /// `out[i] = ⟨row i of matrix k, z⟩` for the first `out.len()` rows (at most
    /// [`ConstraintMatrices::rows`]).
    fn mat_vec(&self, k: usize, z: &[Fr], out: &mut [Fr]);
}

impl ConstraintMatrices for SparseMatrices {
    fn count(&self) -> usize {
        3
    }

    fn rows(&self, k: usize) -> usize {
        self.abc[k].rows()
    }

    fn mat_vec(&self, k: usize, z: &[Fr], out: &mut [Fr]) {
        let m = &self.abc[k];
        #[cfg(feature = "parallel")]
        out.par_iter_mut()
            .with_min_len(1 << 10)
            .enumerate()
            .for_each(|(i, o)| *o = self.dot(m.row(i), z));
        #[cfg(not(feature = "parallel"))]
        out.iter_mut()
            .enumerate()
            .for_each(|(i, o)| *o = self.dot(m.row(i), z));
    }
}

/// `⟨row, z⟩`, skipping the multiplication for unit coefficients (most R1CS coefficients).
#[inline]
fn ark_dot(row: &[(Fr, usize)], z: &[Fr]) -> Fr {
    let mut acc = Fr::zero();
    for (c, i) in row {
        if c.is_one() {
            acc += z[*i];
        } else {
            acc += z[*i] * c;
        }
    }
    acc
}

impl ConstraintMatrices for [Matrix<Fr>] {
    fn count(&self) -> usize {
        self.len()
    }

    fn rows(&self, k: usize) -> usize {
        self[k].len()
    }

    fn mat_vec(&self, k: usize, z: &[Fr], out: &mut [Fr]) {
        let m = &self[k];
        #[cfg(feature = "parallel")]
        out.par_iter_mut()
            .with_min_len(1 << 10)
            .zip(m.par_iter())
            .for_each(|(o, row)| *o = ark_dot(row, z));
        #[cfg(not(feature = "parallel"))]
        out.iter_mut()
            .zip(m.iter())
            .for_each(|(o, row)| *o = ark_dot(row, z));
    }
}

impl ConstraintMatrices for Vec<Matrix<Fr>> {
    fn count(&self) -> usize {
        self.len()
    }

    fn rows(&self, k: usize) -> usize {
        self[k].len()
    }

    fn mat_vec(&self, k: usize, z: &[Fr], out: &mut [Fr]) {
        self.as_slice().mat_vec(k, z, out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ff::UniformRand;
    use rand::{rngs::StdRng, Rng, SeedableRng};

    /// Random matrices with the coefficient mix of a real circuit: ±1, small powers of two
    /// and a few arbitrary constants, empty rows included.
    fn random_ark(rng: &mut StdRng, rows: usize, vars: usize) -> Vec<Matrix<Fr>> {
        let consts: Vec<Fr> = (0..5).map(|_| Fr::rand(rng)).collect();
        (0..3)
            .map(|_| {
                (0..rows)
                    .map(|_| {
                        let n = rng.gen_range(0..6);
                        (0..n)
                            .map(|_| {
                                let c = match rng.gen_range(0..4) {
                                    0 => Fr::one(),
                                    1 => -Fr::one(),
                                    2 => Fr::from(1u64 << rng.gen_range(1..20)),
                                    _ => consts[rng.gen_range(0..consts.len())],
                                };
                                (c, rng.gen_range(0..vars))
                            })
                            .collect()
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn round_trips_and_evaluates_as_arkworks() {
        let mut rng = StdRng::seed_from_u64(17);
        let ark = random_ark(&mut rng, 500, 60);
        let s = SparseMatrices::from_ark(&ark).unwrap();
        assert_eq!(s.to_ark(), ark);
        assert!(s.coefficients().len() <= 2 + 19 + 5);
        assert_eq!(
            s.nonzeros(),
            ark.iter().flatten().map(Vec::len).sum::<usize>()
        );
        let z: Vec<Fr> = (0..60).map(|_| Fr::rand(&mut rng)).collect();
        for k in 0..3 {
            let mut want = vec![Fr::zero(); 500];
            let mut got = vec![Fr::zero(); 500];
            ark.mat_vec(k, &z, &mut want);
            s.mat_vec(k, &z, &mut got);
            assert_eq!(got, want, "matrix {k}");
            for (i, w) in want.iter().enumerate() {
                let row: Vec<_> = s.row(k, i).collect();
                assert_eq!(row, ark[k][i]);
                assert_eq!(
                    ark_groth16::r1cs_to_qap::evaluate_constraint(&ark[k][i], &z),
                    *w
                );
            }
        }
    }

    #[test]
    fn rejects_out_of_range_entries() {
        let mut m = Csr::default();
        m.push_row([Entry { var: 3, coeff: 0 }]).unwrap();
        let one = || {
            let mut m = Csr::default();
            m.push_row([Entry { var: 0, coeff: 0 }]).unwrap();
            m
        };
        let table = vec![Fr::one()];
        assert!(SparseMatrices::new(table.clone(), [m.clone(), one(), one()], 4).is_ok());
        assert!(SparseMatrices::new(table.clone(), [m.clone(), one(), one()], 3).is_err());
        let mut bad = Csr::default();
        bad.push_row([Entry { var: 0, coeff: 1 }]).unwrap();
        assert!(SparseMatrices::new(table.clone(), [bad, one(), one()], 4).is_err());
        assert!(SparseMatrices::new(table, [m, one(), Csr::default()], 4).is_err());
    }
}
