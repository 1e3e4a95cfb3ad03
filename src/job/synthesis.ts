/**
 * Synthesis of a job's partitions on the worker pool, partition by partition in order, each split into as
 * many slices of its challenges as the pool has threads (circuit/synthesis-slices.ts), so that partition
 * k's witness is ready in about 1/threads of a partition's synthesis time and is proved while k + 1 is
 * synthesized. The pool's queue is first in, first out: partition 0's slices take every thread first.
 *
 * The first synthesis of a shape builds its structure in partition 0's slices too, joined on the pool's
 * threads (circuit/structure-join.ts), the other partitions' witness slices queued behind them.
 */
import { availableParallelism } from 'node:os';
import { Piscina, type TaskQueue, queueOptionsSymbol } from 'piscina';
import type { Commit2Job } from '../porep/commit2-input.ts';
import type { SynthesisTask, SynthesizedPartition } from '../circuit/synthesis-task.ts';
import { challengeSlices, joinSlices, joinStructures } from '../circuit/synthesis-slices.ts';
import { type PlaceTask, placeSlice, structureBuffers } from '../circuit/structure-join.ts';
import { sameCounts, type R1csCounts } from '../groth16/r1cs-file.ts';

const TASK = new URL('../circuit/synthesis-task.ts', import.meta.url).href;
const PLACE = new URL('../circuit/structure-join.ts', import.meta.url).href;

type Task = Parameters<TaskQueue['push']>[0];

/** Marks a task that goes ahead of the queue: a structure's join, which partition 0's proof waits for. */
const AHEAD = { [queueOptionsSymbol]: { ahead: true } };

const isAhead = (t: Task): boolean => (t[queueOptionsSymbol] as { ahead?: boolean } | null)?.ahead === true;

/**
 * The pool's queue: first in, first out (partition k's slices before k + 1's), but for the tasks marked
 * AHEAD, which would otherwise wait behind every later partition's slices.
 */
export class AheadQueue implements TaskQueue {
  readonly #ahead: Task[] = [];
  readonly #rest: Task[] = [];
  get size(): number {
    return this.#ahead.length + this.#rest.length;
  }
  shift(): Task | null {
    return this.#ahead.shift() ?? this.#rest.shift() ?? null;
  }
  push(t: Task): void {
    (isAhead(t) ? this.#ahead : this.#rest).push(t);
  }
  unshift(t: Task): void {
    (isAhead(t) ? this.#ahead : this.#rest).unshift(t);
  }
  remove(t: Task): void {
    for (const q of [this.#ahead, this.#rest]) {
      const i = q.indexOf(t);
      if (i >= 0) return void q.splice(i, 1);
    }
  }
}

/**
 * A pool for circuit synthesis: one thread per core but one (the prover's main thread). A thread started
 * cold costs a job ~0.3 s (2KiB witness: 544 ms cold, ~210 ms warm, one thread here) in module loading and
 * JIT: kept through the minutes between a sealing pipeline's jobs, given back after 10 idle minutes.
 */
export function createSynthesisPool(threads = Math.max(1, availableParallelism() - 1)): Piscina {
  return new Piscina({
    filename: TASK,
    maxThreads: threads,
    minThreads: 0,
    idleTimeout: 600_000,
    taskQueue: new AheadQueue(),
  });
}

export interface SynthesisRun {
  /** One per partition, in order; each settles as soon as that partition's slices are joined. */
  readonly partitions: readonly Promise<SynthesizedPartition>[];
  /** Drops what has not run yet (the job failed or was cancelled); a no-op once everything ran. */
  abort(): void;
}

export interface SynthesisOptions {
  /** Slices per partition; default: the pool's threads. 1 synthesizes each partition in one task. */
  slices?: number;
}

const slicesOf = (pool: Piscina | undefined, opts: SynthesisOptions): number =>
  Math.max(1, Math.floor(opts.slices ?? pool?.options.maxThreads ?? 1));

/**
 * A partition's witness, or its witness and structure, synthesized on the pool in `slices` slices of its
 * challenges (one task where there is one slice), or on this thread without a pool.
 */
function partitionSynthesis(
  job: Commit2Job,
  pool: Piscina | undefined,
  slices: number,
  signal: AbortSignal | undefined,
) {
  const run = async (t: SynthesisTask): Promise<SynthesizedPartition> => {
    if (!pool) return (await import('../circuit/synthesis-task.ts')).synthesize(t);
    return (await pool.run(t, { signal })) as SynthesizedPartition;
  };
  const place = async (t: PlaceTask): Promise<void> => {
    if (!pool) return placeSlice(t);
    // the slice moves to the thread that places it (and frees it there)
    await pool.run({ ...t, ...AHEAD }, { filename: PLACE, signal, transferList: structureBuffers(t.slice) });
  };
  // queued now, in order, so that this partition's slices run before the next partition's
  const sliced = (partition: number, structure: boolean): Promise<SynthesizedPartition> | undefined => {
    const ranges = challengeSlices(job.partitions[partition]!.length, slices);
    if (ranges.length === 1) return undefined;
    const parts = ranges.map((challenges) => run({ job, partition, challenges, structure }));
    return Promise.all(parts).then(async (ps) => {
      const t0 = performance.now();
      const p = joinSlices(ps);
      if (!structure) return p;
      const r1cs = await joinStructures(ps, place);
      return { ...p, r1cs, ms: p.ms + performance.now() - t0 };
    });
  };
  return {
    // with `known`, a single task that misses the counts builds the structure itself (synthesis-task.ts)
    witness: (partition: number, known?: R1csCounts): Promise<SynthesizedPartition> =>
      sliced(partition, false) ?? run({ job, partition, known, witnessOnly: true }),
    structure: (): Promise<SynthesizedPartition> => sliced(0, true) ?? run({ job, partition: 0 }),
  };
}

/**
 * Partition 0 with its structure, as a shape's first job builds it: a job whose cached structure turned out
 * damaged builds it so again, on the pool's threads rather than on the event loop (minutes at 32GiB).
 */
export function synthesizeStructure(
  job: Commit2Job,
  pool: Piscina | undefined,
  signal?: AbortSignal,
  opts: SynthesisOptions = {},
): Promise<SynthesizedPartition> {
  return partitionSynthesis(job, pool, slicesOf(pool, opts), signal).structure();
}

/**
 * Starts every partition's synthesis. With `known` (the counts of a structure the caller has) every
 * partition is witness-only; should partition 0 not come to those counts, it builds the structure after
 * all. Every partition after the first has partition 0's counts or rejects.
 */
export function startSynthesis(
  job: Commit2Job,
  pool: Piscina | undefined,
  known?: R1csCounts,
  opts: SynthesisOptions = {},
): SynthesisRun {
  const stop = new AbortController();
  const { witness, structure } = partitionSynthesis(job, pool, slicesOf(pool, opts), stop.signal);

  const first: Promise<SynthesizedPartition> = known
    ? witness(0, known).then((p) => (p.r1cs || sameCounts(p.counts, known) ? p : structure()))
    : structure();
  const partitions = [first];
  for (let k = 1; k < job.partitions.length; k++) {
    const own = witness(k);
    own.catch(() => undefined);
    partitions.push(
      Promise.all([first, own]).then(([p0, p]) => {
        // the parser gives every partition as many challenges of the same shape: this would be a bug here
        if (!sameCounts(p.counts, p0.counts))
          throw new Error(
            `internal error: partition ${p.partition} synthesized to another shape than partition 0`,
          );
        return p;
      }),
    );
  }
  // a caller that fails early awaits none of the rest
  for (const p of partitions) p.catch(() => undefined);
  return { partitions, abort: () => stop.abort() };
}

/** Every partition synthesized (tests and benchmarks; the prover takes them one by one). */
export function synthesizeAll(
  job: Commit2Job,
  pool: Piscina | undefined,
  known?: R1csCounts,
  opts?: SynthesisOptions,
): Promise<SynthesizedPartition[]> {
  return Promise.all(startSynthesis(job, pool, known, opts).partitions);
}
