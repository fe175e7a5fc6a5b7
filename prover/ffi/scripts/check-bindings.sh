#!/usr/bin/env bash
# The mobile bindings (docs/mobile.md, "App integration"): the C header is the generated one,
# prove.c compiles against it and proves/cancels/resumes through the C ABI, and the UniFFI
# bindings generate for Kotlin and Swift and run the Python test. Verifies every bundle.
set -euo pipefail
cd "$(dirname "$0")/../../.."
command -v cc >/dev/null || { echo "a C compiler (cc) is required"; exit 2; }
command -v python3 >/dev/null || { echo "python3 is required"; exit 2; }
cargo test -p zkcontrib-ffi --features bindgen
