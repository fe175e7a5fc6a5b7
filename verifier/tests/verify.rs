//! Single and batch Groth16 verification.

mod common;

use ark_bn254::{Bn254, Fr};
use ark_groth16::{prepare_verifying_key, Groth16, Proof};
use rand::{seq::SliceRandom, Rng};
use zkcontrib_verifier::{
    batch_verify_with_rng, encode_fr, encode_proof, verify, verify_encoded, BatchItem, DecodeError,
    PreparedKey, VerifyError,
};

#[test]
fn single_verification_accepts_and_rejects() {
    let (pk, vk) = common::setup(10);
    let key = PreparedKey::new(&vk).unwrap();
    let mut rng = common::rng(11);
    let s = common::statement(3);
    let proof = common::prove(&pk, s, &mut rng);
    let inputs = s.inputs();
    assert_eq!(verify(&key, &proof, &inputs), Ok(()));

    for j in 0..inputs.len() {
        let mut bad = inputs.clone();
        bad[j] += Fr::from(1u64);
        assert_eq!(
            verify(&key, &proof, &bad),
            Err(VerifyError::InvalidProof),
            "{j}"
        );
    }
    let swapped = Proof {
        a: proof.c,
        b: proof.b,
        c: proof.a,
    };
    assert_eq!(
        verify(&key, &swapped, &inputs),
        Err(VerifyError::InvalidProof)
    );

    // Encoded form.
    let enc: Vec<[u8; 32]> = inputs.iter().map(encode_fr).collect();
    assert_eq!(verify_encoded(&key, &encode_proof(&proof), &enc), Ok(()));
    assert_eq!(
        verify_encoded(&key, &encode_proof(&proof)[..127], &enc),
        Err(VerifyError::Decode(DecodeError::Length {
            what: "proof",
            expected: 128,
            got: 127
        }))
    );
    let mut bad_enc = enc.clone();
    bad_enc[1] = [0xff; 32];
    assert!(matches!(
        verify_encoded(&key, &encode_proof(&proof), &bad_enc),
        Err(VerifyError::Decode(DecodeError::NotCanonical { .. }))
    ));
    assert_eq!(
        verify_encoded(&key, &encode_proof(&proof), &enc[..3]),
        Err(VerifyError::InputCount {
            expected: 4,
            got: 3
        })
    );
}

/// arkworks' `verify_proof` zips inputs with IC points: a truncated input list verifies the
/// statement with the missing inputs set to zero. `verify` refuses it.
#[test]
fn input_count_is_checked_exactly() {
    let (pk, vk) = common::setup(12);
    let key = PreparedKey::new(&vk).unwrap();
    let mut rng = common::rng(13);
    // Statement (y, a, 0, 0): a·0 = 0.
    let s = common::Square {
        x: Fr::from(5u64),
        a: Fr::from(9u64),
        b: Fr::from(0u64),
    };
    let proof = common::prove(&pk, s, &mut rng);
    let inputs = s.inputs();
    assert_eq!(inputs[2..], [Fr::from(0u64), Fr::from(0u64)]);
    assert_eq!(verify(&key, &proof, &inputs), Ok(()));

    let pvk = prepare_verifying_key(&vk);
    assert!(
        Groth16::<Bn254>::verify_proof(&pvk, &proof, &inputs[..2]).unwrap(),
        "arkworks accepts the truncated list"
    );
    assert_eq!(
        verify(&key, &proof, &inputs[..2]),
        Err(VerifyError::InputCount {
            expected: 4,
            got: 2
        })
    );
    let mut long = inputs.clone();
    long.push(Fr::from(0u64));
    assert_eq!(
        verify(&key, &proof, &long),
        Err(VerifyError::InputCount {
            expected: 4,
            got: 5
        })
    );
    assert!(matches!(
        verify(&key, &proof, &[]),
        Err(VerifyError::InputCount { got: 0, .. })
    ));
}

fn valid_items(pk: &ark_groth16::ProvingKey<Bn254>, n: u64, seed: u64) -> Vec<BatchItem> {
    let mut rng = common::rng(seed);
    (0..n)
        .map(|i| {
            let s = common::statement(i);
            (common::prove(pk, s, &mut rng), s.inputs())
        })
        .collect()
}

#[test]
fn batch_of_valid_proofs() {
    let (pk, vk) = common::setup(20);
    let key = PreparedKey::new(&vk).unwrap();
    let items = valid_items(&pk, 64, 21);
    let res = batch_verify_with_rng(&key, &items, &mut common::rng(22));
    assert_eq!(res.len(), 64);
    assert!(res.iter().all(|r| r.is_ok()), "{res:?}");
    // The default: scalars from the OS.
    assert_eq!(zkcontrib_verifier::batch_verify(&key, &items), res);
}

#[test]
fn empty_batch() {
    let (_, vk) = common::setup(20);
    let key = PreparedKey::new(&vk).unwrap();
    assert!(batch_verify_with_rng(&key, &[], &mut common::rng(0)).is_empty());
}

#[test]
fn batch_of_one_equals_single_verify() {
    let (pk, vk) = common::setup(23);
    let key = PreparedKey::new(&vk).unwrap();
    let items = valid_items(&pk, 2, 24);
    let (p, x) = &items[0];
    let mut wrong = x.clone();
    wrong[0] += Fr::from(1u64);
    let cases: Vec<BatchItem> = vec![
        (p.clone(), x.clone()),
        (p.clone(), wrong),
        (items[1].0.clone(), x.clone()),
        (p.clone(), x[..3].to_vec()),
    ];
    for item in cases {
        let single = verify(&key, &item.0, &item.1);
        let batch = batch_verify_with_rng(&key, core::slice::from_ref(&item), &mut common::rng(25));
        assert_eq!(batch, vec![single]);
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Tamper {
    WrongInput,
    OtherStatement,
    SwappedAc,
    Rerandomized,
    OtherKey,
}

/// 200 proofs, ~10 tampered at random positions: exactly the invalid ones are reported.
#[test]
fn batch_isolates_exactly_the_invalid_proofs() {
    let (pk, vk) = common::setup(30);
    let (pk2, _) = common::setup(31);
    let key = PreparedKey::new(&vk).unwrap();
    let mut rng = common::rng(32);
    let mut items = valid_items(&pk, 200, 33);

    let mut positions: Vec<usize> = (0..items.len()).collect();
    positions.shuffle(&mut rng);
    let kinds = [
        Tamper::WrongInput,
        Tamper::OtherStatement,
        Tamper::SwappedAc,
        Tamper::Rerandomized,
        Tamper::OtherKey,
    ];
    let mut expected: Vec<Result<(), VerifyError>> = vec![Ok(()); items.len()];
    for (k, &i) in positions[..12].iter().enumerate() {
        let kind = kinds[k % kinds.len()];
        let s = common::statement(i as u64);
        match kind {
            Tamper::WrongInput => {
                let j = rng.gen_range(0..common::NUM_INPUTS);
                items[i].1[j] += Fr::from(1u64);
            }
            Tamper::OtherStatement => {
                items[i].0 = common::prove(&pk, common::statement(1000 + i as u64), &mut rng);
            }
            Tamper::SwappedAc => {
                let p = &mut items[i].0;
                core::mem::swap(&mut p.a, &mut p.c);
            }
            Tamper::Rerandomized => {
                items[i].0 = Groth16::<Bn254>::rerandomize_proof(&vk, &items[i].0, &mut rng);
            }
            Tamper::OtherKey => {
                items[i].0 = common::prove(&pk2, s, &mut rng);
            }
        }
        if kind != Tamper::Rerandomized {
            expected[i] = Err(VerifyError::InvalidProof);
        }
    }
    // One item with the wrong input count, reported without entering the batch.
    let i = positions[12];
    items[i].1.pop();
    expected[i] = Err(VerifyError::InputCount {
        expected: 4,
        got: 3,
    });

    let res = batch_verify_with_rng(&key, &items, &mut common::rng(34));
    assert_eq!(res, expected);
    assert_eq!(res.iter().filter(|r| r.is_err()).count(), 11);

    // Same verdicts as one-by-one verification, and independent of the seed.
    let single: Vec<_> = items.iter().map(|(p, x)| verify(&key, p, x)).collect();
    assert_eq!(res, single);
    assert_eq!(
        batch_verify_with_rng(&key, &items, &mut common::rng(35)),
        single
    );
    assert_eq!(zkcontrib_verifier::batch_verify(&key, &items), single);
}

/// Sequential and parallel builds must agree; either way the batch equals per-item
/// verification, for all-invalid, alternating and single-invalid batches.
#[test]
fn batch_agrees_with_single_verification() {
    let (pk, vk) = common::setup(40);
    let key = PreparedKey::new(&vk).unwrap();
    let valid = valid_items(&pk, 17, 41);
    let invalidate = |(p, x): &BatchItem| -> BatchItem {
        let mut x = x.clone();
        x[3] += Fr::from(1u64);
        (p.clone(), x)
    };
    let all_bad: Vec<BatchItem> = valid.iter().map(invalidate).collect();
    let alternating: Vec<BatchItem> = valid
        .iter()
        .enumerate()
        .map(|(i, it)| {
            if i % 2 == 0 {
                invalidate(it)
            } else {
                it.clone()
            }
        })
        .collect();
    let mut last_bad = valid.clone();
    last_bad[16] = invalidate(&valid[16]);
    let mut two = valid[..2].to_vec();
    two[0] = invalidate(&two[0]);

    for items in [valid, all_bad, alternating, last_bad, two] {
        let single: Vec<_> = items.iter().map(|(p, x)| verify(&key, p, x)).collect();
        let batch = batch_verify_with_rng(&key, &items, &mut common::rng(42));
        assert_eq!(batch, single);
    }
}

/// Identity elements cannot be decoded, but a caller-built proof might carry them.
#[test]
fn identity_elements_are_invalid_in_batches() {
    use ark_ec::AffineRepr;
    let (pk, vk) = common::setup(50);
    let key = PreparedKey::new(&vk).unwrap();
    let mut items = valid_items(&pk, 4, 51);
    items[1].0.a = ark_bn254::G1Affine::zero();
    items[2].0.b = ark_bn254::G2Affine::zero();
    let res = batch_verify_with_rng(&key, &items, &mut common::rng(52));
    assert_eq!(
        res,
        vec![
            Ok(()),
            Err(VerifyError::InvalidProof),
            Err(VerifyError::InvalidProof),
            Ok(())
        ]
    );
}

/// A `B` on the G2 curve but outside the prime-order subgroup (a caller of `batch_verify` that
/// skipped decoding's subgroup check) is an invalid proof, never a corrupted batch: in small
/// batches (projective `B` preparation) and large ones (affine steps with shared inversions),
/// next to valid proofs.
#[test]
fn off_subgroup_b_is_invalid_in_batches_of_every_size() {
    use ark_bn254::{Fq2, G2Affine};
    use ark_ff::UniformRand;
    let (pk, vk) = common::setup(53);
    let key = PreparedKey::new(&vk).unwrap();
    let mut rng = common::rng(54);
    let mut off = Vec::new();
    while off.len() < 2 {
        if let Some(q) = G2Affine::get_point_from_x_unchecked(Fq2::rand(&mut rng), false) {
            if !q.is_in_correct_subgroup_assuming_on_curve() {
                off.push(q);
            }
        }
    }
    for n in [3u64, 9, 70] {
        let mut items = valid_items(&pk, n, 55 + n);
        let mut expected: Vec<Result<(), VerifyError>> = vec![Ok(()); items.len()];
        for (k, q) in off.iter().enumerate() {
            let i = (k * 7 + 1) % items.len();
            items[i].0.b = *q;
            expected[i] = Err(VerifyError::InvalidProof);
        }
        let res = batch_verify_with_rng(&key, &items, &mut common::rng(56));
        assert_eq!(res, expected, "batch of {n}");
        for (i, (p, x)) in items.iter().enumerate() {
            assert_eq!(verify(&key, p, x), expected[i], "single, item {i} of {n}");
        }
    }
}
