/**
 * Several partitions on the worker pool: the first builds the shape's structure while the others compute only
 * their witness, at the same time — each witness still equals rust-fil-proofs' (oracle digests).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseCommit2Input } from '../../src/porep/commit2-input.ts';
import { createSynthesisPool, synthesizeAll } from '../../src/job/commit2.ts';
import { expandWitness } from '../../src/groth16/witness.ts';

const DIR = new URL('../fixtures/shape/8-8-0-t01000-s1/', import.meta.url);

test('a two-partition Commit2In synthesizes on the pool with one structure build', async () => {
  const job = parseCommit2Input(readFileSync(new URL('c2input.json', DIR), 'utf8'));
  const oracle = JSON.parse(readFileSync(new URL('digest.json', DIR), 'utf8')) as {
    partitions: { witness_sha256: string; constraints: number }[];
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
    // the first builds the structure (shared, not copied back), the second is witness-only
    assert.ok(parts[0]!.r1cs?.a.cols.buffer instanceof SharedArrayBuffer);
    assert.equal(parts[1]!.r1cs, undefined);
  } finally {
    await pool.destroy();
  }
});
