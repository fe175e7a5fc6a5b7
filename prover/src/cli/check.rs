//! `zkcontrib check`: the native rules on a trace, no keys, no proof.

use super::BadInput;
use anyhow::Context;
use std::path::PathBuf;
use std::process::ExitCode;
use zkcontrib_circuits::rules::evaluate;
use zkcontrib_prover::{ingest, picture, policy_file, report::CheckReport};

/// `zkcontrib check`.
#[derive(clap::Args)]
pub struct CheckArgs {
    /// Trace file: GPX 1.0/1.1, CSV (`time,lat,lon[,hdop,sats]`) or GeoJSON.
    #[arg(long)]
    trace: PathBuf,
    /// Policy file (TOML or JSON).
    #[arg(long)]
    policy: PathBuf,
    /// Print the report as JSON (errors too).
    #[arg(long)]
    pub json: bool,
    /// Also draw the region, the trace and the violating points into this SVG file.
    #[arg(long, value_name = "OUT")]
    svg: Option<PathBuf>,
}

/// `zkcontrib check`.
pub fn check(a: CheckArgs) -> Result<ExitCode, BadInput> {
    let policy = policy_file::load_policy(&a.policy)?;
    let points = ingest::read_points(&a.trace)?;
    let eval = evaluate(&policy, &points);
    if let Some(out) = &a.svg {
        std::fs::write(out, picture::render(&policy, &points, &eval))
            .with_context(|| format!("{}: cannot write the picture", out.display()))?;
    }
    let report = CheckReport::new(&a.trace.display().to_string(), &policy, &eval);
    if a.json {
        println!("{}", report.to_json());
    } else {
        print!("{}", report.to_text(&policy));
        if let Some(out) = &a.svg {
            println!("picture {}", out.display());
        }
    }
    Ok(if eval.qualifies() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
