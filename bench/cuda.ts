/**
 * node bench/cuda.ts [options]: the CUDA backend's figures, written for bench/device/run.sh to take on a
 * lent GPU and dry-run here with the CPU backend standing in (--backend cpu, tiny sizes).
 *   --backend cuda|cpu     whose MSM/NTT/quotient to time (default cuda)
 *   --min-lg 20 --max-lg 27  MSM (G1, G2) and NTT sizes 2^min..2^max
 *   --g2-max-lg 27         G2 MSMs stop here (a 2^27 G2 table is 26 GB on each side)
 *   --partition 130278541  constraints of one partition to time stage by stage (0: none); its domain is
 *                          the next power of two (2^27 for 32GiB)
 *   --synthesis-rate R     constraints per second of this machine's synthesis, for the 32GiB projection
 *   --webgpu               time the WebGPU NTT beside (when an adapter is there)
 *   --out DIR              where cuda-<gpu>.{json,md} go (default bench/out)
 *   --report FILE.json     no run: FILE's figures rewritten with the projection for --synthesis-rate
 * Bases are a few thousand random points repeated to the size (CudaTable.tile): an MSM's cost does not
 * depend on which points it sums, and decoding a billion points would eat the device time. Scalars are
 * random below 2^253, or a bit witness (0/1, one in 16 a field element) where PoRep's would be.
 */
import { randomFillSync } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { type Backend, type FullBackend, type Group, type PointTable } from '../src/backends/backend.ts';
import { createCpuBackend } from '../src/backends/cpu/index.ts';
import { type CudaBackend, CudaTable, createCudaBackend } from '../src/backends/cuda/index.ts';
import { cudaInfo } from '../src/backends/cuda/addon.ts';
import { frVector } from '../src/shared/fr-vector.ts';
import type { CompactWitness } from '../src/shared/compact-witness.ts';
import { popcount32 } from '../src/shared/bits.ts';
import { poRepLikeR1cs } from './porep-like-r1cs.ts';

const { values: opt } = parseArgs({
  options: {
    backend: { type: 'string', default: 'cuda' },
    'min-lg': { type: 'string', default: '20' },
    'max-lg': { type: 'string', default: '27' },
    'g2-max-lg': { type: 'string', default: '27' },
    partition: { type: 'string', default: '130278541' },
    'synthesis-rate': { type: 'string' },
    webgpu: { type: 'boolean', default: false },
    out: { type: 'string', default: 'bench/out' },
    report: { type: 'string' },
  },
});
const log = (s: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${s}`);
if (opt.report) {
  // a run's figures again, the projection made with the synthesis rate measured after it
  const r = JSON.parse(readFileSync(opt.report, 'utf8')) as Result;
  report(opt.report, r, opt['synthesis-rate'] ? Number(opt['synthesis-rate']) : undefined);
  process.exit(0);
}
const minLg = Number(opt['min-lg']);
const maxLg = Number(opt['max-lg']);
const g2MaxLg = Math.min(maxLg, Number(opt['g2-max-lg']));
const partition = Number(opt.partition);

const cpu: FullBackend = createCpuBackend();
const gpu: Backend & { ntt(v: Uint8Array, d: 'forward' | 'inverse'): Promise<void> } =
  opt.backend === 'cpu' ? cpu : createCudaBackend();
const device = opt.backend === 'cpu' ? 'cpu-stand-in' : ((gpu as CudaBackend).info.devices[0]?.name ?? 'gpu');
log(`backend ${gpu.name}; device ${device}`);

interface Row {
  what: string;
  lg?: number;
  n: number;
  s: number;
  note?: string;
}
const rows: Row[] = [];
function record(r: Row): void {
  rows.push(r);
  log(
    `${r.what}${r.lg !== undefined ? ` 2^${r.lg}` : ''} (${r.n}): ${r.s.toFixed(4)} s${r.note ? ` (${r.note})` : ''}`,
  );
}

async function seconds(f: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await f();
  return (performance.now() - t0) / 1000;
}

/** n canonical scalars, uniformly random below 2^253. */
function randomScalars(n: number): Uint8Array {
  const v = new Uint8Array(n * 32);
  for (let o = 0; o < v.length; o += 1 << 30) randomFillSync(v, o, Math.min(1 << 30, v.length - o));
  for (let i = 31; i < v.length; i += 32) v[i]! &= 0x1f;
  return v;
}

/** The same kind of witness as synthesis hands it to the prover (compact: the bits, then the others). */
function bitWitness(n: number): CompactWitness {
  const words = Math.ceil(n / 32);
  const full = new Uint32Array(words);
  const bits = new Uint32Array(words);
  randomFillSync(full);
  randomFillSync(bits);
  let count = 0;
  for (let k = 0; k < words; k++) {
    // one in 16 full: a bit set where all four of its random words' bits are
    const f = full[k]! & (full[k]! >>> 1) & bits[k]! & (bits[k]! >>> 1);
    const keep = k + 1 < words || n % 32 === 0 ? 0xffffffff : 2 ** (n % 32) - 1;
    full[k] = (f & keep) >>> 0;
    bits[k] = (bits[k]! & ~f & keep) >>> 0;
    count += popcount32(full[k]!);
  }
  return { count: n, full, bits, values: randomScalars(count) };
}

/** A PoRep-like witness: bits, one in 16 a random field element. */
function bitScalars(n: number): Uint8Array {
  const v = randomScalars(n);
  const pick = new Uint8Array(n);
  randomFillSync(pick);
  for (let i = 0; i < n; i++) {
    const p = pick[i]!;
    if (p < 16) continue; // random
    const o = i * 32;
    v.fill(0, o, o + 32);
    v[o] = p & 1;
  }
  return v;
}

/** A table of `total` points: `distinct` random ones repeated. */
async function table(group: Group, distinct: number, total: number): Promise<PointTable> {
  const base = cpu.fixedBaseMul(
    group,
    group === 'g1' ? G1_BASE : G2_BASE,
    frVector(Array.from({ length: distinct }, (_, i) => BigInt(i) * 0x9e3779b97f4a7c15n + 7n)),
  );
  const pts = await base;
  const t = gpu.newTable(group, total);
  await gpu.appendPoints(t, pts, false);
  if (t instanceof CudaTable) t.handle.tile(Math.ceil(total / distinct));
  else for (let have = distinct; have < total; have += distinct) await gpu.appendPoints(t, pts, false);
  return t;
}

// the generators, uncompressed (from @noble's encoding, the same bytes the params files hold)
const { bls12_381 } = await import('@noble/curves/bls12-381.js');
const G1_BASE = bls12_381.G1.Point.BASE.toBytes(false);
const G2_BASE = bls12_381.G2.Point.BASE.toBytes(false);

const DISTINCT = 1 << 12;
const t0 = performance.now();
const failures: string[] = [];
/** One section of the run: a failure is logged and recorded, and the next section still runs. */
/** Free GPU memory after each section: it must come back once a section's tables are freed. */
const memory: { after: string; freeGiB: number }[] = [];
function freeGpu(after: string): void {
  if (opt.backend === 'cpu') return;
  const d = cudaInfo().devices[0];
  if (d) memory.push({ after, freeGiB: d.freeMem / 2 ** 30 });
  if (d) log(`free GPU memory after ${after}: ${(d.freeMem / 2 ** 30).toFixed(2)} GiB`);
}
freeGpu('start');
async function section(name: string, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (e) {
    const msg = `${name}: ${(e as Error).stack ?? String(e)}`;
    failures.push(msg);
    log(`FAILED ${msg}`);
  }
  freeGpu(name);
}

// --- MSM sweep: G1 and G2, random scalars; the first call at a size includes the table's upload ---
for (const group of ['g1', 'g2'] as const)
  await section(`${group} msm sweep`, async () => {
    const top = group === 'g1' ? maxLg : g2MaxLg;
    if (top < minLg) return;
    const t = await table(group, DISTINCT, 2 ** top);
    const up = await seconds(() => gpu.msm(t, 0, randomScalars(1)));
    record({ what: `${group} table upload (first MSM)`, lg: top, n: 2 ** top, s: up });
    for (let lg = minLg; lg <= top; lg++) {
      const s = randomScalars(2 ** lg);
      await gpu.msm(t, 0, s); // warm
      record({ what: `${group} msm random`, lg, n: 2 ** lg, s: await seconds(() => gpu.msm(t, 0, s)) });
    }
    const bits = bitScalars(2 ** top);
    record({
      what: `${group} msm bit witness`,
      lg: top,
      n: 2 ** top,
      s: await seconds(() => gpu.msm(t, 0, bits)),
    });
    gpu.freeTable(t);
  });
if (opt.backend !== 'cpu')
  await section('cpu msm', async () => {
    // the CPU backend at the smallest size, beside
    const t = cpu.newTable('g1', 2 ** minLg);
    const pts = await cpu.fixedBaseMul(
      'g1',
      G1_BASE,
      frVector(Array.from({ length: DISTINCT }, (_, i) => BigInt(i + 3))),
    );
    for (let have = 0; have < 2 ** minLg; have += DISTINCT) await cpu.appendPoints(t, pts, false);
    const s = randomScalars(2 ** minLg);
    record({
      what: 'g1 msm random, cpu',
      lg: minLg,
      n: 2 ** minLg,
      s: await seconds(() => cpu.msm(t, 0, s)),
    });
    cpu.freeTable(t);
  });

// --- NTT sweep: host to host (the transfers are in it), beside WebGPU and the CPU ---
let webgpu: { ntt(v: Uint8Array, d: 'forward' | 'inverse'): Promise<void>; close(): void } | undefined;
if (opt.webgpu) {
  try {
    const { createWebgpuBackend } = await import('../src/backends/webgpu/index.ts');
    webgpu = createWebgpuBackend();
    log(`webgpu: ${(webgpu as unknown as Backend).name}`);
  } catch (e) {
    log(`webgpu not timed: ${(e as Error).message}`);
  }
}
await section('ntt sweep', async () => {
  for (let lg = minLg; lg <= maxLg; lg++) {
    const v = randomScalars(2 ** lg);
    await gpu.ntt(v, 'forward');
    record({ what: 'ntt forward', lg, n: 2 ** lg, s: await seconds(() => gpu.ntt(v, 'forward')) });
    const wg = webgpu;
    if (wg) {
      try {
        await wg.ntt(v, 'forward');
        record({ what: 'ntt forward, webgpu', lg, n: 2 ** lg, s: await seconds(() => wg.ntt(v, 'forward')) });
      } catch (e) {
        log(`webgpu ntt 2^${lg}: ${(e as Error).message}`);
        webgpu = undefined;
      }
    }
    if (opt.backend !== 'cpu' && lg <= minLg + 2)
      record({ what: 'ntt forward, cpu', lg, n: 2 ** lg, s: await seconds(() => cpu.ntt(v, 'forward')) });
  }
});
webgpu?.close();

// --- one partition, stage by stage: the GPU work of a Groth16 proof on its vectors and bases ---
const stages: Record<string, number> = {};
/** once per job rather than per partition */
const once: Record<string, number> = {};
if (partition > 0)
  await section('partition', async () => {
    const n = partition;
    const inputs = 20;
    const lg = Math.ceil(Math.log2(n + inputs));
    log(`partition: ${n} constraints, domain 2^${lg}`);
    // the quotient from the R1CS and the witness, as the prover calls it (structure and witness to the
    // GPU, A, B, C evaluated there); the aux compact, as synthesis hands it over, for the MSMs too
    const ins = randomScalars(inputs);
    const w = bitWitness(n - inputs);
    const r1cs = poRepLikeR1cs(n, inputs, n);
    const terms = r1cs.a.cols.length + r1cs.b.cols.length + r1cs.c.cols.length;
    log(`partition: a PoRep-like R1CS of ${(terms / n).toFixed(2)} terms a constraint`);
    let h: Uint8Array = new Uint8Array();
    const quotient = () => seconds(async () => (h = await gpu.quotientR1cs(r1cs, ins, w)));
    // the job's first partition sends the structure to the GPU, where the others find it (when it fits)
    const first = await quotient();
    record({ what: 'partition quotient, the structure sent', lg, n, s: first });
    stages.quotient = await quotient();
    once.structure = Math.max(0, first - stages.quotient);
    const where = (gpu as Partial<CudaBackend>).structureState?.(r1cs);
    if (where) log(`partition: the structure on the GPU: ${where.join(', ')}`);
    // the quotient of three given vectors beside, for comparison only (not a stage of the proof)
    {
      const [a, b, c] = [randomScalars(n), randomScalars(n), randomScalars(n)];
      record({
        what: 'partition quotient of given vectors',
        lg,
        n,
        s: await seconds(() => gpu.quotient(a, b, c)),
      });
    }
    const g1 = await table('g1', DISTINCT, 2 ** lg);
    // the upload, once per parameter file, not per proof; sealed as a loaded key's tables are, so that
    // the points are held in GPU memory only (the host RSS says what that frees)
    const rss = () => (process.memoryUsage().rss / 2 ** 30).toFixed(1);
    const before = rss();
    if (gpu.sealTable) await gpu.sealTable(g1);
    else await gpu.msm(g1, 0, randomScalars(1));
    log(`partition: 2^${lg} G1 points sealed: host RSS ${before} GiB before, ${rss()} GiB after`);
    stages.h = await seconds(() => gpu.msm(g1, 0, h));
    if (gpu.quotientMsm) {
      // as the prover runs them on this backend: H summed where the quotient left it, never on the host
      const fused = await seconds(() => gpu.quotientMsm!(r1cs, ins, w, g1));
      record({
        what: 'partition quotient then h MSM, H through the host',
        lg,
        n,
        s: stages.quotient + stages.h,
      });
      delete stages.quotient;
      delete stages.h;
      stages.quotientH = fused;
    }
    stages.l = await seconds(() => gpu.msm(g1, 0, w));
    stages.a = await seconds(() => gpu.msm(g1, 0, w));
    stages.bG1 = await seconds(() => gpu.msm(g1, 0, w));
    gpu.freeTable(g1);
    const g2 = await table('g2', DISTINCT, n);
    if (gpu.sealTable) await gpu.sealTable(g2);
    else await gpu.msm(g2, 0, randomScalars(1));
    stages.bG2 = await seconds(() => gpu.msm(g2, 0, w));
    gpu.freeTable(g2);
    for (const [k, s] of Object.entries(stages)) record({ what: `partition ${k}`, lg, n, s });
  });

const name = device.replace(/[^A-Za-z0-9._-]+/g, '-');
const result: Result = {
  device,
  backend: gpu.name,
  date: new Date().toISOString(),
  totalS: (performance.now() - t0) / 1000,
  rows,
  partition,
  stages,
  once,
  memory,
  failures,
};
report(
  join(opt.out, `cuda-${name}.json`),
  result,
  opt['synthesis-rate'] ? Number(opt['synthesis-rate']) : undefined,
);
process.exit(0);

interface Result {
  device: string;
  backend: string;
  date: string;
  totalS: number;
  rows: Row[];
  /** constraints of the partition timed (0: none), and its stages in seconds */
  partition: number;
  stages: Record<string, number>;
  once?: Record<string, number>;
  memory?: { after: string; freeGiB: number }[];
  failures: string[];
  projection?: ReturnType<typeof project>;
}

/** The 32GiB Commit2 from one partition's GPU stages and a synthesis rate (constraints per second). */
function project(stages: Record<string, number>, partition: number, rate?: number, once = {}) {
  const PARTITIONS_32G = 10;
  const sum = (r: Record<string, number>) => Object.values(r).reduce((x, y) => x + y, 0);
  const partitionS = sum(stages);
  const onceS = sum(once);
  return {
    partitionGpuS: partitionS,
    // the G2 MSM may run on the CPU beside the GPU: what the GPU alone must do per partition
    partitionGpuWithoutBG2S: partitionS - (stages.bG2 ?? 0),
    onceS,
    gpuS32GiB: onceS + PARTITIONS_32G * partitionS,
    synthesisRate: rate,
    synthesisS32GiB: rate ? (PARTITIONS_32G * partition) / rate : undefined,
    // synthesis of partition k+1 overlaps the GPU work of k: the slower of the two pipelines, plus one
    // stage of the other to fill and drain it
    commit2S32GiB: rate
      ? Math.max(onceS + PARTITIONS_32G * partitionS, (PARTITIONS_32G * partition) / rate) +
        Math.min(partitionS, partition / rate)
      : undefined,
  };
}

/** Writes FILE (JSON) and its markdown twin, the projection made with `rate`. */
function report(file: string, r: Result, rate?: number): void {
  const projection =
    r.partition > 0 && Object.keys(r.stages).length
      ? project(r.stages, r.partition, rate, r.once)
      : undefined;
  r.projection = projection;
  if (projection) log(`projection: ${JSON.stringify(projection)}`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(r, null, 1)}\n`);
  const md = [
    `# CUDA backend on ${r.device}`,
    '',
    `${r.backend}, ${r.date}. Host to host unless noted; bases random points repeated; scalars random`,
    'below 2^253 or a bit witness (0/1, one in 16 random).',
    '',
    '| what | size | n | s |',
    '| --- | --- | --- | --- |',
    ...r.rows.map(
      (x) => `| ${x.what} | ${x.lg !== undefined ? `2^${x.lg}` : ''} | ${x.n} | ${x.s.toFixed(4)} |`,
    ),
    '',
    ...(projection
      ? [
          `One partition's GPU work: ${projection.partitionGpuS.toFixed(3)} s (${projection.partitionGpuWithoutBG2S.toFixed(3)} s without the G2 MSM).`,
          `32GiB Commit2 (10 partitions): GPU ${projection.gpuS32GiB.toFixed(1)} s (${projection.onceS.toFixed(3)} s of it once a job: the structure sent to the GPU)` +
            (projection.commit2S32GiB !== undefined
              ? `, synthesis ${projection.synthesisS32GiB!.toFixed(1)} s at ${rate} constraints/s, overlapped ${projection.commit2S32GiB.toFixed(1)} s.`
              : ' (no synthesis rate given: bench/cuda.ts --report FILE --synthesis-rate R adds it).'),
        ]
      : []),
    ...(r.memory?.length
      ? [
          '',
          `Free GPU memory (GiB) after: ${r.memory.map((m) => `${m.after} ${m.freeGiB.toFixed(2)}`).join(', ')}.`,
        ]
      : []),
    ...(r.failures.length ? ['', '## Failures', '', ...r.failures.map((f) => `- ${f.split('\n')[0]}`)] : []),
    '',
  ];
  writeFileSync(file.replace(/\.json$/, '.md'), md.join('\n'));
  log(`wrote ${file.replace(/\.json$/, '.{json,md}')}`);
}
