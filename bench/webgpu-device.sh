#!/usr/bin/env bash
# The WebGPU checks and figures on a lent GPU: the WGSL tests on the hardware adapter (required: a missing
# one fails instead of skipping), then bench/webgpu.ts with the MSM rows as JSON and its sweep of the
# MSM's window, chunk and segment sizes, then (unless C2_WEBGPU_DEMO=0) the 2KiB Commit2 (`c2prover demo`:
# test parameters made on first use) on the CPU and WebGPU backends. bench/device/run.sh calls it within
# its own budget; alone it is a call of its own. C2_WEBGPU_BUDGET_S bounds the whole (default 540 s),
# MAX_LOG the G1 MSM sizes (G2 two fewer). Writes under $OUT when the device tool sets it, else
# bench/results.
set -uo pipefail
cd "$(dirname "$0")/.."
out="${OUT:-bench/results}"
mkdir -p "$out"
budget=${C2_WEBGPU_BUDGET_S:-540}
demo=${C2_WEBGPU_DEMO:-1}
# the tests get two fifths, the benchmark the rest (or half of it when the demos follow), of which the
# sweep of window, chunk and segment sizes (one G1 MSM at 2^20) takes a fifth
tests_s=$((budget * 2 / 5))
bench_s=$((demo == 1 ? (budget - tests_s) / 2 : budget - tests_s))
sweep_s=$((bench_s / 5))
bench_s=$((bench_s - sweep_s))
export C2_WEBGPU_REQUIRED=1
nvidia-smi -L 2>/dev/null || true
timeout "$tests_s" bash scripts/run.sh node --test --test-concurrency=1 \
  test/backends/webgpu-fr.test.ts test/backends/webgpu-ntt.test.ts test/backends/webgpu-curve.test.ts \
  test/backends/webgpu-msm.test.ts test/backends/webgpu-r1cs.test.ts test/backends/webgpu-backend.test.ts 2>&1 |
  tee "$out/webgpu-tests.log"
timeout "$bench_s" bash scripts/run.sh node bench/webgpu.ts --max-log "${MAX_LOG:-22}" --json "$out/webgpu-msm.json" \
  2>&1 | tee "$out/webgpu-bench.log"
timeout "$sweep_s" bash scripts/run.sh node bench/webgpu.ts --sweep --json "$out/webgpu-sweep.json" \
  2>&1 | tee "$out/webgpu-sweep.log"
if [ "$demo" = 1 ]; then
  for backend in cpu webgpu; do
    echo "== 2KiB Commit2, C2_BACKEND=$backend" | tee -a "$out/webgpu-commit2.log"
    { time C2_BACKEND=$backend timeout $(((budget - tests_s - bench_s) / 2)) bash scripts/run.sh node src/cli.ts demo; } 2>&1 |
      tail -8 | tee -a "$out/webgpu-commit2.log" || true
  done
fi
