//! The tuned Groth16 prover gives arkworks' proof bit for bit (same r, s), the proof
//! verifies, and the thread count does not change it.

#[path = "../examples/common/mixed_circuit.rs"]
#[allow(dead_code)]
mod mixed_circuit;

use ark_bn254::{Bn254, Fr};
use ark_ff::{UniformRand, Zero};
use ark_groth16::r1cs_to_qap::LibsnarkReduction;
use ark_groth16::{Groth16, ProvingKey};
use ark_snark::SNARK;
use mixed_circuit::{extract, Extracted, MixedCircuit, Sizes, Values};
use rand::{rngs::StdRng, SeedableRng};
use zkcontrib_prover::groth16::{create_proof, Groth16Error, Prover};

const SIZES: Sizes = Sizes {
    bits: 150,
    products: 60,
    rounds: 30,
};

fn setup() -> (ProvingKey<Bn254>, Extracted, Vec<Fr>) {
    let mut rng = StdRng::seed_from_u64(11);
    let shape = MixedCircuit {
        sizes: SIZES,
        values: None,
    };
    let (pk, _vk) = Groth16::<Bn254>::circuit_specific_setup(shape, &mut rng).unwrap();
    let values = Values::random(SIZES, 12);
    let public = values.public();
    let ex = extract(MixedCircuit {
        sizes: SIZES,
        values: Some(values),
    });
    (pk, ex, public)
}

fn arkworks(pk: &ProvingKey<Bn254>, ex: &Extracted, r: Fr, s: Fr) -> ark_groth16::Proof<Bn254> {
    Groth16::<Bn254, LibsnarkReduction>::create_proof_with_reduction_and_matrices(
        pk,
        r,
        s,
        &ex.abc,
        ex.num_instance,
        ex.num_constraints,
        &ex.z,
    )
    .unwrap()
}

#[test]
fn proof_equals_arkworks_and_verifies() {
    let (pk, ex, public) = setup();
    assert!(ex.num_constraints > 300, "{}", ex.num_constraints);
    assert_eq!(ex.num_instance, 4);
    let pvk = Groth16::<Bn254>::process_vk(&pk.vk).unwrap();
    let prover = Prover::new(&pk, ex.num_instance, ex.num_constraints).unwrap();
    let mut rng = StdRng::seed_from_u64(13);
    for _ in 0..2 {
        let (r, s) = (Fr::rand(&mut rng), Fr::rand(&mut rng));
        let ours = prover.create_proof(&ex.abc, &ex.z, r, s).unwrap();
        assert_eq!(ours, arkworks(&pk, &ex, r, s));
        assert!(Groth16::<Bn254>::verify_with_processed_vk(&pvk, &public, &ours).unwrap());
        let one_shot = create_proof(
            &pk,
            &ex.abc,
            ex.num_instance,
            ex.num_constraints,
            &ex.z,
            r,
            s,
        )
        .unwrap();
        assert_eq!(one_shot, ours);
    }
    // degenerate blinding: r = 0 (arkworks skips B in G1), s = 0
    for (r, s) in [
        (Fr::zero(), Fr::rand(&mut rng)),
        (Fr::rand(&mut rng), Fr::zero()),
    ] {
        let ours = prover.create_proof(&ex.abc, &ex.z, r, s).unwrap();
        assert_eq!(ours, arkworks(&pk, &ex, r, s));
    }
    // a wrong public input is rejected
    let ours = prover
        .create_proof(&ex.abc, &ex.z, Fr::from(3u64), Fr::from(5u64))
        .unwrap();
    let mut wrong = public.clone();
    wrong[1] += Fr::from(1u64);
    assert!(!Groth16::<Bn254>::verify_with_processed_vk(&pvk, &wrong, &ours).unwrap());
}

/// The prover's compact matrices (`SparseMatrices`, what `prepared::load` and `Matrices` hold)
/// give the same witness maps — arkworks' and circom's reduction — and the same proof as
/// arkworks' `Matrix` form, for a satisfied and an unsatisfied assignment.
#[test]
fn compact_matrices_give_arkworks_proofs() {
    use ark_groth16::r1cs_to_qap::R1CSToQAP;
    use zkcontrib_prover::qap::{circom_witness_map, CircomReduction};
    use zkcontrib_prover::sparse::SparseMatrices;
    let (pk, mut ex, _) = setup();
    let sparse = SparseMatrices::from_ark(&ex.abc).unwrap();
    assert_eq!(sparse.to_ark(), ex.abc);
    let prover = Prover::new(&pk, ex.num_instance, ex.num_constraints).unwrap();
    let mut rng = StdRng::seed_from_u64(21);
    for tamper in [false, true] {
        if tamper {
            ex.z[ex.num_instance + SIZES.bits + 3] += Fr::from(1u64);
        }
        assert_eq!(
            prover.witness_map_checked(&sparse, &ex.z, true).unwrap(),
            prover.witness_map_checked(&ex.abc, &ex.z, true).unwrap()
        );
        assert_eq!(
            circom_witness_map(&sparse, ex.num_instance, ex.num_constraints, &ex.z).unwrap(),
            CircomReduction::witness_map_from_matrices::<
                Fr,
                ark_poly::GeneralEvaluationDomain<Fr>,
            >(&ex.abc, ex.num_instance, ex.num_constraints, &ex.z)
            .unwrap()
        );
        let (r, s) = (Fr::rand(&mut rng), Fr::rand(&mut rng));
        let ours = prover.create_proof(&sparse, &ex.z, r, s).unwrap();
        assert_eq!(ours, arkworks(&pk, &ex, r, s), "tampered: {tamper}");
    }
}

#[test]
fn unsatisfied_witness_still_matches_arkworks_and_fails() {
    let (pk, mut ex, public) = setup();
    // tamper one witness (a product factor): the product constraint breaks
    let i = ex.num_instance + SIZES.bits + 3;
    ex.z[i] += Fr::from(1u64);
    let (r, s) = (Fr::from(7u64), Fr::from(9u64));
    let ours = create_proof(
        &pk,
        &ex.abc,
        ex.num_instance,
        ex.num_constraints,
        &ex.z,
        r,
        s,
    )
    .unwrap();
    assert_eq!(ours, arkworks(&pk, &ex, r, s));
    let pvk = Groth16::<Bn254>::process_vk(&pk.vk).unwrap();
    assert!(!Groth16::<Bn254>::verify_with_processed_vk(&pvk, &public, &ours).unwrap());
}

#[test]
fn thread_counts_give_the_same_proof() {
    let (pk, ex, _) = setup();
    let (r, s) = (Fr::from(123u64), Fr::from(456u64));
    let proofs: Vec<_> = [1usize, 2]
        .iter()
        .map(|&t| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(t)
                .build()
                .unwrap();
            pool.install(|| {
                let prover = Prover::new(&pk, ex.num_instance, ex.num_constraints).unwrap();
                prover.create_proof(&ex.abc, &ex.z, r, s).unwrap()
            })
        })
        .collect();
    assert_eq!(proofs[0], proofs[1]);
    assert_eq!(proofs[0], arkworks(&pk, &ex, r, s));
}

#[test]
fn floor_runs_and_shapes_are_checked() {
    let (pk, ex, _) = setup();
    let prover = Prover::new(&pk, ex.num_instance, ex.num_constraints).unwrap();
    let h = prover.witness_map(&ex.abc, &ex.z).unwrap();
    assert_eq!(h.len(), prover.domain_size());
    #[cfg(feature = "bench")]
    let _digest = prover.floor(&ex.z, &h, false).unwrap();
    assert!(matches!(
        prover.create_proof(&ex.abc, &ex.z[1..], Fr::zero(), Fr::zero()),
        Err(Groth16Error::Shape {
            what: "assignment",
            ..
        })
    ));
    assert!(matches!(
        prover.create_proof(&ex.abc[..2], &ex.z, Fr::zero(), Fr::zero()),
        Err(Groth16Error::Shape {
            what: "matrices",
            ..
        })
    ));
    assert!(Prover::new(&pk, ex.num_instance, ex.num_constraints + 5000).is_err());
}

/// Keys of the coset reduction (`zkcontrib setup`'s): the tuned witness map (four FFTs) equals
/// `CosetReduction`'s on arkworks' domains, on both matrix forms; the tuned proof equals
/// arkworks' prover with that reduction bit for bit (same r, s, also r = 0 and s = 0) and
/// verifies with the ordinary Groth16 verifier; a wrong public input and a tampered witness
/// (caught by the check, and if proved anyway, rejected) do not pass.
#[test]
fn coset_reduction_proofs_equal_arkworks_and_verify() {
    use ark_groth16::r1cs_to_qap::R1CSToQAP;
    use zkcontrib_prover::qap::CosetReduction;
    use zkcontrib_prover::sparse::SparseMatrices;
    let mut rng = StdRng::seed_from_u64(31);
    let pk = Groth16::<Bn254, CosetReduction>::generate_random_parameters_with_reduction(
        MixedCircuit {
            sizes: SIZES,
            values: None,
        },
        &mut rng,
    )
    .unwrap();
    let values = Values::random(SIZES, 12);
    let public = values.public();
    let mut ex = extract(MixedCircuit {
        sizes: SIZES,
        values: Some(values),
    });
    let prover = Prover::new(&pk, ex.num_instance, ex.num_constraints).unwrap();
    assert_eq!(pk.h_query.len(), prover.domain_size());
    let sparse = SparseMatrices::from_ark(&ex.abc).unwrap();
    let pvk = Groth16::<Bn254>::process_vk(&pk.vk).unwrap();
    let ark = |ex: &Extracted, r, s| {
        Groth16::<Bn254, CosetReduction>::create_proof_with_reduction_and_matrices(
            &pk,
            r,
            s,
            &ex.abc,
            ex.num_instance,
            ex.num_constraints,
            &ex.z,
        )
        .unwrap()
    };
    let map = |ex: &Extracted| {
        CosetReduction::witness_map_from_matrices::<Fr, ark_poly::GeneralEvaluationDomain<Fr>>(
            &ex.abc,
            ex.num_instance,
            ex.num_constraints,
            &ex.z,
        )
        .unwrap()
    };
    let h = prover
        .coset_witness_map_checked(&sparse, &ex.z, true)
        .unwrap()
        .unwrap();
    assert_eq!(h, map(&ex));
    assert_eq!(
        prover
            .coset_witness_map_checked(&ex.abc, &ex.z, false)
            .unwrap(),
        Ok(h.clone())
    );
    for (r, s) in [
        (Fr::rand(&mut rng), Fr::rand(&mut rng)),
        (Fr::zero(), Fr::rand(&mut rng)),
        (Fr::rand(&mut rng), Fr::zero()),
    ] {
        let ours = prover.proof_from_witness_map(&ex.z, &h, r, s).unwrap();
        assert_eq!(ours, ark(&ex, r, s));
        assert!(Groth16::<Bn254>::verify_with_processed_vk(&pvk, &public, &ours).unwrap());
    }
    // the key fixes the reduction: arkworks' own witness map on this key is rejected
    let libsnark = arkworks(&pk, &ex, Fr::from(3u64), Fr::from(5u64));
    assert!(!Groth16::<Bn254>::verify_with_processed_vk(&pvk, &public, &libsnark).unwrap());
    // a wrong public input is rejected
    let ours = prover
        .proof_from_witness_map(&ex.z, &h, Fr::from(3u64), Fr::from(5u64))
        .unwrap();
    let mut wrong = public.clone();
    wrong[1] += Fr::from(1u64);
    assert!(!Groth16::<Bn254>::verify_with_processed_vk(&pvk, &wrong, &ours).unwrap());
    // a product factor tampered: the check names a constraint; proved anyway, the proof is
    // still arkworks' and does not verify
    ex.z[ex.num_instance + SIZES.bits + 3] += Fr::from(1u64);
    assert!(prover
        .coset_witness_map_checked(&sparse, &ex.z, true)
        .unwrap()
        .is_err());
    let h = prover
        .coset_witness_map_checked(&sparse, &ex.z, false)
        .unwrap()
        .unwrap();
    assert_eq!(h, map(&ex));
    let (r, s) = (Fr::from(7u64), Fr::from(9u64));
    let bad = prover.proof_from_witness_map(&ex.z, &h, r, s).unwrap();
    assert_eq!(bad, ark(&ex, r, s));
    assert!(!Groth16::<Bn254>::verify_with_processed_vk(&pvk, &public, &bad).unwrap());
}
