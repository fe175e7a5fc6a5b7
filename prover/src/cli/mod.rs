//! The subcommands of the `zkcontrib` tool, one file each, and what they share: the error that
//! means "bad input" (exit 2), the shape argument, progress display and machine output.
//!
//! Exit codes: 0 success, 1 rejected (a trace that breaks the policy, an invalid bundle), 2 bad
//! input, usage or configuration.

pub mod check;
pub mod demo;
pub mod export;
pub mod follow;
pub mod policy;
pub mod prove;
pub mod proving;
pub mod setup;
pub mod verify;

use anyhow::anyhow;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;
use zkcontrib_circuits::policy::Policy;
use zkcontrib_circuits::shape::{shape_by_name, Shape, EARTH, TEST};
use zkcontrib_prover::keys::Origin;
use zkcontrib_prover::runtime::default_keys_dir;

/// An error that means "bad input" (exit 2), as opposed to a rejected trace (exit 1).
pub struct BadInput(pub anyhow::Error);

impl<E: Into<anyhow::Error>> From<E> for BadInput {
    fn from(e: E) -> Self {
        BadInput(e.into())
    }
}

impl BadInput {
    /// One line: the cause chain joined, naming the file and point where known.
    pub fn message(&self) -> String {
        let msg: Vec<String> = self.0.chain().map(|c| c.to_string()).collect();
        msg.join(": ")
    }

    /// The error as the JSON object `--json` prints on stdout (docs/formats.md).
    pub fn to_json(&self) -> String {
        serde_json::json!({
            "status": "error",
            "error": {"class": "bad_input", "message": self.message()},
        })
        .to_string()
    }
}

/// The circuit shapes a user can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ShapeName {
    /// The production shape: 462 points per chunk, any region on Earth.
    Earth,
    /// A small shape for tests and quick trials (not for production).
    Test,
}

impl ShapeName {
    /// The shape.
    pub fn shape(self) -> Shape {
        match self {
            ShapeName::Earth => EARTH,
            ShapeName::Test => TEST,
        }
    }
}

/// A shape named in a file (a bundle's `shape`).
pub(crate) fn shape_named(name: &str) -> Result<Shape, BadInput> {
    shape_by_name(name)
        .ok_or_else(|| BadInput(anyhow!("unknown shape `{name}` (known: earth, test)")))
}

/// The keys directory: `--keys-dir`, else `$ZKCONTRIB_KEYS_DIR`, else the user's cache.
pub(crate) fn keys_dir(arg: Option<PathBuf>) -> PathBuf {
    arg.unwrap_or_else(default_keys_dir)
}

pub(crate) const DEV_WARNING: &str = "\
WARNING: development setup. Whoever ran this setup knows its secret randomness and can forge
proofs for this shape. Never use these keys for a network that pays out: use keys from a
multi-party ceremony (docs/ceremony.md).";

pub(crate) fn origin_label(origin: Origin) -> &'static str {
    match origin {
        Origin::DevSetup => "development setup (NOT FOR PRODUCTION)",
        Origin::Zkey => "ceremony (.zkey import, circom QAP)",
    }
}

/// The origin as `--json` names it.
pub(crate) fn origin_json(origin: Origin) -> &'static str {
    match origin {
        Origin::DevSetup => "development",
        Origin::Zkey => "ceremony",
    }
}

/// The shape to prove `policy` with: the requested one, or the first production shape it fits.
pub(crate) fn choose_shape(
    policy: &Policy,
    requested: Option<ShapeName>,
) -> Result<Shape, BadInput> {
    if let Some(name) = requested {
        let s = name.shape();
        s.check_policy(policy).map_err(|e| BadInput(e.into()))?;
        return Ok(s);
    }
    EARTH
        .check_policy(policy)
        .map_err(|e| BadInput(anyhow!("the policy fits no production shape: {e}")))?;
    Ok(EARTH)
}

/// Whether progress is drawn: on a terminal (stderr) and not `--quiet`.
fn shows_progress(quiet: bool) -> bool {
    !quiet && std::io::stderr().is_terminal()
}

/// A bar over the chunks being proven (stderr; hidden with `--quiet` or off a terminal).
pub(crate) fn chunk_bar(quiet: bool) -> ProgressBar {
    let bar = ProgressBar::new(0);
    if !shows_progress(quiet) {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    bar.set_style(
        ProgressStyle::with_template("proving chunk {pos}/{len} {bar:30} {elapsed} (eta {eta})")
            .expect("static template"),
    );
    bar
}

/// A spinner with the elapsed time for a step that takes seconds (stderr; hidden with `--quiet`
/// or off a terminal). Clear it with `finish_and_clear`.
pub(crate) fn spinner(quiet: bool, message: impl Into<String>) -> ProgressBar {
    if !shows_progress(quiet) {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} {elapsed}").expect("static template"),
    );
    bar.set_message(message.into());
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// Writes a private file (mode 0600 on Unix): an opening or a witness.
pub(crate) fn write_private(path: &Path, text: impl AsRef<[u8]>) -> std::io::Result<()> {
    use std::io::Write;
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(path)?.write_all(text.as_ref())
}

/// Pretty JSON plus a newline, for files.
pub(crate) fn to_json(v: &impl serde::Serialize) -> Result<String, BadInput> {
    Ok(serde_json::to_string_pretty(v).map_err(anyhow::Error::from)? + "\n")
}

/// The number of proving threads a run uses.
pub(crate) fn threads_used(threads: Option<usize>) -> usize {
    threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}
