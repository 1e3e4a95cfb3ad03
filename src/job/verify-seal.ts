/**
 * verify_seal's meaning for a Commit2 input: the public inputs of every partition derived from the sector's
 * commitments, ticket and seed and from the miner (not from the input's replica_id, which the chain never
 * sees), and the proofs checked against them.
 */
import { PROOF_BYTES, decodeProofs, type Proof } from '../groth16/proof.ts';
import { verifyProof } from '../groth16/verify.ts';
import type { VerifyingKey } from '../groth16/verifying-key.ts';
import type { Commit2Job } from '../porep/commit2-input.ts';
import { generatePublicInputs } from '../porep/public-inputs.ts';
import { proverIdFromMiner, replicaId } from '../porep/replica-id.ts';

export function sealPublicInputs(job: Commit2Job, miner: string): bigint[][] {
  const { config, phase1 } = job;
  const inputs = {
    replicaId: replicaId(
      proverIdFromMiner(miner),
      job.sectorNum,
      phase1.ticket,
      phase1.comm_d,
      config.porepId,
    ),
    commD: phase1.comm_d,
    commR: phase1.comm_r,
    seed: phase1.seed,
  };
  return Array.from({ length: config.partitions }, (_, k) => generatePublicInputs(config, inputs, k));
}

/** Whether `proof` (192 bytes per partition) is a valid seal proof of the job's sector for `miner`. */
export function verifySeal(vk: VerifyingKey, proof: Uint8Array, job: Commit2Job, miner: string): boolean {
  if (proof.length !== PROOF_BYTES * job.config.partitions) return false;
  let proofs: Proof[];
  try {
    proofs = decodeProofs(proof);
  } catch {
    return false; // points off the curve or out of the subgroup: not a proof
  }
  const inputs = sealPublicInputs(job, miner);
  return proofs.every((p, k) => verifyProof(vk, p, inputs[k]!));
}
