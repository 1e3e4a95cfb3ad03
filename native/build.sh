#!/usr/bin/env bash
# Builds the native CPU backend (Rust, blst, napi) into native/c2native.node.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if ! command -v cargo >/dev/null 2>&1; then
  echo "native/build.sh: cargo not found; install Rust (https://rustup.rs) to build the native backend" >&2
  exit 1
fi
cargo build --release --manifest-path "$here/Cargo.toml"
case "$(uname -s)" in
  Darwin) lib=libc2native.dylib ;;
  *) lib=libc2native.so ;;
esac
# copy then rename: a process that has the old addon loaded keeps its mapping intact
cp "$here/target/release/$lib" "$here/c2native.node.tmp"
mv -f "$here/c2native.node.tmp" "$here/c2native.node"
echo "built $here/c2native.node"
