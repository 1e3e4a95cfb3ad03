/**
 * A backend with only some kernels: what it lacks comes from the CPU backend, and what it has is its own.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Backend } from '../../src/backends/backend.ts';
import { cpuBackend, oracleKernels, setupKernels, withCpuKernels } from '../../src/backends/borrow.ts';
import { frVector } from '../../src/shared/fr-vector.ts';
import { createReferenceBackend } from '../support/reference-backend.ts';
import { nativeBackend } from '../support/backend-helpers.ts';

const native = await nativeBackend();

/** The reference's proving kernels only, as a new backend would start. */
function provingOnly(): Backend {
  const r = createReferenceBackend();
  return {
    name: 'proving-only',
    newTable: r.newTable,
    appendPoints: r.appendPoints,
    freeTable: r.freeTable,
    msm: r.msm,
    quotient: r.quotient,
    quotientR1cs: r.quotientR1cs,
  };
}

test('a backend with every kernel keeps its own setup and oracle kernels', () => {
  const full = createReferenceBackend();
  assert.equal(setupKernels(full), full);
  assert.equal(oracleKernels(full), full);
});

test('a proving-only backend borrows the CPU setup and oracle kernels', { skip: !native }, async () => {
  const b = provingOnly();
  assert.equal(setupKernels(b), cpuBackend());
  assert.equal(oracleKernels(b), cpuBackend());
  const p = await setupKernels(b).powers(frVector([3n]), 3, frVector([2n]));
  assert.deepEqual(p, frVector([2n, 6n, 18n]));
});

test('missing kernel groups are filled from the CPU, present ones are used', { skip: !native }, async () => {
  const ref = createReferenceBackend();
  const calls: string[] = [];
  const b = withCpuKernels('half', {
    quotient: {
      quotient: (a, bb, c) => (calls.push('quotient'), ref.quotient(a, bb, c)),
      quotientR1cs: (r, i, a) => (calls.push('quotientR1cs'), ref.quotientR1cs(r, i, a)),
    },
  });
  assert.match(b.name, /with cpu kernels/);
  const v = frVector([1n, 2n, 3n, 4n]);
  assert.deepEqual(await b.quotient(v, v, v), await cpuBackend().quotient(v, v, v));
  assert.deepEqual(calls, ['quotient']);
  const t = b.newTable('g1', 1);
  assert.equal(t.length, 0);
  b.freeTable(t);
});
