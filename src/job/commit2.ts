/**
 * Commit2 end to end: parse and check the input, synthesize every partition on worker threads, prove each
 * against the sector size's parameters, and verify the proofs before handing them out (filecoin-proofs
 * does the same: a proof the chain would reject must never leave the prover).
 */
import { existsSync, rmSync } from 'node:fs';
import type { Piscina } from 'piscina';
import type { Backend } from '../backends/backend.ts';
import { Commit2InputError, parseCommit2Input, type Commit2Job } from '../porep/commit2-input.ts';
import { checkVanillaProofs } from '../porep/vanilla-check.ts';
import { checkIdentity, checkOnPool } from './input-check.ts';
import type { SynthesizedPartition } from '../circuit/synthesis-task.ts';
import { startSynthesis, synthesizeStructure } from './synthesis.ts';
import { assignLean, densities, densitiesKnown, type Densities } from '../groth16/r1cs.ts';
import type { R1cs } from '../shared/r1cs.ts';
import { readR1csCounts, readR1csFile, writeR1csFile } from '../groth16/r1cs-file.ts';
import { loadProvingKey, type ProvingKey } from '../groth16/proving-key.ts';
import { prove, type StageTimes } from '../groth16/prove.ts';
import { inLanes } from '../shared/lanes.ts';
import { encodeProofs, type Proof } from '../groth16/proof.ts';
import { verifyProof } from '../groth16/verify.ts';
import { frFromBytes } from '../shared/fr.ts';
import { ProverError } from '../shared/errors.ts';
import { porepParamsFiles } from '../groth16/parameter-cache.ts';
import {
  defaultStructureCacheDir,
  structureShape,
  structureSlot,
  type StructureSlot,
} from './structure-cache.ts';
import type { StructureKeeper, StructureLease } from './structure-keeper.ts';

export interface Commit2Stages {
  parseMs: number;
  /** The vanilla proofs checked as filecoin-proofs does before proving. */
  checkMs: number;
  /**
   * From the first synthesis task to the last partition's witness: with several partitions, the proofs of
   * the first ones overlap it (the `synthesis` event comes when the first partition can be proved).
   */
  synthesisMs: number;
  paramsMs: number;
  /** Reading the circuit structure (when cached), expanding witnesses, shape checks (A, B, C are evaluated inside the quotient). */
  assignMs: number;
  /** A, B, C evaluated from the circuit and the quotient's NTTs. */
  quotientMs: number;
  msmG1Ms: number;
  msmG2Ms: number;
  verifyMs: number;
  totalMs: number;
}

export interface Commit2Result {
  proof: Uint8Array;
  partitions: number;
  sectorSize: number;
  stages: Commit2Stages;
  /** Sector bytes per second of the whole Commit2, in KiB/s as lotus-bench prints it. */
  kibPerSecond: number;
}

export interface Commit2Options {
  /** Loads the key, where no `provingKey` is given; the proofs are made on the key's backend. */
  backend: Backend;
  /** The miner the sector was sealed for (lotus-bench's default is t01000): it fixes the replica id. */
  miner?: string;
  /** A .params file; default: the sector size's file in FIL_PROOFS_PARAMETER_CACHE. */
  paramsPath?: string;
  /** Validate the parameters' points (once per file, remembered). */
  validate?: boolean;
  /** The parameters must be the published ones: their digest is checked against parameters.json. */
  productionParams?: boolean;
  /** A key the caller keeps across jobs (the service's), or its load under way; never freed here. */
  provingKey?: ProvingKey | Promise<ProvingKey>;
  pool?: Piscina;
  /** The caller checked this very input already (the service, at admission): no check stage. */
  checked?: boolean;
  /**
   * Where circuit structures are kept between jobs (default: C2_STRUCTURE_CACHE, see structure-cache.ts);
   * false keeps none.
   */
  structureCache?: string | false;
  /**
   * Structures kept in memory between jobs (the service's): a kept one is neither read nor built, and
   * the one this job reads or builds is kept for the next.
   */
  structures?: StructureKeeper;
  /**
   * Partitions proved side by side (default: the key's backend's lanes, one per GPU); the service lowers
   * it to what its memory budget leaves.
   */
  lanes?: number;
  /** Fixed r, s: only for tests comparing with another prover. */
  randomness?: { r: bigint; s: bigint };
  /** Stops the job between stages and between partitions (a cancelled job or a stopping service). */
  signal?: AbortSignal;
  /** Told as each stage ends (the service logs it as a job event and shows it as progress). */
  onStage?: (stage: Commit2Stage, ms: number) => void;
}

export type Commit2Stage = 'check' | 'synthesis' | 'params' | 'partition';

export class ProofRejectedError extends ProverError {
  constructor(partition: number) {
    super(
      'C2_PROOF_REJECTED',
      `internal error: the proof of partition ${partition} does not verify; nothing was returned`,
    );
    this.name = 'ProofRejectedError';
  }
}

/** Builds the job's structure (partition 0, on the pool as a first job does) and caches it. */
async function buildStructure(
  job: Commit2Job,
  slot: StructureSlot | undefined,
  opts: Commit2Options,
): Promise<R1cs> {
  const r1cs = (await synthesizeStructure(job, opts.pool, opts.signal)).r1cs!;
  await cacheStructure(r1cs, slot);
  return r1cs;
}

async function cacheStructure(r1cs: R1cs, slot: StructureSlot | undefined): Promise<void> {
  if (!slot) return;
  try {
    await writeR1csFile(slot.path, r1cs, slot.key);
  } catch (e) {
    // a full or read-only disk costs the next job a structure build, never this job its proof
    process.emitWarning(`circuit structure not cached at ${slot.path}: ${(e as Error).message}`);
  }
}

/**
 * The structure for proving: the one a partition built in this job, or the cached file (`fromCache`). A
 * structure built here is written for the next job while this one proves (`caching`: never rejects).
 */
async function structureFor(
  job: Commit2Job,
  first: SynthesizedPartition,
  slot: StructureSlot | undefined,
  reading: Promise<R1cs> | undefined,
  opts: Commit2Options,
): Promise<{ r1cs: R1cs; fromCache: boolean; caching?: Promise<void> }> {
  const built = first.r1cs;
  if (built) return { r1cs: built, fromCache: false, caching: cacheStructure(built, slot) };
  let r1cs: R1cs;
  try {
    r1cs = await (reading ?? readR1csFile(slot!.path, slot!.key));
  } catch {
    // the file went away (or bad) since its counts were read
    return { r1cs: await buildStructure(job, slot, opts), fromCache: false };
  }
  // a file from before the density maps is written again with them (computed for this job anyway)
  return { r1cs, fromCache: true, ...(densitiesKnown(r1cs) ? {} : { caching: cacheStructure(r1cs, slot) }) };
}

export class ParamsNotFoundError extends ProverError {
  constructor(path: string) {
    super(
      'C2_PARAMS_MISSING',
      `Groth16 parameters not found: ${path} (set FIL_PROOFS_PARAMETER_CACHE, pass a .params file, or make test parameters with \`c2prover params\`)`,
    );
    this.name = 'ParamsNotFoundError';
  }
}

/** The .params file this job needs; a missing one is reported before any synthesis. */
function paramsPathFor(job: Commit2Job, opts: Commit2Options): string {
  const path = opts.paramsPath ?? porepParamsFiles(job.config.sectorSize).params;
  if (!existsSync(path)) throw new ParamsNotFoundError(path);
  return path;
}

function loadKey(job: Commit2Job, path: string, opts: Commit2Options): Promise<ProvingKey> {
  return loadProvingKey(opts.backend, path, {
    validate: opts.validate ?? true,
    digest: opts.productionParams ? porepParamsFiles(job.config.sectorSize).productionDigest : undefined,
  });
}

export async function runCommit2(input: string | unknown, opts: Commit2Options): Promise<Commit2Result> {
  const t0 = performance.now();
  const signal = opts.signal;
  const stageDone = (stage: Commit2Stage, since: number): number => {
    const ms = performance.now() - since;
    opts.onStage?.(stage, ms);
    signal?.throwIfAborted();
    return ms;
  };
  signal?.throwIfAborted();
  const stages: Commit2Stages = {
    parseMs: 0,
    checkMs: 0,
    synthesisMs: 0,
    paramsMs: 0,
    assignMs: 0,
    quotientMs: 0,
    msmG1Ms: 0,
    msmG2Ms: 0,
    verifyMs: 0,
    totalMs: 0,
  };
  const job = parseCommit2Input(input);
  stages.parseMs = performance.now() - t0;

  let t = performance.now();
  const miner = opts.miner ?? 't01000';
  if (opts.checked) {
    // admitted by the service: this very input passed the same check then
  } else if (opts.pool) {
    const text = typeof input === 'string' ? input : JSON.stringify(input);
    await checkOnPool(opts.pool, text, job.config.sectorSize, miner);
  } else {
    checkIdentity(job, miner);
    const issues = checkVanillaProofs(job);
    if (issues.length) throw new Commit2InputError(issues);
  }
  stages.checkMs = stageDone('check', t);

  t = performance.now();
  // The key loads while the circuit is synthesized; whichever fails first, nothing is left dangling.
  const keyPromise = opts.provingKey
    ? Promise.resolve(opts.provingKey)
    : loadKey(job, paramsPathFor(job, opts), opts);
  keyPromise.catch(() => undefined);
  const cacheDir =
    opts.structureCache === false ? undefined : (opts.structureCache ?? defaultStructureCacheDir());
  const slot = cacheDir ? structureSlot(cacheDir, job) : undefined;
  const shape = structureShape(job);
  const sectorSize = job.config.sectorSize;
  let lease: StructureLease | undefined = opts.structures?.acquire(shape, sectorSize);
  const kept = lease?.r1cs;
  // Partition k is proved as soon as its witness is there, while the next ones are synthesized.
  const known = kept
    ? { numInputs: kept.numInputs, numAux: kept.numAux, numConstraints: kept.numConstraints }
    : slot && readR1csCounts(slot.path, slot.key);
  const synthesis = startSynthesis(job, opts.pool, known);
  // a cached structure is read while the partitions are synthesized: seconds at 32GiB (7 GB), which
  // would otherwise come between the first witness and the first proof
  let reading = kept
    ? Promise.resolve(kept)
    : known
      ? readR1csFile(slot!.path, slot!.key, false, signal)
      : undefined;
  reading?.catch(() => undefined);
  const synthesisStart = t;
  let synthesisEnd = 0;
  const synthesized = Promise.all(synthesis.partitions).then((parts) => {
    synthesisEnd = performance.now();
    return parts;
  });
  synthesized.catch(() => undefined);

  const times: StageTimes = { quotientMs: 0, msmG1Ms: 0, msmG2Ms: 0 };
  // One partition in its own function: its buffers (the expanded witness, the prover's vectors) die with
  // its frame, whereas a loop body here would leave them in this suspended async frame's registers while
  // the next partition is proved.
  const provePartition = async (
    pk: ProvingKey,
    structure: R1cs,
    dens: Densities,
    part: SynthesizedPartition,
  ) => {
    const t0p = performance.now();
    let t = t0p;
    // lean: A, B, C are evaluated by the backend inside the quotient, never held as buffers; the
    // backends read the compact witness as it is (a GPU backend never expands it: 4.2 GB a 32GiB
    // partition as 32 bytes a variable)
    const w = assignLean(structure, part.inputs, part.witness, dens);
    stages.assignMs += performance.now() - t;
    const proof = await prove(pk.backend, pk, w, { randomness: opts.randomness }, times);
    t = performance.now();
    const publicInputs: bigint[] = [];
    for (let i = 32; i < part.inputs.length; i += 32) publicInputs.push(frFromBytes(part.inputs, i));
    if (!verifyProof(pk.vk, proof, publicInputs)) throw new ProofRejectedError(part.partition);
    stages.verifyMs += performance.now() - t;
    stageDone('partition', t0p);
    return proof;
  };
  const proveAll = async (pk: ProvingKey, structure: R1cs): Promise<Proof[]> => {
    const dens = densities(structure);
    // every partition has partition 0's shape (startSynthesis); prove checks the witness against the
    // structure and the key. On a backend of several GPUs that many partitions are proved at once.
    return inLanes(synthesis.partitions, opts.lanes ?? pk.backend.lanes ?? 1, async (next) =>
      provePartition(pk, structure, dens, await next),
    );
  };

  let pk: ProvingKey | undefined;
  let proofs: Proof[];
  let caching: Promise<void> | undefined;
  try {
    // the stage ends when proving can start: the first partition and the structure are there
    const first = await synthesis.partitions[0]!;
    stageDone('synthesis', t);
    t = performance.now();
    pk = await keyPromise;
    stages.paramsMs = stageDone('params', t);
    t = performance.now();
    const structure = await structureFor(job, first, slot, reading, opts);
    reading = undefined; // a structure partition 0 built instead: the file's is not held for the job
    caching = structure.caching;
    const keep = (r1cs: R1cs): void => {
      if (!opts.structures || lease?.r1cs === r1cs) return;
      lease?.release();
      lease = opts.structures.hold(shape, sectorSize, r1cs);
    };
    keep(structure.r1cs);
    stages.assignMs += performance.now() - t;
    try {
      proofs = await proveAll(pk, structure.r1cs);
    } catch (e) {
      if (!structure.fromCache || signal?.aborted) throw e;
      // a failing GPU says nothing of the structure: the service moves to its fallback backend
      if (e instanceof ProverError && e.code === 'C2_GPU_FAILED') throw e;
      // The witnesses do not depend on the structure, the proofs do: a cached structure the proofs fail
      // with is damaged (or stale). Build it anew, replace the file, prove once more.
      process.emitWarning(
        `proving with the ${kept ? 'kept' : 'cached'} circuit structure ${kept ? shape : slot!.path} failed (${(e as Error).message}): rebuilding it`,
      );
      opts.structures?.forget(shape);
      lease?.release();
      lease = undefined;
      await caching; // a write of the file in flight lands before the file is removed, not after
      if (slot) rmSync(slot.path, { force: true });
      const rebuilt = await buildStructure(job, slot, opts);
      keep(rebuilt);
      proofs = await proveAll(pk, rebuilt);
    }
    await synthesized;
    // from the first task queued to the last partition joined; proving overlaps all but the first
    stages.synthesisMs = synthesisEnd - synthesisStart;
    Object.assign(stages, times);
  } finally {
    lease?.release();
    synthesis.abort();
    if (!opts.provingKey) {
      if (pk) pk.free();
      else
        await keyPromise.then(
          (k) => k.free(),
          () => undefined,
        );
    }
    await caching;
  }
  stages.totalMs = performance.now() - t0;
  return {
    proof: encodeProofs(proofs),
    partitions: proofs.length,
    sectorSize: job.config.sectorSize,
    stages,
    kibPerSecond: job.config.sectorSize / 1024 / (stages.totalMs / 1000),
  };
}
