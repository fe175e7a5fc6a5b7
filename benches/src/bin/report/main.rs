//! The benchmark report: measures every shape's circuit, keys and proving, a contribution end to
//! end (time and peak memory, in a child process), and verification single and in batches;
//! prints it and writes `BENCHMARKS.md` plus the chart `benchmarks.svg`.
//!
//! ```text
//! cargo run --release -p zkcontrib-benches --bin report            # writes docs/
//! cargo run --release -p zkcontrib-benches --bin report -- --quick # test shape, < 2 min,
//!                                                                   # writes target/bench-report/
//! ```
//!
//! `--out DIR` writes elsewhere. Timings are wall-clock medians: run it on an otherwise idle
//! machine (the report records the load average before and after).

use rand::{rngs::StdRng, SeedableRng};
use std::fmt::Write as _;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;
use zkcontrib_benches::{bench_keys, bench_keys_dir, full_chunk, verify_workload};
use zkcontrib_circuits::circuit::layout;
use zkcontrib_circuits::shape::{shape_by_name, Shape, EARTH, TEST};
use zkcontrib_prover::keys::{self, Keys};
use zkcontrib_prover::matrices::Matrices;
use zkcontrib_prover::prepared;
use zkcontrib_prover::prove::{prove_chunk_stock, ChunkProver};
use zkcontrib_prover::runtime::with_threads;

mod chart;
mod e2e;
mod markdown;
mod statement;
use e2e::E2eFigures;
use statement::{FillFigures, RegionRow};

/// The real trace of the end-to-end runs.
const GARMIN: &str = "garmin-activity-santa-clara.gpx";
/// Seed of the benchmark keys (the same as [`bench_keys`]'s).
const KEY_SEED: u64 = 0xbe7c4;
/// A submitter address for the end-to-end runs.
const SUBMITTER: &str = "0x00000000000000000000000000000000000d3e40";

/// The heading that starts the hand-measured sections at the end of `BENCHMARKS.md`, which a
/// run keeps.
const HAND_MEASURED: &str = "\n## Hand-measured";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("__e2e") {
        e2e::child(&args[1..]);
        return;
    }
    if args.first().map(String::as_str) == Some("__load") {
        load_child(&args[1..]);
        return;
    }
    if args.first().map(String::as_str) == Some("__region") {
        statement::region_child(&args[1..]);
        return;
    }
    let mut quick = false;
    let mut out: Option<PathBuf> = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--quick" => quick = true,
            "--out" => match it.next() {
                Some(d) => out = Some(PathBuf::from(d)),
                None => usage("--out needs a directory"),
            },
            "-h" | "--help" => {
                println!("usage: report [--quick] [--out DIR]");
                return;
            }
            other => usage(&format!("unknown argument {other}")),
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = out.unwrap_or_else(|| {
        if quick {
            root.join("target/bench-report")
        } else {
            root.join("docs")
        }
    });
    if cfg!(debug_assertions) {
        eprintln!("warning: a debug build; run with --release for meaningful figures");
    }
    let started = Instant::now();
    let plan = if quick { Plan::quick() } else { Plan::full() };
    let mut r = Report::new(quick);
    for &shape in plan.shapes {
        eprintln!("== shape {}", shape.name);
        r.shapes.push(measure_shape(shape, &plan));
    }
    eprintln!("== chunk fill on drives, walks and runs");
    r.fill = plan
        .shapes
        .iter()
        .map(|&sh| statement::measure_fill(sh))
        .collect();
    eprintln!("== regions");
    r.regions = statement::measure_regions(quick);
    eprintln!("== end to end ({})", plan.e2e_shape.name);
    r.e2e = e2e::measure(plan.e2e_shape, &plan.e2e, !quick);
    eprintln!("== verification");
    r.verify = measure_verify(&plan);
    r.load_after = load_average();
    r.gauge_after = fq_mul_gauge_ns();
    r.elapsed_s = started.elapsed().as_secs_f64();
    let mut md = r.markdown();
    println!("{md}");
    // Sections measured by hand (on other machines or under emulation) are kept from the
    // previous file: they start with "## Hand-measured" and run to the end.
    if let Some(kept) = std::fs::read_to_string(out.join("BENCHMARKS.md"))
        .ok()
        .and_then(|old| old.find(HAND_MEASURED).map(|at| old[at..].to_string()))
    {
        md = format!("{}\n\n{kept}", md.trim_end());
    }
    if let Err(e) = std::fs::create_dir_all(&out)
        .and_then(|()| std::fs::write(out.join("BENCHMARKS.md"), &md))
        .and_then(|()| std::fs::write(out.join("benchmarks.svg"), r.chart()))
    {
        eprintln!("error: writing the report to {}: {e}", out.display());
        std::process::exit(2);
    }
    eprintln!(
        "wrote {} and {} in {:.0} s",
        out.join("BENCHMARKS.md").display(),
        out.join("benchmarks.svg").display(),
        r.elapsed_s
    );
}

fn usage(msg: &str) -> ! {
    eprintln!("error: {msg}\nusage: report [--quick] [--out DIR]");
    std::process::exit(2);
}

/// What to measure, and how often.
struct Plan {
    shapes: &'static [Shape],
    /// Repetitions of each proving measurement (after one warm-up run).
    reps: usize,
    e2e_shape: Shape,
    /// End-to-end rows: `(work, threads, repetitions each way)`.
    e2e: Vec<e2e::Spec>,
    batch_sizes: &'static [usize],
}

impl Plan {
    fn full() -> Self {
        Self {
            shapes: &[TEST, EARTH],
            reps: 3,
            e2e_shape: EARTH,
            e2e: e2e::full_specs(EARTH),
            batch_sizes: &[1, 4, 16, 64, 256, 1024],
        }
    }

    fn quick() -> Self {
        Self {
            shapes: &[TEST],
            reps: 3,
            e2e_shape: TEST,
            e2e: e2e::quick_specs(TEST),
            batch_sizes: &[1, 16, 64, 256],
        }
    }
}

/// Median wall-clock seconds of `reps` runs of `f`, after one warm-up run.
fn median_s<T>(reps: usize, mut f: impl FnMut() -> T) -> f64 {
    black_box(f());
    let v: Vec<f64> = (0..reps.max(1))
        .map(|_| {
            let t = Instant::now();
            black_box(f());
            t.elapsed().as_secs_f64()
        })
        .collect();
    median(v)
}

/// The median of `v` (the upper one for an even count).
fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Median wall-clock seconds of each of `fs`, run alternately (`f₀, f₁, …, f₀, f₁, …`) `reps`
/// times after one warm-up run each. A ratio of two of these medians compares runs made in the
/// same minutes, so a change in the machine's speed during the report (a shared VM's
/// neighbours) shifts both and not the ratio.
fn interleaved_medians_s(reps: usize, fs: &mut [&mut dyn FnMut()]) -> Vec<f64> {
    for f in fs.iter_mut() {
        f();
    }
    let mut runs = vec![Vec::with_capacity(reps); fs.len()];
    for _ in 0..reps.max(1) {
        for (f, v) in fs.iter_mut().zip(&mut runs) {
            let t = Instant::now();
            f();
            v.push(t.elapsed().as_secs_f64());
        }
    }
    runs.into_iter().map(median).collect()
}

/// Nanoseconds per dependent `Fq` multiplication (a chain of 2·10⁶, the better of three):
/// a gauge of how fast the machine runs at the moment, printed before and after the report.
fn fq_mul_gauge_ns() -> f64 {
    use ark_ff::Field;
    let b = ark_bn254::Fq::from(7u64).inverse().unwrap_or_default();
    let mut a = b.square();
    let n = 2_000_000u32;
    (0..3)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..n {
                a *= b;
            }
            black_box(a);
            t.elapsed().as_secs_f64() * 1e9 / f64::from(n)
        })
        .fold(f64::MAX, f64::min)
}

fn all_cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

// ---------------------------------------------------------------- per shape

struct ShapeFigures {
    shape: Shape,
    constraints: usize,
    instance: usize,
    witness: usize,
    parts: Vec<(&'static str, usize)>,
    setup_s: f64,
    /// `Keys::load` of the compressed key plus `Matrices::new` (median).
    load_s: f64,
    /// `prepared::load` (median), and its integrity check (median).
    prepared_s: f64,
    prepared_check_s: f64,
    prepared_bytes: u64,
    pk_bytes: u64,
    vk_bytes: usize,
    /// `(threads, tuned, stock)` seconds per chunk.
    prove: Vec<(usize, f64, f64)>,
    floor_s: f64,
}

fn measure_shape(shape: Shape, plan: &Plan) -> ShapeFigures {
    let matrices = Matrices::new(shape).expect("the shape synthesizes");
    let parts = layout(shape).expect("the shape synthesizes").breakdown();
    eprintln!("   {} constraints; setup", matrices.num_constraints);
    let t = Instant::now();
    let k = keys::setup(shape, &mut StdRng::seed_from_u64(KEY_SEED)).expect("setup");
    let setup_s = t.elapsed().as_secs_f64();
    k.write(&bench_keys_dir())
        .expect("write the benchmark keys");
    let prepared_path =
        prepared::write(&bench_keys_dir(), &k, &matrices).expect("write the prepared copy");
    let prepared_bytes = std::fs::metadata(&prepared_path).map_or(0, |m| m.len());
    drop(k);
    // What `zkcontrib prove` waits for before proving, both ways, alternately, each in a
    // fresh process (as a user's `prove` is: a warm process would hide first-touch costs).
    eprintln!("   load: compressed key + matrices vs the prepared copy (fresh processes)");
    let (mut load, mut prep, mut check) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..3 {
        load.push(run_load(shape, "compressed").0);
        let (t, c) = run_load(shape, "prepared");
        prep.push(t);
        check.push(c);
    }
    let (load_s, prepared_s, prepared_check_s) = (median(load), median(prep), median(check));
    let keys = bench_keys(shape);
    let vk_bytes = zkcontrib_verifier::encode_vk(keys.vk()).len();
    let (_, w) = full_chunk(&shape);
    let prover = ChunkProver::new(&matrices, &keys.pk, keys.meta.qap).expect("prover");
    let (z, h) = prover.floor_inputs(&w).expect("witness map");
    let mut floor_s = 0.0;
    let mut prove = Vec::new();
    let mut threads = vec![1];
    if all_cores() > 1 {
        threads.push(all_cores());
    }
    for &n in &threads {
        eprintln!("   prove, {n} thread(s)");
        // Tuned, stock (and on 1 thread the floor) alternately: their ratios are targets.
        let (mut rng_t, mut rng_s) = (StdRng::seed_from_u64(2), StdRng::seed_from_u64(3));
        let mut tuned = || {
            with_threads(Some(n), || prover.prove(&w, 0, &mut rng_t))
                .expect("pool")
                .expect("proof");
        };
        let mut stock = || {
            with_threads(Some(n), || {
                prove_chunk_stock(shape, &keys.pk, keys.meta.qap, &w, &mut rng_s)
            })
            .expect("pool")
            .expect("proof");
        };
        let mut floor = || {
            with_threads(Some(1), || prover.floor_of(&z, &h))
                .expect("pool")
                .expect("floor");
        };
        let t = if n == 1 {
            interleaved_medians_s(plan.reps, &mut [&mut tuned, &mut stock, &mut floor])
        } else {
            interleaved_medians_s(plan.reps, &mut [&mut tuned, &mut stock])
        };
        if n == 1 {
            floor_s = t[2];
        }
        prove.push((n, t[0], t[1]));
    }
    ShapeFigures {
        shape,
        constraints: matrices.num_constraints,
        instance: matrices.num_instance,
        witness: matrices.num_witness,
        parts,
        setup_s,
        load_s,
        prepared_s,
        prepared_check_s,
        prepared_bytes,
        pk_bytes: keys.meta.pk_bytes,
        vk_bytes,
        prove,
        floor_s,
    }
}

/// `__load SHAPE compressed|prepared`: loads the shape's keys and matrices one way and prints
/// `seconds check_seconds`.
fn load_child(args: &[String]) {
    let [shape, how] = args else {
        eprintln!("load child: expected SHAPE compressed|prepared");
        std::process::exit(2)
    };
    let shape = shape_by_name(shape).expect("known shape");
    let t = Instant::now();
    let check = if how == "compressed" {
        black_box((
            Keys::load(&bench_keys_dir(), shape.name).expect("load"),
            Matrices::new(shape).expect("matrices"),
        ));
        0.0
    } else {
        let l = black_box(prepared::load(&bench_keys_dir(), shape.name).expect("prepared load"));
        assert_eq!(
            l.source,
            prepared::Source::Prepared,
            "the prepared copy is used"
        );
        l.timings.check_s
    };
    println!("{} {}", t.elapsed().as_secs_f64(), check);
}

fn run_load(shape: Shape, how: &str) -> (f64, f64) {
    let out = Command::new(std::env::current_exe().expect("own executable"))
        .args(["__load", shape.name, how])
        .output()
        .expect("run the load child");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let mut it = text
        .split_whitespace()
        .map(|v| v.parse::<f64>().expect("seconds"));
    (it.next().expect("seconds"), it.next().expect("check"))
}

// ---------------------------------------------------------------- verification

struct VerifyFigures {
    single_s: f64,
    decode_s: f64,
    /// `(batch size, seconds per batch)` on one thread.
    batch: Vec<(usize, f64)>,
    /// Largest batch on all cores: `(threads, seconds)`.
    batch_all: (usize, f64),
}

fn measure_verify(plan: &Plan) -> VerifyFigures {
    let max = *plan.batch_sizes.iter().max().expect("batch sizes");
    let wl = verify_workload(max);
    let (single_s, decode_s, batch) = with_threads(Some(1), || {
        let k = 64.min(wl.bundles.len());
        let decode_s = median_s(5, || {
            for b in &wl.bundles[..k] {
                zkcontrib_verifier::bench_support::proofs_deferred(b).expect("decodes");
            }
        }) / k as f64;
        let mut single = || {
            for b in &wl.bundles[..k] {
                wl.verifier.verify(b).expect("valid");
            }
        };
        let mut single_s = 0.0;
        let batch: Vec<(usize, f64)> = plan
            .batch_sizes
            .iter()
            .map(|&n| {
                // Seeded for reproducible runs (a node calls `verify_batch`: OS randomness).
                let mut rng = StdRng::seed_from_u64(n as u64);
                let mut run = || {
                    let v = wl
                        .verifier
                        .verify_batch_with_rng(&wl.bundles[..n], &mut rng);
                    assert!(v.iter().all(Result::is_ok), "a valid batch");
                };
                if n == max {
                    // The largest batch alternates with the single proofs: their ratio is
                    // a target.
                    let t = interleaved_medians_s(9, &mut [&mut single, &mut run]);
                    single_s = t[0] / k as f64;
                    (n, t[1])
                } else {
                    (n, median_s((2048 / n).clamp(5, 50), run))
                }
            })
            .collect();
        (single_s, decode_s, batch)
    })
    .expect("pool");
    let mut rng = StdRng::seed_from_u64(7);
    let t_all = with_threads(None, || {
        median_s(3, || {
            wl.verifier
                .verify_batch_with_rng(&wl.bundles[..max], &mut rng)
        })
    })
    .expect("pool");
    VerifyFigures {
        single_s,
        decode_s,
        batch,
        batch_all: (all_cores(), t_all),
    }
}

// ---------------------------------------------------------------- the report

struct Report {
    quick: bool,
    machine: String,
    commit: String,
    date: String,
    load_before: String,
    load_after: String,
    gauge_before: f64,
    gauge_after: f64,
    elapsed_s: f64,
    shapes: Vec<ShapeFigures>,
    e2e: E2eFigures,
    verify: VerifyFigures,
    fill: Vec<FillFigures>,
    regions: Vec<RegionRow>,
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

fn command_line(cmd: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(cmd).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .and_then(|l| l.split_once(':'))
        .map_or("unknown CPU".to_owned(), |(_, m)| m.trim().to_owned());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
        })
        .map_or("unknown".into(), |kb| {
            format!("{:.0} GB RAM", kb as f64 / 1024.0 / 1024.0)
        });
    let rustc = command_line("rustc", &["-V"]).unwrap_or_else(|| "rustc (unknown)".into());
    let asm = if cfg!(all(target_feature = "bmi2", target_feature = "adx")) {
        "BMI2+ADX Montgomery multiplication (ark-ff `asm`)"
    } else {
        "portable field arithmetic (no BMI2/ADX)"
    };
    format!(
        "{model}, {} logical CPUs, {mem}, {} {}; {rustc}, release profile, {asm}",
        all_cores(),
        std::env::consts::OS,
        std::env::consts::ARCH,
    )
}

impl Report {
    fn new(quick: bool) -> Self {
        let commit = command_line("git", &["rev-parse", "--short", "HEAD"])
            .map(|c| {
                // The report's own outputs do not count: a rerun overwrites them.
                let dirty = command_line(
                    "git",
                    &[
                        "status",
                        "--porcelain",
                        "--untracked-files=no",
                        "--",
                        ":/",
                        ":(top,exclude)docs/BENCHMARKS.md",
                        ":(top,exclude)docs/benchmarks.svg",
                    ],
                )
                .is_some_and(|s| !s.is_empty());
                if dirty {
                    format!("{c} + uncommitted changes")
                } else {
                    c
                }
            })
            .unwrap_or_else(|| "unknown".into());
        Self {
            quick,
            machine: machine(),
            commit,
            date: command_line("date", &["-u", "+%Y-%m-%d %H:%M UTC"]).unwrap_or_default(),
            load_before: load_average(),
            load_after: String::new(),
            gauge_before: fq_mul_gauge_ns(),
            gauge_after: 0.0,
            elapsed_s: 0.0,
            shapes: Vec::new(),
            e2e: E2eFigures::empty(TEST),
            verify: VerifyFigures {
                single_s: 0.0,
                decode_s: 0.0,
                batch: Vec::new(),
                batch_all: (1, 0.0),
            },
            fill: Vec::new(),
            regions: Vec::new(),
        }
    }

    fn production(&self) -> Option<&ShapeFigures> {
        self.shapes.iter().find(|s| s.shape == EARTH)
    }
}

fn thousands(n: u64) -> String {
    let d = n.to_string();
    let mut out = String::new();
    for (i, c) in d.chars().enumerate() {
        if i > 0 && (d.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn mb(bytes: u64) -> String {
    if bytes < 1_000_000 {
        format!("{:.0} kB", bytes as f64 / 1e3)
    } else {
        format!("{:.1} MB", bytes as f64 / 1e6)
    }
}

#[cfg(test)]
mod tests {
    use super::chart::panel;
    use super::*;
    use zkcontrib_benches::{fixtures, workload_of};

    #[test]
    fn thousands_separates() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(129_774), "129,774");
    }

    #[test]
    fn panel_draws_every_point() {
        let p = panel(0.0, "t", "x", "y", &[(1.0, 2.0), (2.0, 3.0)], None, |x| {
            format!("{x}")
        });
        assert_eq!(p.matches("<circle").count(), 2);
        assert!(p.contains("<polyline"));
    }

    #[test]
    fn fixtures_exist() {
        assert!(fixtures().join(GARMIN).exists());
        let (file, _) = workload_of(&EARTH);
        assert!(fixtures().join(file).exists());
    }
}
