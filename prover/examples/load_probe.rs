//! Times the two ways to load a shape's keys and matrices, alternating:
//! `cargo run --release -p zkcontrib-prover --example load_probe -- KEYS_DIR SHAPE [ROUNDS]`.
use std::path::Path;
use std::time::Instant;
use zkcontrib_prover::keys::Keys;
use zkcontrib_prover::matrices::Matrices;
use zkcontrib_prover::prepared;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = Path::new(&args[0]);
    let shape = args.get(1).map_or("earth", String::as_str);
    let rounds: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(3);
    for _ in 0..rounds {
        let t = Instant::now();
        let l = prepared::load(dir, shape).expect("prepared load");
        println!(
            "prepared: {:.3} s (read {:.3}, check {:.3}, decode {:.3}) {:?}",
            t.elapsed().as_secs_f64(),
            l.timings.read_s,
            l.timings.check_s,
            l.timings.decode_s,
            l.source
        );
        drop(l);
        let t = Instant::now();
        let k = Keys::load(dir, shape).expect("load");
        let m = Matrices::new(k.shape).expect("matrices");
        println!("compressed + synthesis: {:.3} s", t.elapsed().as_secs_f64());
        drop((k, m));
    }
}
