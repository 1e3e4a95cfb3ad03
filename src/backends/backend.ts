/**
 * The one seam between the Groth16 prover and the machines that do its heavy lifting. The CPU (native),
 * WebGPU and CUDA backends implement it; the prover never learns which one it drives.
 *
 * Encodings are those of bellperson's parameter files so bytes can flow from disk to kernel untouched:
 * - Fr scalars: 32 bytes little-endian, canonical (not Montgomery), packed back to back (`FrVector`).
 * - G1 points: 96 bytes uncompressed affine (x||y big-endian, zcash flag bits); G2: 192 bytes
 *   (x.c1||x.c0||y.c1||y.c0). The identity is the all-zero encoding with the infinity flag (0x40) set.
 */

import type { R1cs } from '../groth16/r1cs.ts';

export type FrVector = Uint8Array;
export type Group = 'g1' | 'g2';

export const FR_BYTES = 32;
export const POINT_BYTES: Record<Group, number> = { g1: 96, g2: 192 };

/** Points held by the backend in its own layout, loaded once per parameter file and reused per proof. */
export interface PointTable {
  readonly group: Group;
  /** Number of points appended so far. */
  readonly length: number;
}

/**
 * A sparse matrix in CSR form over the variables of an R1CS (inputs first, then aux), whose coefficients
 * are indices into a small table of distinct values: PoRep circuits use few distinct coefficients
 * (1, -1, powers of two), so a u32 per term beats 32 bytes per term.
 */
export interface SparseMatrix {
  /** rows + 1 offsets into cols/coeffIds. */
  readonly rowPtr: Uint32Array;
  /** Variable index of each term. */
  readonly cols: Uint32Array;
  /** Index into coeffTable of each term. */
  readonly coeffIds: Uint32Array;
  /** Distinct coefficients, FrVector. */
  readonly coeffTable: FrVector;
}

export interface Backend {
  readonly name: string;

  /** An empty table with room for `capacity` points of `group`. */
  newTable(group: Group, capacity: number): PointTable;
  /**
   * Appends uncompressed points (a whole number of them). With `validate`, every point is checked on the
   * curve and in the prime-order subgroup, and a bad one rejects with its index.
   */
  appendPoints(table: PointTable, bytes: Uint8Array, validate: boolean): Promise<void>;
  /** Frees the table's memory now rather than at garbage collection. */
  freeTable(table: PointTable): void;

  /**
   * sum scalars[i] * bases[start + k(i)] where, with a density map (one byte per scalar), k(i) counts the
   * set bytes before i and scalars whose byte is 0 are skipped; without one k(i) = i. Returns the sum as
   * an uncompressed point of the table's group.
   */
  msm(table: PointTable, start: number, scalars: FrVector, density?: Uint8Array): Promise<Uint8Array>;

  /** base * scalars[i] for every i, as uncompressed points (identity where the scalar is 0). */
  fixedBaseMul(group: Group, base: Uint8Array, scalars: FrVector): Promise<Uint8Array>;

  /**
   * Groth16's quotient: pads a, b, c (equal length n) to the domain size m = 2^ceil(log2 n), computes
   * H = (A*B - C) / Z on the coset of the multiplicative generator as bellperson does (iNTT, coset NTT,
   * pointwise, divide by Z, inverse coset NTT) and returns its first m - 1 coefficients.
   */
  quotient(a: FrVector, b: FrVector, c: FrVector): Promise<FrVector>;

  /** In-place radix-2 NTT over the subgroup of order len/32 (a power of two); inverse scales by 1/m. */
  ntt(values: FrVector, inverse: boolean): Promise<void>;

  /** rows: out[r] = sum_k coeff(r,k) * vec[col(r,k)], one Fr per row. */
  sparseMul(m: SparseMatrix, vec: FrVector): Promise<FrVector>;
  /**
   * A, B, C of every constraint of `r1cs` on a witness (`inputs`, ONE first, and `aux`), laid out as
   * bellperson's prover does: numConstraints values, then numInputs for the implied input constraints
   * (A = input i, B = C = 0). One fused pass over the three matrices; they may live in
   * SharedArrayBuffers (the structure cache shares them across threads). Rejects a non-canonical value.
   */
  evaluateR1cs(
    r1cs: R1cs,
    inputs: FrVector,
    aux: FrVector,
  ): Promise<{ a: FrVector; b: FrVector; c: FrVector }>;
  /**
   * quotient(evaluateR1cs(r1cs, inputs, aux)) without the A, B, C buffers: the backend evaluates the
   * constraints straight into the vectors it transforms. Same checks and errors as evaluateR1cs.
   */
  quotientR1cs(r1cs: R1cs, inputs: FrVector, aux: FrVector): Promise<FrVector>;
  /** columns: out[c] = sum over terms with col c of coeff * vec[row], `numCols` Fr out. */
  sparseMulTransposed(m: SparseMatrix, vec: FrVector, numCols: number): Promise<FrVector>;

  /** Elementwise (a * x + b * y + z) * w over equal-length vectors; x, y, w are single scalars. */
  linearCombine(
    a: FrVector,
    x: Uint8Array,
    b: FrVector,
    y: Uint8Array,
    z: FrVector,
    w: Uint8Array,
  ): Promise<FrVector>;
  /** [base^0, base^1, ..., base^(n-1)] times `scale`. */
  powers(base: Uint8Array, n: number, scale: Uint8Array): Promise<FrVector>;
}
