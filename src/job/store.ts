/**
 * Where jobs, their logs, inputs and results live. The embedded store (sqlite-store.ts) serves one machine;
 * the interface is async so a shared database can serve many nodes behind the same calls.
 */
import { describe, plan, type JobEventInput, type JobEventKind } from './fsm.ts';
import type {
  ErrorBody,
  JobEvent,
  JobRecord,
  JobRequest,
  JobState,
  Priority,
  ProofResult,
} from './job-record.ts';

export interface NewJob {
  id: string;
  priority: Priority;
  request: JobRequest;
  /** The Commit2In JSON as received: kept so a restarted process can prove it. */
  input: string;
}

export interface JobPatch {
  result?: ProofResult;
  error?: ErrorBody;
  progress?: string;
}

/** What a node asks of the queue when it has room for a job. */
export interface ClaimOptions {
  node: string;
  backend: string;
  /** Sector sizes this node can hold in memory now: no other job is claimed. */
  fits: readonly number[];
  /** Sector sizes whose parameters this node holds loaded: their jobs come first within a priority. */
  warm: readonly number[];
  /**
   * A job of a size this node does not hold warm, while another live node does, waits this long in the
   * queue before this node takes it (the warm node gets the first chance).
   */
  coldDelayMs: number;
  /** How long the claim holds without a heartbeat. */
  leaseMs: number;
}

/** A proving node as the registry keeps it (GET /nodes): written by its own heartbeats. */
export interface NodeInfo {
  name: string;
  backend: string;
  url?: string;
  /** Sector sizes whose parameters the node holds loaded, with their kind and file. */
  parameters: { sectorSize: number; kind: string; file: string }[];
  /** The jobs it runs now. */
  running: string[];
  accepting: boolean;
  draining: boolean;
  startedAt: string;
  lastHeartbeat: string;
}

export type NodeReport = Omit<NodeInfo, 'draining' | 'lastHeartbeat'>;

export interface JobStore {
  /**
   * Creates the job, or returns the one with this id (`joined`): a job is proved once per content. A
   * Failed or Cancelled job is queued anew.
   */
  submit(job: NewJob): Promise<{ job: JobRecord; joined: boolean }>;
  get(id: string): Promise<JobRecord | undefined>;
  log(id: string): Promise<JobEvent[]>;
  input(id: string): Promise<string | undefined>;
  /** Newest first. */
  list(opts?: { states?: readonly JobState[]; limit?: number }): Promise<JobRecord[]>;
  count(states: readonly JobState[]): Promise<number>;
  /** The next queued job: highest priority, then oldest. A node claims it with `apply(Started, Queued)`. */
  next(): Promise<JobRecord | undefined>;
  /**
   * Takes the next job this node can hold, atomically across nodes: the highest priority first, then a
   * size it holds warm, then the oldest. The job is Started on `node`, leased for `leaseMs`.
   */
  claim(opts: ClaimOptions): Promise<JobRecord | undefined>;
  /**
   * Renews the leases `node` holds on `ids`. Answers the ids it no longer holds (lease ran out and the job
   * was taken back, or it left its running states) and those whose cancel was requested.
   */
  heartbeat(
    node: string,
    ids: readonly string[],
    leaseMs: number,
  ): Promise<{ lost: string[]; cancel: string[] }>;
  /**
   * Takes back running jobs whose node is gone: those whose lease ran out, and with `node` (a restart)
   * every job leased by that node; the embedded store, which one process owns, takes back all running jobs
   * then. Each is moved to WorkerLost with `message` in one step; the caller runs the failure handler.
   * Jobs left in a failure state by the same criteria (their node stopped before its handler ran) come
   * back too, as they are, after those: the caller runs their handler.
   */
  reclaim(message: string, node?: string): Promise<JobRecord[]>;
  /**
   * Logs the event and moves the job where the state machine says, with `patch` applied, in one step.
   * With `expect`, nothing happens (undefined) unless the job is still in that state; with `owner`, unless
   * that node still holds the job's lease (a node whose job was taken back cannot finish it).
   */
  apply(
    id: string,
    e: JobEventInput,
    patch?: JobPatch,
    expect?: JobState,
    owner?: string,
  ): Promise<JobRecord | undefined>;
  /** Writes the node's registry entry with a fresh heartbeat; answers whether it is asked to drain. */
  putNode(report: NodeReport): Promise<{ draining: boolean }>;
  /** The registry, by name. */
  nodes(): Promise<NodeInfo[]>;
  /** Asks a node to drain (finish its jobs, take no new ones) or to take work again; false if unknown. */
  setDraining(name: string, draining: boolean): Promise<boolean>;
  /** How many of the job's events are of this kind (failure handlers count their earlier visits). */
  countEvents(id: string, kind: JobEventKind): Promise<number>;
  /**
   * Calls `onWork` whenever another node may have queued a job (a shared store's notification), until the
   * stop it returns is called; `onError` hears a lost connection, which it opens again. A store without it
   * is polled at every heartbeat only (the embedded store, whose one process queues through its runner).
   */
  watch?(onWork: () => void, onError: (e: Error) => void): Promise<() => Promise<void>>;
  /** Deletes jobs that ended before `before`; returns how many. */
  purge(before: Date, states: readonly JobState[]): Promise<number>;
  close(): Promise<void>;
}

export const PRIORITY_RANK: Record<Priority, number> = { low: 0, normal: 1, high: 2 };

/** The event as logged: its line, the state it led to, and the error it carries, if any. */
export function eventRow(
  state: JobState | undefined,
  e: JobEventInput,
  seq: number,
  at: string,
): { next: JobState; event: JobEvent } {
  const next = plan(state, e);
  const event: JobEvent = { seq, at, kind: e.kind, state: next, message: describe(e) };
  if ('code' in e) event.error = { code: e.code, message: e.message };
  else if (e.kind === 'ProofRejected' || e.kind === 'WorkerLost')
    event.error = {
      code: e.kind === 'ProofRejected' ? 'C2_PROOF_REJECTED' : 'C2_WORKER_LOST',
      message: e.message,
    };
  if (event.error && 'trace' in e && e.trace) event.error.trace = e.trace;
  return { next, event };
}
