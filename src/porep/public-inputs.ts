/**
 * The public inputs of partition k of the StackedDRG circuit, in the order StackedCompound's
 * generate_public_inputs lists them (storage-proofs-porep stacked/circuit/proof.rs) and verify_seal checks:
 * replica_id, comm_d, comm_r, then per challenge
 *   the comm_d inclusion input, one per DRG parent, one per expander parent (comm_c inclusions),
 *   the challenge itself, the comm_r_last inclusion input, the comm_c inclusion input of the challenge.
 * An inclusion input is PoRCompound's (storage-proofs-core gadgets/por.rs) for a private root: the path's
 * "is right" bits packed into one field element, which is just the leaf index, whatever the tree's arities.
 * The leading ONE of the Groth16 input vector is not included.
 */
import { partitionChallenges, type ChallengeInputs } from './challenges.ts';
import { BASE_DEGREE, DEGREE, stackedGraph } from './graph.ts';
import type { PoRepConfig } from './registered-proof.ts';

export interface SealPublicInputs extends ChallengeInputs {
  readonly commD: bigint;
}

/** 3 + 18 per challenge. */
export function publicInputCount(config: Pick<PoRepConfig, 'challengesPerPartition'>): number {
  return 3 + config.challengesPerPartition * (DEGREE + 4);
}

export function generatePublicInputs(
  config: Pick<PoRepConfig, 'nodes' | 'porepId' | 'apiVersion' | 'feature' | 'challengesPerPartition'>,
  inputs: SealPublicInputs,
  k: number,
): bigint[] {
  const graph = stackedGraph(config);
  const out: bigint[] = [inputs.replicaId, inputs.commD, inputs.commR];
  const parents = new Uint32Array(DEGREE);
  for (const challenge of partitionChallenges(config, inputs, k)) {
    const c = BigInt(challenge);
    out.push(c);
    graph.drgParents(challenge, parents, 0);
    graph.expParents(challenge, parents, BASE_DEGREE);
    for (const p of parents) out.push(BigInt(p));
    out.push(c, c, c);
  }
  return out;
}
