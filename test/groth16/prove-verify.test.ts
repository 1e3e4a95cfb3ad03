import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Backend } from '../../src/backends/backend.ts';
import { G1 } from '../../src/groth16/curve.ts';
import { mod } from '../../src/shared/fr.ts';
import { decodeProof, encodeProof, type Proof } from '../../src/groth16/proof.ts';
import { prove } from '../../src/groth16/prove.ts';
import { loadProvingKey, type ProvingKey } from '../../src/groth16/proving-key.ts';
import { assign, assignLean } from '../../src/groth16/r1cs.ts';
import { compactWitness } from '../../src/groth16/witness.ts';
import { generateParameters, toxicFromSeed } from '../../src/groth16/setup.ts';
import { verifyProof } from '../../src/groth16/verify.ts';
import { testBackends } from '../support/backends.ts';
import { sampleCircuit } from '../support/circuits.ts';

const backends = await testBackends();

for (const backend of backends) {
  describe(`groth16 on ${backend.name}`, () => {
    let dir: string;
    let pk: ProvingKey;
    const circuit = sampleCircuit(0xbeefn);

    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'c2-groth16-'));
      assert.equal(circuit.cs.firstUnsatisfied(), -1);
      const path = join(dir, 'sample.params');
      await generateParameters(backend, circuit.cs.toR1cs(), path, toxicFromSeed('prove-verify'));
      pk = await loadProvingKey(backend, path, { cacheFile: join(dir, 'validated.json') });
    });
    after(async () => {
      pk?.free();
      await rm(dir, { recursive: true, force: true });
    });

    async function proveSample(x: bigint, bits = 16): Promise<{ proof: Proof; inputs: bigint[] }> {
      const c = sampleCircuit(x, bits);
      const w = c.cs.witness();
      const assignment = await assign(backend, c.cs.toR1cs(), w.inputs, w.aux);
      return { proof: await prove(backend, pk, assignment), inputs: c.publicInputs };
    }

    test('a proof verifies, and survives encoding', async () => {
      const { proof, inputs } = await proveSample(0xbeefn);
      assert.equal(verifyProof(pk.vk, proof, inputs), true);
      const bytes = encodeProof(proof);
      assert.equal(bytes.length, 192);
      assert.equal(verifyProof(pk.vk, decodeProof(bytes), inputs), true);
    });

    test('both kernel schedules (serial, overlap) give the same proof; a failing MSM surfaces once all settle', async () => {
      const c = sampleCircuit(0x5eedn);
      const w = c.cs.witness();
      const lean = assignLean(c.cs.toR1cs(), w.inputs, w.aux);
      const randomness = { r: 7n, s: 11n };
      const serial: Backend = { ...backend, schedule: 'serial' };
      const overlap: Backend = { ...backend, schedule: 'overlap' };
      const times = { quotientMs: 0, msmG1Ms: 0, msmG2Ms: 0 };
      const a = await prove(serial, pk, lean, { randomness });
      const b = await prove(overlap, pk, lean, { randomness }, times);
      assert.deepEqual(encodeProof(a), encodeProof(b));
      assert.equal(verifyProof(pk.vk, b, c.publicInputs), true);
      assert.ok(times.msmG1Ms >= times.quotientMs, 'the G1 MSMs end after the quotient (h waits for H)');
      let running = 0;
      let peak = 0;
      const failing: Backend = {
        ...overlap,
        msm: async (table, start, scalars, density) => {
          peak = Math.max(peak, ++running);
          try {
            if (table === pk.tables.bG2) throw new Error('G2 MSM failed (test)');
            return await backend.msm(table, start, scalars, density);
          } finally {
            running--;
          }
        },
      };
      await assert.rejects(prove(failing, pk, lean, { randomness }), /G2 MSM failed \(test\)/);
      assert.equal(running, 0, 'no MSM of the failed proof is still running');
      assert.ok(peak > 1, 'the MSMs ran side by side');
    });

    test("a backend's quotientMsm (H kept where it was computed) proves the same, on both schedules; its failure surfaces", async () => {
      const c = sampleCircuit(0xf00dn);
      const w = c.cs.witness();
      const lean = assignLean(c.cs.toR1cs(), w.inputs, w.aux);
      const randomness = { r: 19n, s: 23n };
      const want = encodeProof(await prove(backend, pk, lean, { randomness }));
      // the fused call as a GPU backend answers it, from this backend's own kernels; it counts what it does
      let fusedCalls = 0;
      let hMsms = 0;
      let failWith: Error | undefined = undefined;
      const fused = (schedule: 'serial' | 'overlap'): Backend => ({
        ...backend,
        schedule,
        msm: async (table, start, scalars, density) => {
          if (table === pk.tables.h) hMsms++;
          return backend.msm(table, start, scalars, density);
        },
        quotientMsm: async (r1cs, inputs, aux, table, onQuotient) => {
          fusedCalls++;
          if (failWith) throw failWith;
          const h = await backend.quotientR1cs(r1cs, inputs, aux);
          onQuotient?.();
          return backend.msm(table, 0, h);
        },
      });
      for (const schedule of ['serial', 'overlap'] as const) {
        const times = { quotientMs: 0, msmG1Ms: 0, msmG2Ms: 0 };
        const proof = await prove(fused(schedule), pk, lean, { randomness }, times);
        assert.deepEqual(encodeProof(proof), want, schedule);
        assert.ok(times.quotientMs > 0 && times.msmG1Ms > 0, `${schedule}: ${JSON.stringify(times)}`);
        if (schedule === 'overlap') assert.ok(times.msmG1Ms >= times.quotientMs, 'h waits for H');
      }
      assert.equal(fusedCalls, 2);
      assert.equal(hMsms, 0, 'the h query is summed by quotientMsm, not by msm');
      // without the circuit (A, B, C given) there is nothing to fuse: the plain path
      const full = await assign(backend, c.cs.toR1cs(), w.inputs, w.aux);
      assert.deepEqual(encodeProof(await prove(fused('overlap'), pk, full, { randomness })), want);
      assert.equal(fusedCalls, 2);
      assert.equal(hMsms, 1);
      failWith = new Error('quotient failed (test)');
      for (const schedule of ['serial', 'overlap'] as const)
        await assert.rejects(prove(fused(schedule), pk, lean, { randomness }), /quotient failed \(test\)/);
    });

    test('the lean assignment (circuit and witness, A, B, C evaluated in the quotient) proves the same', async () => {
      const c = sampleCircuit(0x5eedn);
      const w = c.cs.witness();
      const r1cs = c.cs.toR1cs();
      const randomness = { r: 3n, s: 5n };
      const lean = await prove(backend, pk, assignLean(r1cs, w.inputs, w.aux), { randomness });
      const full = await prove(backend, pk, await assign(backend, r1cs, w.inputs, w.aux), { randomness });
      assert.deepEqual(encodeProof(lean), encodeProof(full));
      assert.equal(verifyProof(pk.vk, lean, c.publicInputs), true);
      const other = sampleCircuit(5n, 8);
      const ow = other.cs.witness();
      await assert.rejects(
        async () => prove(backend, pk, assignLean(other.cs.toR1cs(), ow.inputs, ow.aux)),
        /does not fit/,
      );
    });

    test('the compact witness (as synthesis hands it over) proves the same as its 32-byte form', async () => {
      const c = sampleCircuit(0xc0fen);
      const w = c.cs.witness();
      const r1cs = c.cs.toR1cs();
      const randomness = { r: 13n, s: 17n };
      const compact = compactWitness(w.aux);
      assert.ok(
        compact.values.length > 0 && compact.values.length < w.aux.length,
        'bits and full values both',
      );
      const fromCompact = await prove(backend, pk, assignLean(r1cs, w.inputs, compact), { randomness });
      const fromBytes = await prove(backend, pk, assignLean(r1cs, w.inputs, w.aux), { randomness });
      assert.deepEqual(encodeProof(fromCompact), encodeProof(fromBytes));
      assert.equal(verifyProof(pk.vk, fromCompact, c.publicInputs), true);
    });

    test('another witness of the same circuit verifies with its own inputs only', async () => {
      const { proof, inputs } = await proveSample(12345n);
      assert.equal(verifyProof(pk.vk, proof, inputs), true);
      assert.equal(verifyProof(pk.vk, proof, [inputs[0]!, mod(inputs[1]! + 1n)]), false);
      const other = sampleCircuit(0xbeefn).publicInputs;
      assert.equal(verifyProof(pk.vk, proof, other), false);
    });

    test('proofs are randomized: two proofs of one witness differ and both verify', async () => {
      const p1 = await proveSample(777n);
      const p2 = await proveSample(777n);
      assert.notDeepEqual(encodeProof(p1.proof), encodeProof(p2.proof));
      assert.equal(verifyProof(pk.vk, p2.proof, p2.inputs), true);
    });

    test('tampered proofs are rejected', async () => {
      const { proof, inputs } = await proveSample(99n);
      const g = G1.BASE;
      assert.equal(verifyProof(pk.vk, { ...proof, a: proof.a.add(g) }, inputs), false);
      assert.equal(verifyProof(pk.vk, { ...proof, c: proof.c.add(g) }, inputs), false);
      assert.equal(verifyProof(pk.vk, { ...proof, a: proof.c, c: proof.a }, inputs), false);
      const bytes = encodeProof(proof);
      bytes[150] = bytes[150]! ^ 1;
      // A flipped bit in C either leaves the curve (decoding refuses) or lands elsewhere (verifying refuses).
      let accepted: boolean;
      try {
        accepted = verifyProof(pk.vk, decodeProof(bytes), inputs);
      } catch {
        accepted = false;
      }
      assert.equal(accepted, false);
    });

    test('an unsatisfying witness gives a proof that does not verify', async () => {
      const c = sampleCircuit(5n);
      // x3 is aux 2: break x^3 while keeping the public output.
      c.cs.aux[2] = mod(c.cs.aux[2]! + 1n);
      assert.notEqual(c.cs.firstUnsatisfied(), -1);
      const w = c.cs.witness();
      const proof = await prove(backend, pk, await assign(backend, c.cs.toR1cs(), w.inputs, w.aux));
      assert.equal(verifyProof(pk.vk, proof, c.publicInputs), false);
    });

    test('a witness of another shape is refused before any work', async () => {
      const c = sampleCircuit(5n, 8);
      const w = c.cs.witness();
      await assert.rejects(
        async () => prove(backend, pk, await assign(backend, c.cs.toR1cs(), w.inputs, w.aux)),
        /does not fit/,
      );
    });
  });
}

test('setup refuses a circuit with an unconstrained variable', async () => {
  const backend: Backend = backends[0]!;
  const c = sampleCircuit(3n);
  c.cs.alloc(42n);
  const dir = await mkdtemp(join(tmpdir(), 'c2-groth16-'));
  try {
    await assert.rejects(
      generateParameters(backend, c.cs.toR1cs(), join(dir, 'x.params'), toxicFromSeed('u')),
      /unconstrained/,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
