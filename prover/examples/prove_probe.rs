//! Times the tuned Groth16 prover against arkworks on the mixed circuit, and its floor.
//!
//! `cargo run --release -p zkcontrib-prover --example prove_probe -- [constraints] [reps]`
//! (default 126000 constraints: domain 2^17). Thread count follows `RAYON_NUM_THREADS`.
//! Prints min / median milliseconds.

#[path = "common/mixed_circuit.rs"]
#[allow(dead_code)]
mod mixed_circuit;

use ark_bn254::{Bn254, Fr};
use ark_ff::UniformRand;
use ark_groth16::r1cs_to_qap::LibsnarkReduction;
use ark_groth16::Groth16;
use ark_snark::SNARK;
use mixed_circuit::{extract, MixedCircuit, Sizes, Values};
use rand::{rngs::StdRng, SeedableRng};
use std::time::Instant;
use zkcontrib_prover::groth16::Prover;
use zkcontrib_prover::msm::msm;

fn stats(mut v: Vec<f64>) -> String {
    v.sort_by(f64::total_cmp);
    format!("{:8.1} / {:8.1}", v[0], v[v.len() / 2])
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1e3
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(126_000);
    let reps: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(3);
    let sizes = Sizes::about(n);
    let mut rng = StdRng::seed_from_u64(1);
    let t = Instant::now();
    let (pk, vk) = Groth16::<Bn254>::circuit_specific_setup(
        MixedCircuit {
            sizes,
            values: None,
        },
        &mut rng,
    )
    .unwrap();
    let values = Values::random(sizes, 2);
    let public = values.public();
    let ex = extract(MixedCircuit {
        sizes,
        values: Some(values),
    });
    let prover = Prover::new(&pk, ex.num_instance, ex.num_constraints).unwrap();
    println!(
        "{} constraints, {} variables, domain {}, threads {}, setup {:.0} ms",
        ex.num_constraints,
        ex.z.len(),
        prover.domain_size(),
        rayon::current_num_threads(),
        ms(t)
    );
    let pvk = Groth16::<Bn254>::process_vk(&vk).unwrap();
    let (mut ours, mut theirs, mut floor, mut wmap) = (vec![], vec![], vec![], vec![]);
    let (mut mh, mut ml, mut ma, mut mb1, mut mb2) = (vec![], vec![], vec![], vec![], vec![]);
    for _ in 0..reps {
        let (r, s) = (Fr::rand(&mut rng), Fr::rand(&mut rng));
        let t = Instant::now();
        let p = prover.create_proof(&ex.abc, &ex.z, r, s).unwrap();
        ours.push(ms(t));
        let t = Instant::now();
        let q = Groth16::<Bn254, LibsnarkReduction>::create_proof_with_reduction_and_matrices(
            &pk,
            r,
            s,
            &ex.abc,
            ex.num_instance,
            ex.num_constraints,
            &ex.z,
        )
        .unwrap();
        theirs.push(ms(t));
        assert_eq!(p, q);
        assert!(Groth16::<Bn254>::verify_with_processed_vk(&pvk, &public, &p).unwrap());

        let t = Instant::now();
        let h = prover.witness_map(&ex.abc, &ex.z).unwrap();
        wmap.push(ms(t));
        let t = Instant::now();
        let _ = std::hint::black_box(prover.floor(&ex.z, &h, false).unwrap());
        floor.push(ms(t));
        let z1 = &ex.z[1..];
        let t = Instant::now();
        let _ = std::hint::black_box(msm(&pk.h_query, &h[..pk.h_query.len()]).unwrap());
        mh.push(ms(t));
        let t = Instant::now();
        let _ = std::hint::black_box(msm(&pk.l_query, &ex.z[ex.num_instance..]).unwrap());
        ml.push(ms(t));
        let t = Instant::now();
        let _ = std::hint::black_box(msm(&pk.a_query[1..], z1).unwrap());
        ma.push(ms(t));
        let t = Instant::now();
        let _ = std::hint::black_box(msm(&pk.b_g1_query[1..], z1).unwrap());
        mb1.push(ms(t));
        let t = Instant::now();
        let _ = std::hint::black_box(msm(&pk.b_g2_query[1..], z1).unwrap());
        mb2.push(ms(t));
    }
    let med = |v: &Vec<f64>| {
        let mut v = v.clone();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    println!("create_proof (ours)      {}", stats(ours.clone()));
    println!("create_proof (arkworks)  {}", stats(theirs.clone()));
    println!("floor (6 FFTs + 5 MSMs)  {}", stats(floor.clone()));
    println!("  witness map            {}", stats(wmap));
    println!("  MSM H  (G1)            {}", stats(mh));
    println!("  MSM L  (G1)            {}", stats(ml));
    println!("  MSM A  (G1)            {}", stats(ma));
    println!("  MSM B  (G1)            {}", stats(mb1));
    println!("  MSM B  (G2)            {}", stats(mb2));
    println!(
        "speedup vs arkworks {:.2}x, prove/floor {:.2}",
        med(&theirs) / med(&ours),
        med(&ours) / med(&floor)
    );
}
