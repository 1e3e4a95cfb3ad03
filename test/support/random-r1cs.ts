/**
 * Random R1CS systems and witnesses for the backends' constraint-evaluation tests: rows of 0 to 6 terms
 * (empty rows, repeated variables), coefficient tables with 0, 1, -1, large and random values, and a
 * witness that is mostly 0 and 1 as PoRep's is. Optionally in SharedArrayBuffers, as the piscina workers
 * hand them over.
 */
import assert from 'node:assert/strict';
import type { SparseMatrix, R1cs } from '../../src/shared/r1cs.ts';
import { FR_MODULUS } from '../../src/shared/fr.ts';
import { frVector } from '../../src/shared/fr-vector.ts';
import { Rng } from './backend-helpers.ts';

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

export function randomR1cs(label: string, rows: number, numInputs: number, numAux: number, sab = false) {
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

type R1csCall = (r1cs: R1cs, inputs: Uint8Array, aux: Uint8Array) => Promise<unknown>;

/**
 * Checks that `call` (a backend's evaluateR1cs or quotientR1cs, or the addon's) rejects each malformed
 * system with the CPU backend's reason: a witness value not below r, a column past the witness, a matrix
 * of the wrong row count, a coefficient index past its table, and (where the call reads numConstraints)
 * a constraint count that is not the matrices'.
 */
export async function rejectsBadR1cs(call: R1csCall, label: string, readsCount = true): Promise<void> {
  const { r1cs, inputs, aux } = randomR1cs(label, 50, 2, 40);
  const big = aux.slice();
  // r itself, the least value that is not reduced
  big.set(
    frVector([FR_MODULUS - 1n]).map((b, i) => (i === 0 ? b + 1 : b)),
    32 * 7,
  );
  await assert.rejects(call(r1cs, inputs, big), /aux: scalar 7 is not reduced/);
  await assert.rejects(call(r1cs, inputs, aux.subarray(0, 32 * 10)), /A: term \d+ names column \d+ of 12/);
  const short = { ...r1cs, b: { ...r1cs.b, rowPtr: r1cs.b.rowPtr.subarray(0, 40) } };
  await assert.rejects(call(short, inputs, aux), /rows/);
  const badIds = { ...r1cs, c: { ...r1cs.c, coeffIds: r1cs.c.coeffIds.map(() => 99) } };
  await assert.rejects(call(badIds, inputs, aux), /C: term 0 names coefficient 99/);
  if (readsCount) await assert.rejects(call({ ...r1cs, numConstraints: 49 }, inputs, aux), /rows/);
}
