//! `zkcontrib verify`: bundles against a policy file and the keys directory, in one batch.

use super::{keys_dir, BadInput};
use anyhow::Context;
use std::path::PathBuf;
use std::process::ExitCode;
use zkcontrib_prover::policy_file;
use zkcontrib_prover::verify::{verify_bundles, Outcome, PolicyEntry};

/// `zkcontrib verify`.
#[derive(clap::Args)]
pub struct VerifyArgs {
    /// Bundle files.
    #[arg(required = true)]
    bundles: Vec<PathBuf>,
    /// The policy the bundles must have been proven against.
    #[arg(long)]
    policy: PathBuf,
    /// Where keys live (default: $ZKCONTRIB_KEYS_DIR or ~/.cache/zkcontrib/keys).
    #[arg(long)]
    keys_dir: Option<PathBuf>,
    /// One JSON object per bundle, one per line (errors as one JSON object; docs/formats.md).
    #[arg(long)]
    pub json: bool,
}

/// `zkcontrib verify`: all bundles in one batch ([`verify_bundles`]).
pub fn verify(a: VerifyArgs) -> Result<ExitCode, BadInput> {
    let policy = policy_file::load_policy(&a.policy)?;
    let keys_dir = keys_dir(a.keys_dir);
    let entry = PolicyEntry::new(&policy);
    let files = a
        .bundles
        .iter()
        .map(|path| std::fs::read(path).with_context(|| format!("{}: cannot read", path.display())))
        .collect::<Result<Vec<_>, _>>()?;
    let refs: Vec<&[u8]> = files.iter().map(Vec::as_slice).collect();
    let outcomes = verify_bundles(&keys_dir, &entry, &refs);
    let mut all_ok = true;
    for (path, outcome) in a.bundles.iter().zip(&outcomes) {
        all_ok &= outcome.is_accepted();
        if a.json {
            println!("{}", outcome.to_json(&path.display().to_string()));
        } else {
            println!("{}: {}", path.display(), outcome);
        }
    }
    // A configuration problem (no or damaged verifying key) is the validator's to fix: exit
    // 2, like bad input, never a verdict on the bundle.
    if outcomes
        .iter()
        .any(|o| matches!(o, Outcome::Configuration(_)))
    {
        return Ok(ExitCode::from(2));
    }
    if let [Outcome::Malformed(_)] = outcomes.as_slice() {
        return Ok(ExitCode::from(2));
    }
    Ok(if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
