/**
 * evaluateR1cs, native against the reference, on random R1CS shaped like the witness-heavy ones of
 * PoRep: values mostly 0 and 1 (the native kernel's fast paths) mixed with r - 1 and random ones,
 * coefficients 0, +-1, powers of two and random (duplicates in the table too), repeated variables in
 * a row, empty rows, matrices in SharedArrayBuffers, and sizes across the native row chunks.
 * quotientR1cs likewise, and natively equal to quotient(evaluateR1cs(...)).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SEED, hex, nativeBackend, reference } from '../support/backend-helpers.ts';
import { randomR1cs, rejectsBadR1cs } from '../support/random-r1cs.ts';

const native = await nativeBackend();

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

  test('rejects bad shapes and non-canonical witness values', () =>
    rejectsBadR1cs((r, i, a) => native!.evaluateR1cs(r, i, a), 'r1cs-bad', false));
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

  test('rejects what evaluateR1cs rejects', () =>
    rejectsBadR1cs((r, i, a) => native!.quotientR1cs(r, i, a), 'quotient-r1cs-bad'));
});
