/**
 * The seam between the Groth16 prover and the machines that do its heavy lifting, split by who needs
 * what. `Backend` is what proving needs and all a new backend (WebGPU, CUDA) has to provide; the setup
 * and oracle kernels are served by the CPU backend and borrowed from it (borrow.ts) by any backend that
 * lacks them. The prover never learns which machine it drives.
 *
 * Encodings are those of bellperson's parameter files so bytes can flow from disk to kernel untouched:
 * - Fr scalars: 32 bytes little-endian, canonical (not Montgomery), packed back to back (`FrVector`); an
 *   MSM's scalars and a quotient's aux may also be synthesis's compact witness (`Scalars`,
 *   shared/compact-witness.ts), which the backends read as it is: a witness is never expanded for them.
 * - G1 points: 96 bytes uncompressed affine (x||y big-endian, zcash flag bits); G2: 192 bytes
 *   (x.c1||x.c0||y.c1||y.c0). The identity is the all-zero encoding with the infinity flag (0x40) set.
 */
import type { FrVector } from '../shared/fr-vector.ts';
import type { Scalars } from '../shared/compact-witness.ts';
import type { R1cs, SparseMatrix } from '../shared/r1cs.ts';

export type Group = 'g1' | 'g2';

export const POINT_BYTES: Record<Group, number> = { g1: 96, g2: 192 };

/** Points held by the backend in its own layout, loaded once per parameter file and reused per proof. */
export interface PointTable {
  readonly group: Group;
  /** Number of points appended so far. */
  readonly length: number;
}

/** sppark's names for the two transforms; the inverse scales by 1/m. */
export type NttDirection = 'forward' | 'inverse';

/**
 * Point tables and the MSMs over them. They go together: a table lives in the memory of the kernels that
 * made it, so a backend borrows all four or none.
 */
export interface PointKernels {
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
   * Every point is appended (a proving key is loaded): a backend may move the table where it proves from
   * and free its staging copy (CUDA: uploaded, the host copy freed). Appends after it may be refused.
   */
  sealTable?(table: PointTable): Promise<void>;
  /**
   * sum scalars[i] * bases[start + k(i)] where, with a density map (one byte per scalar), k(i) counts the
   * set bytes before i and scalars whose byte is 0 are skipped; without one k(i) = i. Scalars 0 and 1
   * (nearly all of a PoRep witness) must take a fast path: a plain sum of the bases of the ones. Returns
   * the sum as an uncompressed point of the table's group.
   */
  msm(table: PointTable, start: number, scalars: Scalars, density?: Uint8Array): Promise<Uint8Array>;
}

/** Groth16's quotient H = (A*B - C) / Z: the NTT work of a proof. */
export interface QuotientKernels {
  /**
   * Pads a, b, c (equal length n) to the domain size m = 2^ceil(log2 n), computes H on the coset of the
   * multiplicative generator as bellperson does (iNTT, coset NTT, pointwise, divide by Z, inverse coset
   * NTT) and returns its first m - 1 coefficients.
   */
  quotient(a: FrVector, b: FrVector, c: FrVector): Promise<FrVector>;
  /**
   * quotient of A, B, C of every constraint of `r1cs` on a witness (`inputs`, ONE first, and `aux`), laid
   * out as bellperson's prover does (numConstraints values, then numInputs for the implied input
   * constraints: A = input i, B = C = 0), without the A, B, C buffers: the backend evaluates the
   * constraints straight into the vectors it transforms. The matrices may live in SharedArrayBuffers.
   * Rejects a non-canonical value.
   */
  quotientR1cs(r1cs: R1cs, inputs: FrVector, aux: Scalars): Promise<FrVector>;
}

/**
 * How the prover orders a proof's kernels on a backend: `serial` (the default) runs the quotient, then the
 * G1 MSMs, then the G2 MSMs; `overlap` starts every MSM that does not need H with the quotient. Overlap pays
 * where the kernels run on different processors (a GPU's kernels while the host prepares the next call's
 * scalars, G2 on the CPU beside the GPU); on the CPU backend they share one pool of cores and overlapping them was
 * measured 5% slower (2KiB, 2 cores: 42.3 s against 40.1 s).
 */
export type KernelSchedule = 'serial' | 'overlap';

/** What proving needs, and all that a proving backend must implement. */
export interface Backend extends PointKernels, QuotientKernels {
  readonly name: string;
  readonly schedule?: KernelSchedule;
  /**
   * Proofs it makes side by side at full speed: one per GPU where its kernels spread over several (the
   * CUDA backend's); 1 when absent. A job of several partitions proves that many at once.
   */
  readonly lanes?: number;
  /**
   * quotientR1cs's H summed over `table` (sum H[i] * table[i], i < m - 1: the h query's MSM) in one call,
   * where the backend keeps H where it computed it: on a GPU, H (4 GiB a 32GiB partition) would otherwise
   * cross the bus twice and be split on the host. `onQuotient` is called once H is known (or, where H and its
   * MSM are one call to the machine, once the sum is), for the stage times. Optional: without it the prover runs quotientR1cs, then msm.
   */
  quotientMsm?(
    r1cs: R1cs,
    inputs: FrVector,
    aux: Scalars,
    table: PointTable,
    onQuotient?: () => void,
  ): Promise<Uint8Array>;
}

/** The kernels of the random parameter setup (groth16/setup.ts). */
export interface SetupKernels {
  /** base * scalars[i] for every i, as uncompressed points (identity where the scalar is 0). */
  fixedBaseMul(group: Group, base: Uint8Array, scalars: FrVector): Promise<Uint8Array>;
  /** In-place radix-2 NTT over the subgroup of order len/32 (a power of two). */
  ntt(values: FrVector, direction: NttDirection): Promise<void>;
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

/**
 * Kernels that materialize what the lean proving path never builds, as bellperson does: for comparisons
 * with the oracle and for tests.
 */
export interface OracleKernels {
  /**
   * A, B, C of every constraint of `r1cs` on a witness, laid out as quotientR1cs describes, in one fused
   * pass over the three matrices. Same checks and errors as quotientR1cs.
   */
  evaluateR1cs(
    r1cs: R1cs,
    inputs: FrVector,
    aux: FrVector,
  ): Promise<{ a: FrVector; b: FrVector; c: FrVector }>;
  /** rows: out[r] = sum_k coeff(r,k) * vec[col(r,k)], one Fr per row. */
  sparseMul(m: SparseMatrix, vec: FrVector): Promise<FrVector>;
}

/** Every kernel: the CPU backend, and the reference backend of the tests. */
export interface FullBackend extends Backend, SetupKernels, OracleKernels {}
