/**
 * The WebGPU backend as pickBackend sees it: tried first, a software adapter refused without the opt-in
 * (with a reason that says so), taken with C2_WEBGPU_ALLOW_SOFTWARE=1, its own NTT and quotient equal to
 * the CPU's, and a small R1CS proved with it (quotientR1cs, G1 and G2 MSMs on the GPU) verifying.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { BACKEND_ORDER, pickBackend } from '../../src/backends/index.ts';
import { type WebgpuBackend, probeWebgpu } from '../../src/backends/webgpu/index.ts';
import { frRandom } from '../../src/shared/fr.ts';
import { frVector } from '../../src/shared/fr-vector.ts';
import { nativeBackend } from '../support/backend-helpers.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prove } from '../../src/groth16/prove.ts';
import { loadProvingKey } from '../../src/groth16/proving-key.ts';
import { assign, assignLean } from '../../src/groth16/r1cs.ts';
import { generateParameters, toxicFromSeed } from '../../src/groth16/setup.ts';
import { verifyProof } from '../../src/groth16/verify.ts';
import { sampleCircuit } from '../support/circuits.ts';
import { WebgpuTable } from '../../src/backends/webgpu/points.ts';

const native = await nativeBackend();
const saved = { allow: process.env.C2_WEBGPU_ALLOW_SOFTWARE, forced: process.env.C2_BACKEND };
after(() => {
  for (const [k, v] of [
    ['C2_WEBGPU_ALLOW_SOFTWARE', saved.allow],
    ['C2_BACKEND', saved.forced],
  ] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});
delete process.env.C2_BACKEND;

/** What the adapter here is, software allowed: undefined where there is no WebGPU at all. */
function adapterHere(): { software: boolean } | undefined {
  process.env.C2_WEBGPU_ALLOW_SOFTWARE = '1';
  try {
    return probeWebgpu();
  } catch {
    return undefined;
  } finally {
    delete process.env.C2_WEBGPU_ALLOW_SOFTWARE;
  }
}
const here = adapterHere();

test('the GPU backends are tried before the CPU: CUDA (NVIDIA only), then WebGPU', () => {
  assert.deepEqual(BACKEND_ORDER, ['cuda', 'webgpu', 'cpu']);
});

test(
  'without the opt-in a software adapter is passed over, with a reason that says so',
  { skip: !native ? 'native CPU backend not built' : here?.software ? false : 'no software adapter here' },
  () => {
    delete process.env.C2_WEBGPU_ALLOW_SOFTWARE;
    const { backend, skipped } = pickBackend();
    assert.match(backend.name, /^cpu/);
    const webgpu = skipped.find((s) => s.name === 'webgpu');
    assert.ok(webgpu, JSON.stringify(skipped));
    assert.match(webgpu.reason, /software rasterizer/);
    assert.match(webgpu.reason, /C2_WEBGPU_ALLOW_SOFTWARE=1/);
  },
);

test(
  'with the opt-in it is picked, its NTT and quotient equal the CPU backend',
  { skip: !native ? 'native CPU backend not built' : here ? false : 'no WebGPU adapter here' },
  async () => {
    process.env.C2_WEBGPU_ALLOW_SOFTWARE = '1';
    const { backend, skipped } = pickBackend();
    delete process.env.C2_WEBGPU_ALLOW_SOFTWARE;
    // only CUDA, tried first, may be passed over (no NVIDIA GPU here)
    assert.deepEqual(
      skipped.map((s) => s.name),
      skipped.length ? ['cuda'] : [],
    );
    const b = backend as WebgpuBackend;
    try {
      assert.match(b.name, /^webgpu \(.*storage binding \d+ MiB.*\)$/);
      assert.doesNotMatch(b.name, /with cpu kernels/);
      const v = frVector(Array.from({ length: 64 }, () => frRandom()));
      for (const dir of ['forward', 'inverse'] as const) {
        const want = v.slice();
        await native!.ntt(want, dir);
        const got = v.slice();
        await b.ntt(got, dir);
        assert.deepEqual(got, want, dir);
      }
      const q = frVector(Array.from({ length: 12 }, () => frRandom()));
      assert.deepEqual(await b.quotient(q, q, q), await native!.quotient(q, q, q));
      const t = b.newTable('g1', 1);
      assert.equal(t.length, 0);
      b.freeTable(t);
    } finally {
      b.close();
    }
  },
);

test(
  'a small R1CS proved with the WebGPU backend (quotientR1cs, G1 and G2 MSMs on the GPU) verifies',
  { skip: !native ? 'native CPU backend not built' : here ? false : 'no WebGPU adapter here' },
  async () => {
    process.env.C2_WEBGPU_ALLOW_SOFTWARE = '1';
    const { backend } = pickBackend();
    delete process.env.C2_WEBGPU_ALLOW_SOFTWARE;
    const b = backend as WebgpuBackend;
    const dir = await mkdtemp(join(tmpdir(), 'c2-webgpu-proof-'));
    try {
      // 8 bits and a chain of 4: 17 constraints and 17 aux, G1 MSMs of at most 32 bases (seconds on llvmpipe)
      const circuit = sampleCircuit(0xa5n, 8, 4);
      const r1cs = circuit.cs.toR1cs();
      const path = join(dir, 'sample.params');
      await generateParameters(native!, r1cs, path, toxicFromSeed('webgpu-proof'));
      const pk = await loadProvingKey(b, path, { cacheFile: join(dir, 'validated.json') });
      try {
        // the point tables are the GPU's
        assert.ok(pk.tables.h instanceof WebgpuTable);
        assert.ok(pk.tables.bG2 instanceof WebgpuTable);
        const w = circuit.cs.witness();
        const randomness = { r: 7n, s: 11n };
        const proof = await prove(b, pk, assignLean(r1cs, w.inputs, w.aux), { randomness });
        assert.equal(verifyProof(pk.vk, proof, circuit.publicInputs), true);
        const cpuKey = await loadProvingKey(native!, path, { cacheFile: join(dir, 'validated.json') });
        try {
          const want = await prove(native!, cpuKey, await assign(native!, r1cs, w.inputs, w.aux), {
            randomness,
          });
          assert.deepEqual(proof, want);
        } finally {
          cpuKey.free();
        }
      } finally {
        pk.free();
      }
    } finally {
      b.close();
      await rm(dir, { recursive: true, force: true });
    }
  },
);
