//! The README's tour, run as written (steps 1–8; step 9 builds the benchmark report, which CI
//! builds on its own): every command exits as the tour says, and the checkout is left as it
//! was — the tour writes into a temporary folder, never into the user's checkout.
//!
//! `zkcontrib` is this build's binary instead of `cargo run --release`; keys and compiled
//! regions go to a temporary directory. Part of the slow suites (an `earth` setup).

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The tour's shell block, as logical commands (continuation lines joined), comments dropped.
fn tour_commands(readme: &str) -> Vec<String> {
    let start = readme.find("## A tour").expect("README has a tour");
    let body = &readme[start..];
    let open = body.find("```sh\n").expect("the tour is a sh block") + 6;
    let close = body[open..].find("\n```").expect("the block ends") + open;
    let mut cmds = Vec::new();
    let mut cur = String::new();
    for line in body[open..close].lines() {
        let t = line.trim();
        if cur.is_empty() && (t.is_empty() || t.starts_with('#')) {
            continue;
        }
        if let Some(head) = t.strip_suffix('\\') {
            cur.push_str(head);
            cur.push(' ');
            continue;
        }
        cur.push_str(t);
        cmds.push(std::mem::take(&mut cur));
    }
    cmds
}

fn git_status(dir: &Path) -> Option<String> {
    let out = Command::new("git")
        .args(["status", "--porcelain", "--untracked-files=all"])
        .current_dir(dir)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn the_readme_tour_runs_and_leaves_the_checkout_clean() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let cmds = tour_commands(&readme);
    assert!(
        cmds[0].starts_with("alias zkcontrib='cargo run"),
        "the tour starts with its alias: {:?}",
        cmds[0]
    );
    let tmp = tempfile::tempdir().unwrap();
    let mut script = String::from("zkcontrib() { \"$ZKCONTRIB_BIN\" \"$@\"; }\n");
    let mut expected = Vec::new();
    for c in &cmds[1..] {
        if c.starts_with("cargo run") {
            continue; // step 9: the benchmark report (CI builds the benches separately)
        }
        script.push_str(c);
        script.push_str(&format!("\necho \"::tour-exit {} $?\"\n", expected.len()));
        // Step 2 (the stricter policy) is the one command the tour says exits 1.
        expected.push(if c.contains("santa-clara-strict.toml") {
            1
        } else {
            0
        });
    }
    let before = git_status(&repo());
    let out = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .current_dir(repo())
        .env("ZKCONTRIB_BIN", env!("CARGO_BIN_EXE_zkcontrib"))
        .env("ZKCONTRIB_KEYS_DIR", tmp.path().join("keys"))
        .env("ZKCONTRIB_REGIONS_DIR", tmp.path().join("regions"))
        .env("TMPDIR", tmp.path())
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let log = format!("{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let codes: Vec<i32> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("::tour-exit "))
        .map(|l| l.split(' ').nth(1).unwrap().parse().unwrap())
        .collect();
    assert_eq!(codes, expected, "exit codes of the tour's commands:\n{log}");
    assert!(stdout.contains("valid: 988 points"), "{log}");
    assert!(stdout.contains("exit 2"), "step 8 exits 2: {log}");
    // Nothing new or changed in the checkout (where git can tell).
    match (before, git_status(&repo())) {
        (Some(b), Some(a)) => assert_eq!(a, b, "the tour changed the checkout"),
        _ => eprintln!("not a git checkout: the clean-checkout check is skipped"),
    }
}
