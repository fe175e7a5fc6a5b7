//! What a validator loads at start: the verifying key from the files setup writes
//! (`verifying.key` + `keys.json`) and policies from their canonical JSON. Every defect is the
//! operator's configuration error, typed, naming the file and field.
//! (`prover/tests/validator.rs` loads the files the real `zkcontrib setup` and `zkcontrib
//! policy --json` write.)

mod common;

use zkcontrib_verifier::{
    encode_vk, vk_hash, vk_hash_hex, CanonicalPolicy, DecodeError, KeyFileError, PinnedKey,
    PolicyJsonError, Thresholds,
};

fn keys_json(vk_hash: &str) -> String {
    serde_json::json!({
        "shape": "test",
        "vk_hash": vk_hash,
        "pk_sha256": "0x00",
        "pk_bytes": 1,
        "constraints": 2,
        "origin": "dev-setup",
        "qap": "arkworks",
    })
    .to_string()
}

#[test]
fn pinned_key_from_the_files_of_setup() {
    let (_, vk) = common::setup(70);
    let bytes = encode_vk(&vk);
    let meta = keys_json(&vk_hash_hex(&vk));
    let k = PinnedKey::from_bytes(meta.as_bytes(), &bytes).unwrap();
    assert_eq!(k.vk(), &vk);
    assert_eq!(k.vk_hash(), vk_hash(&vk));
    assert_eq!(k.vk_hash_hex(), vk_hash_hex(&vk));
    assert_eq!(k.shape(), "test");
    assert!(k.is_dev_setup());

    // Another key's hash in keys.json: the files are of different setups.
    let (_, other) = common::setup(71);
    let e = PinnedKey::from_bytes(keys_json(&vk_hash_hex(&other)).as_bytes(), &bytes).unwrap_err();
    assert!(
        matches!(e, KeyFileError::HashMismatch { pinned, got, .. } if pinned == vk_hash(&other) && got == vk_hash(&vk)),
        "{e}"
    );
    assert!(e.to_string().starts_with("verifying.key: hash 0x"), "{e}");
    // A damaged key: strict decoding fails, or the hash differs.
    for at in [0, 40, bytes.len() - 1] {
        let mut bad = bytes.clone();
        bad[at] ^= 0x04;
        let e = PinnedKey::from_bytes(meta.as_bytes(), &bad).unwrap_err();
        assert!(
            matches!(
                e,
                KeyFileError::Key { .. } | KeyFileError::HashMismatch { .. }
            ),
            "{e}"
        );
    }
    let e = PinnedKey::from_bytes(meta.as_bytes(), &bytes[..100]).unwrap_err();
    assert!(matches!(e, KeyFileError::Key { .. }), "{e}");
    // keys.json: strict.
    let upper = keys_json(&vk_hash_hex(&vk).to_uppercase().replacen("0X", "0x", 1));
    let e = PinnedKey::from_bytes(upper.as_bytes(), &bytes).unwrap_err();
    assert!(
        matches!(
            e,
            KeyFileError::MetaHash {
                error: DecodeError::Uppercase { .. },
                ..
            }
        ),
        "{e}"
    );
    let mut extra: serde_json::Value = serde_json::from_str(&meta).unwrap();
    extra["trusted"] = true.into();
    for bad in [
        extra.to_string(),
        meta.replace("dev-setup", "laptop"),
        "{}".to_string(),
        "not json".to_string(),
    ] {
        let e = PinnedKey::from_bytes(bad.as_bytes(), &bytes).unwrap_err();
        assert!(matches!(e, KeyFileError::Meta { .. }), "{e}");
        assert!(e.to_string().starts_with("keys.json: "), "{e}");
    }
    let ceremony = meta.replace("dev-setup", "zkey");
    assert!(!PinnedKey::from_bytes(ceremony.as_bytes(), &bytes)
        .unwrap()
        .is_dev_setup());
}

#[test]
fn pinned_key_from_a_directory_names_the_file() {
    let (_, vk) = common::setup(72);
    let dir = std::env::temp_dir().join(format!("zkcontrib-files-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("keys.json"), keys_json(&vk_hash_hex(&vk))).unwrap();
    let e = PinnedKey::from_dir(&dir).unwrap_err();
    assert!(matches!(e, KeyFileError::Io { .. }), "{e}");
    assert!(e.to_string().contains("verifying.key: cannot read"), "{e}");
    std::fs::write(dir.join("verifying.key"), encode_vk(&vk)).unwrap();
    assert_eq!(PinnedKey::from_dir(&dir).unwrap().vk(), &vk);
    // A huge file at the key's path is refused without reading it whole.
    std::fs::write(dir.join("verifying.key"), vec![0u8; 1 << 20]).unwrap();
    let e = PinnedKey::from_dir(&dir).unwrap_err();
    assert!(matches!(e, KeyFileError::TooLarge { .. }), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The shape of `zkcontrib policy --json` output (values of fixtures/santa-clara-2017.toml).
fn policy_json() -> serde_json::Value {
    serde_json::json!({
        "name": "santa-clara-2017",
        "policy_id": "0x0f7d0ae4e3c2c1d2b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4",
        "params": {
            "not_before_ms": 1498867200000u64, "not_after_ms": 1504223999000u64,
            "min_interval_ms": 1000, "max_interval_ms": 15000,
            "max_speed_mmps": 10000, "speed_units": 2621, "step_bits": 26,
            "speed_tolerance": 134217728,
            "min_points": 100, "min_distance_m": 1000, "min_inside_bp": 10000,
            "region_root": "0x1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f809",
            "region_depth": 6, "region_items": 3146, "region_encoding": 200712
        },
        "region": { "input_polygons": 1, "repairs": [], "area_km2": 3368.7 }
    })
}

#[test]
fn policy_from_canonical_json() {
    let j = policy_json();
    let p = CanonicalPolicy::from_json(j.to_string().as_bytes()).unwrap();
    assert_eq!(p.name.as_deref(), Some("santa-clara-2017"));
    assert_eq!(
        p.thresholds,
        Thresholds {
            min_points: 100,
            min_distance_m: 1000
        }
    );
    assert_eq!(
        zkcontrib_verifier::encode_fr_hex(&p.policy_id),
        j["policy_id"].as_str().unwrap()
    );
    // The region report and the name are optional.
    let mut bare = j.clone();
    bare.as_object_mut().unwrap().remove("region");
    bare.as_object_mut().unwrap().remove("name");
    let q = CanonicalPolicy::from_json(bare.to_string().as_bytes()).unwrap();
    assert_eq!(
        (q.policy_id, q.thresholds, q.name),
        (p.policy_id, p.thresholds, None)
    );
}

#[test]
fn policy_json_is_checked_strictly() {
    type Edit = fn(&mut serde_json::Value);
    let json_errors: [(Edit, &str); 6] = [
        (|j| j["bonus"] = 1.into(), "unknown field `bonus`"),
        (
            |j| j["params"]["grid_bits"] = 1.into(),
            "unknown field `grid_bits`",
        ),
        (
            |j| {
                j["params"].as_object_mut().unwrap().remove("min_points");
            },
            "missing field `min_points`",
        ),
        (|j| j["params"]["min_points"] = (-1).into(), "expected u64"),
        (|j| j["params"]["min_points"] = "100".into(), "invalid type"),
        (
            |j| {
                j.as_object_mut().unwrap().remove("policy_id");
            },
            "missing field `policy_id`",
        ),
    ];
    for (edit, says) in json_errors {
        let mut j = policy_json();
        edit(&mut j);
        let e = CanonicalPolicy::from_json(j.to_string().as_bytes()).unwrap_err();
        assert!(matches!(e, PolicyJsonError::Json { .. }), "{e}");
        assert!(e.to_string().contains(says), "{e}");
    }
    let field_errors: [(Edit, &str); 4] = [
        (
            |j| {
                j["policy_id"] = j["policy_id"]
                    .as_str()
                    .unwrap()
                    .to_uppercase()
                    .replacen("0X", "0x", 1)
                    .into()
            },
            "policy_id: ",
        ),
        (|j| j["policy_id"] = "0x01".into(), "policy_id: "),
        (
            |j| {
                j["policy_id"] =
                    "0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001".into()
            },
            "policy_id: ",
        ),
        (
            |j| j["params"]["region_root"] = "root".into(),
            "params.region_root: ",
        ),
    ];
    for (edit, says) in field_errors {
        let mut j = policy_json();
        edit(&mut j);
        let e = CanonicalPolicy::from_json(j.to_string().as_bytes()).unwrap_err();
        assert!(matches!(e, PolicyJsonError::Field { .. }), "{e}");
        assert!(e.to_string().contains(says), "{e}");
    }
    let value_errors: [(Edit, &str); 7] = [
        (
            |j| j["params"]["region_encoding"] = 0x20f08.into(),
            "params.region_encoding",
        ),
        (
            |j| j["params"]["min_points"] = 0.into(),
            "params.min_points",
        ),
        (
            |j| j["params"]["min_points"] = (1u64 << 32).into(),
            "params.min_points",
        ),
        (
            |j| j["params"]["min_distance_m"] = (1u64 << 32).into(),
            "params.min_distance_m",
        ),
        (
            |j| j["params"]["min_inside_bp"] = 10001.into(),
            "params.min_inside_bp",
        ),
        (
            |j| j["params"]["speed_tolerance"] = 1.into(),
            "params.speed_tolerance",
        ),
        (
            |j| j["params"]["not_after_ms"] = 1.into(),
            "params.not_after_ms",
        ),
    ];
    for (edit, says) in value_errors {
        let mut j = policy_json();
        edit(&mut j);
        let e = CanonicalPolicy::from_json(j.to_string().as_bytes()).unwrap_err();
        assert!(matches!(e, PolicyJsonError::Value { .. }), "{e}");
        assert!(e.to_string().contains(says), "{e}");
    }
    // A policy *file* (TOML) is not the canonical JSON.
    let toml = b"name = \"x\"\nregion = \"county.geojson\"\nmin_points = 100\n";
    let e = CanonicalPolicy::from_json(toml).unwrap_err();
    assert!(
        e.to_string()
            .contains("zkcontrib policy --policy FILE --json"),
        "{e}"
    );
}
