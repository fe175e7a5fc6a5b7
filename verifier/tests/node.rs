//! The validator API end to end on a dev circuit with the chunk statement's 11 public inputs:
//! acceptance, every rejection with its class, batches with failure isolation, replay.
//! One concern above 700 lines: the `Verifier` API as a node uses it.

mod common;

use ark_bn254::{Bn254, Fr, G1Affine, G2Affine};
use ark_ec::AffineRepr;
use ark_ff::{BigInteger, PrimeField, UniformRand};
use ark_groth16::{Groth16, ProvingKey, VerifyingKey};
use ark_serialize::CanonicalSerialize;
use ark_snark::SNARK;
use rand::{rngs::StdRng, seq::SliceRandom, Rng};
use std::sync::OnceLock;
use zkcontrib_public::{Contribution, PublicInputs};
use zkcontrib_verifier::bundle::{Chunk, MAX_BUNDLE_BYTES, MAX_CHUNKS};
use zkcontrib_verifier::{
    decode_proof_hex, encode_fr_hex, encode_proof_hex, encode_vk, vk_hash, vk_hash_hex, Accepted,
    BuildError, Bundle, Claims, ClaimsRejected, Class, DecodeError, Field, Rejected, Seen,
    Thresholds, Verifier, BUNDLE_FORMAT,
};

const THRESHOLDS: Thresholds = Thresholds {
    min_points: 100,
    min_distance_m: 1_000,
};

struct Fixture {
    vk: VerifyingKey<Bn254>,
    policy_id: Fr,
    verifier: Verifier,
    /// Distinct valid bundles of 1 to 3 chunks.
    bundles: Vec<Bundle>,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let (pk, vk) = common::setup11(100);
        let policy_id = Fr::from(0x9011c7u64);
        let verifier = Verifier::builder()
            .key_for_shape("dev", &vk)
            .policy(policy_id, THRESHOLDS)
            .build()
            .unwrap();
        let mut rng = common::rng(101);
        let bundles = (0..40)
            .map(|i| {
                let claims = Claims {
                    points: 100 + i,
                    distance_m: 1_000 + 37 * i,
                    duration_s: 600 + i,
                };
                let submitter = format!("0x{:040x}", 0xd3e40 + i);
                prove_bundle(
                    &pk,
                    &vk,
                    policy_id,
                    &submitter,
                    claims,
                    1 + i as usize % 3,
                    &mut rng,
                )
            })
            .collect();
        Fixture {
            vk,
            policy_id,
            verifier,
            bundles,
        }
    })
}

/// A valid bundle: random chain states, commitment and id, real proofs for each chunk.
fn prove_bundle(
    pk: &ProvingKey<Bn254>,
    vk: &VerifyingKey<Bn254>,
    policy_id: Fr,
    submitter: &str,
    claims: Claims,
    n: usize,
    rng: &mut StdRng,
) -> Bundle {
    // As the prover does: the address as typed, the bundle's canonical form.
    let submitter_fr = zkcontrib_verifier::parse_submitter(submitter).unwrap();
    let commitment = Fr::rand(rng);
    let contribution_id = Fr::rand(rng);
    let mut states: Vec<Fr> = (0..n).map(|_| Fr::rand(rng)).collect();
    states.push(Fr::from(0u64));
    let chunks = (0..n)
        .map(|k| {
            let contribution = Contribution {
                policy_id,
                submitter: submitter_fr,
                claims,
                commitment,
                contribution_id,
            };
            let inputs =
                PublicInputs::of_chunk(&contribution, states[k], states[k + 1], k, n).to_array();
            let proof = Groth16::<Bn254>::prove(pk, common::Chunk11 { inputs }, rng).unwrap();
            Chunk {
                state_in: encode_fr_hex(&states[k]),
                state_out: encode_fr_hex(&states[k + 1]),
                proof: encode_proof_hex(&proof),
            }
        })
        .collect();
    Bundle {
        format: BUNDLE_FORMAT.into(),
        shape: "dev".into(),
        vk_hash: vk_hash_hex(vk),
        policy_id: encode_fr_hex(&policy_id),
        submitter: zkcontrib_verifier::encode_submitter(&submitter_fr),
        claims,
        commitment: encode_fr_hex(&commitment),
        contribution_id: encode_fr_hex(&contribution_id),
        chunks,
    }
}

/// The same bundle with every chunk proof re-randomized: a fresh valid proof of the same
/// statement, different bytes.
fn rerandomized(b: &Bundle, rng: &mut StdRng) -> Bundle {
    let vk = &fixture().vk;
    let mut b = b.clone();
    for c in &mut b.chunks {
        let p = decode_proof_hex(&c.proof).unwrap();
        c.proof = encode_proof_hex(&Groth16::<Bn254>::rerandomize_proof(vk, &p, rng));
    }
    b
}

fn accepted(b: &Bundle) -> Accepted {
    fixture().verifier.verify(b).expect("a valid bundle")
}

/// `n` valid bundles, re-randomized copies of the fixture's.
fn many(n: usize, seed: u64) -> Vec<Bundle> {
    let f = fixture();
    let mut rng = common::rng(seed);
    (0..n)
        .map(|i| rerandomized(&f.bundles[i % f.bundles.len()], &mut rng))
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    format!(
        "0x{}",
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    )
}

fn modulus_hex() -> String {
    hex(&Fr::MODULUS.to_bytes_be())
}

/// A point on the G2 twist outside the r-torsion subgroup.
fn off_subgroup_g2() -> G2Affine {
    let mut x = ark_bn254::Fq2::from(1u64);
    loop {
        if let Some(p) = G2Affine::get_point_from_x_unchecked(x, false) {
            if !p.is_in_correct_subgroup_assuming_on_curve() {
                return p;
            }
        }
        x += ark_bn254::Fq2::from(1u64);
    }
}

fn with_proof(b: &mut Bundle, k: usize, edit: impl FnOnce(&mut Vec<u8>)) {
    let p = decode_proof_hex(&b.chunks[k].proof).unwrap();
    let mut bytes = Vec::new();
    p.serialize_compressed(&mut bytes).unwrap();
    edit(&mut bytes);
    b.chunks[k].proof = hex(&bytes);
}

#[test]
fn valid_bundles_are_accepted_with_what_they_establish() {
    let f = fixture();
    for b in &f.bundles {
        let a = f.verifier.verify(b).unwrap();
        assert_eq!(a.vk_hash, vk_hash(&f.vk));
        assert_eq!(a.policy_id, f.policy_id);
        assert_eq!(encode_fr_hex(&a.contribution_id), b.contribution_id);
        assert_eq!(encode_fr_hex(&a.commitment), b.commitment);
        assert_eq!(a.claims, b.claims);
        assert_eq!(a.chunks, b.chunks.len());
        assert_eq!(
            a.submitter,
            zkcontrib_verifier::bundle::decode_submitter(&b.submitter).unwrap()
        );
        // Printed back as the address the bundle carries.
        assert_eq!(a.submitter_hex(), b.submitter);
        // The JSON path gives the same verdict.
        assert_eq!(f.verifier.verify_json(b.to_json().as_bytes()), Ok(a));
    }
    let single: Vec<_> = f.bundles.iter().map(|b| f.verifier.verify(b)).collect();
    // The default batch draws its scalars from the OS; the explicit-RNG one from the caller.
    assert_eq!(f.verifier.verify_batch(&f.bundles), single);
    let batch = f
        .verifier
        .verify_batch_with_rng(&f.bundles, &mut common::rng(1));
    assert_eq!(batch, single);
    assert!(f.verifier.verify_batch(&[]).is_empty());
    assert!(f
        .verifier
        .verify_batch_with_rng(&[], &mut common::rng(1))
        .is_empty());
}

type Corrupt = fn(&mut Bundle, &mut StdRng) -> Rejected;

/// The corruptions of the acceptance test, each returning the exact rejection it must get.
fn corruptions() -> Vec<(&'static str, Corrupt)> {
    vec![
        ("flipped proof byte", |b, rng| {
            let k = rng.gen_range(0..b.chunks.len());
            let at = rng.gen_range(0..128);
            let bit = rng.gen_range(0..8);
            with_proof(b, k, |p| p[at] ^= 1 << bit);
            match decode_proof_hex(&b.chunks[k].proof) {
                Err(error) => Rejected::Field {
                    field: Field::Proof(k),
                    error,
                },
                Ok(_) => Rejected::InvalidProof { chunk: k },
            }
        }),
        ("swapped chunks", |b, _| {
            if b.chunks.len() == 1 {
                // A chunk of another contribution in front: its chain does not link.
                let other = fixture().bundles[1].chunks[0].clone();
                b.chunks.insert(0, other);
            } else {
                b.chunks.swap(0, 1);
            }
            Rejected::BrokenChain { chunk: 0 }
        }),
        ("edited claim", |b, _| {
            b.claims.distance_m += 1;
            Rejected::InvalidProof {
                chunk: b.chunks.len() - 1,
            }
        }),
        ("wrong submitter", |b, _| {
            b.submitter = "0x00000000000000000000000000000000000bad00".into();
            Rejected::InvalidProof { chunk: 0 }
        }),
        ("uppercase hex", |b, _| {
            b.commitment = b.commitment.to_uppercase().replacen("0X", "0x", 1);
            Rejected::Field {
                field: Field::Commitment,
                error: DecodeError::Uppercase {
                    what: "field element hex",
                },
            }
        }),
        ("submitter with leading zeros", |b, _| {
            b.submitter = format!("0x{:0>64}", &b.submitter[2..]);
            Rejected::Field {
                field: Field::Submitter,
                error: DecodeError::SubmitterWidth { digits: 64 },
            }
        }),
        ("unknown policy", |b, _| {
            b.policy_id = encode_fr_hex(&Fr::from(7u64));
            Rejected::UnknownPolicy {
                policy_id: Fr::from(7u64),
            }
        }),
        ("input >= r", |b, _| {
            let k = b.chunks.len() - 1;
            b.chunks[k].state_in = modulus_hex();
            Rejected::Field {
                field: Field::StateIn(k),
                error: DecodeError::NotCanonical {
                    what: "field element",
                },
            }
        }),
        ("off-subgroup G2 point", |b, _| {
            let mut g2 = Vec::new();
            off_subgroup_g2().serialize_compressed(&mut g2).unwrap();
            with_proof(b, 0, |p| p[32..96].copy_from_slice(&g2));
            Rejected::Field {
                field: Field::Proof(0),
                error: DecodeError::InvalidPoint { what: "proof.b" },
            }
        }),
        ("identity point", |b, _| {
            let k = b.chunks.len() - 1;
            let mut id = Vec::new();
            G1Affine::zero().serialize_compressed(&mut id).unwrap();
            with_proof(b, k, |p| p[96..].copy_from_slice(&id));
            Rejected::Field {
                field: Field::Proof(k),
                error: DecodeError::Identity { what: "proof.c" },
            }
        }),
        ("claims below the policy", |b, _| {
            b.claims.points = 99;
            Rejected::BelowPolicy(ClaimsRejected::TooFewPoints {
                points: 99,
                min: 100,
            })
        }),
        ("unknown key", |b, _| {
            let (_, other) = common::setup11(102);
            b.vk_hash = vk_hash_hex(&other);
            Rejected::UnknownKey {
                vk_hash: vk_hash(&other),
            }
        }),
        ("another shape label for the key", |b, _| {
            b.shape = "ev".into();
            Rejected::OtherShape {
                shape: "ev".into(),
                key_shape: "dev".into(),
            }
        }),
    ]
}

/// The issue's acceptance test: 1,000 bundles (about 2,000 chunk proofs), 1% corrupted in
/// ten different ways at random positions; the batch rejects exactly those, each with its
/// error, and agrees with one-by-one verification.
#[test]
fn batch_of_1000_rejects_exactly_the_corrupted_bundles() {
    let f = fixture();
    let mut rng = common::rng(200);
    // Copies of the 40 distinct fixture bundles (re-randomizing 2,000 proofs would double
    // the test's time; `batch_agrees_with_one_by_one` uses re-randomized ones).
    let mut bundles: Vec<Bundle> = (0..1000)
        .map(|i| f.bundles[i % f.bundles.len()].clone())
        .collect();
    // A re-randomized copy establishes what the original does.
    let base: Vec<Accepted> = f.bundles.iter().map(accepted).collect();
    let mut expected: Vec<Result<Accepted, Rejected>> = (0..bundles.len())
        .map(|i| Ok(base[i % base.len()].clone()))
        .collect();
    let mut positions: Vec<usize> = (0..bundles.len()).collect();
    positions.shuffle(&mut rng);
    let kinds = corruptions();
    for (&i, (what, corrupt)) in positions.iter().zip(&kinds) {
        let e = corrupt(&mut bundles[i], &mut rng);
        assert_eq!(f.verifier.verify(&bundles[i]), Err(e.clone()), "{what}");
        expected[i] = Err(e);
    }
    let res = f
        .verifier
        .verify_batch_with_rng(&bundles, &mut common::rng(202));
    assert_eq!(res.len(), 1000);
    for (i, (got, want)) in res.iter().zip(&expected).enumerate() {
        assert_eq!(got, want, "bundle {i}");
    }
    assert_eq!(res.iter().filter(|r| r.is_err()).count(), kinds.len());
}

#[test]
fn every_rejection_has_its_class_and_names_the_field() {
    let f = fixture();
    let b = &f.bundles[2]; // 3 chunks
    assert_eq!(b.chunks.len(), 3);
    let mut rng = common::rng(300);
    let mut seen_classes = std::collections::HashSet::new();
    for (what, corrupt) in corruptions() {
        let mut c = b.clone();
        let e = corrupt(&mut c, &mut rng);
        let class = e.class();
        seen_classes.insert(class);
        match &e {
            Rejected::InvalidProof { .. } => assert_eq!(class, Class::InvalidProof, "{what}"),
            Rejected::BelowPolicy(_) => assert_eq!(class, Class::BelowPolicy, "{what}"),
            _ => assert!(e.is_malformed(), "{what}"),
        }
        let m = e.to_string();
        assert!(!m.contains('\n'), "{m}");
        match &e {
            Rejected::Field { field, .. } => assert!(m.starts_with(&field.to_string()), "{m}"),
            Rejected::InvalidProof { chunk } | Rejected::BrokenChain { chunk } => {
                assert!(m.starts_with(&format!("chunks[{chunk}]")), "{m}")
            }
            _ => {}
        }
    }
    assert_eq!(seen_classes.len(), 3);

    // More malformed input, each named.
    type Edit = fn(&mut Bundle);
    let cases: [(Edit, &str); 9] = [
        (|b| b.format = "zkcontrib.bundle.v0".into(), "format"),
        (|b| b.shape = "County Shape".into(), "shape"),
        (|b| b.shape = "x".repeat(33), "shape"),
        (|b| b.vk_hash.truncate(10), "vk_hash"),
        (|b| b.commitment = modulus_hex(), "commitment"),
        (|b| b.contribution_id.push('0'), "contribution_id"),
        (|b| b.submitter = "d3e40".into(), "submitter"),
        (
            |b| b.chunks[1].state_out = "0xzz".into(),
            "chunks[1].state_out",
        ),
        (|b| b.chunks[2].proof.truncate(100), "chunks[2].proof"),
    ];
    for (edit, field) in cases {
        let mut c = b.clone();
        edit(&mut c);
        let e = f.verifier.verify(&c).unwrap_err();
        assert!(e.is_malformed(), "{e}");
        assert!(e.to_string().starts_with(field), "{e}");
    }
    // A bundle of the previous statement: refused as such, before any decoding.
    let mut old = b.clone();
    old.format = "zkcontrib.bundle.v1".into();
    let e = f.verifier.verify(&old).unwrap_err();
    assert_eq!(e, Rejected::StatementVersion { statement: 2 });
    assert!(e.is_malformed());
    assert!(
        e.to_string().starts_with("format: a statement v2 bundle"),
        "{e}"
    );
    assert!(e.to_string().contains("prove the trace again"), "{e}");
    let mut none = b.clone();
    none.chunks.clear();
    assert_eq!(
        f.verifier.verify(&none),
        Err(Rejected::ChunkCount { got: 0 })
    );
    let mut too_many = b.clone();
    too_many.chunks = vec![b.chunks[0].clone(); MAX_CHUNKS + 1];
    assert_eq!(
        f.verifier.verify(&too_many),
        Err(Rejected::ChunkCount {
            got: MAX_CHUNKS + 1
        })
    );
}

#[test]
fn chain_rules() {
    let f = fixture();
    let b = &f.bundles[5]; // 3 chunks
    assert_eq!(b.chunks.len(), 3);
    let broken = |edit: &dyn Fn(&mut Bundle)| {
        let mut c = b.clone();
        edit(&mut c);
        f.verifier.verify(&c)
    };
    assert_eq!(
        broken(&|c| {
            c.chunks.remove(1);
        }),
        Err(Rejected::BrokenChain { chunk: 0 })
    );
    assert_eq!(
        broken(&|c| c.chunks.swap(1, 2)),
        Err(Rejected::BrokenChain { chunk: 0 })
    );
    assert_eq!(
        broken(&|c| c.chunks.push(c.chunks[2].clone())),
        Err(Rejected::BrokenChain { chunk: 2 })
    );
    // The last chunk must close the chain with state 0.
    assert_eq!(
        broken(&|c| c.chunks[2].state_out = c.chunks[0].state_in.clone()),
        Err(Rejected::BrokenChain { chunk: 2 })
    );
    // A truncated bundle (the last chunk dropped) ends in a nonzero state...
    assert_eq!(
        broken(&|c| {
            c.chunks.pop();
        }),
        Err(Rejected::BrokenChain { chunk: 1 })
    );
    // ...and relabelled to close, its new last proof was made with is_last = 0 and no claims.
    assert_eq!(
        broken(&|c| {
            c.chunks.pop();
            c.chunks[1].state_out = encode_fr_hex(&Fr::from(0u64));
        }),
        Err(Rejected::InvalidProof { chunk: 1 })
    );
    // Chunks spliced from another contribution with a consistent chain: the proofs were made
    // for that contribution's submitter, claims and id.
    let other = &f.bundles[8]; // 3 chunks, other claims and id
    assert_eq!(
        broken(&|c| c.chunks = other.chunks.clone()),
        Err(Rejected::InvalidProof { chunk: 0 })
    );
}

/// Groth16 proofs are malleable: a re-randomized bundle verifies, and only the id tells it
/// apart from the original.
#[test]
fn rerandomized_proof_is_caught_by_the_id() {
    let f = fixture();
    let original = &f.bundles[4];
    let copy = rerandomized(original, &mut common::rng(400));
    for (a, b) in original.chunks.iter().zip(&copy.chunks) {
        assert_ne!(a.proof, b.proof, "different proof bytes");
    }
    let a = f.verifier.verify(original).unwrap();
    let b = f.verifier.verify(&copy).unwrap();
    assert_eq!(a, b, "the same statement, accepted");

    let mut seen = Seen::new();
    assert_eq!(seen.insert(&a), Ok(()));
    let dup = seen.insert(&b).unwrap_err();
    assert_eq!(dup.contribution_id, a.contribution_id);
    assert!(dup.to_string().contains(&original.contribution_id), "{dup}");
    assert!(seen.contains(&a.contribution_id));
    assert_eq!(seen.len(), 1);

    // In one batch both verify; deduplication is the caller's, by id.
    let res = f
        .verifier
        .verify_batch_with_rng(&[original.clone(), copy], &mut common::rng(401));
    assert!(res.iter().all(|r| r.is_ok()));
    let mut seen = Seen::new();
    let fresh: Vec<bool> = res
        .iter()
        .map(|r| seen.insert(r.as_ref().unwrap()).is_ok())
        .collect();
    assert_eq!(fresh, [true, false]);

    // The proof is bound to the submitter: the same proofs for another reward address fail.
    let mut stolen = original.clone();
    stolen.submitter = "0x00000000000000000000000000000000000d3e41".into();
    assert_eq!(
        f.verifier.verify(&stolen),
        Err(Rejected::InvalidProof { chunk: 0 })
    );
}

#[test]
fn the_builder_pins_keys_and_checks_their_input_count() {
    let f = fixture();
    assert_eq!(Verifier::builder().build().unwrap_err(), BuildError::NoKeys);
    // A key with 4 public inputs is not a chunk key.
    let (_, square) = common::setup(1);
    assert!(matches!(
        Verifier::builder().key(&square).build(),
        Err(BuildError::InputCount {
            expected: 11,
            got: 4,
            ..
        })
    ));
    // Pinned by hash: the right bytes build, others are refused.
    let bytes = encode_vk(&f.vk);
    let v = Verifier::builder()
        .pinned_key(vk_hash(&f.vk), &bytes)
        .policy(f.policy_id, THRESHOLDS)
        .build()
        .unwrap();
    assert!(v.verify(&f.bundles[0]).is_ok());
    assert!(v.key(&vk_hash(&f.vk)).is_some());
    assert_eq!(v.thresholds(&f.policy_id), Some(THRESHOLDS));
    let (_, other) = common::setup11(103);
    assert!(matches!(
        Verifier::builder()
            .pinned_key(vk_hash(&f.vk), &encode_vk(&other))
            .build(),
        Err(BuildError::HashMismatch { .. })
    ));
    assert!(matches!(
        Verifier::builder()
            .pinned_key(vk_hash(&f.vk), &bytes[..100])
            .build(),
        Err(BuildError::Key(DecodeError::Length { .. }))
    ));
    // No policy registered: every bundle names an unknown one.
    let v = Verifier::builder().key(&f.vk).build().unwrap();
    assert!(matches!(
        v.verify(&f.bundles[0]),
        Err(Rejected::UnknownPolicy { .. })
    ));
    // Two keys: each bundle is checked under the key it names.
    let (pk2, vk2) = common::setup11(104);
    let v = Verifier::builder()
        .key(&f.vk)
        .key(&vk2)
        .policy(f.policy_id, THRESHOLDS)
        .build()
        .unwrap();
    let mut rng = common::rng(105);
    let under2 = prove_bundle(
        &pk2,
        &vk2,
        f.policy_id,
        "0x01",
        f.bundles[0].claims,
        2,
        &mut rng,
    );
    let mut forged = under2.clone();
    forged.vk_hash = vk_hash_hex(&f.vk);
    let res = v.verify_batch_with_rng(
        &[f.bundles[0].clone(), under2.clone(), forged],
        &mut common::rng(106),
    );
    assert!(res[0].is_ok() && res[1].is_ok());
    assert_eq!(res[2], Err(Rejected::InvalidProof { chunk: 0 }));
}

/// A bundle carries no input list (the verifier recomputes all 11 inputs), and the low-level
/// API refuses a list of the wrong length, which arkworks 0.6 alone would not.
#[test]
fn wrong_public_input_count_is_rejected() {
    let f = fixture();
    let b = &f.bundles[0];
    let mut v: serde_json::Value = serde_json::from_str(&b.to_json()).unwrap();
    v["public_inputs"] = serde_json::json!(["0x01"]);
    assert!(matches!(
        f.verifier.verify_json(v.to_string().as_bytes()),
        Err(Rejected::Json(_))
    ));
    let key = f.verifier.key(&vk_hash(&f.vk)).unwrap();
    let fields = b.fields().unwrap();
    let inputs = b.chunk_inputs(&fields);
    let proof = b.proofs().unwrap()[0].clone();
    assert_eq!(zkcontrib_verifier::verify(key, &proof, &inputs[0]), Ok(()));
    for n in [0, 10, 12] {
        let mut x = inputs[0].to_vec();
        x.resize(n, Fr::from(0u64));
        assert_eq!(
            zkcontrib_verifier::verify(key, &proof, &x),
            Err(zkcontrib_verifier::VerifyError::InputCount {
                expected: 11,
                got: n
            })
        );
    }
}

/// Each bundle has one canonical byte form: `to_json` of a decoded bundle. Encode → decode →
/// encode is byte-identical, and every non-canonical spelling of a value (uppercase hex, a
/// submitter of another width) is malformed, naming the field.
#[test]
fn bundle_json_is_canonical() {
    let f = fixture();
    for b in &f.bundles {
        let json = b.to_json();
        let back = Bundle::from_json(json.as_bytes()).unwrap();
        assert_eq!(back.to_json(), json);
        assert_eq!(&back, b);
        let fields = back.fields().unwrap();
        assert_eq!(
            zkcontrib_verifier::encode_submitter(&fields.submitter),
            b.submitter
        );
        assert!(!json.contains(char::is_whitespace), "compact: {json}");
    }
    let b = &f.bundles[2];
    let upper = |s: &mut String| *s = s.to_uppercase().replacen("0X", "0x", 1);
    type Edit = fn(&mut Bundle, &dyn Fn(&mut String));
    let cases: [(Edit, &str); 8] = [
        (|b, u| u(&mut b.vk_hash), "vk_hash"),
        (|b, u| u(&mut b.policy_id), "policy_id"),
        (|b, u| u(&mut b.submitter), "submitter"),
        (|b, u| u(&mut b.commitment), "commitment"),
        (|b, u| u(&mut b.contribution_id), "contribution_id"),
        (|b, u| u(&mut b.chunks[1].state_in), "chunks[1].state_in"),
        (|b, u| u(&mut b.chunks[0].state_out), "chunks[0].state_out"),
        (|b, u| u(&mut b.chunks[2].proof), "chunks[2].proof"),
    ];
    for (edit, field) in cases {
        let mut c = b.clone();
        edit(&mut c, &upper);
        assert_ne!(&c, b, "{field} has letters to upcase");
        let e = f.verifier.verify(&c).unwrap_err();
        assert!(e.is_malformed(), "{e}");
        assert!(
            matches!(
                e,
                Rejected::Field {
                    error: DecodeError::Uppercase { .. },
                    ..
                }
            ),
            "{field}: {e}"
        );
        assert!(e.to_string().starts_with(field), "{e}");
        assert!(e.to_string().contains("lowercase"), "{e}");
    }
    // The submitter with leading zeros added (64 digits) or dropped (0xd3e40-style): the same
    // integer, so the proofs would verify, but not the bundle's form.
    let digits = b.submitter.trim_start_matches("0x");
    for other in [
        format!("0x{digits:0>64}"),
        format!("0x00{digits}"),
        format!("0x{}", digits.trim_start_matches("00")),
    ] {
        assert_ne!(other, b.submitter);
        let mut c = b.clone();
        c.submitter = other.clone();
        let e = f.verifier.verify(&c).unwrap_err();
        assert!(
            matches!(
                e,
                Rejected::Field {
                    field: Field::Submitter,
                    error: DecodeError::SubmitterWidth { .. }
                }
            ),
            "{other}: {e}"
        );
        assert!(e.to_string().starts_with("submitter: "), "{e}");
        assert_eq!(
            zkcontrib_verifier::parse_submitter(&other),
            zkcontrib_verifier::parse_submitter(&b.submitter),
            "the same address as typed input"
        );
    }
}

#[test]
fn oversized_and_broken_json_is_refused_before_decoding() {
    let f = fixture();
    let big = vec![b' '; MAX_BUNDLE_BYTES + 1];
    assert_eq!(
        f.verifier.verify_json(&big),
        Err(Rejected::TooLarge {
            got: MAX_BUNDLE_BYTES + 1
        })
    );
    let json = f.bundles[0].to_json();
    let cases: [&[u8]; 4] = [&json.as_bytes()[..json.len() / 2], b"[]", b"", b"\xff"];
    for bytes in cases {
        let e = f.verifier.verify_json(bytes).unwrap_err();
        assert!(matches!(e, Rejected::Json(_)), "{e}");
        assert!(e.is_malformed());
    }
}

/// Different proof bytes that decode to the same proof do not exist: a bundle accepted after
/// a mutation is the same bundle (e.g. hex digits changed case).
fn same_bundle(a: &Bundle, b: &Bundle) -> bool {
    a.fields() == b.fields() && a.proofs() == b.proofs() && a.claims == b.claims
}

mod fuzz {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// Arbitrary bytes: never a panic, never accepted.
        #[test]
        fn arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            prop_assert!(fixture().verifier.verify_json(&bytes).is_err());
        }

        /// A valid bundle's JSON with 1 to 4 bytes changed, inserted or removed: never a
        /// panic, and accepted only if it still is the same bundle.
        #[test]
        fn mutated_bundles(
            which in 0usize..40,
            edits in proptest::collection::vec((any::<u16>(), any::<u8>(), 0u8..3), 1..5),
        ) {
            let f = fixture();
            let original = &f.bundles[which];
            let mut bytes = original.to_json().into_bytes();
            for (at, byte, op) in edits {
                let at = usize::from(at) % (bytes.len() + 1);
                match op {
                    0 if at < bytes.len() => bytes[at] = byte,
                    1 => bytes.insert(at, byte),
                    _ if at < bytes.len() => { bytes.remove(at); }
                    _ => {}
                }
            }
            if let Ok(a) = f.verifier.verify_json(&bytes) {
                let b = Bundle::from_json(&bytes).unwrap();
                prop_assert!(same_bundle(original, &b), "accepted a different bundle");
                prop_assert_eq!(a, accepted(original));
                // JSON layout may differ (whitespace); the values' canonical encoding may not.
                prop_assert_eq!(b.to_json(), original.to_json());
            }
        }

        /// Structured mutations of field values.
        #[test]
        fn mutated_fields(which in 0usize..40, field in 0usize..6, digit in 2usize..66, c in "[0-9a-fA-F]") {
            let f = fixture();
            let original = &f.bundles[which];
            let mut b = original.clone();
            let last = b.chunks.len() - 1;
            let s = match field {
                0 => &mut b.policy_id,
                1 => &mut b.commitment,
                2 => &mut b.contribution_id,
                3 => &mut b.chunks[0].state_in,
                4 => &mut b.chunks[last].state_out,
                _ => &mut b.chunks[last].proof,
            };
            let digit = digit.min(s.len() - 1);
            s.replace_range(digit..digit + 1, &c);
            match f.verifier.verify(&b) {
                // One value, one form: only the unchanged string is accepted.
                Ok(_) => prop_assert_eq!(&b, original),
                Err(e) => prop_assert!(!same_bundle(original, &b), "{}", e),
            }
        }
    }
}

/// The batch and one-by-one verdicts agree on mixes of valid and invalid bundles of several
/// sizes, including a batch where every bundle is bad.
#[test]
fn batch_agrees_with_one_by_one() {
    let f = fixture();
    let mut rng = common::rng(500);
    let kinds = corruptions();
    for (n, bad) in [(1, 1), (2, 1), (7, 3), (16, 16), (33, 2)] {
        let mut bundles = many(n, 501 + n as u64);
        for i in 0..bad {
            let (_, corrupt) = &kinds[(i * 7 + n) % kinds.len()];
            let at = (i * 5) % n;
            let _ = corrupt(&mut bundles[at], &mut rng);
        }
        let single: Vec<_> = bundles.iter().map(|b| f.verifier.verify(b)).collect();
        assert_eq!(
            f.verifier
                .verify_batch_with_rng(&bundles, &mut common::rng(n as u64)),
            single,
            "{n} bundles"
        );
    }
}
