/**
 * The bar: our synthesis of every oracle fixture equals rust-fil-proofs' circuit — counts, constraint and
 * witness digests, public inputs — whole and per namespace. The first differing namespace is named.
 * (Satisfaction follows: the oracle checks that its witness satisfies the same constraints.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseCommit2Input } from '../../src/porep/commit2-input.ts';
import { SynthesisCs } from '../../src/circuit/synthesis-cs.ts';
import { digestCircuit, type CircuitDigest, type NamespaceDigest } from '../../src/circuit/digest.ts';
import { synthesizePartition } from '../../src/circuit/stacked.ts';
import { FIXTURES, fixtureDirs } from '../support/fixtures.ts';

/** The oracle writes a partition's digest in our CircuitDigest's shape, plus its index. */
type OraclePartition = CircuitDigest & { partition: number };

function firstDifference(
  ours: readonly NamespaceDigest[],
  theirs: readonly NamespaceDigest[],
): string | null {
  for (let i = 0; i < Math.max(ours.length, theirs.length); i++) {
    const a = ours[i];
    const b = theirs[i];
    if (!a || !b) return `namespace #${i}: ours ${a?.path ?? 'missing'}, oracle ${b?.path ?? 'missing'}`;
    for (const key of [
      'path',
      'entered',
      'constraints',
      'aux',
      'inputs',
      'aux_sha256',
      'constraints_sha256',
    ] as const) {
      if (a[key] !== b[key]) return `namespace ${b.path} (#${i}): ${key} ours ${a[key]} oracle ${b[key]}`;
    }
  }
  return null;
}

const only = process.env.C2_FIXTURE;
const heavy = process.env.C2_HEAVY === '1';

for (const dir of fixtureDirs()) {
  if (only && !dir.includes(only)) continue;
  const oracle = JSON.parse(readFileSync(new URL(`${dir}/digest.json`, FIXTURES), 'utf8')) as {
    depth: number;
    partitions: OraclePartition[];
  };
  const text = readFileSync(new URL(`${dir}/c2input.json`, FIXTURES), 'utf8');
  for (const want of oracle.partitions) {
    // Shapes are big (6M constraints per partition): their second partition only runs in the heavy suite.
    const skip = dir.startsWith('shape/') && want.partition > 0 && !heavy && !only;
    test(`${dir} partition ${want.partition}: our circuit equals rust-fil-proofs'`, { skip }, () => {
      const job = parseCommit2Input(text);
      const cs = new SynthesisCs({ maxDepth: oracle.depth });
      synthesizePartition(cs, job, want.partition);
      const got = digestCircuit(cs);
      const where = firstDifference(got.namespaces, want.namespaces);
      assert.equal(where, null, where ?? '');
      assert.deepEqual(
        { inputs: got.inputs, aux: got.aux, constraints: got.constraints },
        { inputs: want.inputs, aux: want.aux, constraints: want.constraints },
      );
      assert.deepEqual(got.public_inputs, want.public_inputs);
      assert.equal(got.constraints_sha256, want.constraints_sha256);
      assert.equal(got.witness_sha256, want.witness_sha256);
    });
  }
}
