/**
 * storage-proofs-porep stacked/circuit: a parent column's allocation (column_proof.rs / column.rs) and its
 * hash (hash.rs hash_single_column: Poseidon of arity = number of layers, 2 or 11).
 */
import type { SynthesisCs } from './synthesis-cs.ts';
import { type AllocatedNum, allocNum } from './num.ts';
import { poseidonHashCircuit } from './poseidon.ts';
import { poseidonHash } from '../shared/poseidon.ts';

function checkColumn(length: number): void {
  if (length !== 2 && length !== 11) throw new Error(`unsupported column size: ${length}`);
}

/** hash_single_column(cs, column). */
export function hashSingleColumn(cs: SynthesisCs, column: readonly AllocatedNum[]): AllocatedNum {
  checkColumn(column.length);
  return poseidonHashCircuit(cs, column);
}

/** The vanilla column hash. */
export function hashSingleColumnNative(rows: readonly bigint[]): bigint {
  checkColumn(rows.length);
  return poseidonHash(rows);
}

/** ColumnProof::alloc: Column::alloc in namespace "column", one "column_num_row_{i}" per layer. */
export function allocColumn(cs: SynthesisCs, rows: readonly bigint[]): AllocatedNum[] {
  return cs.ns('column', () => rows.map((r, i) => cs.ns(`column_num_row_${i}`, () => allocNum(cs, r))));
}

/**
 * params.rs for one parent: `parent.alloc(ns "{prefix}_{i}_num")` then
 * `parent_col.hash(ns "{prefix}_{i}_constraint")`; returns the column and its hash.
 */
export function allocAndHashParentColumn(
  cs: SynthesisCs,
  prefix: string,
  i: number,
  rows: readonly bigint[],
): { column: AllocatedNum[]; hash: AllocatedNum } {
  const column = cs.ns(`${prefix}_${i}_num`, () => allocColumn(cs, rows));
  const hash = cs.ns(`${prefix}_${i}_constraint`, () => hashSingleColumn(cs, column));
  return { column, hash };
}
