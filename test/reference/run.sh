#!/usr/bin/env bash
# Build (if needed) and run the c2-reference oracle. Usage: bash test/reference/run.sh <subcommand> [args...]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cargo build --release --quiet --manifest-path "$HERE/Cargo.toml" >&2
exec "$HERE/target/release/c2-reference" "$@"
