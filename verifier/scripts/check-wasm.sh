#!/usr/bin/env bash
# Builds zkcontrib-verifier for wasm32-unknown-unknown without default features (no std, no
# rayon, no getrandom: without `std` batch verification takes the caller's RNG through
# `verify_batch_with_rng`), then with `json`, and checks that no getrandom crate is linked.
#
# Exit codes: 0 built; 1 the build or the dependency check failed; 3 the target is not
# installed and cannot be installed on this machine (the reason is printed; nothing checked).
set -euo pipefail
cd "$(dirname "$0")/../.."
target=wasm32-unknown-unknown

if ! rustup target list --installed 2>/dev/null | grep -qx "$target"; then
    if ! command -v rustup >/dev/null; then
        echo "check-wasm: NOT CHECKED: rustup is not available to install $target"
        exit 3
    fi
    if ! out=$(timeout 300 rustup target add "$target" 2>&1); then
        echo "check-wasm: NOT CHECKED: \`rustup target add $target\` failed here:"
        echo "$out" | tail -3 | sed 's/^/    /'
        exit 3
    fi
fi

cargo build -p zkcontrib-verifier --no-default-features --target "$target"
cargo build -p zkcontrib-verifier --no-default-features --features json --target "$target"

if cargo tree -p zkcontrib-verifier --no-default-features --features json --target "$target" \
    -e normal --prefix none | grep -q '^getrandom '; then
    echo "check-wasm: getrandom is linked for $target (it needs a JS or custom backend there)"
    exit 1
fi
echo "check-wasm: zkcontrib-verifier builds for $target (no_std, with and without json)"
