/**
 * A partition's constraint structure built in slices of its challenges and joined, so that the first job of
 * a shape does not build it on one thread (a 32GiB partition's 130 M constraints take minutes there).
 * Each slice holds the shared prefix (its first `prefix.numConstraints` rows) and its challenges; the join
 * keeps slice 0 whole and every later slice's rows after the prefix, with its variables renumbered: the
 * prefix's keep their index, a slice's own inputs and aux come after the earlier slices'. Coefficient ids
 * are renumbered into one table, slice 0's first then each later slice's new values in their order: that is
 * the order of first use of one synthesis in challenge order, so the join is byte for byte that synthesis'
 * structure (the tests compare both, and the result with rust-fil-proofs' constraints digest).
 *
 * `planJoin` sizes the result and allocates it (SharedArrayBuffers); `placeSlice` writes one slice into its
 * rows and terms, independently of the others, so the slices are placed on the pool's threads at once.
 * This module is that task's file (its default export).
 */
import { FR_BYTES } from '../shared/fr.ts';
import type { FrVector } from '../shared/fr-vector.ts';
import type { R1cs, SparseMatrix } from '../shared/r1cs.ts';
import type { R1csCounts } from '../groth16/r1cs-file.ts';

/** A slice's structure and what its shared prefix allocated (synthesis-task.ts's slice result). */
export interface StructureSlice {
  r1cs: R1cs;
  prefix: R1csCounts;
}

const MATRICES = ['a', 'b', 'c'] as const;
type Which = (typeof MATRICES)[number];

/** One slice's place in the joined structure: a piscina task, its arrays shared, not copied. */
export interface PlaceTask {
  slice: R1cs;
  out: R1cs;
  /** the slice's first row to keep: 0 for slice 0, the prefix's constraints for the others */
  fromRow: number;
  /** the first joined row and, per matrix, the first joined term it writes */
  row: number;
  terms: Record<Which, number>;
  /** per matrix, the joined id of each of the slice's coefficient ids */
  coeffIds: Record<Which, Uint32Array>;
  prefixInputs: number;
  prefixAux: number;
  /** added to the slice's own inputs and aux past the prefix */
  inputShift: number;
  auxShift: number;
}

export interface JoinPlan {
  out: R1cs;
  tasks: PlaceTask[];
}

const sharedU32 = (n: number): Uint32Array => new Uint32Array(new SharedArrayBuffer(4 * n));

/** The coefficient tables of the slices' `which` matrix as one, and each slice's ids into it. */
function unionTable(tables: readonly FrVector[]): { table: FrVector; ids: Uint32Array[] } {
  const index = new Map<string, number>();
  const values: FrVector[] = [];
  const ids = tables.map((t) => {
    const n = t.length / FR_BYTES;
    const map = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      const v = t.subarray(i * FR_BYTES, (i + 1) * FR_BYTES);
      const key = Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('latin1');
      let id = index.get(key);
      if (id === undefined) {
        id = values.length;
        index.set(key, id);
        values.push(v);
      }
      map[i] = id;
    }
    return map;
  });
  const table = new Uint8Array(new SharedArrayBuffer(values.length * FR_BYTES));
  values.forEach((v, i) => table.set(v, i * FR_BYTES));
  return { table, ids };
}

const termsOf = (m: SparseMatrix, row: number): number => m.rowPtr[row]!;

/**
 * The joined structure's counts and arrays (allocated, not filled) and each slice's placing task. The slices
 * come in challenge order from challenge 0, each with the same prefix (synthesis-slices.ts checks both).
 */
export function planJoin(slices: readonly StructureSlice[]): JoinPlan {
  const first = slices[0];
  if (!first) throw new Error('internal error: planJoin needs slices');
  const p = first.prefix;
  const own = (s: StructureSlice, key: keyof R1csCounts): number => {
    const n = key === 'numConstraints' ? s.r1cs.numConstraints : s.r1cs[key];
    return n - p[key];
  };
  const total = (key: keyof R1csCounts): number => p[key] + slices.reduce((n, s) => n + own(s, key), 0);
  const numInputs = total('numInputs');
  const numAux = total('numAux');
  const numConstraints = total('numConstraints');

  // a table several matrices share in every slice (as synthesis makes them) is joined once and stays shared
  const unions = {} as Record<Which, ReturnType<typeof unionTable>>;
  const matrix = {} as Record<Which, SparseMatrix>;
  MATRICES.forEach((w, j) => {
    const twin = MATRICES.slice(0, j).find((v) =>
      slices.every((s) => s.r1cs[v].coeffTable === s.r1cs[w].coeffTable),
    );
    const u = (unions[w] = twin ? unions[twin] : unionTable(slices.map((s) => s.r1cs[w].coeffTable)));
    const terms = slices.reduce(
      (n, s, i) =>
        n + termsOf(s.r1cs[w], s.r1cs.numConstraints) - (i ? termsOf(s.r1cs[w], p.numConstraints) : 0),
      0,
    );
    matrix[w] = {
      rowPtr: sharedU32(numConstraints + 1),
      cols: sharedU32(terms),
      coeffIds: sharedU32(terms),
      coeffTable: u.table,
    };
  });
  const out: R1cs = { numInputs, numAux, numConstraints, ...matrix };

  let row = 0;
  let inputShift = 0;
  let auxShift = 0;
  const at = { a: 0, b: 0, c: 0 };
  const tasks = slices.map((s, i): PlaceTask => {
    const fromRow = i ? p.numConstraints : 0;
    const task: PlaceTask = {
      slice: s.r1cs,
      out,
      fromRow,
      row,
      terms: { ...at },
      coeffIds: { a: unions.a.ids[i]!, b: unions.b.ids[i]!, c: unions.c.ids[i]! },
      prefixInputs: p.numInputs,
      prefixAux: p.numAux,
      inputShift,
      auxShift,
    };
    row += s.r1cs.numConstraints - fromRow;
    for (const w of MATRICES)
      at[w] += termsOf(s.r1cs[w], s.r1cs.numConstraints) - termsOf(s.r1cs[w], fromRow);
    inputShift += own(s, 'numInputs');
    auxShift += own(s, 'numAux');
    return task;
  });
  return { out, tasks };
}

/** Writes one slice's rows into the joined structure, its variables and coefficients renumbered. */
export function placeSlice(t: PlaceTask): void {
  const { slice, out } = t;
  const rows = slice.numConstraints - t.fromRow;
  const sliceInputs = slice.numInputs;
  const outInputs = out.numInputs;
  // a slice column's joined index: the prefix's inputs and aux keep theirs, the slice's own shift past
  // the earlier slices', and every aux index moves past the joined inputs
  const inputOwn = t.inputShift;
  const auxPrefix = outInputs - sliceInputs;
  const auxOwn = auxPrefix + t.auxShift;
  const prefixAuxEnd = sliceInputs + t.prefixAux;
  for (const w of MATRICES) {
    const src = slice[w];
    const dst = out[w];
    const ids = t.coeffIds[w];
    const base = src.rowPtr[t.fromRow]!;
    const shift = t.terms[w] - base;
    for (let r = 0; r < rows; r++) dst.rowPtr[t.row + r + 1] = src.rowPtr[t.fromRow + r + 1]! + shift;
    const end = src.rowPtr[slice.numConstraints]!;
    const cols = dst.cols;
    const coeffIds = dst.coeffIds;
    for (let k = base, o = t.terms[w]; k < end; k++, o++) {
      const c = src.cols[k]!;
      cols[o] =
        c < t.prefixInputs
          ? c
          : c < sliceInputs
            ? c + inputOwn
            : c < prefixAuxEnd
              ? c + auxPrefix
              : c + auxOwn;
      coeffIds[o] = ids[src.coeffIds[k]!]!;
    }
  }
}

/** piscina's entry point: nothing comes back, the slice is written into the shared result. */
export default function task(t: PlaceTask): void {
  placeSlice(t);
}
