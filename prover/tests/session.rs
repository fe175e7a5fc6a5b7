//! Streaming sessions on the TEST shape: the session's bundle is the batch bundle (same
//! blinding), state files are refused when foreign or damaged, cancellation leaves a resumable
//! state, and a session killed (SIGKILL) at random moments resumes to the batch result.
//!
//! The kill test runs this test binary again as the child (`ZKCONTRIB_SESSION_CHILD` set, test
//! `child_process`), so it needs no extra binary.

use ark_bn254::Fr;
use rand::{rngs::StdRng, Rng, SeedableRng};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use zkcontrib_circuits::encode::Point;
use zkcontrib_circuits::plan::Chunking;
use zkcontrib_circuits::policy::Policy;
use zkcontrib_circuits::rules::Violation;
use zkcontrib_circuits::shape::TEST;
use zkcontrib_prover::contribution::{Planned, Proven};
use zkcontrib_prover::keys;
use zkcontrib_prover::prepared;
use zkcontrib_prover::session::{
    CancelToken, Progress, Session, SessionError, SessionKeys, SessionOptions, StateFileProblem,
};
use zkcontrib_prover::verify::{verify_bundle, PolicyEntry};
use zkcontrib_prover::{ingest::read_points, policy_file::load_policy};

const SUBMITTER: &str = "0x00000000000000000000000000000000000d3e40";
/// Points of the Garmin run used: 5 TEST chunks (66 points each), the last one short.
const POINTS: usize = 300;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

struct Env {
    keys_dir: PathBuf,
    keys: Arc<SessionKeys>,
    policy: Arc<Policy>,
    points: Vec<Point>,
}

/// TEST keys from a seeded setup, in a directory the child process can read too.
fn keys_dir_for(dir: &Path) -> PathBuf {
    let keys_dir = dir.join("keys");
    if !keys_dir.join("test").join("keys.json").exists() {
        let k = keys::setup(TEST, &mut StdRng::seed_from_u64(1)).unwrap();
        k.write(&keys_dir).unwrap();
    }
    keys_dir
}

fn load_env(keys_dir: PathBuf) -> Env {
    let keys = Arc::new(SessionKeys::from(
        prepared::load(&keys_dir, "test").unwrap(),
    ));
    let mut points = read_points(&fixtures().join("garmin-activity-santa-clara.gpx")).unwrap();
    points.truncate(POINTS);
    Env {
        keys_dir,
        keys,
        policy: Arc::new(load_policy(&fixtures().join("santa-clara-2017.toml")).unwrap()),
        points,
    }
}

fn env() -> &'static Env {
    static ENV: OnceLock<(tempfile::TempDir, Env)> = OnceLock::new();
    &ENV.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let keys_dir = keys_dir_for(dir.path());
        let e = load_env(keys_dir);
        (dir, e)
    })
    .1
}

fn blinding() -> Fr {
    Fr::from(0x5e55_1011u64)
}

fn batch() -> &'static Proven {
    static P: OnceLock<Proven> = OnceLock::new();
    P.get_or_init(|| {
        let e = env();
        Planned::new(&e.policy, TEST, &e.points, SUBMITTER)
            .unwrap()
            .prove_with_blinding(
                &e.keys.keys,
                &e.keys.matrices,
                blinding(),
                &mut StdRng::seed_from_u64(3),
                |_, _| {},
            )
            .unwrap()
    })
}

fn options(state: Option<PathBuf>) -> SessionOptions {
    let mut o = SessionOptions::new(SUBMITTER);
    o.state_file = state;
    o.blinding = Some(blinding());
    o.save_every = 10;
    o.threads = Some(1);
    o
}

/// Everything but the proofs equals the batch bundle, and both verify.
fn assert_batch_equivalent(p: &Proven) {
    assert_equivalent(p, batch(), &env().policy);
}

fn assert_equivalent(p: &Proven, b: &Proven, policy: &Policy) {
    let (x, y) = (&p.bundle, &b.bundle);
    assert_eq!(x.format, y.format);
    assert_eq!(x.shape, y.shape);
    assert_eq!(x.vk_hash, y.vk_hash);
    assert_eq!(x.policy_id, y.policy_id);
    assert_eq!(x.submitter, y.submitter);
    assert_eq!(x.claims, y.claims);
    assert_eq!(x.contribution_id, y.contribution_id);
    assert_eq!(x.commitment, y.commitment);
    assert_eq!(x.chunks.len(), y.chunks.len());
    for (a, c) in x.chunks.iter().zip(&y.chunks) {
        assert_eq!(a.state_in, c.state_in);
        assert_eq!(a.state_out, c.state_out);
    }
    assert_eq!(p.opening, b.opening);
    assert_eq!(p.chunking, b.chunking);
    assert_eq!(p.eval.claims, b.eval.claims);
    let e = env();
    for bundle in [x, y] {
        let bytes = serde_json::to_vec(bundle).unwrap();
        let o = verify_bundle(&e.keys_dir, &PolicyEntry::new(policy), &bytes);
        assert!(o.is_accepted(), "{o}");
    }
}

#[test]
fn session_equals_batch_and_proves_only_the_last_chunk_at_finish() {
    let e = env();
    assert_eq!(batch().bundle.chunks.len(), 5);
    assert_eq!(batch().chunking, Chunking::Fixed);
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("trip.zksession");
    let events = Arc::new(Mutex::new(Vec::new()));
    let mut o = options(Some(state.clone()));
    let ev = events.clone();
    o.progress = Some(Arc::new(move |p: &Progress| {
        ev.lock().unwrap().push(p.clone())
    }));
    let mut s = Session::start(e.keys.clone(), e.policy.clone(), o).unwrap();
    for batch in e.points.chunks(7) {
        let v = s.push(batch).unwrap();
        assert!(v.is_empty(), "{v:?}");
    }
    s.wait_idle().unwrap();
    // Chunks 0..=3 are complete (the point after each has arrived); chunk 4 is the last.
    assert_eq!(s.status().chunks_proven, 4);
    let f = s.finish().unwrap();
    assert_eq!(
        (f.reused, f.awaited, f.reproven, f.proven_at_finish),
        (4, 0, 0, 1)
    );
    assert_batch_equivalent(&f.proven);
    let ev = events.lock().unwrap();
    use zkcontrib_prover::prove::ProvePhase;
    for phase in [ProvePhase::Witness, ProvePhase::Fft, ProvePhase::Msm] {
        assert!(ev.iter().any(|p| matches!(p, Progress::Phase { phase: q, chunk: 4, speculative: false } if *q == phase)));
    }
    assert_eq!(
        ev.iter()
            .filter(|p| matches!(p, Progress::ChunkProven { .. }))
            .count(),
        5
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&state).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // The file holds the points, but nothing of them reaches Debug.
    let dbg = format!("{s:?}");
    assert!(!dbg.contains("37.") && !dbg.contains(&e.points[0].lat_e7.to_string()));
}

/// Santa Clara County in the summer of 2017 at up to 120 m/s, 15 s between fixes, no inside
/// share required (written to `dir`).
fn fast_policy(dir: &Path) -> Policy {
    let policy_path = dir.join("fast.toml");
    std::fs::write(
        &policy_path,
        format!(
            "name = \"fast\"\nregion = {:?}\nnot_before = \"2017-07-01T00:00:00Z\"\n\
             not_after = \"2017-08-31T23:59:59Z\"\nmin_interval_s = 1\nmax_interval_s = 15\n\
             max_speed_mps = 120.0\nmin_points = 100\nmin_distance_m = 1000\n\
             min_inside_fraction = 0.0\n",
            fixtures().join("santa-clara-county.geojson")
        ),
    )
    .unwrap();
    load_policy(&policy_path).unwrap()
}

/// A trace whose first chunks plan as fixed chunks but whose end (a fast drive north, out of
/// the county: a chunk spans more than a window) makes the batch plan greedy.
#[test]
fn a_trace_that_turns_greedy_late_gives_the_batch_result() {
    let e = env();
    let dir = tempfile::tempdir().unwrap();
    let policy = Arc::new(fast_policy(dir.path()));
    let mut points = e.points[..150].to_vec();
    for _ in 0..120 {
        let last = points[points.len() - 1];
        points.push(Point {
            // 0.0054° north (600 m) in 10 s: a chunk of 66 such steps spans 0.36°, more than
            // a window holds unless it starts near a band's bottom; a carried group (≤ 32
            // steps, 0.17°) always fits one.
            lat_e7: last.lat_e7 + 54_000,
            lon_e7: last.lon_e7,
            t_ms: last.t_ms + 10_000,
        });
    }
    let batch = Planned::new(&policy, TEST, &points, SUBMITTER)
        .unwrap()
        .prove_with_blinding(
            &e.keys.keys,
            &e.keys.matrices,
            blinding(),
            &mut StdRng::seed_from_u64(5),
            |_, _| {},
        )
        .unwrap();
    assert_eq!(batch.chunking, Chunking::Greedy);
    let mut s = Session::start(e.keys.clone(), policy.clone(), options(None)).unwrap();
    for part in points.chunks(11) {
        let v = s.push(part).unwrap();
        assert!(
            v.iter()
                .all(|v| matches!(v, Violation::OutsideRegion { .. })),
            "{v:?}"
        );
        s.wait_idle().unwrap();
    }
    let f = s.finish().unwrap();
    eprintln!(
        "greedy: {} chunks; reused {}, awaited {}, reproven {}, proven at finish {}",
        batch.bundle.chunks.len(),
        f.reused,
        f.awaited,
        f.reproven,
        f.proven_at_finish
    );
    assert_eq!(
        f.reused + f.awaited + f.proven_at_finish,
        batch.bundle.chunks.len()
    );
    assert!(f.reused >= 2, "the first chunks were proven early and kept");
    assert_equivalent(&f.proven, &batch, &policy);
}

/// The same fast drive at 1 km per 10 s (100 m/s, within the policy's 120 m/s): 33 such steps
/// span 0.3° of latitude, and the hash group of points 198–230 starts high in its band, so no
/// chunk window holds it with the point before it. Batch and session refuse the trace under
/// the `encodable` rule naming point 227 (the batch planner used to report it as a point beyond
/// 89.9° N or a step too wide near a pole).
#[test]
fn a_hash_group_wider_than_a_window_is_refused_naming_the_point() {
    let dir = tempfile::tempdir().unwrap();
    let policy = Arc::new(fast_policy(dir.path()));
    let mut points = read_points(&fixtures().join("garmin-activity-santa-clara.gpx")).unwrap();
    points.truncate(150);
    for _ in 0..120 {
        let last = points[points.len() - 1];
        points.push(Point {
            lat_e7: last.lat_e7 + 89_932, // 1 km
            lon_e7: last.lon_e7,
            t_ms: last.t_ms + 10_000,
        });
    }
    let eval = zkcontrib_circuits::rules::evaluate(&policy, &points);
    let encodable: Vec<&Violation> = eval
        .violations
        .iter()
        .filter(|v| v.rule() == zkcontrib_circuits::rules::Rule::Encodable)
        .collect();
    assert_eq!(encodable, [&Violation::GroupTooWide { point: 227 }]);
    let err = Planned::new(&policy, TEST, &points, SUBMITTER)
        .err()
        .unwrap();
    assert_eq!(err.to_string(), "the trace does not qualify: encodable");
    let e = env();
    let mut s = Session::start(e.keys.clone(), policy, options(None)).unwrap();
    let reported: Vec<Violation> = points
        .chunks(11)
        .flat_map(|part| s.push(part).unwrap())
        .filter(|v| !matches!(v, Violation::OutsideRegion { .. }))
        .collect();
    assert_eq!(reported, [Violation::GroupTooWide { point: 227 }]);
    assert!(s.status().broken);
}

#[test]
fn a_point_that_breaks_a_rule_is_reported_when_pushed() {
    let e = env();
    let mut s = Session::start(e.keys.clone(), e.policy.clone(), options(None)).unwrap();
    assert!(s.push(&e.points[..5]).unwrap().is_empty());
    // A repeated timestamp: not increasing, at global index 5.
    let v = s.push(&[e.points[4]]).unwrap();
    assert!(
        v.iter()
            .any(|v| matches!(v, Violation::NotIncreasing { point: 5, .. })),
        "{v:?}"
    );
    // Far outside the county: reported as outside (and as too fast).
    let mut far = e.points[5];
    far.lat_e7 += 10_000_000;
    let v = s.push(&[far]).unwrap();
    assert!(v
        .iter()
        .any(|v| matches!(v, Violation::OutsideRegion { point: 6 })));
    assert!(v
        .iter()
        .any(|v| matches!(v, Violation::TooFast { point: 6, .. })));
    assert!(s.status().broken);
    assert!(matches!(
        s.finish(),
        Err(SessionError::Contribution(
            zkcontrib_prover::contribution::ContributionError::NotQualifying { .. }
        ))
    ));
}

#[test]
fn foreign_or_damaged_state_files_are_refused_with_the_reason() {
    let e = env();
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("s.zksession");
    let s = {
        let mut s = Session::start(
            e.keys.clone(),
            e.policy.clone(),
            options(Some(state.clone())),
        )
        .unwrap();
        s.push(&e.points[..20]).unwrap();
        s.save().unwrap();
        s
    };
    drop(s);
    let resume = |path: &Path, policy: Arc<Policy>, o: SessionOptions| {
        Session::resume(path, e.keys.clone(), policy, o)
    };
    // A new session never overwrites one.
    let err = Session::start(
        e.keys.clone(),
        e.policy.clone(),
        options(Some(state.clone())),
    );
    assert!(matches!(
        err,
        Err(SessionError::StateFile {
            problem: StateFileProblem::Exists,
            ..
        })
    ));
    // Another policy.
    let other = Arc::new(load_policy(&fixtures().join("santa-clara-strict.toml")).unwrap());
    match resume(&state, other, options(None)) {
        Err(SessionError::StateFile { path, problem }) => {
            assert_eq!(path, state);
            assert!(matches!(problem, StateFileProblem::OtherPolicy { .. }));
        }
        r => panic!("{:?}", r.map(|_| ())),
    }
    // Another submitter.
    let mut o = options(None);
    o.submitter = "0x01".into();
    assert!(matches!(
        resume(&state, e.policy.clone(), o),
        Err(SessionError::StateFile {
            problem: StateFileProblem::OtherSubmitter { .. },
            ..
        })
    ));
    let bytes = std::fs::read(&state).unwrap();
    let write = |name: &str, b: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, b).unwrap();
        p
    };
    // One flipped bit.
    let mut flipped = bytes.clone();
    flipped[40] ^= 1;
    let p = write("flipped", &flipped);
    let err = resume(&p, e.policy.clone(), options(None)).unwrap_err();
    assert!(matches!(
        err,
        SessionError::StateFile {
            problem: StateFileProblem::Checksum,
            ..
        }
    ));
    assert!(err.to_string().contains("flipped"), "{err}");
    // Truncated, another version, not a state file.
    let p = write("truncated", &bytes[..bytes.len() - 10]);
    assert!(matches!(
        resume(&p, e.policy.clone(), options(None)),
        Err(SessionError::StateFile {
            problem: StateFileProblem::Checksum,
            ..
        })
    ));
    let mut v2 = bytes.clone();
    v2[8] = 2;
    let p = write("v2", &v2);
    assert!(matches!(
        resume(&p, e.policy.clone(), options(None)),
        Err(SessionError::StateFile {
            problem: StateFileProblem::Version {
                found: 2,
                supported: 1
            },
            ..
        })
    ));
    let p = write("junk", b"{\"not\": \"a session\"}");
    assert!(matches!(
        resume(&p, e.policy.clone(), options(None)),
        Err(SessionError::StateFile {
            problem: StateFileProblem::NotAStateFile,
            ..
        })
    ));
    // The intact file resumes with its 20 points.
    let s = resume(&state, e.policy.clone(), options(None)).unwrap();
    assert_eq!(s.len(), 20);
}

#[test]
fn cancel_returns_promptly_and_leaves_a_resumable_state() {
    let e = env();
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("c.zksession");
    let cancel = CancelToken::new();
    let mut o = options(Some(state.clone()));
    o.cancel = cancel.clone();
    let c2 = cancel.clone();
    // Cancel as the second chunk starts its FFTs.
    o.progress = Some(Arc::new(move |p: &Progress| {
        if let Progress::Phase {
            chunk: 1,
            phase: zkcontrib_prover::prove::ProvePhase::Fft,
            ..
        } = p
        {
            c2.cancel();
        }
    }));
    let mut s = Session::start(e.keys.clone(), e.policy.clone(), o).unwrap();
    s.push(&e.points[..200]).unwrap();
    let t = std::time::Instant::now();
    assert!(matches!(s.finish(), Err(SessionError::Cancelled)));
    assert!(t.elapsed() < Duration::from_secs(30));
    // Recording goes on after a cancel; the points are saved.
    s.push(&e.points[200..]).unwrap();
    s.save().unwrap();
    assert!(s.status().chunks_proven <= 2);
    drop(s);
    let mut s = Session::resume(&state, e.keys.clone(), e.policy.clone(), options(None)).unwrap();
    assert_eq!(s.len(), POINTS);
    let f = s.finish().unwrap();
    assert!(f.reused >= 1, "chunk 0 was proven before the cancel");
    assert_batch_equivalent(&f.proven);
}

/// The child of the kill test: resumes (or starts) the session in `ZKCONTRIB_SESSION_STATE`
/// and pushes the fixture's points a few at a time, until it is killed or all are pushed.
#[test]
fn child_process() {
    let Some(state) = std::env::var_os("ZKCONTRIB_SESSION_CHILD") else {
        return;
    };
    let state = PathBuf::from(state);
    let keys_dir = PathBuf::from(std::env::var_os("ZKCONTRIB_SESSION_KEYS").unwrap());
    let e = load_env(keys_dir);
    let mut s = if state.exists() {
        Session::resume(&state, e.keys.clone(), e.policy.clone(), options(None)).unwrap()
    } else {
        Session::start(
            e.keys.clone(),
            e.policy.clone(),
            options(Some(state.clone())),
        )
        .unwrap()
    };
    let from = s.len();
    for batch in e.points[from..].chunks(2) {
        s.push(batch).unwrap();
        std::thread::sleep(Duration::from_millis(60));
    }
    s.save().unwrap();
    s.wait_idle().unwrap();
    // Stay alive until killed, as an app waiting for the end of the trip would.
    std::thread::sleep(Duration::from_secs(600));
}

#[cfg(unix)]
#[test]
fn killed_at_random_moments_the_session_resumes_to_the_batch_result() {
    let e = env();
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("k.zksession");
    let exe = std::env::current_exe().unwrap();
    let mut rng = StdRng::seed_from_u64(17);
    let mut saved = Vec::new();
    for _ in 0..12 {
        let mut child = std::process::Command::new(&exe)
            .args([
                "--exact",
                "child_process",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("ZKCONTRIB_SESSION_CHILD", &state)
            .env("ZKCONTRIB_SESSION_KEYS", &e.keys_dir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(rng.gen_range(400..3000)));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        if state.exists() {
            // Every state a kill leaves behind is complete and resumable.
            let s =
                Session::resume(&state, e.keys.clone(), e.policy.clone(), options(None)).unwrap();
            saved.push((s.len(), s.status().chunks_proven));
        }
    }
    assert!(!saved.is_empty());
    // Progress is never lost between kills beyond the unsaved points.
    let mut s = Session::resume(&state, e.keys.clone(), e.policy.clone(), options(None)).unwrap();
    let from = s.len();
    s.push(&e.points[from..]).unwrap();
    let f = s.finish().unwrap();
    eprintln!(
        "kills: (points saved, chunks proven) after each: {saved:?}; at finish: reused {}, awaited {}, reproven {}, proven at finish {}",
        f.reused, f.awaited, f.reproven, f.proven_at_finish
    );
    assert!(saved.windows(2).all(|w| w[1].0 >= w[0].0));
    // Some kill found chunks proven and more points to come: resuming skipped real work.
    assert!(saved.iter().any(|&(n, c)| c > 0 && n < POINTS), "{saved:?}");
    assert_batch_equivalent(&f.proven);
}

/// A session can move to (and be owned by) another thread, as an FFI handle is.
#[test]
fn a_session_is_send() {
    fn send<T: Send + 'static>() {}
    send::<Session>();
    send::<SessionError>();
}
