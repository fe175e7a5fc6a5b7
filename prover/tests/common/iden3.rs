//! The iden3 formats read and written without the library's code: `.r1cs` (read back and
//! checked against a witness), a snarkjs-layout `.zkey` (for import tests without npm), and a
//! test-only `.ptau` (phase 1 from a τ fixed here).

use ark_bn254::{Bn254, Fr};
use ark_ff::{BigInteger, PrimeField};
use ark_groth16::ProvingKey;
use rand::{rngs::StdRng, SeedableRng};
use zkcontrib_prover::interop::{self};
use zkcontrib_prover::matrices::Matrices;

pub struct R1cs {
    pub wires: u32,
    pub public: u32,
    pub constraints: Vec<[Vec<(u32, Fr)>; 3]>,
}

pub fn le_u32(b: &[u8], at: &mut usize) -> u32 {
    let v = u32::from_le_bytes(b[*at..*at + 4].try_into().unwrap());
    *at += 4;
    v
}

pub fn le_fr(b: &[u8], at: &mut usize) -> Fr {
    let v = Fr::from_le_bytes_mod_order(&b[*at..*at + 32]);
    *at += 32;
    v
}

/// Sections of an iden3 container, read without the library's code.
pub fn sections(bytes: &[u8], magic: &[u8; 4]) -> Vec<(u32, Vec<u8>)> {
    assert_eq!(&bytes[..4], magic);
    let mut at = 8;
    let n = le_u32(bytes, &mut at);
    (0..n)
        .map(|_| {
            let id = le_u32(bytes, &mut at);
            let size = u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap()) as usize;
            at += 8;
            let body = bytes[at..at + size].to_vec();
            at += size;
            (id, body)
        })
        .collect()
}

pub fn parse_r1cs(bytes: &[u8]) -> R1cs {
    let s = sections(bytes, b"r1cs");
    let h = &s.iter().find(|(i, _)| *i == 1).unwrap().1;
    let mut at = 0;
    assert_eq!(le_u32(h, &mut at), 32);
    assert_eq!(&h[4..36], &Fr::MODULUS.to_bytes_le()[..]);
    at = 36;
    let wires = le_u32(h, &mut at);
    let outputs = le_u32(h, &mut at);
    let public = le_u32(h, &mut at);
    let _private = le_u32(h, &mut at);
    at += 8;
    let m = le_u32(h, &mut at);
    assert_eq!(outputs, 0);
    let b = &s.iter().find(|(i, _)| *i == 2).unwrap().1;
    let mut at = 0;
    let constraints = (0..m)
        .map(|_| {
            std::array::from_fn(|_| {
                let n = le_u32(b, &mut at);
                (0..n)
                    .map(|_| {
                        let w = le_u32(b, &mut at);
                        (w, le_fr(b, &mut at))
                    })
                    .collect()
            })
        })
        .collect();
    assert_eq!(at, b.len());
    R1cs {
        wires,
        public,
        constraints,
    }
}

pub fn satisfied(r: &R1cs, z: &[Fr]) -> Option<usize> {
    let dot = |row: &[(u32, Fr)]| row.iter().map(|(w, c)| *c * z[*w as usize]).sum::<Fr>();
    r.constraints
        .iter()
        .position(|[a, b, c]| dot(a) * dot(b) != dot(c))
}

/// A `.zkey` in snarkjs' layout for `pk` (see `interop::zkey`), for import tests without npm.
pub fn write_zkey(pk: &ProvingKey<Bn254>, m: &Matrices) -> Vec<u8> {
    use ark_bn254::{Fq, G1Affine, G2Affine};
    use ark_ec::AffineRepr;
    use ark_ff::Field;
    let mont = |out: &mut Vec<u8>, x: &Fq| out.extend_from_slice(&x.0.to_bytes_le());
    let g1 = |out: &mut Vec<u8>, p: &G1Affine| match p.xy() {
        Some((x, y)) => {
            mont(out, &x);
            mont(out, &y)
        }
        None => out.extend_from_slice(&[0; 64]),
    };
    let g2 = |out: &mut Vec<u8>, p: &G2Affine| match p.xy() {
        Some((x, y)) => {
            for v in [x.c0, x.c1, y.c0, y.c1] {
                mont(out, &v)
            }
        }
        None => out.extend_from_slice(&[0; 128]),
    };
    let g1s = |ps: &[G1Affine]| {
        let mut o = Vec::new();
        ps.iter().for_each(|p| g1(&mut o, p));
        o
    };
    let mut h = Vec::new();
    h.extend_from_slice(&32u32.to_le_bytes());
    h.extend_from_slice(&Fq::MODULUS.to_bytes_le());
    h.extend_from_slice(&32u32.to_le_bytes());
    h.extend_from_slice(&Fr::MODULUS.to_bytes_le());
    h.extend_from_slice(&((m.num_instance + m.num_witness) as u32).to_le_bytes());
    h.extend_from_slice(&((m.num_instance - 1) as u32).to_le_bytes());
    h.extend_from_slice(&(pk.h_query.len() as u32).to_le_bytes());
    g1(&mut h, &pk.vk.alpha_g1);
    g1(&mut h, &pk.beta_g1);
    g2(&mut h, &pk.vk.beta_g2);
    g2(&mut h, &pk.vk.gamma_g2);
    g1(&mut h, &pk.delta_g1);
    g2(&mut h, &pk.vk.delta_g2);
    let r2 = Fr::from(2u64).pow([512]);
    let mut coefs = Vec::new();
    let mut count = 0u32;
    let mut coef = |matrix: u32, c: usize, w: u32, v: Fr| {
        coefs.extend_from_slice(&matrix.to_le_bytes());
        coefs.extend_from_slice(&(c as u32).to_le_bytes());
        coefs.extend_from_slice(&w.to_le_bytes());
        coefs.extend_from_slice(&(v * r2).into_bigint().to_bytes_le());
        count += 1;
    };
    for (c, [a, b, _]) in interop::r1cs::constraints(m).iter().enumerate() {
        for (w, v) in a {
            coef(0, c, *w, *v);
        }
        for (w, v) in b {
            coef(1, c, *w, *v);
        }
    }
    for j in 0..m.num_instance {
        coef(0, m.num_constraints + j, j as u32, Fr::from(1u64));
    }
    let mut sec4 = count.to_le_bytes().to_vec();
    sec4.extend_from_slice(&coefs);
    let mut b2 = Vec::new();
    pk.b_g2_query.iter().for_each(|p| g2(&mut b2, p));
    interop::binfile::write(
        b"zkey",
        1,
        &[
            (1, 1u32.to_le_bytes().to_vec()),
            (2, h),
            (3, g1s(&pk.vk.gamma_abc_g1)),
            (4, sec4),
            (5, g1s(&pk.a_query)),
            (6, g1s(&pk.b_g1_query)),
            (7, b2),
            (8, g1s(&pk.l_query)),
            (9, g1s(&pk.h_query)),
            (10, Vec::new()),
        ],
    )
}

/// A phase-1 (powers of tau) file of `power`, "prepared for phase 2", in snarkjs' `.ptau`
/// layout, made here from a τ, α, β **fixed by this test** (so anyone can forge proofs with
/// keys built on it: tests only; production uses the public Hermez/PSE file, docs/ceremony.md).
///
/// snarkjs can make such a file itself (`powersoftau new`, `beacon`, `prepare phase2`), but
/// `prepare phase2` alone takes about 15 minutes for power 14 on the 2-core CI machine; this
/// takes seconds. Everything after phase 1 — `groth16 setup`, `zkey contribute`, `beacon`,
/// `verify` — is snarkjs' own. Set `ZKCONTRIB_PTAU` to a public `.ptau` file of at least this
/// power to run the ceremony test on it instead.
///
/// ```text
/// 1  header: n8 = 32 ‖ q ‖ power u32 ‖ ceremony power u32
/// 2  τⁱ·G1, i < 2^(power+1) − 1        3  τⁱ·G2, i < 2^power
/// 4  ατⁱ·G1, i < 2^power               5  βτⁱ·G1, i < 2^power        6  β·G2
/// 7  contributions: count u32 = 0
/// 12 for p = 0..=power+1: L_i(τ)·G1 over the domain of size 2^p (at p = power+1 the
///    missing top power counts as 0, as in snarkjs)
/// 13 / 14 / 15  for p = 0..=power: L_i(τ)·G2, α·L_i(τ)·G1, β·L_i(τ)·G1
/// ```
/// Coordinates are Montgomery-form little-endian, G2 `c0 ‖ c1`, as in a `.zkey`.
pub fn write_test_ptau(power: u32) -> Vec<u8> {
    use ark_bn254::{Fq, G1Projective, G2Projective};
    use ark_ec::{scalar_mul::BatchMulPreprocessing, AffineRepr, PrimeGroup};
    use ark_ff::UniformRand;
    use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};
    let mut rng = StdRng::seed_from_u64(14);
    let (tau, alpha, beta) = (Fr::rand(&mut rng), Fr::rand(&mut rng), Fr::rand(&mut rng));
    let n = 1usize << power;
    let powers: Vec<Fr> = std::iter::successors(Some(Fr::from(1u64)), |x| Some(*x * tau))
        .take(2 * n - 1)
        .collect();
    let lagrange = |p: u32| {
        let m = 1usize << p;
        let mut v: Vec<Fr> = (0..m)
            .map(|i| powers.get(i).copied().unwrap_or_default())
            .collect();
        Radix2EvaluationDomain::<Fr>::new(m)
            .unwrap()
            .ifft_in_place(&mut v);
        v
    };
    let scaled = |v: &[Fr], c: Fr| v.iter().map(|x| *x * c).collect::<Vec<_>>();
    let g1 = BatchMulPreprocessing::new(G1Projective::generator(), 4 * n);
    let g2 = BatchMulPreprocessing::new(G2Projective::generator(), 2 * n);
    let mont = |out: &mut Vec<u8>, x: &Fq| out.extend_from_slice(&x.0.to_bytes_le());
    let put1 = |scalars: &[Fr]| {
        let mut out = Vec::with_capacity(64 * scalars.len());
        for p in g1.batch_mul(scalars) {
            let (x, y) = p.xy().unwrap();
            mont(&mut out, &x);
            mont(&mut out, &y);
        }
        out
    };
    let put2 = |scalars: &[Fr]| {
        let mut out = Vec::with_capacity(128 * scalars.len());
        for p in g2.batch_mul(scalars) {
            let (x, y) = p.xy().unwrap();
            for v in [x.c0, x.c1, y.c0, y.c1] {
                mont(&mut out, &v);
            }
        }
        out
    };
    let mut header = 32u32.to_le_bytes().to_vec();
    header.extend_from_slice(&Fq::MODULUS.to_bytes_le());
    header.extend_from_slice(&power.to_le_bytes());
    header.extend_from_slice(&power.to_le_bytes());
    let (mut s12, mut s13, mut s14, mut s15) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for p in 0..=power + 1 {
        let l = lagrange(p);
        // L_i(τ) = 0 only if τ is a root of unity; a random τ never is.
        s12.extend(put1(&l));
        if p <= power {
            s13.extend(put2(&l));
            s14.extend(put1(&scaled(&l, alpha)));
            s15.extend(put1(&scaled(&l, beta)));
        }
    }
    interop::binfile::write(
        b"ptau",
        1,
        &[
            (1, header),
            (2, put1(&powers)),
            (3, put2(&powers[..n])),
            (4, put1(&scaled(&powers[..n], alpha))),
            (5, put1(&scaled(&powers[..n], beta))),
            (6, put2(&[beta])),
            (7, 0u32.to_le_bytes().to_vec()),
            (12, s12),
            (13, s13),
            (14, s14),
            (15, s15),
        ],
    )
}
