/**
 * The job runner: admits Commit2 jobs (input checked, parameters present, queue not full, memory enough),
 * keeps them in a JobStore, and runs them through the state machine on this node's backend. A retried
 * request joins the job of the same content; a restart runs again what was running when the process died.
 */
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { rmSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Piscina } from 'piscina';
import type { Backend } from '../backends/backend.ts';
import { BackendChoice } from './backend-choice.ts';
import { Commit2InputError, parseCommit2Input } from '../porep/commit2-input.ts';
import { ProverError } from '../shared/errors.ts';
import { formatPath } from '../shared/json-path.ts';
import { proverIdFromMiner } from '../porep/replica-id.ts';
import { SEAL_PROOF_NAMES } from '../porep/registered-proof.ts';
import { ProofRejectedError, runCommit2 } from './commit2.ts';
import { admit } from './input-check.ts';
import {
  CodedError,
  InsufficientMemoryError,
  JobNotFoundError,
  NotCancellableError,
  QueueFullError,
  ShuttingDownError,
} from './errors.ts';
import { IllegalTransitionError, handleFailure, type JobEventInput } from './fsm.ts';
import {
  RUNNING_STATES,
  isFailureState,
  isTerminal,
  type JobRecord,
  type Priority,
  type ProofResult,
} from './job-record.ts';
import type { Logger, ParamsKeeper } from './params-keeper.ts';
import type { JobStore } from './store.ts';
import { defaultStructureCacheDir, structureShape, structureSlot } from './structure-cache.ts';
import { StructureKeeper } from './structure-keeper.ts';

const GiB = 2 ** 30;

/**
 * Memory a job of each sector size needs besides its parameters, from the prover's working set (witness,
 * structure, the quotient's vectors): measured at 2KiB, projected by constraint count above it.
 */
const WORKING_SET: Record<number, number> = {
  2048: 0.75 * GiB,
  8388608: 1.5 * GiB,
  536870912: 3 * GiB,
  34359738368: 40 * GiB,
  68719476736: 48 * GiB,
};

/**
 * Host memory each partition proved beside the first takes, on a backend of several GPUs: its witness's
 * host passes (the GPU code, the MSMs' splits; the compact witness itself is synthesis's and never
 * expanded, and H stays on the GPU: Backend.quotientMsm). Sized when H (4 GiB at 32GiB) and A, B, C
 * were on the host; kept until a GPU run measures what is left.
 */
const LANE_SET: Record<number, number> = {
  34359738368: 16 * GiB,
  68719476736: 16 * GiB,
};

const AVOID_KEPT = 1024;

/** Partitions of a job of this size proved at once on a backend of `lanes`, with `spare` bytes unbudgeted. */
export function partitionLanes(sectorSize: number, lanes: number, spare: number): number {
  const extra = LANE_SET[sectorSize];
  if (!extra || lanes <= 1) return 1;
  return Math.min(lanes, 1 + Math.max(0, Math.floor(spare / extra)));
}

export interface RunnerOptions {
  store: JobStore;
  /**
   * Which backend proves each job (per sector size; see backend-choice.ts), and where a failed GPU's jobs
   * go. Without it, `backend` proves every job and `fallback` takes over after a GPU failure.
   */
  choice?: BackendChoice;
  backend?: Backend;
  /**
   * Where jobs go once the GPU backend fails one (C2_GPU_FAILED: a lost device, a kernel fault): the
   * failed job is proved again on it, and so is every later job until the GPU passes its self-test (backend-choice.ts).
   */
  fallback?: Backend;
  params: ParamsKeeper;
  pool?: Piscina;
  log: Logger & { error(obj: object, msg: string): void };
  /** Jobs waiting beyond this answer 429. */
  maxQueued: number;
  maxRunning: number;
  /** Bytes of memory jobs and parameters may take together. */
  memoryBudget: number;
  /** Circuit structures between jobs (default C2_STRUCTURE_CACHE); false keeps none. */
  structureCache?: string | false;
  /** How long finished jobs and their results are kept. */
  retentionMs: number;
  /** This node's name in the cluster (default host:pid); a restarted node of the same name takes its jobs back at once. */
  node?: string;
  /** Where this node answers, for the node registry. */
  url?: string;
  /** How long a claim holds without a heartbeat (default 30 s). */
  leaseMs?: number;
  /** How often the node renews its leases, reports itself and looks at the queue (default lease / 5, at most 2 s). */
  heartbeatMs?: number;
  /** How long a job of a size another node holds warm waits before a cold node takes it (default 5 s). */
  coldDelayMs?: number;
}

export interface SubmitOptions {
  miner?: string | number;
  priority?: Priority;
  /** The registered proof the caller says it sends (lotus' ProofType): must be the input's. */
  proofType?: number;
}

/** A miner as an ID address (t01000) from an address or an actor number; the actor number decides. */
export function normalizeMiner(miner: string | number | undefined): string {
  const m = miner === undefined ? 't01000' : typeof miner === 'number' ? `t0${miner}` : miner;
  try {
    proverIdFromMiner(m);
  } catch (e) {
    throw new Commit2InputError([{ path: ['Miner'], message: (e as Error).message }]);
  }
  return `t0${BigInt(m.slice(2))}`;
}

/** The job id: the same sector, miner, proof type and Phase1Out always give the same job. */
export function contentId(miner: string, sectorNum: number, proofType: number, phase1Sha256: string): string {
  const h = createHash('sha256')
    .update(`${miner}\n${sectorNum}\n${proofType}\n${phase1Sha256}`)
    .digest('hex');
  return `c2-${h.slice(0, 32)}`;
}

const CANCEL = 'cancelled';
const SHUTDOWN = 'shutting down';
/** The lease ran out and another node took the job back: this node has nothing more to say about it. */
const LOST = 'lease lost';

interface Running {
  controller: AbortController;
  need: number;
  done: Promise<void>;
}

export class JobRunner extends EventEmitter<{ job: [JobRecord]; closing: [] }> {
  readonly node: string;
  readonly #running = new Map<string, Running>();
  /** Backends that failed a job, which its retries here avoid (the oldest forgotten past AVOID_KEPT). */
  readonly #avoid = new Map<string, Set<Backend>>();
  readonly #syncWaiters = new Map<string, number>();
  #accepting = true;
  #draining = false;
  #pumping = false;
  #pumpAgain = false;
  #purgeTimer: NodeJS.Timeout | undefined;
  #tickTimer: NodeJS.Timeout | undefined;
  #unwatch: (() => Promise<void>) | undefined;
  #ticking: Promise<void> | undefined;
  readonly #startedAt = new Date().toISOString();
  readonly leaseMs: number;
  readonly heartbeatMs: number;
  /** Recent job durations, for Retry-After. */
  #avgMs = 60_000;

  readonly opts: RunnerOptions;
  /** The last structure of each sector size, kept between jobs (counted in the memory budget while idle). */
  readonly structures = new StructureKeeper();
  readonly #choice: BackendChoice;
  constructor(opts: RunnerOptions) {
    super();
    this.opts = opts;
    if (!opts.choice && !opts.backend) throw new TypeError('JobRunner needs a backend or a choice');
    this.#choice = opts.choice ?? BackendChoice.only(opts.backend!, opts.fallback);
    this.node = opts.node ?? `${hostname()}:${process.pid}`;
    this.leaseMs = opts.leaseMs ?? 30_000;
    this.heartbeatMs = opts.heartbeatMs ?? Math.min(2_000, this.leaseMs / 5);
  }

  get accepting(): boolean {
    return this.#accepting;
  }

  /** Draining: the node finishes its jobs and takes no new ones (it still accepts and queues requests). */
  get draining(): boolean {
    return this.#draining;
  }

  async drain(draining = true): Promise<void> {
    this.#draining = draining;
    await this.opts.store.setDraining(this.node, draining);
    await this.#report();
    if (!draining) void this.#pump();
  }

  /** The backend jobs go to unless their size has another: the best one, or the fallback after a GPU failure. */
  get backend(): Backend {
    return this.#choice.preferred;
  }

  get choice(): BackendChoice {
    return this.#choice;
  }

  /** Takes a failed GPU backend out of use; false when there is nothing to move its jobs to. */
  #failover(id: string, e: ProverError, failed: Backend): boolean {
    if (!this.#choice.failover(failed)) return false;
    // the job's retry goes elsewhere even if the GPU passes its self-test (the failure may be the job's)
    const avoid = this.#avoid.get(id) ?? new Set<Backend>();
    this.#avoid.set(id, avoid.add(failed));
    if (this.#avoid.size > AVOID_KEPT) this.#avoid.delete(this.#avoid.keys().next().value!);
    this.opts.log.error(
      { from: failed.name, to: this.#choice.preferred.name, err: e.message },
      'the GPU failed: its jobs go to another backend until it passes a self-test',
    );
    this.opts.params.dropBackend(failed);
    return true;
  }

  runningCount(): number {
    return this.#running.size;
  }

  /**
   * Jobs this node held when its process stopped, and jobs of any node whose lease ran out, are lost work:
   * their failure handler retries them (on a shared store, jobs other live nodes hold are left alone).
   */
  async start(): Promise<void> {
    const restart = 'the process stopped while the job ran (restart)';
    await this.#retryLost(await this.opts.store.reclaim(restart, this.node), restart);
    const { draining } = await this.#report();
    this.#draining = draining;
    this.#purgeTimer = setInterval(
      () => void this.purge().catch((e: unknown) => this.#warn('purge', e)),
      3_600_000,
    );
    this.#purgeTimer.unref();
    await this.purge();
    this.#tickTimer = setInterval(() => {
      this.#ticking ??= this.#tick().finally(() => (this.#ticking = undefined));
    }, this.heartbeatMs);
    this.#tickTimer.unref();
    // a shared store announces jobs other nodes queue: taken at once rather than at the next tick
    this.#unwatch = await this.opts.store.watch?.(
      () => void this.#pump(),
      (e) =>
        this.opts.log.warn(
          { node: this.node, err: e.message },
          'the connection listening for queued jobs was lost: opening it again (the heartbeat polls meanwhile)',
        ),
    );
    void this.#pump();
  }

  #warn(what: string, e: unknown): void {
    this.opts.log.warn(
      { node: this.node, err: (e as Error).message },
      `${what} failed: trying again at the next heartbeat`,
    );
  }

  /** The failure handler of jobs a reclaim moved to WorkerLost or found in a failure state. */
  async #retryLost(jobs: readonly JobRecord[], message: string): Promise<void> {
    for (const job of jobs) {
      if (!isFailureState(job.state)) continue;
      this.emit('job', job);
      this.opts.log.warn(
        { jobId: job.id, node: job.node, state: job.state },
        job.state === 'WorkerLost'
          ? 'job taken back: its node stopped'
          : 'failure handled here: its node stopped before',
      );
      const previous = (await this.opts.store.countEvents(job.id, job.state)) - 1;
      const next = handleFailure(job.state, previous, message);
      await this.#apply(
        job.id,
        next,
        next.kind === 'Failed' ? { error: { code: next.code, message: next.message } } : undefined,
        job.state,
      );
    }
  }

  /** This node's registry entry: what it holds and runs. */
  async #report(): Promise<{ draining: boolean }> {
    return this.opts.store.putNode({
      name: this.node,
      backend: this.#choice.preferred.name,
      ...(this.opts.url ? { url: this.opts.url } : {}),
      parameters: this.opts.params
        .status()
        .map((p) => ({ sectorSize: p.sectorSize, kind: p.kind, file: p.file })),
      running: [...this.#running.keys()],
      accepting: this.#accepting,
      startedAt: this.#startedAt,
    });
  }

  /** The heartbeat: leases renewed (a job lost or cancelled elsewhere is stopped), the registry, the queue. */
  async #tick(): Promise<void> {
    try {
      const { lost, cancel } = await this.opts.store.heartbeat(
        this.node,
        [...this.#running.keys()],
        this.leaseMs,
      );
      for (const id of lost) {
        // a job this node has just finished holds no lease either: nothing to stop
        const job = await this.opts.store.get(id);
        if (job && job.node === this.node && isTerminal(job.state)) continue;
        this.opts.log.warn({ jobId: id }, 'lease lost: the job was taken back, stopping its work');
        this.#running.get(id)?.controller.abort(LOST);
      }
      for (const id of cancel) this.#running.get(id)?.controller.abort(CANCEL);
      if (!this.#accepting) return;
      this.#draining = (await this.#report()).draining;
      const gone = "the node's lease ran out: it stopped (killed, power lost, out of memory)";
      await this.#retryLost(await this.opts.store.reclaim(gone), gone);
      void this.#pump();
    } catch (e) {
      this.#warn('heartbeat', e);
    }
  }

  async purge(): Promise<number> {
    return this.opts.store.purge(new Date(Date.now() - this.opts.retentionMs), [
      'Done',
      'BadInput',
      'Failed',
      'Cancelled',
    ]);
  }

  #needFor(sectorSize: number): number {
    return WORKING_SET[sectorSize] ?? 2 * GiB;
  }

  /**
   * Partitions a job proves side by side: the backend's lanes (its GPUs) as far as the memory budget
   * left now holds their working sets, which the job's need then counts.
   */
  #lanesFor(id: string, sectorSize: number, backend: Backend): number {
    // the size's idle structure is this job's, already in its need
    const spare = this.opts.memoryBudget - this.#used() + this.structures.idleBytes(sectorSize);
    const lanes = partitionLanes(sectorSize, backend.lanes ?? 1, spare);
    const running = this.#running.get(id);
    if (running) running.need += (lanes - 1) * (LANE_SET[sectorSize] ?? 0);
    return lanes;
  }

  #used(): number {
    let n = this.opts.params.heldBytes() + this.structures.idleBytes();
    for (const r of this.#running.values()) n += r.need;
    return n;
  }

  /**
   * Admits a job: checks the input as verify_seal would (400 with every problem and its path), joins the
   * job of the same content if there is one, else needs the parameters (503), memory (503) and room in the
   * queue (429). Returns the job and whether it was joined.
   */
  async submit(
    input: { text: string; value: unknown },
    opts: SubmitOptions = {},
  ): Promise<{ job: JobRecord; joined: boolean }> {
    if (!this.#accepting) throw new ShuttingDownError();
    const miner = normalizeMiner(opts.miner);
    const value = input.value as { Phase1Out?: unknown; ShapeOverride?: unknown };
    if (value?.ShapeOverride !== undefined)
      throw new Commit2InputError([
        {
          path: ['ShapeOverride'],
          message:
            'a test-only extension of the reference oracle: the service proves production circuits only',
        },
      ]);
    const job = await admit(this.opts.pool, input, miner);
    const proofType = SEAL_PROOF_NAMES.indexOf(job.registeredProof);
    if (opts.proofType !== undefined && opts.proofType !== proofType)
      throw new Commit2InputError([
        {
          path: ['ProofType'],
          message: `${opts.proofType} (${SEAL_PROOF_NAMES[opts.proofType]}) does not match the Commit1 output's registered_proof ${job.registeredProof} (${proofType})`,
        },
      ]);
    const phase1Sha256 = createHash('sha256')
      .update(Buffer.from(value.Phase1Out as string, 'base64'))
      .digest('hex');
    const id = contentId(miner, job.sectorNum, proofType, phase1Sha256);
    // the same content submitted on any node joins its job
    const existing = await this.opts.store.get(id);
    if (existing && existing.state !== 'Failed' && existing.state !== 'Cancelled')
      return { job: existing, joined: true };
    const { sectorSize } = job;
    const params = await this.opts.params.resolve(sectorSize);
    const need = this.#needFor(sectorSize) + this.opts.params.bytesToLoad(params, sectorSize);
    if (need > this.opts.memoryBudget) throw new InsufficientMemoryError(need, this.opts.memoryBudget);
    const queued = await this.opts.store.count(['Queued']);
    if (queued >= this.opts.maxQueued) {
      const wait = Math.ceil(((queued / this.opts.maxRunning + 1) * this.#avgMs) / 1000);
      throw new QueueFullError(queued, Math.max(1, wait));
    }
    const r = await this.opts.store.submit({
      id,
      priority: opts.priority ?? 'normal',
      request: {
        miner,
        sectorNum: job.sectorNum,
        sectorSize,
        registeredProof: job.registeredProof,
        proofType,
        phase1Sha256,
        allowTestParams: params.kind === 'test',
      },
      input: input.text,
    });
    this.emit('job', r.job);
    void this.#pump();
    return r;
  }

  async get(id: string): Promise<JobRecord> {
    const job = await this.opts.store.get(id);
    if (!job) throw new JobNotFoundError(id);
    return job;
  }

  /** Cancels a queued job at once, a running one at its next stage. */
  async cancel(id: string): Promise<JobRecord> {
    const job = await this.get(id);
    if (isTerminal(job.state)) throw new NotCancellableError(id, job.state);
    const updated = await this.#apply(id, { kind: 'CancelRequested' });
    this.#running.get(id)?.controller.abort(CANCEL);
    return updated ?? (await this.get(id));
  }

  /**
   * Waits until the job ends. `signal` is the waiting client: when it goes away and no other synchronous
   * request waits on the job, the job is cancelled (an asynchronous job is never cancelled this way).
   */
  async wait(id: string, signal?: AbortSignal, cancelWhenAbandoned = false): Promise<JobRecord> {
    const current = await this.get(id);
    if (isTerminal(current.state)) return current;
    this.#syncWaiters.set(id, (this.#syncWaiters.get(id) ?? 0) + 1);
    try {
      return await new Promise<JobRecord>((resolve, reject) => {
        const onJob = (job: JobRecord): void => {
          if (job.id === id && isTerminal(job.state)) finish(() => resolve(job));
        };
        const onAbort = (): void => finish(() => reject(signal!.reason));
        // the job stays in the store and runs after the restart; the client's retry joins it
        const onClosing = (): void => finish(() => reject(new ShuttingDownError()));
        // on a shared store another node may prove it: its end is read from the store
        const poll = setInterval(
          () =>
            void this.opts.store.get(id).then(
              (j) => j && onJob(j),
              () => undefined,
            ),
          this.heartbeatMs,
        );
        const finish = (fn: () => void): void => {
          clearInterval(poll);
          this.off('job', onJob);
          this.off('closing', onClosing);
          signal?.removeEventListener('abort', onAbort);
          fn();
        };
        this.on('job', onJob);
        this.on('closing', onClosing);
        signal?.addEventListener('abort', onAbort, { once: true });
        // it may have ended between the read above and the listener
        void this.opts.store.get(id).then((j) => j && onJob(j));
      });
    } finally {
      const left = (this.#syncWaiters.get(id) ?? 1) - 1;
      if (left > 0) this.#syncWaiters.set(id, left);
      else this.#syncWaiters.delete(id);
      if (left === 0 && signal?.aborted && cancelWhenAbandoned) {
        const job = await this.opts.store.get(id);
        if (job && !isTerminal(job.state)) {
          this.opts.log.info({ jobId: id }, 'client gone and nobody else waits: cancelling the job');
          await this.cancel(id).catch(() => undefined);
        }
      }
    }
  }

  async #apply(
    id: string,
    e: JobEventInput,
    patch?: Parameters<JobStore['apply']>[2],
    expect?: JobRecord['state'],
    owner?: string,
  ) {
    let job: JobRecord | undefined;
    try {
      job = await this.opts.store.apply(id, e, patch, expect, owner);
    } catch (err) {
      // work that ends after shutdown put its job back in the queue has nothing left to say
      if (!(err instanceof IllegalTransitionError)) throw err;
      this.opts.log.warn({ jobId: id, event: e.kind }, err.message);
      return undefined;
    }
    if (job) {
      this.opts.log.info({ jobId: id, event: e.kind, state: job.state }, `job ${e.kind}`);
      this.emit('job', job);
    }
    return job;
  }

  /** Enters a failure state (while this node holds the job) and runs its handler: retry while the state's limit allows, else Failed. */
  async #fail(
    id: string,
    e: Extract<JobEventInput, { kind: 'ProofRejected' | 'WorkerLost' }>,
  ): Promise<void> {
    const previous = await this.opts.store.countEvents(id, e.kind);
    const job = await this.#apply(id, e, undefined, undefined, this.node);
    if (job?.state !== e.kind) return;
    const next = handleFailure(e.kind, previous, e.message);
    // expected state: a node that found this failure stranded (our lease ran out meanwhile) may have handled it
    await this.#apply(
      id,
      next,
      next.kind === 'Failed' ? { error: { code: next.code, message: next.message } } : undefined,
      e.kind,
    );
  }

  /** Sector sizes whose job this node could start now (idle parameters may be evicted for one while none runs). */
  #fits(): number[] {
    const free = this.opts.memoryBudget - this.#used() + this.structures.idleBytes();
    // its working set, and its parameters unless they are loaded (then counted as held); idle structures
    // are the job's own (its size's) or evictable
    return Object.keys(WORKING_SET)
      .map(Number)
      .filter(
        (size) =>
          this.#needFor(size) + this.opts.params.loadCost(size) <= free + this.opts.params.idleBytes(size),
      );
  }

  async #pump(): Promise<void> {
    if (this.#pumping) {
      this.#pumpAgain = true;
      return;
    }
    this.#pumping = true;
    try {
      do {
        this.#pumpAgain = false;
        await this.#claimAll();
      } while (this.#pumpAgain);
    } catch (e) {
      this.#warn('taking work', e);
    } finally {
      this.#pumping = false;
    }
  }

  async #claimAll(): Promise<void> {
    while (this.#accepting && !this.#draining && this.#running.size < this.opts.maxRunning) {
      const job = await this.opts.store.claim({
        node: this.node,
        backend: this.#choice.preferred.name,
        fits: this.#fits(),
        warm: this.opts.params.status().map((p) => p.sectorSize),
        coldDelayMs: this.opts.coldDelayMs ?? 5_000,
        leaseMs: this.leaseMs,
      });
      if (!job) break;
      const size = job.request.sectorSize;
      const need = this.#needFor(size);
      const wanted = need + this.opts.params.loadCost(size);
      const free = this.opts.memoryBudget - this.#used() + this.structures.idleBytes(size);
      // structures go first: one is read again in seconds, parameters load in minutes
      const short = wanted > free ? this.structures.evictIdle(wanted - free, size) : 0;
      if (short > 0) this.opts.params.evictIdle(short, size);
      this.opts.log.info(
        { jobId: job.id, event: 'Started', state: job.state, node: this.node },
        'job Started',
      );
      this.emit('job', job);
      const controller = new AbortController();
      const running: Running = { controller, need, done: Promise.resolve() };
      this.#running.set(job.id, running);
      running.done = this.#execute(job, controller.signal)
        .catch((e: unknown) =>
          this.opts.log.error(
            { jobId: job.id, err: (e as Error).message },
            'the job could not be settled: its lease runs out and another node retries it',
          ),
        )
        .finally(() => {
          this.#running.delete(job.id);
          void this.#pump();
        });
    }
  }

  async #execute(job: JobRecord, signal: AbortSignal): Promise<void> {
    const { id } = job;
    const t0 = performance.now();
    let release: (() => void) | undefined;
    let chosen: Backend | undefined;
    // stage events are logged in order, after one another
    let logged: Promise<unknown> = Promise.resolve();
    try {
      const input = await this.opts.store.input(id);
      if (input === undefined)
        throw new CodedError('C2_INTERNAL', 500, `the input of job ${id} is missing from the store`);
      const params = await this.opts.params.resolve(job.request.sectorSize);
      const cacheDir =
        this.opts.structureCache === false
          ? undefined
          : (this.opts.structureCache ?? defaultStructureCacheDir());
      if ((await this.opts.store.countEvents(id, 'ProofRejected')) > 0) {
        // the retry of a rejected proof starts from a freshly built structure
        const parsed = parseCommit2Input(input);
        this.structures.forget(structureShape(parsed));
        if (cacheDir) rmSync(structureSlot(cacheDir, parsed).path, { force: true });
      }
      const choice = await this.#choice.forJob(job.request.sectorSize, params.file, this.#avoid.get(id));
      const backend = choice.backend;
      chosen = backend;
      // the key loads (first job of a size) while the circuit is synthesized
      const held = this.opts.params.acquire(job.request.sectorSize, params, backend);
      release = () =>
        void held.then(
          (h) => h.release(),
          () => undefined,
        );
      let partitions = 0;
      const result = await runCommit2(input, {
        backend,
        lanes: this.#lanesFor(id, job.request.sectorSize, backend),
        pool: this.opts.pool,
        miner: job.request.miner,
        // this content passed the check at admission (the job's id is its hash)
        checked: true,
        provingKey: held.then((h) => h.key),
        structureCache: cacheDir ?? false,
        structures: this.structures,
        signal,
        onStage: (stage, ms) => {
          const detail =
            stage === 'partition'
              ? `partition ${++partitions}`
              : stage === 'params'
                ? `${params.kind} parameters ${params.file}, backend ${backend.name} (${choice.why})`
                : undefined;
          logged = logged.then(() =>
            this.#apply(
              id,
              { kind: 'StageDone', stage, ms, detail },
              { progress: `${stage}${detail ? ` (${detail})` : ''}` },
              undefined,
              this.node,
            ),
          );
          // awaited after the work; until then a failed write must not count as an unhandled rejection
          logged.catch(() => undefined);
        },
      });
      await logged;
      const proof: ProofResult = {
        proof: Buffer.from(result.proof).toString('hex'),
        proofBytes: result.proof.length,
        partitions: result.partitions,
        backend: backend.name,
        parameters: params,
        stages: result.stages,
        kibPerSecond: result.kibPerSecond,
        verified: true,
      };
      this.#avgMs = 0.7 * this.#avgMs + 0.3 * (performance.now() - t0);
      this.#choice.proved(backend);
      this.#avoid.delete(id);
      // only while this node still holds the job: a job taken back is proved to completion once, elsewhere
      const done = await this.#apply(id, { kind: 'Proved' }, { result: proof }, undefined, this.node);
      if (!done) this.opts.log.warn({ jobId: id }, 'proof dropped: the job was taken back from this node');
    } catch (e) {
      await logged.catch(() => undefined);
      await this.#settleFailure(id, e, signal, chosen);
    } finally {
      release?.();
    }
  }

  async #settleFailure(id: string, e: unknown, signal: AbortSignal, backend?: Backend): Promise<void> {
    const err = e as Error;
    const me = this.node;
    if (signal.aborted) {
      if (signal.reason === LOST) return;
      if (signal.reason === SHUTDOWN)
        await this.#apply(
          id,
          { kind: 'Requeued', reason: 'the service stopped: back in the queue' },
          undefined,
          undefined,
          me,
        );
      else
        await this.#apply(
          id,
          { kind: 'Cancelled', reason: 'cancelled: stopped at the end of a stage' },
          { error: { code: 'C2_CANCELLED', message: 'the job was cancelled' } },
          undefined,
          me,
        );
      return;
    }
    if (e instanceof Commit2InputError) {
      const error = { code: e.code, message: e.message, issues: issuesOf(e) };
      await this.#apply(
        id,
        { kind: 'InputRejected', code: e.code, message: e.message },
        { error },
        undefined,
        me,
      );
      return;
    }
    if (e instanceof ProofRejectedError) {
      await this.#fail(id, { kind: 'ProofRejected', message: e.message, trace: e.stack });
      return;
    }
    if (e instanceof ProverError && e.code === 'C2_GPU_FAILED' && backend && this.#failover(id, e, backend)) {
      await this.#fail(id, {
        kind: 'WorkerLost',
        message: `the GPU failed (${e.message}): proving again on the ${this.#choice.preferred.name} backend`,
        trace: e.stack,
      });
      return;
    }
    if (e instanceof ProverError) {
      await this.#apply(
        id,
        { kind: 'Failed', code: e.code, message: e.message, trace: e.stack },
        { error: { code: e.code, message: e.message } },
        undefined,
        me,
      );
      return;
    }
    // A synthesis thread that died, a backend that lost its device: the work is lost, not the job.
    this.opts.log.error({ jobId: id, err: err.message, stack: err.stack }, 'job work lost');
    await this.#fail(id, {
      kind: 'WorkerLost',
      message: `the work was lost: ${err.message}`,
      trace: err.stack,
    });
  }

  /**
   * Stops taking work; running jobs get `graceMs` to finish, then are stopped at their next stage and put
   * back in the queue. A job whose work does not stop in time is put back in the store directly.
   */
  async shutdown(graceMs: number): Promise<void> {
    this.#accepting = false;
    clearInterval(this.#purgeTimer);
    // leases are renewed until the work stops, then the heartbeats end
    const beat = (): Promise<void> =>
      this.opts.store.heartbeat(this.node, [...this.#running.keys()], this.leaseMs).then(
        () => undefined,
        () => undefined,
      );
    const all = (): Promise<unknown> => Promise.all([...this.#running.values()].map((r) => r.done));
    const timeout = (ms: number) => new Promise<'timeout'>((r) => setTimeout(r, ms, 'timeout').unref());
    clearInterval(this.#tickTimer);
    await this.#unwatch?.();
    const keepalive = setInterval(() => void beat(), this.heartbeatMs);
    try {
      await this.#ticking;
      await this.#stopRunning(graceMs, all, timeout);
      await this.#report().catch(() => undefined);
    } finally {
      clearInterval(keepalive);
      this.structures.clear();
      this.emit('closing');
    }
  }

  async #stopRunning(
    graceMs: number,
    all: () => Promise<unknown>,
    timeout: (ms: number) => Promise<'timeout'>,
  ): Promise<void> {
    if (!this.#running.size || (await Promise.race([all(), timeout(graceMs)])) !== 'timeout') return;
    for (const r of this.#running.values()) r.controller.abort(SHUTDOWN);
    if ((await Promise.race([all(), timeout(5_000)])) !== 'timeout') return;
    for (const id of this.#running.keys()) {
      const job = await this.opts.store.get(id);
      if (job && RUNNING_STATES.includes(job.state))
        await this.opts.store.apply(
          id,
          { kind: 'Requeued', reason: 'the service stopped mid-stage: back in the queue' },
          undefined,
          job.state,
          this.node,
        );
    }
  }
}

function issuesOf(e: Commit2InputError): { path: string; message: string }[] {
  return e.issues.map((i) => ({ path: formatPath(i.path, '$'), message: i.message }));
}
