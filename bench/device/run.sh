#!/usr/bin/env bash
# On a lent GPU machine (the `device` tool), in one call, from the repo root:
#   run(command="bash bench/device/run.sh", carry=[".cache/device"], timeout_s=600)
# after bench/device/pack.sh here. Unpacks Node, node_modules and the addon; then, each step logged under
# $OUT and the later ones skipped when the time runs short:
#   1. nvidia-smi and `c2prover info` (CUDA must be picked: C2_CUDA_REQUIRED=1)
#   2. test/backends/cuda-gpu.test.ts: MSM, NTT, quotient and a small proof equal to / verified like the CPU's
#   3. bench/cuda.ts: G1/G2 MSM and NTT at 2^20..2^27, WebGPU's NTT beside, one 32GiB-size partition
#      stage by stage
#   4. the 2KiB Commit2 demo on the CUDA backend (test parameters made there, the proof verified); then
#      the synthesis rate on every core (bench/synthesis-rate.ts), into the 32GiB projection of step 3
#   5. `c2prover calibrate`: every backend's kernels measured, the profile the service chooses sizes by,
#      and `c2prover info` with the choice per size (backend-profile.json, calibrate.txt)
#   6. WebGPU on the same GPU (bench/webgpu-device.sh without its demos): the WGSL tests on the hardware
#      adapter and the G1/G2 MSM figures, within what is left but three minutes
#   7. the 8MiB Commit2 (test parameters and proof), if time is left
# Dry run here with the CPU standing in: C2_DRY_RUN=1 bash bench/device/run.sh (tiny sizes, no GPU).
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
out=${OUT:-$root/bench/out/device}
mkdir -p "$out"
budget=${C2_DEVICE_BUDGET_S:-540}
t0=$(date +%s)
left() { echo $((budget - ($(date +%s) - t0))); }
exec > >(tee -a "$out/log.txt") 2>&1
step() { echo "=== $(date -u +%T) [$(($(date +%s) - t0)) s] $*"; }

dry=${C2_DRY_RUN:-0}
if [ "$dry" != 1 ]; then
  step unpack
  mkdir -p .cache
  # tar -J needs xz; Python's lzma reads the same archives where xz is not installed
  untar() {
    if command -v xz >/dev/null 2>&1; then tar -xJf "$1" -C "$2"
    else python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' "$1" "$2"; fi
  }
  untar .cache/device/node.tar.xz .cache
  rm -rf node_modules && untar .cache/device/modules.tar.xz .
  cp .cache/device/c2native.node native/c2native.node
  if ls .cache/device/gl/*.deb >/dev/null 2>&1; then
    for f in .cache/device/gl/*.deb; do dpkg -x "$f" /; done
    ldconfig
  fi
  export VK_DRIVER_FILES=${VK_DRIVER_FILES:-/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json}
  nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv | tee "$out/nvidia-smi.csv"
  export C2_CUDA_REQUIRED=1 C2_BACKEND=cuda
fi
node() { bash scripts/run.sh node "$@"; }

step info
node src/cli.ts info || exit 1

step "cuda-gpu tests"
node --test --test-reporter=spec test/backends/cuda.test.ts test/backends/cuda-gpu.test.ts 2>&1 | tee "$out/tests.txt"

# the figures first: the 600 s a call may run must not be spent before them
step "bench (MSM, NTT, partition)"
if [ "$dry" = 1 ]; then
  node bench/cuda.ts --backend cpu --min-lg 8 --max-lg 10 --g2-max-lg 9 --partition 3000 --webgpu --out "$out"
else
  node bench/cuda.ts --min-lg 20 --max-lg 27 --g2-max-lg 27 --partition 130278541 --webgpu --out "$out"
fi

step "2KiB Commit2"
node src/cli.ts demo 2>&1 | tee "$out/commit2-2kib.txt"

step "synthesis rate"
# steady state on every synthesis thread, as jobs of a known shape synthesize (witness only, sliced): the
# demo's synthesis stage is a cold process's first job, which builds the structure
rate=$(node bench/synthesis-rate.ts --seconds "$([ "$dry" = 1 ] && echo 2 || echo 10)" --out "$out/synthesis-rate.json" | tail -1)
echo "synthesis rate: ${rate:-unknown} constraints/s"
if [ -n "$rate" ]; then
  for f in "$out"/cuda-*.json; do node bench/cuda.ts --report "$f" --synthesis-rate "$rate"; done
fi

if [ "$(left)" -gt 300 ]; then
  # every backend here measured once (CUDA, WebGPU on the same GPU, the CPU): the profile the service
  # chooses each sector size's backend by; info then says which size goes where, and why
  step "calibrate"
  C2_BACKEND= timeout 120 bash scripts/run.sh node src/cli.ts calibrate --data-dir "$out" 2>&1 | tee "$out/calibrate.txt"
  C2_BACKEND= bash scripts/run.sh node src/cli.ts info --data-dir "$out" 2>&1 | tee -a "$out/calibrate.txt"
fi

if [ "$(left)" -gt 240 ] && [ "$dry" != 1 ]; then
  step "WebGPU tests and MSM figures"
  C2_WEBGPU_BUDGET_S=$(($(left) - 180)) C2_WEBGPU_DEMO=0 MAX_LOG=${MAX_LOG:-22} OUT="$out" bash bench/webgpu-device.sh
else
  step "WebGPU skipped: $(left) s left (dry run: $dry)"
fi

if [ "$(left)" -gt 180 ] && [ "$dry" != 1 ]; then
  step "8MiB Commit2"
  f=test/fixtures/8mib/v1_1-t01000-s1/c2input.json
  p=$(node src/cli.ts params "$f" --out "$root/.cache/params-8mib" | sed -n 's/^params: //p')
  [ -n "$p" ] && node src/cli.ts prove "$f" --params "$p" 2>&1 | tee "$out/commit2-8mib.txt"
else
  step "8MiB Commit2 skipped: $(left) s left"
fi
step done
