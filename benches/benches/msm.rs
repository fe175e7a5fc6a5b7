//! The tuned MSM against arkworks' `VariableBaseMSM::msm`, per curve and scalar kind.
//!
//! `RAYON_NUM_THREADS=1 cargo bench -p zkcontrib-benches --bench msm` for single-core
//! figures. Inputs are seeded; points are a random walk (cheap to generate, as good as random
//! for the MSM).

use ark_bn254::Fr;
use ark_ec::scalar_mul::glv::GLVConfig;
use ark_ec::short_weierstrass::{Affine, Projective};
use ark_ec::{CurveGroup, VariableBaseMSM};
use ark_ff::UniformRand;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use rand::{rngs::StdRng, Rng, SeedableRng};
use std::hint::black_box;
use zkcontrib_prover::msm::msm;

fn walk<P: GLVConfig>(n: usize, rng: &mut StdRng) -> Vec<Affine<P>> {
    let steps: Vec<Projective<P>> = (0..16).map(|_| Projective::<P>::rand(rng)).collect();
    let mut acc = Projective::<P>::rand(rng);
    let pts: Vec<Projective<P>> = (0..n)
        .map(|_| {
            acc += steps[rng.gen_range(0..steps.len())];
            acc
        })
        .collect();
    Projective::normalize_batch(&pts)
}

fn scalars(n: usize, kind: &str, rng: &mut StdRng) -> Vec<Fr> {
    (0..n)
        .map(|_| match kind {
            "full" => Fr::rand(rng),
            "bits" => Fr::from(rng.gen::<bool>() as u64),
            _ => Fr::from(rng.gen::<u64>() & ((1 << 26) - 1)),
        })
        .collect()
}

fn bench_curve<P: GLVConfig<ScalarField = Fr>>(
    c: &mut Criterion,
    name: &str,
    logs: &[usize],
    kinds: &[&str],
) where
    Projective<P>: VariableBaseMSM<MulBase = Affine<P>, ScalarField = Fr>,
    P::BaseField: zkcontrib_prover::arith::AddSub,
{
    let mut rng = StdRng::seed_from_u64(1);
    let max = 1 << logs.iter().max().copied().unwrap_or(10);
    let bases = walk::<P>(max, &mut rng);
    for kind in kinds {
        let mut g = c.benchmark_group(format!("msm_{name}_{kind}"));
        g.sample_size(10);
        for &log in logs {
            let n = 1 << log;
            let sc = scalars(n, kind, &mut rng);
            g.throughput(Throughput::Elements(n as u64));
            g.bench_with_input(BenchmarkId::new("ours", log), &sc, |b, sc| {
                b.iter(|| msm(black_box(&bases[..n]), black_box(sc)).unwrap())
            });
            g.bench_with_input(BenchmarkId::new("arkworks", log), &sc, |b, sc| {
                b.iter(|| Projective::<P>::msm(black_box(&bases[..n]), black_box(sc)).unwrap())
            });
        }
        g.finish();
    }
}

fn bench_g1(c: &mut Criterion) {
    bench_curve::<ark_bn254::g1::Config>(c, "g1", &[14, 16, 17], &["full", "bits", "26bit"]);
}

fn bench_g2(c: &mut Criterion) {
    bench_curve::<ark_bn254::g2::Config>(c, "g2", &[14, 15], &["full", "bits", "26bit"]);
}

criterion_group!(benches, bench_g1, bench_g2);
criterion_main!(benches);
