#!/usr/bin/env bash
# Assembles what a proving node runs into DIR: the sources, the c2prover bin, the built native addon, the
# production dependencies (lockfile exact) and the 2KiB fixture that `serve --test-params` makes its test
# parameters from. The container image's runtime layer is this directory (Dockerfile), and CI builds it
# and starts the service from it (test/bundle.test.ts), so the image's steps are exercised without Docker.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:?usage: scripts/bundle.sh DIR}
if [ ! -f "$root/native/c2native.node" ]; then
  echo "bundle: native/c2native.node is not built (bash scripts/setup.sh)" >&2
  exit 1
fi
rm -rf "$out"
mkdir -p "$out/native" "$out/test/fixtures/2kib/v1_1-t01000-s1"
cp -r "$root/src" "$root/shaders" "$root/bin" "$root/scripts" "$root/openapi" "$root/package.json" "$root/package-lock.json" "$out/"
cp "$root/native/c2native.node" "$out/native/"
cp "$root/test/fixtures/2kib/v1_1-t01000-s1/c2input.json" "$out/test/fixtures/2kib/v1_1-t01000-s1/"
(cd "$out" && bash scripts/run.sh npm ci --omit=dev --ignore-scripts --prefer-offline --no-audit --no-fund --loglevel=error)
echo "bundled into $out"
