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
use zkcontrib_prover::keys::{self, Keys, Qap};
use zkcontrib_prover::matrices::Matrices;
use zkcontrib_prover::prepared;
use zkcontrib_prover::prove::{prove_chunk_stock, ChunkProver};
use zkcontrib_prover::runtime::with_threads;

mod e2e;
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
    let prover = ChunkProver::new(&matrices, &keys.pk, Qap::Arkworks).expect("prover");
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
                prove_chunk_stock(shape, &keys.pk, &w, &mut rng_s)
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

    fn markdown(&self) -> String {
        let mut s = String::new();
        let cmd = if self.quick {
            "cargo run --release -p zkcontrib-benches --bin report -- --quick"
        } else {
            "cargo run --release -p zkcontrib-benches --bin report"
        };
        let _ = writeln!(s, "# Benchmarks\n");
        let _ = writeln!(
            s,
            "Generated by `{cmd}` (every figure below is what that run printed, except the \
             sections headed \"Hand-measured\" at the end, which a run keeps; do not edit by \
             hand — rerun it). Criterion benches of the same workloads: `cargo bench -p \
             zkcontrib-benches` (groups `setup`, `prove`, `prove_stock`, `floor`, `verify`, \
             `verify_batch`, `decode`, `msm`, native rules). How to read these figures when \
             choosing a shape: [tuning.md](tuning.md).\n"
        );
        let _ = writeln!(s, "- Machine: {}", self.machine);
        let _ = writeln!(s, "- Commit: {}; {}", self.commit, self.date);
        let _ = writeln!(
            s,
            "- Load average (1/5/15 min) before: {}, after: {}; the run took {:.0} s",
            self.load_before, self.load_after, self.elapsed_s
        );
        let _ = writeln!(
            s,
            "- Fq multiplication gauge (a dependent chain, ns each; how fast the machine ran): \
             {:.1} before, {:.1} after",
            self.gauge_before, self.gauge_after
        );
        let _ = writeln!(
            s,
            "- Timings are wall-clock medians of {} runs after a warm-up (verification: of 5–50 \
             runs); \"1 thread\" runs in a one-thread rayon pool. Figures compared by a target \
             ratio are measured alternately (tuned, stock and floor; the single proofs and the \
             largest batch, 9 runs each), so both sides of a ratio see the same machine.\n",
            if self.quick { 3 } else { Plan::full().reps }
        );
        s.push_str("![proving time vs trace points; batch verification throughput vs batch size](benchmarks.svg)\n\n");
        self.targets(&mut s);
        self.circuit(&mut s);
        self.fill(&mut s);
        self.regions(&mut s);
        self.keys(&mut s);
        self.proving(&mut s);
        self.e2e.markdown(&mut s);
        self.verification(&mut s);
        s
    }

    fn targets(&self, s: &mut String) {
        let _ = writeln!(s, "## Against the targets\n");
        let _ = writeln!(s, "| target | measured | |\n|---|---|---|");
        let mut row = |what: &str, got: String, ok: bool| {
            let _ = writeln!(
                s,
                "| {what} | {got} | {} |",
                if ok { "met" } else { "**missed**" }
            );
        };
        if let Some(p) = self.production() {
            let per_point = p.constraints as f64 / p.shape.points as f64;
            row(
                "≤ 300 constraints per point slot (`earth`)",
                format!("{per_point:.1}"),
                per_point <= 300.0,
            );
            let (_, t1, s1) = p.prove[0];
            let pps = p.shape.points as f64 / t1;
            row(
                "≥ 300 points/s per core (`earth`, 1 thread, full chunk)",
                format!("{pps:.0}"),
                pps >= 300.0,
            );
            for &(n, t, st) in &p.prove {
                row(
                    &format!("≥ 2× faster than stock `Groth16::prove` ({n} thread(s))"),
                    format!("{:.2}×", st / t),
                    st / t >= 2.0,
                );
            }
            let _ = s1;
            row(
                "proving ≤ 1.5× the floor (1 thread)",
                format!("{:.2}×", t1 / p.floor_s),
                t1 / p.floor_s <= 1.5,
            );
            if let Some(f) = self.fill.iter().find(|f| f.shape == EARTH) {
                for d in f
                    .rows
                    .iter()
                    // The issue's workload: drives of about an hour (a 20-minute drive's
                    // last chunk is a larger share; the fill table shows it).
                    .filter(|d| d.kind == "drive" && d.minutes >= 45.0)
                {
                    row(
                        &format!("≥ 90 % chunk fill: {}", d.label),
                        format!(
                            "{:.1} % ({} points, {} chunks)",
                            100.0 * d.fill,
                            d.points,
                            d.chunks
                        ),
                        d.fill >= 0.9,
                    );
                    row(
                        &format!(
                            "≤ 300 constraints per real point (stretch ≤ 250): {}",
                            d.label
                        ),
                        format!("{:.1}", d.per_point),
                        d.per_point <= 300.0,
                    );
                }
            }
            row(
                "proving key ≤ 32 MB on disk",
                mb(p.pk_bytes),
                p.pk_bytes <= 32_000_000,
            );
            row(
                &format!(
                    "key load + matrices ≤ 0.3 s (`{}`, prepared copy)",
                    p.shape.name
                ),
                format!("{:.3} s (compressed: {:.2} s)", p.prepared_s, p.load_s),
                p.prepared_s <= 0.3,
            );
        }
        if let Some((what, got, ok)) = self.e2e.target() {
            row(&what, got, ok);
        }
        for g in &self.regions {
            let (size, secs, what) = if g.label.starts_with("world") {
                (
                    200_000_000,
                    600.0,
                    "the world's land: package ≤ 200 MB, compiled ≤ 10 min",
                )
            } else if g.label.starts_with("Santa Clara") {
                continue;
            } else {
                (
                    10_000_000,
                    30.0,
                    "a country: package ≤ 10 MB, compiled ≤ 30 s",
                )
            };
            row(
                &format!("{what} ({})", g.label),
                format!("{}, {:.1} s", mb(g.package_bytes as u64), g.compile_s),
                g.package_bytes <= size && g.compile_s <= secs,
            );
        }
        let v = &self.verify;
        row(
            "single chunk proof ≤ 1.2 ms incl. decoding (1 thread)",
            format!("{:.2} ms", v.single_s * 1e3),
            v.single_s <= 1.2e-3,
        );
        if let Some(&(n, t)) = v.batch.iter().find(|(n, _)| *n == 1024) {
            let tput = n as f64 / t;
            row(
                "batch of 1,024: ≥ 2,500 proofs/s per core",
                format!("{tput:.0}/s"),
                tput >= 2500.0,
            );
            let speedup = tput * v.single_s;
            row(
                "batch of 1,024: ≥ 4× one-by-one",
                format!("{speedup:.2}×"),
                speedup >= 4.0,
            );
        }
        s.push('\n');
    }

    fn circuit(&self, s: &mut String) {
        let _ = writeln!(s, "## Circuits\n");
        let _ = writeln!(
            s,
            "Every shape has the statement's widths: windows of 2^22 × 2^23 units (two latitude \
             bands × 0.84°), cells of 2^8 units, steps below 2^29 distance units (2,048 m), \
             intervals spanning less than 2^16 ms, item forms of 16 bits.\n\n\
             | shape | points/chunk | constraints | per point | public inputs | witness variables | \
             region tree depth (4-ary) |\n|---|---|---|---|---|---|---|"
        );
        for f in &self.shapes {
            let sh = f.shape;
            let _ = writeln!(
                s,
                "| `{}` | {} | {} | {:.1} | {} | {} | {} |",
                sh.name,
                sh.points,
                thousands(f.constraints as u64),
                f.constraints as f64 / sh.points as f64,
                f.instance - 1,
                thousands(f.witness as u64),
                sh.depth
            );
        }
        for f in &self.shapes {
            let _ = writeln!(
                s,
                "\n### Where the constraints of `{}` go\n\n| part | constraints | per point | share |\n|---|---|---|---|",
                f.shape.name
            );
            for (part, n) in &f.parts {
                let _ = writeln!(
                    s,
                    "| {part} | {} | {:.1} | {:.1}% |",
                    thousands(*n as u64),
                    *n as f64 / f.shape.points as f64,
                    100.0 * *n as f64 / f.constraints as f64
                );
            }
        }
        s.push('\n');
    }

    fn fill(&self, s: &mut String) {
        for f in &self.fill {
            let _ = writeln!(
                s,
                "## Chunk fill and cost per real point (`{}`, {} points per chunk)\n\n\
                 What a contributor's trace costs: the planner's chunk count (⌈n / N⌉ — \
                 \"fixed\" — unless a step crosses a window edge too often; then greedy, see \
                 threat-model.md), the share of slots holding real points, and chunks × {} \
                 constraints / real points.\n\n\
                 | kind | trace | points | chunks | chunking | fill | constraints per real point |\n\
                 |---|---|---|---|---|---|---|",
                f.shape.name,
                f.shape.points,
                thousands(f.constraints as u64)
            );
            for r in &f.rows {
                let _ = writeln!(
                    s,
                    "| {} | {} | {} | {} | {} | {:.1} % | {:.1} |",
                    r.kind,
                    r.label,
                    thousands(r.points as u64),
                    r.chunks,
                    if r.fixed { "fixed" } else { "greedy" },
                    100.0 * r.fill,
                    r.per_point
                );
            }
            let drives: Vec<_> = f
                .rows
                .iter()
                .filter(|r| r.kind == "drive" && r.points >= 2 * f.shape.points)
                .collect();
            if drives.is_empty() {
                s.push('\n');
                continue;
            }
            let _ = write!(
                s,
                "\nPer rule: each part's constraints per slot, and per real point on the drives \
                 (part × chunks / points).\n\n| part | per slot |"
            );
            for d in &drives {
                let _ = write!(s, " {} |", d.label);
            }
            let _ = write!(s, "\n|---|---|");
            for _ in &drives {
                s.push_str("---|");
            }
            s.push('\n');
            for (part, n) in &f.parts {
                let _ = write!(s, "| {part} | {:.1} |", *n as f64 / f.shape.points as f64);
                for d in &drives {
                    let _ = write!(s, " {:.1} |", (*n * d.chunks) as f64 / d.points as f64);
                }
                s.push('\n');
            }
            let _ = write!(
                s,
                "| **total** | {:.1} |",
                f.constraints as f64 / f.shape.points as f64
            );
            for d in &drives {
                let _ = write!(s, " {:.1} |", d.per_point);
            }
            s.push_str("\n\n");
        }
    }

    fn regions(&self, s: &mut String) {
        if self.regions.is_empty() {
            return;
        }
        let _ = writeln!(
            s,
            "## Regions\n\nCompiled by the policy compiler (repair, exclusion, quantization to \
             2^8-unit cells, decomposition into items, the 4-ary Poseidon tree; in parallel on all \
             cores), each in a fresh process: its compile time, the package a phone stores (items \
             and the stored tree levels), the time to load and check it, and the process's peak \
             memory. Goals: a country ≤ 10 MB and ≤ 30 s on 2 cores; the world's land ≤ 200 MB \
             and ≤ 10 min. The 1:50m and 1:10m land rows are measured when \
             `$ZKCONTRIB_LAND_50M` / `$ZKCONTRIB_LAND_10M` name those Natural Earth files (not \
             shipped: see fixtures/LICENSES.md).\n\n\
             | region | vertices | repairs | items | depth | compile | package | load | peak RSS |\n\
             |---|---|---|---|---|---|---|---|---|"
        );
        for r in &self.regions {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {:.2} s | {} | {:.3} s | {} |",
                r.label,
                thousands(r.vertices as u64),
                r.repairs,
                thousands(r.items as u64),
                r.depth,
                r.compile_s,
                mb(r.package_bytes as u64),
                r.load_s,
                mb(r.peak_rss)
            );
        }
        s.push('\n');
    }

    fn keys(&self, s: &mut String) {
        let _ = writeln!(
            s,
            "## Keys\n\nDevelopment setup (`keys::setup`, one machine — never for production, see \
             ceremony.md), seeded. What a prover waits for before its first proof, measured \
             alternately in fresh processes (medians of 3): *compressed* = `Keys::load` of the downloaded key (hash \
             check, then one square root per point, in parallel) plus `Matrices::new` (a synthesis \
             of the circuit), as every `prove` did before the prepared copy; *prepared* = \
             `prepared::load` of the copy written once after download (`proving.prepared`: \
             uncompressed points and the matrices), *check* = its SHA-256 integrity check, \
             included in *prepared*.\n"
        );
        let _ = writeln!(
            s,
            "| shape | proving key (download) | prepared copy (local) | verifying key | setup | load: compressed | load: prepared | of which check |\n|---|---|---|---|---|---|---|---|"
        );
        for f in &self.shapes {
            let _ = writeln!(
                s,
                "| `{}` | {} | {} | {} B | {:.1} s | {:.2} s | {:.3} s ({:.0}× faster) | {:.3} s |",
                f.shape.name,
                mb(f.pk_bytes),
                mb(f.prepared_bytes),
                f.vk_bytes,
                f.setup_s,
                f.load_s,
                f.prepared_s,
                f.load_s / f.prepared_s,
                f.prepared_check_s
            );
        }
        s.push('\n');
    }

    fn proving(&self, s: &mut String) {
        let _ = writeln!(
            s,
            "## Proving one full chunk\n\nEvery slot a trace point (a synthetic run of the shape's \
             policy). *Tuned* = `ChunkProver::prove` (native witness, matrices built once, \
             constraint check, our MSMs); *stock* = `ark_groth16::Groth16::prove` on the same \
             circuit and witness (synthesis included, as a user of arkworks would call it); \
             *floor* = the seven FFTs and five MSMs that a Groth16 proof of this domain cannot \
             avoid, measured alone on 1 thread.\n"
        );
        let _ = writeln!(
            s,
            "| shape | threads | tuned | points/s | points/s per core | stock | stock / tuned | floor (1 thread) | tuned / floor |\n|---|---|---|---|---|---|---|---|---|"
        );
        for f in &self.shapes {
            for &(n, t, st) in &f.prove {
                let pps = f.shape.points as f64 / t;
                let floor = if n == 1 {
                    format!("{:.3} s | {:.2}×", f.floor_s, t / f.floor_s)
                } else {
                    "| ".into()
                };
                let _ = writeln!(
                    s,
                    "| `{}` | {n} | {:.3} s | {pps:.0} | {:.0} | {:.3} s | {:.2}× | {floor} |",
                    f.shape.name,
                    t,
                    pps / n as f64,
                    st,
                    st / t
                );
            }
        }
        s.push('\n');
    }

    fn verification(&self, s: &mut String) {
        let v = &self.verify;
        let _ = writeln!(
            s,
            "## Verification (validator library)\n\nReal one-chunk bundles of the `test` shape \
             (the chunk proof and its 11 public inputs are the same size for every shape), \
             distinct re-randomized proofs. *Single* = `Verifier::verify` (decode every field, \
             proof points on their curves, chain, thresholds, pairing check, in which `B`'s \
             lines decide its G2 membership); *batch* = \
             `Verifier::verify_batch` (one final exponentiation per batch). One thread unless \
             stated. The cost split of a batch is in [verification-costs.md](verification-costs.md).\n"
        );
        let _ = writeln!(
            s,
            "| what | time per proof | proofs/s | vs single |\n|---|---|---|---|"
        );
        let _ = writeln!(
            s,
            "| decode + validate the proof points (as `Verifier` does: curve checks; `B`'s subgroup check is in its lines) | {:.0} µs | {:.0} | |",
            v.decode_s * 1e6,
            1.0 / v.decode_s
        );
        let _ = writeln!(
            s,
            "| single (`verify`) | {:.0} µs | {:.0} | 1.00× |",
            v.single_s * 1e6,
            1.0 / v.single_s
        );
        for &(n, t) in &v.batch {
            let _ = writeln!(
                s,
                "| batch of {} | {:.0} µs | {:.0} | {:.2}× |",
                thousands(n as u64),
                t / n as f64 * 1e6,
                n as f64 / t,
                v.single_s * n as f64 / t
            );
        }
        let (threads, t) = v.batch_all;
        if let Some(&(n, _)) = v.batch.last() {
            let _ = writeln!(
                s,
                "| batch of {}, {threads} threads | {:.0} µs | {:.0} | {:.2}× |",
                thousands(n as u64),
                t / n as f64 * 1e6,
                n as f64 / t,
                v.single_s * n as f64 / t
            );
        }
        s.push('\n');
    }

    /// Two panels: proving time vs trace points, batch throughput vs batch size.
    fn chart(&self) -> String {
        let prove = self.e2e.curve_1_thread();
        let batch: Vec<(f64, f64)> = self
            .verify
            .batch
            .iter()
            .map(|&(n, t)| ((n as f64).log2(), n as f64 / t))
            .collect();
        let single = 1.0 / self.verify.single_s;
        let left = panel(
            20.0,
            &format!(
                "Proving a contribution ({} shape, 1 thread)",
                self.e2e.shape.name
            ),
            "trace points",
            "seconds",
            &prove,
            None,
            |x| thousands(x as u64),
        );
        let right = panel(
            470.0,
            "Batch verification (1 thread)",
            "batch size",
            "proofs per second",
            &batch,
            Some((single, "one by one")),
            |x| format!("{}", 2f64.powf(x).round()),
        );
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 900 340\" width=\"900\" \
             height=\"340\" font-family=\"sans-serif\" font-size=\"12\">\n\
             <rect width=\"900\" height=\"340\" fill=\"white\"/>\n{left}{right}</svg>\n"
        )
    }
}

/// One line chart at horizontal offset `x0` (410 × 300), data `(x, y)`, optional reference line.
fn panel(
    x0: f64,
    title: &str,
    xlabel: &str,
    ylabel: &str,
    data: &[(f64, f64)],
    reference: Option<(f64, &str)>,
    xfmt: impl Fn(f64) -> String,
) -> String {
    let (left, top, w, h) = (x0 + 60.0, 40.0, 340.0, 230.0);
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<text x=\"{}\" y=\"22\" font-size=\"14\" font-weight=\"bold\">{}</text>",
        x0 + 10.0,
        xml(title)
    );
    if data.is_empty() {
        return s;
    }
    let xmin = data.iter().map(|p| p.0).fold(f64::INFINITY, f64::min);
    let xmax = data.iter().map(|p| p.0).fold(f64::NEG_INFINITY, f64::max);
    let ymax = data
        .iter()
        .map(|p| p.1)
        .chain(reference.map(|r| r.0))
        .fold(0.0, f64::max)
        * 1.1;
    let xmin = if xmin > 0.0 && xmin / xmax < 0.2 {
        0.0
    } else {
        xmin
    };
    let span = (xmax - xmin).max(1e-9);
    let px = |x: f64| left + (x - xmin) / span * w;
    let py = |y: f64| top + h - y / ymax.max(1e-12) * h;
    let _ = writeln!(
        s,
        "<rect x=\"{left}\" y=\"{top}\" width=\"{w}\" height=\"{h}\" fill=\"none\" stroke=\"#888\"/>"
    );
    for i in 0..=4 {
        let y = ymax * i as f64 / 4.0;
        let _ = writeln!(
            s,
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{y0:.1}\" y2=\"{y0:.1}\" stroke=\"#ddd\"/>\
             <text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            left + w,
            left - 6.0,
            py(y) + 4.0,
            short(y),
            y0 = py(y)
        );
    }
    // Label the x of every point, skipping labels that would overlap the previous one.
    let mut last_label = f64::NEG_INFINITY;
    for &(x, _) in data {
        if px(x) - last_label < 40.0 {
            continue;
        }
        last_label = px(x);
        let _ = writeln!(
            s,
            "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            px(x),
            top + h + 16.0,
            xml(&xfmt(x))
        );
    }
    let _ = writeln!(
        s,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\
         <text transform=\"translate({},{}) rotate(-90)\" text-anchor=\"middle\">{}</text>",
        left + w / 2.0,
        top + h + 34.0,
        xml(xlabel),
        x0 + 12.0,
        top + h / 2.0,
        xml(ylabel)
    );
    if let Some((y, label)) = reference {
        let _ = writeln!(
            s,
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{y0:.1}\" y2=\"{y0:.1}\" stroke=\"#c33\" \
             stroke-dasharray=\"5,4\"/><text x=\"{}\" y=\"{:.1}\" fill=\"#c33\" \
             text-anchor=\"end\">{}</text>",
            left + w,
            left + w - 4.0,
            py(y) - 5.0,
            xml(label),
            y0 = py(y)
        );
    }
    let pts: Vec<String> = data
        .iter()
        .map(|&(x, y)| format!("{:.1},{:.1}", px(x), py(y)))
        .collect();
    let _ = writeln!(
        s,
        "<polyline points=\"{}\" fill=\"none\" stroke=\"#1f5fa8\" stroke-width=\"2\"/>",
        pts.join(" ")
    );
    for &(x, y) in data {
        let _ = writeln!(
            s,
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3.5\" fill=\"#1f5fa8\"><title>{}: {}</title></circle>",
            px(x),
            py(y),
            xml(&xfmt(x)),
            short(y)
        );
    }
    s
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A short axis number.
fn short(y: f64) -> String {
    if y >= 100.0 {
        thousands(y.round() as u64)
    } else if y >= 10.0 {
        format!("{y:.0}")
    } else {
        format!("{y:.1}")
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
