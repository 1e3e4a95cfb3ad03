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
 * A slice hands over its builders' own arrays (synthesis-cs.ts TaggedStructure), moved between threads, not
 * copied: the join's peak is the slices' structure once and the result once. `planJoin` sizes the result and
 * allocates it (SharedArrayBuffers); `placeSlice` writes one slice into its rows and terms, independently of
 * the others, so the slices are placed on the pool's threads at once. This module is that task's file (its
 * default export).
 */
import { FR_BYTES } from '../shared/fr.ts';
import type { FrVector } from '../shared/fr-vector.ts';
import type { R1cs, SparseMatrix } from '../shared/r1cs.ts';
import type { R1csCounts } from '../groth16/r1cs-file.ts';
import { AUX } from './lc.ts';
import type { TaggedStructure } from './synthesis-cs.ts';

/** A slice's structure and what its shared prefix allocated (synthesis-task.ts's slice result). */
export interface StructureSlice {
  structure: TaggedStructure;
  prefix: R1csCounts;
}

const MATRICES = ['a', 'b', 'c'] as const;
type Which = (typeof MATRICES)[number];

/** One slice's place in the joined structure: a piscina task (the slice moved in, the result shared). */
export interface PlaceTask {
  slice: TaggedStructure;
  out: R1cs;
  /** the slice's first row to keep: 0 for slice 0, the prefix's constraints for the others */
  fromRow: number;
  /** the first joined row and, per matrix, the first joined term it writes */
  row: number;
  terms: Record<Which, number>;
  /** the joined id of each of the slice's coefficient ids */
  coeffIds: Uint32Array;
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

/** The slices' coefficient tables as one, and each slice's ids into it. */
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

/**
 * The joined structure's counts and arrays (allocated, not filled) and each slice's placing task. The slices
 * come in challenge order from challenge 0, each with the same prefix (synthesis-slices.ts checks both).
 */
export function planJoin(slices: readonly StructureSlice[]): JoinPlan {
  const first = slices[0];
  if (!first) throw new Error('internal error: planJoin needs slices');
  const p = first.prefix;
  const own = (s: StructureSlice, key: keyof R1csCounts): number => s.structure[key] - p[key];
  const total = (key: keyof R1csCounts): number => p[key] + slices.reduce((n, s) => n + own(s, key), 0);
  const numConstraints = total('numConstraints');
  const terms = (s: StructureSlice, w: Which, row: number): number => s.structure[w].rowPtr[row]!;
  const kept = (s: StructureSlice, w: Which, fromRow: number): number =>
    terms(s, w, s.structure.numConstraints) - terms(s, w, fromRow);
  // one table for A, B and C, as a synthesis makes it
  const { table, ids } = unionTable(slices.map((s) => s.structure.coeffTable));
  const matrix = (w: Which): SparseMatrix => {
    const n = slices.reduce((n, s, i) => n + kept(s, w, i ? p.numConstraints : 0), 0);
    return {
      rowPtr: sharedU32(numConstraints + 1),
      cols: sharedU32(n),
      coeffIds: sharedU32(n),
      coeffTable: table,
    };
  };
  const out: R1cs = {
    numInputs: total('numInputs'),
    numAux: total('numAux'),
    numConstraints,
    a: matrix('a'),
    b: matrix('b'),
    c: matrix('c'),
  };

  let row = 0;
  let inputShift = 0;
  let auxShift = 0;
  const at = { a: 0, b: 0, c: 0 };
  const tasks = slices.map((s, i): PlaceTask => {
    const fromRow = i ? p.numConstraints : 0;
    const task: PlaceTask = {
      slice: s.structure,
      out,
      fromRow,
      row,
      terms: { ...at },
      coeffIds: ids[i]!,
      prefixInputs: p.numInputs,
      prefixAux: p.numAux,
      inputShift,
      auxShift,
    };
    row += s.structure.numConstraints - fromRow;
    for (const w of MATRICES) at[w] += kept(s, w, fromRow);
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
  // a slice's variable in the joined numbering (inputs, then aux): the prefix's inputs and aux keep their
  // index, the slice's own come after the earlier slices'
  const input = t.inputShift;
  const prefixAux = out.numInputs;
  const ownAux = out.numInputs + t.auxShift;
  for (const w of MATRICES) {
    const src = slice[w];
    const dst = out[w];
    const base = src.rowPtr[t.fromRow]!;
    const shift = t.terms[w] - base;
    for (let r = 0; r < rows; r++) dst.rowPtr[t.row + r + 1] = src.rowPtr[t.fromRow + r + 1]! + shift;
    const end = src.rowPtr[slice.numConstraints]!;
    const { cols, coeffIds } = dst;
    const ids = t.coeffIds;
    for (let k = base, o = t.terms[w]; k < end; k++, o++) {
      const v = src.vars[k]!;
      if (v < AUX) cols[o] = v < t.prefixInputs ? v : v + input;
      else {
        const a = v - AUX;
        cols[o] = a < t.prefixAux ? prefixAux + a : ownAux + a;
      }
      coeffIds[o] = ids[src.coeffIds[k]!]!;
    }
  }
}

/** The distinct buffers behind a structure's arrays, shared ones left out: what moves it between threads. */
export function structureBuffers(s: TaggedStructure | R1cs): ArrayBuffer[] {
  const all = MATRICES.flatMap((w) => {
    const m = s[w];
    return 'vars' in m ? [m.rowPtr, m.vars, m.coeffIds] : [m.rowPtr, m.cols, m.coeffIds, m.coeffTable];
  });
  if ('coeffTable' in s) all.push(s.coeffTable);
  return [...new Set(all.map((x) => x.buffer))].filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
}

/**
 * piscina's entry point: nothing comes back, the slice is written into the shared result. The slice was
 * moved here for this alone: its memory is given back now rather than at this thread's next collection.
 */
export default function task(t: PlaceTask): void {
  placeSlice(t);
  for (const b of structureBuffers(t.slice)) b.transfer(0);
}
