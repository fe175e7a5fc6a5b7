//! `zkcontrib export`: keys, proofs, the circuit or a witness for snarkjs, Solidity and
//! ceremonies.

use super::{
    choose_shape, keys_dir, origin_label, shape_named, to_json, write_private, BadInput, ShapeName,
    DEV_WARNING,
};
use anyhow::{anyhow, Context};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use zkcontrib_prover::contribution::ContributionError;
use zkcontrib_prover::keys::{self, Origin};
use zkcontrib_prover::matrices::Matrices;
use zkcontrib_prover::{ingest, policy_file};

/// What `zkcontrib export` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// snarkjs JSON: verification_key.json; with --bundle, proof-K.json and public-K.json per
    /// chunk (--out is a directory).
    Snarkjs,
    /// A Solidity verifier contract for the shape's key; with --bundle, calldata.json with one
    /// call per chunk (--out is a directory).
    Solidity,
    /// The circuit of --shape in iden3 .r1cs format, for a snarkjs phase-2 ceremony (--out is a
    /// file).
    R1cs,
    /// One chunk's witness in iden3 .wtns format (--out is a file; private: it holds the trace).
    Wtns,
}

impl ExportFormat {
    fn name(self) -> &'static str {
        match self {
            Self::Snarkjs => "snarkjs",
            Self::Solidity => "solidity",
            Self::R1cs => "r1cs",
            Self::Wtns => "wtns",
        }
    }
}

/// `zkcontrib export`.
#[derive(clap::Args)]
pub struct ExportArgs {
    /// What to write.
    #[arg(value_enum)]
    format: ExportFormat,
    /// Circuit shape (snarkjs, solidity: default the bundle's; wtns: default as for prove).
    #[arg(long, value_enum)]
    shape: Option<ShapeName>,
    /// Bundle whose chunks to export (snarkjs, solidity).
    #[arg(long)]
    bundle: Option<PathBuf>,
    /// Where keys live (default: $ZKCONTRIB_KEYS_DIR or ~/.cache/zkcontrib/keys).
    #[arg(long)]
    keys_dir: Option<PathBuf>,
    /// Trace file (wtns).
    #[arg(long)]
    trace: Option<PathBuf>,
    /// Policy file (wtns).
    #[arg(long)]
    policy: Option<PathBuf>,
    /// Reward address (wtns).
    #[arg(long)]
    submitter: Option<String>,
    /// The private opening written next to the trace's bundle: export that bundle's chunk
    /// (wtns; without it the witness uses a fresh blinding and belongs to no bundle).
    #[arg(long)]
    opening: Option<PathBuf>,
    /// Chunk index (wtns).
    #[arg(long)]
    chunk: Option<usize>,
    /// Output: a directory (snarkjs, solidity) or a file (r1cs, wtns).
    #[arg(long)]
    out: PathBuf,
}

/// `zkcontrib export`.
pub fn export(a: ExportArgs) -> Result<ExitCode, BadInput> {
    use ExportFormat::*;
    let f = a.format;
    let given = [
        ("--bundle", a.bundle.is_some(), &[Snarkjs, Solidity][..]),
        ("--keys-dir", a.keys_dir.is_some(), &[Snarkjs, Solidity]),
        ("--trace", a.trace.is_some(), &[Wtns]),
        ("--policy", a.policy.is_some(), &[Wtns]),
        ("--submitter", a.submitter.is_some(), &[Wtns]),
        ("--opening", a.opening.is_some(), &[Wtns]),
        ("--chunk", a.chunk.is_some(), &[Wtns]),
    ];
    for (flag, set, formats) in given {
        if set && !formats.contains(&f) {
            return Err(BadInput(anyhow!(
                "{flag} is not used by `zkcontrib export {}`",
                f.name()
            )));
        }
    }
    match f {
        Snarkjs | Solidity => export_keyed(a),
        R1cs => export_r1cs(a),
        Wtns => export_wtns(a),
    }
}

fn read_bundle(path: &Path) -> Result<zkcontrib_verifier::Bundle, BadInput> {
    let bytes = std::fs::read(path).with_context(|| format!("{}: cannot read", path.display()))?;
    if bytes.len() > zkcontrib_verifier::bundle::MAX_BUNDLE_BYTES {
        return Err(BadInput(anyhow!(
            "{}: {} bytes is larger than any bundle",
            path.display(),
            bytes.len()
        )));
    }
    serde_json::from_slice(&bytes)
        .with_context(|| format!("{}: not a bundle", path.display()))
        .map_err(BadInput)
}

fn create_dir(dir: &Path) -> Result<(), BadInput> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("{}: cannot create the directory", dir.display()))
        .map_err(BadInput)
}

fn write_file(path: &Path, bytes: impl AsRef<[u8]>) -> Result<(), BadInput> {
    std::fs::write(path, bytes)
        .with_context(|| format!("{}: cannot write", path.display()))
        .map_err(BadInput)
}

/// `export snarkjs` and `export solidity`: both need a shape's verifying key.
fn export_keyed(a: ExportArgs) -> Result<ExitCode, BadInput> {
    use zkcontrib_prover::interop::{bundle_chunks, snarkjs, solidity};
    let bundle = a.bundle.as_deref().map(read_bundle).transpose()?;
    let shape = match (&bundle, a.shape) {
        (Some(b), Some(s)) if b.shape != s.shape().name => {
            return Err(BadInput(anyhow!(
                "--shape {}: the bundle is for shape `{}`",
                s.shape().name,
                b.shape
            )))
        }
        (Some(b), _) => shape_named(&b.shape)?,
        (None, Some(s)) => s.shape(),
        (None, None) => {
            return Err(BadInput(anyhow!(
                "`zkcontrib export {}` needs --shape or --bundle",
                a.format.name()
            )))
        }
    };
    let keys_dir = keys_dir(a.keys_dir);
    let meta = keys::load_meta(&keys_dir, shape.name).map_err(|e| BadInput(e.into()))?;
    let vk = keys::load_vk(&keys_dir, shape.name).map_err(|e| BadInput(e.into()))?;
    let chunks = match (&bundle, a.bundle.as_deref()) {
        (Some(b), Some(path)) => {
            if b.vk_hash != meta.vk_hash {
                return Err(BadInput(anyhow!(
                    "{}: proven with verifying key {}, but the `{}` keys in {} are {}; pass the keys directory the bundle was proven with",
                    path.display(),
                    b.vk_hash,
                    shape.name,
                    keys_dir.display(),
                    meta.vk_hash
                )));
            }
            bundle_chunks(b).map_err(|e| BadInput(anyhow!("{}: {e}", path.display())))?
        }
        _ => Vec::new(),
    };
    create_dir(&a.out)?;
    if meta.origin == Origin::DevSetup {
        eprintln!("{DEV_WARNING}");
    }
    println!("shape         {} (vk {})", shape.name, meta.vk_hash);
    println!("origin        {}", origin_label(meta.origin));
    match a.format {
        ExportFormat::Snarkjs => {
            let vk_path = a.out.join("verification_key.json");
            write_file(&vk_path, to_json(&snarkjs::vk_json(&vk))?)?;
            println!("verification  {}", vk_path.display());
            for (k, c) in chunks.iter().enumerate() {
                write_file(
                    &a.out.join(format!("proof-{k}.json")),
                    to_json(&snarkjs::proof_json(&c.proof))?,
                )?;
                write_file(
                    &a.out.join(format!("public-{k}.json")),
                    to_json(&snarkjs::public_json(&c.inputs))?,
                )?;
            }
            if !chunks.is_empty() {
                println!(
                    "chunks        {} (proof-K.json, public-K.json for K = 0..{})",
                    chunks.len(),
                    chunks.len() - 1
                );
                println!(
                    "check with    npx snarkjs groth16 verify {} {} {}",
                    vk_path.display(),
                    a.out.join("public-0.json").display(),
                    a.out.join("proof-0.json").display()
                );
            }
        }
        ExportFormat::Solidity => {
            let name = solidity::contract_name(shape.name);
            let sol = a.out.join(format!("{name}.sol"));
            let label = solidity::KeyLabel {
                shape: shape.name,
                vk_hash: &meta.vk_hash,
                origin: origin_label(meta.origin),
            };
            let source = solidity::contract(&vk, &label)
                .map_err(|e| BadInput(anyhow!("{}: {e}", keys_dir.display())))?;
            write_file(&sol, source)?;
            println!("contract      {} ({name})", sol.display());
            println!("function      {}", solidity::SIGNATURE);
            if !chunks.is_empty() {
                let calls = solidity::CalldataJson {
                    contract: name,
                    function: solidity::SIGNATURE.into(),
                    vk_hash: meta.vk_hash.clone(),
                    chunks: chunks
                        .iter()
                        .map(|c| {
                            format!("0x{}", hex::encode(solidity::calldata(&c.proof, &c.inputs)))
                        })
                        .collect(),
                };
                let path = a.out.join("calldata.json");
                write_file(&path, to_json(&calls)?)?;
                println!("calldata      {} ({} chunks)", path.display(), chunks.len());
            }
        }
        _ => unreachable!("export_keyed handles snarkjs and solidity"),
    }
    Ok(ExitCode::SUCCESS)
}

/// `export r1cs`.
fn export_r1cs(a: ExportArgs) -> Result<ExitCode, BadInput> {
    let shape = a
        .shape
        .ok_or_else(|| BadInput(anyhow!("`zkcontrib export r1cs` needs --shape")))?
        .shape();
    let m = Matrices::new(shape).map_err(|e| BadInput(e.into()))?;
    write_file(&a.out, zkcontrib_prover::interop::r1cs::write(&m))?;
    let rows = m.num_constraints + m.num_instance;
    let power = rows.next_power_of_two().trailing_zeros();
    println!("r1cs          {}", a.out.display());
    println!("shape         {}", shape.name);
    println!("constraints   {}", m.num_constraints);
    println!(
        "wires         {} (1, {} public inputs, {} witnesses)",
        m.num_instance + m.num_witness,
        m.num_instance - 1,
        m.num_witness
    );
    println!("powers of tau power >= {power} (2^{power} >= {rows} constraints + inputs + 1)");
    Ok(ExitCode::SUCCESS)
}

/// `export wtns`.
fn export_wtns(a: ExportArgs) -> Result<ExitCode, BadInput> {
    use zkcontrib_prover::contribution::Opening;
    use zkcontrib_prover::interop::{chunk_assignment, wtns, ExportError};
    let need = |v: Option<PathBuf>, flag: &str| {
        v.ok_or_else(|| BadInput(anyhow!("`zkcontrib export wtns` needs {flag}")))
    };
    let trace = need(a.trace, "--trace")?;
    let policy_path = need(a.policy, "--policy")?;
    let submitter = a
        .submitter
        .ok_or_else(|| BadInput(anyhow!("`zkcontrib export wtns` needs --submitter")))?;
    let policy = policy_file::load_policy(&policy_path)?;
    let shape = choose_shape(&policy, a.shape)?;
    let opening: Option<Opening> = match &a.opening {
        Some(p) => Some(
            serde_json::from_slice(
                &std::fs::read(p).with_context(|| format!("{}: cannot read", p.display()))?,
            )
            .with_context(|| format!("{}: not an opening", p.display()))?,
        ),
        None => None,
    };
    let points = ingest::read_points(&trace)?;
    let m = Matrices::new(shape).map_err(|e| BadInput(e.into()))?;
    let chunk = a.chunk.unwrap_or(0);
    let (z, n) = match chunk_assignment(&m, &policy, &points, &submitter, opening.as_ref(), chunk) {
        Ok(r) => r,
        Err(ExportError::Contribution(ContributionError::NotQualifying { rules })) => {
            eprintln!(
                "{}: no witness: the trace breaks the policy's rules: {}. Run `zkcontrib check` for the offending points.",
                trace.display(),
                rules.join(", ")
            );
            return Ok(ExitCode::from(1));
        }
        Err(ExportError::OpeningMismatch { opening: id }) => {
            return Err(BadInput(anyhow!(
                "{}: {}",
                a.opening
                    .as_deref()
                    .unwrap_or(Path::new("--opening"))
                    .display(),
                ExportError::OpeningMismatch { opening: id }
            )))
        }
        Err(e) => return Err(BadInput(anyhow!("{}: {e}", trace.display()))),
    };
    write_private(&a.out, wtns::write(&z))
        .with_context(|| format!("{}: cannot write", a.out.display()))?;
    println!(
        "witness       {} (private: it contains the trace)",
        a.out.display()
    );
    println!("chunk         {chunk} of {n} (shape {})", shape.name);
    println!("wires         {}", z.len());
    if opening.is_none() {
        println!("note          fresh blinding: this witness belongs to no bundle (pass --opening for a bundle's chunk)");
    }
    Ok(ExitCode::SUCCESS)
}
