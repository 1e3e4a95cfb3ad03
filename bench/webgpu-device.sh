#!/usr/bin/env bash
# The WebGPU checks and figures for a session lent a GPU, sized for its device time (15 minutes, all tries
# together): the WGSL tests on the hardware adapter (required: a missing one fails instead of skipping),
# then bench/webgpu.ts with the MSM rows as JSON, then the 2KiB Commit2 (`c2prover demo`: test parameters made
# on first use) on the CPU and the WebGPU backends. MAX_LOG bounds the G1 MSM sizes (G2 two fewer); raise it
# once a run shows the time. Writes under $OUT when the device tool sets it, else bench/results.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${OUT:-bench/results}"
mkdir -p "$out"
export C2_WEBGPU_REQUIRED=1
nvidia-smi -L 2>/dev/null || true
timeout 240 bash scripts/run.sh node --test --test-concurrency=1 \
  test/backends/webgpu-fr.test.ts test/backends/webgpu-ntt.test.ts test/backends/webgpu-curve.test.ts \
  test/backends/webgpu-msm.test.ts test/backends/webgpu-r1cs.test.ts test/backends/webgpu-backend.test.ts 2>&1 | tee "$out/webgpu-tests.log"
timeout 420 bash scripts/run.sh node bench/webgpu.ts --max-log "${MAX_LOG:-22}" --json "$out/webgpu-msm.json" \
  2>&1 | tee "$out/webgpu-bench.log"
for backend in cpu webgpu; do
  echo "== 2KiB Commit2, C2_BACKEND=$backend" | tee -a "$out/webgpu-commit2.log"
  { time C2_BACKEND=$backend timeout 300 bash scripts/run.sh node src/cli.ts demo; } 2>&1 | tail -8 |
    tee -a "$out/webgpu-commit2.log" || true
done
