//! `setup`, `prove`, `verify` and `demo`.

use crate::BadInput;
use anyhow::{anyhow, Context};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;
use zkcontrib_circuits::policy::Policy;
use zkcontrib_circuits::shape::{shape_by_name, Shape, COUNTRY, COUNTY};
use zkcontrib_prover::contribution::{prove_contribution, ContributionError, Proven};
use zkcontrib_prover::keys::{self, Keys, Origin};
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
    /// Circuit shape: test, county or country.
    #[arg(long)]
    shape: String,
    /// Where keys live (default: $ZKCONTRIB_KEYS_DIR or ~/.cache/zkcontrib/keys).
    #[arg(long)]
    keys_dir: Option<PathBuf>,
    /// Replace existing keys.
    #[arg(long)]
    force: bool,
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
    /// Circuit shape (default: the first of county, country that fits the policy).
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
    #[arg(long, default_value = "county")]
    shape: String,
    /// Proving threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
}

fn shape_arg(name: &str) -> Result<Shape, BadInput> {
    shape_by_name(name).ok_or_else(|| {
        BadInput(anyhow!(
            "unknown shape `{name}` (known: test, county, country)"
        ))
    })
}

fn load_keys(keys_dir: &Path, shape: Shape) -> Result<Keys, BadInput> {
    Keys::load(keys_dir, shape.name).map_err(|e| BadInput(e.into()))
}

fn print_keys(k: &Keys, dir: &Path) {
    println!("shape         {}", k.meta.shape);
    println!("constraints   {}", k.meta.constraints);
    println!("vk hash       {}", k.meta.vk_hash);
    println!(
        "proving key   {} ({})",
        dir.join("proving.key").display(),
        megabytes(k.meta.pk_bytes)
    );
}

/// `zkcontrib setup`.
pub fn setup(a: SetupArgs) -> Result<ExitCode, BadInput> {
    let shape = shape_arg(&a.shape)?;
    let keys_dir = a.keys_dir.unwrap_or_else(default_keys_dir);
    if !a.force {
        if let Ok(k) = Keys::load(&keys_dir, shape.name) {
            println!("keys exist (use --force to replace them)");
            print_keys(&k, &Keys::dir(&keys_dir, shape.name));
            return Ok(ExitCode::SUCCESS);
        }
    }
    eprintln!("{DEV_WARNING}");
    let t = Instant::now();
    let k = keys::setup(shape, &mut rand::rngs::OsRng).map_err(|e| BadInput(e.into()))?;
    let dir = k.write(&keys_dir).map_err(|e| BadInput(e.into()))?;
    print_keys(&k, &dir);
    println!("setup time    {:.1} s", t.elapsed().as_secs_f64());
    Ok(ExitCode::SUCCESS)
}

/// The shape to prove `policy` with: the requested one, or the first production shape it fits.
fn choose_shape(policy: &Policy, requested: Option<&str>) -> Result<Shape, BadInput> {
    if let Some(name) = requested {
        let s = shape_arg(name)?;
        s.check_policy(policy).map_err(|e| BadInput(e.into()))?;
        return Ok(s);
    }
    let mut why = Vec::new();
    for s in [COUNTY, COUNTRY] {
        match s.check_policy(policy) {
            Ok(()) => return Ok(s),
            Err(e) => why.push(e.to_string()),
        }
    }
    Err(BadInput(anyhow!(
        "the policy fits no production shape: {}",
        why.join("; ")
    )))
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
    policy: &'a Policy,
    trace: &'a Path,
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
    let points = ingest::read_points(job.trace)?;
    let t = Instant::now();
    let matrices = Matrices::new(job.keys.shape).map_err(|e| BadInput(e.into()))?;
    let bar = progress_bar(job.quiet);
    let result = with_threads(job.threads, || {
        prove_contribution(
            job.keys,
            &matrices,
            job.policy,
            &points,
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
        "claims        {} points, {} m, {} s",
        c.points, c.distance_m, c.duration_s
    );
    println!(
        "chunks        {} x {} points (shape {})",
        proven.bundle.chunks.len(),
        job.keys.shape.points,
        job.keys.shape.name
    );
    println!("contribution  {}", proven.bundle.contribution_id);
    println!(
        "time          {:.2} s ({:.0} points/s, {} threads)",
        secs,
        c.points as f64 / secs,
        job.threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
    );
    if let Some(b) = peak_rss_bytes() {
        println!("peak memory   {}", megabytes(b));
    }
    Ok(Ok(proven))
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(path)?.write_all(text.as_bytes())
}

/// `zkcontrib prove`.
pub fn prove(a: ProveArgs) -> Result<ExitCode, BadInput> {
    let policy = policy_file::load_policy(&a.policy)?;
    zkcontrib_verifier::bundle::decode_submitter(&a.submitter)
        .map_err(|e| BadInput(anyhow!("--submitter {}: {e}", a.submitter)))?;
    let shape = choose_shape(&policy, a.shape.as_deref())?;
    let keys_dir = a.keys_dir.unwrap_or_else(default_keys_dir);
    let keys = load_keys(&keys_dir, shape)?;
    if keys.meta.origin == Origin::DevSetup {
        eprintln!(
            "note: proving with development keys (vk {})",
            keys.meta.vk_hash
        );
    }
    match run_prove(ProveJob {
        keys: &keys,
        policy: &policy,
        trace: &a.trace,
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
    let _ = std::fs::remove_dir_all(&work);
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
    let (keys, fresh) = keys::load_or_setup(keys_dir, shape).map_err(|e| BadInput(e.into()))?;
    if fresh {
        eprintln!("{DEV_WARNING}");
        println!(
            "   set up in {:.1} s (cached for next time), vk {}",
            t.elapsed().as_secs_f64(),
            keys.meta.vk_hash
        );
    } else {
        println!(
            "   loaded in {:.1} s, vk {}",
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
    let proven = match run_prove(ProveJob {
        keys: &keys,
        policy: &policy,
        trace: &trace,
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
