/**
 * One partition's synthesis as a worker-thread task (piscina): the circuit is built in the worker and
 * only typed arrays come back.
 */
import type { R1cs } from '../groth16/r1cs.ts';
import { frVector } from '../groth16/curve.ts';
import type { Commit2Job } from '../porep/commit2-input.ts';
import { ConstraintSystem } from './cs.ts';
import { synthesizePartition } from './stacked.ts';

export interface SynthesisTask {
  job: Commit2Job;
  partition: number;
}

export interface SynthesizedPartition {
  partition: number;
  r1cs: R1cs;
  /** Input values, ONE first, 32 bytes LE each. */
  inputs: Uint8Array;
  aux: Uint8Array;
  ms: number;
}

export function synthesize({ job, partition }: SynthesisTask): SynthesizedPartition {
  const t0 = performance.now();
  const cs = new ConstraintSystem({ auxCapacity: 1 << 20 });
  synthesizePartition(cs, job, partition);
  const r1cs = cs.toR1cs();
  const inputs = frVector(cs.inputs);
  const aux = cs.auxValues().slice();
  return { partition, r1cs, inputs, aux, ms: performance.now() - t0 };
}

/** piscina's entry point. The result is structured-cloned back (a memcpy of the typed arrays). */
export default function task(t: SynthesisTask): SynthesizedPartition {
  return synthesize(t);
}
