//! Proving costs per shape: key generation, the tuned prover on 1 thread and on all cores,
//! the stock `ark_groth16::Groth16::prove` on the same circuit and witness, and the floor (the
//! FFTs and MSMs no Groth16 prover of that domain can avoid).
//!
//! `cargo bench -p zkcontrib-benches --bench prove` (filter with e.g. `-- prove/earth`)
//!
//! Every measured chunk is full (all slots are trace points: a synthetic run of the shape's
//! policy, see `zkcontrib_benches::full_chunk`), so `Throughput::Elements` is points per second.
//! Keys come from a seeded development setup cached in `target/bench-keys`.

use ark_bn254::Bn254;
use ark_groth16::Groth16;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use rand::{rngs::StdRng, SeedableRng};
use std::hint::black_box;
use zkcontrib_benches::{bench_keys, full_chunk};
use zkcontrib_circuits::circuit::TraceCircuit;
use zkcontrib_circuits::shape::{Shape, EARTH, TEST};
use zkcontrib_circuits::witness::ChunkWitness;
use zkcontrib_prover::keys::Keys;
use zkcontrib_prover::matrices::Matrices;
use zkcontrib_prover::prove::{prove_chunk_stock, ChunkProver};
use zkcontrib_prover::qap::CosetReduction;
use zkcontrib_prover::runtime::with_threads;

const SHAPES: [Shape; 2] = [TEST, EARTH];

fn all_cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn bench_setup(c: &mut Criterion) {
    let mut g = c.benchmark_group("setup");
    g.sample_size(10);
    for shape in [TEST, EARTH] {
        g.bench_with_input(BenchmarkId::from_parameter(shape.name), &shape, |b, s| {
            let mut rng = StdRng::seed_from_u64(1);
            b.iter(|| {
                // what `zkcontrib setup` runs (the coset reduction)
                Groth16::<Bn254, CosetReduction>::generate_random_parameters_with_reduction(
                    TraceCircuit {
                        shape: *s,
                        witness: None,
                    },
                    &mut rng,
                )
                .expect("setup")
            })
        });
    }
    g.finish();
}

/// A shape's benchmark keys, matrices and one full chunk.
fn prepared(shape: Shape) -> (Keys, Matrices, ChunkWitness) {
    let keys = bench_keys(shape);
    let m = Matrices::new(shape).expect("matrices");
    let (_, w) = full_chunk(&shape);
    (keys, m, w)
}

fn bench_prove(c: &mut Criterion) {
    let mut g = c.benchmark_group("prove");
    g.sample_size(10);
    for shape in SHAPES {
        let (keys, m, w) = prepared(shape);
        let prover = ChunkProver::new(&m, &keys.pk, keys.meta.qap).expect("prover");
        g.throughput(Throughput::Elements(shape.points as u64));
        for threads in [1, all_cores()] {
            let id = BenchmarkId::new(shape.name, format!("{threads}-threads"));
            g.bench_with_input(id, &w, |b, w| {
                let mut rng = StdRng::seed_from_u64(2);
                b.iter(|| {
                    with_threads(Some(threads), || prover.prove(black_box(w), 0, &mut rng))
                        .expect("pool")
                        .expect("proof")
                })
            });
        }
    }
    g.finish();
}

fn bench_prove_stock(c: &mut Criterion) {
    let mut g = c.benchmark_group("prove_stock");
    g.sample_size(10);
    for shape in SHAPES {
        let keys = bench_keys(shape);
        let (_, w) = full_chunk(&shape);
        g.throughput(Throughput::Elements(shape.points as u64));
        for threads in [1, all_cores()] {
            let id = BenchmarkId::new(shape.name, format!("{threads}-threads"));
            g.bench_with_input(id, &w, |b, w| {
                let mut rng = StdRng::seed_from_u64(3);
                b.iter(|| {
                    with_threads(Some(threads), || {
                        prove_chunk_stock(shape, &keys.pk, keys.meta.qap, black_box(w), &mut rng)
                    })
                    .expect("pool")
                    .expect("proof")
                })
            });
        }
    }
    g.finish();
}

fn bench_floor(c: &mut Criterion) {
    let mut g = c.benchmark_group("floor");
    g.sample_size(10);
    for shape in SHAPES {
        let (keys, m, w) = prepared(shape);
        let prover = ChunkProver::new(&m, &keys.pk, keys.meta.qap).expect("prover");
        let (z, h) = prover.floor_inputs(&w).expect("witness map");
        g.throughput(Throughput::Elements(shape.points as u64));
        let id = BenchmarkId::new(shape.name, "1-thread");
        g.bench_with_input(id, &(z, h), |b, (z, h)| {
            b.iter(|| {
                with_threads(Some(1), || prover.floor_of(black_box(z), h))
                    .expect("pool")
                    .expect("floor")
            })
        });
    }
    g.finish();
}

criterion_group!(
    benches,
    bench_prove,
    bench_prove_stock,
    bench_floor,
    bench_setup
);
criterion_main!(benches);
