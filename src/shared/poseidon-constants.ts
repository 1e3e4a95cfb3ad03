/**
 * neptune 11's Poseidon constants for BLS12-381 Fr, x^5 S-box, Strength::Standard, HashType::MerkleTree (the
 * only configuration filecoin-hashers uses): round numbers, Grain-LFSR round constants, the Cauchy MDS
 * matrix, and the preprocessed forms the optimized hash and the circuit run on (compressed round
 * constants, the pre-sparse matrix and one sparse matrix per partial round).
 *
 * Everything is derived once per arity and cached; a matrix inverse is unique, so any exact elimination
 * gives neptune's values.
 */
import { FR_MODULUS as P } from './fr.ts';

export type Matrix = bigint[][];

/** M'' of a partial round: dense first column `wHat` and first row tail `vRest`, identity elsewhere. */
export interface PartialRoundMatrix {
  readonly wHat: readonly bigint[];
  readonly vRest: readonly bigint[];
}

export interface PoseidonConstants {
  readonly arity: number;
  readonly width: number;
  /** HashType::MerkleTree domain tag 2^arity - 1: the first state element. */
  readonly domainTag: bigint;
  readonly fullRounds: number;
  readonly halfFullRounds: number;
  readonly partialRounds: number;
  /** Plain round constants, width per round. */
  readonly roundConstants: readonly bigint[];
  readonly compressedRoundConstants: readonly bigint[];
  readonly mds: Matrix;
  readonly mdsInv: Matrix;
  readonly preSparse: Matrix;
  readonly sparse: readonly PartialRoundMatrix[];
}

// ----- round numbers (round_numbers.rs: f32 arithmetic, 128-bit security, security margin)

const f = Math.fround;

function secure(t: number, rf: number, rp: number): boolean {
  const n = 256;
  const m = 128;
  const rfStat = m <= f(f(n - 3) * f(t + 1)) ? 6 : 10;
  const rfInterp = f(f(f(f(0.43) * m) + f(Math.log2(t))) - rp);
  const rfGrob1 = f(f(f(0.21) * n) - rp);
  const rfGrob2 = f(f(f(f(f(0.14) * n) - 1) - rp) / f(t - 1));
  return rf >= Math.max(rfStat, Math.ceil(rfInterp), Math.ceil(rfGrob1), Math.ceil(rfGrob2));
}

/** calc_round_numbers(t, security_margin = true): [R_F, R_P] minimising the S-box count. */
export function roundNumbers(arity: number): [number, number] {
  const t = arity + 1;
  let rf = 0;
  let rp = 0;
  let best = Infinity;
  for (let rfTest = 2; rfTest <= 1000; rfTest += 2) {
    for (let rpTest = 4; rpTest < 200; rpTest++) {
      if (!secure(t, rfTest, rpTest)) continue;
      const rf2 = rfTest + 2;
      const rp2 = Math.ceil(f(f(1.075) * rpTest));
      const sboxes = t * rf2 + rp2;
      if (sboxes < best || (sboxes === best && rf2 < rf)) {
        rf = rf2;
        rp = rp2;
        best = sboxes;
      }
    }
  }
  return [rf, rp];
}

// ----- round constants (round_constants.rs: Grain LFSR in self-shrinking mode)

/** generate_constants(field = 1, sbox = 1, field_size = 255, t, r_f, r_p). */
export function grainRoundConstants(t: number, rf: number, rp: number): bigint[] {
  const fieldSize = 255;
  const state = new Uint8Array(80);
  let k = 0;
  const put = (bits: number, value: number): void => {
    for (let i = bits - 1; i >= 0; i--) state[k++] = Math.floor(value / 2 ** i) & 1;
  };
  put(2, 1);
  put(4, 1);
  put(12, fieldSize);
  put(12, t);
  put(10, rf);
  put(10, rp);
  put(30, 0x3fffffff);
  // Ring buffer: logical bit i is state[(head + i) % 80]; a new bit replaces the oldest.
  let head = 0;
  const at = (i: number): number => state[(head + i) % 80]!;
  const step = (): number => {
    const bit = at(62) ^ at(51) ^ at(38) ^ at(23) ^ at(13) ^ at(0);
    state[head] = bit;
    head = (head + 1) % 80;
    return bit;
  };
  for (let i = 0; i < 160; i++) step();
  // Self-shrinking: of each pair of bits, the second is output when the first is 1.
  const next = (): number => {
    while (!step()) step();
    return step();
  };
  const out: bigint[] = [];
  const count = (rf + rp) * t;
  while (out.length < count) {
    // 255 bits, most significant first (first byte gets field_size % 8 = 7 bits).
    let v = 0n;
    for (let i = 0; i < fieldSize; i++) v = (v << 1n) | BigInt(next());
    if (v < P) out.push(v);
  }
  return out;
}

// ----- matrices

export function matMul(a: Matrix, b: Matrix): Matrix {
  const n = b[0]!.length;
  return a.map((row) =>
    Array.from({ length: n }, (_, j) => {
      let s = 0n;
      for (let k = 0; k < row.length; k++) s += row[k]! * b[k]![j]!;
      return s % P;
    }),
  );
}

/** neptune's apply_matrix: the row vector v times m. */
export function applyMatrix(m: Matrix, v: readonly bigint[]): bigint[] {
  return v.map((_, j) => {
    let s = 0n;
    for (let i = 0; i < v.length; i++) s += m[i]![j]! * v[i]!;
    return s % P;
  });
}

/** Inverse modulo P by the extended Euclidean algorithm (much cheaper than a^(P-2)). */
function inv(a: bigint): bigint {
  let [r0, r1] = [P, ((a % P) + P) % P];
  let [t0, t1] = [0n, 1n];
  if (r1 === 0n) throw new Error('singular matrix');
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [t0, t1] = [t1, t0 - q * t1];
  }
  return ((t0 % P) + P) % P;
}

/** Gauss-Jordan on the augmented rows [A | B] (A square, in place): leaves [I | A^-1 B]. */
function eliminate(rows: bigint[][], n: number): void {
  for (let col = 0; col < n; col++) {
    let pivot = col;
    while (pivot < n && rows[pivot]![col] === 0n) pivot++;
    if (pivot === n) throw new Error('singular matrix');
    [rows[col], rows[pivot]] = [rows[pivot]!, rows[col]!];
    const pr = rows[col]!;
    const k = inv(pr[col]!);
    for (let j = col; j < pr.length; j++) pr[j] = (pr[j]! * k) % P;
    for (let r = 0; r < n; r++) {
      const row = rows[r]!;
      const factor = row[col]!;
      if (r === col || factor === 0n) continue;
      for (let j = col; j < row.length; j++) row[j] = (row[j]! - factor * pr[j]!) % P;
    }
  }
  for (const row of rows) for (let j = n; j < row.length; j++) if (row[j]! < 0n) row[j] = row[j]! + P;
}

export function invert(m: Matrix): Matrix {
  const n = m.length;
  const rows = m.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1n : 0n))]);
  eliminate(rows, n);
  return rows.map((row) => row.slice(n));
}

/** applyMatrix(invert(m), v) without the inverse: solves x m = v, i.e. m^T x = v. */
function solveLeft(m: Matrix, v: readonly bigint[]): bigint[] {
  const n = m.length;
  const rows = Array.from({ length: n }, (_, i) => [...m.map((row) => row[i]!), v[i]!]);
  eliminate(rows, n);
  return rows.map((row) => row[n]!);
}

function minor00(m: Matrix): Matrix {
  return m.slice(1).map((row) => row.slice(1));
}

/** The Cauchy matrix 1 / (x_i + y_j), x = 0..t, y = t..2t. */
export function cauchyMds(t: number): Matrix {
  return Array.from({ length: t }, (_, i) => Array.from({ length: t }, (_, j) => inv(BigInt(i + t + j))));
}

/** One step of factor_to_sparse_matrices: M = M' x M'' with M'' sparse. */
function factorOnce(m: Matrix): { prime: Matrix; doublePrime: PartialRoundMatrix } {
  const t = m.length;
  const prime = m.map((row, i) => row.map((x, j) => (i === 0 ? (j === 0 ? 1n : 0n) : j === 0 ? 0n : x)));
  const w = m.slice(1).map((row) => row[0]!);
  const wHat = solveLeft(minor00(m), w);
  return { prime, doublePrime: { wHat: [m[0]![0]!, ...wHat], vRest: m[0]!.slice(1, t) } };
}

function factorToSparse(m: Matrix, n: number): { preSparse: Matrix; sparse: PartialRoundMatrix[] } {
  let curr = m;
  const sparse: PartialRoundMatrix[] = [];
  for (let i = 0; i < n; i++) {
    const { prime, doublePrime } = factorOnce(curr);
    sparse.push(doublePrime);
    curr = matMul(m, prime);
  }
  return { preSparse: curr, sparse: sparse.reverse() };
}

/** compress_round_constants with every partial round preprocessed. */
function compressRoundConstants(
  width: number,
  fullRounds: number,
  partialRounds: number,
  rc: readonly bigint[],
  mInv: Matrix,
): bigint[] {
  const keys = (r: number): bigint[] => rc.slice(r * width, (r + 1) * width);
  const half = fullRounds / 2;
  const out = keys(0);
  for (let i = 0; i < half - 1; i++) out.push(...applyMatrix(mInv, keys(i + 1)));
  const finalRound = half + partialRounds;
  let acc = keys(finalRound);
  const partialKeys: bigint[] = [];
  for (let i = 0; i < partialRounds; i++) {
    const inverted = applyMatrix(mInv, acc);
    partialKeys.push(inverted[0]!);
    inverted[0] = 0n;
    acc = keys(finalRound - i - 1).map((x, j) => (x + inverted[j]!) % P);
  }
  out.push(...applyMatrix(mInv, acc));
  out.push(...partialKeys.reverse());
  for (let i = 1; i < half; i++) out.push(...applyMatrix(mInv, keys(i + finalRound)));
  return out;
}

const cache = new Map<number, PoseidonConstants>();

/** PoseidonConstants::<Fr, U{arity}>::new(), cached. */
export function poseidonConstants(arity: number): PoseidonConstants {
  let c = cache.get(arity);
  if (c) return c;
  const width = arity + 1;
  const [fullRounds, partialRounds] = roundNumbers(arity);
  const roundConstants = grainRoundConstants(width, fullRounds, partialRounds);
  const mds = cauchyMds(width);
  const mdsInv = invert(mds);
  const { preSparse, sparse } = factorToSparse(mds, partialRounds);
  c = {
    arity,
    width,
    domainTag: (1n << BigInt(arity)) - 1n,
    fullRounds,
    halfFullRounds: fullRounds / 2,
    partialRounds,
    roundConstants,
    compressedRoundConstants: compressRoundConstants(
      width,
      fullRounds,
      partialRounds,
      roundConstants,
      mdsInv,
    ),
    mds,
    mdsInv,
    preSparse,
    sparse,
  };
  cache.set(arity, c);
  return c;
}
