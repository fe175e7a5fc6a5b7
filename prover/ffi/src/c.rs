//! The C ABI. `include/zkcontrib.h` is generated from this file by cbindgen (`build.rs`).
//!
//! Every entry point catches panics (`catch_unwind`) and checks its pointers, so no panic
//! unwinds into C and a NULL argument is an error, not a crash.

#![allow(non_camel_case_types, clippy::missing_safety_doc)]

use crate::core::{self, Config, FfiError, Handle};
use std::ffi::{c_char, c_void, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use zkcontrib_prover::prove::ProvePhase;
use zkcontrib_prover::session::Progress;

/// What a call did. `ZKC_OK` is 0; every other code comes with a message in the call's
/// `zkc_error`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum zkc_code {
    /// Success.
    ZKC_OK = 0,
    /// An argument is malformed: NULL, not UTF-8, a fix out of range (latitude, longitude or
    /// time), a malformed submitter. Nothing was changed; fix the input and call again.
    ZKC_BAD_INPUT = 1,
    /// The trace breaks the policy (or cannot be split into chunks): it cannot be proven.
    ZKC_REJECTED = 2,
    /// The session was cancelled; its state file is saved: resume it to go on.
    ZKC_CANCELLED = 3,
    /// Keys, policy or state file missing, unreadable, damaged or not matching each other.
    ZKC_CONFIG = 4,
    /// A bug or an unexpected failure (a caught panic, a proving failure).
    ZKC_INTERNAL = 5,
}

/// The error of a call: its code and a message (UTF-8, NUL-terminated, owned by the caller
/// once set; free it with `zkc_error_clear`). Zero-initialize it before the first call
/// (`zkc_error err = {0};`). A failing call frees the message already in it before it writes
/// its own, so one `zkc_error` can be reused; a successful call sets `code` to `ZKC_OK` and
/// leaves `message` alone. Messages name files, point indices and reasons, never coordinates.
#[repr(C)]
#[derive(Debug)]
pub struct zkc_error {
    /// The call's code.
    pub code: zkc_code,
    /// The message, or NULL.
    pub message: *mut c_char,
}

/// A proving session (opaque). Created by `zkc_session_start` or `zkc_session_resume`, freed
/// by `zkc_session_free`.
///
/// Threads: all functions may be called from any thread. `push`, `status`, `save` and `finish`
/// take the session's lock (a `status` call waits while `finish` proves the last chunk);
/// `zkc_session_cancel` takes no lock and may be called at any time, also from the progress
/// callback. `zkc_session_free` must not run concurrently with another call on the session
/// (except `zkc_session_cancel` from the progress callback, which stays safe until the proving
/// thread has stopped), nor from the progress callback itself (it waits for that thread).
pub struct zkc_session(Handle);

/// A fix: WGS 84 degrees and unix milliseconds (UTC).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct zkc_fix {
    /// Latitude, degrees in [-90, 90].
    pub lat: f64,
    /// Longitude, degrees in [-180, 180].
    pub lon: f64,
    /// Time, unix milliseconds in [0, 253402300799999] (up to 9999-12-31).
    pub unix_ms: i64,
}

/// What kind of progress event.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum zkc_progress_kind {
    /// A proving phase of a chunk starts (`phase` says which).
    ZKC_PROGRESS_PHASE = 0,
    /// A chunk is proven and the state file saved (`seconds`, `proven` are set).
    ZKC_PROGRESS_CHUNK_PROVEN = 1,
}

/// A proving phase.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum zkc_phase {
    /// Not a phase event.
    ZKC_PHASE_NONE = 0,
    /// Running the circuit for its assignment.
    ZKC_PHASE_WITNESS = 1,
    /// The QAP witness map (FFTs).
    ZKC_PHASE_FFT = 2,
    /// The multi-scalar multiplications.
    ZKC_PHASE_MSM = 3,
}

/// A progress event, valid only during the callback.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct zkc_progress {
    /// The event.
    pub kind: zkc_progress_kind,
    /// Chunk index.
    pub chunk: u32,
    /// The phase (`ZKC_PROGRESS_PHASE` only).
    pub phase: zkc_phase,
    /// Proven early, while recording (not in `finish`).
    pub speculative: bool,
    /// Proving time of the chunk, seconds (`ZKC_PROGRESS_CHUNK_PROVEN` only).
    pub seconds: f64,
    /// Chunks proven so far (`ZKC_PROGRESS_CHUNK_PROVEN` only).
    pub proven: u32,
}

/// A progress callback. It runs on the session's proving thread, so it must be thread-safe
/// and return quickly (post to the UI thread). `user` is `zkc_options.progress_user`.
pub type zkc_progress_fn = Option<unsafe extern "C" fn(user: *mut c_void, p: *const zkc_progress)>;

/// How a session runs. Get the defaults from `zkc_options_default()`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct zkc_options {
    /// Proving threads; 0: all cores.
    pub threads: u32,
    /// One proving thread at a lower OS priority (nice 10 on Linux/Android).
    pub low_power: bool,
    /// Save the state file every this many pushed points (default 30; 0: only after proven
    /// chunks and on `zkc_session_save`).
    pub save_every: u32,
    /// Progress callback, or NULL.
    pub progress: zkc_progress_fn,
    /// Passed to `progress` as is; must stay valid until `zkc_session_free`.
    pub progress_user: *mut c_void,
}

/// A session's progress (no trace data).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct zkc_status {
    /// Points pushed (after a resume: saved); push the app's fixes from this index on.
    pub points: u64,
    /// Points saved in the state file.
    pub saved_points: u64,
    /// Points inside the region.
    pub inside: u64,
    /// Distance so far (lower bound), metres.
    pub distance_m: u64,
    /// Chunks proven (early or not).
    pub chunks_proven: u64,
    /// Chunks waiting for or in proving.
    pub chunks_pending: u64,
    /// A point rule is broken: the trace can no longer qualify.
    pub broken: bool,
}

/// What a push found.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct zkc_push_result {
    /// Pushed points outside the region (a violation only if too many are at the end).
    pub outside: u32,
    /// Violations of point rules (time order, interval, speed, window, encodable): the trace
    /// can no longer qualify.
    pub broken: u32,
}

struct CProgress {
    f: unsafe extern "C" fn(*mut c_void, *const zkc_progress),
    user: *mut c_void,
}
// SAFETY: the header documents that the callback is called from the proving thread and that
// it and its user data must be thread-safe.
unsafe impl Send for CProgress {}
// SAFETY: as above.
unsafe impl Sync for CProgress {}

impl CProgress {
    fn call(&self, p: &Progress) {
        let (kind, chunk, phase, speculative, seconds, proven) = match p {
            Progress::Phase {
                chunk,
                phase,
                speculative,
            } => (
                zkc_progress_kind::ZKC_PROGRESS_PHASE,
                *chunk,
                match phase {
                    ProvePhase::Witness => zkc_phase::ZKC_PHASE_WITNESS,
                    ProvePhase::Fft => zkc_phase::ZKC_PHASE_FFT,
                    ProvePhase::Msm => zkc_phase::ZKC_PHASE_MSM,
                    _ => return,
                },
                *speculative,
                0.0,
                0,
            ),
            Progress::ChunkProven {
                chunk,
                speculative,
                seconds,
                proven,
            } => (
                zkc_progress_kind::ZKC_PROGRESS_CHUNK_PROVEN,
                *chunk,
                zkc_phase::ZKC_PHASE_NONE,
                *speculative,
                *seconds,
                *proven,
            ),
            _ => return,
        };
        let event = zkc_progress {
            kind,
            chunk: u32::try_from(chunk).unwrap_or(u32::MAX),
            phase,
            speculative,
            seconds,
            proven: u32::try_from(proven).unwrap_or(u32::MAX),
        };
        // SAFETY: the caller gave a function with this signature; `event` outlives the call.
        unsafe { (self.f)(self.user, &event) }
    }
}

/// Writes `e` into `err` (if not NULL), freeing the message it held.
unsafe fn set_error(err: *mut zkc_error, e: &FfiError) -> zkc_code {
    let code = match e {
        FfiError::BadInput(_) => zkc_code::ZKC_BAD_INPUT,
        FfiError::Rejected(_) => zkc_code::ZKC_REJECTED,
        FfiError::Cancelled(_) => zkc_code::ZKC_CANCELLED,
        FfiError::Config(_) => zkc_code::ZKC_CONFIG,
        FfiError::Internal(_) => zkc_code::ZKC_INTERNAL,
    };
    // SAFETY: `err` is NULL or points to a zkc_error the caller zero-initialized or got back
    // from an earlier call (header contract).
    if let Some(err) = unsafe { err.as_mut() } {
        if !err.message.is_null() {
            // SAFETY: a message is always a CString we handed out.
            drop(unsafe { CString::from_raw(err.message) });
        }
        err.code = code;
        err.message = to_c_string(e.to_string());
    }
    code
}

/// A C string of `s` (interior NULs replaced), owned by the caller.
fn to_c_string(s: String) -> *mut c_char {
    let s = s.replace('\0', " ");
    CString::new(s).map_or(std::ptr::null_mut(), CString::into_raw)
}

/// Runs `f` with panics caught, and reports its error through `err`.
unsafe fn call(err: *mut zkc_error, f: impl FnOnce() -> Result<(), FfiError>) -> zkc_code {
    let e = match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(())) => {
            // SAFETY: as in `set_error`.
            if let Some(err) = unsafe { err.as_mut() } {
                err.code = zkc_code::ZKC_OK;
            }
            return zkc_code::ZKC_OK;
        }
        Ok(Err(e)) => e,
        Err(p) => FfiError::Internal(core::panic_message(&*p)),
    };
    // SAFETY: forwarded contract.
    unsafe { set_error(err, &e) }
}

/// A required string argument.
unsafe fn text<'a>(p: *const c_char, name: &str) -> Result<&'a str, FfiError> {
    if p.is_null() {
        return Err(FfiError::BadInput(format!("`{name}` is NULL")));
    }
    // SAFETY: not NULL; the caller passes a NUL-terminated string.
    unsafe { CStr::from_ptr(p) }
        .to_str()
        .map_err(|_| FfiError::BadInput(format!("`{name}` is not UTF-8")))
}

/// An optional path argument (NULL: none).
unsafe fn opt_path(p: *const c_char, name: &str) -> Result<Option<PathBuf>, FfiError> {
    if p.is_null() {
        return Ok(None);
    }
    // SAFETY: forwarded contract.
    Ok(Some(PathBuf::from(unsafe { text(p, name) }?)))
}

unsafe fn handle<'a>(s: *const zkc_session) -> Result<&'a Handle, FfiError> {
    // SAFETY: NULL or a live session from `zkc_session_start`/`resume` (header contract).
    unsafe { s.as_ref() }
        .map(|s| &s.0)
        .ok_or_else(|| FfiError::BadInput("`session` is NULL".into()))
}

#[allow(clippy::too_many_arguments)]
unsafe fn open(
    resume: bool,
    keys_dir: *const c_char,
    shape: *const c_char,
    policy_path: *const c_char,
    submitter: *const c_char,
    state_path: *const c_char,
    options: *const zkc_options,
    err: *mut zkc_error,
) -> *mut zkc_session {
    let mut out = std::ptr::null_mut();
    // SAFETY: the arguments follow the header's contract.
    unsafe {
        call(err, || {
            // SAFETY: NULL or a valid zkc_options.
            let o = options.as_ref().copied().unwrap_or_else(defaults);
            let progress = o.progress.map(|f| {
                let p = CProgress {
                    f,
                    user: o.progress_user,
                };
                Arc::new(move |e: &Progress| p.call(e)) as zkcontrib_prover::session::ProgressFn
            });
            let c = Config {
                keys_dir: Path::new(text(keys_dir, "keys_dir")?),
                shape: text(shape, "shape")?,
                policy_path: Path::new(text(policy_path, "policy_path")?),
                submitter: text(submitter, "submitter")?,
                state_path: opt_path(state_path, "state_path")?,
                threads: o.threads,
                low_power: o.low_power,
                save_every: o.save_every,
                progress,
            };
            let h = if resume {
                Handle::resume(c)?
            } else {
                Handle::start(c)?
            };
            out = Box::into_raw(Box::new(zkc_session(h)));
            Ok(())
        })
    };
    out
}

fn defaults() -> zkc_options {
    zkc_options {
        threads: 0,
        low_power: false,
        save_every: 30,
        progress: None,
        progress_user: std::ptr::null_mut(),
    }
}

/// The default options: all cores, normal priority, a save every 30 points, no callback.
#[no_mangle]
pub extern "C" fn zkc_options_default() -> zkc_options {
    defaults()
}

/// Starts a contribution: loads the keys of `shape` from `keys_dir` (as
/// `zkcontrib setup`/`prepare` wrote them) and the policy file, and writes the state file at
/// once (it must not exist yet; NULL: no state file, nothing survives the process).
///
/// `submitter` is the reward address (`0x` and up to 64 hex digits); `options` may be NULL
/// (defaults). Strings are borrowed for the call only. Returns the session (free it with
/// `zkc_session_free`), or NULL with `err` set.
#[no_mangle]
pub unsafe extern "C" fn zkc_session_start(
    keys_dir: *const c_char,
    shape: *const c_char,
    policy_path: *const c_char,
    submitter: *const c_char,
    state_path: *const c_char,
    options: *const zkc_options,
    err: *mut zkc_error,
) -> *mut zkc_session {
    // SAFETY: forwarded contract.
    unsafe {
        open(
            false,
            keys_dir,
            shape,
            policy_path,
            submitter,
            state_path,
            options,
            err,
        )
    }
}

/// Continues the contribution saved in `state_path` (required) with the same keys, policy and
/// submitter: its points are re-evaluated, its proven chunks verified and kept. Push the app's
/// fixes from `zkc_status.points` on. Returns the session, or NULL with `err` set
/// (`ZKC_CONFIG` for a missing, damaged or foreign state file).
#[no_mangle]
pub unsafe extern "C" fn zkc_session_resume(
    keys_dir: *const c_char,
    shape: *const c_char,
    policy_path: *const c_char,
    submitter: *const c_char,
    state_path: *const c_char,
    options: *const zkc_options,
    err: *mut zkc_error,
) -> *mut zkc_session {
    // SAFETY: forwarded contract.
    unsafe {
        open(
            true,
            keys_dir,
            shape,
            policy_path,
            submitter,
            state_path,
            options,
            err,
        )
    }
}

/// Appends one recorded fix. A fix out of range is `ZKC_BAD_INPUT` and is not pushed.
/// `out` (may be NULL) receives what the push found; `out_violations` (may be NULL) receives
/// the violations' messages, one per line (NULL if none; free with `zkc_string_free`).
#[no_mangle]
pub unsafe extern "C" fn zkc_session_push(
    session: *mut zkc_session,
    lat: f64,
    lon: f64,
    unix_ms: i64,
    out: *mut zkc_push_result,
    out_violations: *mut *mut c_char,
    err: *mut zkc_error,
) -> zkc_code {
    let fix = zkc_fix { lat, lon, unix_ms };
    // SAFETY: forwarded contract; `fix` is one valid element.
    unsafe { zkc_session_push_many(session, &fix, 1, out, out_violations, err) }
}

/// Appends `n` fixes from `fixes` (all of them, or none if one is out of range).
/// `out` and `out_violations` as in `zkc_session_push`.
#[no_mangle]
pub unsafe extern "C" fn zkc_session_push_many(
    session: *mut zkc_session,
    fixes: *const zkc_fix,
    n: usize,
    out: *mut zkc_push_result,
    out_violations: *mut *mut c_char,
    err: *mut zkc_error,
) -> zkc_code {
    // SAFETY: forwarded contract.
    unsafe {
        call(err, || {
            let h = handle(session)?;
            let fixes: &[zkc_fix] = match (fixes.is_null(), n) {
                (_, 0) => &[],
                (true, _) => return Err(FfiError::BadInput("`fixes` is NULL".into())),
                // SAFETY: the caller passes `n` valid fixes.
                (false, _) => std::slice::from_raw_parts(fixes, n),
            };
            let tuples: Vec<_> = fixes.iter().map(|f| (f.lat, f.lon, f.unix_ms)).collect();
            let p = h.push(&tuples)?;
            if let Some(out) = out.as_mut() {
                *out = zkc_push_result {
                    outside: p.outside,
                    broken: p.broken,
                };
            }
            if let Some(v) = out_violations.as_mut() {
                *v = if p.messages.is_empty() {
                    std::ptr::null_mut()
                } else {
                    to_c_string(p.messages.join("\n"))
                };
            }
            Ok(())
        })
    }
}

/// The session's progress into `out` (required).
#[no_mangle]
pub unsafe extern "C" fn zkc_session_status(
    session: *const zkc_session,
    out: *mut zkc_status,
    err: *mut zkc_error,
) -> zkc_code {
    // SAFETY: forwarded contract.
    unsafe {
        call(err, || {
            let h = handle(session)?;
            let Some(out) = out.as_mut() else {
                return Err(FfiError::BadInput("`out` is NULL".into()));
            };
            let s = h.status()?;
            *out = zkc_status {
                points: s.points as u64,
                saved_points: s.saved_points as u64,
                inside: s.inside,
                distance_m: s.distance_m,
                chunks_proven: s.chunks_proven as u64,
                chunks_pending: s.chunks_pending as u64,
                broken: s.broken,
            };
            Ok(())
        })
    }
}

/// Writes the state file now (call it when the app goes to the background).
#[no_mangle]
pub unsafe extern "C" fn zkc_session_save(
    session: *const zkc_session,
    err: *mut zkc_error,
) -> zkc_code {
    // SAFETY: forwarded contract.
    unsafe { call(err, || handle(session)?.save()) }
}

/// Stops proving (for good: free the session and resume the state file to go on). Callable
/// from any thread, also from the progress callback, while another call runs; never blocks.
/// A running or later `zkc_session_finish` returns `ZKC_CANCELLED` after saving the state
/// file; `push` keeps recording. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn zkc_session_cancel(session: *const zkc_session) {
    // SAFETY: NULL or a live session.
    if let Some(s) = unsafe { session.as_ref() } {
        // Setting an atomic flag cannot panic.
        s.0.cancel();
    }
}

/// Proves what remains and writes the bundle (to submit) and the opening (private: keep it
/// with the trace) as JSON to `bundle_path` and `opening_path` (each may be NULL; written to
/// `<path>.tmp` and renamed). `out_bundle_json` (may be NULL) receives the bundle JSON (free
/// with `zkc_string_free`). The state file is left in place: delete it once both are stored.
/// `ZKC_REJECTED`: the trace does not qualify; `ZKC_CANCELLED`: resume later.
#[no_mangle]
pub unsafe extern "C" fn zkc_session_finish(
    session: *mut zkc_session,
    bundle_path: *const c_char,
    opening_path: *const c_char,
    out_bundle_json: *mut *mut c_char,
    err: *mut zkc_error,
) -> zkc_code {
    // SAFETY: forwarded contract.
    unsafe {
        call(err, || {
            let h = handle(session)?;
            let bundle_path = opt_path(bundle_path, "bundle_path")?;
            let opening_path = opt_path(opening_path, "opening_path")?;
            let f = h.finish()?;
            let (bundle, opening) = core::finished_json(&f)?;
            for (path, text) in [(bundle_path, &bundle), (opening_path, &opening)] {
                if let Some(path) = path {
                    write_atomic(&path, text.as_bytes())?;
                }
            }
            if let Some(out) = out_bundle_json.as_mut() {
                *out = to_c_string(bundle);
            }
            Ok(())
        })
    }
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), FfiError> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let io = |e: std::io::Error| FfiError::Config(format!("{}: {e}", path.display()));
    std::fs::write(&tmp, bytes).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)
}

/// Verifies a bundle file as a validator does, with the verifying keys in `keys_dir` and the
/// policy file: `ZKC_OK` if accepted, `ZKC_REJECTED` (with the reason) if not.
#[no_mangle]
pub unsafe extern "C" fn zkc_verify_bundle(
    keys_dir: *const c_char,
    policy_path: *const c_char,
    bundle_path: *const c_char,
    err: *mut zkc_error,
) -> zkc_code {
    // SAFETY: forwarded contract.
    unsafe {
        call(err, || {
            let keys_dir = Path::new(text(keys_dir, "keys_dir")?);
            let policy = Path::new(text(policy_path, "policy_path")?);
            let path = Path::new(text(bundle_path, "bundle_path")?);
            let bytes = std::fs::read(path)
                .map_err(|e| FfiError::BadInput(format!("{}: {e}", path.display())))?;
            match core::verify(keys_dir, policy, &bytes)? {
                (true, _) => Ok(()),
                (false, why) => Err(FfiError::Rejected(why)),
            }
        })
    }
}

/// Frees a session: stops its proving thread (the chunk in proving is abandoned) and saves
/// the points pushed since the last save. NULL is ignored. Not from the progress callback.
#[no_mangle]
pub unsafe extern "C" fn zkc_session_free(session: *mut zkc_session) {
    if session.is_null() {
        return;
    }
    // SAFETY: a session from `zkc_session_start`/`resume`, freed once (header contract).
    // First the session: it joins the proving thread and saves, while the handle stays
    // allocated for a callback that still calls `zkc_session_cancel`; then the handle. A panic
    // in either must not reach C.
    let _ = catch_unwind(AssertUnwindSafe(|| unsafe { &*session }.0.close()));
    // SAFETY: as above; the proving thread has ended, nothing else uses the handle.
    let s = unsafe { Box::from_raw(session) };
    let _ = catch_unwind(AssertUnwindSafe(move || drop(s)));
}

/// Frees a string returned by this library. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn zkc_string_free(s: *mut c_char) {
    if !s.is_null() {
        // SAFETY: a string this library returned, freed once.
        drop(unsafe { CString::from_raw(s) });
    }
}

/// Frees the message of `err` and resets it to `{ZKC_OK, NULL}`. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn zkc_error_clear(err: *mut zkc_error) {
    // SAFETY: NULL or a zkc_error filled by this library.
    if let Some(err) = unsafe { err.as_mut() } {
        // SAFETY: as above.
        unsafe { zkc_string_free(err.message) };
        err.message = std::ptr::null_mut();
        err.code = zkc_code::ZKC_OK;
    }
}
