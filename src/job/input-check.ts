/**
 * A Commit2In checked as verify_seal would check it before any work is spent on it: the miner's replica
 * id and the vanilla proofs. At 32GiB the vanilla proofs are 1,760 challenges of Merkle paths and labels,
 * many seconds of hashing: with a pool, the check runs on its threads, split by partition, so the event
 * loop (HTTP answers, lease heartbeats) stays free while it runs. This module is also that task's file.
 */
import type { Piscina } from 'piscina';
import {
  Commit2InputError,
  parseCommit2Input,
  type Commit2Job,
  type InputIssue,
} from '../porep/commit2-input.ts';
import { proverIdFromMiner, replicaId } from '../porep/replica-id.ts';
import { partitionsOfSize, type SealProofName } from '../porep/registered-proof.ts';
import { MAX_ISSUES, checkVanillaProofs } from '../porep/vanilla-check.ts';

/** verify_seal recomputes the replica id: a sector sealed for another miner or number cannot be proved. */
export function checkIdentity(job: Commit2Job, miner: string): void {
  let prover: Uint8Array;
  try {
    prover = proverIdFromMiner(miner);
  } catch (e) {
    throw new Commit2InputError([{ path: ['miner'], message: (e as Error).message }]);
  }
  const { ticket, comm_d, replica_id } = job.phase1;
  if (replicaId(prover, job.sectorNum, ticket, comm_d, job.config.porepId) !== replica_id) {
    throw new Commit2InputError([
      {
        path: ['Phase1Out', 'replica_id'],
        message: `not the replica id of miner ${miner}, sector ${job.sectorNum}: the sector was sealed for another miner or sector number`,
      },
    ]);
  }
}

/**
 * Parses the input and checks it on this thread: every problem comes back in a Commit2InputError. For
 * small inputs, and where no pool is at hand.
 */
export function checkCommit2Input(input: string | unknown, miner = 't01000'): Commit2Job {
  const job = parseCommit2Input(input);
  checkIdentity(job, miner);
  const issues = checkVanillaProofs(job);
  if (issues.length) throw new Commit2InputError(issues);
  return job;
}

/** What admission needs to know of a checked input. */
export interface Admitted {
  registeredProof: SealProofName;
  sectorNum: number;
  sectorSize: number;
}

/** One pool task: the input's bytes (shared by every task), and which partitions are this task's. */
export interface CheckSlice {
  bytes: Uint8Array;
  miner: string;
  slice: number;
  slices: number;
}

export interface CheckedSlice {
  issues: InputIssue[];
  /** Set when the input is refused as a whole (it does not parse, or is not this miner's sector). */
  code?: ConstructorParameters<typeof Commit2InputError>[1];
  admitted?: Admitted;
}

/** The task: parse, the identity (slice 0), the vanilla proofs of partitions k with k % slices == slice. */
export default function checkSlice(t: CheckSlice): CheckedSlice {
  try {
    const job = parseCommit2Input(Buffer.from(t.bytes).toString('utf8'));
    if (t.slice === 0) checkIdentity(job, t.miner);
    const issues = checkVanillaProofs(job, { partitions: (k) => k % t.slices === t.slice });
    return {
      issues,
      admitted: {
        registeredProof: job.phase1.registered_proof,
        sectorNum: job.sectorNum,
        sectorSize: job.config.sectorSize,
      },
    };
  } catch (e) {
    // the class does not cross threads: its contents do, and are thrown again on the caller's side
    if (e instanceof Commit2InputError)
      return { issues: [...e.issues], code: e.code === 'C2_UNSUPPORTED_PROOF' ? e.code : 'C2_BAD_INPUT' };
    throw e;
  }
}

const TASK = new URL('./input-check.ts', import.meta.url).href;

/** The vanilla proofs' partition of an issue, for ordering issues as one pass over the input finds them. */
const partitionOf = (i: InputIssue): number =>
  i.path[1] === 'vanilla_proofs' && typeof i.path[3] === 'number' ? i.path[3] : -1;

/**
 * checkCommit2Input on the pool: one task per partition (at most one per thread), the issues merged in
 * input order. `sectorSize` is the Commit2In's own field, read before parsing to size the split; `slices`
 * overrides the split.
 */
export async function checkOnPool(
  pool: Piscina,
  text: string,
  sectorSize: unknown,
  miner: string,
  slices = Math.min(
    typeof sectorSize === 'number' ? (partitionsOfSize(sectorSize) ?? 1) : 1,
    pool.options.maxThreads,
  ),
): Promise<Admitted> {
  const bytes = new Uint8Array(new SharedArrayBuffer(Buffer.byteLength(text)));
  Buffer.from(bytes.buffer).write(text);
  const answers = (await Promise.all(
    Array.from({ length: Math.max(1, slices) }, (_, slice) =>
      pool.run({ bytes, miner, slice, slices: Math.max(1, slices) } satisfies CheckSlice, { filename: TASK }),
    ),
  )) as CheckedSlice[];
  const refused = answers.find((a) => a.code !== undefined);
  if (refused) throw new Commit2InputError(refused.issues, refused.code);
  const issues = answers
    .flatMap((a) => a.issues)
    .sort((x, y) => partitionOf(x) - partitionOf(y))
    .slice(0, MAX_ISSUES);
  if (issues.length) throw new Commit2InputError(issues);
  return answers[0]!.admitted!;
}

/**
 * The admission check: on the pool for an input of several partitions (32GiB and 64GiB: seconds to tens of
 * seconds of hashing), on this thread for one (milliseconds), which then never waits behind a synthesis
 * holding the pool's threads.
 */
export function admit(
  pool: Piscina | undefined,
  input: { text: string; value: unknown },
  miner: string,
): Admitted | Promise<Admitted> {
  const size = (input.value as { SectorSize?: unknown } | null)?.SectorSize;
  if (pool && typeof size === 'number' && (partitionsOfSize(size) ?? 1) > 1)
    return checkOnPool(pool, input.text, size, miner);
  const job = checkCommit2Input(input.value, miner);
  return {
    registeredProof: job.phase1.registered_proof,
    sectorNum: job.sectorNum,
    sectorSize: job.config.sectorSize,
  };
}
