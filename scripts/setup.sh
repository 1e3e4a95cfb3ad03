#!/usr/bin/env bash
# One-time set-up on a fresh machine: Node 24, npm dependencies (lockfile exact), the native CPU backend.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/env.sh
if ! command -v cargo >/dev/null 2>&1; then
  echo "setup: cargo (Rust) is required to build the native backend (https://rustup.rs)" >&2
  exit 1
fi
npm ci --no-audit --no-fund
if [ -f native/Cargo.toml ]; then bash native/build.sh; fi
