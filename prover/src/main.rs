//! The `zkcontrib` command-line tool.
//!
//! Exit codes: 0 success (the trace qualifies), 1 rejected (rules broken), 2 bad input or usage.

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use zkcontrib_circuits::rules::evaluate;
use zkcontrib_prover::{ingest, picture, policy_file, report::CheckReport};

mod commands;

#[derive(Parser)]
#[command(
    name = "zkcontrib",
    version,
    about = "Prove that a data contribution meets a DePIN network's quality rules without revealing it"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Check a trace against a policy (natively, no proof): claims and every broken rule.
    Check {
        /// Trace file: GPX 1.0/1.1, CSV (`time,lat,lon[,hdop,sats]`) or GeoJSON.
        #[arg(long)]
        trace: PathBuf,
        /// Policy file (TOML or JSON).
        #[arg(long)]
        policy: PathBuf,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        /// Also draw the region, the trace and the violating points into this SVG file.
        #[arg(long, value_name = "OUT")]
        svg: Option<PathBuf>,
    },
    /// Generate development proving/verifying keys for a circuit shape (NOT for production).
    Setup(commands::SetupArgs),
    /// Prove that a trace meets a policy: writes a bundle (and its private opening).
    Prove(commands::ProveArgs),
    /// Verify bundles against a policy and the pinned verifying keys.
    Verify(commands::VerifyArgs),
    /// Export keys, proofs, the circuit or a witness for snarkjs, Solidity and ceremonies.
    Export(commands::ExportArgs),
    /// Run the whole flow on the bundled fixtures: keys (cached), prove, verify, summary.
    Demo(commands::DemoArgs),
    /// Show a policy's canonical (integer) form and its policy_id.
    Policy {
        /// Policy file (TOML or JSON).
        #[arg(long)]
        policy: PathBuf,
        /// Print the canonical form as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// An error that means "bad input" (exit 2), as opposed to a rejected trace (exit 1).
pub(crate) struct BadInput(pub(crate) anyhow::Error);

impl<E: Into<anyhow::Error>> From<E> for BadInput {
    fn from(e: E) -> Self {
        BadInput(e.into())
    }
}

fn run(cli: Cli) -> Result<ExitCode, BadInput> {
    match cli.cmd {
        Cmd::Setup(a) => commands::setup(a),
        Cmd::Prove(a) => commands::prove(a),
        Cmd::Verify(a) => commands::verify(a),
        Cmd::Demo(a) => commands::demo(a),
        Cmd::Export(a) => commands::export(a),
        Cmd::Check {
            trace,
            policy,
            json,
            svg,
        } => {
            let policy = policy_file::load_policy(&policy)?;
            let points = ingest::read_points(&trace)?;
            let eval = evaluate(&policy, &points);
            let report = CheckReport::new(&trace.display().to_string(), &policy, &eval);
            if json {
                println!("{}", report.to_json());
            } else {
                print!("{}", report.to_text(&policy));
            }
            if let Some(out) = svg {
                std::fs::write(&out, picture::render(&policy, &points, &eval))
                    .with_context(|| format!("{}: cannot write the picture", out.display()))?;
                if !json {
                    println!("picture {}", out.display());
                }
            }
            Ok(if eval.qualifies() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Cmd::Policy { policy, json } => {
            let p = policy_file::load_policy(&policy)?;
            let params = p.params();
            if json {
                let v = serde_json::json!({
                    "name": p.name(),
                    "policy_id": p.id_hex(),
                    "params": params,
                    "region": p.region().report(),
                });
                println!(
                    "{}",
                    serde_json::to_string_pretty(&v).map_err(anyhow::Error::from)?
                );
            } else {
                println!("name          {}", p.name());
                println!("policy_id     {}", p.id_hex());
                println!(
                    "window        {} .. {} ms",
                    params.not_before_ms, params.not_after_ms
                );
                println!(
                    "intervals     {} .. {} ms",
                    params.min_interval_ms, params.max_interval_ms
                );
                println!(
                    "speed         {} mm/s ({} units/ms, steps < 2^{} units, tolerance {})",
                    params.max_speed_mmps,
                    params.speed_units,
                    params.step_bits,
                    params.speed_tolerance
                );
                println!(
                    "thresholds    {} points, {} m, {} bp inside",
                    params.min_points, params.min_distance_m, params.min_inside_bp
                );
                let r = p.region().report();
                println!(
                    "region        {} items (4-ary depth {}), root {}",
                    params.region_items, params.region_depth, params.region_root
                );
                println!(
                    "              {} polygon(s) of {} read ({} vertices), {:.0} km²: {} core squares, {} boundary triangles, {} overlapping squares down to level {}",
                    r.polygons,
                    r.input_polygons,
                    r.input_vertices,
                    r.area_km2,
                    r.core_squares,
                    r.band_triangles,
                    r.planning_squares,
                    r.planning_level
                );
                if r.excluded_km2 > 0.0 {
                    println!("exclusion     {:.1} km² removed", r.excluded_km2);
                }
                if r.repairs.is_empty() {
                    println!("repairs       none (the boundary file is valid)");
                } else {
                    println!("repairs       {}", r.repairs.len());
                    for rep in &r.repairs {
                        println!("  polygon {}: {}: {}", rep.polygon, rep.problem, rep.action);
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(BadInput(e)) => {
            // One line: the cause chain joined, naming the file and point where known.
            let msg: Vec<String> = e.chain().map(|c| c.to_string()).collect();
            eprintln!("error: {}", msg.join(": "));
            ExitCode::from(2)
        }
    }
}
