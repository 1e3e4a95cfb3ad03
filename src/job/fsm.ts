/**
 * A job's state machine, after lotus' storage-fsm: everything that happens to a job is an event, each state
 * has a planner that says which events it takes and where they lead, and failure states have handlers of
 * their own that decide between a retry and giving up. Events are logged with the state they led to, so a
 * job's log reads like `lotus-miner sectors status --log`.
 */
import { ProverError, type ErrorCode } from '../shared/errors.ts';
import type { JobState } from './job-record.ts';
import type { Commit2Stage } from './commit2.ts';

export type JobEventInput =
  | { kind: 'Submitted' }
  | { kind: 'Resubmitted' }
  | { kind: 'Started'; node: string; backend: string }
  | { kind: 'StageDone'; stage: Commit2Stage; ms: number; detail?: string }
  | { kind: 'Proved' }
  | { kind: 'InputRejected'; code: ErrorCode; message: string }
  | { kind: 'ProofRejected'; message: string; trace?: string }
  | { kind: 'WorkerLost'; message: string; trace?: string }
  | { kind: 'Retry'; reason: string }
  | { kind: 'Failed'; code: ErrorCode; message: string; trace?: string }
  | { kind: 'CancelRequested' }
  | { kind: 'Cancelled'; reason: string }
  | { kind: 'Requeued'; reason: string };
export type JobEventKind = JobEventInput['kind'];

export class IllegalTransitionError extends ProverError {
  constructor(state: JobState, kind: JobEventKind) {
    super('C2_INTERNAL', `internal error: a job in state ${state} cannot take the event ${kind}`);
    this.name = 'IllegalTransitionError';
  }
}

type Planner = Partial<Record<JobEventKind, (e: JobEventInput, state: JobState) => JobState>>;

const AFTER_STAGE: Record<Commit2Stage, JobState> = {
  check: 'Synthesizing',
  synthesis: 'LoadingParams',
  params: 'Proving',
  partition: 'Proving',
};

const stop: Planner = {
  Failed: () => 'Failed',
  Cancelled: () => 'Cancelled',
};

const running: Planner = {
  ...stop,
  StageDone: (e) => AFTER_STAGE[(e as Extract<JobEventInput, { kind: 'StageDone' }>).stage],
  Proved: () => 'Done',
  InputRejected: () => 'BadInput',
  ProofRejected: () => 'ProofRejected',
  WorkerLost: () => 'WorkerLost',
  Requeued: () => 'Queued',
  // final only once the work notices it: the runner aborts the work, then logs Cancelled
  CancelRequested: (_, state) => state,
};

const PLANNERS: Record<JobState, Planner> = {
  Queued: { ...stop, Started: () => 'Checking', CancelRequested: () => 'Cancelled' },
  Checking: running,
  Synthesizing: running,
  LoadingParams: running,
  Proving: running,
  ProofRejected: { ...stop, Retry: () => 'Queued' },
  WorkerLost: { ...stop, Retry: () => 'Queued' },
  Done: {},
  BadInput: {},
  Failed: { Resubmitted: () => 'Queued' },
  Cancelled: { Resubmitted: () => 'Queued' },
};

/** The state an event leads to, or IllegalTransitionError when the state does not take it. */
export function plan(state: JobState | undefined, e: JobEventInput): JobState {
  if (state === undefined) {
    if (e.kind === 'Submitted') return 'Queued';
    throw new IllegalTransitionError('Queued', e.kind);
  }
  const next = PLANNERS[state][e.kind];
  if (!next) throw new IllegalTransitionError(state, e.kind);
  return next(e, state);
}

/** Retries allowed from each failure state before the job fails for good. */
export const RETRY_LIMITS = { ProofRejected: 1, WorkerLost: 2 } as const;

/**
 * The handler of a failure state: a retry while the state's limit allows (`previous` counts the earlier
 * visits), else the job fails with the state's code.
 */
export function handleFailure(
  state: keyof typeof RETRY_LIMITS,
  previous: number,
  message: string,
): JobEventInput {
  if (previous < RETRY_LIMITS[state]) {
    return {
      kind: 'Retry',
      reason:
        state === 'ProofRejected'
          ? 'the proof failed its self-check: proving again from a rebuilt circuit structure'
          : 'the work was lost: proving again',
    };
  }
  return {
    kind: 'Failed',
    code: state === 'ProofRejected' ? 'C2_PROOF_REJECTED' : 'C2_WORKER_LOST',
    message: `${message} (after ${previous + 1} attempts)`,
  };
}

/** One line for the log, like storage-fsm's event names with their detail. */
export function describe(e: JobEventInput): string {
  switch (e.kind) {
    case 'Submitted':
      return 'queued';
    case 'Resubmitted':
      return 'submitted again: queued anew';
    case 'Started':
      return `started on ${e.node} (${e.backend})`;
    case 'StageDone':
      return `${e.stage} done in ${e.ms.toFixed(0)} ms${e.detail ? ` (${e.detail})` : ''}`;
    case 'Proved':
      return 'proved and verified';
    case 'CancelRequested':
      return 'cancel requested';
    case 'InputRejected':
    case 'Failed':
    case 'ProofRejected':
    case 'WorkerLost':
      return e.message;
    case 'Retry':
    case 'Cancelled':
    case 'Requeued':
      return e.reason;
  }
}
