//! Finish latency of a streaming [`Session`] against whole-trace batch proving.
//!
//! ```text
//! cargo run --release -p zkcontrib-prover -- setup --shape earth --keys-dir /tmp/sess-keys
//! cargo run --release -p zkcontrib-prover --example session_probe -- /tmp/sess-keys [shape]
//! ```
//!
//! For the Santa Clara run (988 points) and the one-hour San Jose drive (3,601 points): the
//! batch path ([`Planned::prove_with_blinding`]) on the whole trace, then a session fed one
//! chunk's worth of points at a time, waiting for the worker after each (recording at 1 Hz is
//! far slower than proving: 462 points are 7.7 minutes), and `finish` timed from the call to the
//! bundle. Both use the same blinding; the probe checks that the statements agree.
//! Thread count follows `RAYON_NUM_THREADS` for the batch path and the session alike.

use ark_bn254::Fr;
use rand::{rngs::StdRng, SeedableRng};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;
use zkcontrib_prover::contribution::Planned;
use zkcontrib_prover::session::{Session, SessionKeys, SessionOptions};
use zkcontrib_prover::{ingest::read_points, policy_file::load_policy, prepared};

const SUBMITTER: &str = "0x00000000000000000000000000000000000d3e40";

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let keys_dir = PathBuf::from(args.get(1).map_or("/tmp/sess-keys", |s| s.as_str()));
    let shape = args.get(2).map_or("earth", |s| s.as_str());
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures");
    let t = Instant::now();
    let keys = Arc::new(SessionKeys::from(prepared::load(&keys_dir, shape)?));
    println!(
        "keys ({shape}) loaded in {:.2} s",
        t.elapsed().as_secs_f64()
    );
    let threads = std::env::var("RAYON_NUM_THREADS")
        .ok()
        .and_then(|s| s.parse().ok());
    println!(
        "{:<28} {:>6} {:>6} {:>9} {:>9} {:>9} {:>7} {:>7} {:>7}",
        "trace", "points", "chunks", "batch s", "early s", "finish s", "reused", "reprov", "ratio"
    );
    for (trace, policy) in [
        ("garmin-activity-santa-clara.gpx", "santa-clara-2017.toml"),
        ("city-drive-san-jose.csv", "santa-clara-drive.toml"),
    ] {
        let points = read_points(&fixtures.join(trace))?;
        let policy = Arc::new(load_policy(&fixtures.join(policy))?);
        let blinding = Fr::from(20_260_101u64);

        let t = Instant::now();
        let batch = Planned::new(&policy, keys.keys.shape, &points, SUBMITTER)?
            .prove_with_blinding(
                &keys.keys,
                &keys.matrices,
                blinding,
                &mut StdRng::seed_from_u64(1),
                |_, _| {},
            )?;
        let batch_s = t.elapsed().as_secs_f64();

        let mut o = SessionOptions::new(SUBMITTER);
        o.blinding = Some(blinding);
        o.threads = threads;
        let mut s = Session::start(keys.clone(), policy.clone(), o)?;
        let t = Instant::now();
        for part in points.chunks(keys.keys.shape.points) {
            s.push(part)?;
            s.wait_idle()?;
        }
        let early_s = t.elapsed().as_secs_f64();
        let f = s.finish()?;
        let (a, b) = (&f.proven.bundle, &batch.bundle);
        let same = a.contribution_id == b.contribution_id
            && a.commitment == b.commitment
            && a.claims == b.claims
            && a.chunks.len() == b.chunks.len()
            && a.chunks
                .iter()
                .zip(&b.chunks)
                .all(|(x, y)| x.state_in == y.state_in && x.state_out == y.state_out);
        anyhow::ensure!(
            same,
            "{trace}: the session's statement differs from the batch"
        );
        println!(
            "{:<28} {:>6} {:>6} {:>9.2} {:>9.2} {:>9.2} {:>7} {:>7} {:>6.1}%",
            trace,
            points.len(),
            b.chunks.len(),
            batch_s,
            early_s,
            f.finish_seconds,
            f.reused,
            f.reproven,
            100.0 * f.finish_seconds / batch_s
        );
    }
    Ok(())
}
