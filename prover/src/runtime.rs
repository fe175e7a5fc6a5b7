//! What the prover needs from the device: a thread pool of the requested size, the default
//! keys and region-cache directories and the peak memory the process used.

use std::path::PathBuf;

/// The keys directory when none is given: `$ZKCONTRIB_KEYS_DIR`, else
/// `$XDG_CACHE_HOME/zkcontrib/keys`, else `$HOME/.cache/zkcontrib/keys`, else
/// `./zkcontrib-keys`.
pub fn default_keys_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("ZKCONTRIB_KEYS_DIR") {
        return PathBuf::from(d);
    }
    if let Some(d) = std::env::var_os("XDG_CACHE_HOME") {
        return PathBuf::from(d).join("zkcontrib").join("keys");
    }
    if let Some(d) = std::env::var_os("HOME") {
        return PathBuf::from(d)
            .join(".cache")
            .join("zkcontrib")
            .join("keys");
    }
    PathBuf::from("zkcontrib-keys")
}

/// The compiled-region cache when none is given: `$ZKCONTRIB_REGIONS_DIR`, else
/// `$XDG_CACHE_HOME/zkcontrib/regions`, else `$HOME/.cache/zkcontrib/regions`; `None` (no
/// cache: regions are compiled every time, nothing is written) when none of them is set.
pub fn default_regions_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("ZKCONTRIB_REGIONS_DIR") {
        return Some(PathBuf::from(d));
    }
    if let Some(d) = std::env::var_os("XDG_CACHE_HOME") {
        return Some(PathBuf::from(d).join("zkcontrib").join("regions"));
    }
    std::env::var_os("HOME").map(|d| {
        PathBuf::from(d)
            .join(".cache")
            .join("zkcontrib")
            .join("regions")
    })
}

/// Runs `f` on a rayon pool of `threads` threads (`None`: all cores).
pub fn with_threads<T: Send>(
    threads: Option<usize>,
    f: impl FnOnce() -> T + Send,
) -> Result<T, rayon::ThreadPoolBuildError> {
    let mut b = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        b = b.num_threads(n.max(1));
    }
    Ok(b.build()?.install(f))
}

/// Returns the heap's free pages to the operating system: glibc's `malloc_trim(0)`, which
/// releases the free memory at the heap's top and, inside it, every free page
/// (`MADV_DONTNEED`); nothing on other C libraries (Android's allocator returns its own).
///
/// [`ChunkProver`](crate::prove::ChunkProver) calls it before each chunk proof. A chunk's
/// vectors are freed between chunks around small allocations that live on (proofs, states),
/// so glibc's heap keeps holes that are free but resident; the next chunk does not always fit
/// its vectors into them and grows the heap instead, and peak RSS crept up with the number of
/// chunks (`report`: 119 MB for one chunk, 128.7 MB over 44 chunks at 1 thread). Trimmed,
/// holes cost no memory until they are used again.
pub fn release_free_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[allow(unsafe_code)]
    // SAFETY: `malloc_trim` has no preconditions; it only walks the allocator's own free
    // lists, under the allocator's locks.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Peak resident memory of this process in bytes (`VmHWM`), where the OS reports it.
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Bytes as `12.3 MB`.
pub fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

/// Current and peak resident memory (`VmRSS`, `VmHWM`) in bytes, where the OS reports them.
pub fn rss_bytes() -> Option<(u64, u64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| -> Option<u64> {
        let line = status.lines().find(|l| l.starts_with(name))?;
        Some(line.split_whitespace().nth(1)?.parse::<u64>().ok()? * 1024)
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

/// With `ZKCONTRIB_MEM_TRACE` set, prints the current and peak resident memory after `phase`
/// to stderr: how the proving memory was measured (docs/BENCHMARKS.md, "Memory").
pub fn mem_mark(phase: &str) {
    if std::env::var_os("ZKCONTRIB_MEM_TRACE").is_some() {
        if let Some((rss, hwm)) = rss_bytes() {
            eprintln!(
                "mem {phase:<24} rss {:>7.1} MB  peak {:>7.1} MB",
                rss as f64 / 1e6,
                hwm as f64 / 1e6
            );
        }
    }
}
