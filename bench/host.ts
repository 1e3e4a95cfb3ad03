/**
 * node bench/host.ts (also run by `npm run bench`): the host's work the prover does on the event loop for
 * each partition, at a 32GiB partition's sizes, each beside what it replaced in the same run: counting a
 * density map (130,278,541 variables), the Groth16 self-check (327 public inputs), and the density maps of
 * a structure (8MiB's, projected by constraints; now read with the structure file). Writes
 * bench/results/host-32gib.{json,md}.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { densities, popcount } from '../src/groth16/r1cs.ts';
import { verifyProof } from '../src/groth16/verify.ts';
import { readVerifyingKeyFile } from '../src/groth16/params-file.ts';
import { decodeProofs } from '../src/groth16/proof.ts';
import type { VerifyingKey } from '../src/groth16/verifying-key.ts';
import { parseCommit2Input } from '../src/porep/commit2-input.ts';
import { synthesize } from '../src/circuit/synthesis-task.ts';
import { verifyProofReference } from '../test/support/reference-verify.ts';

const P32G = 130_278_541;
const INPUTS_32G = 327; // 3 commitments and 18 challenges of 18 inputs
const REPS = 3;

/** Best of REPS, milliseconds. */
function best(f: () => unknown): number {
  let ms = Infinity;
  for (let i = 0; i < REPS; i++) {
    const t = performance.now();
    f();
    ms = Math.min(ms, performance.now() - t);
  }
  return ms;
}

interface Row {
  what: string;
  size: string;
  beforeMs: number;
  nowMs: number;
  before: string;
  now: string;
}
const rows: Row[] = [];

// a density map of a 32GiB partition: a third of the variables kept (A's map keeps about that)
const map = new Uint8Array(P32G);
for (let i = 0; i < map.length; i += 3) map[i] = 1;
const bytewise = (d: Uint8Array): number => {
  let n = 0;
  for (const x of d) n += x;
  return n;
};
if (popcount(map) !== bytewise(map)) throw new Error('popcount disagrees with the byte count');
rows.push({
  what: 'count a density map (twice a partition)',
  size: `${P32G} variables`,
  beforeMs: best(() => bytewise(map)),
  nowMs: best(() => popcount(map)),
  before: 'a loop over the bytes',
  now: 'popcount: u32 words, 255 at a time',
});

// the self-check: bellperson's real 2KiB proof, and a 32GiB-sized key (random points: the check's cost,
// its answer false)
const dir = 'test/fixtures/2kib/v1_1-t01000-s1';
const vk = await readVerifyingKeyFile(
  'test/fixtures/params/v28-stacked-proof-of-replication-merkletree-poseidon_hasher-8-0-0-sha256_hasher-032d3138d22506ec0082ed72b2dcba18df18477904e35bafee82b3793b06832f.vk',
);
const inputs = (
  JSON.parse(await readFile(`${dir}/public-inputs.json`, 'utf8')) as { partitions: string[][] }
).partitions[0]!.map((h) => BigInt(h));
const [proof] = decodeProofs(Buffer.from((await readFile(`${dir}/proof.hex`, 'utf8')).trim(), 'hex'));
if (!verifyProof(vk, proof!, inputs) || !verifyProofReference(vk, proof!, inputs))
  throw new Error("bellperson's 2KiB proof does not verify");
const G1 = bls12_381.G1.Point;
const some = (i: number) => G1.BASE.multiply(BigInt(i) * 7919n + 3n);
const big: VerifyingKey = { ...vk, ic: Array.from({ length: INPUTS_32G + 1 }, (_, i) => some(i)) };
// a 32GiB partition's inputs: the commitments in full, the challenges' packed paths a few bits each
const bigInputs = Array.from({ length: INPUTS_32G }, (_, i) => (i < 3 ? inputs[i]! : BigInt(i * 1_000_003)));
verifyProof(big, proof!, bigInputs); // the key's bytes, made once a key
for (const [size, k, xs] of [
  [`2KiB (${inputs.length} inputs, valid)`, vk, inputs],
  [`32GiB-sized (${INPUTS_32G} inputs)`, big, bigInputs],
] as const) {
  rows.push({
    what: 'Groth16 self-check (once a partition)',
    size,
    beforeMs: best(() => verifyProofReference(k, proof!, xs)),
    nowMs: best(() => verifyProof(k, proof!, xs)),
    before: '@noble/curves',
    now: 'blst (native/src/verify.rs)',
  });
}

// the density maps of a structure: 8MiB's, the pass over A's and B's terms projected to 32GiB
const job = parseCommit2Input(await readFile('test/fixtures/8mib/v1_1-t01000-s1/c2input.json', 'utf8'));
const r1cs = synthesize({ job, partition: 0 }).r1cs!;
const pass = best(() => densities({ ...r1cs })); // a fresh object: not the remembered maps
rows.push({
  what: 'density maps of the structure (once a job)',
  size: `8MiB x ${(P32G / r1cs.numConstraints).toFixed(1)} (32GiB)`,
  beforeMs: (pass * P32G) / r1cs.numConstraints,
  nowMs: 0,
  before: `a pass over the A and B terms (${pass.toFixed(0)} ms at 8MiB)`,
  now: 'read with the structure file, while the partitions synthesize',
});

const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}`;
const date = new Date().toISOString();
await mkdir('bench/results', { recursive: true });
await writeFile('bench/results/host-32gib.json', JSON.stringify({ machine, date, rows }, null, 1));
const md = [
  "# The prover's host work per partition at 32GiB sizes, before and now (same run)",
  '',
  `Machine: ${machine}. Date: ${date}. Written by \`node bench/host.ts\` (\`npm run bench\`). Best of ${REPS}.`,
  "Each ran on the event loop, between one partition's GPU kernels and the next partition's: a 32GiB",
  'Commit2 has 10 partitions.',
  '',
  '| what | size | before (ms) | now (ms) | before | now |',
  '| --- | --- | ---: | ---: | --- | --- |',
  ...rows.map(
    (r) =>
      `| ${r.what} | ${r.size} | ${r.beforeMs.toFixed(1)} | ${r.nowMs.toFixed(1)} | ${r.before} | ${r.now} |`,
  ),
  '',
];
await writeFile('bench/results/host-32gib.md', md.join('\n'));
console.log(md.join('\n'));
