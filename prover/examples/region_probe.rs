//! Compiles a region file and prints the report, timing and package size:
//! `cargo run --release -p zkcontrib-prover --example region_probe -- FILE [FEATURE] [EXCLUDE]`.
use std::path::Path;
use std::time::Instant;
use zkcontrib_circuits::region::{compile, package, CompileOptions};
use zkcontrib_prover::policy_file::read_region;
use zkcontrib_prover::runtime::peak_rss_bytes;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = Path::new(&args[0]);
    let feature = args.get(1).filter(|s| !s.is_empty()).map(String::as_str);
    let mp = read_region(path, feature).expect("region");
    let exclude = args
        .get(2)
        .map(|p| read_region(Path::new(p), None).expect("exclude"));
    let t = Instant::now();
    let r = compile(&mp, exclude.as_ref(), &CompileOptions::default()).expect("compile");
    let secs = t.elapsed().as_secs_f64();
    let bytes = package::to_bytes(&r, &[0u8; 32]);
    let t2 = Instant::now();
    let (back, _) = package::from_bytes(&bytes).unwrap();
    let load = t2.elapsed().as_secs_f64();
    assert_eq!(back.root(), r.root());
    println!(
        "{}: {} items, depth {}, compile {:.2} s, package {:.2} MB, load {:.3} s, peak RSS {:.0} MB",
        path.display(),
        r.items().len(),
        r.depth(),
        secs,
        bytes.len() as f64 / 1e6,
        load,
        peak_rss_bytes().unwrap_or(0) as f64 / 1e6
    );
    println!("{:?}", r.report());
}
