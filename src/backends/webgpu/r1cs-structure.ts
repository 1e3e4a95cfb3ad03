/// <reference types="@webgpu/types" />
/**
 * An R1CS structure's matrices on the GPU for WebgpuR1cs (r1cs.ts): the runs its rows are evaluated in,
 * their buffers, and the lifetime of a copy that a job's partitions share while newer jobs may evict it.
 */
import type { SparseMatrix } from '../../shared/r1cs.ts';

/** Rows [start, end) of a matrix, whose pointers, terms and values each fit one binding; terms from `base`. */
export interface Run {
  start: number;
  end: number;
  base: number;
}

/** A matrix's buffers for its runs: the coefficient table, and each run's row pointers, columns, ids. */
export interface MatrixBuffers {
  table: GPUBuffer;
  runs: GPUBuffer[][];
}

export function destroyMatrix(m: MatrixBuffers): void {
  m.table.destroy();
  for (const run of m.runs) for (const b of run) b.destroy();
}

/**
 * A system's matrices on the GPU, shared by the calls evaluating it: destroyed once it is dropped and
 * no call is using it (a partition of another job may evict it while one of this job's is running).
 */
export class StructureCopy {
  #users = 0;
  #dropped = false;
  /** the matrices it was made from: an R1CS object given other matrices is placed again */
  readonly from: readonly SparseMatrix[];
  readonly runs: Run[][];
  readonly matrices: MatrixBuffers[];
  constructor(from: readonly SparseMatrix[], runs: Run[][], matrices: MatrixBuffers[]) {
    this.from = from;
    this.runs = runs;
    this.matrices = matrices;
  }

  /** false once dropped: the caller uploads per call instead */
  acquire(): boolean {
    if (this.#dropped) return false;
    this.#users++;
    return true;
  }

  release(): void {
    if (--this.#users === 0 && this.#dropped) this.matrices.forEach(destroyMatrix);
  }

  drop(): void {
    if (this.#dropped) return;
    this.#dropped = true;
    if (this.#users === 0) this.matrices.forEach(destroyMatrix);
  }
}

/** Where one system's matrices are: placed at its first call, dropped when it is evicted. */
export class StructureSlot {
  /** the resident copy, or why the system is uploaded per call */
  placing: Promise<StructureCopy | string> | undefined;
  state = 'none';

  free(): void {
    const p = this.placing;
    this.placing = undefined;
    this.state = 'none';
    void p?.then(
      (c) => typeof c !== 'string' && c.drop(),
      () => {},
    );
  }
}
