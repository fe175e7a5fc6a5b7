//! `zkcontrib prove`: check and plan the trace, load the keys, prove, write the bundle and
//! its private opening.

use super::{
    choose_shape, chunk_bar, keys_dir, origin_json, spinner, threads_used, write_private, BadInput,
    ShapeName,
};
use anyhow::{anyhow, Context};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;
use zkcontrib_circuits::shape::Shape;
use zkcontrib_prover::contribution::{ContributionError, Planned, Proven};
use zkcontrib_prover::keys::{self, Keys, Origin};
use zkcontrib_prover::matrices::Matrices;
use zkcontrib_prover::prepared;
use zkcontrib_prover::runtime::{megabytes, peak_rss_bytes, with_threads};
use zkcontrib_prover::{ingest, policy_file};

/// `zkcontrib prove`.
#[derive(clap::Args)]
pub struct ProveArgs {
    /// Trace file: GPX, CSV or GeoJSON.
    #[arg(long)]
    trace: PathBuf,
    /// Policy file (TOML or JSON).
    #[arg(long)]
    policy: PathBuf,
    /// Reward address the proof is bound to (0x + hex, at most 32 bytes).
    #[arg(long)]
    submitter: String,
    /// Where keys live (default: $ZKCONTRIB_KEYS_DIR or ~/.cache/zkcontrib/keys).
    #[arg(long)]
    keys_dir: Option<PathBuf>,
    /// Circuit shape (default: earth, the production shape).
    #[arg(long, value_enum)]
    shape: Option<ShapeName>,
    /// Proving threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Bundle to write; the private opening goes next to it as `<name>.opening.json`.
    #[arg(long)]
    out: PathBuf,
    /// No progress display.
    #[arg(long)]
    quiet: bool,
    /// Print the result as one JSON object (errors and refusals too; docs/formats.md).
    #[arg(long)]
    pub json: bool,
}

/// `zkcontrib prove`.
pub fn prove(a: ProveArgs) -> Result<ExitCode, BadInput> {
    let policy = policy_file::load_policy(&a.policy)?;
    zkcontrib_verifier::bundle::parse_submitter(&a.submitter)
        .map_err(|e| BadInput(anyhow!("--submitter {}: {e}", a.submitter)))?;
    let shape = choose_shape(&policy, a.shape)?;
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
        Err(ContributionError::NotQualifying { rules }) => {
            if json {
                println!(
                    "{}",
                    serde_json::json!({
                        "status": "rejected",
                        "trace": trace.display().to_string(),
                        "broken_rules": rules,
                        "message": "the trace breaks the policy's rules; nothing was proven",
                    })
                );
            } else {
                eprintln!(
                    "{}: not proving: the trace breaks the policy's rules: {}. Run `zkcontrib check` for the offending points.",
                    trace.display(),
                    rules.join(", ")
                );
            }
            Ok(Err(ExitCode::from(1)))
        }
        Err(e) => Err(BadInput(anyhow!("{}: {e}", trace.display()))),
    }
}

/// A shape's keys and matrices for proving: the prepared copy (a fraction of a second), built
/// from `proving.key` once when it is missing or stale (seconds; shown with a spinner).
pub(crate) fn load_for_proving(
    keys_dir: &Path,
    shape: Shape,
    quiet: bool,
) -> Result<prepared::Loaded, BadInput> {
    let path = Keys::dir(keys_dir, shape.name).join(prepared::FILE);
    let existed = path.exists();
    // Only the slow path (no prepared copy yet) needs a spinner; a prepared load is ~0.2 s.
    let bar = if !existed && keys::load_meta(keys_dir, shape.name).is_ok() {
        if !quiet && !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
            eprintln!(
                "preparing the `{}` proving key for fast starts (once, a few seconds)",
                shape.name
            );
        }
        spinner(
            quiet,
            format!(
                "preparing the `{}` proving key for fast starts (once)",
                shape.name
            ),
        )
    } else {
        indicatif::ProgressBar::hidden()
    };
    let loaded = prepared::load(keys_dir, shape.name).map_err(|e| BadInput(e.into()));
    bar.finish_and_clear();
    let loaded = loaded?;
    if let prepared::Source::Rebuilt { reason, written } = &loaded.source {
        if existed {
            eprintln!("note: {}: not used ({reason}); rebuilt", path.display());
        }
        if let Err(e) = written {
            eprintln!("note: the prepared key could not be saved ({e}); the next start will be slow again");
        }
    }
    Ok(loaded)
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

fn opening_path(out: &Path) -> PathBuf {
    let stem = out
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "bundle".into());
    out.with_file_name(format!("{stem}.opening.json"))
}

pub(crate) fn run_prove(job: ProveJob<'_>) -> Result<Proven, BadInput> {
    let t = Instant::now();
    let bar = chunk_bar(job.quiet || job.json);
    let chunk_points = job.keys.shape.points;
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
    let json = serde_json::to_string_pretty(&proven.bundle).map_err(anyhow::Error::from)?;
    std::fs::write(job.out, json + "\n")
        .with_context(|| format!("{}: cannot write the bundle", job.out.display()))?;
    let opening = opening_path(job.out);
    write_private(
        &opening,
        serde_json::to_string_pretty(&proven.opening).map_err(anyhow::Error::from)?,
    )
    .with_context(|| format!("{}: cannot write the opening", opening.display()))?;
    let c = &proven.bundle.claims;
    let threads = threads_used(job.threads);
    let peak = peak_rss_bytes();
    if job.json {
        println!(
            "{}",
            serde_json::json!({
                "status": "proven",
                "bundle": job.out.display().to_string(),
                "opening": opening.display().to_string(),
                "claims": c,
                "chunks": proven.bundle.chunks.len(),
                "chunk_points": chunk_points,
                "shape": job.keys.shape.name,
                "vk_hash": job.keys.meta.vk_hash,
                "keys_origin": origin_json(job.keys.meta.origin),
                "submitter": proven.bundle.submitter,
                "contribution_id": proven.bundle.contribution_id,
                "time": {
                    "proving_s": secs,
                    "load_s": job.load_s,
                    "threads": threads,
                    "points_per_s": c.points as f64 / secs,
                },
                "peak_memory_bytes": peak,
            })
        );
        return Ok(proven);
    }
    println!("bundle        {}", job.out.display());
    println!(
        "opening       {} (private: keep it, never submit it)",
        opening.display()
    );
    println!(
        "claims        {} points, {} m, {}",
        c.points,
        c.distance_m,
        zkcontrib_prover::report::duration(c.duration_s)
    );
    println!(
        "chunks        {} x {} points (shape {})",
        proven.bundle.chunks.len(),
        chunk_points,
        job.keys.shape.name
    );
    println!("contribution  {}", proven.bundle.contribution_id);
    if proven.bundle.submitter != job.submitter.to_ascii_lowercase() {
        // The proof binds the address as a number; the bundle writes it at one width.
        println!(
            "submitter     {} (the canonical width of {})",
            proven.bundle.submitter, job.submitter
        );
    }
    println!(
        "time          {:.2} s proving ({:.0} points/s, {} threads) + {:.2} s loading the keys",
        secs,
        c.points as f64 / secs,
        threads,
        job.load_s
    );
    if let Some(b) = peak {
        println!("peak memory   {}", megabytes(b));
    }
    Ok(proven)
}
