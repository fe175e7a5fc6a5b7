//! Shared workloads for the zkcontrib benchmarks (criterion benches and the `report` binary):
//! one place that knows where the real traces and policies live, how synthetic traces are made
//! and where benchmark keys are cached, so every measurement uses the same inputs.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use ark_bn254::Fr;
use std::path::{Path, PathBuf};
use zkcontrib_circuits::encode::Point;
use zkcontrib_circuits::policy::Policy;
use zkcontrib_circuits::rules::evaluate;
use zkcontrib_circuits::shape::Shape;
use zkcontrib_circuits::witness::{chunk_witnesses, plan, ChunkWitness};
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

/// The policy the production-shape benchmarks prove against: Santa Clara County, 2017.
pub const COUNTY_POLICY: &str = "santa-clara-2017.toml";

/// A synthetic run in Santa Clara County that satisfies [`COUNTY_POLICY`]: `n` fixes one second
/// apart, 2017-07-29 from 14:00 UTC, going round a circle of `radius_m` metres at 3 m/s
/// (centre 37.30° N, 121.95° W). A small radius keeps every chunk inside one or two region
/// pieces (full chunks); a large one makes the planner end chunks early, as a real trace does.
pub fn synthetic_run(n: usize, radius_m: f64) -> Vec<Point> {
    let (lat0, lon0) = (37.30f64, -121.95f64);
    let m_per_deg_lat = 111_000.0;
    let m_per_deg_lon = 111_000.0 * lat0.to_radians().cos();
    let t0: i64 = 1_501_336_800_000;
    let omega = 3.0 / radius_m; // rad/s at 3 m/s
    (0..n)
        .map(|i| {
            let a = omega * i as f64;
            let lat = lat0 + radius_m * a.sin() / m_per_deg_lat;
            let lon = lon0 + radius_m * a.cos() / m_per_deg_lon;
            Point::from_degrees(lat, lon, t0 + 1000 * i as i64).expect("synthetic point")
        })
        .collect()
}

/// Chunk witnesses of `points` against `policy` for `shape` (seeded blinding and submitter).
pub fn witnesses(policy: &Policy, shape: &Shape, points: &[Point]) -> Vec<ChunkWitness> {
    let eval = evaluate(policy, points);
    assert!(eval.qualifies(), "benchmark trace breaks the policy");
    let plans = plan(policy, shape, points, &eval).expect("benchmark trace plans");
    chunk_witnesses(
        policy,
        shape,
        points,
        &eval,
        &plans,
        Fr::from(0x5eedu64),
        Fr::from(0xd3e40u64),
    )
}

/// One full chunk of `shape` (every slot a trace point) for [`COUNTY_POLICY`].
pub fn full_chunk(policy: &Policy, shape: &Shape) -> ChunkWitness {
    let ws = witnesses(policy, shape, &synthetic_run(shape.points, 60.0));
    assert_eq!(ws.len(), 1, "a full chunk");
    ws.into_iter().next().expect("one chunk")
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
