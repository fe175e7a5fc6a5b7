//! The aarch64 fast path (issue #20) measured in one process, alternating the variants.
//!
//! **`arm_probe chunk [keys dir] [reps]`** — the issue's measurement: one full `earth` chunk
//! (the first 462 points of the Garmin run under the Santa Clara policy), the tuned
//! `ChunkProver::prove` against stock `Groth16::prove` (synthesis included, what the report's
//! *stock* column runs) and against arkworks' core on prebuilt matrices
//! (`create_proof_with_reduction_and_matrices`), both with the keys' QAP reduction, in a
//! rotating order, every proof verified; then the tuned proof's phases, the scalars' bit
//! lengths per MSM, and arkworks' own H MSM. The keys are the prepared `earth` keys in
//! `keys dir` (default `target/bench-keys`, where the report keeps them; make them natively
//! first, e.g. with `zkcontrib setup --shape earth --keys-dir target/bench-keys`).
//! `STOCK_KEYS=<dir>` adds stock arkworks as shipped (`Groth16::<Bn254>::prove`, its own
//! reduction) on keys made with `zkcontrib setup --qap arkworks`; `ONLY=tuned|stock|core|
//! shipped|none` runs one member alone (for instruction counts under valgrind).
//! `reps = 0` prints only the phases. On a device, copy the repository's `fixtures` folder
//! and name it in `ZKCONTRIB_FIXTURES`.
//!
//! **`arm_probe merge [keys dir] [reps]`** — on the same chunk, the H, L and B-G1 MSMs as three
//! MSMs against the prover's merged form (the full-width scalars of L and `r·B` inside the H
//! MSM), alternating; `AB_ONLY=separate` or `AB_ONLY=merged` runs one side (for instruction
//! counts under valgrind, which this noisy machine does not disturb).
//!
//! **`arm_probe [constraints] [reps] [keys file]`** — the arithmetic alone:
//!
//! 1. field multiplication alone, as a dependent chain `x ← x·y` (latency-bound, as in the
//!    batch inversions): ark-ff's `*`, the prover's [`FastMul`] (on aarch64 the assembly
//!    kernel), and the plain-Rust kernel [`mont::mul_rust`];
//! 2. one proof of the mixed circuit (default 126000 constraints: domain 2^17, the `earth`
//!    shape's) by the tuned prover and by arkworks
//!    (`create_proof_with_reduction_and_matrices`, what `Groth16::prove` runs after
//!    synthesis), alternating, with the same `r, s`; the proofs must be equal.
//!
//! ```text
//! RAYON_NUM_THREADS=1 cargo run --release -p zkcontrib-prover --features bench \
//!     --example arm_probe -- chunk target/bench-keys 3
//! ```
//!
//! Under qemu-aarch64 (docs/tuning.md): cross-build with `--target aarch64-unknown-linux-gnu`
//! and run the binary with `qemu-aarch64 -L /usr/aarch64-linux-gnu -E
//! LD_LIBRARY_PATH=/usr/aarch64-linux-gnu/lib`. In the second form the
//! keys file (made on the first run, read with `deserialize_uncompressed_unchecked` after)
//! skips the slow setup on later runs; it is a development setup, for timing only. Prints
//! min / median and the ratio of medians. With `WINDOWS=lo-hi` in the environment it then
//! times the tuned prover's phases once and the H MSM (full-width scalars) with each forced
//! window size in `lo..=hi` against the cost model's choice (alternating), to check the
//! model's constants.

#[path = "common/mixed_circuit.rs"]
#[allow(dead_code)]
mod mixed_circuit;

use ark_bn254::{Bn254, Fq, Fr};
use ark_ff::{Field, UniformRand};
use ark_groth16::{Groth16, ProvingKey};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use ark_snark::SNARK;
use mixed_circuit::{extract, MixedCircuit, Sizes, Values};
use rand::{rngs::StdRng, SeedableRng};
use std::hint::black_box;
use std::time::Instant;
use zkcontrib_prover::arith::{mont, AddSub, FastMul, TUNED_MUL};
use zkcontrib_prover::groth16::Prover;
use zkcontrib_prover::msm::{is_glv_split, msm, msm_merged, msm_with, MsmConfig};

fn stats(v: &[f64]) -> (f64, f64) {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    (v[0], v[v.len() / 2])
}

fn line(name: &str, v: &[f64], unit: &str) {
    let (min, med) = stats(v);
    println!("{name:<34} {min:10.2} / {med:10.2} {unit}");
}

fn secs(t: Instant) -> f64 {
    t.elapsed().as_secs_f64()
}

/// Seconds `f` takes.
fn time(f: &mut dyn FnMut()) -> f64 {
    let t = Instant::now();
    f();
    secs(t)
}

/// Times the five MSMs of a proof with assignment `z` and quotient `h` once each (and
/// arkworks' own H MSM when `ark_h`), printing one line per MSM.
fn msm_phases(pk: &ProvingKey<Bn254>, z: &[Fr], h: &[Fr], num_instance: usize, ark_h: bool) {
    let z1 = &z[1..];
    let s = time(&mut || {
        let _ = black_box(msm(&pk.h_query, h).unwrap());
    });
    println!("  MSM H  (G1)           {s:8.2} s");
    if ark_h {
        let s = time(&mut || {
            use ark_ec::VariableBaseMSM;
            let _ = black_box(ark_bn254::G1Projective::msm(&pk.h_query, h).unwrap());
        });
        println!("  (arkworks' MSM H      {s:8.2} s)");
    }
    let s = time(&mut || {
        let _ = black_box(msm(&pk.l_query, &z[num_instance..]).unwrap());
    });
    println!("  MSM L  (G1)           {s:8.2} s");
    let s = time(&mut || {
        let _ = black_box(msm(&pk.a_query[1..], z1).unwrap());
    });
    println!("  MSM A  (G1)           {s:8.2} s");
    let s = time(&mut || {
        let _ = black_box(msm(&pk.b_g1_query[1..], z1).unwrap());
    });
    println!("  MSM B  (G1)           {s:8.2} s");
    let s = time(&mut || {
        let _ = black_box(msm(&pk.b_g2_query[1..], z1).unwrap());
    });
    println!("  MSM B  (G2)           {s:8.2} s");
}

/// The merge of issue #20's last session, alternating in one process: the H, L and B-G1 MSMs
/// as three MSMs, against what the prover runs instead (groth16.rs): the full-width scalars
/// of L and r·B merged into the H MSM, the short ones in MSMs of their own. Prints each pair
/// and the ratio of the medians.
fn merge_ab(pk: &ProvingKey<Bn254>, z: &[Fr], h: &[Fr], num_instance: usize, reps: usize) {
    let r = Fr::from(7u64);
    let z1 = &z[1..];
    let zl = &z[num_instance..];
    let bq = &pk.b_g1_query[1..];
    let full = |b: &[ark_bn254::G1Affine], sc: &[Fr], f: Fr| -> (Vec<_>, Vec<Fr>) {
        b.iter()
            .zip(sc)
            .filter(|(_, s)| is_glv_split(*s))
            .map(|(p, s)| (*p, *s * f))
            .unzip()
    };
    let short = |sc: &[Fr]| -> Vec<Fr> {
        sc.iter()
            .map(|s| if is_glv_split(s) { Fr::from(0u64) } else { *s })
            .collect()
    };
    // AB_ONLY=separate or AB_ONLY=merged runs one side only (for instruction counts, e.g.
    // under valgrind's callgrind, where this machine's noise does not reach)
    let only = std::env::var("AB_ONLY").ok();
    let mut sep = vec![];
    let mut mer = vec![];
    for i in 0..reps {
        for k in 0..2 {
            let separate = (i + k) % 2 == 0;
            let wanted = match only.as_deref() {
                Some("separate") => separate,
                Some("merged") => !separate,
                _ => true,
            };
            if !wanted {
                continue;
            }
            if separate {
                let mut out = None;
                let t = time(&mut || {
                    let hh = msm(&pk.h_query, h).unwrap();
                    let l = msm(&pk.l_query, zl).unwrap();
                    let b = msm(bq, z1).unwrap();
                    out = Some(hh + l + b * r);
                });
                black_box(out);
                sep.push(t);
            } else {
                let mut out = None;
                let t = time(&mut || {
                    let (lb, ls) = full(&pk.l_query, zl, Fr::from(1u64));
                    let (bb, bs) = full(bq, z1, r);
                    let m = msm_merged(&pk.h_query, h, &[(&lb, &ls), (&bb, &bs)]).unwrap();
                    let l = msm(&pk.l_query, &short(zl)).unwrap();
                    let b = msm(bq, &short(z1)).unwrap();
                    out = Some(m + l + b * r);
                });
                black_box(out);
                mer.push(t);
            }
        }
        if only.is_some() {
            continue;
        }
        println!(
            "  pair {i}: H, L, B-G1 separately {:.3} s, merged {:.3} s ({:.3}x)",
            sep[i],
            mer[i],
            sep[i] / mer[i]
        );
    }
    if reps > 0 && only.is_none() {
        let (smin, smed) = stats(&sep);
        let (mmin, mmed) = stats(&mer);
        println!(
            "separately: min {smin:.3} median {smed:.3} s; merged: min {mmin:.3} median {mmed:.3} s; ratio of medians {:.3}x, of minima {:.3}x",
            smed / mmed,
            smin / mmin
        );
    }
}

/// ns per multiplication of a dependent chain of `n`.
fn chain(n: usize, x: Fq, y: Fq, f: impl Fn(Fq, &Fq) -> Fq) -> f64 {
    let t = Instant::now();
    let mut x = x;
    for _ in 0..n {
        x = f(black_box(x), &y);
    }
    black_box(x);
    secs(t) * 1e9 / n as f64
}

fn field_mul(reps: usize) {
    let mut rng = StdRng::seed_from_u64(3);
    let (x, y) = (Fq::rand(&mut rng), Fq::rand(&mut rng));
    let q = <ark_bn254::FqConfig as ark_ff::MontConfig<4>>::MODULUS.0;
    let inv = mont::neg_inv(q[0]);
    let n = 1 << 20;
    let rust = |a: Fq, b: &Fq| {
        ark_ff::Fp(
            ark_ff::BigInt(mont::mul_rust(&a.0 .0, &b.0 .0, &q, inv)),
            core::marker::PhantomData,
        )
    };
    // the three agree (also tested in arith.rs)
    assert_eq!(x * y, x.mul_fast(&y));
    assert_eq!(x * y, rust(x, &y));
    let (mut ark, mut tuned, mut plain, mut ark_sq, mut tuned_sq) =
        (vec![], vec![], vec![], vec![], vec![]);
    let (mut add, mut sub, mut inv_t) = (vec![], vec![], vec![]);
    for _ in 0..reps {
        add.push(chain(n, x, y, |a, b| a.add_bf(b)));
        sub.push(chain(n, x, y, |a, b| a.sub_bf(b)));
        inv_t.push(chain(n >> 8, x, y, |a, b| a.inverse().unwrap_or(*b)));
        ark.push(chain(n, x, y, |a, b| a * b));
        tuned.push(chain(n, x, y, |a, b| a.mul_fast(b)));
        plain.push(chain(n, x, y, rust));
        ark_sq.push(chain(n, x, y, |a, _| a.square()));
        tuned_sq.push(chain(n, x, y, |a, _| a.square_fast()));
    }
    println!("Fq multiplication, dependent chain of {n}, {reps} alternating runs (min / median):");
    line("  ark-ff *", &ark, "ns");
    line("  FastMul::mul_fast", &tuned, "ns");
    line("  mont::mul_rust", &plain, "ns");
    line("  ark-ff square", &ark_sq, "ns");
    line("  FastMul::square_fast", &tuned_sq, "ns");
    line("  AddSub::add_bf", &add, "ns");
    line("  AddSub::sub_bf", &sub, "ns");
    line("  ark-ff inverse", &inv_t, "ns");
    let med = |v: &[f64]| stats(v).1;
    println!(
        "  ark-ff / mul_fast {:.2}x, ark-ff / mul_rust {:.2}x, square {:.2}x (TUNED_MUL = {TUNED_MUL})",
        med(&ark) / med(&tuned),
        med(&ark) / med(&plain),
        med(&ark_sq) / med(&tuned_sq)
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mode = args.get(1).map(String::as_str);
    if mode == Some("chunk") || mode == Some("merge") {
        let dir = args
            .get(2)
            .map(String::as_str)
            .unwrap_or("target/bench-keys");
        let reps = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(3);
        return chunk(std::path::Path::new(dir), reps, mode == Some("merge"));
    }
    let n: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(126_000);
    let reps: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(3);
    let keys = args.get(3).cloned();
    println!(
        "arch {}, threads {}",
        std::env::consts::ARCH,
        rayon::current_num_threads()
    );
    field_mul(9);
    if n == 0 {
        return;
    }

    let sizes = Sizes::about(n);
    let t = Instant::now();
    let pk: ProvingKey<Bn254> = match keys.as_deref().map(std::fs::read) {
        Some(Ok(bytes)) => ProvingKey::deserialize_uncompressed_unchecked(&bytes[..]).unwrap(),
        _ => {
            let mut rng = StdRng::seed_from_u64(1);
            let (pk, _) = Groth16::<Bn254>::circuit_specific_setup(
                MixedCircuit {
                    sizes,
                    values: None,
                },
                &mut rng,
            )
            .unwrap();
            if let Some(path) = &keys {
                let mut bytes = Vec::new();
                pk.serialize_uncompressed(&mut bytes).unwrap();
                std::fs::write(path, bytes).unwrap();
            }
            pk
        }
    };
    let setup = secs(t);
    let values = Values::random(sizes, 2);
    let public = values.public();
    let ex = extract(MixedCircuit {
        sizes,
        values: Some(values),
    });
    let prover = Prover::new(&pk, ex.num_instance, ex.num_constraints).unwrap();
    println!(
        "{} constraints, domain {}, keys {setup:.1} s",
        ex.num_constraints,
        prover.domain_size()
    );
    let pvk = Groth16::<Bn254>::process_vk(&pk.vk).unwrap();
    let mut rng = StdRng::seed_from_u64(4);
    let (mut ours, mut theirs) = (vec![], vec![]);
    for i in 0..reps {
        let (r, s) = (Fr::rand(&mut rng), Fr::rand(&mut rng));
        // alternate which goes first
        let run_ours = || {
            let t = Instant::now();
            let p = prover.create_proof(&ex.abc, &ex.z, r, s).unwrap();
            (p, secs(t))
        };
        let run_theirs = || {
            let t = Instant::now();
            let q = ex.arkworks_proof(&pk, r, s);
            (q, secs(t))
        };
        let ((p, a), (q, b)) = if i % 2 == 0 {
            let x = run_ours();
            (x, run_theirs())
        } else {
            let y = run_theirs();
            (run_ours(), y)
        };
        assert_eq!(p, q, "the tuned proof equals arkworks' for the same r, s");
        assert!(Groth16::<Bn254>::verify_with_processed_vk(&pvk, &public, &p).unwrap());
        println!(
            "  run {i}: tuned {a:.2} s, arkworks {b:.2} s, ratio {:.2}x",
            b / a
        );
        ours.push(a);
        theirs.push(b);
    }
    line("create_proof (tuned)", &ours, "s");
    line("create_proof (arkworks)", &theirs, "s");
    let ratios: Vec<f64> = ours.iter().zip(&theirs).map(|(a, b)| b / a).collect();
    let (rmin, rmed) = stats(&ratios);
    let rmax = ratios.iter().copied().fold(f64::MIN, f64::max);
    println!(
        "speedup vs arkworks: median of medians {:.2}x; per-pair min {rmin:.2}x median {rmed:.2}x max {rmax:.2}x",
        stats(&theirs).1 / stats(&ours).1
    );
    if let Some((lo, hi)) = std::env::var("WINDOWS")
        .ok()
        .and_then(|w| {
            w.split_once('-')
                .map(|(a, b)| (a.parse().ok(), b.parse().ok()))
        })
        .and_then(|(a, b)| Some((a?, b?)))
    {
        windows(&pk, &prover, &ex, lo, hi);
    }
}

fn windows(
    pk: &ProvingKey<Bn254>,
    prover: &Prover<'_>,
    ex: &mixed_circuit::Extracted,
    lo: usize,
    hi: usize,
) {
    let mut h = vec![];
    println!("phases of one tuned proof:");
    let s = time(&mut || h = prover.witness_map(&ex.abc, &ex.z).unwrap());
    println!("  witness map (6 FFTs)  {s:8.2} s");
    let h = &h[..pk.h_query.len()];
    msm_phases(pk, &ex.z, h, ex.num_instance, false);
    println!("H MSM, forced window against the cost model's choice (alternating):");
    for c in lo..=hi {
        let forced = MsmConfig {
            window: Some(c),
            ..MsmConfig::default()
        };
        let (mut model, mut this) = (vec![], vec![]);
        for _ in 0..2 {
            model.push(time(&mut || {
                let _ = black_box(msm(&pk.h_query, h).unwrap());
            }));
            this.push(time(&mut || {
                let _ = black_box(msm_with(&pk.h_query, h, &forced).unwrap());
            }));
        }
        let (m, t) = (stats(&model).0, stats(&this).0);
        println!(
            "  c = {c:2}: {t:7.2} s, model {m:7.2} s, forced/model {:.3}",
            t / m
        );
    }
}

/// The issue's measurement: one full `earth` chunk (the first 462 points of the Garmin run,
/// Santa Clara policy), the tuned `ChunkProver::prove` (assignment, constraint check, witness
/// map, MSMs) against stock `Groth16::prove` (synthesis included) and arkworks' core on
/// prebuilt matrices, both with the keys' reduction, and — with `STOCK_KEYS` naming keys of
/// arkworks' reduction (`setup --qap arkworks`) — stock `Groth16::prove` as shipped, in a
/// rotating order, 1 thread; every proof verified. Keys from the prepared file in `keys_dir`
/// (made natively by `setup`). `ONLY=<member>` runs one member alone (instruction counts).
fn chunk(keys_dir: &std::path::Path, reps: usize, merge: bool) {
    use zkcontrib_circuits::witness::trace_witnesses;
    use zkcontrib_prover::{ingest::read_points, policy_file::load_policy, prepared, prove};
    println!(
        "arch {}, threads {}, TUNED_MUL = {TUNED_MUL}",
        std::env::consts::ARCH,
        rayon::current_num_threads()
    );
    let t = Instant::now();
    let loaded = prepared::load(keys_dir, "earth").unwrap();
    println!("keys {:?} in {:.1} s", loaded.source, secs(t));
    let (keys, m) = (loaded.keys, loaded.matrices);
    // the repository's fixtures, or a copy (on a device) named by ZKCONTRIB_FIXTURES
    let fx = std::env::var_os("ZKCONTRIB_FIXTURES")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures"));
    let policy = load_policy(&fx.join("santa-clara-2017.toml")).unwrap();
    let points = read_points(&fx.join("garmin-activity-santa-clara.gpx")).unwrap();
    let ws = trace_witnesses(
        &policy,
        &keys.shape,
        &points,
        Fr::from(3u64),
        Fr::from(5u64),
    )
    .unwrap();
    let w = &ws[0];
    let pvk = zkcontrib_verifier::PreparedKey::new(keys.vk()).unwrap();
    let inputs = w.public.to_array();
    if merge {
        let prover = Prover::new(&keys.pk, m.num_instance, m.num_constraints).unwrap();
        let z = zkcontrib_prover::matrices::assignment(&m, w).unwrap();
        let h = prover.witness_map(&m.abc, &z).unwrap();
        return merge_ab(
            &keys.pk,
            &z,
            &h[..keys.pk.h_query.len()],
            m.num_instance,
            reps,
        );
    }
    let qap = keys.meta.qap;
    let tuned = prove::ChunkProver::new(&m, &keys.pk, qap).unwrap();
    // STOCK_KEYS=<dir>: keys of the same shape made with `setup --qap arkworks`, for stock
    // arkworks as shipped (its own reduction and key) beside stock on the same key
    let shipped = std::env::var_os("STOCK_KEYS").map(|d| {
        let l = prepared::load(std::path::Path::new(&d), "earth").unwrap();
        assert_eq!(l.keys.meta.qap, zkcontrib_verifier::keys::Qap::Arkworks);
        let pvk = zkcontrib_verifier::PreparedKey::new(l.keys.vk()).unwrap();
        (l.keys, pvk)
    });
    println!(
        "keys: qap {qap:?}; stock as shipped on arkworks-reduction keys: {}",
        shipped.is_some()
    );
    let members = if shipped.is_some() { 4 } else { 3 };
    let mut rng = StdRng::seed_from_u64(4);
    // one proof by member `which` (tuned, stock on the same key, arkworks' core, stock as
    // shipped) and the key that verifies it
    let member = |which: usize, rng: &mut StdRng| match which {
        0 => (tuned.prove(w, 0, rng).unwrap(), &pvk),
        1 => (
            prove::prove_chunk_stock(keys.shape, &keys.pk, qap, w, rng).unwrap(),
            &pvk,
        ),
        2 => (
            prove::prove_chunk(&m, &keys.pk, qap, w, 0, rng).unwrap(),
            &pvk,
        ),
        _ => {
            let (k, p) = shipped.as_ref().expect("stock as shipped needs STOCK_KEYS");
            let qa = zkcontrib_verifier::keys::Qap::Arkworks;
            (
                prove::prove_chunk_stock(k.shape, &k.pk, qa, w, rng).unwrap(),
                p,
            )
        }
    };
    // ONLY=tuned|stock|core|shipped|none: that member alone, `reps` times, and nothing else
    // (for instruction counts of the emulator: the difference to ONLY=none is the proofs')
    if let Some(only) = std::env::var_os("ONLY") {
        let which = match only.to_str() {
            Some("tuned") => 0,
            Some("stock") => 1,
            Some("core") => 2,
            Some("shipped") => 3,
            _ => 4,
        };
        for _ in 0..reps {
            if which == 4 {
                break;
            }
            std::hint::black_box(member(which, &mut rng));
        }
        return;
    }
    // tuned, stock on the same key, arkworks' core on prebuilt matrices (stock without its
    // synthesis), and stock as shipped, in a rotating order; every proof verified
    let mut t = [vec![], vec![], vec![], vec![]];
    for i in 0..reps {
        let mut took = [0.0; 4];
        for k in 0..members {
            let which = (i + k) % members;
            let start = Instant::now();
            let (p, key) = member(which, &mut rng);
            took[which] = secs(start);
            zkcontrib_verifier::verify(key, &p, &inputs).unwrap();
        }
        print!(
            "  run {i}: tuned {:.2} s, stock same key {:.2} s (ratio {:.2}x), arkworks core {:.2} s (ratio {:.2}x)",
            took[0],
            took[1],
            took[1] / took[0],
            took[2],
            took[2] / took[0]
        );
        if members == 4 {
            print!(
                ", stock as shipped {:.2} s (ratio {:.2}x)",
                took[3],
                took[3] / took[0]
            );
        }
        println!();
        for k in 0..members {
            t[k].push(took[k]);
        }
    }
    let [ours, theirs, core, ship] = t;
    if reps == 0 {
        return phases(&keys.pk, &m, w, qap);
    }
    line("ChunkProver::prove (tuned)", &ours, "s");
    line("Groth16::prove (stock), same key", &theirs, "s");
    line("arkworks core, prebuilt matrices", &core, "s");
    let ratio_line = |name: &str, other: &[f64]| {
        let ratios: Vec<f64> = ours.iter().zip(other).map(|(a, b)| b / a).collect();
        let (rmin, rmed) = stats(&ratios);
        let rmax = ratios.iter().copied().fold(f64::MIN, f64::max);
        println!(
            "speedup vs {name}: ratio of medians {:.2}x; per pair min {rmin:.2}x median {rmed:.2}x max {rmax:.2}x",
            stats(other).1 / stats(&ours).1
        );
    };
    ratio_line("stock, same key", &theirs);
    if members == 4 {
        line("Groth16::prove (stock as shipped)", &ship, "s");
        ratio_line("stock as shipped (arkworks reduction and key)", &ship);
    }
    phases(&keys.pk, &m, w, qap);
}

/// Where the tuned proof's time goes (each phase once).
fn phases(
    pk: &ProvingKey<Bn254>,
    m: &zkcontrib_prover::matrices::Matrices,
    w: &zkcontrib_circuits::witness::ChunkWitness,
    qap: zkcontrib_verifier::keys::Qap,
) {
    use zkcontrib_prover::matrices;
    let prover = Prover::new(pk, m.num_instance, m.num_constraints).unwrap();
    let mut z = vec![];
    let s = time(&mut || z = matrices::assignment(m, w).unwrap());
    println!("phases of one tuned proof:\n  assignment            {s:8.2} s");
    let mut h = vec![];
    let coset = qap == zkcontrib_verifier::keys::Qap::Coset;
    let s = time(&mut || {
        h = if coset {
            prover
                .coset_witness_map_checked(&m.abc, &z, true)
                .unwrap()
                .unwrap()
        } else {
            prover.witness_map(&m.abc, &z).unwrap()
        }
    });
    println!(
        "  witness map ({} FFTs)  {s:8.2} s",
        if coset { 4 } else { 6 }
    );
    // its first part: the three sparse matrix-vector products A·z, B·z, C·z
    let mut out = vec![Fr::from(0u64); m.num_constraints];
    let s = time(&mut || {
        for k in 0..3 {
            zkcontrib_prover::sparse::ConstraintMatrices::mat_vec(&m.abc, k, &z, &mut out);
        }
    });
    println!(
        "    of which A·z, B·z, C·z {s:8.2} s ({} nonzeros)",
        m.abc.nonzeros()
    );
    let h = &h[..pk.h_query.len()];
    scalar_lengths(pk, &z, h, m.num_instance);
    msm_phases(pk, &z, h, m.num_instance, true);
}

/// How long each MSM's scalars are (the witness is mostly zeros and bits, the H query's
/// scalars are full width): counts per bit-length class, of the scalars whose base is not the
/// identity.
fn scalar_lengths(pk: &ProvingKey<Bn254>, z: &[Fr], h: &[Fr], num_instance: usize) {
    use ark_ec::AffineRepr;
    use ark_ff::{BigInteger, PrimeField, Zero};
    let bits = |x: &Fr| {
        let k = x.into_bigint().num_bits();
        let n = (-*x).into_bigint().num_bits();
        k.min(n) as usize
    };
    let hist = |name: &str, n: usize, f: &dyn Fn(usize) -> bool, sc: &[Fr]| {
        let mut h = [0usize; 6];
        let mut nz = 0;
        for (i, s) in sc.iter().enumerate() {
            if !f(i) {
                continue;
            }
            nz += 1;
            let b = if s.is_zero() { 0 } else { bits(s) };
            let k = match b {
                0 => 0,
                1 => 1,
                2..=8 => 2,
                9..=32 => 3,
                33..=128 => 4,
                _ => 5,
            };
            h[k] += 1;
        }
        println!("  {name:6} {n:7} scalars, {nz:7} with a base: zero {} | 1 bit {} | 2-8 {} | 9-32 {} | 33-128 {} | >128 {}", h[0], h[1], h[2], h[3], h[4], h[5]);
    };
    let z1 = &z[1..];
    hist("A", z1.len(), &|i| !pk.a_query[i + 1].is_zero(), z1);
    hist("B1", z1.len(), &|i| !pk.b_g1_query[i + 1].is_zero(), z1);
    hist("B2", z1.len(), &|i| !pk.b_g2_query[i + 1].is_zero(), z1);
    let zl = &z[num_instance..];
    hist("L", zl.len(), &|i| !pk.l_query[i].is_zero(), zl);
    hist("H", h.len(), &|_| true, h);
}
