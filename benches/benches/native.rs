//! Native (non-proving) costs: policy compilation, rule evaluation, Poseidon.
//!
//! `cargo bench -p zkcontrib-benches --bench native`

use ark_bn254::Fr;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::hint::black_box;
use zkcontrib_benches::{fixtures, policy, trace};
use zkcontrib_circuits::poseidon::poseidon;
use zkcontrib_circuits::rules::evaluate;

fn bench_policy(c: &mut Criterion) {
    let mut g = c.benchmark_group("policy_compile");
    g.sample_size(10);
    for name in ["santa-clara-2017.toml", "croatia-2020.toml"] {
        let input = zkcontrib_prover::policy_file::read_policy_input(&fixtures().join(name))
            .expect("fixture policy");
        g.bench_with_input(BenchmarkId::from_parameter(name), &input, |b, input| {
            b.iter(|| zkcontrib_circuits::policy::Policy::compile(black_box(input)).unwrap())
        });
    }
    g.finish();
}

fn bench_evaluate(c: &mut Criterion) {
    let mut g = c.benchmark_group("evaluate");
    for (p, t) in [
        ("santa-clara-2017.toml", "garmin-activity-santa-clara.gpx"),
        ("croatia-2020.toml", "visnjan-car.gpx"),
    ] {
        let policy = policy(p);
        let points = trace(t);
        g.throughput(Throughput::Elements(points.len() as u64));
        g.bench_with_input(BenchmarkId::from_parameter(t), &points, |b, pts| {
            b.iter(|| evaluate(&policy, black_box(pts)))
        });
    }
    g.finish();
}

fn bench_poseidon(c: &mut Criterion) {
    let mut g = c.benchmark_group("poseidon");
    for n in [1usize, 2, 6, 12] {
        let inputs: Vec<Fr> = (0..n as u64).map(Fr::from).collect();
        g.bench_with_input(BenchmarkId::from_parameter(n), &inputs, |b, x| {
            b.iter(|| poseidon(black_box(x)))
        });
    }
    g.finish();
}

criterion_group!(benches, bench_policy, bench_evaluate, bench_poseidon);
criterion_main!(benches);
