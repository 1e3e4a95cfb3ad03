/**
 * The job layer's errors: a stable code (shared/errors.ts) and the HTTP status the service answers with;
 * the message says what is wrong and what to do.
 */
import { ProverError, type ErrorCode } from '../shared/errors.ts';

export class CodedError extends ProverError {
  readonly status: number;
  constructor(code: ErrorCode, status: number, message: string) {
    super(code, message);
    this.name = code;
    this.status = status;
  }
}

export class QueueFullError extends CodedError {
  readonly retryAfterSeconds: number;
  constructor(queued: number, retryAfterSeconds: number) {
    super(
      'C2_QUEUE_FULL',
      429,
      `the queue is full (${queued} jobs waiting): retry in ${retryAfterSeconds} s`,
    );
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export class ShuttingDownError extends CodedError {
  constructor() {
    super(
      'C2_SHUTTING_DOWN',
      503,
      'the service is stopping and takes no new work: retry on another node or later',
    );
  }
}

export class InsufficientMemoryError extends CodedError {
  constructor(need: number, budget: number) {
    const gib = (n: number) => (n / 2 ** 30).toFixed(1);
    super(
      'C2_INSUFFICIENT_MEMORY',
      503,
      `this job needs about ${gib(need)} GiB and this node's memory budget is ${gib(budget)} GiB (C2_MEMORY_BUDGET)`,
    );
  }
}

export class JobNotFoundError extends CodedError {
  constructor(id: string) {
    super('C2_JOB_NOT_FOUND', 404, `no job ${id}`);
  }
}

export class NotCancellableError extends CodedError {
  constructor(id: string, state: string) {
    super('C2_NOT_CANCELLABLE', 409, `job ${id} is ${state}: there is nothing to cancel`);
  }
}

/** Why a job ended without a proof, as the answer of a synchronous request gives it. */
export class JobEndedError extends CodedError {}
