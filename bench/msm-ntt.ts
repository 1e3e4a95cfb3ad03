/**
 * Native CPU backend figures: G1/G2 MSM (random and bit scalars), NTT and fixed-base multiplication
 * across sizes, written to bench/results/cpu-msm-ntt.{json,md}.
 *
 *   node bench/msm-ntt.ts [--msm 16-22] [--ntt 16-23] [--fixed 16-20] [--groups g1,g2] [--reps 1]
 *   (a range may be `none`; rows already in the JSON for other sizes or operations are kept, so a
 *   partial run updates the table rather than replacing it; --fresh starts over)
 *
 * Bases come from the backend's own fixedBaseMul (distinct random subgroup points); scalars are
 * uniform below 2^254 (random) or uniform in {0, 1} (bits, the shape of most of a PoRep witness).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { bls12_381 } from '@noble/curves/bls12-381.js';
import type { Group } from '../src/backends/backend.ts';
import { createCpuBackend } from '../src/backends/cpu/index.ts';

function range(arg: string | undefined, def: [number, number]): number[] {
  if (arg === 'none') return [];
  const [lo, hi] = arg ? arg.split('-').map(Number) : def;
  const out = [];
  for (let l = lo!; l <= (hi ?? lo)!; l++) out.push(l);
  return out;
}

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const msmLogs = range(flag('msm'), [16, 22]);
const nttLogs = range(flag('ntt'), [16, 23]);
const fixedLogs = range(flag('fixed'), [16, 20]);
const groups = (flag('groups') ?? 'g1,g2').split(',') as Group[];
const reps = Number(flag('reps') ?? 1);

const backend = createCpuBackend();
const loadAtStart = os.loadavg()[0]!;

function randomScalars(n: number, bits: boolean): Uint8Array {
  const out = new Uint8Array(n * 32);
  if (bits) {
    const r = new Uint8Array(n);
    for (let off = 0; off < n; off += 65536) crypto.getRandomValues(r.subarray(off, off + 65536));
    for (let i = 0; i < n; i++) out[i * 32] = r[i]! & 1;
    return out;
  }
  for (let off = 0; off < out.length; off += 65536) crypto.getRandomValues(out.subarray(off, off + 65536));
  for (let i = 31; i < out.length; i += 32) out[i]! &= 0x3f; // below 2^254 < r
  return out;
}

async function time(f: () => Promise<unknown>): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await f();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

interface Row {
  op: string;
  group?: Group;
  scalars?: 'random' | 'bits';
  log2: number;
  ms: number;
}
const rows: Row[] = [];
const log = (r: Row): void => {
  rows.push(r);
  console.log(
    `${r.op.padEnd(12)} ${(r.group ?? '').padEnd(3)} ${(r.scalars ?? '').padEnd(7)} 2^${r.log2}\t${r.ms.toFixed(1)} ms`,
  );
};

const base: Record<Group, Uint8Array> = {
  g1: bls12_381.G1.Point.BASE.toBytes(false),
  g2: bls12_381.G2.Point.BASE.toBytes(false),
};

for (const group of groups) {
  for (const l of fixedLogs) {
    const s = randomScalars(1 << l, false);
    log({
      op: 'fixedBaseMul',
      group,
      log2: l,
      ms: await time(() => backend.fixedBaseMul(group, base[group], s)),
    });
  }
  const maxMsm = Math.max(...msmLogs);
  if (!Number.isFinite(maxMsm)) continue;
  const t0 = performance.now();
  const points = await backend.fixedBaseMul(group, base[group], randomScalars(1 << maxMsm, false));
  if (!fixedLogs.includes(maxMsm))
    log({ op: 'fixedBaseMul', group, log2: maxMsm, ms: performance.now() - t0 });
  const table = backend.newTable(group, 1 << maxMsm);
  const t1 = performance.now();
  await backend.appendPoints(table, points, false);
  console.log(
    `(${group}: 2^${maxMsm} bases loaded without validation in ${(performance.now() - t1).toFixed(0)} ms)`,
  );
  for (const l of msmLogs) {
    for (const kind of ['random', 'bits'] as const) {
      const s = randomScalars(1 << l, kind === 'bits');
      log({ op: 'msm', group, scalars: kind, log2: l, ms: await time(() => backend.msm(table, 0, s)) });
    }
  }
  backend.freeTable(table);
}

for (const l of nttLogs) {
  const v = randomScalars(1 << l, false);
  log({ op: 'ntt', log2: l, ms: await time(() => backend.ntt(v, false)) });
}

const machine = `${os.cpus()[0]?.model ?? 'cpu'}, ${os.availableParallelism()} threads, ${Math.round(os.totalmem() / 2 ** 30)} GiB, load average ${loadAtStart.toFixed(1)} at start and ${os.loadavg()[0]!.toFixed(1)} at end`;
const jsonUrl = new URL('results/cpu-msm-ntt.json', import.meta.url);
mkdirSync(new URL('results/', import.meta.url), { recursive: true });
const rowKey = (r: Row): string => `${r.op}|${r.group ?? ''}|${r.scalars ?? ''}|${r.log2}`;
if (!process.argv.includes('--fresh') && existsSync(jsonUrl)) {
  const old = JSON.parse(readFileSync(jsonUrl, 'utf8')) as { rows: Row[] };
  const fresh = new Set(rows.map(rowKey));
  rows.unshift(...old.rows.filter((r) => !fresh.has(rowKey(r))));
}
const json = { backend: backend.name, machine, date: new Date().toISOString(), reps, rows };
writeFileSync(jsonUrl, `${JSON.stringify(json, null, 2)}\n`);

const sizes = [...new Set(rows.map((r) => r.log2))].sort((a, b) => a - b);
const key = (r: Row): string => [r.op, r.group ?? '', r.scalars ?? ''].join(' ').trim();
const series = [...new Set(rows.map(key))];
const cell = (k: string, l: number): string => {
  const r = rows.find((x) => key(x) === k && x.log2 === l);
  return r ? (r.ms >= 100 ? `${(r.ms / 1000).toFixed(2)} s` : `${r.ms.toFixed(1)} ms`) : '';
};
const md = [
  '# Native CPU backend: MSM, NTT, fixed-base multiplication',
  '',
  `${backend.name}; ${machine} (last run); best of ${reps}; ${json.date.slice(0, 10)}. Produced by \`node bench/msm-ntt.ts\`.`,
  '',
  `| operation | ${sizes.map((l) => `2^${l}`).join(' | ')} |`,
  `| --- | ${sizes.map(() => '---:').join(' | ')} |`,
  ...series.map((k) => `| ${k} | ${sizes.map((l) => cell(k, l)).join(' | ')} |`),
  '',
];
writeFileSync(new URL('results/cpu-msm-ntt.md', import.meta.url), md.join('\n'));
console.log(md.join('\n'));
