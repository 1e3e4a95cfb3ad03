/**
 * A partition's structure built in slices of its challenges and joined (structure-join.ts) is the structure
 * of one synthesis in challenge order, array for array, and rust-fil-proofs' (the oracle's constraints
 * digest). Sizes: the 2KiB fixture's partition (2.7 M constraints) builds in ~5 s a synthesis here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseCommit2Input, type Commit2Job } from '../../src/porep/commit2-input.ts';
import { synthesize, type SynthesizedPartition } from '../../src/circuit/synthesis-task.ts';
import { SynthesisCs } from '../../src/circuit/synthesis-cs.ts';
import { synthesizePartition } from '../../src/circuit/stacked.ts';
import { challengeSlices, joinSlices, joinStructures } from '../../src/circuit/synthesis-slices.ts';
import { placeSlice } from '../../src/circuit/structure-join.ts';
import { constraintsDigest } from '../../src/circuit/digest.ts';
import { createSynthesisPool, synthesizeAll, AheadQueue } from '../../src/job/synthesis.ts';
import { expandWitness } from '../../src/groth16/witness.ts';
import type { R1cs } from '../../src/shared/r1cs.ts';
import { queueOptionsSymbol } from 'piscina';

const DIR = new URL('../fixtures/2kib/v1_1-t01000-s1/', import.meta.url);
const job = parseCommit2Input(readFileSync(new URL('c2input.json', DIR), 'utf8'));
const oracle = (
  JSON.parse(readFileSync(new URL('digest.json', DIR), 'utf8')) as {
    partitions: { constraints_sha256: string; witness_sha256: string }[];
  }
).partitions[0]!;

function sameStructure(got: R1cs, want: R1cs, what: string): void {
  assert.deepEqual(
    [got.numInputs, got.numAux, got.numConstraints],
    [want.numInputs, want.numAux, want.numConstraints],
    `${what}: counts`,
  );
  for (const w of ['a', 'b', 'c'] as const)
    for (const k of ['rowPtr', 'cols', 'coeffIds', 'coeffTable'] as const) {
      const [g, e] = [got[w][k], want[w][k]];
      assert.equal(g.length, e.length, `${what}: ${w}.${k} length`);
      // Buffer.compare: deepEqual over millions of elements is slow
      const bytes = (x: typeof g): Buffer => Buffer.from(x.buffer, x.byteOffset, x.byteLength);
      assert.equal(Buffer.compare(bytes(g), bytes(e)), 0, `${what}: ${w}.${k} differs`);
    }
}

const witnessDigest = (p: SynthesizedPartition): string =>
  createHash('sha256').update(p.inputs).update(expandWitness(p.witness)).digest('hex');

/** `job`'s partition 0 built in `n` slices with their structure, joined here (no pool); and the slices. */
async function slicedBuild(
  j: Commit2Job,
  n: number,
): Promise<{ joined: SynthesizedPartition; parts: SynthesizedPartition[] }> {
  const ranges = challengeSlices(j.partitions[0]!.length, n);
  assert.equal(ranges.length, n);
  const parts = ranges.map((challenges) => synthesize({ job: j, partition: 0, challenges, structure: true }));
  return { joined: { ...joinSlices(parts), r1cs: await joinStructures(parts, placeSlice) }, parts };
}

test("the 2KiB partition's structure from two slices is one synthesis' structure and rust-fil-proofs'", async () => {
  const cs = new SynthesisCs();
  synthesizePartition(cs, job, 0);
  const copied = cs.toR1cs();
  // a whole build hands over its builders' arrays (synthesis-task.ts): the same structure, once
  const whole = cs.intoR1cs();
  sameStructure(whole, copied, 'handed over');
  assert.throws(() => cs.toR1cs(), /handed over/);
  assert.throws(() => cs.tagged(), /handed over/);
  const { joined } = await slicedBuild(job, 2);
  sameStructure(joined.r1cs!, whole, 'two slices');
  assert.equal(constraintsDigest(joined.r1cs!), oracle.constraints_sha256);
  assert.equal(witnessDigest(joined), oracle.witness_sha256);
});

test('four challenges in three uneven slices join into the structure and witness of one synthesis', async () => {
  // every challenge has the same shape: the fixture's two, twice, make a four-challenge partition
  const proofs = job.partitions[0]!;
  const four: Commit2Job = { ...job, partitions: [[...proofs, ...proofs]] };
  const whole = synthesize({ job: four, partition: 0 });
  const { joined, parts } = await slicedBuild(four, 3);
  assert.deepEqual(
    challengeSlices(4, 3).map((r) => r.to - r.from),
    [1, 1, 2],
  );
  sameStructure(joined.r1cs!, whole.r1cs!, 'three slices');
  assert.equal(witnessDigest(joined), witnessDigest(whole));
  // a slice placed with a wrong shift is caught by the comparison
  const shifted = await joinStructures(parts, (t) =>
    placeSlice({ ...t, inputShift: t.inputShift ? t.inputShift + 1 : 0 }),
  );
  assert.notEqual(constraintsDigest(shifted), constraintsDigest(whole.r1cs!));
});

test("on the pool the first job's structure is built in slices and joined on the threads", async () => {
  const pool = createSynthesisPool(2);
  try {
    const [p] = await synthesizeAll(job, pool, undefined, { slices: 2 });
    assert.ok(p!.r1cs?.a.cols.buffer instanceof SharedArrayBuffer);
    assert.equal(constraintsDigest(p!.r1cs), oracle.constraints_sha256);
    assert.equal(witnessDigest(p!), oracle.witness_sha256);
  } finally {
    await pool.destroy();
  }
});

test("the pool's queue is first in, first out, but for the tasks marked to go ahead", () => {
  const q = new AheadQueue();
  const task = (name: string, ahead = false) =>
    ({ name, [queueOptionsSymbol]: ahead ? { ahead: true } : null }) as unknown as Parameters<
      AheadQueue['push']
    >[0];
  const [a, b, c, d, e] = [task('a'), task('b'), task('c', true), task('d'), task('e', true)];
  for (const t of [a, b, c, d, e]) q.push(t);
  q.remove(d);
  q.unshift(task('f'));
  assert.equal(q.size, 5);
  const order: string[] = [];
  for (let t = q.shift(); t; t = q.shift()) order.push((t as unknown as { name: string }).name);
  assert.deepEqual(order, ['c', 'e', 'f', 'a', 'b']);
  assert.equal(q.shift(), null);
});
