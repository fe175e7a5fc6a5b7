use ark_bn254::Fr;
use rand::{rngs::StdRng, SeedableRng};
use std::path::Path;
use std::time::Instant;
use zkcontrib_circuits::shape::shape_by_name;
use zkcontrib_circuits::witness::trace_witnesses;
use zkcontrib_prover::{ingest::read_points, keys, matrices, policy_file::load_policy, prove};

fn main() {
    let shape = shape_by_name(&std::env::args().nth(1).unwrap_or("earth".into())).unwrap();
    let fx = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures");
    let policy = load_policy(&fx.join("santa-clara-2017.toml")).unwrap();
    let points = read_points(&fx.join("garmin-activity-santa-clara.gpx")).unwrap();
    let ws = trace_witnesses(&policy, &shape, &points, Fr::from(3u64), Fr::from(5u64)).unwrap();
    let mut rng = StdRng::seed_from_u64(1);
    let t = Instant::now();
    let m = matrices::Matrices::new(shape).unwrap();
    println!("matrices {:?} {:?}", t.elapsed(), m);
    let t = Instant::now();
    let k = keys::setup(shape, &mut rng).unwrap();
    println!("setup {:?} pk {} bytes", t.elapsed(), k.meta.pk_bytes);
    let dir = std::env::temp_dir().join("zk-timing");
    k.write(&dir).unwrap();
    let t = Instant::now();
    let k = keys::Keys::load(&dir, shape.name).unwrap();
    println!("load {:?}", t.elapsed());
    let pvk = zkcontrib_verifier::PreparedKey::new(k.vk()).unwrap();
    let t = Instant::now();
    let z = matrices::assignment(&m, &ws[0]).unwrap();
    println!("assignment {:?}", t.elapsed());
    let t = Instant::now();
    assert!(matrices::first_unsatisfied(&m, &z).is_none());
    println!("check {:?}", t.elapsed());
    for _ in 0..2 {
        let t = Instant::now();
        let p = prove::prove_chunk(&m, &k.pk, k.meta.qap, &ws[0], 0, &mut rng).unwrap();
        println!("tuned {:?}", t.elapsed());
        zkcontrib_verifier::verify(&pvk, &p, &ws[0].public.to_array()).unwrap();
        let t = Instant::now();
        let p = prove::prove_chunk_stock(shape, &k.pk, k.meta.qap, &ws[0], &mut rng).unwrap();
        println!("stock {:?}", t.elapsed());
        zkcontrib_verifier::verify(&pvk, &p, &ws[0].public.to_array()).unwrap();
    }
}
