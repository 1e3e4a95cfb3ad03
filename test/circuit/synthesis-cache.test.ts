/**
 * Witness-only synthesis with the cached structure: the second 2KiB fixture of the same shape gets the first
 * one's R1CS (the same as its own full synthesis) and a witness equal to the oracle's, and the prover's
 * sparse products over the shared structure satisfy every constraint.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseCommit2Input } from '../../src/porep/commit2-input.ts';
import { clearStructureCache, structureKey, synthesize } from '../../src/circuit/synthesis-task.ts';
import type { R1cs } from '../../src/groth16/r1cs.ts';
import { createCpuBackend } from '../../src/backends/cpu/index.ts';
import { frFromBytes, FR_MODULUS } from '../../src/groth16/curve.ts';
import { assign } from '../../src/groth16/r1cs.ts';

const FIXTURES = new URL('../fixtures/2kib/', import.meta.url);

function load(name: string): {
  job: ReturnType<typeof parseCommit2Input>;
  witness: string;
} {
  const job = parseCommit2Input(readFileSync(new URL(`${name}/c2input.json`, FIXTURES), 'utf8'));
  const digest = JSON.parse(readFileSync(new URL(`${name}/digest.json`, FIXTURES), 'utf8')) as {
    partitions: { witness_sha256: string }[];
  };
  return { job, witness: digest.partitions[0]!.witness_sha256 };
}

function structureDigest(r1cs: R1cs): string {
  const h = createHash('sha256');
  h.update(`${r1cs.numInputs}/${r1cs.numAux}/${r1cs.numConstraints}`);
  for (const m of [r1cs.a, r1cs.b, r1cs.c]) {
    for (const a of [m.rowPtr, m.cols, m.coeffIds, m.coeffTable])
      h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  }
  return h.digest('hex');
}

const witnessSha = (inputs: Uint8Array, aux: Uint8Array): string =>
  createHash('sha256').update(inputs).update(aux).digest('hex');

test('a second partition of the same shape is synthesized witness-only against the cached structure', async () => {
  const first = load('v1_1-t01000-s1');
  const second = load('v1_1-t01000-s2');
  assert.equal(structureKey(first.job, 0), structureKey(second.job, 0));

  clearStructureCache();
  const a = synthesize({ job: first.job, partition: 0 });
  assert.equal(a.structureCached, false);
  assert.equal(witnessSha(a.inputs, a.aux), first.witness);

  const b = synthesize({ job: second.job, partition: 0 });
  assert.equal(b.structureCached, true);
  assert.equal(b.r1cs, a.r1cs, 'the cached structure itself is handed out');
  assert.equal(witnessSha(b.inputs, b.aux), second.witness);

  // The same R1CS as the second fixture's own full synthesis.
  clearStructureCache();
  const fresh = synthesize({ job: second.job, partition: 0 });
  assert.equal(fresh.structureCached, false);
  assert.equal(structureDigest(b.r1cs), structureDigest(fresh.r1cs));
  assert.equal(witnessSha(fresh.inputs, fresh.aux), second.witness);

  // A structure handed over in the task is used as is.
  clearStructureCache();
  const c = synthesize({ job: second.job, partition: 0, structure: a.r1cs });
  assert.equal(c.structureCached, true);
  assert.equal(witnessSha(c.inputs, c.aux), second.witness);
  clearStructureCache();

  // The prover's evaluation over the shared structure: a * b = c for every constraint.
  const backend = createCpuBackend();
  {
    const w = await assign(backend, b.r1cs, b.inputs, b.aux);
    for (let r = 0; r < b.r1cs.numConstraints; r += 997) {
      const x = frFromBytes(w.a, r * 32);
      const y = frFromBytes(w.b, r * 32);
      const z = frFromBytes(w.c, r * 32);
      assert.equal((x * y) % FR_MODULUS, z, `constraint ${r}`);
    }
  }
});
