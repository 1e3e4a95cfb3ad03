/**
 * One partition's synthesis as a worker-thread task (piscina): the circuit is built in the worker and
 * only typed arrays come back.
 *
 * The R1CS of a partition depends on the circuit's shape only (sector size, tree shape, layers, challenges
 * per partition, parents per node), never on the sector, miner, ticket or API version: every 2KiB fixture,
 * V1, V1_1 and SYNTH alike, has the same constraints digest. So each thread keeps the structure of the shapes
 * it synthesized (in SharedArrayBuffers: handing it back to the caller shares it instead of copying it), and
 * every later partition of a known shape is a witness-only synthesis: gadgets compute values, `enforce`
 * only counts. The prover evaluates A, B, C as sparse products of the structure and the witness (r1cs.ts
 * `assign`), as it does for a freshly built structure.
 */
import type { R1cs } from '../groth16/r1cs.ts';
import { frVector } from '../groth16/curve.ts';
import type { Commit2Job } from '../porep/commit2-input.ts';
import { ConstraintSystem } from './cs.ts';
import { synthesizePartition } from './stacked.ts';

export interface SynthesisTask {
  job: Commit2Job;
  partition: number;
  /**
   * The structure of this job's shape, when the caller has it (e.g. from an earlier partition's result):
   * the synthesis is then witness-only. Its counts are checked against the witness synthesis.
   */
  structure?: R1cs;
}

export interface SynthesizedPartition {
  partition: number;
  r1cs: R1cs;
  /** Input values, ONE first, 32 bytes LE each. */
  inputs: Uint8Array;
  aux: Uint8Array;
  ms: number;
  /** True where the structure came from a cache or the task and only the witness was synthesized. */
  structureCached?: boolean;
}

/** Shapes whose structure a thread keeps (a 32GiB partition's structure is a few GiB). */
const CACHE_SHAPES = 2;
const cache = new Map<string, R1cs>();

/** Everything the partition's constraint structure depends on. */
export function structureKey(job: Commit2Job, partition: number): string {
  const { config } = job;
  const proofs = job.partitions[partition];
  const first = proofs?.[0];
  const columns = first?.replica_column_proofs;
  return [
    config.sectorSize,
    config.nodes,
    `${config.tree.base}-${config.tree.sub}-${config.tree.top}`,
    config.layers,
    proofs?.length ?? 0,
    columns?.drg_parents.length ?? 0,
    columns?.exp_parents.length ?? 0,
    columns?.c_x.column.rows.length ?? 0,
  ].join('/');
}

function remember(key: string, r1cs: R1cs): void {
  cache.delete(key);
  cache.set(key, r1cs);
  while (cache.size > CACHE_SHAPES) cache.delete(cache.keys().next().value!);
}

/** Drops this thread's cached structures (tests and benchmarks). */
export function clearStructureCache(): void {
  cache.clear();
}

/** Full synthesis: structure and witness. */
function synthesizeFull(job: Commit2Job, partition: number): ConstraintSystem {
  const cs = new ConstraintSystem({ auxCapacity: 1 << 20 });
  synthesizePartition(cs, job, partition);
  return cs;
}

export function synthesize({ job, partition, structure }: SynthesisTask): SynthesizedPartition {
  const t0 = performance.now();
  const key = structureKey(job, partition);
  const known = structure ?? cache.get(key);
  if (known) {
    const cs = new ConstraintSystem({ auxCapacity: known.numAux + 1, witnessOnly: true });
    synthesizePartition(cs, job, partition);
    if (
      cs.numConstraints === known.numConstraints &&
      cs.numAux === known.numAux &&
      cs.inputs.length === known.numInputs
    ) {
      if (!structure) remember(key, known);
      return {
        partition,
        r1cs: known,
        inputs: frVector(cs.inputs),
        aux: cs.auxValues().slice(),
        ms: performance.now() - t0,
        structureCached: true,
      };
    }
    // Not the shape we thought: build the structure (below) and let it replace the cached one.
  }
  const cs = synthesizeFull(job, partition);
  const r1cs = cs.toR1cs(true);
  remember(key, r1cs);
  const inputs = frVector(cs.inputs);
  const aux = cs.auxValues().slice();
  return { partition, r1cs, inputs, aux, ms: performance.now() - t0, structureCached: false };
}

/** piscina's entry point. The result is structured-cloned back (the structure is shared, the witness copied). */
export default function task(t: SynthesisTask): SynthesizedPartition {
  return synthesize(t);
}
