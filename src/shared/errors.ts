/**
 * Errors that leave the prover with a stable code, so that a caller (the HTTP service, the CLI) decides its
 * answer by the code and never by a message, which may change. One list for the whole project:
 * - `C2_BAD_INPUT`: the Commit2 input is malformed or its vanilla proofs do not check (a client error);
 * - `C2_UNSUPPORTED_PROOF`: a well-formed input of a proof kind not proved here (NI-PoRep);
 * - `C2_PARAMS_MISSING`, `C2_PARAMS_INVALID`, `C2_TEST_PARAMS_REFUSED`: the Groth16 parameters are missing,
 *   not usable, or not the published ones on a production node (the server's);
 * - `C2_BACKEND_UNAVAILABLE`: no backend can run on this machine;
 * - `C2_GPU_FAILED`: the GPU failed the job (out of GPU memory, a lost device, a kernel fault): the job
 *   fails, the process keeps serving;
 * - `C2_PROOF_REJECTED`: a proof failed its own verification, a bug: nothing was returned;
 * - the service's own: `C2_QUEUE_FULL`, `C2_SHUTTING_DOWN`, `C2_INSUFFICIENT_MEMORY`, `C2_JOB_NOT_FOUND`,
 *   `C2_NOT_CANCELLABLE`, `C2_CANCELLED`, `C2_WORKER_LOST`, and the request's: `C2_BAD_REQUEST`,
 *   `C2_INVALID_JSON`, `C2_BODY_TOO_LARGE`, `C2_UNSUPPORTED_MEDIA_TYPE`, `C2_UNAUTHORIZED`, `C2_NOT_FOUND`;
 * - `C2_INTERNAL`: anything else, including errors that are not a ProverError.
 */
import { z } from 'zod';

export const errorCodeSchema = z.enum([
  'C2_BAD_INPUT',
  'C2_UNSUPPORTED_PROOF',
  'C2_PARAMS_MISSING',
  'C2_PARAMS_INVALID',
  'C2_TEST_PARAMS_REFUSED',
  'C2_BACKEND_UNAVAILABLE',
  'C2_GPU_FAILED',
  'C2_PROOF_REJECTED',
  'C2_QUEUE_FULL',
  'C2_SHUTTING_DOWN',
  'C2_INSUFFICIENT_MEMORY',
  'C2_JOB_NOT_FOUND',
  'C2_NOT_CANCELLABLE',
  'C2_CANCELLED',
  'C2_WORKER_LOST',
  'C2_BAD_REQUEST',
  'C2_INVALID_JSON',
  'C2_BODY_TOO_LARGE',
  'C2_UNSUPPORTED_MEDIA_TYPE',
  'C2_UNAUTHORIZED',
  'C2_NOT_FOUND',
  'C2_INTERNAL',
]);
export type ErrorCode = z.infer<typeof errorCodeSchema>;

export class ProverError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.name = 'ProverError';
  }
}

/** The code of any thrown value: a ProverError's own, `C2_INTERNAL` for everything else. */
export function errorCode(e: unknown): ErrorCode {
  return e instanceof ProverError ? e.code : 'C2_INTERNAL';
}
