/** The benches' stand-in for a PoRep partition's R1CS (bench/cuda.ts, bench/webgpu.ts). */
import { randomFillSync } from 'node:crypto';
import type { R1cs, SparseMatrix } from '../src/shared/r1cs.ts';

/**
 * An R1CS of n constraints over `numVars` variables shaped as PoRep's is (measured on the 2KiB circuit: A
 * 2.39 terms a row, B 1.00, C 2.17; ~1500 distinct coefficients, most of them 1), columns at random:
 * scattered reads of the witness, which the real circuit's neighbouring gadget variables only improve on.
 * A 32GiB partition's: ~7.4 GB of structure.
 */
export function poRepLikeR1cs(n: number, numInputs: number, numVars: number): R1cs {
  let x = 0x9e3779b9;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
  const coeffs = new Uint8Array(1526 * 32);
  randomFillSync(coeffs);
  for (let i = 31; i < coeffs.length; i += 32) coeffs[i]! &= 0x1f;
  coeffs.fill(0, 0, 32);
  coeffs[0] = 1;
  const matrix = (extra: number): SparseMatrix => {
    // rows of 1 or 2 terms, one more with probability extra (in 1/256ths)
    const base = extra === 0 ? 1 : 2;
    const rowPtr = new Uint32Array(n + 1);
    const cap = Math.ceil(n * (base + extra / 256) * 1.01) + 64;
    const cols = new Uint32Array(cap);
    const ids = new Uint32Array(cap);
    let k = 0;
    for (let r = 0; r < n; r++) {
      const terms = base + ((next() & 255) < extra ? 1 : 0);
      for (let t = 0; t < terms; t++) {
        const z = next();
        cols[k] = z % numVars;
        ids[k] = (z & 7) === 0 ? z % 1526 : 0;
        k++;
      }
      rowPtr[r + 1] = k;
    }
    return { rowPtr, cols: cols.subarray(0, k), coeffIds: ids.subarray(0, k), coeffTable: coeffs };
  };
  return {
    numInputs,
    numAux: numVars - numInputs,
    numConstraints: n,
    a: matrix(100), // 2.39
    b: matrix(0), // 1.00
    c: matrix(44), // 2.17
  };
}
