/**
 * evaluateR1cs, native against the reference, on random R1CS shaped like the witness-heavy ones of
 * PoRep: values mostly 0 and 1 (the native kernel's fast paths) mixed with r - 1 and random ones,
 * coefficients 0, +-1, powers of two and random (duplicates in the table too), repeated variables in
 * a row, empty rows, matrices in SharedArrayBuffers, and sizes across the native row chunks.
 * quotientR1cs likewise, and natively equal to quotient(evaluateR1cs(...)).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SparseMatrix, R1cs } from '../../src/shared/r1cs.ts';
import { FR_MODULUS } from '../../src/shared/fr.ts';
import { frVector } from '../../src/shared/fr-vector.ts';
import { Rng, SEED, hex, nativeBackend, reference } from '../support/backend-helpers.ts';

const native = await nativeBackend();

function shared<T extends Uint8Array | Uint32Array>(a: T): T {
  const s = new (a.constructor as new (b: SharedArrayBuffer) => T)(new SharedArrayBuffer(a.byteLength));
  s.set(a as never);
  return s;
}

function randomValue(rng: Rng): bigint {
  const k = rng.int(10);
  if (k < 4) return 0n;
  if (k < 7) return 1n;
  if (k === 7) return FR_MODULUS - 1n;
  return rng.fr();
}

function randomMatrix(rng: Rng, rows: number, numVars: number, sab: boolean): SparseMatrix {
  const table = [1n, FR_MODULUS - 1n, 0n, 2n, 1n << 200n, FR_MODULUS - 4n, rng.fr(), rng.fr(), 1n];
  const rowPtr = new Uint32Array(rows + 1);
  const cols: number[] = [];
  const ids: number[] = [];
  for (let r = 0; r < rows; r++) {
    const terms = rng.int(7) === 0 ? 0 : 1 + rng.int(6);
    for (let k = 0; k < terms; k++) {
      // a repeated variable now and then (the previous term's)
      cols.push(k > 0 && rng.int(5) === 0 ? cols[cols.length - 1]! : rng.int(numVars));
      ids.push(rng.int(table.length));
    }
    rowPtr[r + 1] = cols.length;
  }
  const m = {
    rowPtr,
    cols: Uint32Array.from(cols),
    coeffIds: Uint32Array.from(ids),
    coeffTable: frVector(table),
  };
  return sab
    ? {
        rowPtr: shared(m.rowPtr),
        cols: shared(m.cols),
        coeffIds: shared(m.coeffIds),
        coeffTable: shared(m.coeffTable),
      }
    : m;
}

function randomR1cs(label: string, rows: number, numInputs: number, numAux: number, sab: boolean) {
  const rng = new Rng(label);
  const numVars = numInputs + numAux;
  const r1cs: R1cs = {
    numInputs,
    numAux,
    numConstraints: rows,
    a: randomMatrix(rng, rows, numVars, sab),
    b: randomMatrix(rng, rows, numVars, sab),
    c: randomMatrix(rng, rows, numVars, sab),
  };
  const inputs = frVector([1n, ...Array.from({ length: numInputs - 1 }, () => randomValue(rng))]);
  const aux = frVector(Array.from({ length: numAux }, () => randomValue(rng)));
  return { r1cs, inputs, aux };
}

describe('evaluateR1cs, native vs reference', { skip: !native }, () => {
  for (const [rows, numInputs, numAux, sab] of [
    [0, 1, 0, false],
    [1, 1, 1, false],
    [300, 3, 211, false],
    [9000, 20, 5000, true],
  ] as const) {
    test(`${rows} constraints, ${numInputs} inputs, ${numAux} aux${sab ? ', SharedArrayBuffers' : ''}`, async () => {
      const { r1cs, inputs, aux } = randomR1cs(`r1cs-${rows}`, rows, numInputs, numAux, sab);
      const got = await native!.evaluateR1cs(r1cs, inputs, aux);
      const want = await reference.evaluateR1cs(r1cs, inputs, aux);
      for (const k of ['a', 'b', 'c'] as const) {
        assert.equal(got[k].length, (rows + numInputs) * 32);
        assert.equal(hex(got[k]), hex(want[k]), `${k}, seed ${SEED}`);
      }
    });
  }

  test('rejects bad shapes and non-canonical witness values', async () => {
    const { r1cs, inputs, aux } = randomR1cs('r1cs-bad', 50, 2, 40, false);
    const big = aux.slice();
    big.set(
      frVector([FR_MODULUS - 1n]).map((b, i) => (i === 0 ? b + 1 : b)),
      32 * 7,
    );
    await assert.rejects(native!.evaluateR1cs(r1cs, inputs, big), /aux: scalar 7 is not reduced/);
    await assert.rejects(native!.evaluateR1cs(r1cs, inputs, aux.subarray(0, 32 * 10)), /column/);
    const short = { ...r1cs, b: { ...r1cs.b, rowPtr: r1cs.b.rowPtr.subarray(0, 40) } };
    await assert.rejects(native!.evaluateR1cs(short, inputs, aux), /rows/);
    const badIds = { ...r1cs, c: { ...r1cs.c, coeffIds: r1cs.c.coeffIds.map(() => 99) } };
    await assert.rejects(native!.evaluateR1cs(badIds, inputs, aux), /coefficient/);
  });
});

describe('quotientR1cs', { skip: !native }, () => {
  // sizes on both sides of a power of two (constraints + inputs = 512 exactly, 513, one row chunk+)
  for (const [rows, numInputs, numAux, sab] of [
    [0, 1, 0, false],
    [1, 1, 1, false],
    [508, 4, 300, false],
    [510, 3, 211, true],
    [300, 3, 211, false],
  ] as const) {
    test(`native vs reference: ${rows} constraints, ${numInputs} inputs, ${numAux} aux${sab ? ', SharedArrayBuffers' : ''}`, async () => {
      const { r1cs, inputs, aux } = randomR1cs(`quotient-r1cs-${rows}`, rows, numInputs, numAux, sab);
      const got = await native!.quotientR1cs(r1cs, inputs, aux);
      const want = await reference.quotientR1cs(r1cs, inputs, aux);
      let m = 1;
      while (m < rows + numInputs) m *= 2;
      assert.equal(got.length, (m - 1) * 32);
      assert.equal(hex(got), hex(want), `seed ${SEED}`);
    });
  }

  for (const [rows, numInputs, numAux] of [
    [9000, 20, 5000],
    [(1 << 14) - 7, 7, 3000],
  ] as const) {
    test(`native: equals quotient(evaluateR1cs(...)), ${rows} constraints, ${numInputs} inputs`, async () => {
      const { r1cs, inputs, aux } = randomR1cs(`quotient-r1cs-eq-${rows}`, rows, numInputs, numAux, true);
      const { a, b, c } = await native!.evaluateR1cs(r1cs, inputs, aux);
      const want = await native!.quotient(a, b, c);
      const got = await native!.quotientR1cs(r1cs, inputs, aux);
      assert.equal(hex(got), hex(want), `seed ${SEED}`);
    });
  }

  test('rejects what evaluateR1cs rejects', async () => {
    const { r1cs, inputs, aux } = randomR1cs('quotient-r1cs-bad', 50, 2, 40, false);
    const big = aux.slice();
    big.set(
      frVector([FR_MODULUS - 1n]).map((b, i) => (i === 0 ? b + 1 : b)),
      32 * 7,
    );
    await assert.rejects(native!.quotientR1cs(r1cs, inputs, big), /aux: scalar 7 is not reduced/);
    await assert.rejects(native!.quotientR1cs(r1cs, inputs, aux.subarray(0, 32 * 10)), /column/);
    const short = { ...r1cs, b: { ...r1cs.b, rowPtr: r1cs.b.rowPtr.subarray(0, 40) } };
    await assert.rejects(native!.quotientR1cs(short, inputs, aux), /rows/);
    const badIds = { ...r1cs, c: { ...r1cs.c, coeffIds: r1cs.c.coeffIds.map(() => 99) } };
    await assert.rejects(native!.quotientR1cs(badIds, inputs, aux), /coefficient/);
    const miscounted = { ...r1cs, numConstraints: 49 };
    await assert.rejects(native!.quotientR1cs(miscounted, inputs, aux), /rows/);
  });
});
