/**
 * quotientR1cs of the WebGPU backend (the constraint evaluation in shaders/r1cs.wgsl, then the WGSL
 * quotient) against the native CPU backend on random R1CS shaped like PoRep's (values mostly 0 and 1,
 * coefficients 0, +-1, powers of two and random, repeated variables, empty rows), at sizes on both sides of
 * a power of two, and its rejections. Up to ~500 constraints: seconds on llvmpipe.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { R1cs, SparseMatrix } from '../../src/shared/r1cs.ts';
import { createWebgpuBackend, frLayout } from '../../src/backends/webgpu/index.ts';
import { FR_MODULUS } from '../../src/shared/fr.ts';
import { frVector } from '../../src/shared/fr-vector.ts';
import { Rng, SEED, hex, nativeBackend } from '../support/backend-helpers.ts';
import { testGpu } from '../support/webgpu.ts';

const native = await nativeBackend();
const { why } = await testGpu();
const skip = why ?? (!native ? 'native CPU backend not built' : false);

function value(rng: Rng): bigint {
  const k = rng.int(10);
  return k < 4 ? 0n : k < 7 ? 1n : k === 7 ? FR_MODULUS - 1n : rng.fr();
}

function matrix(rng: Rng, rows: number, numVars: number): SparseMatrix {
  const table = [1n, FR_MODULUS - 1n, 0n, 2n, 1n << 200n, rng.fr()];
  const rowPtr = new Uint32Array(rows + 1);
  const cols: number[] = [];
  const ids: number[] = [];
  for (let r = 0; r < rows; r++) {
    const terms = rng.int(6) === 0 ? 0 : 1 + rng.int(5);
    for (let k = 0; k < terms; k++) {
      cols.push(k > 0 && rng.int(5) === 0 ? cols[cols.length - 1]! : rng.int(numVars));
      ids.push(rng.int(table.length));
    }
    rowPtr[r + 1] = cols.length;
  }
  return {
    rowPtr,
    cols: Uint32Array.from(cols),
    coeffIds: Uint32Array.from(ids),
    coeffTable: frVector(table),
  };
}

function system(label: string, rows: number, numInputs: number, numAux: number) {
  const rng = new Rng(label);
  const n = numInputs + numAux;
  const r1cs: R1cs = {
    numInputs,
    numAux,
    numConstraints: rows,
    a: matrix(rng, rows, n),
    b: matrix(rng, rows, n),
    c: matrix(rng, rows, n),
  };
  const inputs = frVector([1n, ...Array.from({ length: numInputs - 1 }, () => value(rng))]);
  const aux = frVector(Array.from({ length: numAux }, () => value(rng)));
  return { r1cs, inputs, aux };
}

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
      const { r1cs, inputs, aux } = system(`webgpu-r1cs-${rows}`, rows, numInputs, numAux);
      const want = await native!.quotientR1cs(r1cs, inputs, aux);
      const got = await b.quotientR1cs(r1cs, inputs, aux);
      assert.equal(hex(got), hex(want), `seed ${SEED}`);
    });
  }

  test('rejects bad shapes and non-canonical witness values', async () => {
    const { r1cs, inputs, aux } = system('webgpu-r1cs-bad', 50, 2, 40);
    const big = aux.slice();
    big.set(
      frVector([FR_MODULUS - 1n]).map((x, i) => (i === 0 ? x + 1 : x)),
      32 * 7,
    );
    await assert.rejects(b.quotientR1cs(r1cs, inputs, big), /aux: scalar 7 is not reduced/);
    await assert.rejects(b.quotientR1cs(r1cs, inputs, aux.subarray(0, 32 * 10)), /column/);
    const short = { ...r1cs, b: { ...r1cs.b, rowPtr: r1cs.b.rowPtr.subarray(0, 40) } };
    await assert.rejects(b.quotientR1cs(short, inputs, aux), /rows/);
    const badIds = { ...r1cs, c: { ...r1cs.c, coeffIds: r1cs.c.coeffIds.map(() => 99) } };
    await assert.rejects(b.quotientR1cs(badIds, inputs, aux), /coefficient/);
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
    const saved = { ...process.env };
    process.env.C2_WEBGPU_ALLOW_SOFTWARE = '1';
    process.env.C2_WEBGPU_FR_LAYOUT = 'limb13';
    const b = createWebgpuBackend();
    process.env = saved;
    after(() => b.close());
    assert.match(b.name, /; Fr limb13\)$/);
    const { r1cs, inputs, aux } = system('webgpu-r1cs-layout', 300, 3, 211);
    assert.equal(
      hex(await b.quotientR1cs(r1cs, inputs, aux)),
      hex(await native!.quotientR1cs(r1cs, inputs, aux)),
    );
  },
);
