/**
 * quotientR1cs of the WebGPU backend (the constraint evaluation in shaders/r1cs.wgsl, then the WGSL
 * quotient) against the native CPU backend on random R1CS shaped like PoRep's (values mostly 0 and 1,
 * coefficients 0, +-1, powers of two and random, repeated variables, empty rows), at sizes on both sides of
 * a power of two, and its rejections. Up to ~500 constraints: seconds on llvmpipe.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { SparseMatrix } from '../../src/shared/r1cs.ts';
import { createWebgpuBackend, frLayout } from '../../src/backends/webgpu/index.ts';
import { WebgpuR1cs } from '../../src/backends/webgpu/r1cs.ts';
import { WebgpuNtt } from '../../src/backends/webgpu/ntt.ts';
import { readBuffers } from '../../src/backends/webgpu/device.ts';
import { oracleKernels } from '../../src/backends/borrow.ts';
import { SEED, hex, nativeBackend } from '../support/backend-helpers.ts';
import { randomR1cs, rejectsBadR1cs } from '../support/random-r1cs.ts';
import { compactWitness } from '../../src/groth16/witness.ts';
import { testGpu, withSoftwareAllowed } from '../support/webgpu.ts';

const native = await nativeBackend();
const { gpu, why } = await testGpu();
const skip = why ?? (!native ? 'native CPU backend not built' : false);

describe('WebGPU quotientR1cs vs the CPU backend', { skip }, () => {
  const b = withSoftwareAllowed(createWebgpuBackend);
  after(() => b.close());

  for (const [rows, numInputs, numAux] of [
    [0, 1, 0],
    [1, 1, 1],
    [508, 4, 300],
    [300, 3, 211],
  ] as const) {
    test(`${rows} constraints, ${numInputs} inputs, ${numAux} aux`, async () => {
      const { r1cs, inputs, aux } = randomR1cs(`webgpu-r1cs-${rows}`, rows, numInputs, numAux);
      const want = await native!.quotientR1cs(r1cs, inputs, aux);
      const got = await b.quotientR1cs(r1cs, inputs, aux);
      assert.equal(hex(got), hex(want), `seed ${SEED}`);
    });
  }

  test('the compact witness (as synthesis hands it over) gives the same quotient', async () => {
    const { r1cs, inputs, aux } = randomR1cs('webgpu-r1cs-compact', 300, 3, 211);
    const want = await native!.quotientR1cs(r1cs, inputs, aux);
    assert.equal(hex(await b.quotientR1cs(r1cs, inputs, compactWitness(aux))), hex(want), `seed ${SEED}`);
  });

  test('rejects bad shapes and non-canonical witness values', () =>
    rejectsBadR1cs((r, i, a) => b.quotientR1cs(r, i, a), 'webgpu-r1cs-bad'));

  test('a structure checked once is checked again against a shorter witness', async () => {
    const { r1cs, inputs, aux } = randomR1cs('webgpu-r1cs-rechecked', 50, 2, 40);
    const want = await native!.quotientR1cs(r1cs, inputs, aux);
    assert.equal(hex(await b.quotientR1cs(r1cs, inputs, aux)), hex(want));
    await assert.rejects(b.quotientR1cs(r1cs, inputs, aux.subarray(0, 32 * 10)), /A: term \d+ names column/);
    assert.equal(hex(await b.quotientR1cs(r1cs, inputs, aux)), hex(want));
  });
});

test(
  'C2_WEBGPU_FR_LAYOUT builds the kernels in another Fr layout: the same quotient, named',
  { skip },
  async () => {
    assert.equal(frLayout(undefined), 'limb16');
    assert.throws(
      () => frLayout('limb12'),
      /C2_WEBGPU_FR_LAYOUT must be one of limb16, limb13, word32, got "limb12"/,
    );
    const saved = [process.env.C2_WEBGPU_ALLOW_SOFTWARE, process.env.C2_WEBGPU_FR_LAYOUT] as const;
    process.env.C2_WEBGPU_ALLOW_SOFTWARE = '1';
    process.env.C2_WEBGPU_FR_LAYOUT = 'limb13';
    const b = createWebgpuBackend();
    for (const [k, v] of [
      ['C2_WEBGPU_ALLOW_SOFTWARE', saved[0]],
      ['C2_WEBGPU_FR_LAYOUT', saved[1]],
    ] as const)
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    after(() => b.close());
    assert.match(b.name, /; Fr limb13; points slots\)$/);
    const { r1cs, inputs, aux } = randomR1cs('webgpu-r1cs-layout', 300, 3, 211);
    assert.equal(
      hex(await b.quotientR1cs(r1cs, inputs, aux)),
      hex(await native!.quotientR1cs(r1cs, inputs, aux)),
    );
  },
);

test(
  'inputs across witness parts: each part written from inputs and aux where it falls',
  { skip },
  async () => {
    // parts of 2 variables: 5 inputs fill two parts and half a third, which aux completes
    const r1cs = await WebgpuR1cs.create(gpu!, { bindingBytes: 64 });
    const numAux = Math.min(11, 2 * r1cs.maxWitnessParts - 5);
    assert.ok(numAux >= 1, `the adapter allows ${r1cs.maxWitnessParts} witness parts`);
    const { r1cs: sys, inputs, aux } = randomR1cs('webgpu-r1cs-inputs-split', 40, 5, numAux);
    assert.equal(r1cs.fits(sys, inputs, aux), true);
    const got = await r1cs.evaluate(sys, inputs, aux);
    const want = await oracleKernels(native!).evaluateR1cs(sys, inputs, aux);
    for (const k of ['a', 'b', 'c'] as const) assert.equal(hex(got[k]), hex(want[k]), `${k}, seed ${SEED}`);
  },
);

test(
  'past one binding: the witness in parts and the rows in runs, equal to the CPU; what cannot be bound does not fit',
  { skip },
  async () => {
    const cpu = oracleKernels(native!);
    // 64 variables a part and 16 rows a run (at most 128 terms): 508 constraints over 304 variables take 5
    // parts and 32 runs a matrix, with rows of many terms between them
    const r1cs = await WebgpuR1cs.create(gpu!, { bindingBytes: 512 * 4 });
    assert.equal(r1cs.bindingBytes, 2048);
    const { r1cs: sys, inputs, aux } = randomR1cs('webgpu-r1cs-split', 508, 4, 300);
    const wide = (m: SparseMatrix): SparseMatrix => {
      // rows 3, 40 and 41 get 100 terms each (the run holding them ends early)
      const rowPtr = [0];
      const cols: number[] = [];
      const ids: number[] = [];
      for (let r = 0; r + 1 < m.rowPtr.length; r++) {
        const many = r === 3 || r === 40 || r === 41;
        const from = m.rowPtr[r]!;
        const to = m.rowPtr[r + 1]!;
        for (let k = 0; k < (many ? 100 : to - from); k++) {
          cols.push(many ? (r * 7 + k * 13) % 304 : m.cols[from + k]!);
          ids.push(many ? k % (m.coeffTable.length / 32) : m.coeffIds[from + k]!);
        }
        rowPtr.push(cols.length);
      }
      return {
        ...m,
        rowPtr: Uint32Array.from(rowPtr),
        cols: Uint32Array.from(cols),
        coeffIds: Uint32Array.from(ids),
      };
    };
    const split = { ...sys, a: wide(sys.a), b: wide(sys.b) };
    assert.equal(r1cs.fits(split, inputs, aux), true);
    const got = await r1cs.evaluate(split, inputs, aux);
    const want = await cpu.evaluateR1cs(split, inputs, aux);
    for (const k of ['a', 'b', 'c'] as const) assert.equal(hex(got[k]), hex(want[k]), `${k}, seed ${SEED}`);

    // a row of more terms than a binding holds, or more witness parts than the stage's bindings
    const tiny = await WebgpuR1cs.create(gpu!, { bindingBytes: 64 * 4 });
    assert.equal(tiny.fits(split, inputs, aux), false, 'a row of 100 terms in a binding of 64');
    const few = await WebgpuR1cs.create(gpu!, { bindingBytes: 32 * 2 });
    const vars = (inputs.length + aux.length) / 32;
    assert.ok(Math.ceil(vars / 2) > few.maxWitnessParts);
    const one = randomR1cs('webgpu-r1cs-one-term', 20, 2, 30);
    assert.equal(few.fits(one.r1cs, one.inputs, one.aux), false, `${vars} variables in parts of 2`);
    await assert.rejects(
      few.evaluate(one.r1cs, one.inputs, one.aux),
      /needs 16 bindings, the adapter allows/,
    );
  },
);

test(
  'into the quotient on the GPU: A, B, C written into device vectors split in parts, the quotient equal to the CPU',
  { skip },
  async () => {
    // runs of 16 rows and parts of 64 elements: runs and the input rows straddle the parts; n = 304 values,
    // a domain of 512 in 8 parts (the split quotient)
    const r1cs = await WebgpuR1cs.create(gpu!, { bindingBytes: 512 * 4 });
    const ntt = await WebgpuNtt.create(gpu!, { partElements: 64 });
    const { r1cs: sys, inputs, aux } = randomR1cs('webgpu-r1cs-into', 300, 4, 200);
    const want = await oracleKernels(native!).evaluateR1cs(sys, inputs, aux);
    const q = ntt.quotientSpace(304);
    assert.equal(q.a.buffers.length, 8);
    await r1cs.evaluateInto(sys, inputs, aux, q);
    for (const k of ['a', 'b', 'c'] as const) {
      const v = q[k];
      const got = await readBuffers(
        gpu!.device,
        v.buffers.map((buffer) => ({ buffer, size: v.per * 32 })),
      );
      assert.equal(hex(got.subarray(0, 304 * 32)), hex(want[k]), `${k}, seed ${SEED}`);
      assert.ok(
        got.subarray(304 * 32).every((x) => x === 0),
        `${k} zero past n`,
      );
    }
    assert.equal(hex(await ntt.quotientOf(q)), hex(await native!.quotient(want.a, want.b, want.c)));
    const wrong = ntt.quotientSpace(300);
    await assert.rejects(r1cs.evaluateInto(sys, inputs, aux, wrong), /a quotient of 300 values/);
    ntt.freeQuotient(wrong);
  },
);

describe('structures kept on the GPU between calls', { skip }, () => {
  // runs of 16 rows, so a structure is many buffers
  const opts = { bindingBytes: 512 * 4 };
  const want = async (s: ReturnType<typeof randomR1cs>) =>
    oracleKernels(native!).evaluateR1cs(s.r1cs, s.inputs, s.aux);
  const same = (got: Record<'a' | 'b' | 'c', Uint8Array>, w: typeof got, what: string) => {
    for (const k of ['a', 'b', 'c'] as const)
      assert.equal(hex(got[k]), hex(w[k]), `${what}: ${k}, seed ${SEED}`);
  };

  test("a job's partitions: placed at the first call, reused, the oldest beyond two dropped and placed again", async () => {
    const r1cs = await WebgpuR1cs.create(gpu!, opts);
    const [one, two, three] = ['one', 'two', 'three'].map((l) =>
      randomR1cs(`webgpu-r1cs-resident-${l}`, 200, 3, 150),
    );
    assert.equal(r1cs.structureState(one!.r1cs), undefined);
    const w1 = await want(one!);
    // partitions of one job: one structure, another witness each
    const other = randomR1cs('webgpu-r1cs-resident-one-witness', 200, 3, 150);
    const w1b = await oracleKernels(native!).evaluateR1cs(one!.r1cs, other.inputs, other.aux);
    same(await r1cs.evaluate(one!.r1cs, one!.inputs, one!.aux), w1, 'first call');
    assert.equal(r1cs.structureState(one!.r1cs), 'resident');
    same(await r1cs.evaluate(one!.r1cs, other.inputs, other.aux), w1b, 'resident, another witness');
    same(await r1cs.evaluate(two!.r1cs, two!.inputs, two!.aux), await want(two!), 'second system');
    same(await r1cs.evaluate(three!.r1cs, three!.inputs, three!.aux), await want(three!), 'third system');
    assert.equal(r1cs.structureState(one!.r1cs), 'none', 'dropped: least recently used of three');
    assert.equal(r1cs.structureState(two!.r1cs), 'resident');
    same(await r1cs.evaluate(one!.r1cs, one!.inputs, one!.aux), w1, 'placed again');
    assert.equal(r1cs.structureState(one!.r1cs), 'resident');
    assert.equal(r1cs.structureState(two!.r1cs), 'none');
  });

  test('an R1CS object given other matrices is placed again, not evaluated with the old ones', async () => {
    const r1cs = await WebgpuR1cs.create(gpu!, opts);
    const s = randomR1cs('webgpu-r1cs-replaced', 120, 2, 90);
    same(await r1cs.evaluate(s.r1cs, s.inputs, s.aux), await want(s), 'before');
    const t = randomR1cs('webgpu-r1cs-replacing', 120, 2, 90);
    const sys = s.r1cs as { a: SparseMatrix; b: SparseMatrix; c: SparseMatrix };
    [sys.a, sys.b, sys.c] = [t.r1cs.a, t.r1cs.b, t.r1cs.c];
    same(await r1cs.evaluate(s.r1cs, s.inputs, s.aux), await want(s), 'after');
    assert.equal(r1cs.structureState(s.r1cs), 'resident');
  });

  test('partitions of three jobs at once, one kept: a structure dropped while a call uses it', async () => {
    const r1cs = await WebgpuR1cs.create(gpu!, { ...opts, residentStructures: 1 });
    const systems = ['a', 'b', 'c'].map((l) => randomR1cs(`webgpu-r1cs-concurrent-${l}`, 150, 2, 120));
    const wants = await Promise.all(systems.map(want));
    const got = await Promise.all(
      [0, 1, 2, 0, 1, 2].map((k) => r1cs.evaluate(systems[k]!.r1cs, systems[k]!.inputs, systems[k]!.aux)),
    );
    got.forEach((g, i) => same(g, wants[i % 3]!, `call ${i}`));
    assert.equal(systems.filter((s) => r1cs.structureState(s.r1cs) === 'resident').length, 1);
  });

  test('where a structure and its reserve do not fit, or none is kept: uploaded per call, the same values', async () => {
    const s = randomR1cs('webgpu-r1cs-per-call', 200, 3, 150);
    const w = await want(s);
    const tight = await WebgpuR1cs.create(gpu!, { ...opts, maxResidentBytes: 4096 });
    for (let i = 0; i < 2; i++) same(await tight.evaluate(s.r1cs, s.inputs, s.aux), w, `tight, call ${i}`);
    assert.match(
      tight.structureState(s.r1cs)!,
      /^per call: \d+ bytes and a reserve of \d+ are over the 4096 allowed$/,
    );
    const none = await WebgpuR1cs.create(gpu!, { ...opts, residentStructures: 0 });
    same(await none.evaluate(s.r1cs, s.inputs, s.aux), w, 'none kept');
    assert.equal(none.structureState(s.r1cs), undefined);
  });
});
