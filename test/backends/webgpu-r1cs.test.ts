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
import { testGpu } from '../support/webgpu.ts';

const native = await nativeBackend();
const { gpu, why } = await testGpu();
const skip = why ?? (!native ? 'native CPU backend not built' : false);

describe('WebGPU quotientR1cs vs the CPU backend', { skip }, () => {
  const saved = process.env.C2_WEBGPU_ALLOW_SOFTWARE;
  process.env.C2_WEBGPU_ALLOW_SOFTWARE = '1';
  const b = createWebgpuBackend();
  if (saved === undefined) delete process.env.C2_WEBGPU_ALLOW_SOFTWARE;
  else process.env.C2_WEBGPU_ALLOW_SOFTWARE = saved;
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
