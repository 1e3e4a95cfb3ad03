/**
 * Several partitions on the worker pool: the first builds the shape's structure while the others compute only
 * their witness, at the same time — each witness still equals rust-fil-proofs' (oracle digests).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseCommit2Input } from '../../src/porep/commit2-input.ts';
import { createSynthesisPool, synthesizeAll } from '../../src/job/synthesis.ts';
import { expandWitness } from '../../src/groth16/witness.ts';
import { constraintsDigest } from '../../src/circuit/digest.ts';

const DIR = new URL('../fixtures/shape/8-8-0-t01000-s1/', import.meta.url);

test('a two-partition Commit2In synthesizes on the pool with one structure build', async () => {
  const job = parseCommit2Input(readFileSync(new URL('c2input.json', DIR), 'utf8'));
  const oracle = JSON.parse(readFileSync(new URL('digest.json', DIR), 'utf8')) as {
    partitions: { witness_sha256: string; constraints: number; constraints_sha256: string }[];
  };
  const pool = createSynthesisPool(2);
  try {
    const parts = await synthesizeAll(job, pool);
    assert.equal(parts.length, 2);
    parts.forEach((p, k) => {
      const witness = createHash('sha256').update(p.inputs).update(expandWitness(p.witness)).digest('hex');
      assert.equal(witness, oracle.partitions[k]!.witness_sha256, `partition ${k}`);
      assert.equal(p.counts.numConstraints, oracle.partitions[k]!.constraints);
    });
    // the first builds the structure (in one task: a challenge a partition), the second is witness-only
    assert.equal(constraintsDigest(parts[0]!.r1cs!), oracle.partitions[0]!.constraints_sha256);
    assert.equal(parts[1]!.r1cs, undefined);
  } finally {
    await pool.destroy();
  }
});

const TWO_CHALLENGES = ['2kib/v1_1-t01000-s1', '8mib/v1_1-t01000-s1'];

test("a partition's challenges synthesized in slices on two threads join into rust-fil-proofs' witness", async () => {
  const pool = createSynthesisPool(2);
  try {
    for (const name of TWO_CHALLENGES) {
      const dir = new URL(`../fixtures/${name}/`, import.meta.url);
      const job = parseCommit2Input(readFileSync(new URL('c2input.json', dir), 'utf8'));
      const want = (
        JSON.parse(readFileSync(new URL('digest.json', dir), 'utf8')) as {
          partitions: { witness_sha256: string; constraints: number; aux: number; inputs: number }[];
        }
      ).partitions[0]!;
      assert.equal(job.partitions[0]!.length, 2, 'two challenges: a slice each');
      const known = { numInputs: want.inputs, numAux: want.aux, numConstraints: want.constraints };
      const [p] = await synthesizeAll(job, pool, known, { slices: 2 });
      assert.deepEqual(p!.counts, known, name);
      assert.equal(p!.r1cs, undefined, 'witness-only');
      const witness = createHash('sha256').update(p!.inputs).update(expandWitness(p!.witness)).digest('hex');
      assert.equal(witness, want.witness_sha256, name);
    }
  } finally {
    await pool.destroy();
  }
});

test('slices that miss the counts the caller expected make partition 0 build the structure', async () => {
  const dir = new URL(`../fixtures/${TWO_CHALLENGES[0]}/`, import.meta.url);
  const job = parseCommit2Input(readFileSync(new URL('c2input.json', dir), 'utf8'));
  const want = (
    JSON.parse(readFileSync(new URL('digest.json', dir), 'utf8')) as {
      partitions: { witness_sha256: string; constraints: number; aux: number; inputs: number }[];
    }
  ).partitions[0]!;
  const pool = createSynthesisPool(2);
  try {
    const stale = { numInputs: want.inputs, numAux: want.aux + 1, numConstraints: want.constraints };
    const [p] = await synthesizeAll(job, pool, stale, { slices: 2 });
    assert.ok(p!.r1cs, 'the structure was built');
    assert.equal(p!.r1cs.numConstraints, want.constraints);
    const witness = createHash('sha256').update(p!.inputs).update(expandWitness(p!.witness)).digest('hex');
    assert.equal(witness, want.witness_sha256);
  } finally {
    await pool.destroy();
  }
});
