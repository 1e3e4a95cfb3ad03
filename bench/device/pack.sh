#!/usr/bin/env bash
# Here, before a device session: packs what bench/device/run.sh needs on the lent GPU machine, which has
# no network, into .cache/device (ignored; the `run` call names it in carry):
#   node.tar.xz     Node 24's binary (.cache/node)
#   modules.tar.xz  production node_modules (scripts/bundle.sh's npm ci --omit=dev), Dawn for linux-x64 only
#   c2native.node   the addon as built here, which must hold CUDA code (C2_CUDA_ARCHS=90 is enough for an H200)
#   gl/*.deb        the Vulkan loader, for the WebGPU NTT beside (optional: skipped without apt)
# and checks that the working tree plus the bundle stay under the 64 MiB a call may carry.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
out=.cache/device
limit=$((64 * 1024 * 1024))
rm -rf "$out" && mkdir -p "$out/gl"

bash scripts/run.sh node -e "
  const i = require('./native/c2native.node').cudaInfo();
  if (!i.compiled) { console.error('pack: native/c2native.node has no CUDA code: bash scripts/ci/cuda.sh && C2_CUDA=1 C2_CUDA_ARCHS=90 npm run build:native'); process.exit(1); }
  console.log('addon: CUDA for sm_' + i.archs.split(',').join(', sm_') + ', runtime ' + i.runtimeVersion);"
cp native/c2native.node "$out/"

nodebin=$(bash scripts/node24.sh)
ver=$("$nodebin/node" -p process.versions.node)
tar -C "$nodebin/.." -cJf "$out/node.tar.xz" --transform "s,^,node/$ver/," bin/node

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bash scripts/bundle.sh "$tmp/bundle" >/dev/null
find "$tmp/bundle/node_modules/webgpu/dist" -mindepth 1 -maxdepth 1 ! -name linux-x64 -exec rm -rf {} +
tar -C "$tmp/bundle" -cJf "$out/modules.tar.xz" node_modules

if command -v apt-get >/dev/null 2>&1; then
  (cd "$out/gl" && apt-get download libvulkan1 >/dev/null 2>&1) || echo "pack: no Vulkan loader packed (WebGPU will not be timed)"
fi

tree=$(git ls-files -co --exclude-standard -z | xargs -0 du -cb 2>/dev/null | tail -1 | cut -f1)
bundle=$(du -cb "$out" | tail -1 | cut -f1)
total=$((tree + bundle))
printf 'pack: working tree %.1f MiB + bundle %.1f MiB = %.1f MiB of 64\n' \
  "$(echo "$tree / 1048576" | bc -l)" "$(echo "$bundle / 1048576" | bc -l)" "$(echo "$total / 1048576" | bc -l)"
ls -la "$out" "$out/gl"
if [ "$total" -gt "$limit" ]; then echo "pack: over the 64 MiB a device call carries" >&2; exit 1; fi
