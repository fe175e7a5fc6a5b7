//! Shared workloads for the zkcontrib benchmarks (criterion benches and the `report` binary):
//! one place that knows where the real traces and policies live, how synthetic traces are made
//! and where benchmark keys are cached, so every measurement uses the same inputs.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use ark_bn254::Fr;
use std::path::{Path, PathBuf};
use zkcontrib_circuits::encode::Point;
use zkcontrib_circuits::policy::Policy;
use zkcontrib_circuits::shape::Shape;
use zkcontrib_circuits::witness::{trace_witnesses, ChunkWitness};
use zkcontrib_prover::keys::{self, Keys};

/// The repository's `fixtures/` folder.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

/// Loads a fixture policy by file name.
pub fn policy(name: &str) -> Policy {
    zkcontrib_prover::policy_file::load_policy(&fixtures().join(name))
        .unwrap_or_else(|e| panic!("fixture policy {name}: {e}"))
}

/// Loads a fixture trace by file name, encoded.
pub fn trace(name: &str) -> Vec<Point> {
    zkcontrib_prover::ingest::read_points(&fixtures().join(name))
        .unwrap_or_else(|e| panic!("fixture trace {name}: {e}"))
}

/// The policy the chunk benchmarks prove against: Santa Clara County, 2017 (every shape: statement
/// v3 has one set of bit widths, and a chunk costs the same whatever the region).
pub const COUNTY_POLICY: &str = "santa-clara-2017.toml";
/// The drives of the driving networks, with their policies: the fill and effective-cost rows of
/// the report.
pub const DRIVES: [(&str, &str, &str); 2] = [
    (
        "city drive (San Jose, 1 h, 1 Hz)",
        "city-drive-san-jose.csv",
        "santa-clara-drive.toml",
    ),
    (
        "highway drive (Germany, 52 min, 1 Hz)",
        "highway-drive-germany.csv",
        "germany-drive.toml",
    ),
];

/// Where and how a synthetic trace moves.
#[derive(Clone, Copy, Debug)]
pub struct Route {
    /// Centre latitude, degrees.
    pub lat: f64,
    /// Centre longitude, degrees.
    pub lon: f64,
    /// First fix, unix ms.
    pub t0: i64,
    /// Speed, m/s.
    pub speed: f64,
}

/// A run in Santa Clara County (37.30° N, 121.95° W, 2017-07-29 14:00 UTC, 3 m/s) that meets
/// [`COUNTY_POLICY`].
pub const SANTA_CLARA_RUN: Route = Route {
    lat: 37.30,
    lon: -121.95,
    t0: 1_501_336_800_000,
    speed: 3.0,
};

/// `n` fixes one second apart going round a circle of `radius_m` metres on `route` (inside
/// the region, so the planner takes `⌈n / N⌉` full chunks).
pub fn synthetic_trace(route: Route, n: usize, radius_m: f64) -> Vec<Point> {
    let m_per_deg_lat = 111_000.0;
    let m_per_deg_lon = 111_000.0 * route.lat.to_radians().cos();
    let omega = route.speed / radius_m;
    (0..n)
        .map(|i| {
            let a = omega * i as f64;
            let lat = route.lat + radius_m * a.sin() / m_per_deg_lat;
            let lon = route.lon + radius_m * a.cos() / m_per_deg_lon;
            Point::from_degrees(lat, lon, route.t0 + 1000 * i as i64).expect("synthetic point")
        })
        .collect()
}

/// [`synthetic_trace`] on [`SANTA_CLARA_RUN`].
pub fn synthetic_run(n: usize, radius_m: f64) -> Vec<Point> {
    synthetic_trace(SANTA_CLARA_RUN, n, radius_m)
}

/// The policy file and route a shape is benchmarked with (the same for every shape).
pub fn workload_of(_shape: &Shape) -> (&'static str, Route) {
    (COUNTY_POLICY, SANTA_CLARA_RUN)
}

/// Chunk witnesses of `points` against `policy` for `shape` (seeded blinding and submitter).
pub fn witnesses(policy: &Policy, shape: &Shape, points: &[Point]) -> Vec<ChunkWitness> {
    trace_witnesses(
        policy,
        shape,
        points,
        Fr::from(0x5eedu64),
        Fr::from(0xd3e40u64),
    )
    .unwrap_or_else(|e| panic!("benchmark trace: {e}"))
}

/// A fixture policy with its `min_points` and `min_distance_m` lowered to 10, so that a trace
/// of one short chunk qualifies (the thresholds do not change what a chunk proof costs).
pub fn relaxed_policy(name: &str) -> Policy {
    let mut input = zkcontrib_prover::policy_file::read_policy_input(&fixtures().join(name))
        .unwrap_or_else(|e| panic!("fixture policy {name}: {e}"));
    input.min_points = 10;
    input.min_distance_m = 10;
    let rules = zkcontrib_circuits::policy::check_rules(&input)
        .unwrap_or_else(|e| panic!("fixture policy {name}, relaxed: {e}"));
    // The compiled region of the fixture (cached), with the relaxed rules.
    Policy::from_parts(&input.name, &rules, policy(name).region().clone())
}

/// One full chunk of `shape` (every slot a trace point) for the shape's policy
/// ([`workload_of`], [`relaxed_policy`]), and that policy.
pub fn full_chunk(shape: &Shape) -> (Policy, ChunkWitness) {
    let (file, route) = workload_of(shape);
    let p = relaxed_policy(file);
    let ws = witnesses(&p, shape, &synthetic_trace(route, shape.points, 60.0));
    assert_eq!(ws.len(), 1, "a full chunk");
    (p, ws.into_iter().next().expect("one chunk"))
}

/// Where benchmark keys are cached: `target/bench-keys` (a development setup, seeded, never
/// for production).
pub fn bench_keys_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench-keys")
}

/// The shape's benchmark keys, set up (seeded development setup) on first use.
pub fn bench_keys(shape: Shape) -> Keys {
    use rand::{rngs::StdRng, SeedableRng};
    let dir = bench_keys_dir();
    match Keys::load(&dir, shape.name) {
        Ok(k) => k,
        Err(_) => {
            let k =
                keys::setup(shape, &mut StdRng::seed_from_u64(0xbe7c4)).expect("benchmark setup");
            k.write(&dir).expect("write benchmark keys");
            k
        }
    }
}

/// What the verification benchmarks check: a verifier with the `test` shape's benchmark key
/// and a Santa Clara policy one chunk meets, and `n` valid one-chunk bundles (four proven,
/// the rest re-randomized — each a distinct valid proof, as a validator would receive them).
pub struct VerifyWorkload {
    /// The verifier (key pinned, policy registered).
    pub verifier: zkcontrib_verifier::Verifier,
    /// The bundles, all valid.
    pub bundles: Vec<zkcontrib_verifier::Bundle>,
}

/// Builds a [`VerifyWorkload`] of `n` bundles (seeded).
pub fn verify_workload(n: usize) -> VerifyWorkload {
    use ark_bn254::Bn254;
    use ark_groth16::Groth16;
    use rand::{rngs::StdRng, SeedableRng};
    use zkcontrib_circuits::shape::TEST;
    use zkcontrib_prover::contribution::prove_contribution;
    use zkcontrib_prover::matrices::Matrices;
    use zkcontrib_verifier::{decode_proof_hex, encode_proof_hex, Thresholds, Verifier};
    let mut rng = StdRng::seed_from_u64(1);
    let keys = bench_keys(TEST);
    let matrices = Matrices::new(TEST).expect("matrices");
    let policy = relaxed_policy(COUNTY_POLICY);
    let mut points = trace("garmin-activity-santa-clara.gpx");
    points.truncate(TEST.points);
    let proven: Vec<zkcontrib_verifier::Bundle> = (0..4u64)
        .map(|i| {
            let submitter = format!("0x{:040x}", 0xd3e40 + i);
            let p = prove_contribution(
                &keys,
                &matrices,
                &policy,
                &points,
                &submitter,
                &mut rng,
                |_, _| {},
            )
            .expect("prove");
            assert_eq!(p.bundle.chunks.len(), 1);
            p.bundle
        })
        .collect();
    let p = policy.params();
    let verifier = Verifier::builder()
        .key(keys.vk())
        .policy(
            policy.id(),
            Thresholds {
                min_points: p.min_points,
                min_distance_m: p.min_distance_m,
            },
        )
        .build()
        .expect("verifier");
    let bundles = (0..n)
        .map(|i| {
            let mut b = proven[i % proven.len()].clone();
            let proof = decode_proof_hex(&b.chunks[0].proof).expect("proof");
            let fresh = Groth16::<Bn254>::rerandomize_proof(keys.vk(), &proof, &mut rng);
            b.chunks[0].proof = encode_proof_hex(&fresh);
            b
        })
        .collect::<Vec<_>>();
    for b in bundles.iter().take(8) {
        verifier.verify(b).expect("a valid bundle");
    }
    VerifyWorkload { verifier, bundles }
}
