//! `zkcontrib demo`: the whole flow on the bundled fixtures, in a temporary folder.

use super::prove::{plan, run_prove, ProveJob};
use super::proving::load_for_proving;
use super::setup::setup_and_prepare;
use super::{keys_dir, BadInput, ShapeName, DEV_WARNING};
use anyhow::{anyhow, Context};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;
use zkcontrib_circuits::shape::Shape;
use zkcontrib_prover::keys;
use zkcontrib_prover::verify::{verify_bundle, PolicyEntry};
use zkcontrib_prover::{ingest, policy_file};

/// `zkcontrib demo`.
#[derive(clap::Args)]
pub struct DemoArgs {
    /// Where keys live (default: $ZKCONTRIB_KEYS_DIR or ~/.cache/zkcontrib/keys).
    #[arg(long)]
    keys_dir: Option<PathBuf>,
    /// Circuit shape.
    #[arg(long, value_enum, default_value = "earth")]
    shape: ShapeName,
    /// Proving threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
}

const DEMO_POLICY: &str = include_str!("../../../fixtures/santa-clara-2017.toml");
const DEMO_STRICT: &str = include_str!("../../../fixtures/santa-clara-strict.toml");
const DEMO_REGION: &str = include_str!("../../../fixtures/santa-clara-county.geojson");
const DEMO_TRACE: &str = include_str!("../../../fixtures/garmin-activity-santa-clara.gpx");

/// `zkcontrib demo`.
pub fn demo(a: DemoArgs) -> Result<ExitCode, BadInput> {
    let shape = a.shape.shape();
    let keys_dir = keys_dir(a.keys_dir);
    let work = std::env::temp_dir().join(format!("zkcontrib-demo-{}", std::process::id()));
    std::fs::create_dir_all(&work).with_context(|| format!("{}", work.display()))?;
    for (name, text) in [
        ("santa-clara-2017.toml", DEMO_POLICY),
        ("santa-clara-strict.toml", DEMO_STRICT),
        ("santa-clara-county.geojson", DEMO_REGION),
        ("garmin-activity-santa-clara.gpx", DEMO_TRACE),
    ] {
        std::fs::write(work.join(name), text).with_context(|| format!("{}", work.display()))?;
    }
    let result = demo_in(&work, &keys_dir, shape, a.threads, a.quiet);
    // The bundle and opening it printed stay for the user to open (a temporary folder, never
    // the checkout); only a failed demo cleans up after itself.
    match &result {
        Ok(_) => println!(
            "files kept in {} (the bundle, its opening, the policy and trace; delete the folder when done)",
            work.display()
        ),
        Err(_) => {
            let _ = std::fs::remove_dir_all(&work);
        }
    }
    result
}

fn demo_in(
    work: &Path,
    keys_dir: &Path,
    shape: Shape,
    threads: Option<usize>,
    quiet: bool,
) -> Result<ExitCode, BadInput> {
    println!("== zkcontrib demo: a real Garmin run, a Santa Clara County mapping policy ==");
    println!(
        "1. keys for shape `{}` in {}",
        shape.name,
        keys_dir.display()
    );
    let t = Instant::now();
    let fresh = matches!(
        keys::load_meta(keys_dir, shape.name),
        Err(keys::KeyError::Missing { .. })
    );
    if fresh {
        setup_and_prepare(keys_dir, shape, zkcontrib_prover::keys::Qap::Coset, quiet)?;
    }
    let loaded = load_for_proving(keys_dir, shape, quiet)?;
    let keys = &loaded.keys;
    if fresh {
        eprintln!("{DEV_WARNING}");
        println!(
            "   set up in {:.1} s (cached for next time), vk {}",
            t.elapsed().as_secs_f64(),
            keys.meta.vk_hash
        );
    } else {
        println!(
            "   loaded in {:.2} s, vk {}",
            t.elapsed().as_secs_f64(),
            keys.meta.vk_hash
        );
    }
    let policy = policy_file::load_policy(&work.join("santa-clara-2017.toml"))?;
    let trace = work.join("garmin-activity-santa-clara.gpx");
    let out = work.join("bundle.json");
    println!(
        "2. prove garmin-activity-santa-clara.gpx against policy {}",
        policy.name()
    );
    let points = ingest::read_points(&trace)?;
    let submitter = "0x00000000000000000000000000000000000d3e40";
    let planned = match plan(&policy, shape, &points, submitter, &trace, false)? {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    let proven = run_prove(ProveJob {
        planned,
        keys,
        matrices: &loaded.matrices,
        load_s: loaded.timings.total_s,
        threads,
        out: &out,
        submitter,
        quiet,
        json: false,
    })?;
    println!("3. verify the bundle as a validator would");
    let entry = PolicyEntry::new(&policy);
    let bytes = std::fs::read(&out).with_context(|| format!("{}", out.display()))?;
    let t = Instant::now();
    let outcome = verify_bundle(keys_dir, &entry, &bytes);
    println!(
        "   {} ({} chunks in {:.1} ms)",
        outcome,
        proven.bundle.chunks.len(),
        t.elapsed().as_secs_f64() * 1e3
    );
    println!("4. a stricter policy: the prover refuses before proving anything");
    let strict = policy_file::load_policy(&work.join("santa-clara-strict.toml"))?;
    let points = ingest::read_points(&trace)?;
    match zkcontrib_prover::contribution::check(&strict, &points) {
        Err(e) => println!("   refused: {e}"),
        Ok(_) => {
            return Err(BadInput(anyhow!(
                "the strict policy unexpectedly accepted the trace"
            )))
        }
    }
    Ok(if outcome.is_accepted() {
        println!(
            "demo ok: the validator learned the claims, the commitment and the id — not the trace"
        );
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
