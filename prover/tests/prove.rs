//! Keys, proving and bundles end to end on the TEST shape: round trips, refusals, and every
//! kind of edited bundle rejected with its class.

use rand::{rngs::StdRng, SeedableRng};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use zkcontrib_circuits::encode::Point;
use zkcontrib_circuits::policy::Policy;
use zkcontrib_circuits::shape::TEST;
use zkcontrib_prover::contribution::{prove_contribution, ContributionError, Proven};
use zkcontrib_prover::keys::{self, KeyError, Keys};
use zkcontrib_prover::matrices::Matrices;
use zkcontrib_prover::runtime::with_threads;
use zkcontrib_prover::verify::{verify_bundle, Outcome, PolicyEntry};
use zkcontrib_prover::{ingest::read_points, policy_file::load_policy};
use zkcontrib_verifier::bundle::Bundle;

const SUBMITTER: &str = "0x00000000000000000000000000000000000d3e40";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

struct Env {
    _dir: tempfile::TempDir,
    keys_dir: PathBuf,
    keys: Keys,
    matrices: Matrices,
    policy: Policy,
    points: Vec<Point>,
}

/// TEST-shape keys in a temp dir (seeded setup), the Santa Clara policy and the first 140
/// points of the Garmin run (3 chunks).
fn env() -> &'static Env {
    static ENV: OnceLock<Env> = OnceLock::new();
    ENV.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let keys_dir = dir.path().join("keys");
        let k = keys::setup(TEST, &mut StdRng::seed_from_u64(1)).unwrap();
        k.write(&keys_dir).unwrap();
        let keys = Keys::load(&keys_dir, "test").unwrap();
        assert_eq!(keys.meta, k.meta);
        let mut points = read_points(&fixtures().join("garmin-activity-santa-clara.gpx")).unwrap();
        points.truncate(140);
        Env {
            _dir: dir,
            keys_dir,
            keys,
            matrices: Matrices::new(TEST).unwrap(),
            policy: load_policy(&fixtures().join("santa-clara-2017.toml")).unwrap(),
            points,
        }
    })
}

fn prove(seed: u64) -> Proven {
    let e = env();
    prove_contribution(
        &e.keys,
        &e.matrices,
        &e.policy,
        &e.points,
        SUBMITTER,
        &mut StdRng::seed_from_u64(seed),
        |_, _| {},
    )
    .unwrap()
}

fn proven() -> &'static Proven {
    static P: OnceLock<Proven> = OnceLock::new();
    P.get_or_init(|| prove(7))
}

fn check(bundle: &Bundle) -> Outcome {
    let e = env();
    let bytes = serde_json::to_vec(bundle).unwrap();
    verify_bundle(&e.keys_dir, &PolicyEntry::new(&e.policy), &bytes)
}

#[test]
fn prove_then_verify_round_trips() {
    let p = proven();
    assert_eq!(p.bundle.chunks.len(), 3);
    assert_eq!(p.bundle.claims.points, 140);
    assert_eq!(p.bundle.claims.points, p.eval.claims.points);
    let json = serde_json::to_string_pretty(&p.bundle).unwrap();
    let back: Bundle = serde_json::from_str(&json).unwrap();
    assert_eq!(back, p.bundle);
    match check(&back) {
        Outcome::Accepted {
            claims,
            contribution_id,
        } => {
            assert_eq!(claims, p.bundle.claims);
            assert_eq!(contribution_id, p.bundle.contribution_id);
        }
        o => panic!("{o}"),
    }
    // The opening is not in the bundle.
    assert!(!json.contains(&p.opening.blinding[2..]));
}

#[test]
fn bundles_differ_only_in_randomness() {
    let a = proven();
    let b = prove(8);
    assert_eq!(a.bundle.shape, b.bundle.shape);
    assert_eq!(a.bundle.vk_hash, b.bundle.vk_hash);
    assert_eq!(a.bundle.policy_id, b.bundle.policy_id);
    assert_eq!(a.bundle.submitter, b.bundle.submitter);
    assert_eq!(a.bundle.claims, b.bundle.claims);
    assert_eq!(a.bundle.contribution_id, b.bundle.contribution_id);
    assert_eq!(a.bundle.chunks.len(), b.bundle.chunks.len());
    // Blinding: the commitment and every chain state differ.
    assert_ne!(a.bundle.commitment, b.bundle.commitment);
    assert_ne!(a.bundle.chunks[0].state_in, b.bundle.chunks[0].state_in);
    assert!(check(&b.bundle).is_accepted());
}

#[test]
fn one_thread_and_many_give_valid_proofs() {
    for threads in [1, 2] {
        let p = with_threads(Some(threads), || prove(20 + threads as u64)).unwrap();
        assert!(check(&p.bundle).is_accepted(), "{threads} threads");
    }
}

#[test]
fn violating_trace_is_refused_naming_the_rules() {
    let e = env();
    let strict = load_policy(&fixtures().join("santa-clara-strict.toml")).unwrap();
    let err = prove_contribution(
        &e.keys,
        &e.matrices,
        &strict,
        &e.points,
        SUBMITTER,
        &mut StdRng::seed_from_u64(3),
        |_, _| panic!("nothing may be proven"),
    )
    .unwrap_err();
    match err {
        ContributionError::NotQualifying { rules } => {
            let native = zkcontrib_circuits::rules::evaluate(&strict, &e.points);
            let names: Vec<&str> = native.broken_rules().iter().map(|r| r.name()).collect();
            assert!(!rules.is_empty());
            assert_eq!(rules, names);
        }
        e => panic!("{e}"),
    }
    let err = prove_contribution(
        &e.keys,
        &e.matrices,
        &e.policy,
        &e.points,
        "d3e40",
        &mut StdRng::seed_from_u64(3),
        |_, _| {},
    )
    .unwrap_err();
    assert!(matches!(err, ContributionError::Submitter(_)), "{err}");
}

#[test]
fn wrong_keys_and_wrong_policy_are_rejected() {
    let e = env();
    let p = proven();
    // Another setup for the same shape: the bundle's vk hash is unknown there.
    let other = tempfile::tempdir().unwrap();
    keys::setup(TEST, &mut StdRng::seed_from_u64(2))
        .unwrap()
        .write(other.path())
        .unwrap();
    let bytes = serde_json::to_vec(&p.bundle).unwrap();
    let o = verify_bundle(other.path(), &PolicyEntry::new(&e.policy), &bytes);
    assert!(
        matches!(&o, Outcome::Malformed(m) if m.contains("unknown verifying key")),
        "{o}"
    );
    // Even with the vk hash edited to match, the proofs do not verify under the other key.
    let mut b = p.bundle.clone();
    b.vk_hash = keys::load_meta(other.path(), "test").unwrap().vk_hash;
    let o = verify_bundle(
        other.path(),
        &PolicyEntry::new(&e.policy),
        &serde_json::to_vec(&b).unwrap(),
    );
    assert!(
        matches!(&o, Outcome::Rejected(m) if m.contains("invalid")),
        "{o}"
    );
    // Another policy.
    let tenhz = load_policy(&fixtures().join("santa-clara-10hz.toml")).unwrap();
    let o = verify_bundle(&e.keys_dir, &PolicyEntry::new(&tenhz), &bytes);
    assert!(
        matches!(&o, Outcome::Rejected(m) if m.contains("another policy")),
        "{o}"
    );
    // No keys at all: the validator's configuration, not the bundle, and the advice is the
    // network's published keys (never a setup of one's own).
    let empty = tempfile::tempdir().unwrap();
    let o = verify_bundle(empty.path(), &PolicyEntry::new(&e.policy), &bytes);
    assert!(
        matches!(&o, Outcome::Configuration(m) if m.contains("published") && m.contains("cannot verify")),
        "{o}"
    );
    assert!(o.to_string().starts_with("CANNOT VERIFY"), "{o}");
    assert!(o.to_json("b.json").contains("\"class\":\"configuration\""));
    // A damaged verifying key: configuration too.
    let damaged = tempfile::tempdir().unwrap();
    e.keys.write(damaged.path()).unwrap();
    std::fs::write(damaged.path().join("test/verifying.key"), b"nope").unwrap();
    let o = verify_bundle(damaged.path(), &PolicyEntry::new(&e.policy), &bytes);
    assert!(matches!(&o, Outcome::Configuration(_)), "{o}");
}

type Edit = fn(&mut Bundle);

#[test]
fn edited_bundles_are_rejected_with_their_class() {
    let p = proven();
    let flip = |s: &mut String, at: usize| {
        let c = s.as_bytes()[at];
        let n = if c == b'0' { '1' } else { '0' };
        s.replace_range(at..at + 1, &n.to_string());
    };
    let invalid: [(&str, Edit); 5] = [
        ("claimed points", |b| b.claims.points -= 1),
        ("claimed distance", |b| b.claims.distance_m += 1),
        ("submitter", |b| {
            b.submitter = "0x00000000000000000000000000000000000d3e41".into()
        }),
        ("contribution id", |b| {
            b.contribution_id = b.chunks[0].state_in.clone()
        }),
        ("first state", |b| {
            b.chunks[0].state_in = b.commitment.clone()
        }),
    ];
    for (what, edit) in invalid {
        let mut b = p.bundle.clone();
        edit(&mut b);
        let o = check(&b);
        assert!(matches!(o, Outcome::Rejected(_)), "{what}: {o}");
    }
    let malformed: [(&str, Edit); 6] = [
        ("format", |b| b.format = "zkcontrib.bundle.v0".into()),
        ("swapped chunks", |b| b.chunks.swap(1, 2)),
        ("dropped chunk", |b| {
            b.chunks.remove(1);
        }),
        ("no chunks", |b| b.chunks.clear()),
        ("truncated proof", |b| b.chunks[2].proof.truncate(100)),
        ("policy id >= r", |b| {
            b.policy_id =
                "0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001".into()
        }),
    ];
    for (what, edit) in malformed {
        let mut b = p.bundle.clone();
        edit(&mut b);
        let o = check(&b);
        assert!(matches!(o, Outcome::Malformed(_)), "{what}: {o}");
    }
    // A flipped hex digit of a proof: an invalid point encoding or an invalid proof.
    for at in [2, 40, 100, 200, 250] {
        let mut b = p.bundle.clone();
        flip(&mut b.chunks[1].proof, at);
        assert!(!check(&b).is_accepted(), "flipped digit {at}");
    }
    // Truncated or extended JSON.
    let e = env();
    let json = serde_json::to_vec(&p.bundle).unwrap();
    for bytes in [&json[..json.len() / 2], &json[..json.len() - 1]] {
        let o = verify_bundle(&e.keys_dir, &PolicyEntry::new(&e.policy), bytes);
        assert!(matches!(o, Outcome::Malformed(_)), "{o}");
    }
    let mut v: serde_json::Value = serde_json::from_slice(&json).unwrap();
    v["public_inputs"] = serde_json::json!(["0x01"]);
    let o = verify_bundle(
        &e.keys_dir,
        &PolicyEntry::new(&e.policy),
        &serde_json::to_vec(&v).unwrap(),
    );
    assert!(matches!(o, Outcome::Malformed(_)), "{o}");
}

#[test]
fn damaged_key_files_are_refused() {
    let e = env();
    let dir = tempfile::tempdir().unwrap();
    e.keys.write(dir.path()).unwrap();
    let pk = dir.path().join("test").join("proving.key");
    let mut bytes = std::fs::read(&pk).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 1;
    std::fs::write(&pk, bytes).unwrap();
    let err = Keys::load(dir.path(), "test").unwrap_err();
    assert!(
        matches!(&err, KeyError::Corrupt { what, .. } if what.contains("SHA-256")),
        "{err}"
    );
    assert!(err.to_string().contains("proving.key"), "{err}");
    assert!(matches!(
        Keys::load(dir.path(), "earth").unwrap_err(),
        KeyError::Missing { .. }
    ));
    assert!(matches!(
        Keys::load(dir.path(), "nope").unwrap_err(),
        KeyError::UnknownShape(_)
    ));
}

/// Every qualifying fixture, whole, proven and verified on the `test` shape (statement v3 has
/// one set of bit widths for every region and policy): the real Garmin run, the 10 Hz walk and
/// the real Višnjan drive against Croatia.
#[test]
fn every_qualifying_fixture_round_trips() {
    let cases = [
        (
            "garmin-activity-santa-clara.gpx",
            "santa-clara-2017.toml",
            env().keys_dir.as_path(),
            "test",
        ),
        (
            "synthetic/tenhz-walk.csv",
            "santa-clara-10hz.toml",
            env().keys_dir.as_path(),
            "test",
        ),
        (
            "visnjan-car.gpx",
            "croatia-2020.toml",
            env().keys_dir.as_path(),
            "test",
        ),
    ];
    for (trace, policy_file, keys_dir, shape) in cases {
        let keys = Keys::load(keys_dir, shape).unwrap();
        let matrices = Matrices::new(keys.shape).unwrap();
        let policy = load_policy(&fixtures().join(policy_file)).unwrap();
        let points = read_points(&fixtures().join(trace)).unwrap();
        let p = prove_contribution(
            &keys,
            &matrices,
            &policy,
            &points,
            SUBMITTER,
            &mut StdRng::seed_from_u64(5),
            |_, _| {},
        )
        .unwrap_or_else(|e| panic!("{trace}: {e}"));
        assert_eq!(p.bundle.claims.points, points.len() as u64, "{trace}");
        let bytes = serde_json::to_vec(&p.bundle).unwrap();
        match verify_bundle(keys_dir, &PolicyEntry::new(&policy), &bytes) {
            Outcome::Accepted { claims, .. } => assert_eq!(claims, p.bundle.claims, "{trace}"),
            o => panic!("{trace}: {o}"),
        }
    }
}

/// The prepared copy of the keys and matrices: written on first load, then used; the same
/// key, matrices and (for the same randomness) bit-identical proofs as the compressed path;
/// a corrupt, truncated or foreign prepared file is never used but rebuilt, with the reason.
#[test]
fn prepared_keys_load_fast_path_and_rebuild_when_damaged() {
    use ark_serialize::CanonicalSerialize;
    use zkcontrib_prover::prepared::{self, Source};
    let e = env();
    let dir = tempfile::tempdir().unwrap();
    e.keys.write(dir.path()).unwrap();
    let file = dir.path().join("test").join(prepared::FILE);
    let first = prepared::load(dir.path(), "test").unwrap();
    assert!(
        matches!(&first.source, Source::Rebuilt { reason, written: Ok(p) }
            if reason == "not prepared yet" && *p == file),
        "{:?}",
        first.source
    );
    let l = prepared::load(dir.path(), "test").unwrap();
    assert_eq!(l.source, Source::Prepared);
    let bytes = |pk: &ark_groth16::ProvingKey<ark_bn254::Bn254>| {
        let mut v = Vec::new();
        pk.serialize_uncompressed(&mut v).unwrap();
        v
    };
    assert_eq!(bytes(&l.keys.pk), bytes(&e.keys.pk));
    assert_eq!(l.keys.meta, e.keys.meta);
    assert_eq!(l.matrices.abc, e.matrices.abc);
    assert_eq!(
        (
            l.matrices.num_instance,
            l.matrices.num_witness,
            l.matrices.num_constraints
        ),
        (
            e.matrices.num_instance,
            e.matrices.num_witness,
            e.matrices.num_constraints
        )
    );
    let with = |k: &Keys, m: &Matrices| {
        prove_contribution(
            k,
            m,
            &e.policy,
            &e.points,
            SUBMITTER,
            &mut StdRng::seed_from_u64(9),
            |_, _| {},
        )
        .unwrap()
    };
    assert_eq!(
        serde_json::to_string(&with(&l.keys, &l.matrices).bundle).unwrap(),
        serde_json::to_string(&with(&e.keys, &e.matrices).bundle).unwrap()
    );

    let good = std::fs::read(&file).unwrap();
    let reason_after = |damage: &dyn Fn(&mut Vec<u8>)| {
        let mut b = good.clone();
        damage(&mut b);
        std::fs::write(&file, &b).unwrap();
        let l = prepared::load(dir.path(), "test").unwrap();
        assert_eq!(bytes(&l.keys.pk), bytes(&e.keys.pk));
        assert_eq!(l.matrices.abc, e.matrices.abc);
        // The rebuild rewrote the good file.
        assert_eq!(std::fs::read(&file).unwrap(), good);
        match l.source {
            Source::Rebuilt { reason, written } => {
                assert!(written.is_ok());
                reason
            }
            s => panic!("a damaged file was used: {s:?}"),
        }
    };
    let mid = good.len() / 2;
    assert!(reason_after(&|b| b[mid] ^= 1).contains("checksum"));
    assert!(reason_after(&|b| b.truncate(mid)).contains("checksum"));
    assert!(reason_after(&|b| b[50] ^= 1).contains("another proving key"));
    assert!(reason_after(&|b| b[20] ^= 1).contains("another circuit"));
    assert!(reason_after(&|b| b[8] = 9).contains("format"));
    assert!(reason_after(&|b| b[..8].copy_from_slice(b"NOTAPREP")).contains("not a prepared"));
    // A corrupt proving.key behind a missing prepared file is still refused.
    std::fs::remove_file(&file).unwrap();
    let pk = dir.path().join("test").join("proving.key");
    let mut b = std::fs::read(&pk).unwrap();
    b[100] ^= 1;
    std::fs::write(&pk, b).unwrap();
    assert!(matches!(
        prepared::load(dir.path(), "test").unwrap_err(),
        KeyError::Corrupt { .. }
    ));
}

/// A witness the circuit refuses (a bug if it ever happens: the native check passed) is an
/// error that names the rule of its first failing constraint, never a proof.
#[test]
fn an_unsatisfied_witness_is_refused_naming_its_rule() {
    use zkcontrib_circuits::witness::trace_witnesses;
    use zkcontrib_prover::prove::{ChunkProver, ProveError};
    let e = env();
    let one = ark_bn254::Fr::from(1u64);
    let mut ws = trace_witnesses(&e.policy, &TEST, &e.points, one, one).unwrap();
    let mut w = ws.remove(1);
    // Time must increase from point to point.
    w.slots[5].point.t_ms = w.slots[4].point.t_ms;
    let prover = ChunkProver::new(&e.matrices, &e.keys.pk, e.keys.meta.qap).unwrap();
    let err = prover
        .prove(&w, 1, &mut StdRng::seed_from_u64(2))
        .unwrap_err();
    let ProveError::Unsatisfied { chunk, rule, .. } = &err else {
        panic!("{err:?}");
    };
    assert_eq!((*chunk, *rule), (1, "time (order, interval)"));
    assert!(err.to_string().contains("time (order, interval)"), "{err}");
}
