/**
 * Where the constraint structure of each circuit shape is kept between jobs: one file per shape (see
 * groth16/r1cs-file.ts) in C2_STRUCTURE_CACHE, by default ~/.cache/c2prover/structure ($XDG_CACHE_HOME
 * honoured). A 2KiB structure is ~150 MB, a 32GiB partition's a few GB. An empty C2_STRUCTURE_CACHE
 * keeps nothing on disk: every job then builds the structure in its first partition.
 *
 * The name carries a version: bump it whenever synthesis changes the constraints it makes, so that no
 * job proves against a stale structure (the proofs would not verify, and the job refuses to hand those out).
 */
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Commit2Job } from '../porep/commit2-input.ts';
import { structureKey } from '../circuit/synthesis-task.ts';

const VERSION = 1;

export function defaultStructureCacheDir(): string | undefined {
  const env = process.env.C2_STRUCTURE_CACHE;
  if (env !== undefined) return env === '' ? undefined : env;
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'c2prover', 'structure');
}

export interface StructureSlot {
  path: string;
  key: string;
}

/** The shape of `job`'s partitions (they all share one), versioned: what a structure is kept under. */
export function structureShape(job: Commit2Job): string {
  return `v${VERSION}/${structureKey(job, 0)}`;
}

/** The file holding the structure of `job`'s partitions. */
export function structureSlot(dir: string, job: Commit2Job): StructureSlot {
  const key = structureShape(job);
  const name = `${job.config.sectorSize}-${createHash('sha256').update(key).digest('hex').slice(0, 16)}.r1cs`;
  return { path: join(dir, name), key };
}
