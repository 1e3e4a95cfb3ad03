/**
 * node bench/webgpu.ts [--allow-software] [--msm-only] [--max-log N] : microbenchmarks of the WGSL kernels on
 * this machine's WebGPU adapter: Fr and Fq Montgomery multiplications per second (chains of dependent
 * products, so nothing is skipped), the NTT and quotient beside the CPU backend's, G1 point additions per
 * second, the G1 MSM kernels' compile times (pipeline and first dispatch) and the G1 MSM beside the CPU
 * backend's: random scalars, and a PoRep-shaped witness (98% 0/1). `--json FILE` writes the MSM rows. On llvmpipe (LP_NUM_THREADS=1) these are sanity numbers, not a
 * choice of limb layout: that is made on a GPU.
 */
import { createCpuBackend } from '../src/backends/cpu/index.ts';
import { openGpu } from '../src/backends/webgpu/device.ts';
import { FrOps } from '../src/backends/webgpu/fr-ops.ts';
import { WebgpuNtt } from '../src/backends/webgpu/ntt.ts';
import { writeFile } from 'node:fs/promises';
import { sampleScalars } from '../src/backends/profile.ts';
import type { Group } from '../src/backends/backend.ts';
import { G1Point, G2Point } from '../src/backends/webgpu/curve-points.ts';
import { CurveMsm } from '../src/backends/webgpu/msm.ts';
import { PointOps } from '../src/backends/webgpu/point-ops.ts';
import { frRandom } from '../src/shared/fr.ts';
import { frVector } from '../src/shared/fr-vector.ts';

const gpu = await openGpu({ allowSoftware: process.argv.includes('--allow-software') });
console.log(`adapter: ${gpu.description}${gpu.software ? ' (software)' : ''}`);

const random = (n: number) => frVector(Array.from({ length: n }, () => frRandom()));

async function time(f: () => Promise<unknown>): Promise<number> {
  await f();
  const t0 = performance.now();
  await f();
  return (performance.now() - t0) / 1000;
}

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const msmOnly = process.argv.includes('--msm-only');
const cpu = createCpuBackend();

if (!msmOnly) await fieldsAndNtt();
const rows: Row[] = [];
for (const group of ['g1', 'g2'] as Group[]) await points(group);
const json = arg('--json');
if (json) await writeFile(json, JSON.stringify({ adapter: gpu.description, rows }, null, 2));
gpu.close();

async function fieldsAndNtt(): Promise<void> {
  const ops = await FrOps.create(gpu);
  const threads = gpu.software ? 1024 : 1 << 20;
  const a = random(threads);
  const b = random(threads);
  for (const iters of gpu.software ? [16, 256, 2048] : [256, 4096]) {
    const s = await time(() => ops.mulChain(a, b, iters));
    const base = await time(() => ops.mulChain(a, b, 0));
    const rate = (threads * iters) / Math.max(s - base, 1e-9);
    console.log(
      `fr mont_mul: ${threads} threads x ${iters}: ${s.toFixed(3)}s (${base.toFixed(3)}s without) ${(rate / 1e6).toFixed(3)} M/s`,
    );
  }

  const fq = await FrOps.createFq(gpu);
  // Fq values below 2^254 are valid too: the kernel only needs them below q
  for (const iters of gpu.software ? [256] : [4096]) {
    const pad = (v: Uint8Array) => {
      const out = new Uint8Array((v.length / 32) * 48);
      for (let i = 0; i < v.length / 32; i++) out.set(v.subarray(32 * i, 32 * i + 32), 48 * i);
      return out;
    };
    const [qa, qb] = [pad(a), pad(b)];
    const s = await time(() => fq.mulChain(qa, qb, iters));
    const base = await time(() => fq.mulChain(qa, qb, 0));
    const rate = (threads * iters) / Math.max(s - base, 1e-9);
    console.log(
      `fq mont_mul: ${threads} threads x ${iters}: ${s.toFixed(3)}s ${(rate / 1e6).toFixed(3)} M/s`,
    );
  }

  const ntt = await WebgpuNtt.create(gpu);
  for (const log of gpu.software ? [10, 12, 14, 16] : [16, 20, 22]) {
    const v = random(2 ** log);
    const g = await time(() => ntt.ntt(v, 'forward'));
    const c = await time(() => cpu.ntt(v, 'forward'));
    console.log(`ntt 2^${log}: webgpu ${g.toFixed(3)}s, cpu ${c.toFixed(4)}s`);
    const gq = await time(() => ntt.quotient(v, v, v));
    const cq = await time(() => cpu.quotient(v, v, v));
    console.log(`quotient 2^${log}: webgpu ${gq.toFixed(3)}s, cpu ${cq.toFixed(4)}s`);
  }
}

interface Row {
  group: Group;
  log2: number;
  witness: string;
  webgpuS: number;
  cpuS: number;
  firstS: number;
}

async function points(group: Group): Promise<void> {
  const G = group === 'g1' ? G1Point : G2Point;
  const ops = await PointOps.create(gpu, group);
  const threads = gpu.software ? 256 : 1 << 18;
  // distinct points are costly to make on the host: 2^10 of them, repeated
  const few = Array.from({ length: 1024 }, (_, i) => G.BASE.multiply(BigInt(i + 2)));
  const pts = Array.from({ length: threads }, (_, i) => few[i % few.length]!);
  const iters = gpu.software ? 16 : 256;
  const s = await time(() => ops.addChain(pts, pts, iters));
  const base = await time(() => ops.addChain(pts, pts, 0));
  console.log(
    `${group} add: ${threads} threads x ${iters}: ${s.toFixed(3)}s ${((threads * iters) / Math.max(s - base, 1e-9) / 1e6).toFixed(4)} M/s`,
  );

  const msm = await CurveMsm.create(gpu, group);
  for (const entry of [
    'to_montgomery',
    'scalar_digits',
    'bucket_scatter',
    'sum_entries',
    'sum_partials',
    'window_segments',
  ] as const) {
    const t0 = performance.now();
    await msm.pipeline(entry);
    console.log(
      `${group} compile ${entry}: ${(performance.now() - t0).toFixed(0)} ms (pipeline; the JIT may wait for the first dispatch)`,
    );
  }
  // G2 points are twice the bytes and its additions three times the work: two sizes fewer
  const maxLog = Number(arg('--max-log') ?? (gpu.software ? 8 : 26)) - (group === 'g2' ? 2 : 0);
  const logs = gpu.software
    ? [6, 8, 10].filter((l) => l <= maxLog)
    : [10, 12, 14, 16, 18, 20, 22, 24, 26].filter((l) => l <= maxLog);
  // distinct points are costly to make (blst fixed-base on the CPU): 2^16 of them, repeated
  const distinct = 1 << Math.min(16, logs[logs.length - 1] ?? 6);
  const base1 = await cpu.fixedBaseMul(
    group,
    G.BASE.toBytes(false),
    frVector(Array.from({ length: distinct }, () => frRandom() || 1n)),
  );
  for (const log of logs) {
    const n = 2 ** log;
    const size = group === 'g1' ? 96 : 192;
    const bytes = new Uint8Array(size * n);
    for (let at = 0; at < n; at += distinct)
      bytes.set(base1.subarray(0, size * Math.min(distinct, n - at)), size * at);
    const tg = msm.newTable(n);
    const t0 = performance.now();
    await msm.appendPoints(tg, bytes, false);
    const uploadS = (performance.now() - t0) / 1000;
    const tc = cpu.newTable(group, n);
    await cpu.appendPoints(tc, bytes, false);
    for (const bits of [false, true]) {
      const sc = sampleScalars(n, bits);
      const f0 = performance.now();
      const got = await msm.msm(tg, 0, sc);
      const firstS = (performance.now() - f0) / 1000;
      const g = await time(() => msm.msm(tg, 0, sc));
      const c = await time(() => cpu.msm(tc, 0, sc));
      const want = await cpu.msm(tc, 0, sc);
      const ok = Buffer.from(got).equals(Buffer.from(want));
      // a wrong sum fails the run, not just its line
      if (!ok) process.exitCode = 1;
      const witness = bits ? 'porep (98% 0/1)' : 'random';
      rows.push({ group, log2: log, witness, webgpuS: g, cpuS: c, firstS });
      console.log(
        `${group} msm 2^${log} ${witness}: webgpu ${g.toFixed(3)}s (first ${firstS.toFixed(3)}s, upload ${uploadS.toFixed(3)}s), cpu ${c.toFixed(4)}s${ok ? '' : ' MISMATCH'}`,
      );
    }
    msm.freeTable(tg);
    cpu.freeTable(tc);
  }
}
