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
   * Logs the event and moves the job where the state machine says, with `patch` applied, in one step.
   * With `expect`, nothing happens (undefined) unless the job is still in that state.
   */
  apply(id: string, e: JobEventInput, patch?: JobPatch, expect?: JobState): Promise<JobRecord | undefined>;
  /** How many of the job's events are of this kind (failure handlers count their earlier visits). */
  countEvents(id: string, kind: JobEventKind): Promise<number>;
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
