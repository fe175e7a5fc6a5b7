//! Strict decoding of field elements, proofs and verifying keys.

mod common;

use ark_bn254::{Fq2, Fr, G1Affine, G2Affine};
use ark_ec::AffineRepr;
use ark_ff::{BigInteger, PrimeField, UniformRand};
use ark_groth16::Proof;
use ark_serialize::{CanonicalSerialize, Compress};
use proptest::prelude::*;
use zkcontrib_verifier::{
    decode_fr, decode_fr_hex, decode_proof, decode_proof_hex, decode_vk, encode_fr, encode_fr_hex,
    encode_proof, encode_proof_hex, encode_vk, verify, verify_encoded, vk_hash, vk_hash_hex,
    DecodeError, PreparedKey, VerifyError, MAX_PUBLIC_INPUTS,
};

fn modulus_be() -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(&Fr::MODULUS.to_bytes_be());
    out
}

/// Adds `k` to a big-endian 256-bit number (no overflow in the cases used).
fn add_be(mut x: [u8; 32], mut k: u16) -> [u8; 32] {
    for byte in x.iter_mut().rev() {
        let s = u16::from(*byte) + k;
        *byte = s as u8;
        k = s >> 8;
    }
    x
}

#[test]
fn fr_round_trips() {
    let mut rng = common::rng(1);
    for _ in 0..100 {
        let x = Fr::rand(&mut rng);
        assert_eq!(decode_fr(&encode_fr(&x)), Ok(x));
        assert_eq!(decode_fr_hex(&encode_fr_hex(&x)), Ok(x));
        // One value, one form: uppercase digits are refused (not folded).
        let upper = encode_fr_hex(&x).to_uppercase().replacen("0X", "0x", 1);
        if upper != encode_fr_hex(&x) {
            assert_eq!(
                decode_fr_hex(&upper),
                Err(DecodeError::Uppercase {
                    what: "field element hex"
                })
            );
        }
    }
    assert_eq!(decode_fr(&[0u8; 32]), Ok(Fr::from(0u64)));
    let mut one = [0u8; 32];
    one[31] = 1;
    assert_eq!(decode_fr(&one), Ok(Fr::from(1u64)), "big-endian");
    let r_minus_1 = {
        let mut m = modulus_be();
        m[31] -= 1; // r is odd
        m
    };
    assert_eq!(decode_fr(&r_minus_1), Ok(-Fr::from(1u64)));
}

#[test]
fn fr_rejects_unreduced_values() {
    let r = modulus_be();
    for bad in [r, add_be(r, 1), [0xff; 32]] {
        assert_eq!(
            decode_fr(&bad),
            Err(DecodeError::NotCanonical {
                what: "field element"
            })
        );
        let hex = format!(
            "0x{}",
            bad.iter().map(|b| format!("{b:02x}")).collect::<String>()
        );
        assert!(matches!(
            decode_fr_hex(&hex),
            Err(DecodeError::NotCanonical { .. })
        ));
    }
}

#[test]
fn fr_rejects_wrong_lengths_and_bad_hex() {
    for n in [0, 1, 31, 33, 64] {
        assert!(matches!(
            decode_fr(&vec![0u8; n]),
            Err(DecodeError::Length { expected: 32, got, .. }) if got == n
        ));
    }
    let good = encode_fr_hex(&Fr::from(5u64));
    assert_eq!(good.len(), 66);
    // Length is checked first.
    assert!(matches!(
        decode_fr_hex(&good[..65]),
        Err(DecodeError::Length {
            expected: 66,
            got: 65,
            ..
        })
    ));
    assert!(matches!(
        decode_fr_hex(&format!("{good}0")),
        Err(DecodeError::Length { got: 67, .. })
    ));
    assert!(matches!(
        decode_fr_hex(&good[2..]),
        Err(DecodeError::Length { got: 64, .. })
    ));
    // Right length, wrong shape.
    for bad in [
        format!("00{}", &good[2..]),
        format!("0X{}", &good[2..]),
        format!("0x{}g", &good[2..65]),
        format!("0x {}", &good[3..]),
        format!("0x+{}", &good[3..]),
        // A multi-byte character making up the length.
        format!("0x{}é", &good[2..64]),
    ] {
        assert_eq!(bad.len(), 66, "{bad}");
        assert!(
            matches!(decode_fr_hex(&bad), Err(DecodeError::Hex { .. })),
            "{bad}"
        );
    }
}

#[test]
fn proof_round_trips_and_matches_arkworks_encoding() {
    let (pk, vk) = common::setup(2);
    let key = PreparedKey::new(&vk).unwrap();
    let mut rng = common::rng(3);
    let s = common::statement(1);
    let proof = common::prove(&pk, s, &mut rng);
    let bytes = encode_proof(&proof);
    let mut ark = Vec::new();
    proof.serialize_compressed(&mut ark).unwrap();
    assert_eq!(bytes.as_slice(), ark.as_slice());
    assert_eq!(decode_proof(&bytes), Ok(proof.clone()));
    let hex = encode_proof_hex(&proof);
    assert_eq!(hex.len(), 258);
    assert_eq!(decode_proof_hex(&hex), Ok(proof.clone()));
    assert_eq!(
        decode_proof_hex(&hex.to_uppercase().replacen("0X", "0x", 1)),
        Err(DecodeError::Uppercase { what: "proof hex" })
    );
    assert_eq!(
        verify(&key, &decode_proof(&bytes).unwrap(), &s.inputs()),
        Ok(())
    );
}

#[test]
fn proof_rejects_wrong_lengths() {
    let (pk, _) = common::setup(2);
    let proof = common::prove(&pk, common::statement(1), &mut common::rng(4));
    let bytes = encode_proof(&proof);
    for n in [0, 1, 32, 96, 127] {
        assert_eq!(
            decode_proof(&bytes[..n]),
            Err(DecodeError::Length {
                what: "proof",
                expected: 128,
                got: n
            })
        );
    }
    let mut long = bytes.to_vec();
    long.push(0);
    assert!(matches!(
        decode_proof(&long),
        Err(DecodeError::Length { got: 129, .. })
    ));
    let hex = encode_proof_hex(&proof);
    assert!(matches!(
        decode_proof_hex(&hex[..257]),
        Err(DecodeError::Length {
            expected: 258,
            got: 257,
            ..
        })
    ));
    assert!(matches!(
        decode_proof_hex(&format!("{hex}00")),
        Err(DecodeError::Length { got: 260, .. })
    ));
}

/// Every single-bit flip either fails to decode or yields a different proof that does
/// not verify.
#[test]
fn flipped_bits_are_rejected() {
    let (pk, vk) = common::setup(2);
    let key = PreparedKey::new(&vk).unwrap();
    let s = common::statement(9);
    let proof = common::prove(&pk, s, &mut common::rng(5));
    let bytes = encode_proof(&proof);
    let inputs = s.inputs();
    let (mut rejected, mut changed) = (0, 0);
    for pos in 0..bytes.len() {
        for bit in [0u8, 3, 7] {
            let mut b = bytes;
            b[pos] ^= 1 << bit;
            match decode_proof(&b) {
                Err(e) => {
                    let what = match pos {
                        0..32 => "proof.a",
                        32..96 => "proof.b",
                        _ => "proof.c",
                    };
                    assert!(
                        matches!(e, DecodeError::InvalidPoint { what: w } | DecodeError::Identity { what: w } if w == what),
                        "byte {pos} bit {bit}: {e:?}"
                    );
                    rejected += 1;
                }
                Ok(p) => {
                    assert_ne!(p, proof);
                    assert_eq!(verify(&key, &p, &inputs), Err(VerifyError::InvalidProof));
                    changed += 1;
                }
            }
        }
    }
    // Both kinds occur: many flips leave the curve, the flag and sign bits do not.
    assert!(rejected > 0 && changed > 0, "{rejected} {changed}");
}

/// A point on the G2 twist outside the r-torsion subgroup.
fn off_subgroup_g2() -> G2Affine {
    let mut x = Fq2::from(1u64);
    loop {
        if let Some(p) = G2Affine::get_point_from_x_unchecked(x, false) {
            if p.is_on_curve() && !p.is_in_correct_subgroup_assuming_on_curve() {
                return p;
            }
        }
        x += Fq2::from(1u64);
    }
}

#[test]
fn off_subgroup_g2_is_rejected() {
    let (pk, vk) = common::setup(2);
    let proof = common::prove(&pk, common::statement(1), &mut common::rng(6));
    let bad = off_subgroup_g2();
    let mut g2 = Vec::new();
    bad.serialize_with_mode(&mut g2, Compress::Yes).unwrap();
    assert_eq!(g2.len(), 64);

    let mut bytes = encode_proof(&proof);
    bytes[32..96].copy_from_slice(&g2);
    assert_eq!(
        decode_proof(&bytes),
        Err(DecodeError::InvalidPoint { what: "proof.b" })
    );
    // verify_encoded leaves B's subgroup check to the pairing stage: the same error.
    let key = PreparedKey::new(&vk).unwrap();
    let inputs: Vec<[u8; 32]> = common::statement(1)
        .inputs()
        .iter()
        .map(encode_fr)
        .collect();
    assert_eq!(
        verify_encoded(&key, &bytes, &inputs),
        Err(VerifyError::Decode(DecodeError::InvalidPoint {
            what: "proof.b"
        }))
    );
    assert_eq!(verify_encoded(&key, &encode_proof(&proof), &inputs), Ok(()));

    // Also as δ of a verifying key.
    let mut vkb = encode_vk(&vk);
    vkb[32 + 128..32 + 192].copy_from_slice(&g2);
    assert_eq!(
        decode_vk(&vkb),
        Err(DecodeError::InvalidPoint {
            what: "vk.delta_g2"
        })
    );
}

#[test]
fn identity_is_rejected_in_each_proof_element() {
    let (pk, _) = common::setup(2);
    let proof = common::prove(&pk, common::statement(1), &mut common::rng(7));
    let cases = [
        (
            Proof {
                a: G1Affine::zero(),
                ..proof.clone()
            },
            "proof.a",
        ),
        (
            Proof {
                b: G2Affine::zero(),
                ..proof.clone()
            },
            "proof.b",
        ),
        (
            Proof {
                c: G1Affine::zero(),
                ..proof.clone()
            },
            "proof.c",
        ),
    ];
    for (p, what) in cases {
        assert_eq!(
            decode_proof(&encode_proof(&p)),
            Err(DecodeError::Identity { what })
        );
    }
}

#[test]
fn vk_round_trips_and_hashes() {
    let (_, vk) = common::setup(2);
    let (_, vk2) = common::setup(8);
    let bytes = encode_vk(&vk);
    assert_eq!(bytes.len(), 232 + 32 * (common::NUM_INPUTS + 1));
    assert_eq!(decode_vk(&bytes), Ok(vk.clone()));
    let key = PreparedKey::from_bytes(&bytes).unwrap();
    assert_eq!(key.num_inputs(), common::NUM_INPUTS);
    assert_eq!(key.vk(), &vk);
    assert_eq!(key.hash(), vk_hash(&vk));
    assert_eq!(vk_hash(&vk), vk_hash(&vk.clone()));
    assert_ne!(vk_hash(&vk), vk_hash(&vk2));
    let h = vk_hash_hex(&vk);
    assert_eq!(h.len(), 66);
    assert!(h.starts_with("0x"));
}

#[test]
fn vk_rejects_bad_lengths_counts_and_points() {
    let (_, vk) = common::setup(2);
    let bytes = encode_vk(&vk);
    let count_at = 32 + 3 * 64;

    for n in [0, 100, 231, 232, bytes.len() - 1] {
        assert!(
            matches!(decode_vk(&bytes[..n]), Err(DecodeError::Length { .. })),
            "{n}"
        );
    }
    let mut long = bytes.clone();
    long.push(0);
    assert_eq!(
        decode_vk(&long),
        Err(DecodeError::Trailing {
            what: "verifying key"
        })
    );

    let with_count = |n: u64| {
        let mut b = bytes.clone();
        b[count_at..count_at + 8].copy_from_slice(&n.to_le_bytes());
        b
    };
    assert_eq!(decode_vk(&with_count(0)), Err(DecodeError::EmptyIc));
    assert_eq!(
        decode_vk(&with_count(u64::MAX)),
        Err(DecodeError::TooManyInputs {
            got: u64::MAX - 1,
            max: MAX_PUBLIC_INPUTS
        })
    );
    assert!(matches!(
        decode_vk(&with_count(MAX_PUBLIC_INPUTS as u64 + 2)),
        Err(DecodeError::TooManyInputs { got: 65, .. })
    ));
    // Exactly the cap is fine as far as the count goes (then the length is wrong).
    assert!(matches!(
        decode_vk(&with_count(MAX_PUBLIC_INPUTS as u64 + 1)),
        Err(DecodeError::Length { .. })
    ));
    // A key with 64 inputs decodes.
    let mut big = vk.clone();
    big.gamma_abc_g1 = vec![vk.gamma_abc_g1[1]; MAX_PUBLIC_INPUTS + 1];
    assert_eq!(decode_vk(&encode_vk(&big)), Ok(big.clone()));
    big.gamma_abc_g1.push(vk.gamma_abc_g1[1]);
    assert!(matches!(
        decode_vk(&encode_vk(&big)),
        Err(DecodeError::TooManyInputs { got: 65, max: 64 })
    ));

    // Identity γ.
    let mut id = vk.clone();
    id.gamma_g2 = G2Affine::zero();
    assert_eq!(
        decode_vk(&encode_vk(&id)),
        Err(DecodeError::Identity {
            what: "vk.gamma_g2"
        })
    );
    // Corrupt α: flip a low bit of x, most such flips leave the curve.
    let mut rejected = 0;
    for pos in 0..31 {
        let mut b = bytes.clone();
        b[pos] ^= 1;
        if let Err(e) = decode_vk(&b) {
            assert_eq!(
                e,
                DecodeError::InvalidPoint {
                    what: "vk.alpha_g1"
                }
            );
            rejected += 1;
        }
    }
    assert!(rejected > 0);

    // A key with no IC points cannot be prepared.
    let mut empty = vk.clone();
    empty.gamma_abc_g1.clear();
    assert_eq!(PreparedKey::new(&empty).err(), Some(DecodeError::EmptyIc));
}

#[test]
fn error_messages_are_one_line() {
    let errors = [
        DecodeError::Length {
            what: "proof",
            expected: 128,
            got: 1,
        },
        DecodeError::NotCanonical { what: "x" },
        DecodeError::InvalidPoint { what: "proof.b" },
        DecodeError::Identity { what: "proof.a" },
        DecodeError::Hex { what: "proof hex" },
        DecodeError::TooManyInputs { got: 70, max: 64 },
        DecodeError::EmptyIc,
        DecodeError::Trailing { what: "vk" },
    ];
    for e in errors {
        let m = e.to_string();
        assert!(!m.is_empty() && !m.contains('\n'), "{m}");
    }
}

proptest! {
    #[test]
    fn decoders_never_panic_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = decode_fr(&bytes);
        let _ = decode_proof(&bytes);
        let _ = decode_vk(&bytes);
    }

    #[test]
    fn decoders_never_panic_at_exact_lengths(bytes in proptest::collection::vec(any::<u8>(), 128..=128)) {
        let _ = decode_fr(&bytes[..32]);
        let _ = decode_proof(&bytes);
        let mut vk = bytes.clone();
        vk.extend_from_slice(&bytes[..64]);
        vk.extend_from_slice(&bytes[..40]);
        let _ = decode_vk(&vk);
    }

    #[test]
    fn hex_decoders_never_panic(s in "(0x)?[0-9a-fA-Fxé ]{0,300}") {
        let _ = decode_fr_hex(&s);
        let _ = decode_proof_hex(&s);
    }

    #[test]
    fn fr_decode_is_exact(bytes in proptest::array::uniform32(any::<u8>())) {
        match decode_fr(&bytes) {
            Ok(x) => prop_assert_eq!(encode_fr(&x), bytes),
            Err(e) => prop_assert_eq!(e, DecodeError::NotCanonical { what: "field element" }),
        }
    }
}
