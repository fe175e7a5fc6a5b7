//! Times the tuned MSM against arkworks' `VariableBaseMSM::msm`.
//!
//! `cargo run --release -p zkcontrib-prover --features bench --example msm_probe -- [g1|g2|all] [reps] [window]`
//! (or `windows LOG LO-HI REPS [g1|g2]`: the cost model's window against forced ones; `add
//! [rounds]`: ns per batch-affine addition, the kernel alone, against one multiplication).
//! Prints min and median over `reps` runs in milliseconds. Thread count follows
//! `RAYON_NUM_THREADS` (use 1 for single-core figures).

use ark_bn254::{Fr, G1Projective, G2Projective};
use ark_ec::scalar_mul::glv::GLVConfig;
use ark_ec::short_weierstrass::{Affine, Projective};
use ark_ec::{CurveGroup, VariableBaseMSM};
use ark_ff::UniformRand;
use rand::{rngs::StdRng, Rng, SeedableRng};
use std::time::Instant;
use zkcontrib_prover::msm::{msm_with, MsmConfig};

fn points<P: GLVConfig>(n: usize, rng: &mut StdRng) -> Vec<Affine<P>> {
    let seeds: Vec<Projective<P>> = (0..16).map(|_| Projective::<P>::rand(rng)).collect();
    let mut acc = Projective::<P>::rand(rng);
    let out: Vec<Projective<P>> = (0..n)
        .map(|_| {
            acc += seeds[rng.gen_range(0..seeds.len())];
            acc
        })
        .collect();
    Projective::normalize_batch(&out)
}

fn scalars(n: usize, kind: &str, rng: &mut StdRng) -> Vec<Fr> {
    (0..n)
        .map(|_| match kind {
            "full" => Fr::rand(rng),
            "bits" => Fr::from(rng.gen::<bool>() as u64),
            "26bit" => Fr::from(rng.gen::<u64>() & ((1 << 26) - 1)),
            "64bit" => Fr::from(rng.gen::<u64>()),
            // a prover-like witness: half bits, 30% short integers, 20% full width
            "mixed" => match rng.gen_range(0..10) {
                0..=4 => Fr::from(rng.gen::<bool>() as u64),
                5..=7 => Fr::from(rng.gen::<u64>() >> rng.gen_range(0..40)),
                _ => Fr::rand(rng),
            },
            _ => unreachable!(),
        })
        .collect()
}

fn stats(mut v: Vec<f64>) -> (f64, f64) {
    v.sort_by(f64::total_cmp);
    (v[0], v[v.len() / 2])
}

fn time<P: GLVConfig<ScalarField = Fr>>(
    label: &str,
    bases: &[Affine<P>],
    sc: &[Fr],
    reps: usize,
    window: Option<usize>,
) where
    Projective<P>: VariableBaseMSM<MulBase = Affine<P>, ScalarField = Fr>,
    P::BaseField: zkcontrib_prover::arith::AddSub,
{
    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    let cfg = MsmConfig { glv: true, window };
    let nog = MsmConfig { glv: false, window };
    let mut noglv = Vec::new();
    for _ in 0..reps {
        let t = Instant::now();
        let a = msm_with(bases, sc, &cfg).unwrap();
        ours.push(t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        let c = msm_with(bases, sc, &nog).unwrap();
        noglv.push(t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        let b = <Projective<P> as VariableBaseMSM>::msm(bases, sc).unwrap();
        theirs.push(t.elapsed().as_secs_f64() * 1e3);
        assert_eq!(a.into_affine(), b.into_affine());
        assert_eq!(c.into_affine(), b.into_affine());
    }
    let (om, omed) = stats(ours);
    let (gm, gmed) = stats(noglv);
    let (am, amed) = stats(theirs);
    println!(
        "{label:<24} ours {om:8.1} / {omed:8.1}   no-glv {gm:8.1} / {gmed:8.1}   arkworks {am:8.1} / {amed:8.1}   speedup {:.2}x",
        amed / omed
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let which = args.get(1).map(String::as_str).unwrap_or("all");
    let reps: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(3);
    let window: Option<usize> = args.get(3).and_then(|s| s.parse().ok());
    let mut rng = StdRng::seed_from_u64(42);
    if which == "mul" {
        // dependent chain of base-field multiplications: ns per multiplication
        let mut a = ark_bn254::Fq::rand(&mut rng);
        let b = ark_bn254::Fq::rand(&mut rng);
        let t = Instant::now();
        for _ in 0..10_000_000 {
            a *= b;
        }
        println!(
            "Fq mul {:.2} ns ({a})",
            t.elapsed().as_secs_f64() * 1e9 / 1e7
        );
        return;
    }
    if which == "add" {
        // ns per batch-affine addition (the kernel alone) in G1 and G2, and per Fq
        // multiplication, to split an MSM's time into additions and the rest
        let rounds: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(200);
        let g1 = points::<ark_bn254::g1::Config>(2048, &mut rng);
        let g2 = points::<ark_bn254::g2::Config>(1024, &mut rng);
        let mut a = ark_bn254::Fq::rand(&mut rng);
        let b = ark_bn254::Fq::rand(&mut rng);
        let t = Instant::now();
        for _ in 0..1_000_000 {
            a = zkcontrib_prover::arith::FastMul::mul_fast(&std::hint::black_box(a), &b);
        }
        let mul = t.elapsed().as_secs_f64() * 1e3;
        std::hint::black_box(a);
        let mut c = ark_bn254::Fq2::rand(&mut rng);
        let d = ark_bn254::Fq2::rand(&mut rng);
        let t = Instant::now();
        for _ in 0..1_000_000 {
            c = zkcontrib_prover::arith::FastMul::mul_fast(&std::hint::black_box(c), &d);
        }
        let mul2 = t.elapsed().as_secs_f64() * 1e3;
        std::hint::black_box(c);
        println!("Fq2 mul_fast {mul2:.2} ns ({:.2} Fq muls)", mul2 / mul);
        let add1 = zkcontrib_prover::msm::time_batch_add(&g1, rounds).unwrap();
        let add2 = zkcontrib_prover::msm::time_batch_add(&g2, rounds / 3).unwrap();
        println!(
            "Fq mul_fast {mul:.2} ns; batch-affine addition G1 {add1:.1} ns ({:.1} muls), G2 {add2:.1} ns ({:.1} muls)",
            add1 / mul,
            add2 / mul
        );
        return;
    }
    if which == "windows" {
        // `windows LOG LO-HI REPS [g1|g2]`: the model's window against each forced window
        // on full-width scalars, rotating the order every repetition (checks the cost
        // model's constants on this CPU, e.g. under qemu-aarch64)
        let log: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(17);
        let (lo, hi) = args
            .get(3)
            .and_then(|s| s.split_once('-'))
            .and_then(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?)))
            .unwrap_or((13usize, 17usize));
        let reps: usize = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(3);
        let curve = args.get(5).map(String::as_str).unwrap_or("g1");
        let sc = scalars(1 << log, "full", &mut rng);
        let variants: Vec<Option<usize>> =
            std::iter::once(None).chain((lo..=hi).map(Some)).collect();
        let mut times = vec![Vec::new(); variants.len()];
        macro_rules! run {
            ($cfg:ty) => {{
                let ps = points::<$cfg>(1 << log, &mut rng);
                for rep in 0..reps {
                    for k in 0..variants.len() {
                        let v = (k + rep) % variants.len();
                        let cfg = MsmConfig {
                            glv: true,
                            window: variants[v],
                        };
                        let t = Instant::now();
                        let r = msm_with(&ps, &sc, &cfg).unwrap();
                        times[v].push(t.elapsed().as_secs_f64() * 1e3);
                        let _ = std::hint::black_box(r);
                    }
                }
            }};
        }
        if curve == "g2" {
            run!(ark_bn254::g2::Config)
        } else {
            run!(ark_bn254::g1::Config)
        }
        let model = stats(times[0].clone()).1;
        for (v, t) in variants.iter().zip(times) {
            let (min, med) = stats(t);
            let name = v.map_or("model".to_string(), |c| format!("c = {c}"));
            println!(
                "{curve} 2^{log} full {name:>6}: {min:9.1} / {med:9.1} ms   {:.3}x the model's",
                med / model
            );
        }
        return;
    }
    if which == "one" || which == "ark" {
        // `one LOG KIND REPS`: only the tuned G1 MSM, for profilers
        let log: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(16);
        let kind = args.get(3).map(String::as_str).unwrap_or("full");
        let reps: usize = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(1);
        let cfg = MsmConfig {
            glv: true,
            window: args.get(5).and_then(|s| s.parse().ok()),
        };
        let ps = points::<ark_bn254::g1::Config>(1 << log, &mut rng);
        let sc = scalars(1 << log, kind, &mut rng);
        let mut times: Vec<f64> = Vec::new();
        for _ in 0..reps {
            let t = Instant::now();
            let r = if which == "one" {
                msm_with(&ps, &sc, &cfg).unwrap()
            } else {
                G1Projective::msm(&ps, &sc).unwrap()
            };
            times.push(t.elapsed().as_secs_f64() * 1e3);
            let _ = std::hint::black_box(r);
        }
        let (min, med) = stats(times);
        println!(
            "{which} 2^{log} {kind} window {:?}: {min:.1} / {med:.1} ms",
            cfg.window
        );
        return;
    }
    println!(
        "threads {} (min / median ms over {reps} runs)",
        rayon::current_num_threads()
    );
    if which == "g1" || which == "all" {
        let ps = points::<ark_bn254::g1::Config>(1 << 17, &mut rng);
        for log in [14usize, 16, 17] {
            for kind in ["full", "bits", "26bit", "64bit", "mixed"] {
                let sc = scalars(1 << log, kind, &mut rng);
                time(
                    &format!("G1 2^{log} {kind}"),
                    &ps[..1 << log],
                    &sc,
                    reps,
                    window,
                );
            }
        }
    }
    if which == "g2" || which == "all" {
        let ps = points::<ark_bn254::g2::Config>(1 << 15, &mut rng);
        for log in [14usize, 15] {
            for kind in ["full", "bits", "26bit", "mixed"] {
                let sc = scalars(1 << log, kind, &mut rng);
                time(
                    &format!("G2 2^{log} {kind}"),
                    &ps[..1 << log],
                    &sc,
                    reps,
                    window,
                );
            }
        }
    }
    let _ = (G1Projective::default(), G2Projective::default());
}
