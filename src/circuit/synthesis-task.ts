/**
 * One partition's synthesis as a worker-thread task (piscina): the circuit is built in the worker and
 * only typed arrays come back.
 *
 * The R1CS of a partition depends on the circuit's shape only (sector size, tree shape, layers, challenges
 * per partition, parents per node), never on the sector, miner, ticket or API version: every 2KiB fixture,
 * V1, V1_1 and SYNTH alike, has the same constraints digest. So the structure is built once per shape (the
 * caller keeps it, see job/structure-cache.ts) and every other synthesis is witness-only: gadgets compute
 * values, `enforce` only counts. The prover evaluates A, B, C from the structure and the witness.
 */
import type { R1cs } from '../shared/r1cs.ts';
import { sameCounts, type R1csCounts } from '../groth16/r1cs-file.ts';
import { frVector } from '../shared/fr-vector.ts';
import type { CompactWitness } from '../shared/compact-witness.ts';
import type { Commit2Job } from '../porep/commit2-input.ts';
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { SynthesisCs, type TaggedStructure } from './synthesis-cs.ts';
import { structureBuffers } from './structure-join.ts';
import { synthesizePartition, type ChallengeRange } from './stacked.ts';

export interface SynthesisTask {
  job: Commit2Job;
  partition: number;
  /**
   * The counts of this shape's structure, when the caller has the structure already: the synthesis is then
   * witness-only. Should the witness synthesis not reach these counts, the structure is built after all.
   */
  known?: R1csCounts;
  /**
   * Witness-only even without `known`: the caller builds the structure elsewhere (another partition, at the
   * same time) and compares the counts itself.
   */
  witnessOnly?: boolean;
  /**
   * Only these challenges (for synthesis-slices.ts to join): the result's counts are the slice's, shared
   * prefix included. Witness-only unless `structure`.
   */
  challenges?: ChallengeRange;
  /** A slice's structure too (structure-join.ts joins them): the first job of a shape builds it so. */
  structure?: boolean;
}

export interface SynthesizedPartition {
  partition: number;
  counts: R1csCounts;
  /** Input values, ONE first, FR_BYTES little-endian each. */
  inputs: Uint8Array;
  witness: CompactWitness;
  /** The structure, where this synthesis built it whole (in its builders' arrays); absent when witness-only. */
  r1cs?: R1cs;
  /** A slice's structure (`structure`), in its builders' arrays, for structure-join.ts. */
  tagged?: TaggedStructure;
  /** A slice's: the challenges it holds and what its shared prefix allocated. */
  slice?: { challenges: ChallengeRange; prefix: R1csCounts };
  ms: number;
}

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

function counts(cs: SynthesisCs): R1csCounts {
  return { numInputs: cs.inputs.length, numAux: cs.numAux, numConstraints: cs.numConstraints };
}

export function synthesize({
  job,
  partition,
  known,
  witnessOnly,
  challenges,
  structure,
}: SynthesisTask): SynthesizedPartition {
  const t0 = performance.now();
  const result = (
    cs: SynthesisCs,
    extra: Pick<SynthesizedPartition, 'r1cs' | 'tagged' | 'slice'>,
  ): SynthesizedPartition => ({
    partition,
    counts: counts(cs),
    inputs: frVector(cs.inputs),
    witness: cs.witness(),
    ...extra,
    ms: performance.now() - t0,
  });
  if (challenges) {
    const cs = new SynthesisCs({ auxCapacity: 1 << 20, witnessOnly: !structure });
    const prefix = synthesizePartition(cs, job, partition, challenges);
    return result(cs, { slice: { challenges, prefix }, ...(structure ? { tagged: cs.tagged() } : {}) });
  }
  if (known || witnessOnly) {
    const cs = new SynthesisCs({ auxCapacity: (known?.numAux ?? 1 << 20) + 1, witnessOnly: true });
    synthesizePartition(cs, job, partition);
    if (!known || sameCounts(counts(cs), known)) return result(cs, {});
    // Not the shape the caller thought: build the structure (below) for the caller to replace its own.
  }
  const cs = new SynthesisCs({ auxCapacity: 1 << 20 });
  synthesizePartition(cs, job, partition);
  return result(cs, { r1cs: cs.intoR1cs() });
}

/**
 * piscina's entry point. The result moves back to the caller's thread rather than being copied there: its
 * witness and inputs (exact-size arrays of their own) and its structure, whole or a slice's, in its
 * builders' arrays. A 32GiB partition's witness is ~100 MB that the main thread would otherwise copy.
 */
export default function task(t: SynthesisTask): SynthesizedPartition {
  const r = synthesize(t);
  const { witness } = r;
  const structure = r.r1cs ?? r.tagged;
  const buffers = new Set([
    ...(structure ? structureBuffers(structure) : []),
    ...[r.inputs, witness.full, witness.bits, witness.values].map((a) => a.buffer),
  ]);
  return move({
    [transferableSymbol]: [...buffers].filter((b): b is ArrayBuffer => b instanceof ArrayBuffer),
    [valueSymbol]: r,
  }) as unknown as SynthesizedPartition;
}
