#!/usr/bin/env bash
# Mobile-class check: cross-build the prover for aarch64 Linux (the CPU class of phones and
# single-board computers), run the aarch64 arithmetic's tests and the proof-equality tests under
# qemu-aarch64, run a real proof under qemu-aarch64, and report the binary size.
#
#   scripts/mobile-check.sh            # needs: rustup, and Debian's gcc-aarch64-linux-gnu, qemu-user
#   scripts/mobile-check.sh --measure  # then issue #20's measurement under qemu: one `earth`
#                                      # chunk, tuned vs Groth16::prove on the same key and
#                                      # as shipped (arm_probe chunk; keys made natively,
#                                      # ≈ 20 min in all on the 2-vCPU VM)
#
# Installs what is missing (rustup target, Debian packages when run as root). Emulation is
# 10-50x slower than native, so the run uses the small `test` shape on 100 points; the
# timings printed are qemu's, not a phone's. Not part of CI: a qemu run of a proof takes minutes,
# and the aarch64 test build compiles arkworks for a second target (about 10 minutes on the
# 2-vCPU VM; CI's aarch64 step only lints, which does not generate code).
set -euo pipefail
cd "$(dirname "$0")/.."
target=aarch64-unknown-linux-gnu

need() { command -v "$1" >/dev/null 2>&1; }
if ! need aarch64-linux-gnu-gcc || ! need qemu-aarch64; then
  if [ "$(id -u)" = 0 ] && need apt-get; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q gcc-aarch64-linux-gnu qemu-user >/dev/null
  else
    echo "install gcc-aarch64-linux-gnu and qemu-user (Debian packages) first" >&2
    exit 2
  fi
fi
rustup target add "$target" >/dev/null

export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc
# The guest's libraries come from the cross toolchain's sysroot. LD_LIBRARY_PATH keeps them
# first: with Debian's arm64 libc also installed (multiarch, e.g. for another project), the
# guest loader would otherwise follow the host's ld.so.cache to /lib/aarch64-linux-gnu and mix
# two glibc builds, and programs hang when they start their first thread.
qemu="qemu-aarch64 -L /usr/aarch64-linux-gnu -E LD_LIBRARY_PATH=/usr/aarch64-linux-gnu/lib"
export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER="$qemu"
echo "== under qemu-aarch64: the Montgomery kernels (asm and Rust) against ark-ff, the FFT and MSM"
echo "   against arkworks, and tuned proofs bit-identical to arkworks' (same r, s)"
cargo test --locked --target "$target" -p zkcontrib-prover --lib -- arith fft msm
cargo test --locked --target "$target" -p zkcontrib-prover --test groth16 --test msm
echo "== cross-building zkcontrib for $target (release)"
cargo build --release --locked --target "$target" -p zkcontrib-prover --bin zkcontrib
bin="${CARGO_TARGET_DIR:-target}/$target/release/zkcontrib"
stripped="$(mktemp)"
aarch64-linux-gnu-strip -o "$stripped" "$bin"
echo "binary        $(du -h "$bin" | cut -f1) ($(du -h "$stripped" | cut -f1) stripped): $bin"
file "$bin" | sed 's/^/              /'

work="$(mktemp -d)"
trap 'rm -rf "$work" "$stripped"' EXIT
run() { $qemu "$bin" "$@"; }
echo "== under qemu-aarch64: setup (test shape), prove 100 points, verify"
# The first 100 points of the Garmin run, as CSV.
python3 - "$work/trace.csv" <<'PY'
import re, sys
gpx = open("fixtures/garmin-activity-santa-clara.gpx").read()
pts = re.findall(r'<trkpt lat="([^"]+)" lon="([^"]+)">.*?<time>([^<]+)</time>', gpx, re.S)[:100]
with open(sys.argv[1], "w") as f:
    f.write("time,lat,lon\n")
    for lat, lon, t in pts:
        f.write(f"{t},{lat},{lon}\n")
PY
time run setup --shape test --keys-dir "$work/keys"
time run prove --trace "$work/trace.csv" --policy fixtures/santa-clara-2017.toml \
  --submitter 0x00000000000000000000000000000000000d3e40 --shape test \
  --keys-dir "$work/keys" --out "$work/bundle.json" --quiet
time run verify "$work/bundle.json" --policy fixtures/santa-clara-2017.toml --keys-dir "$work/keys"
echo "== mobile-class check passed"

if [ "${1:-}" = "--measure" ]; then
  echo "== issue #20's measurement: one earth chunk under qemu-aarch64, 1 thread (docs/tuning.md)"
  # the keys `setup` makes (coset reduction) and, for stock arkworks as shipped, keys of
  # arkworks' own reduction
  keys="$work/earth-keys"
  cargo run --release --locked -q -p zkcontrib-prover --bin zkcontrib -- \
    setup --shape earth --keys-dir "$keys" --quiet
  cargo run --release --locked -q -p zkcontrib-prover --bin zkcontrib -- \
    setup --shape earth --qap arkworks --keys-dir "$work/earth-keys-arkworks" --quiet
  cargo build --release --locked -q --target "$target" -p zkcontrib-prover --features bench \
    --example arm_probe
  probe="${CARGO_TARGET_DIR:-target}/$target/release/examples/arm_probe"
  # one core, the last: pinned, the rotations agree to ±2 % on a quiet machine (unpinned,
  # ±20 %: docs/tuning.md)
  pin="taskset -c $(( $(nproc) - 1 ))"
  RAYON_NUM_THREADS=1 $pin $qemu "$probe" 0 | tail -n +2
  STOCK_KEYS="$work/earth-keys-arkworks" RAYON_NUM_THREADS=1 $pin $qemu "$probe" chunk "$keys" 5
fi
