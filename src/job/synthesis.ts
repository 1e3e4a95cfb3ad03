/**
 * Synthesis of a job's partitions on the worker pool, partition by partition in order, each split into as
 * many slices of its challenges as the pool has threads (circuit/synthesis-slices.ts), so that partition
 * k's witness is ready in about 1/threads of a partition's synthesis time and is proved while k + 1 is
 * synthesized. The pool's queue is first in, first out: partition 0's slices take every thread first.
 *
 * The first synthesis of a shape builds its structure: partition 0 in one task (the structure cannot be
 * split), the other partitions' slices beside it.
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { Commit2Job } from '../porep/commit2-input.ts';
import type { SynthesisTask, SynthesizedPartition } from '../circuit/synthesis-task.ts';
import { challengeSlices, joinSlices } from '../circuit/synthesis-slices.ts';
import { sameCounts, type R1csCounts } from '../groth16/r1cs-file.ts';

const TASK = new URL('../circuit/synthesis-task.ts', import.meta.url).href;

/** A pool for circuit synthesis: one thread per core but one (the prover's main thread). */
export function createSynthesisPool(threads = Math.max(1, availableParallelism() - 1)): Piscina {
  return new Piscina({ filename: TASK, maxThreads: threads, minThreads: 0, idleTimeout: 30_000 });
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
  const run = async (t: SynthesisTask): Promise<SynthesizedPartition> => {
    if (!pool) return (await import('../circuit/synthesis-task.ts')).synthesize(t);
    return (await pool.run(t, { signal: stop.signal })) as SynthesizedPartition;
  };
  const slices = Math.max(1, Math.floor(opts.slices ?? pool?.options.maxThreads ?? 1));
  // with `known`, a single task that misses the counts builds the structure itself (synthesis-task.ts)
  const witness = (partition: number, known?: R1csCounts): Promise<SynthesizedPartition> => {
    const ranges = challengeSlices(job.partitions[partition]!.length, slices);
    if (ranges.length === 1) return run({ job, partition, known, witnessOnly: true });
    // queued now, in order, so that this partition's slices run before the next partition's
    const parts = ranges.map((challenges) => run({ job, partition, challenges }));
    return Promise.all(parts).then(joinSlices);
  };

  const first: Promise<SynthesizedPartition> = known
    ? witness(0, known).then((p) => (p.r1cs || sameCounts(p.counts, known) ? p : run({ job, partition: 0 })))
    : run({ job, partition: 0 });
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
