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
  /**
   * The matrices it was made from, weakly: the copy outlives its job in the backend's recently used
   * ones, and must not keep the host's arrays (a 32GiB structure's ~7 GB) beyond what holds them.
   */
  readonly #from: readonly WeakRef<SparseMatrix>[];
  readonly runs: Run[][];
  readonly matrices: MatrixBuffers[];
  constructor(from: readonly SparseMatrix[], runs: Run[][], matrices: MatrixBuffers[]) {
    this.#from = from.map((m) => new WeakRef(m));
    this.runs = runs;
    this.matrices = matrices;
  }

  /** Whether it was made from these very matrices (an R1CS object given others is placed again). */
  madeFrom(mats: readonly SparseMatrix[]): boolean {
    return mats.length === this.#from.length && mats.every((m, k) => this.#from[k]!.deref() === m);
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
