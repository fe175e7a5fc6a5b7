//! `setup`, `prove`, `verify` and `demo`.

use crate::BadInput;
use anyhow::{anyhow, Context};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;
use zkcontrib_circuits::encode::Point;
use zkcontrib_circuits::policy::Policy;
use zkcontrib_circuits::shape::{shape_by_name, Shape, EARTH};
use zkcontrib_prover::contribution::{self, prove_contribution, ContributionError, Proven};
use zkcontrib_prover::keys::{self, Keys, Origin};
use zkcontrib_prover::prepared;
use zkcontrib_prover::prove::Matrices;
use zkcontrib_prover::runtime::{default_keys_dir, megabytes, peak_rss_bytes, with_threads};
use zkcontrib_prover::verify::{verify_bundle, verify_bundles, Outcome, PolicyEntry};
use zkcontrib_prover::{ingest, policy_file};

const DEV_WARNING: &str = "\
WARNING: development setup. Whoever ran this setup knows its secret randomness and can forge
proofs for this shape. Never use these keys for a network that pays out: use keys from a
multi-party ceremony (docs/ceremony.md).";

/// `zkcontrib setup`.
#[derive(clap::Args)]
pub struct SetupArgs {
    /// Circuit shape: earth (production) or test.
    #[arg(long)]
    shape: String,
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
}

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
    #[arg(long)]
    shape: Option<String>,
    /// Proving threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Bundle to write; the private opening goes next to it as `<name>.opening.json`.
    #[arg(long)]
    out: PathBuf,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
}

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
    /// One JSON object per bundle.
    #[arg(long)]
    json: bool,
}

/// `zkcontrib demo`.
#[derive(clap::Args)]
pub struct DemoArgs {
    /// Where keys live (default: $ZKCONTRIB_KEYS_DIR or ~/.cache/zkcontrib/keys).
    #[arg(long)]
    keys_dir: Option<PathBuf>,
    /// Circuit shape.
    #[arg(long, default_value = "earth")]
    shape: String,
    /// Proving threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
}

fn shape_arg(name: &str) -> Result<Shape, BadInput> {
    shape_by_name(name)
        .ok_or_else(|| BadInput(anyhow!("unknown shape `{name}` (known: earth, test)")))
}

fn print_keys(k: &Keys, dir: &Path) {
    print_meta(&k.meta, dir);
}

fn print_meta(meta: &keys::KeyMeta, dir: &Path) {
    println!("shape         {}", meta.shape);
    println!("origin        {}", origin_label(meta.origin));
    println!("constraints   {}", meta.constraints);
    println!("vk hash       {}", meta.vk_hash);
    println!(
        "proving key   {} ({})",
        dir.join("proving.key").display(),
        megabytes(meta.pk_bytes)
    );
}

/// `zkcontrib setup`.
pub fn setup(a: SetupArgs) -> Result<ExitCode, BadInput> {
    let shape = shape_arg(&a.shape)?;
    let keys_dir = a.keys_dir.unwrap_or_else(default_keys_dir);
    if !a.force {
        // Existing keys are reported from their metadata and strictly checked verifying key
        // (milliseconds); the proving key is checked where it is used, by `prove`.
        if let (Ok(meta), Ok(_)) = (
            keys::load_meta(&keys_dir, shape.name),
            keys::load_vk(&keys_dir, shape.name),
        ) {
            println!("keys exist (use --force to replace them)");
            print_meta(&meta, &Keys::dir(&keys_dir, shape.name));
            return Ok(ExitCode::SUCCESS);
        }
    }
    let t = Instant::now();
    if let Some(zkey) = &a.from_zkey {
        let k = keys::import_zkey(shape, zkey).map_err(|e| BadInput(e.into()))?;
        let dir = k.write(&keys_dir).map_err(|e| BadInput(e.into()))?;
        prepare(&keys_dir, &k)?;
        print_keys(&k, &dir);
        let bytes = std::fs::read(zkey).with_context(|| format!("{}", zkey.display()))?;
        println!(
            "zkey          {} (sha256 0x{})",
            zkey.display(),
            hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes))
        );
        println!("import time   {:.1} s", t.elapsed().as_secs_f64());
        println!(
            "check the ceremony itself with `snarkjs zkey verify` (docs/ceremony.md) before using these keys"
        );
        return Ok(ExitCode::SUCCESS);
    }
    eprintln!("{DEV_WARNING}");
    let k = setup_and_prepare(&keys_dir, shape)?;
    let dir = Keys::dir(&keys_dir, shape.name);
    print_keys(&k, &dir);
    println!("setup time    {:.1} s", t.elapsed().as_secs_f64());
    Ok(ExitCode::SUCCESS)
}

/// A development setup, written with its prepared copy (so the first `prove` starts fast).
fn setup_and_prepare(keys_dir: &Path, shape: Shape) -> Result<Keys, BadInput> {
    let k = keys::setup(shape, &mut rand::rngs::OsRng).map_err(|e| BadInput(e.into()))?;
    k.write(keys_dir).map_err(|e| BadInput(e.into()))?;
    prepare(keys_dir, &k)?;
    Ok(k)
}

/// Writes the prepared copy of freshly written keys.
fn prepare(keys_dir: &Path, k: &Keys) -> Result<(), BadInput> {
    let m = Matrices::new(k.shape).map_err(|e| BadInput(e.into()))?;
    prepared::write(keys_dir, k, &m).map_err(|e| BadInput(e.into()))?;
    Ok(())
}

fn origin_label(origin: Origin) -> &'static str {
    match origin {
        Origin::DevSetup => "development setup (NOT FOR PRODUCTION)",
        Origin::Zkey => "ceremony (.zkey import, circom QAP)",
    }
}

/// The shape to prove `policy` with: the requested one, or the first production shape it fits.
fn choose_shape(policy: &Policy, requested: Option<&str>) -> Result<Shape, BadInput> {
    if let Some(name) = requested {
        let s = shape_arg(name)?;
        s.check_policy(policy).map_err(|e| BadInput(e.into()))?;
        return Ok(s);
    }
    EARTH
        .check_policy(policy)
        .map_err(|e| BadInput(anyhow!("the policy fits no production shape: {e}")))?;
    Ok(EARTH)
}

fn progress_bar(quiet: bool) -> ProgressBar {
    let bar = ProgressBar::new(0);
    if quiet || !std::io::stderr().is_terminal() {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    bar.set_style(
        ProgressStyle::with_template("proving chunk {pos}/{len} {bar:30} {elapsed} (eta {eta})")
            .expect("static template"),
    );
    bar
}

/// Proves and writes the bundle and opening; `Err(code)` when the trace is refused.
struct ProveJob<'a> {
    keys: &'a Keys,
    matrices: &'a Matrices,
    /// Seconds spent loading the keys and matrices (printed with the proving time).
    load_s: f64,
    policy: &'a Policy,
    trace: &'a Path,
    points: &'a [Point],
    submitter: &'a str,
    threads: Option<usize>,
    out: &'a Path,
    quiet: bool,
}

fn opening_path(out: &Path) -> PathBuf {
    let stem = out
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "bundle".into());
    out.with_file_name(format!("{stem}.opening.json"))
}

fn run_prove(job: ProveJob<'_>) -> Result<Result<Proven, ExitCode>, BadInput> {
    let t = Instant::now();
    let bar = progress_bar(job.quiet);
    let result = with_threads(job.threads, || {
        prove_contribution(
            job.keys,
            job.matrices,
            job.policy,
            job.points,
            job.submitter,
            &mut rand::rngs::OsRng,
            |k, n| {
                bar.set_length(n as u64);
                bar.set_position(k as u64);
            },
        )
    })
    .map_err(|e| BadInput(e.into()))?;
    bar.finish_and_clear();
    let proven = match result {
        Ok(p) => p,
        Err(ContributionError::NotQualifying { rules }) => {
            eprintln!(
                "{}: not proving: the trace breaks the policy's rules: {}. Run `zkcontrib check` for the offending points.",
                job.trace.display(),
                rules.join(", ")
            );
            return Ok(Err(ExitCode::from(1)));
        }
        Err(e) => return Err(BadInput(e.into())),
    };
    let secs = t.elapsed().as_secs_f64();
    let json = serde_json::to_string_pretty(&proven.bundle).map_err(anyhow::Error::from)?;
    std::fs::write(job.out, json + "\n")
        .with_context(|| format!("{}: cannot write the bundle", job.out.display()))?;
    let opening = opening_path(job.out);
    write_private(
        &opening,
        &serde_json::to_string_pretty(&proven.opening).map_err(anyhow::Error::from)?,
    )
    .with_context(|| format!("{}: cannot write the opening", opening.display()))?;
    let c = &proven.bundle.claims;
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
        job.keys.shape.points,
        job.keys.shape.name
    );
    println!("contribution  {}", proven.bundle.contribution_id);
    println!(
        "time          {:.2} s proving ({:.0} points/s, {} threads) + {:.2} s loading the keys",
        secs,
        c.points as f64 / secs,
        job.threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
        job.load_s
    );
    if let Some(b) = peak_rss_bytes() {
        println!("peak memory   {}", megabytes(b));
    }
    Ok(Ok(proven))
}

fn write_private(path: &Path, text: impl AsRef<[u8]>) -> std::io::Result<()> {
    use std::io::Write;
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(path)?.write_all(text.as_ref())
}

/// Prints why a trace is refused and returns exit code 1 when it breaks the policy.
fn refuse_if_not_qualifying(
    policy: &Policy,
    points: &[Point],
    trace: &Path,
) -> Result<(), ExitCode> {
    match contribution::check(policy, points) {
        Ok(_) => Ok(()),
        Err(ContributionError::NotQualifying { rules }) => {
            eprintln!(
                "{}: not proving: the trace breaks the policy's rules: {}. Run `zkcontrib check` for the offending points.",
                trace.display(),
                rules.join(", ")
            );
            Err(ExitCode::from(1))
        }
        Err(e) => {
            eprintln!("{}: {e}", trace.display());
            Err(ExitCode::from(2))
        }
    }
}

/// A shape's keys and matrices for proving: the prepared copy (a fraction of a second), built
/// from `proving.key` once when it is missing or stale (seconds; said on stderr).
fn load_for_proving(
    keys_dir: &Path,
    shape: Shape,
    quiet: bool,
) -> Result<prepared::Loaded, BadInput> {
    let path = Keys::dir(keys_dir, shape.name).join(prepared::FILE);
    let existed = path.exists();
    if !existed && !quiet && keys::load_meta(keys_dir, shape.name).is_ok() {
        eprintln!(
            "preparing the `{}` proving key for fast starts (once, a few seconds)",
            shape.name
        );
    }
    let loaded = prepared::load(keys_dir, shape.name).map_err(|e| BadInput(e.into()))?;
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

/// `zkcontrib prove`.
pub fn prove(a: ProveArgs) -> Result<ExitCode, BadInput> {
    let policy = policy_file::load_policy(&a.policy)?;
    zkcontrib_verifier::bundle::parse_submitter(&a.submitter)
        .map_err(|e| BadInput(anyhow!("--submitter {}: {e}", a.submitter)))?;
    let shape = choose_shape(&policy, a.shape.as_deref())?;
    // The native check first: a trace that breaks a rule is refused before any key is read.
    let points = ingest::read_points(&a.trace)?;
    if let Err(code) = refuse_if_not_qualifying(&policy, &points, &a.trace) {
        return Ok(code);
    }
    let keys_dir = a.keys_dir.unwrap_or_else(default_keys_dir);
    let loaded = load_for_proving(&keys_dir, shape, a.quiet)?;
    let keys = &loaded.keys;
    if keys.meta.origin == Origin::DevSetup {
        eprintln!(
            "note: proving with development keys (vk {})",
            keys.meta.vk_hash
        );
    }
    match run_prove(ProveJob {
        keys,
        matrices: &loaded.matrices,
        load_s: loaded.timings.total_s,
        policy: &policy,
        trace: &a.trace,
        points: &points,
        submitter: &a.submitter,
        threads: a.threads,
        out: &a.out,
        quiet: a.quiet,
    })? {
        Ok(_) => Ok(ExitCode::SUCCESS),
        Err(code) => Ok(code),
    }
}

/// `zkcontrib verify`: all bundles in one batch ([`verify_bundles`]).
pub fn verify(a: VerifyArgs) -> Result<ExitCode, BadInput> {
    let policy = policy_file::load_policy(&a.policy)?;
    let keys_dir = a.keys_dir.unwrap_or_else(default_keys_dir);
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

const DEMO_POLICY: &str = include_str!("../../fixtures/santa-clara-2017.toml");
const DEMO_STRICT: &str = include_str!("../../fixtures/santa-clara-strict.toml");
const DEMO_REGION: &str = include_str!("../../fixtures/santa-clara-county.geojson");
const DEMO_TRACE: &str = include_str!("../../fixtures/garmin-activity-santa-clara.gpx");

/// `zkcontrib demo`.
pub fn demo(a: DemoArgs) -> Result<ExitCode, BadInput> {
    let shape = shape_arg(&a.shape)?;
    let keys_dir = a.keys_dir.unwrap_or_else(default_keys_dir);
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
        setup_and_prepare(keys_dir, shape)?;
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
    let proven = match run_prove(ProveJob {
        keys,
        matrices: &loaded.matrices,
        load_s: loaded.timings.total_s,
        policy: &policy,
        trace: &trace,
        points: &points,
        submitter: "0x00000000000000000000000000000000000d3e40",
        threads,
        out: &out,
        quiet,
    })? {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
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
    #[arg(long)]
    shape: Option<String>,
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

fn to_json(v: &impl serde::Serialize) -> Result<String, BadInput> {
    Ok(serde_json::to_string_pretty(v).map_err(anyhow::Error::from)? + "\n")
}

/// `export snarkjs` and `export solidity`: both need a shape's verifying key.
fn export_keyed(a: ExportArgs) -> Result<ExitCode, BadInput> {
    use zkcontrib_prover::export::{bundle_chunks, snarkjs, solidity};
    let bundle = a.bundle.as_deref().map(read_bundle).transpose()?;
    let shape = match (&bundle, a.shape.as_deref()) {
        (Some(b), Some(s)) if b.shape != s => {
            return Err(BadInput(anyhow!(
                "--shape {s}: the bundle is for shape `{}`",
                b.shape
            )))
        }
        (Some(b), _) => shape_arg(&b.shape)?,
        (None, Some(s)) => shape_arg(s)?,
        (None, None) => {
            return Err(BadInput(anyhow!(
                "`zkcontrib export {}` needs --shape or --bundle",
                a.format.name()
            )))
        }
    };
    let keys_dir = a.keys_dir.unwrap_or_else(default_keys_dir);
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
    let name = a
        .shape
        .as_deref()
        .ok_or_else(|| BadInput(anyhow!("`zkcontrib export r1cs` needs --shape")))?;
    let shape = shape_arg(name)?;
    let m = Matrices::new(shape).map_err(|e| BadInput(e.into()))?;
    write_file(&a.out, zkcontrib_prover::export::r1cs::write(&m))?;
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
    use zkcontrib_prover::export::{chunk_assignment, wtns, ExportError};
    let need = |v: Option<PathBuf>, flag: &str| {
        v.ok_or_else(|| BadInput(anyhow!("`zkcontrib export wtns` needs {flag}")))
    };
    let trace = need(a.trace, "--trace")?;
    let policy_path = need(a.policy, "--policy")?;
    let submitter = a
        .submitter
        .ok_or_else(|| BadInput(anyhow!("`zkcontrib export wtns` needs --submitter")))?;
    let policy = policy_file::load_policy(&policy_path)?;
    let shape = choose_shape(&policy, a.shape.as_deref())?;
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
