#!/usr/bin/env bash
# Installs nvcc (CUDA 13.0, pinned in cuda-requirements.txt) from PyPI into .cache/cuda-venv, so that
# native/build.sh compiles the CUDA backend: CI runs it to compile the CUDA code it cannot run, and so
# can anyone without a CUDA toolkit. No GPU or driver is needed to compile. Prints nvcc's path.
# Usage: bash scripts/ci/cuda.sh          install if missing (or if the pins changed), print nvcc's path
#        bash scripts/ci/cuda.sh --path   print nvcc's path if installed, exit 1 if not (installs nothing)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
venv="$root/.cache/cuda-venv"
req="$root/scripts/ci/cuda-requirements.txt"
stamp="$venv/.installed"

cuda_root() {
  # the wheels share one prefix, nvidia/cu13 under site-packages
  local d
  for d in "$venv"/lib/python3*/site-packages/nvidia/cu13; do
    [ -x "$d/bin/nvcc" ] && { echo "$d"; return 0; }
  done
  return 1
}

if [ "${1:-}" = --path ]; then
  if [ -f "$stamp" ] && cmp -s "$stamp" "$req" && d=$(cuda_root); then echo "$d/bin/nvcc"; exit 0; fi
  exit 1
fi

if ! [ -f "$stamp" ] || ! cmp -s "$stamp" "$req" || ! cuda_root >/dev/null; then
  if ! command -v python3 >/dev/null 2>&1; then
    echo "cuda.sh: python3 is required to install nvcc from PyPI" >&2
    exit 1
  fi
  rm -rf "$venv"
  if ! python3 -m venv "$venv" >/dev/null 2>&1; then
    # Debian splits venv (and its pip) into python3-venv; CI installs its servers' packages the same way
    rm -rf "$venv"
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo "cuda.sh: installing python3-venv" >&2
      (apt-get install -y --no-install-recommends python3-venv || { apt-get update && apt-get install -y --no-install-recommends python3-venv; }) >&2
    fi
    python3 -m venv "$venv"
  fi
  "$venv/bin/pip" install --quiet --no-cache-dir --disable-pip-version-check --no-deps -r "$req" >&2
  d=$(cuda_root) || { echo "cuda.sh: the wheels installed no nvcc" >&2; exit 1; }
  # nvcc.profile links with -L\$(TOP)/lib64; the wheels ship lib/
  [ -e "$d/lib64" ] || ln -s lib "$d/lib64"
  for f in bin/nvcc bin/ptxas bin/cudafe++ nvvm/bin/cicc lib/libcudart_static.a include/cuda_runtime.h \
    include/crt/host_defines.h include/cccl/cuda/std/version; do
    [ -e "$d/$f" ] || { echo "cuda.sh: $f is missing from the wheels" >&2; exit 1; }
  done
  cp "$req" "$stamp"
fi
echo "$(cuda_root)/bin/nvcc"
