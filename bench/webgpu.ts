/**
 * node bench/webgpu.ts [--allow-software] : microbenchmarks of the WGSL kernels on this machine's WebGPU
 * adapter: Fr and Fq Montgomery multiplications per second (chains of dependent products, so nothing is skipped),
 * and the NTT and quotient beside the CPU backend's. On llvmpipe (LP_NUM_THREADS=1) these are sanity numbers, not a
 * choice of limb layout: that is made on a GPU.
 */
import { createCpuBackend } from '../src/backends/cpu/index.ts';
import { openGpu } from '../src/backends/webgpu/device.ts';
import { FrOps } from '../src/backends/webgpu/fr-ops.ts';
import { WebgpuNtt } from '../src/backends/webgpu/ntt.ts';
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
  console.log(`fq mont_mul: ${threads} threads x ${iters}: ${s.toFixed(3)}s ${(rate / 1e6).toFixed(3)} M/s`);
}

const ntt = await WebgpuNtt.create(gpu);
const cpu = createCpuBackend();
for (const log of gpu.software ? [10, 12, 14, 16] : [16, 20, 22]) {
  const v = random(2 ** log);
  const g = await time(() => ntt.ntt(v, 'forward'));
  const c = await time(() => cpu.ntt(v, 'forward'));
  console.log(`ntt 2^${log}: webgpu ${g.toFixed(3)}s, cpu ${c.toFixed(4)}s`);
  const gq = await time(() => ntt.quotient(v, v, v));
  const cq = await time(() => cpu.quotient(v, v, v));
  console.log(`quotient 2^${log}: webgpu ${gq.toFixed(3)}s, cpu ${cq.toFixed(4)}s`);
}
gpu.close();
