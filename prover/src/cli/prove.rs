//! `zkcontrib prove`: check and plan the trace, load the keys, prove, write the bundle and
//! its private opening.

use super::follow::Follow;
use super::proving::{load_for_proving, rejected, write_proven, Outputs};
use super::{choose_shape, chunk_bar, keys_dir, BadInput, ShapeName};
use anyhow::anyhow;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;
use zkcontrib_circuits::shape::Shape;
use zkcontrib_prover::contribution::{ContributionError, Planned, Proven};
use zkcontrib_prover::keys::{Keys, Origin};
use zkcontrib_prover::matrices::Matrices;
use zkcontrib_prover::runtime::with_threads;
use zkcontrib_prover::{ingest, policy_file};

/// `zkcontrib prove`.
#[derive(clap::Args)]
pub struct ProveArgs {
    /// Trace file: GPX, CSV or GeoJSON.
    #[arg(long)]
    pub(crate) trace: PathBuf,
    /// Policy file (TOML or JSON).
    #[arg(long)]
    pub(crate) policy: PathBuf,
    /// Reward address the proof is bound to (0x + hex, at most 32 bytes).
    #[arg(long)]
    pub(crate) submitter: String,
    /// Where keys live (default: $ZKCONTRIB_KEYS_DIR or ~/.cache/zkcontrib/keys).
    #[arg(long)]
    pub(crate) keys_dir: Option<PathBuf>,
    /// Circuit shape (default: earth, the production shape).
    #[arg(long, value_enum)]
    pub(crate) shape: Option<ShapeName>,
    /// Proving threads (default: all cores).
    #[arg(long)]
    pub(crate) threads: Option<usize>,
    /// Bundle to write; the private opening goes next to it as `<name>.opening.json`.
    #[arg(long)]
    pub(crate) out: PathBuf,
    /// No progress display.
    #[arg(long)]
    pub(crate) quiet: bool,
    /// Print the result as one JSON object (errors and refusals too; docs/formats.md).
    #[arg(long)]
    pub(crate) json: bool,
    /// Prove while the trace is recorded: read --trace (CSV, appended line by line) as it
    /// grows, prove each chunk as soon as it is complete, report rule violations as they
    /// arrive, and finish once the file has not grown for --idle seconds. Progress is kept in
    /// --state, so a killed run continues with --resume.
    #[arg(long)]
    pub(crate) follow: bool,
    /// Continue a killed --follow run from its state file: chunks proven before are kept
    /// (checked), the points after those in the state are read from --trace. With --follow,
    /// following goes on; without, the trace is complete and proving finishes.
    #[arg(long)]
    pub(crate) resume: bool,
    /// The state file of --follow/--resume (private: it holds the points; deleted once the
    /// bundle is written). Default: next to --out, `<name>.session`.
    #[arg(long)]
    pub(crate) state: Option<PathBuf>,
    /// With --follow: finish after the trace has not grown for this many seconds.
    #[arg(long, default_value_t = 10.0)]
    pub(crate) idle: f64,
}

/// `zkcontrib prove`.
pub fn prove(a: ProveArgs) -> Result<ExitCode, BadInput> {
    let policy = policy_file::load_policy(&a.policy)?;
    zkcontrib_verifier::bundle::parse_submitter(&a.submitter)
        .map_err(|e| BadInput(anyhow!("--submitter {}: {e}", a.submitter)))?;
    let shape = choose_shape(&policy, a.shape)?;
    if a.follow || a.resume {
        return super::follow::prove_streaming(
            &Follow {
                trace: &a.trace,
                submitter: &a.submitter,
                keys_dir: a.keys_dir.clone(),
                threads: a.threads,
                out: &a.out,
                quiet: a.quiet,
                json: a.json,
                follow: a.follow,
                resume: a.resume,
                state: a.state.clone(),
                idle: a.idle,
            },
            policy,
            shape,
        );
    }
    // The native check and the chunk plan first: a trace that breaks a rule, or that cannot be
    // split, is refused before any key is read.
    let points = ingest::read_points(&a.trace)?;
    let planned = match plan(&policy, shape, &points, &a.submitter, &a.trace, a.json)? {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    zkcontrib_prover::runtime::mem_mark("planned");
    let loaded = load_for_proving(&keys_dir(a.keys_dir), shape, a.quiet || a.json)?;
    let keys = &loaded.keys;
    if keys.meta.origin == Origin::DevSetup && !a.json {
        eprintln!(
            "note: proving with development keys (vk {})",
            keys.meta.vk_hash
        );
    }
    run_prove(ProveJob {
        planned,
        keys,
        matrices: &loaded.matrices,
        load_s: loaded.timings.total_s,
        threads: a.threads,
        out: &a.out,
        submitter: &a.submitter,
        quiet: a.quiet,
        json: a.json,
    })?;
    Ok(ExitCode::SUCCESS)
}

/// The native check and the chunk plan; `Err(1)` (after saying why) when the trace breaks a
/// rule.
pub(crate) fn plan<'a>(
    policy: &'a zkcontrib_circuits::policy::Policy,
    shape: Shape,
    points: &'a [zkcontrib_circuits::encode::Point],
    submitter: &'a str,
    trace: &Path,
    json: bool,
) -> Result<Result<Planned<'a>, ExitCode>, BadInput> {
    match Planned::new(policy, shape, points, submitter) {
        Ok(p) => Ok(Ok(p)),
        Err(ContributionError::NotQualifying { rules }) => Ok(Err(rejected(trace, &rules, json))),
        Err(e) => Err(BadInput(anyhow!("{}: {e}", trace.display()))),
    }
}

/// Proves a planned trace and writes the bundle and opening.
pub(crate) struct ProveJob<'a> {
    pub planned: Planned<'a>,
    pub keys: &'a Keys,
    pub matrices: &'a Matrices,
    /// Seconds spent loading the keys and matrices (printed with the proving time).
    pub load_s: f64,
    pub threads: Option<usize>,
    pub out: &'a Path,
    /// The submitter as the user typed it.
    pub submitter: &'a str,
    pub quiet: bool,
    pub json: bool,
}

pub(crate) fn run_prove(job: ProveJob<'_>) -> Result<Proven, BadInput> {
    let t = Instant::now();
    let bar = chunk_bar(job.quiet || job.json);
    let proven = with_threads(job.threads, || {
        job.planned
            .prove(job.keys, job.matrices, &mut rand::rngs::OsRng, |k, n| {
                bar.set_length(n as u64);
                bar.set_position(k as u64);
            })
    })
    .map_err(|e| BadInput(e.into()))?
    .map_err(|e| BadInput(e.into()))?;
    bar.finish_and_clear();
    let secs = t.elapsed().as_secs_f64();
    write_proven(
        &proven,
        &Outputs {
            out: job.out,
            submitter: job.submitter,
            keys: job.keys,
            load_s: job.load_s,
            threads: job.threads,
            json: job.json,
        },
        secs,
    )?;
    Ok(proven)
}
