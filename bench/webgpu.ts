/**
 * node bench/webgpu.ts [--allow-software] [--msm-only | --fields-only | --sweep] [--max-log N] [--points LIST]
 * [--json FILE]:
 * microbenchmarks of the WGSL kernels on this machine's WebGPU adapter. Fr and Fq Montgomery products per
 * second in each limb layout of the field template (chains of dependent products, so nothing is skipped),
 * the NTT and quotient in each Fr layout beside the CPU backend's, and the quotient from a PoRep-like R1CS
 * (its first call and a steady one, then with H's MSM, H through the host or kept on the GPU;
 * `--fields-only` stops there); G1 and
 * G2 point additions per second and compile times (pipeline and first dispatch) of each point-kernel
 * form, and MSM beside the CPU backend's (benchForms): random scalars, and a PoRep-shaped witness (98%
 * 0/1). `--sweep` instead times one G1 MSM over window widths, chunk and segment sizes (sweep()). Every
 * result is checked (bigints, noble, the CPU backend): a wrong one fails the run. `--json` writes the
 * field, NTT, addition, MSM and sweep rows. On llvmpipe these are the CPU's SIMD lanes, not a GPU's: the
 * layout is chosen on a GPU.
 */
import { createCpuBackend } from '../src/backends/cpu/index.ts';
import { freeVector, openGpu } from '../src/backends/webgpu/device.ts';
import { FrOps } from '../src/backends/webgpu/fr-ops.ts';
import { FIELD_LAYOUTS, type FieldLayout } from '../src/backends/webgpu/shaders.ts';
import { FQ_MODULUS, fqPow } from '../src/backends/webgpu/curve-program.ts';
import { WebgpuNtt } from '../src/backends/webgpu/ntt.ts';
import { WebgpuR1cs } from '../src/backends/webgpu/r1cs.ts';
import { poRepLikeR1cs } from './porep-like-r1cs.ts';
import { writeFile } from 'node:fs/promises';
import { sampleScalars } from '../src/backends/profile.ts';
import type { Group } from '../src/backends/backend.ts';
import { G1Point, G2Point } from '../src/backends/webgpu/curve-points.ts';
import { CurveMsm, type GpuTable, MSM_ENTRIES } from '../src/backends/webgpu/msm.ts';
import { PointOps } from '../src/backends/webgpu/point-ops.ts';
import { type PointKernels, describePoints } from '../src/backends/webgpu/point-form.ts';
import { FR_MODULUS, frInv, frRandom } from '../src/shared/fr.ts';
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
const sweepOnly = process.argv.includes('--sweep');
const cpu = createCpuBackend();
/** The G1 MSM of the quotient rows' H (made there). */
let g1: CurveMsm;

const fieldsOnly = process.argv.includes('--fields-only');
const fieldRows: FieldRow[] = [];
const nttRows: {
  layout: FieldLayout;
  log2: number;
  nttS: number;
  cpuNttS: number;
  quotientS: number;
  cpuQuotientS: number;
}[] = [];
const r1csRows: {
  log2: number;
  constraints: number;
  firstS: number;
  steadyS: number;
  cpuS: number;
  state: string;
  /** the quotient then H's MSM: H read back, split and uploaded, or kept on the GPU (quotientMsm's way) */
  withMsmViaHostS: number;
  withMsmKeptS: number;
}[] = [];
if (!msmOnly && !sweepOnly) await fields();
if (!msmOnly && !sweepOnly) await ntts();
if (!msmOnly && !sweepOnly) await r1csQuotients();
const rows: Row[] = [];
const addRows: {
  group: Group;
  points: string;
  threads: number;
  iters: number;
  seconds: number;
  addsPerS: number;
}[] = [];
const sweepRows: {
  log2: number;
  points: string;
  windowBits: number;
  chunk: number;
  segment: number;
  s: number;
}[] = [];
if (sweepOnly) await sweep();
else if (!fieldsOnly) for (const group of ['g1', 'g2'] as Group[]) await points(group);
await save();
gpu.close();

/** Writes the rows so far (after each MSM size too: a run cut by its budget keeps what it measured). */
async function save(): Promise<void> {
  const json = arg('--json');
  if (!json) return;
  const doc = {
    adapter: gpu.description,
    software: gpu.software,
    fields: fieldRows,
    ntt: nttRows,
    quotientR1cs: r1csRows,
    adds: addRows,
    rows,
    sweep: sweepRows,
  };
  await writeFile(json, JSON.stringify(doc, null, 2));
  if (fieldRows.length || rows.length || sweepRows.length)
    await writeFile(json.replace(/\.json$/, '') + '.md', layoutTable());
}

/** The layouts side by side: each chain length's products per second, the NTT and quotient, the MSM forms. */
function layoutTable(): string {
  const md = [
    `# The WGSL kernels' limb layouts and point forms on ${gpu.description}${gpu.software ? ' (software)' : ''}`,
    '',
    `\`node bench/webgpu.ts\`, ${new Date().toISOString().slice(0, 10)}; every result checked (bigints, the CPU backend).`,
    '',
    '| field | layout | threads x chain | M products/s | vs limb16 |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const r of fieldRows) {
    const base = fieldRows.find((b) => b.field === r.field && b.iters === r.iters && b.layout === 'limb16');
    md.push(
      `| ${r.field} | ${r.layout} | ${r.threads} x ${r.iters} | ${(r.mulsPerS / 1e6).toFixed(1)} | ${base ? (r.mulsPerS / base.mulsPerS).toFixed(2) : ''} |`,
    );
  }
  md.push(
    '',
    '| Fr layout | size | NTT s | CPU NTT s | quotient s | CPU quotient s |',
    '| --- | --- | --- | --- | --- | --- |',
  );
  for (const r of nttRows)
    md.push(
      `| ${r.layout} | 2^${r.log2} | ${r.nttS.toFixed(4)} | ${r.cpuNttS.toFixed(4)} | ${r.quotientS.toFixed(4)} | ${r.cpuQuotientS.toFixed(4)} |`,
    );
  md.push(
    '',
    "| quotientR1cs | constraints | first call s | steady s | CPU s | structure | with H's MSM, H via the host s | H kept on the GPU s |",
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const r of r1csRows)
    md.push(
      `| 2^${r.log2} | ${r.constraints} | ${r.firstS.toFixed(4)} | ${r.steadyS.toFixed(4)} | ${r.cpuS.toFixed(4)} | ${r.state} | ${r.withMsmViaHostS.toFixed(4)} | ${r.withMsmKeptS.toFixed(4)} |`,
    );
  md.push('', '| group | points | threads x chain | M additions/s |', '| --- | --- | --- | --- |');
  for (const r of addRows)
    md.push(`| ${r.group} | ${r.points} | ${r.threads} x ${r.iters} | ${(r.addsPerS / 1e6).toFixed(3)} |`);
  // the sweep's configurations, fastest first: CHUNK, SEGMENT and windowBits in msm.ts are picked here
  md.push(
    '',
    '| size | points | window bits | chunk | segment | G1 MSM s |',
    '| --- | --- | --- | --- | --- | --- |',
  );
  for (const r of [...sweepRows].sort((x, y) => x.s - y.s))
    md.push(
      `| 2^${r.log2} | ${r.points} | ${r.windowBits} | ${r.chunk} | ${r.segment} | ${r.s.toFixed(4)} |`,
    );
  // the point-kernel forms side by side: C2_WEBGPU_POINTS / C2_WEBGPU_FQ_LAYOUT's default is picked here
  md.push(
    '',
    '| group | size | witness | points | MSM s | speed vs slots | CPU s |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const r of rows) {
    const slots = rows.find(
      (b) =>
        b.group === r.group && b.log2 === r.log2 && b.witness === r.witness && b.points === 'points slots',
    );
    md.push(
      `| ${r.group} | 2^${r.log2} | ${r.witness} | ${r.points} | ${r.webgpuS.toFixed(4)} | ${slots ? (slots.webgpuS / r.webgpuS).toFixed(2) : ''} | ${r.cpuS.toFixed(4)} |`,
    );
  }
  return md.join('\n') + '\n';
}

interface FieldRow {
  field: 'fr' | 'fq';
  layout: FieldLayout;
  threads: number;
  iters: number;
  seconds: number;
  mulsPerS: number;
}

/**
 * Montgomery products per second in each limb layout (the choice of limb width), Fr and Fq: chains
 * of dependent products, less the same dispatch without them, each chain's result checked against bigints
 * on a sample (a software adapter's loop limiter, or a wrong layout, fails the run rather than its figure).
 */
async function fields(): Promise<void> {
  const threads = gpu.software ? 4096 : 1 << 20;
  for (const field of ['fr', 'fq'] as const) {
    const bytes = field === 'fr' ? 32 : 48;
    const p = field === 'fr' ? FR_MODULUS : FQ_MODULUS;
    // a chain costs the same whatever its values: 2^12 distinct ones, repeated to every thread
    const values = Array.from({ length: Math.min(threads, 4096) }, () => (frRandom() * frRandom()) % p);
    const encode = (v: bigint[]) => {
      const one = new Uint8Array(v.length * bytes);
      v.forEach((x, i) => {
        for (let k = 0; k < bytes; k++) one[i * bytes + k] = Number((x >> BigInt(8 * k)) & 0xffn);
      });
      const out = new Uint8Array(threads * bytes);
      for (let at = 0; at < out.length; at += one.length) out.set(one.subarray(0, out.length - at), at);
      return out;
    };
    const a = encode(values);
    const b = encode(values.map((x) => (x * 7n + 3n) % p));
    const decode = (out: Uint8Array, i: number) => {
      let v = 0n;
      for (let k = bytes - 1; k >= 0; k--) v = (v << 8n) | BigInt(out[i * bytes + k]!);
      return v;
    };
    for (const layout of FIELD_LAYOUTS) {
      const ops = field === 'fr' ? await FrOps.create(gpu, layout) : await FrOps.createFq(gpu, layout);
      const rInv = field === 'fr' ? frInv(ops.r) : fqPow(ops.r, FQ_MODULUS - 2n);
      for (const iters of gpu.software ? [512, 2048] : [1024, 4096]) {
        const s = await time(() => ops.mulChain(a, b, iters));
        const base = await time(() => ops.mulChain(a, b, 0));
        const out = await ops.mulChain(a, b, iters);
        for (let i = 0; i < 8; i++) {
          let v = values[i]!;
          const y = (values[i]! * 7n + 3n) % p;
          for (let k = 0; k < iters; k++) v = (v * y * rInv) % p;
          if (decode(out, i) !== v) {
            console.log(`${field} ${layout} x ${iters}: element ${i} WRONG`);
            process.exitCode = 1;
            break;
          }
        }
        const rate = (threads * iters) / Math.max(s - base, 1e-9);
        fieldRows.push({ field, layout, threads, iters, seconds: s - base, mulsPerS: rate });
        console.log(
          `${field} mont_mul ${layout}: ${threads} threads x ${iters}: ${s.toFixed(3)}s (${base.toFixed(3)}s without) ${(rate / 1e6).toFixed(3)} M/s`,
        );
      }
    }
  }
}

/** The NTT and the quotient in each Fr layout beside the CPU backend's, each result checked against it. */
async function ntts(): Promise<void> {
  const logs = gpu.software ? [10, 12, 14] : [16, 20, 22];
  const inputs = logs.map((log) => random(2 ** log));
  const want = await Promise.all(
    inputs.map(async (v) => {
      const w = v.slice();
      await cpu.ntt(w, 'forward');
      return { ntt: w, quotient: await cpu.quotient(v, v, v) };
    }),
  );
  for (const layout of FIELD_LAYOUTS) {
    const ntt = await WebgpuNtt.create(gpu, { layout });
    for (const [k, log] of logs.entries()) {
      const v = inputs[k]!;
      const w = v.slice();
      await ntt.ntt(w, 'forward');
      const q = await ntt.quotient(v, v, v);
      const ok =
        Buffer.from(w).equals(Buffer.from(want[k]!.ntt)) &&
        Buffer.from(q).equals(Buffer.from(want[k]!.quotient));
      if (!ok) process.exitCode = 1;
      const g = await time(() => ntt.ntt(v.slice(), 'forward'));
      const c = await time(() => cpu.ntt(v.slice(), 'forward'));
      const gq = await time(() => ntt.quotient(v, v, v));
      const cq = await time(() => cpu.quotient(v, v, v));
      console.log(
        `ntt 2^${log} ${layout}: webgpu ${g.toFixed(3)}s, cpu ${c.toFixed(4)}s; quotient webgpu ${gq.toFixed(3)}s, cpu ${cq.toFixed(4)}s${ok ? '' : ' MISMATCH'}`,
      );
      nttRows.push({ layout, log2: log, nttS: g, cpuNttS: c, quotientS: gq, cpuQuotientS: cq });
    }
  }
}

/**
 * The quotient from an R1CS shaped as PoRep's and a PoRep-shaped witness (98% 0/1), as the prover calls it
 * for each partition: the first call of a structure places it on the GPU, later ones send only the
 * witness's code (r1cs.ts, witness.ts); both timed, beside the CPU backend's, every result checked.
 */
async function r1csQuotients(): Promise<void> {
  const r1cs = await WebgpuR1cs.create(gpu);
  const ntt = await WebgpuNtt.create(gpu);
  g1 = await CurveMsm.create(gpu, 'g1');
  const inputs = 20;
  for (const log of gpu.software ? [10] : [16, 20, 22]) {
    const n = 2 ** log - inputs;
    const sys = poRepLikeR1cs(n, inputs, n);
    const w = sampleScalars(n, true);
    w.fill(0, 0, 32);
    w[0] = 1;
    const [x, y] = [w.subarray(0, 32 * inputs), w.subarray(32 * inputs)];
    if (!r1cs.fits(sys, x, y)) {
      console.log(`quotientR1cs 2^${log}: past the adapter's bindings, not timed`);
      continue;
    }
    const space = async () => {
      const q = ntt.quotientSpace(n + inputs);
      try {
        await r1cs.evaluateInto(sys, x, y, q);
      } catch (e) {
        ntt.freeQuotient(q);
        throw e;
      }
      return q;
    };
    const run = async () => ntt.quotientOf(await space());
    let t0 = performance.now();
    const got = await run();
    const firstS = (performance.now() - t0) / 1000;
    t0 = performance.now();
    await run();
    const steadyS = (performance.now() - t0) / 1000;
    t0 = performance.now();
    const want = await cpu.quotientR1cs(sys, x, y);
    const cpuS = (performance.now() - t0) / 1000;
    const ok = Buffer.from(got).equals(Buffer.from(want));
    // then H's MSM over an h table of the domain's size, as the prover runs them on this backend (H kept on
    // the GPU) and as it did before (H read back, split on the host and uploaded): the same sum
    const m = 2 ** log;
    const table = await hTable(m - 1);
    const viaHost = async () => g1.msm(table, 0, await run());
    const kept = async () => {
      const h = await ntt.quotientOnDevice(await space());
      try {
        return await g1.msmVector(table, 0, h, m - 1);
      } finally {
        freeVector(h);
      }
    };
    const withMsmViaHostS = await time(viaHost);
    const withMsmKeptS = await time(kept);
    const sameSum = Buffer.from(await viaHost()).equals(Buffer.from(await kept()));
    g1.freeTable(table);
    if (!ok || !sameSum) process.exitCode = 1;
    const state = r1cs.structureState(sys) ?? 'none';
    console.log(
      `quotientR1cs 2^${log}: webgpu first ${firstS.toFixed(3)}s, steady ${steadyS.toFixed(3)}s (${state}), cpu ${cpuS.toFixed(3)}s${ok ? '' : ' MISMATCH'}; with H's MSM: H via the host ${withMsmViaHostS.toFixed(3)}s, kept on the GPU ${withMsmKeptS.toFixed(3)}s${sameSum ? '' : ' MISMATCH'}`,
    );
    r1csRows.push({ log2: log, constraints: n, firstS, steadyS, cpuS, state, withMsmViaHostS, withMsmKeptS });
  }
}

/** `count` random points of the group, uncompressed: distinct points are costly (blst fixed-base on the CPU). */
function distinctPoints(group: Group, count: number): Promise<Uint8Array> {
  const G = group === 'g1' ? G1Point : G2Point;
  return cpu.fixedBaseMul(
    group,
    G.BASE.toBytes(false),
    frVector(Array.from({ length: count }, () => frRandom() || 1n)),
  );
}

/** n points of `size` bytes: `few`'s, repeated (an MSM costs the same whichever points it sums). */
function repeated(few: Uint8Array, size: number, n: number): Uint8Array {
  const distinct = few.length / size;
  const bytes = new Uint8Array(size * n);
  for (let at = 0; at < n; at += distinct)
    bytes.set(few.subarray(0, size * Math.min(distinct, n - at)), size * at);
  return bytes;
}

/** A G1 table of n points on the GPU: 2^12 distinct ones, repeated. */
async function hTable(n: number): Promise<GpuTable> {
  const bytes = repeated(await distinctPoints('g1', Math.min(n, 1 << 12)), 96, n);
  const t = g1.newTable(n);
  await g1.appendPoints(t, bytes, false);
  return t;
}

/**
 * `--sweep`: the G1 MSM of 2^min(20, --max-log) random scalars in the first of benchForms() over window
 * widths, chunk and segment sizes (the defaults in msm.ts are guesses until a GPU measures them), every sum
 * checked against the CPU backend's.
 */
async function sweep(): Promise<void> {
  const k = benchForms()[0]!;
  const log = Math.min(20, Number(arg('--max-log') ?? (gpu.software ? 6 : 20)));
  const n = 2 ** log;
  const msm = await CurveMsm.create(gpu, 'g1', { points: k });
  const bytes = repeated(await distinctPoints('g1', Math.min(n, 1 << 12)), 96, n);
  const tc = cpu.newTable('g1', n);
  await cpu.appendPoints(tc, bytes, false);
  const tg = msm.newTable(n);
  await msm.appendPoints(tg, bytes, false);
  const sc = sampleScalars(n, false);
  const want = Buffer.from(await cpu.msm(tc, 0, sc));
  const widths = gpu.software ? [3, 4, 5] : [11, 12, 13, 14, 15, 16];
  for (const windowBits of widths)
    for (const chunk of [16, 64, 256])
      for (const segment of [32, 128]) {
        const tuned = msm.tuned({ windowBits, chunk, segment });
        const ok = Buffer.from(await tuned.msm(tg, 0, sc)).equals(want);
        if (!ok) process.exitCode = 1;
        const s = await time(() => tuned.msm(tg, 0, sc));
        sweepRows.push({ log2: log, points: describePoints(k), windowBits, chunk, segment, s });
        console.log(
          `g1 msm 2^${log} (${describePoints(k)}) c ${windowBits} chunk ${chunk} segment ${segment}: ${s.toFixed(4)}s${ok ? '' : ' MISMATCH'}`,
        );
      }
  await save();
  msm.freeTable(tg);
  cpu.freeTable(tc);
}

interface Row {
  group: Group;
  /** The point kernels' form (describePoints). */
  points: string;
  log2: number;
  witness: string;
  webgpuS: number;
  cpuS: number;
  firstS: number;
}

/**
 * The point-kernel forms to time: `--points slots,registers-word32,registers-limb16` (any of them), else
 * all three on a GPU and the slot form alone on a software adapter (the registers form's kernels take
 * llvmpipe minutes to compile).
 */
function benchForms(): PointKernels[] {
  const all: Record<string, PointKernels> = {
    slots: { form: 'slots', fq: 'word32' },
    'registers-word32': { form: 'registers', fq: 'word32' },
    'registers-limb16': { form: 'registers', fq: 'limb16' },
  };
  const names = (arg('--points') ?? (gpu.software ? 'slots' : Object.keys(all).join(','))).split(',');
  return names.map((n) => {
    const k = all[n];
    if (!k) throw new Error(`--points takes ${Object.keys(all).join(', ')}, got ${JSON.stringify(n)}`);
    return k;
  });
}

async function points(group: Group): Promise<void> {
  const G = group === 'g1' ? G1Point : G2Point;
  const threads = gpu.software ? 256 : 1 << 18;
  // distinct points are costly to make on the host: 2^10 of them, repeated
  const few = Array.from({ length: 1024 }, (_, i) => G.BASE.multiply(BigInt(i + 2)));
  const pts = Array.from({ length: threads }, (_, i) => few[i % few.length]!);
  const iters = gpu.software ? 16 : 256;
  // each form's additions per second: a chain of dependent additions a thread, less the dispatch alone
  for (const k of benchForms()) {
    const name = describePoints(k);
    const ops = await PointOps.create(gpu, group, k);
    const s = await time(() => ops.addChain(pts, pts, iters));
    const base = await time(() => ops.addChain(pts, pts, 0));
    // a + iters * a, checked on the first distinct points
    const got = await ops.addChain(pts.slice(0, 4), pts.slice(0, 4), iters);
    const ok = got.every((p, i) => p.toHex() === few[i]!.multiply(BigInt(iters + 1)).toHex());
    if (!ok) process.exitCode = 1;
    const addsPerS = (threads * iters) / Math.max(s - base, 1e-9);
    addRows.push({ group, points: name, threads, iters, seconds: s, addsPerS });
    console.log(
      `${group} add (${name}): ${threads} threads x ${iters}: ${s.toFixed(3)}s ${(addsPerS / 1e6).toFixed(4)} M/s${ok ? '' : ' MISMATCH'}`,
    );
  }

  // every form's kernels, compiled up front (the compile times are a figure of their own)
  const forms: { name: string; msm: CurveMsm }[] = [];
  for (const k of benchForms()) {
    const name = describePoints(k);
    const msm = await CurveMsm.create(gpu, group, { points: k });
    for (const entry of MSM_ENTRIES) {
      const t0 = performance.now();
      await msm.pipeline(entry);
      console.log(
        `${group} ${name} compile ${entry}: ${(performance.now() - t0).toFixed(0)} ms (pipeline; the JIT may wait for the first dispatch)`,
      );
    }
    forms.push({ name, msm });
  }
  // G2 points are twice the bytes and its additions three times the work: two sizes fewer
  const maxLog = Number(arg('--max-log') ?? (gpu.software ? 8 : 26)) - (group === 'g2' ? 2 : 0);
  const logs = gpu.software
    ? [6, 8, 10].filter((l) => l <= maxLog)
    : [10, 12, 14, 16, 18, 20, 22, 24, 26].filter((l) => l <= maxLog);
  // 2^16 distinct points, repeated
  const base1 = await distinctPoints(group, 1 << Math.min(16, logs[logs.length - 1] ?? 6));
  for (const log of logs) {
    const n = 2 ** log;
    const size = group === 'g1' ? 96 : 192;
    const bytes = repeated(base1, size, n);
    const tc = cpu.newTable(group, n);
    await cpu.appendPoints(tc, bytes, false);
    const witnesses = [false, true].map((bits) => ({ bits, sc: sampleScalars(n, bits) }));
    const cpuRuns = [];
    for (const w of witnesses)
      cpuRuns.push({ c: await time(() => cpu.msm(tc, 0, w.sc)), want: await cpu.msm(tc, 0, w.sc) });
    // one form's table on the GPU at a time: the largest sizes hold one
    for (const { name, msm } of forms) {
      const tg = msm.newTable(n);
      const t0 = performance.now();
      await msm.appendPoints(tg, bytes, false);
      const uploadS = (performance.now() - t0) / 1000;
      for (const [i, { bits, sc }] of witnesses.entries()) {
        const { c, want } = cpuRuns[i]!;
        const f0 = performance.now();
        const got = await msm.msm(tg, 0, sc);
        const firstS = (performance.now() - f0) / 1000;
        const g = await time(() => msm.msm(tg, 0, sc));
        const ok = Buffer.from(got).equals(Buffer.from(want));
        // a wrong sum fails the run, not just its line
        if (!ok) process.exitCode = 1;
        const witness = bits ? 'porep (98% 0/1)' : 'random';
        rows.push({ group, points: name, log2: log, witness, webgpuS: g, cpuS: c, firstS });
        console.log(
          `${group} msm 2^${log} ${witness} (${name}): webgpu ${g.toFixed(3)}s (first ${firstS.toFixed(3)}s, upload ${uploadS.toFixed(3)}s), cpu ${c.toFixed(4)}s${ok ? '' : ' MISMATCH'}`,
        );
      }
      msm.freeTable(tg);
    }
    cpu.freeTable(tc);
    await save();
  }
}
