//! The tuned MSM agrees with arkworks' `VariableBaseMSM::msm` on random and adversarial
//! inputs, in G1 and G2, with GLV on and off, forced window sizes, and 1 or 2 threads.

use ark_bn254::{Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::scalar_mul::glv::GLVConfig;
use ark_ec::short_weierstrass::{Affine, Projective};
use ark_ec::{AffineRepr, CurveGroup, VariableBaseMSM};

use ark_ff::{Field, UniformRand, Zero};
use rand::{rngs::StdRng, Rng, SeedableRng};
use zkcontrib_prover::msm::{
    is_glv_split, msm, msm_merged, msm_skipping, msm_with, MsmConfig, MsmError,
};

/// Random points without a full scalar multiplication each: a random walk from random points.
fn points<P: GLVConfig>(n: usize, rng: &mut StdRng) -> Vec<Affine<P>> {
    let seeds: Vec<Projective<P>> = (0..8).map(|_| Projective::<P>::rand(rng)).collect();
    let mut acc = Projective::<P>::rand(rng);
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        acc += seeds[rng.gen_range(0..seeds.len())];
        out.push(acc);
    }
    Projective::normalize_batch(&out)
}

/// Scalars of a given bit length (0 = full width).
fn scalars(n: usize, bits: u32, rng: &mut StdRng) -> Vec<Fr> {
    (0..n)
        .map(|_| {
            if bits == 0 {
                Fr::rand(rng)
            } else if bits <= 64 {
                let v: u64 = rng.gen();
                Fr::from(if bits == 64 { v } else { v & ((1 << bits) - 1) })
            } else {
                let v: u128 = rng.gen();
                Fr::from(if bits == 128 {
                    v
                } else {
                    v & ((1 << bits) - 1)
                })
            }
        })
        .collect()
}

fn check<P: GLVConfig<ScalarField = Fr>>(bases: &[Affine<P>], sc: &[Fr], what: &str)
where
    Projective<P>: VariableBaseMSM<MulBase = Affine<P>, ScalarField = Fr>,
    P::BaseField: zkcontrib_prover::arith::AddSub,
{
    let want = <Projective<P> as VariableBaseMSM>::msm(bases, sc).unwrap();
    let got = msm(bases, sc).unwrap();
    assert_eq!(got.into_affine(), want.into_affine(), "{what}: default");
    let no_glv = MsmConfig {
        glv: false,
        window: None,
    };
    assert_eq!(
        msm_with(bases, sc, &no_glv).unwrap().into_affine(),
        want.into_affine(),
        "{what}: no GLV"
    );
}

fn adversarial<P: GLVConfig<ScalarField = Fr>>(rng: &mut StdRng)
where
    Projective<P>: VariableBaseMSM<MulBase = Affine<P>, ScalarField = Fr>,
    P::BaseField: zkcontrib_prover::arith::AddSub,
{
    let n = 300;
    let ps = points::<P>(n, rng);
    let p0 = ps[0];
    let minus_one = -Fr::ONE;
    let two64 = Fr::from(2u64).pow([64]);
    let specials = [
        Fr::zero(),
        Fr::ONE,
        minus_one, // r − 1
        -Fr::from(u64::MAX),
        two64,
        -two64,
        Fr::from(2u64),
        -Fr::from(2u64),
        P::LAMBDA,
        -P::LAMBDA,
        Fr::from(2u64).pow([128]),
        Fr::from(2u64).pow([127]),
        Fr::from(2u64).pow([253]),
    ];

    // all-zero and all-one scalars
    check(&ps, &vec![Fr::zero(); n], "all zero");
    check(&ps, &vec![Fr::ONE; n], "all one");
    check(&ps, &vec![minus_one; n], "all minus one");
    // repeated bases: every addition in a bucket is a doubling
    let same = vec![p0; n];
    check(&same, &vec![Fr::ONE; n], "same base, one");
    check(&same, &scalars(n, 3, rng), "same base, 3 bits");
    check(&same, &scalars(n, 0, rng), "same base, full");
    // P and −P with equal scalars cancel; with the opposite, they double
    let mut pm = Vec::new();
    for p in ps.iter().take(n / 2) {
        pm.push(*p);
        pm.push(-*p);
    }
    let sc: Vec<Fr> = (0..pm.len())
        .map(|i| Fr::from((i / 2) as u64 + 1))
        .collect();
    check(&pm, &sc, "P and -P cancel");
    let sc: Vec<Fr> = (0..pm.len())
        .map(|i| {
            let v = Fr::from((i / 2) as u64 + 1);
            if i % 2 == 0 {
                v
            } else {
                -v
            }
        })
        .collect();
    check(&pm, &sc, "P and -P double");
    let pm_same: Vec<Affine<P>> = (0..n).map(|i| if i % 2 == 0 { p0 } else { -p0 }).collect();
    check(
        &pm_same,
        &vec![Fr::ONE; n],
        "P, -P alternating, sum to zero",
    );
    check(&pm_same, &scalars(n, 0, rng), "P, -P alternating, full");
    // identity bases among others
    let mut with_id = ps.clone();
    for i in (0..n).step_by(3) {
        with_id[i] = Affine::<P>::identity();
    }
    check(&with_id, &scalars(n, 0, rng), "identity bases");
    check(
        &[Affine::<P>::identity(); 5],
        &scalars(5, 0, rng),
        "only identities",
    );
    // special scalars, singly and mixed
    for s in specials {
        check(&ps[..7], &[s; 7], "special repeated");
    }
    let sc: Vec<Fr> = (0..n).map(|i| specials[i % specials.len()]).collect();
    check(&ps, &sc, "specials mixed");
    // mixed lengths
    let sc: Vec<Fr> = (0..n)
        .map(|i| {
            let bits = [1u32, 2, 8, 26, 64, 100, 128, 0][i % 8];
            scalars(1, bits, rng)[0]
        })
        .collect();
    check(&ps, &sc, "mixed lengths");
    let sc: Vec<Fr> = sc.iter().map(|s| -*s).collect();
    check(&ps, &sc, "mixed lengths, negated");
    // tiny sizes
    for size in [0usize, 1, 2, 3] {
        check(&ps[..size], &scalars(size, 0, rng), "tiny full");
        check(&ps[..size], &scalars(size, 1, rng), "tiny bits");
        check(&vec![p0; size], &vec![minus_one; size], "tiny repeated");
    }
}

#[test]
fn g1_adversarial() {
    adversarial::<ark_bn254::g1::Config>(&mut StdRng::seed_from_u64(1));
}

#[test]
fn g2_adversarial() {
    adversarial::<ark_bn254::g2::Config>(&mut StdRng::seed_from_u64(2));
}

#[test]
fn g1_random_sizes_and_lengths() {
    let mut rng = StdRng::seed_from_u64(3);
    let ps = points::<ark_bn254::g1::Config>((1 << 12) + 7, &mut rng);
    for bits in [0u32, 1, 26, 64] {
        for size in [1000usize, (1 << 12) + 7] {
            check(&ps[..size], &scalars(size, bits, &mut rng), "g1 random");
        }
    }
}

#[test]
fn g2_random() {
    let mut rng = StdRng::seed_from_u64(4);
    let ps = points::<ark_bn254::g2::Config>(1000, &mut rng);
    for bits in [0u32, 1, 26] {
        check(&ps, &scalars(1000, bits, &mut rng), "g2 random");
    }
}

/// The MSM with each forced window, GLV on and off, equals `want`.
fn forced_windows_agree<P: GLVConfig<ScalarField = Fr>>(
    ps: &[Affine<P>],
    sc: &[Fr],
    want: Affine<P>,
    windows: impl IntoIterator<Item = usize>,
) where
    P::BaseField: zkcontrib_prover::arith::AddSub,
{
    for c in windows {
        for glv in [true, false] {
            let cfg = MsmConfig {
                glv,
                window: Some(c),
            };
            assert_eq!(
                msm_with(ps, sc, &cfg).unwrap().into_affine(),
                want,
                "c={c} glv={glv}"
            );
        }
    }
}

#[test]
fn every_forced_window_size_agrees() {
    let mut rng = StdRng::seed_from_u64(5);
    let ps: Vec<G1Affine> = points(200, &mut rng);
    let mut sc = scalars(200, 0, &mut rng);
    sc[3] = Fr::ONE;
    sc[4] = -Fr::ONE;
    sc[5] = Fr::zero();
    sc[6] = Fr::from(1u64 << 40);
    let want = G1Projective::msm(&ps, &sc).unwrap().into_affine();
    // (large windows on 200 points are all bucket reduction: slow, and no new code path)
    forced_windows_agree(&ps, &sc, want, 1..=14);
}

/// Windows of at least 1,024 buckets reduce in batch-affine arithmetic; points that met a
/// busy slot twice land in XYZZ overflow buckets, which are folded into the slots first. Half
/// of the scalars equal (so half of the points hit one bucket in every window, overflowing),
/// some bases repeated or negated (so a fold can double or cancel), 1 and 2 replicas per
/// bucket (12- and 14-bit windows).
fn overflowing_windows<P: GLVConfig<ScalarField = Fr>>(n: usize, rng: &mut StdRng)
where
    Projective<P>: VariableBaseMSM<MulBase = Affine<P>, ScalarField = Fr>,
    P::BaseField: zkcontrib_prover::arith::AddSub,
{
    let mut ps = points::<P>(n, rng);
    let mut sc = scalars(n, 0, rng);
    let same = Fr::rand(rng);
    for i in (0..n).step_by(2) {
        sc[i] = same;
    }
    for i in (0..n).step_by(10) {
        ps[i + 2] = ps[i];
        ps[i + 4] = -ps[i];
    }
    let want = <Projective<P> as VariableBaseMSM>::msm(&ps, &sc)
        .unwrap()
        .into_affine();
    forced_windows_agree(&ps, &sc, want, [12, 14]);
}

#[test]
fn g1_overflowing_windows() {
    overflowing_windows::<ark_bn254::g1::Config>(6000, &mut StdRng::seed_from_u64(9));
}

#[test]
fn g2_overflowing_windows() {
    overflowing_windows::<ark_bn254::g2::Config>(3000, &mut StdRng::seed_from_u64(10));
}

#[test]
fn thread_counts_agree() {
    let mut rng = StdRng::seed_from_u64(6);
    let n = 1 << 15;
    let ps: Vec<G1Affine> = points(n, &mut rng);
    let mut sc = scalars(n, 0, &mut rng);
    for (i, s) in sc.iter_mut().enumerate() {
        if i % 3 == 0 {
            *s = Fr::from((i % 2) as u64);
        }
    }
    let want = G1Projective::msm(&ps, &sc).unwrap().into_affine();
    for threads in [1usize, 2, 3] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let got = pool.install(|| msm(&ps, &sc).unwrap().into_affine());
        assert_eq!(got, want, "{threads} threads");
    }
    let ps2: Vec<G2Affine> = points(2000, &mut rng);
    let sc2 = scalars(2000, 0, &mut rng);
    let want2 = G2Projective::msm(&ps2, &sc2).unwrap().into_affine();
    for threads in [1usize, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let got = pool.install(|| msm(&ps2, &sc2).unwrap().into_affine());
        assert_eq!(got, want2, "G2, {threads} threads");
    }
}

#[test]
fn length_mismatch_is_an_error() {
    let mut rng = StdRng::seed_from_u64(8);
    let ps: Vec<G1Affine> = points(3, &mut rng);
    assert_eq!(
        msm(&ps, &[Fr::ONE; 2]).unwrap_err(),
        MsmError::LengthMismatch {
            bases: 3,
            scalars: 2
        }
    );
}

/// `msm_merged` (extra parts joining the main MSM's windows, as the prover merges `L`'s and
/// `r·B`'s full-width scalars into the `H` MSM) equals arkworks' MSM of the concatenation, in
/// G1 and G2, with short, full-width, zero and negative scalars and the identity among the
/// extra points.
fn merged_agrees<P: GLVConfig<ScalarField = Fr>>(rng: &mut StdRng)
where
    Projective<P>: VariableBaseMSM<MulBase = Affine<P>, ScalarField = Fr>,
    P::BaseField: zkcontrib_prover::arith::AddSub,
{
    let main = points::<P>(3000, rng);
    let mut main_sc = scalars(3000, 0, rng);
    for s in main_sc.iter_mut().step_by(3) {
        *s = Fr::from(rng.gen::<u32>());
    }
    let mut e1 = points::<P>(400, rng);
    let mut e1_sc = scalars(400, 0, rng);
    e1[7] = Affine::<P>::zero();
    e1_sc[8] = Fr::zero();
    e1_sc[9] = -Fr::from(5u64);
    e1_sc[10] = -e1_sc[11];
    let e2 = points::<P>(300, rng);
    let e2_sc: Vec<Fr> = (0..300)
        .map(|i| match i % 3 {
            0 => Fr::from(rng.gen::<u32>()),
            1 => Fr::rand(rng),
            _ => Fr::from(1u64),
        })
        .collect();
    let all: Vec<Affine<P>> = main.iter().chain(&e1).chain(&e2).copied().collect();
    let all_sc: Vec<Fr> = main_sc
        .iter()
        .chain(&e1_sc)
        .chain(&e2_sc)
        .copied()
        .collect();
    let want = <Projective<P> as VariableBaseMSM>::msm(&all, &all_sc)
        .unwrap()
        .into_affine();
    let got = msm_merged(&main, &main_sc, &[(&e1, &e1_sc), (&e2, &e2_sc)]).unwrap();
    assert_eq!(got.into_affine(), want);
    // no extra parts: the plain MSM; an empty main part: the extras alone
    assert_eq!(
        msm_merged::<P>(&main, &main_sc, &[]).unwrap(),
        msm(&main, &main_sc).unwrap()
    );
    let want_extra = <Projective<P> as VariableBaseMSM>::msm(&e1, &e1_sc)
        .unwrap()
        .into_affine();
    assert_eq!(
        msm_merged::<P>(&[], &[], &[(&e1, &e1_sc)])
            .unwrap()
            .into_affine(),
        want_extra
    );
    // which scalars the prover counts as full width: those the MSM splits with GLV
    assert!(is_glv_split(&Fr::rand(rng)) || is_glv_split(&Fr::rand(rng)));
    assert!(!is_glv_split(&Fr::from(u128::MAX)));
    assert!(!is_glv_split(&-Fr::from(u128::MAX)));
    assert!(!is_glv_split(&Fr::zero()));
    // msm_skipping: the terms not marked, without copying the scalars
    let skip: Vec<bool> = main_sc.iter().map(is_glv_split).collect();
    assert!(skip.iter().any(|&t| t) && skip.iter().any(|&t| !t));
    let kept: Vec<Fr> = main_sc
        .iter()
        .zip(&skip)
        .map(|(s, &t)| if t { Fr::zero() } else { *s })
        .collect();
    assert_eq!(
        msm_skipping(&main, &main_sc, &skip).unwrap(),
        msm(&main, &kept).unwrap()
    );
    assert_eq!(
        msm_skipping(&main, &main_sc, &skip[1..]).unwrap_err(),
        MsmError::LengthMismatch {
            bases: 3000,
            scalars: 2999
        }
    );
    // a part whose lengths differ is refused
    assert_eq!(
        msm_merged(&main, &main_sc, &[(&e1, &e1_sc[..399])]).unwrap_err(),
        MsmError::LengthMismatch {
            bases: 400,
            scalars: 399
        }
    );
}

#[test]
fn merged_parts_agree() {
    let mut rng = StdRng::seed_from_u64(21);
    merged_agrees::<ark_bn254::g1::Config>(&mut rng);
    merged_agrees::<ark_bn254::g2::Config>(&mut rng);
}
