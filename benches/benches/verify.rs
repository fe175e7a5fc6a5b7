//! Verification costs: one chunk proof, batches of 1 to 1,024, decoding, and the cost split of
//! a batch (docs/BENCHMARKS.md, docs/verification-costs.md).
//!
//! `cargo bench -p zkcontrib-benches --bench verify` (`ZKCONTRIB_BENCH_WALL=1` for wall-clock)
//!
//! Real proofs of the `test` shape ([`zkcontrib_benches::verify_workload`]: development keys
//! from a seeded setup, a few one-chunk bundles proven once and re-randomized into as many
//! valid bundles as a batch needs; the same workload as the `report` binary's).
//! Everything runs inside a one-thread rayon pool (the verifier's `parallel` feature is on in
//! this workspace, and its parallel loops then run inline on the benchmark thread): the figures
//! are per core, and the thread's CPU time is all the work.
//!
//! Time is the benchmark thread's CPU time (`CLOCK_THREAD_CPUTIME_ID`), not wall-clock: the
//! machines this project runs on are shared with other builds, and wall-clock time there
//! mostly measures how often the scheduler runs the benchmark.

use ark_bn254::{Bn254, Fr, G1Affine, G1Projective, G2Affine};
use ark_ec::{pairing::Pairing, AffineRepr, VariableBaseMSM};
use ark_ff::UniformRand;
use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{criterion_group, BenchmarkId, Criterion, Throughput};
use rand::{rngs::StdRng, SeedableRng};
use std::hint::black_box;
use std::sync::OnceLock;
use zkcontrib_benches::{verify_workload, VerifyWorkload};
use zkcontrib_verifier::bench_support;
use zkcontrib_verifier::{decode_proof_hex, Bundle};

const BATCH_SIZES: [usize; 6] = [1, 4, 16, 64, 256, 1024];

/// CPU time of the calling thread, in nanoseconds (or wall-clock with `ZKCONTRIB_BENCH_WALL`).
struct ThreadCpu {
    wall: bool,
    /// Only for its nanosecond formatter.
    format: WallTime,
}

fn now_ns(wall: bool) -> u64 {
    let clock = if wall {
        libc::CLOCK_MONOTONIC
    } else {
        libc::CLOCK_THREAD_CPUTIME_ID
    };
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid, writable timespec; both clocks exist on Linux.
    let rc = unsafe { libc::clock_gettime(clock, &mut t) };
    assert_eq!(rc, 0, "clock_gettime");
    t.tv_sec as u64 * 1_000_000_000 + t.tv_nsec as u64
}

impl Measurement for ThreadCpu {
    type Intermediate = u64;
    type Value = u64;
    fn start(&self) -> u64 {
        now_ns(self.wall)
    }
    fn end(&self, start: u64) -> u64 {
        now_ns(self.wall) - start
    }
    fn add(&self, a: &u64, b: &u64) -> u64 {
        a + b
    }
    fn zero(&self) -> u64 {
        0
    }
    fn to_f64(&self, v: &u64) -> f64 {
        *v as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        // Nanoseconds, formatted as durations.
        self.format.formatter()
    }
}

type C = Criterion<ThreadCpu>;

fn config() -> C {
    Criterion::default().with_measurement(ThreadCpu {
        wall: std::env::var_os("ZKCONTRIB_BENCH_WALL").is_some(),
        format: WallTime,
    })
}

fn setup() -> &'static VerifyWorkload {
    static S: OnceLock<VerifyWorkload> = OnceLock::new();
    S.get_or_init(|| verify_workload(BATCH_SIZES[BATCH_SIZES.len() - 1]))
}

fn bench_verify(c: &mut C) {
    let s = setup();
    let b = &s.bundles[0];
    let json = b.to_json();
    let key = s.verifier.key(&vk_hash_of(b)).unwrap();
    let fields = b.fields().unwrap();
    let inputs = b.chunk_inputs(&fields);
    let proof = b.proofs().unwrap().remove(0);
    let mut g = c.benchmark_group("verify");
    g.throughput(Throughput::Elements(1));
    g.bench_function("bundle", |bench| {
        bench.iter(|| s.verifier.verify(black_box(b)).unwrap())
    });
    g.bench_function("json", |bench| {
        bench.iter(|| s.verifier.verify_json(black_box(json.as_bytes())).unwrap())
    });
    g.bench_function("decoded_proof", |bench| {
        bench.iter(|| zkcontrib_verifier::verify(key, black_box(&proof), &inputs[0]).unwrap())
    });
    g.finish();
}

fn vk_hash_of(b: &Bundle) -> [u8; 32] {
    b.fields().unwrap().vk_hash
}

fn bench_verify_batch(c: &mut C) {
    let s = setup();
    let mut g = c.benchmark_group("verify_batch");
    g.sample_size(10);
    for n in BATCH_SIZES {
        let bundles = &s.bundles[..n];
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::from_parameter(n), bundles, |bench, bundles| {
            // Seeded for reproducible runs; a node calls `verify_batch` (OS randomness), which
            // costs the same plus one `getrandom` call.
            let mut rng = StdRng::seed_from_u64(n as u64);
            bench.iter(|| {
                let res = s
                    .verifier
                    .verify_batch_with_rng(black_box(bundles), &mut rng);
                assert!(res.iter().all(Result::is_ok));
                res
            })
        });
    }
    g.finish();
}

fn bench_decode(c: &mut C) {
    let s = setup();
    let b = &s.bundles[0];
    let json = b.to_json();
    let proof = decode_proof_hex(&b.chunks[0].proof).unwrap();
    let mut g = c.benchmark_group("decode");
    g.bench_function("json", |bench| {
        bench.iter(|| Bundle::from_json(black_box(json.as_bytes())).unwrap())
    });
    g.bench_function("fields", |bench| {
        bench.iter(|| black_box(b).fields().unwrap())
    });
    g.bench_function("proof", |bench| {
        bench.iter(|| black_box(b).proofs().unwrap())
    });
    // What `Verifier` decodes: B's subgroup check is left to its Miller-loop lines.
    g.bench_function("proof_verifier", |bench| {
        bench.iter(|| bench_support::proofs_deferred(black_box(b)).unwrap())
    });
    // What `Verifier::verify_batch` decodes: every proof of the batch together.
    let hexes: Vec<&str> = s.bundles[..1024]
        .iter()
        .map(|b| b.chunks[0].proof.as_str())
        .collect();
    g.bench_function("proofs_batched_1024", |bench| {
        bench.iter(|| bench_support::decode_proofs(black_box(&hexes)))
    });
    g.bench_function("g2_subgroup_check", |bench| {
        bench.iter(|| bench_support::is_in_g2(black_box(&proof.b)))
    });
    g.bench_function("g2_subgroup_check_arkworks", |bench| {
        bench.iter(|| black_box(&proof.b).is_in_correct_subgroup_assuming_on_curve())
    });
    g.finish();
}

/// The per-proof and per-batch pieces of a batch of 1,024, timed alone.
fn bench_split(c: &mut C) {
    let s = setup();
    let mut rng = StdRng::seed_from_u64(9);
    let key = s.verifier.key(&vk_hash_of(&s.bundles[0])).unwrap();
    let proofs: Vec<_> = s.bundles[..1024]
        .iter()
        .map(|b| b.proofs().unwrap().remove(0))
        .collect();
    let prepared: Vec<<Bn254 as Pairing>::G2Prepared> = proofs.iter().map(|p| p.b.into()).collect();
    let pairs: Vec<(G1Affine, &<Bn254 as Pairing>::G2Prepared)> =
        proofs.iter().map(|p| p.a).zip(&prepared).collect();
    let cs: Vec<G1Affine> = proofs.iter().map(|p| p.c).collect();
    let zs: Vec<Fr> = (0..1024u128)
        .map(|i| Fr::from(u128::MAX - 7919 * i))
        .collect();
    let full: Vec<Fr> = (0..11).map(|_| Fr::rand(&mut rng)).collect();
    let ml = Bn254::multi_miller_loop([pairs[0].0], [pairs[0].1.clone()]);
    let a_1024: Vec<G1Affine> = pairs.iter().map(|p| p.0).collect();
    let b_1024: Vec<G2Affine> = proofs.iter().map(|p| p.b).collect();
    let lines = bench_support::proof_lines(&a_1024, &b_1024);
    let z = u128::MAX - 12345;

    let mut g = c.benchmark_group("split");
    g.bench_function("prepare_b", |bench| {
        bench.iter(|| <Bn254 as Pairing>::G2Prepared::from(black_box(proofs[0].b)))
    });
    g.bench_function("scale_a_128", |bench| {
        bench.iter(|| black_box(proofs[0].a).mul_bigint([z as u64, (z >> 64) as u64]))
    });
    let a1024: Vec<G1Affine> = (0..1024).map(|i| proofs[i % proofs.len()].a).collect();
    let ab: Vec<(u64, u64)> = (0..1024u64)
        .map(|i| (z as u64 ^ i, (z >> 64) as u64 ^ i))
        .collect();
    g.bench_function("scale_a_glv_1024", |bench| {
        bench.iter(|| bench_support::scale_a(black_box(&a1024), black_box(&ab)))
    });
    g.bench_function("final_exponentiation", |bench| {
        bench.iter(|| bench_support::final_exponentiation(black_box(&ml.0)))
    });
    g.bench_function("final_exponentiation_arkworks", |bench| {
        bench.iter(|| Bn254::final_exponentiation(black_box(ml)))
    });
    g.bench_function("input_term_11_full_scalars", |bench| {
        bench.iter(|| bench_support::input_term(key, black_box(&full)))
    });
    g.bench_function("input_term_arkworks_msm", |bench| {
        let ic = &key.vk().gamma_abc_g1;
        bench.iter(|| G1Projective::msm_unchecked(&ic[1..], black_box(&full)) + ic[0])
    });
    g.sample_size(10);
    g.throughput(Throughput::Elements(1024));
    g.bench_function("lines_1024_pairs", |bench| {
        bench.iter(|| bench_support::proof_lines(black_box(&a_1024), black_box(&b_1024)))
    });
    g.bench_function("miller_loop_1024_pairs", |bench| {
        bench.iter(|| bench_support::miller_loop(black_box(&lines), 1024))
    });
    g.bench_function("miller_loop_1024_pairs_arkworks", |bench| {
        bench.iter(|| {
            Bn254::multi_miller_loop(
                black_box(&pairs).iter().map(|p| p.0),
                pairs.iter().map(|p| p.1.clone()),
            )
        })
    });
    g.bench_function("msm_c_1024", |bench| {
        bench.iter(|| G1Projective::msm_unchecked(black_box(&cs), &zs))
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = config();
    targets = bench_verify, bench_verify_batch, bench_decode, bench_split
}

fn main() {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a one-thread pool");
    pool.install(benches);
    Criterion::default().configure_from_args().final_summary();
}
