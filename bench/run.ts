/**
 * npm run bench [-- --quick] : G1/G2 MSM and NTT on our CPU backend beside bellperson's multiexp and FFT,
 * the host's work per partition at 32GiB sizes (bench/host.ts), then circuit synthesis beside bellperson's (bench/synthesis.ts → bench/results/synthesis.{json,md}),
 * the whole 2KiB Commit2 (bench/commit2.ts) and the service's overhead and burst throughput
 * (bench/service.ts), each beside bellperson,
 * timed in the same run through the reference oracle's `bench`, on the same machine. Writes
 * bench/results/msm-ntt.{json,md} with the speedup bellperson_time / our_time (above 1: we are faster).
 */
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import type { FullBackend, Group } from '../src/backends/backend.ts';
import { createCpuBackend } from '../src/backends/cpu/index.ts';
import { G1, G2 } from '../src/groth16/curve.ts';
import { frRandom } from '../src/shared/fr.ts';

interface Row {
  op: string;
  log2: number;
  oursS: number;
  bellpersonS?: number;
}

const quick = process.argv.includes('--quick');
const msmLogs = quick ? [16, 18] : [16, 18, 20, 22];
const nttLogs = quick ? [16, 18] : [16, 18, 20, 22, 23];
const reps = 1;

/** Uniform below 2^254 (so below r), or uniform in {0, 1}: the shape of most of a PoRep witness. */
function randomScalars(n: number, bits = false): Uint8Array {
  const out = new Uint8Array(n * 32);
  if (bits) {
    for (let i = 0; i < n; i++) out[i * 32] = Math.random() < 0.5 ? 1 : 0;
    return out;
  }
  for (let o = 0; o < out.length; o += 65536)
    crypto.getRandomValues(out.subarray(o, Math.min(o + 65536, out.length)));
  for (let i = 0; i < n; i++) out[i * 32 + 31] = out[i * 32 + 31]! & 0x3f;
  return out;
}

async function timeIt(f: () => Promise<unknown>): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    await f();
    best = Math.min(best, (performance.now() - t) / 1000);
  }
  return best;
}

async function ours(backend: FullBackend): Promise<Row[]> {
  const rows: Row[] = [];
  for (const group of ['g1', 'g2'] as Group[]) {
    for (const lg of msmLogs) {
      const n = 1 << lg;
      const base =
        group === 'g1'
          ? G1.BASE.multiply(frRandom()).toBytes(false)
          : G2.BASE.multiply(frRandom()).toBytes(false);
      const points = await backend.fixedBaseMul(group, base, randomScalars(n));
      const table = backend.newTable(group, n);
      await backend.appendPoints(table, points, false);
      const scalars = randomScalars(n);
      rows.push({ op: `msm_${group}`, log2: lg, oursS: await timeIt(() => backend.msm(table, 0, scalars)) });
      const bits = randomScalars(n, true);
      rows.push({
        op: `msm_${group}_bits`,
        log2: lg,
        oursS: await timeIt(() => backend.msm(table, 0, bits)),
      });
      backend.freeTable(table);
      console.error(rows.slice(-2));
    }
  }
  for (const lg of nttLogs) {
    const v = randomScalars(1 << lg);
    rows.push({ op: 'fft', log2: lg, oursS: await timeIt(() => backend.ntt(v, 'forward')) });
    rows.push({ op: 'ifft', log2: lg, oursS: await timeIt(() => backend.ntt(v, 'inverse')) });
    // The prover's pattern, as bellperson's ifft_many + coset_fft_many + the rest of the quotient.
    const [a, b, c] = [randomScalars(1 << lg), randomScalars(1 << lg), randomScalars(1 << lg)];
    rows.push({ op: 'quotient', log2: lg, oursS: await timeIt(() => backend.quotient(a, b, c)) });
    console.error(rows.slice(-3));
  }
  return rows;
}

function bellperson(): { op: string; log2: number; seconds: number }[] {
  const out = execFileSync(
    'bash',
    [
      'test/reference/run.sh',
      'bench',
      '--g1',
      msmLogs.join(','),
      '--g2',
      msmLogs.join(','),
      '--fft',
      nttLogs.join(','),
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26 },
  );
  return JSON.parse(out.slice(out.indexOf('['))) as { op: string; log2: number; seconds: number }[];
}

const theirs: Record<string, string> = {
  msm_g1: 'multiexp_g1',
  msm_g2: 'multiexp_g2',
  fft: 'fft',
  ifft: 'ifft',
  quotient: 'ifft_many3+coset_fft_many3',
};

const rows = await ours(createCpuBackend());
const ref = bellperson();
for (const r of rows) {
  const name = theirs[r.op];
  const match = ref.find((x) => x.op === name && x.log2 === r.log2);
  if (match) r.bellpersonS = match.seconds;
}
await mkdir('bench/results', { recursive: true });
const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}`;
await writeFile(
  'bench/results/msm-ntt.json',
  JSON.stringify({ machine, date: new Date().toISOString(), rows }, null, 1),
);
const md = [
  '# CPU backend vs bellperson 0.27 (same machine, same run)',
  '',
  `Machine: ${machine}. Date: ${new Date().toISOString()}. Written by \`npm run bench\`.`,
  'Speedup = bellperson seconds / ours (above 1: ours is faster). `_bits`: scalars all 0 or 1 (PoRep witness).',
  "quotient vs bellperson: ours is the whole H computation; bellperson's figure is only its 3 iFFT + 3 coset FFT.",
  '',
  '| op | size | ours (s) | bellperson (s) | speedup |',
  '| --- | ---: | ---: | ---: | ---: |',
  ...rows.map(
    (r) =>
      `| ${r.op} | 2^${r.log2} | ${r.oursS.toFixed(3)} | ${r.bellpersonS?.toFixed(3) ?? '-'} | ${
        r.bellpersonS ? (r.bellpersonS / r.oursS).toFixed(2) : '-'
      } |`,
  ),
  '',
];
await writeFile('bench/results/msm-ntt.md', md.join('\n'));
console.log(md.join('\n'));

// The host's work per partition at 32GiB sizes, before and now (bench/host.ts).
execFileSync(process.execPath, ['bench/host.ts'], { stdio: 'inherit' });
// Circuit synthesis vs bellperson's (bench/synthesis.ts), each measurement in its own process.
execFileSync(process.execPath, ['bench/synthesis.ts', ...process.argv.slice(2)], { stdio: 'inherit' });
// The whole 2KiB Commit2 vs bellperson's on the same parameters (bench/commit2.ts).
if (!quick) execFileSync(process.execPath, ['bench/commit2.ts'], { stdio: 'inherit' });
// The service's overhead over the CLI and a burst's throughput vs bellperson's (bench/service.ts).
if (!quick) execFileSync(process.execPath, ['bench/service.ts'], { stdio: 'inherit' });
