//! A validator's first hour, complete: load the verifying key `zkcontrib setup` (or a ceremony
//! import) wrote, register a policy from its canonical JSON, verify a batch of bundles, keep
//! the replay set across runs, print each result with the submitter's address.
//!
//! ```text
//! cargo run -p zkcontrib-verifier --example validator -- \
//!     KEY_DIR POLICY_JSON SEEN_FILE BUNDLE...
//! ```
//!
//! - `KEY_DIR`: a shape's key directory, e.g. `~/.cache/zkcontrib/keys/earth` (its
//!   `verifying.key` and `keys.json`; `proving.key` is not needed);
//! - `POLICY_JSON`: `zkcontrib policy --policy P.toml --json > P.json`;
//! - `SEEN_FILE`: the replay set, one `contribution_id` per line (created if missing);
//! - `BUNDLE...`: bundle files from contributors.
//!
//! Output: one line per bundle, `ACCEPTED <file> submitter=<address> …`, `REPLAY <file> …`,
//! or `REJECTED <file> class=<malformed|below-policy|invalid-proof> <reason>`. Exit 0 when
//! it ran (whatever the verdicts), 2 for a configuration problem (keys, policy, replay set).
//!
//! `prover/tests/validator.rs` runs this file's [`run`] on bundles the CLI proves.

use std::io::Write;
use std::path::{Path, PathBuf};

use zkcontrib_verifier::{
    decode_fr_hex, encode_fr_hex, Bundle, CanonicalPolicy, Class, PinnedKey, Rejected, Seen,
    Verifier,
};

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args, &mut std::io::stdout().lock()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("validator: {e}");
            std::process::ExitCode::from(2)
        }
    }
}

/// A configuration problem: the node cannot judge anything until it is fixed.
type Config = Box<dyn std::error::Error>;

/// Runs the validator on `args` (see the module docs), writing its lines to `out`.
pub fn run(args: &[String], out: &mut impl Write) -> Result<(), Config> {
    let [key_dir, policy_json, seen_file, bundles @ ..] = args else {
        return Err("usage: validator KEY_DIR POLICY_JSON SEEN_FILE BUNDLE...".into());
    };

    // 1. The verifying key, checked against the hash pinned in keys.json. A production node
    //    also compares the hash with the one the network publishes, and refuses dev keys.
    let key = PinnedKey::from_dir(key_dir)?;
    writeln!(
        out,
        "key {} shape {}{}",
        key.vk_hash_hex(),
        key.shape(),
        if key.is_dev_setup() {
            " (DEVELOPMENT SETUP: not for production)"
        } else {
            ""
        }
    )?;

    // 2. The policy, from `zkcontrib policy --json` output: its id and thresholds.
    let policy = CanonicalPolicy::from_file(policy_json)?;
    writeln!(
        out,
        "policy {} {} min {} points, {} m",
        policy.name.as_deref().unwrap_or("(unnamed)"),
        encode_fr_hex(&policy.policy_id),
        policy.thresholds.min_points,
        policy.thresholds.min_distance_m
    )?;

    let verifier = Verifier::builder()
        .key_for_shape(key.shape(), key.vk())
        .policy(policy.policy_id, policy.thresholds)
        .build()?;

    // 3. The replay set: every contribution_id paid so far.
    let seen_path = Path::new(seen_file);
    let mut seen = load_seen(seen_path)?;

    // 4. The bundles. A file that cannot be read or parsed is the sender's malformed input,
    //    not a configuration problem: reported, and the rest of the batch goes on.
    let mut parsed: Vec<(PathBuf, Bundle)> = Vec::new();
    for file in bundles {
        let path = PathBuf::from(file);
        let bundle = std::fs::read(&path)
            .map_err(|e| Rejected::Json(format!("cannot read: {e}")))
            .and_then(|bytes| Bundle::from_json(&bytes));
        match bundle {
            Ok(b) => parsed.push((path, b)),
            Err(e) => report(out, &path, &e)?,
        }
    }
    let batch: Vec<Bundle> = parsed.iter().map(|(_, b)| b.clone()).collect();
    // The batch scalars come from the OS: no RNG to choose.
    let verdicts = verifier.verify_batch(&batch);

    // 5. Results, with the submitter as the address the contributor gave.
    let mut new_ids = Vec::new();
    for ((path, _), verdict) in parsed.iter().zip(verdicts) {
        match verdict {
            Ok(accepted) => match seen.insert(&accepted) {
                Ok(()) => {
                    new_ids.push(accepted.contribution_id);
                    writeln!(
                        out,
                        "ACCEPTED {} submitter={} points={} distance_m={} duration_s={} contribution_id={}",
                        path.display(),
                        accepted.submitter_hex(),
                        accepted.claims.points,
                        accepted.claims.distance_m,
                        accepted.claims.duration_s,
                        encode_fr_hex(&accepted.contribution_id)
                    )?;
                }
                Err(duplicate) => writeln!(
                    out,
                    "REPLAY {} submitter={} {duplicate}: not paid again",
                    path.display(),
                    accepted.submitter_hex()
                )?,
            },
            Err(e) => report(out, path, &e)?,
        }
    }

    // 6. Persist the new ids before paying (append, then sync).
    if !new_ids.is_empty() {
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(seen_path)
            .map_err(|e| format!("{}: {e}", seen_path.display()))?;
        for id in &new_ids {
            writeln!(f, "{}", encode_fr_hex(id))?;
        }
        f.sync_all()?;
    }
    Ok(())
}

fn report(out: &mut impl Write, path: &Path, e: &Rejected) -> std::io::Result<()> {
    let class = match e.class() {
        // The input is not an acceptable bundle here: undecodable, or naming a key this node
        // does not pin or a policy it has not registered. Drop it; no cryptography was needed.
        Class::Malformed => "malformed",
        // Well-formed, claims below the policy's thresholds.
        Class::BelowPolicy => "below-policy",
        // Well-formed, a proof does not verify: edited claims, another submitter, forgery.
        Class::InvalidProof => "invalid-proof",
        // `Class` is non-exhaustive: a later version may add classes.
        _ => "other",
    };
    writeln!(out, "REJECTED {} class={class} {e}", path.display())
}

/// The replay set from its file: one `contribution_id` per line, `0x` and 64 lowercase hex
/// digits; a missing file is an empty set.
fn load_seen(path: &Path) -> Result<Seen, Config> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(format!("{}: {e}", path.display()).into()),
    };
    let mut seen = Seen::new();
    for (i, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let id = decode_fr_hex(line.trim())
            .map_err(|e| format!("{}: line {}: {e}", path.display(), i + 1))?;
        // A repeated line is harmless: the id is recorded once.
        let _ = seen.insert_id(id);
    }
    Ok(seen)
}
