#!/usr/bin/env bash
# Mesa's software drivers, so that every WGSL shader runs in CI through Dawn's OpenGL ES path (llvmpipe):
# Debian bookworm's stock packages, installed (root, apt-get) where missing. A software adapter is for
# tests only: the service never picks one by itself. Exits 1 where they are missing and cannot be installed.
set -euo pipefail
pkgs=(libegl1 libegl-mesa0 libgl1-mesa-dri libegl-dev)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "mesa.sh: ${missing[*]} missing and no root apt-get: the WebGPU tests will skip" >&2
  exit 1
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
