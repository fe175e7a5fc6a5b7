//! What `prove`, `prove --follow` and `demo` share: the keys loaded for proving, and a proven
//! contribution written out (bundle, private opening) and summarised.

use super::{origin_json, spinner, threads_used, write_private, BadInput};
use anyhow::Context;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use zkcontrib_circuits::shape::Shape;
use zkcontrib_prover::contribution::Proven;
use zkcontrib_prover::keys::{self, Keys};
use zkcontrib_prover::prepared;
use zkcontrib_prover::runtime::{megabytes, peak_rss_bytes};

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

/// A file next to the bundle `out`, named after its stem: `<stem>.<suffix>` (the opening,
/// `opening.json`; the `--follow` state, `session`).
pub(crate) fn beside(out: &Path, suffix: &str) -> PathBuf {
    let stem = out
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "bundle".into());
    out.with_file_name(format!("{stem}.{suffix}"))
}

/// Where a proven contribution goes and what is said about it.
pub(crate) struct Outputs<'a> {
    pub out: &'a Path,
    /// The submitter as the user typed it.
    pub submitter: &'a str,
    pub keys: &'a Keys,
    /// Seconds spent loading the keys and matrices.
    pub load_s: f64,
    pub threads: Option<usize>,
    pub json: bool,
}

/// Writes the bundle and the private opening and prints the summary (`secs`: proving time).
pub(crate) fn write_proven(proven: &Proven, job: &Outputs<'_>, secs: f64) -> Result<(), BadInput> {
    let chunk_points = job.keys.shape.points;
    let json = serde_json::to_string_pretty(&proven.bundle).map_err(anyhow::Error::from)?;
    std::fs::write(job.out, json + "\n")
        .with_context(|| format!("{}: cannot write the bundle", job.out.display()))?;
    let opening = beside(job.out, "opening.json");
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
        return Ok(());
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
    Ok(())
}

/// Says that `trace` breaks the policy's `rules` (stderr, or one JSON object on stdout) and
/// returns exit code 1: nothing was proven.
pub(crate) fn rejected(trace: &Path, rules: &[&str], json: bool) -> ExitCode {
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
    ExitCode::from(1)
}
