//! `zkcontrib setup`: development keys for a shape, or the import of a ceremony's `.zkey`.

use super::{keys_dir, origin_json, origin_label, spinner, BadInput, ShapeName, DEV_WARNING};
use anyhow::Context;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;
use zkcontrib_circuits::shape::Shape;
use zkcontrib_prover::keys::{self, KeyMeta, Keys};
use zkcontrib_prover::matrices::Matrices;
use zkcontrib_prover::prepared;
use zkcontrib_prover::runtime::megabytes;

/// `zkcontrib setup`.
#[derive(clap::Args)]
pub struct SetupArgs {
    /// Circuit shape: earth (production) or test.
    #[arg(long, value_enum)]
    shape: ShapeName,
    /// Where keys live (default: $ZKCONTRIB_KEYS_DIR or ~/.cache/zkcontrib/keys).
    #[arg(long)]
    keys_dir: Option<PathBuf>,
    /// Replace existing keys.
    #[arg(long)]
    force: bool,
    /// Import the result of a snarkjs phase-2 ceremony instead of running a development setup
    /// (docs/ceremony.md).
    #[arg(long, value_name = "FILE")]
    from_zkey: Option<PathBuf>,
    /// QAP reduction of a development setup: coset (four FFTs per proof) or arkworks (keys
    /// stock arkworks' `Groth16::prove` can use, six FFTs with zkcontrib). Ignored with
    /// --from-zkey (snarkjs' reduction).
    #[arg(long, value_enum, default_value = "coset")]
    qap: QapName,
    /// Print the result as one JSON object (errors too; docs/formats.md).
    #[arg(long)]
    pub json: bool,
    /// No progress display.
    #[arg(long)]
    quiet: bool,
}

/// The QAP reductions a development setup can make keys for.
#[derive(Clone, Copy, clap::ValueEnum)]
enum QapName {
    Coset,
    Arkworks,
}

/// What `setup` did.
enum Done {
    Existed,
    Created,
    Imported { zkey: PathBuf, sha256: String },
}

/// `zkcontrib setup`.
pub fn setup(a: SetupArgs) -> Result<ExitCode, BadInput> {
    let shape = a.shape.shape();
    let keys_dir = keys_dir(a.keys_dir);
    let dir = Keys::dir(&keys_dir, shape.name);
    if !a.force {
        // Existing keys are reported from their metadata and strictly checked verifying key
        // (milliseconds); the proving key is checked where it is used, by `prove`.
        if let (Ok(meta), Ok(_)) = (
            keys::load_meta(&keys_dir, shape.name),
            keys::load_vk(&keys_dir, shape.name),
        ) {
            report(&meta, &dir, Done::Existed, 0.0, a.json);
            return Ok(ExitCode::SUCCESS);
        }
    }
    let t = Instant::now();
    if let Some(zkey) = &a.from_zkey {
        let bar = spinner(a.quiet, format!("importing {}", zkey.display()));
        let k = keys::import_zkey(shape, zkey).map_err(|e| BadInput(e.into()))?;
        k.write(&keys_dir).map_err(|e| BadInput(e.into()))?;
        bar.set_message("preparing the proving key for fast starts");
        prepare(&keys_dir, &k)?;
        bar.finish_and_clear();
        let bytes = std::fs::read(zkey).with_context(|| format!("{}", zkey.display()))?;
        let sha256 = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes));
        let done = Done::Imported {
            zkey: zkey.clone(),
            sha256,
        };
        report(&k.meta, &dir, done, t.elapsed().as_secs_f64(), a.json);
        return Ok(ExitCode::SUCCESS);
    }
    eprintln!("{DEV_WARNING}");
    let qap = match a.qap {
        QapName::Coset => keys::Qap::Coset,
        QapName::Arkworks => keys::Qap::Arkworks,
    };
    let k = setup_and_prepare(&keys_dir, shape, qap, a.quiet)?;
    report(
        &k.meta,
        &dir,
        Done::Created,
        t.elapsed().as_secs_f64(),
        a.json,
    );
    Ok(ExitCode::SUCCESS)
}

fn report(meta: &KeyMeta, dir: &Path, done: Done, secs: f64, json: bool) {
    let pk = dir.join("proving.key");
    if json {
        let mut v = serde_json::json!({
            "status": match done {
                Done::Existed => "exists",
                Done::Created => "created",
                Done::Imported { .. } => "imported",
            },
            "shape": meta.shape,
            "origin": origin_json(meta.origin),
            "constraints": meta.constraints,
            "vk_hash": meta.vk_hash,
            "qap": meta.qap,
            "keys_dir": dir.display().to_string(),
            "proving_key": pk.display().to_string(),
            "proving_key_bytes": meta.pk_bytes,
            "time_s": secs,
        });
        if let Done::Imported { zkey, sha256 } = &done {
            v["zkey"] = serde_json::json!({"path": zkey.display().to_string(), "sha256": format!("0x{sha256}")});
        }
        println!("{v}");
        return;
    }
    if let Done::Existed = done {
        println!("keys exist (use --force to replace them)");
    }
    print_meta(meta, dir);
    match done {
        Done::Existed => {}
        Done::Created => println!("setup time    {secs:.1} s"),
        Done::Imported { zkey, sha256 } => {
            println!("zkey          {} (sha256 0x{sha256})", zkey.display());
            println!("import time   {secs:.1} s");
            println!(
                "check the ceremony itself with `snarkjs zkey verify` (docs/ceremony.md) before using these keys"
            );
        }
    }
}

pub(crate) fn print_meta(meta: &KeyMeta, dir: &Path) {
    println!("shape         {}", meta.shape);
    println!("origin        {}", origin_label(meta.origin));
    println!("constraints   {}", meta.constraints);
    println!(
        "qap           {}",
        match meta.qap {
            keys::Qap::Coset => "coset (4 FFTs per proof)",
            keys::Qap::Arkworks => "arkworks",
            keys::Qap::Circom => "circom",
        }
    );
    println!("vk hash       {}", meta.vk_hash);
    println!(
        "proving key   {} ({})",
        dir.join("proving.key").display(),
        megabytes(meta.pk_bytes)
    );
}

/// A development setup, written with its prepared copy (so the first `prove` starts fast).
pub(crate) fn setup_and_prepare(
    keys_dir: &Path,
    shape: Shape,
    qap: keys::Qap,
    quiet: bool,
) -> Result<Keys, BadInput> {
    let bar = spinner(
        quiet,
        format!(
            "development setup for shape `{}` (seconds to a minute)",
            shape.name
        ),
    );
    let k = keys::setup_with(shape, qap, &mut rand::rngs::OsRng).map_err(|e| BadInput(e.into()))?;
    bar.set_message("writing the keys");
    k.write(keys_dir).map_err(|e| BadInput(e.into()))?;
    bar.set_message("preparing the proving key for fast starts");
    prepare(keys_dir, &k)?;
    bar.finish_and_clear();
    Ok(k)
}

/// Writes the prepared copy of freshly written keys.
fn prepare(keys_dir: &Path, k: &Keys) -> Result<(), BadInput> {
    let m = Matrices::new(k.shape).map_err(|e| BadInput(e.into()))?;
    prepared::write(keys_dir, k, &m).map_err(|e| BadInput(e.into()))?;
    Ok(())
}
