/**
 * A rank-1 constraint system in typed arrays: what synthesis produces, the structure cache stores, the
 * setup and the prover consume and the backends evaluate. It lives below all of them so that none has to
 * import another's module for the shape of the data they pass along.
 *
 * Variables share one index space: inputs 0..numInputs-1 (input 0 is the constant ONE), then aux.
 * The matrices hold the circuit's own constraints; the "input constraints" that bellperson appends after
 * synthesis (Input(i) * 0 = 0 for every input, which puts every input into the A polynomial) are implied
 * and added by whoever evaluates, never stored.
 */
import type { FrVector } from './fr-vector.ts';

/**
 * One of A, B, C in CSR form, whose coefficients are indices into a small table of distinct values: PoRep
 * circuits use few distinct coefficients (1, -1, powers of two), so a u32 per term beats 32 bytes per term.
 * The arrays may live in SharedArrayBuffers (the structure is shared across synthesis threads).
 */
export interface SparseMatrix {
  /** rows + 1 offsets into cols/coeffIds. */
  readonly rowPtr: Uint32Array;
  /** Variable index of each term. */
  readonly cols: Uint32Array;
  /** Index into coeffTable of each term. */
  readonly coeffIds: Uint32Array;
  /** Distinct coefficients. */
  readonly coeffTable: FrVector;
}

export interface R1cs {
  numInputs: number;
  numAux: number;
  /** Constraints in the matrices, without the implied input constraints. */
  numConstraints: number;
  a: SparseMatrix;
  b: SparseMatrix;
  c: SparseMatrix;
}

/**
 * The evaluation domain of a system of n constraints (input constraints included): the smallest power of
 * two that holds them. The setup sizes the h query by it and the prover checks the key against it.
 */
export function domainSize(n: number): number {
  let m = 1;
  while (m < n) m *= 2;
  return m;
}

/**
 * Memory the structure holds: its arrays' whole buffers, each once (a structure in its builders' arrays
 * keeps their spare capacity; a file's matrices may share one buffer).
 */
export function r1csBytes(r1cs: R1cs): number {
  const buffers = new Set<ArrayBufferLike>();
  for (const m of [r1cs.a, r1cs.b, r1cs.c])
    for (const x of [m.rowPtr, m.cols, m.coeffIds, m.coeffTable]) buffers.add(x.buffer);
  let n = 0;
  for (const b of buffers) n += b.byteLength;
  return n;
}
