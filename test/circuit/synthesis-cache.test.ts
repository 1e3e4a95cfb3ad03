/**
 * The structure made once: a 2KiB fixture's R1CS goes to a file and back unchanged, a second fixture of the
 * same shape synthesized witness-only against its counts gets a witness equal to the oracle's, and the
 * prover's evaluation of the cached structure on that witness satisfies every constraint.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCommit2Input } from '../../src/porep/commit2-input.ts';
import { structureKey, synthesize } from '../../src/circuit/synthesis-task.ts';
import type { R1cs } from '../../src/shared/r1cs.ts';
import { assign } from '../../src/groth16/r1cs.ts';
import { readR1csCounts, readR1csFile, writeR1csFile } from '../../src/groth16/r1cs-file.ts';
import { expandWitness, witnessBytes } from '../../src/groth16/witness.ts';
import { createCpuBackend } from '../../src/backends/cpu/index.ts';
import { frFromBytes, FR_MODULUS } from '../../src/shared/fr.ts';

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
    const terms = m.rowPtr[m.rowPtr.length - 1]!;
    for (const a of [m.rowPtr, m.cols.subarray(0, terms), m.coeffIds.subarray(0, terms), m.coeffTable])
      h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  }
  return h.digest('hex');
}

const witnessSha = (inputs: Uint8Array, aux: Uint8Array): string =>
  createHash('sha256').update(inputs).update(aux).digest('hex');

test('the structure is made once, kept in a file, and later partitions are witness-only', async () => {
  const first = load('v1_1-t01000-s1');
  const second = load('v1_1-t01000-s2');
  assert.equal(structureKey(first.job, 0), structureKey(second.job, 0));
  const dir = mkdtempSync(join(tmpdir(), 'c2-structure-'));
  try {
    const a = synthesize({ job: first.job, partition: 0 });
    assert.ok(a.r1cs, 'a synthesis without known counts builds the structure');
    assert.equal(witnessSha(a.inputs, expandWitness(a.witness)), first.witness);
    // nearly every variable is a bit: the compact witness is a small fraction of 32 bytes per variable
    assert.ok(witnessBytes(a.witness) * 10 < a.counts.numAux * 32, `${witnessBytes(a.witness)} bytes`);

    const path = join(dir, 'shape.r1cs');
    await writeR1csFile(path, a.r1cs, 'shape');
    assert.deepEqual(readR1csCounts(path, 'shape'), a.counts);
    assert.equal(readR1csCounts(path, 'another shape'), undefined, 'a file made for another key is ignored');
    const loaded = await readR1csFile(path, 'shape');
    assert.equal(structureDigest(loaded), structureDigest(a.r1cs));
    // a job that stops while its structure is read (ahead of proving) stops the read
    await assert.rejects(readR1csFile(path, 'shape', false, AbortSignal.abort()), { name: 'AbortError' });

    const b = synthesize({ job: second.job, partition: 0, known: a.counts });
    assert.equal(b.r1cs, undefined, 'witness-only');
    assert.equal(witnessSha(b.inputs, expandWitness(b.witness)), second.witness);

    // counts that do not match make it build the structure after all, the same as the file's
    const c = synthesize({
      job: second.job,
      partition: 0,
      known: { ...a.counts, numAux: a.counts.numAux + 1 },
    });
    assert.ok(c.r1cs);
    assert.equal(structureDigest(c.r1cs), structureDigest(loaded));
    assert.equal(witnessSha(c.inputs, expandWitness(c.witness)), second.witness);

    // a cut file is no cache
    writeFileSync(path, readFileSync(path).subarray(0, 1 << 20));
    assert.equal(readR1csCounts(path, 'shape'), undefined);

    // The prover's evaluation of the file's structure on the witness-only witness: a * b = c everywhere.
    const w = await assign(createCpuBackend(), loaded, b.inputs, expandWitness(b.witness));
    for (let r = 0; r < loaded.numConstraints; r += 997) {
      const x = frFromBytes(w.a, r * 32);
      const y = frFromBytes(w.b, r * 32);
      const z = frFromBytes(w.c, r * 32);
      assert.equal((x * y) % FR_MODULUS, z, `constraint ${r}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
