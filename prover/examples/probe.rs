use ark_bn254::Fr;
use rand::{rngs::StdRng, SeedableRng};
use std::path::Path;
use std::time::Instant;
use zkcontrib_circuits::rules::evaluate;
use zkcontrib_circuits::shape::COUNTY;
use zkcontrib_circuits::witness::{chunk_witnesses, plan};
use zkcontrib_prover::{ingest::read_points, keys, policy_file::load_policy, prove};

fn main() {
    let shape = COUNTY;
    let fx = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures");
    let policy = load_policy(&fx.join("santa-clara-2017.toml")).unwrap();
    let points = read_points(&fx.join("garmin-activity-santa-clara.gpx")).unwrap();
    let eval = evaluate(&policy, &points);
    let plans = plan(&policy, &shape, &points, &eval).unwrap();
    let ws = chunk_witnesses(&policy, &shape, &points, &eval, &plans, Fr::from(3u64), Fr::from(5u64));
    let t = Instant::now();
    let m = prove::Matrices::new(shape).unwrap();
    println!("matrices {:?} witness vars {}", t.elapsed(), m.num_witness);
    let t = Instant::now();
    let k = keys::Keys::load(Path::new("/tmp/keys"), shape.name).unwrap();
    println!("load {:?}", t.elapsed());
    let t = Instant::now();
    let z = prove::assignment(&m, &ws[0]).unwrap();
    println!("assignment {:?}", t.elapsed());
    let bits = z.iter().filter(|v| **v == Fr::from(0u64) || **v == Fr::from(1u64)).count();
    println!("assignment: {} values, {} are 0/1", z.len(), bits);
    let mut rng = StdRng::seed_from_u64(1);
    for threads in [1usize, 2] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| {
            let t = Instant::now();
            let _p = prove::prove_chunk(&m, &k.pk, &ws[0], 0, &mut rng).unwrap();
            println!("{threads} threads tuned {:?}", t.elapsed());
            let t = Instant::now();
            let _p = prove::prove_chunk_stock(shape, &k.pk, &ws[0], &mut rng).unwrap();
            println!("{threads} threads stock {:?}", t.elapsed());
        });
    }
}
