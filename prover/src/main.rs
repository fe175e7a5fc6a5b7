//! The `zkcontrib` command-line tool; each subcommand lives in its own file under `cli/`.
//!
//! Exit codes: 0 success (the trace qualifies), 1 rejected (rules broken), 2 bad input or usage.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

mod cli;

use cli::BadInput;

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
    Check(cli::check::CheckArgs),
    /// Generate development proving/verifying keys for a circuit shape (NOT for production).
    Setup(cli::setup::SetupArgs),
    /// Prove that a trace meets a policy: writes a bundle (and its private opening).
    Prove(cli::prove::ProveArgs),
    /// Verify bundles against a policy and the pinned verifying keys.
    Verify(cli::verify::VerifyArgs),
    /// Export keys, proofs, the circuit or a witness for snarkjs, Solidity and ceremonies.
    Export(cli::export::ExportArgs),
    /// Run the whole flow on the bundled fixtures: keys (cached), prove, verify, summary.
    Demo(cli::demo::DemoArgs),
    /// Show a policy's canonical (integer) form and its policy_id.
    Policy(cli::policy::PolicyArgs),
}

impl Cmd {
    /// Whether the user asked for JSON (then errors are JSON on stdout too).
    fn json(&self) -> bool {
        match self {
            Cmd::Check(a) => a.json,
            Cmd::Setup(a) => a.json,
            Cmd::Prove(a) => a.json,
            Cmd::Verify(a) => a.json,
            Cmd::Policy(a) => a.json,
            Cmd::Export(_) | Cmd::Demo(_) => false,
        }
    }
}

fn run(cmd: Cmd) -> Result<ExitCode, BadInput> {
    match cmd {
        Cmd::Check(a) => cli::check::check(a),
        Cmd::Setup(a) => cli::setup::setup(a),
        Cmd::Prove(a) => cli::prove::prove(a),
        Cmd::Verify(a) => cli::verify::verify(a),
        Cmd::Export(a) => cli::export::export(a),
        Cmd::Demo(a) => cli::demo::demo(a),
        Cmd::Policy(a) => cli::policy::policy(a),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = cli.cmd.json();
    match run(cli.cmd) {
        Ok(code) => code,
        Err(e) => {
            if json {
                println!("{}", e.to_json());
            } else {
                eprintln!("error: {}", e.message());
            }
            ExitCode::from(2)
        }
    }
}
