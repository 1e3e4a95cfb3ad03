#!/usr/bin/env bash
# Builds the native addon (Rust, blst, napi) into native/c2native.node: the CPU backend always, and the
# CUDA backend (sppark, our glue in native/cuda) when nvcc is found: $NVCC, the PyPI one that
# scripts/ci/cuda.sh installs under .cache/cuda-venv, or nvcc on PATH. A build with CUDA code loads on
# any machine (the CUDA runtime is linked statically) and reports there when it finds no driver or GPU.
#   C2_CUDA=0       CPU only, even with nvcc at hand
#   C2_CUDA=1       CUDA required: fail when no nvcc is found
#   C2_CUDA_ARCHS   GPU architectures compiled to real code, comma-separated (default in build.rs:
#                   80,86,89,90,100,120, plus PTX of the newest); CI compiles 90 alone
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
if ! command -v cargo >/dev/null 2>&1; then
  echo "native/build.sh: cargo not found; install Rust (https://rustup.rs) to build the native backend" >&2
  exit 1
fi

features=()
want=${C2_CUDA:-auto}
if [ "$want" != 0 ]; then
  nvcc=${NVCC:-}
  [ -n "$nvcc" ] || nvcc=$(bash "$root/scripts/ci/cuda.sh" --path 2>/dev/null) || nvcc=
  [ -n "$nvcc" ] || nvcc=$(command -v nvcc 2>/dev/null) || nvcc=
  if [ -n "$nvcc" ] && [ -x "$nvcc" ]; then
    features=(--features cuda)
    # sppark's build script looks nvcc up by name as well
    export NVCC="$nvcc" PATH="$(dirname "$nvcc"):$PATH"
    echo "native/build.sh: CUDA backend with $nvcc (architectures ${C2_CUDA_ARCHS:-the default list in build.rs})"
  elif [ "$want" = 1 ]; then
    echo "native/build.sh: C2_CUDA=1 but no nvcc found: run bash scripts/ci/cuda.sh" >&2
    exit 1
  else
    echo "native/build.sh: no nvcc found: CPU backend only (bash scripts/ci/cuda.sh installs nvcc)"
  fi
fi

cargo build --release --manifest-path "$here/Cargo.toml" "${features[@]}"
case "$(uname -s)" in
  Darwin) lib=libc2native.dylib ;;
  *) lib=libc2native.so ;;
esac
# copy then rename: a process that has the old addon loaded keeps its mapping intact
cp "$here/target/release/$lib" "$here/c2native.node.tmp"
mv -f "$here/c2native.node.tmp" "$here/c2native.node"
echo "built $here/c2native.node"
