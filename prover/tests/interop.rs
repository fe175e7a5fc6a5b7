//! Interop on the TEST shape: snarkjs JSON, the Solidity verifier in an EVM, the `.r1cs` /
//! `.wtns` / `.zkey` ceremony path and the circom QAP reduction. One concern above 700 lines:
//! interop with the real tools (their harness is `tests/common/`).
//!
//! The tests marked "npm" run the real tools: `tests/js/package.json` pins snarkjs, solc and
//! @ethereumjs/evm, installed once with `npm ci` into `target/tmp/zkcontrib-js` and reused
//! while the lock file is unchanged (the powers-of-tau file made for the ceremony is cached
//! there too). They skip, printing why, only when `node` or `npm` is not on PATH; with npm
//! present, any failure (install included) fails the test.

use ark_bn254::{Bn254, Fr};
use ark_ff::{BigInteger, PrimeField};
use ark_groth16::r1cs_to_qap::LibsnarkReduction;
use ark_groth16::{Groth16, ProvingKey};
use rand::{rngs::StdRng, SeedableRng};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use zkcontrib_circuits::circuit::TraceCircuit;
use zkcontrib_circuits::encode::Point;
use zkcontrib_circuits::policy::Policy;
use zkcontrib_circuits::shape::TEST;
use zkcontrib_prover::contribution::{prove_contribution, Proven};
use zkcontrib_prover::interop::{self, snarkjs, solidity, zkey::ZkeyError};
use zkcontrib_prover::keys::{self, KeyError, Keys, Origin, Qap};
use zkcontrib_prover::matrices::Matrices;
use zkcontrib_prover::prove::prove_chunk_with;
use zkcontrib_prover::qap::CircomReduction;
use zkcontrib_prover::verify::{verify_bundle, PolicyEntry};
use zkcontrib_prover::{ingest, policy_file::load_policy};
use zkcontrib_verifier::bundle::Bundle;
use zkcontrib_verifier::{encode_proof_hex, PreparedKey};

mod common;

use common::iden3::{parse_r1cs, satisfied, sections, write_zkey};
use common::js::{js, test_ptau};
use common::{note, text};

const SUBMITTER: &str = "0x00000000000000000000000000000000000d3e40";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

// ---------------------------------------------------------------------------------------
// Shared fixtures: development keys, a 140-point trace (3 TEST chunks) and its bundle.

struct Env {
    dir: tempfile::TempDir,
    keys: Keys,
    matrices: Matrices,
    policy: Policy,
    points: Vec<Point>,
    proven: Proven,
    trace: PathBuf,
}

impl Env {
    fn keys_dir(&self) -> PathBuf {
        self.dir.path().join("keys")
    }
    fn bundle_path(&self) -> PathBuf {
        self.dir.path().join("bundle.json")
    }
    fn opening_path(&self) -> PathBuf {
        self.dir.path().join("bundle.opening.json")
    }
}

/// The first 140 points of the Garmin run as CSV.
fn short_trace(dir: &Path) -> PathBuf {
    let t = ingest::read_trace(&fixtures().join("garmin-activity-santa-clara.gpx")).unwrap();
    let mut csv = String::from("time,lat,lon\n");
    for p in t.points.iter().take(140) {
        csv += &format!("{},{},{}\n", p.time_ms, p.lat, p.lon);
    }
    let path = dir.join("short.csv");
    std::fs::write(&path, csv).unwrap();
    path
}

fn env() -> &'static Env {
    static ENV: OnceLock<Env> = OnceLock::new();
    ENV.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let k = keys::setup(TEST, &mut StdRng::seed_from_u64(11)).unwrap();
        k.write(&dir.path().join("keys")).unwrap();
        let keys = Keys::load(&dir.path().join("keys"), "test").unwrap();
        let trace = short_trace(dir.path());
        let points = ingest::read_points(&trace).unwrap();
        let policy = load_policy(&fixtures().join("santa-clara-2017.toml")).unwrap();
        let matrices = Matrices::new(TEST).unwrap();
        let proven = prove_contribution(
            &keys,
            &matrices,
            &policy,
            &points,
            SUBMITTER,
            &mut StdRng::seed_from_u64(12),
            |_, _| {},
        )
        .unwrap();
        std::fs::write(
            dir.path().join("bundle.json"),
            serde_json::to_vec_pretty(&proven.bundle).unwrap(),
        )
        .unwrap();
        std::fs::write(
            dir.path().join("bundle.opening.json"),
            serde_json::to_vec_pretty(&proven.opening).unwrap(),
        )
        .unwrap();
        Env {
            dir,
            keys,
            matrices,
            policy,
            points,
            proven,
            trace,
        }
    })
}

fn zkcontrib(keys_dir: &Path, args: &[&OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zkcontrib"))
        .args(args)
        .current_dir(fixtures())
        .env("ZKCONTRIB_KEYS_DIR", keys_dir)
        .output()
        .expect("run zkcontrib")
}

/// Runs zkcontrib and requires exit code `code`.
fn zk(keys_dir: &Path, args: &[&dyn AsRef<OsStr>], code: i32) -> String {
    let args: Vec<&OsStr> = args.iter().map(|a| a.as_ref()).collect();
    let o = zkcontrib(keys_dir, &args);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(code), "zkcontrib {args:?}:\n{t}");
    t
}

/// `zkcontrib prove` of `trace` against the Santa Clara policy on the `test` shape, expecting
/// exit 0; returns the output.
fn prove_test_shape(keys_dir: &Path, trace: &Path, bundle: &Path) -> String {
    zk(
        keys_dir,
        &[
            &"prove",
            &"--trace",
            &trace,
            &"--policy",
            &"santa-clara-2017.toml",
            &"--submitter",
            &SUBMITTER,
            &"--shape",
            &"test",
            &"--out",
            &bundle,
            &"--quiet",
        ],
        0,
    )
}

#[test]
fn r1cs_and_wtns_describe_the_circuit_and_a_chunk() {
    let e = env();
    let m = &e.matrices;
    let r = parse_r1cs(&interop::r1cs::write(m));
    assert_eq!(r.wires as usize, m.num_instance + m.num_witness);
    assert_eq!(r.public, 11);
    assert_eq!(r.constraints.len(), m.num_constraints);
    for row in r.constraints.iter().flatten() {
        assert!(
            row.windows(2).all(|w| w[0].0 < w[1].0),
            "sorted, no repeats"
        );
    }
    // Chunk 3 of the bundle, from the opening: its public inputs are the bundle's.
    let (z, n) = interop::chunk_assignment(
        m,
        &e.policy,
        &e.points,
        SUBMITTER,
        Some(&e.proven.opening),
        1,
    )
    .unwrap();
    assert_eq!(n, 3);
    let chunks = interop::bundle_chunks(&e.proven.bundle).unwrap();
    assert_eq!(&z[1..12], &chunks[1].inputs[..]);
    let z2 = interop::wtns::read(&interop::wtns::write(&z)).unwrap();
    assert_eq!(z2, z);
    assert_eq!(satisfied(&r, &z2), None);
    // One witness value changed: some constraint breaks.
    let mut bad = z2.clone();
    bad[500] += Fr::from(1u64);
    assert!(satisfied(&r, &bad).is_some());
    // Another trace's opening is refused.
    let mut other = e.proven.opening.clone();
    other.blinding = other.commitment.clone();
    assert!(matches!(
        interop::chunk_assignment(m, &e.policy, &e.points, SUBMITTER, Some(&other), 0),
        Err(interop::ExportError::OpeningMismatch { .. })
    ));
    assert!(matches!(
        interop::chunk_assignment(m, &e.policy, &e.points, SUBMITTER, None, 3),
        Err(interop::ExportError::NoSuchChunk { chunks: 3, .. })
    ));
}

#[test]
fn export_cli_writes_files_and_uses_exit_codes() {
    let e = env();
    let d = tempfile::tempdir().unwrap();
    let kd = e.keys_dir();
    let r1cs = d.path().join("test.r1cs");
    let t = zk(
        &kd,
        &[&"export", &"r1cs", &"--shape", &"test", &"--out", &r1cs],
        0,
    );
    assert!(
        t.contains(&format!("constraints   {}", e.matrices.num_constraints)),
        "{t}"
    );
    assert!(t.contains("powers of tau power >= "), "{t}");
    assert_eq!(
        std::fs::read(&r1cs).unwrap(),
        interop::r1cs::write(&e.matrices)
    );

    let wtns = d.path().join("c1.wtns");
    let t = zk(
        &kd,
        &[
            &"export",
            &"wtns",
            &"--trace",
            &e.trace,
            &"--policy",
            &"santa-clara-2017.toml",
            &"--submitter",
            &SUBMITTER,
            &"--shape",
            &"test",
            &"--opening",
            &e.opening_path(),
            &"--chunk",
            &"1",
            &"--out",
            &wtns,
        ],
        0,
    );
    assert!(t.contains("chunk         1 of 3"), "{t}");
    assert!(t.contains("private"), "{t}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&wtns).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "the witness is private: {mode:o}");
    }
    let (z, _) = interop::chunk_assignment(
        &e.matrices,
        &e.policy,
        &e.points,
        SUBMITTER,
        Some(&e.proven.opening),
        1,
    )
    .unwrap();
    assert_eq!(
        interop::wtns::read(&std::fs::read(&wtns).unwrap()).unwrap(),
        z
    );

    // A trace the policy refuses: no witness, exit 1.
    let t = zk(
        &kd,
        &[
            &"export",
            &"wtns",
            &"--trace",
            &e.trace,
            &"--policy",
            &"santa-clara-strict.toml",
            &"--submitter",
            &SUBMITTER,
            &"--shape",
            &"test",
            &"--out",
            &d.path().join("x.wtns"),
        ],
        1,
    );
    assert!(t.contains("no witness"), "{t}");
    assert!(!d.path().join("x.wtns").exists());
    // Usage errors: exit 2, naming the flag.
    let t = zk(&kd, &[&"export", &"wtns", &"--out", &wtns], 2);
    assert!(t.contains("--trace"), "{t}");
    let t = zk(
        &kd,
        &[
            &"export", &"r1cs", &"--trace", &e.trace, &"--shape", &"test", &"--out", &r1cs,
        ],
        2,
    );
    assert!(t.contains("--trace is not used"), "{t}");
    let t = zk(&kd, &[&"export", &"snarkjs", &"--out", &d.path()], 2);
    assert!(t.contains("--shape or --bundle"), "{t}");
    let t = zk(&kd, &[&"export", &"zkey", &"--out", &d.path()], 2);
    assert!(t.contains("invalid value"), "{t}");
    // A bundle proven with other keys.
    let other = tempfile::tempdir().unwrap();
    keys::setup(TEST, &mut StdRng::seed_from_u64(99))
        .unwrap()
        .write(other.path())
        .unwrap();
    let t = zk(
        other.path(),
        &[
            &"export",
            &"snarkjs",
            &"--bundle",
            &e.bundle_path(),
            &"--out",
            &d.path().join("s"),
        ],
        2,
    );
    assert!(t.contains("proven with verifying key"), "{t}");
}

#[test]
fn snarkjs_json_of_a_bundle_round_trips() {
    let e = env();
    let out = tempfile::tempdir().unwrap();
    let t = zk(
        &e.keys_dir(),
        &[
            &"export",
            &"snarkjs",
            &"--bundle",
            &e.bundle_path(),
            &"--out",
            &out.path(),
        ],
        0,
    );
    assert!(t.contains("chunks        3"), "{t}");
    assert!(t.contains("WARNING: development setup"), "{t}");
    let vk_json = std::fs::read_to_string(out.path().join("verification_key.json")).unwrap();
    assert_eq!(snarkjs::parse_vk(&vk_json).unwrap(), *e.keys.vk());
    let v: serde_json::Value = serde_json::from_str(&vk_json).unwrap();
    assert_eq!(v["nPublic"], 11);
    assert_eq!(v["vk_beta_2"][2], serde_json::json!(["1", "0"]));
    for (k, c) in interop::bundle_chunks(&e.proven.bundle)
        .unwrap()
        .iter()
        .enumerate()
    {
        let p = std::fs::read_to_string(out.path().join(format!("proof-{k}.json"))).unwrap();
        assert_eq!(snarkjs::parse_proof(&p).unwrap(), c.proof);
        let s = std::fs::read_to_string(out.path().join(format!("public-{k}.json"))).unwrap();
        assert_eq!(snarkjs::parse_public(&s).unwrap(), c.inputs.to_vec());
    }
}

// ---------------------------------------------------------------------------------------
// The circom reduction and .zkey import, without snarkjs: keys from an arkworks setup with
// the circom reduction, written in the .zkey layout by this test.

fn circom_keys() -> &'static ProvingKey<Bn254> {
    static PK: OnceLock<ProvingKey<Bn254>> = OnceLock::new();
    PK.get_or_init(|| {
        Groth16::<Bn254, CircomReduction>::generate_random_parameters_with_reduction(
            TraceCircuit {
                shape: TEST,
                witness: None,
            },
            &mut StdRng::seed_from_u64(21),
        )
        .unwrap()
    })
}

fn chunk0_witness() -> zkcontrib_circuits::witness::ChunkWitness {
    use zkcontrib_circuits::witness::trace_witnesses;
    let e = env();
    let submitter = zkcontrib_verifier::bundle::decode_submitter(SUBMITTER).unwrap();
    trace_witnesses(&e.policy, &TEST, &e.points, Fr::from(5u64), submitter)
        .unwrap()
        .remove(0)
}

#[test]
fn circom_reduction_proves_and_differs_from_arkworks() {
    let e = env();
    let pk = circom_keys();
    let w = chunk0_witness();
    let inputs = w.public.to_array();
    let key = PreparedKey::new(&pk.vk).unwrap();
    let mut rng = StdRng::seed_from_u64(22);
    let proof =
        prove_chunk_with::<CircomReduction, _>(&e.matrices, pk, &w, 0, true, &mut rng).unwrap();
    assert_eq!(zkcontrib_verifier::verify(&key, &proof, &inputs), Ok(()));
    // The reductions' h queries differ: the wrong one gives an invalid proof.
    let wrong =
        prove_chunk_with::<LibsnarkReduction, _>(&e.matrices, pk, &w, 0, true, &mut rng).unwrap();
    assert!(zkcontrib_verifier::verify(&key, &wrong, &inputs).is_err());
    let wrong =
        prove_chunk_with::<CircomReduction, _>(&e.matrices, &e.keys.pk, &w, 0, true, &mut rng)
            .unwrap();
    let dev = PreparedKey::new(e.keys.vk()).unwrap();
    assert!(zkcontrib_verifier::verify(&dev, &wrong, &inputs).is_err());
}

#[test]
fn zkey_import_round_trips_and_refuses_damage() {
    let e = env();
    let pk = circom_keys();
    let bytes = write_zkey(pk, &e.matrices);
    let back = interop::zkey::read(&bytes, &e.matrices).unwrap();
    assert!(back == *pk, "the imported key is the written one");

    // Through the keys API and the CLI: origin zkey, circom QAP, and `prove` proves with it.
    let d = tempfile::tempdir().unwrap();
    let zkey = d.path().join("final.zkey");
    std::fs::write(&zkey, &bytes).unwrap();
    let kd = d.path().join("keys");
    let t = zk(
        &kd,
        &[&"setup", &"--shape", &"test", &"--from-zkey", &zkey],
        0,
    );
    assert!(t.contains("ceremony (.zkey import, circom QAP)"), "{t}");
    assert!(!t.contains("WARNING: development setup"), "{t}");
    let meta = keys::load_meta(&kd, "test").unwrap();
    assert_eq!((meta.origin, meta.qap), (Origin::Zkey, Qap::Circom));
    let bundle = d.path().join("b.json");
    let t = prove_test_shape(&kd, &e.trace, &bundle);
    assert!(!t.contains("development keys"), "{t}");
    let t = zk(
        &kd,
        &[&"verify", &"--policy", &"santa-clara-2017.toml", &bundle],
        0,
    );
    assert!(t.contains("valid: 140 points"), "{t}");

    // Damage: every kind is a clean, typed error naming what is wrong.
    let m = &e.matrices;
    let err = |b: &[u8]| interop::zkey::read(b, m).unwrap_err();
    for cut in [0, 3, 11, 100, bytes.len() / 2, bytes.len() - 1] {
        assert!(
            matches!(err(&bytes[..cut]), ZkeyError::Malformed(_)),
            "cut at {cut}"
        );
    }
    assert!(matches!(err(b"not a zkey at all"), ZkeyError::Malformed(_)));
    // Section 4 starts after the header sections; find it by layout.
    let secs = sections(&bytes, b"zkey");
    let offset_of = |id: u32| {
        let mut at = 12;
        for (i, body) in &secs {
            if *i == id {
                return at + 12;
            }
            at += 12 + body.len();
        }
        unreachable!()
    };
    // A changed coefficient: a key for another circuit.
    let mut b = bytes.clone();
    b[offset_of(4) + 4 + 12] ^= 1;
    let e4 = err(&b);
    assert!(matches!(&e4, ZkeyError::OtherCircuit { .. }), "{e4}");
    assert!(e4.to_string().contains("export r1cs --shape test"), "{e4}");
    // A point off the curve.
    let mut b = bytes.clone();
    b[offset_of(5) + 64 * 3] ^= 1;
    assert!(matches!(err(&b), ZkeyError::Point(_)), "{}", err(&b));
    // A coordinate >= q.
    let mut b = bytes.clone();
    b[offset_of(7)..offset_of(7) + 32].fill(0xff);
    assert!(matches!(err(&b), ZkeyError::Point(_)));
    // Another protocol.
    let mut b = bytes.clone();
    b[offset_of(1)] = 2;
    assert!(matches!(err(&b), ZkeyError::Protocol(2)));
    // A key for another shape's circuit.
    let earth = Matrices::new(zkcontrib_circuits::shape::EARTH).unwrap();
    assert!(matches!(
        interop::zkey::read(&bytes, &earth),
        Err(ZkeyError::OtherCircuit { .. })
    ));
    // Through the CLI: exit 2, the file named.
    std::fs::write(&zkey, &bytes[..1000]).unwrap();
    let t = zk(
        &d.path().join("k2"),
        &[&"setup", &"--shape", &"test", &"--from-zkey", &zkey],
        2,
    );
    assert!(t.contains("final.zkey") && t.contains("zkey"), "{t}");
    let missing = d.path().join("missing.zkey");
    let t = zk(
        &d.path().join("k2"),
        &[&"setup", &"--shape", &"test", &"--from-zkey", &missing],
        2,
    );
    assert!(t.contains("missing.zkey"), "{t}");
    assert!(matches!(
        keys::import_zkey(TEST, &missing),
        Err(KeyError::Io { .. })
    ));
}

// ---------------------------------------------------------------------------------------
// With the real tools (npm).

#[test]
fn npm_snarkjs_verifies_zkcontrib_bundles() {
    let Some(js) = js() else { return };
    let e = env();
    let out = tempfile::tempdir().unwrap();
    let o = out.path();
    zk(
        &e.keys_dir(),
        &[
            &"export",
            &"snarkjs",
            &"--bundle",
            &e.bundle_path(),
            &"--out",
            &o,
        ],
        0,
    );
    let vk = o.join("verification_key.json");
    for k in 0..e.proven.bundle.chunks.len() {
        let t = js.snarkjs_ok(&[
            &"groth16",
            &"verify",
            &vk,
            &o.join(format!("public-{k}.json")),
            &o.join(format!("proof-{k}.json")),
        ]);
        assert!(t.contains("OK!"), "chunk {k}: {t}");
        note(&format!("snarkjs groth16 verify chunk {k}: {}", t.trim()));
    }
    // An edited public signal (the last chunk's claimed points) and a proof of another chunk.
    let public = o.join("public-2.json");
    let mut signals: Vec<String> =
        serde_json::from_str(&std::fs::read_to_string(&public).unwrap()).unwrap();
    assert_eq!(signals[6], "140");
    signals[6] = "101".into();
    std::fs::write(&public, serde_json::to_string(&signals).unwrap()).unwrap();
    for (p, proof) in [
        ("public-2.json", "proof-2.json"),
        ("public-0.json", "proof-1.json"),
    ] {
        let r = js.snarkjs(&[&"groth16", &"verify", &vk, &o.join(p), &o.join(proof)]);
        let t = text(&r);
        assert!(
            !r.status.success() && t.contains("Invalid proof"),
            "{p} {proof}: {t}"
        );
        assert!(!t.contains("OK!"), "{t}");
    }
}

#[derive(serde::Deserialize)]
struct EvmRun {
    solc: String,
    hardfork: String,
    methods: std::collections::BTreeMap<String, String>,
    deploy_gas: u64,
    code_bytes: u64,
    calls: Vec<EvmCall>,
}

#[derive(serde::Deserialize)]
struct EvmCall {
    name: String,
    returned: Option<bool>,
    reverted: bool,
    gas: u64,
    tx_gas: u64,
}

#[test]
fn npm_evm_verifier_accepts_chunks_and_rejects_edits() {
    let Some(js) = js() else { return };
    let e = env();
    let out = tempfile::tempdir().unwrap();
    let o = out.path();
    let t = zk(
        &e.keys_dir(),
        &[
            &"export",
            &"solidity",
            &"--bundle",
            &e.bundle_path(),
            &"--out",
            &o,
        ],
        0,
    );
    assert!(t.contains("ZkcontribVerifierTest"), "{t}");
    let calls: solidity::CalldataJson =
        serde_json::from_str(&std::fs::read_to_string(o.join("calldata.json")).unwrap()).unwrap();
    assert_eq!(calls.chunks.len(), 3);
    assert_eq!(calls.vk_hash, e.keys.meta.vk_hash);
    let mut list: Vec<(String, String)> = calls
        .chunks
        .iter()
        .enumerate()
        .map(|(k, c)| (format!("chunk {k}"), c.clone()))
        .collect();
    // Edits of the last chunk (2): one byte of an input, of A and of B, an input ≥ r, a coordinate ≥ q,
    // and chunk 0's proof with chunk 2's inputs.
    let word = |i: usize| 2 + 2 * (4 + 32 * i);
    let edit = |c: &str, at: usize, digit: &str| {
        let mut s = c.to_string();
        s.replace_range(at..at + digit.len(), digit);
        s
    };
    let c6 = &calls.chunks[2];
    let r_hex = hex::encode(Fr::MODULUS.to_bytes_be());
    let q_hex = hex::encode(ark_bn254::Fq::MODULUS.to_bytes_be());
    let last_claims = word(8 + 6) + 63;
    let flipped = if &c6[last_claims..last_claims + 1] == "4" {
        "5"
    } else {
        "4"
    };
    list.push((
        "edited claimed points".into(),
        edit(c6, last_claims, flipped),
    ));
    list.push(("edited proof A.x".into(), edit(c6, word(0) + 60, "0000")));
    list.push(("edited proof B.x.c1".into(), edit(c6, word(2) + 60, "0000")));
    list.push(("input = r".into(), edit(c6, word(8 + 2), &r_hex)));
    list.push(("A.y = q".into(), edit(c6, word(1), &q_hex)));
    list.push((
        "swapped: chunk 0's proof with chunk 2's inputs".into(),
        format!("{}{}", &calls.chunks[0][..word(8)], &c6[word(8)..]),
    ));
    let calls_json = o.join("calls.json");
    let v: Vec<serde_json::Value> = list
        .iter()
        .map(|(n, d)| serde_json::json!({"name": n, "data": d}))
        .collect();
    std::fs::write(&calls_json, serde_json::to_vec(&v).unwrap()).unwrap();
    let r = Command::new("node")
        .arg(js.dir.join("evm.mjs"))
        .arg(o.join("ZkcontribVerifierTest.sol"))
        .arg("ZkcontribVerifierTest")
        .arg(&calls_json)
        .current_dir(&js.dir)
        .output()
        .unwrap();
    assert!(r.status.success(), "evm.mjs:\n{}", text(&r));
    let run: EvmRun = serde_json::from_slice(&r.stdout).unwrap();
    assert_eq!(
        run.methods.get(solidity::SIGNATURE).map(String::as_str),
        Some(hex::encode(solidity::selector()).as_str()),
        "solc's selector"
    );
    note(&format!(
        "EVM: solc {}, hardfork {}, verifier {} bytes, deployment {} gas",
        run.solc, run.hardfork, run.code_bytes, run.deploy_gas
    ));
    for c in &run.calls {
        note(&format!(
            "EVM {}: returned {:?}, {} execution gas, {} transaction gas",
            c.name, c.returned, c.gas, c.tx_gas
        ));
        assert!(!c.reverted, "{} reverted", c.name);
        let valid = c.name.starts_with("chunk ");
        assert_eq!(c.returned, Some(valid), "{}", c.name);
    }
}

#[test]
fn npm_ceremony_keys_prove_and_snarkjs_proofs_verify() {
    let Some(js) = js() else { return };
    let e = env();
    let d = tempfile::tempdir().unwrap();
    let w = d.path();
    let kd = w.join("keys");
    let r1cs = w.join("test.r1cs");
    zk(
        &kd,
        &[&"export", &"r1cs", &"--shape", &"test", &"--out", &r1cs],
        0,
    );
    let info = js.snarkjs_ok(&[&"r1cs", &"info", &r1cs]);
    for line in [
        format!(
            "# of Wires: {}",
            e.matrices.num_instance + e.matrices.num_witness
        ),
        format!("# of Constraints: {}", e.matrices.num_constraints),
        "# of Public Inputs: 11".to_string(),
    ] {
        assert!(info.contains(&line), "{line}: {info}");
    }

    // Phase 2 on a test powers of tau: setup, a contribution, a beacon, verification.
    let rows = e.matrices.num_constraints + e.matrices.num_instance;
    let ptau = test_ptau(js, rows.next_power_of_two().trailing_zeros());
    let z0 = w.join("0.zkey");
    let z1 = w.join("1.zkey");
    let zf = w.join("final.zkey");
    js.snarkjs_ok(&[&"groth16", &"setup", &r1cs, &ptau, &z0]);
    js.snarkjs_ok(&[
        &"zkey",
        &"contribute",
        &z0,
        &z1,
        &"--name=zkcontrib test contributor",
        &"-e=entropy typed by a test",
    ]);
    js.snarkjs_ok(&[
        &"zkey",
        &"beacon",
        &z1,
        &zf,
        &"0e1d2c3b4a5968778695a4b3c2d1e0f000112233445566778899aabbccddeeff",
        &"10",
        &"-n=zkcontrib test final beacon",
    ]);
    let t = js.snarkjs_ok(&[&"zkey", &"verify", &r1cs, &ptau, &zf]);
    assert!(t.contains("ZKey Ok!"), "{t}");
    let snark_vk = w.join("snarkjs_vk.json");
    js.snarkjs_ok(&[&"zkey", &"export", &"verificationkey", &zf, &snark_vk]);

    // Import: the same verifying key as snarkjs' own export, to the last digit.
    let t = zk(
        &kd,
        &[&"setup", &"--shape", &"test", &"--from-zkey", &zf],
        0,
    );
    assert!(t.contains("ceremony"), "{t}");
    let ours = w.join("ours");
    zk(
        &kd,
        &[&"export", &"snarkjs", &"--shape", &"test", &"--out", &ours],
        0,
    );
    let a: serde_json::Value =
        serde_json::from_slice(&std::fs::read(ours.join("verification_key.json")).unwrap())
            .unwrap();
    let b: serde_json::Value = serde_json::from_slice(&std::fs::read(&snark_vk).unwrap()).unwrap();
    assert_eq!(
        a, b,
        "our vk JSON of the imported key equals snarkjs' export"
    );

    // zkcontrib proves with the ceremony's keys (circom QAP); zkcontrib and snarkjs verify.
    let bundle = w.join("bundle.json");
    prove_test_shape(&kd, &e.trace, &bundle);
    let t = zk(
        &kd,
        &[&"verify", &"--policy", &"santa-clara-2017.toml", &bundle],
        0,
    );
    assert!(t.contains("valid: 140 points"), "{t}");
    zk(
        &kd,
        &[&"export", &"snarkjs", &"--bundle", &bundle, &"--out", &ours],
        0,
    );
    let t = js.snarkjs_ok(&[
        &"groth16",
        &"verify",
        &snark_vk,
        &ours.join("public-2.json"),
        &ours.join("proof-2.json"),
    ]);
    assert!(t.contains("OK!"), "{t}");

    // snarkjs checks our witness and proves with it; the proof verifies in zkcontrib.
    let wtns = w.join("c2.wtns");
    let opening = w.join("bundle.opening.json");
    zk(
        &kd,
        &[
            &"export",
            &"wtns",
            &"--trace",
            &e.trace,
            &"--policy",
            &"santa-clara-2017.toml",
            &"--submitter",
            &SUBMITTER,
            &"--shape",
            &"test",
            &"--opening",
            &opening,
            &"--chunk",
            &"2",
            &"--out",
            &wtns,
        ],
        0,
    );
    let t = js.snarkjs_ok(&[&"wtns", &"check", &r1cs, &wtns]);
    assert!(t.contains("WITNESS IS CORRECT"), "{t}");
    let mut bad = interop::wtns::read(&std::fs::read(&wtns).unwrap()).unwrap();
    bad[700] += Fr::from(1u64);
    let bad_path = w.join("bad.wtns");
    std::fs::write(&bad_path, interop::wtns::write(&bad)).unwrap();
    let t = text(&js.snarkjs(&[&"wtns", &"check", &r1cs, &bad_path]));
    assert!(t.contains("WITNESS IS NOT CORRECT"), "{t}");

    let proof_json = w.join("snarkjs-proof.json");
    let public_json = w.join("snarkjs-public.json");
    js.snarkjs_ok(&[&"groth16", &"prove", &zf, &wtns, &proof_json, &public_json]);
    let proof = snarkjs::parse_proof(&std::fs::read_to_string(&proof_json).unwrap()).unwrap();
    let public = snarkjs::parse_public(&std::fs::read_to_string(&public_json).unwrap()).unwrap();
    let mut b: Bundle = serde_json::from_slice(&std::fs::read(&bundle).unwrap()).unwrap();
    let chunks = interop::bundle_chunks(&b).unwrap();
    assert_eq!(
        public,
        chunks[2].inputs.to_vec(),
        "snarkjs' public signals are the bundle's"
    );
    // The bundle with chunk 2's proof replaced by snarkjs' proof: accepted by the validator.
    b.chunks[2].proof = encode_proof_hex(&proof);
    let entry = PolicyEntry::new(&e.policy);
    let o = verify_bundle(&kd, &entry, &serde_json::to_vec(&b).unwrap());
    assert!(o.is_accepted(), "{o}");
    // And in the wrong place it is rejected.
    b.chunks[1].proof = encode_proof_hex(&proof);
    let o = verify_bundle(&kd, &entry, &serde_json::to_vec(&b).unwrap());
    assert!(!o.is_accepted(), "{o}");
}
