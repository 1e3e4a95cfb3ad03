/**
 * Errors that leave the prover with a stable code, so that a caller (the HTTP service, the CLI) decides its
 * answer by the code and never by a message, which may change. Where a code is meant to land:
 * - `invalid_input`: the Commit2 input is malformed or its vanilla proofs do not check (a client error);
 * - `params_not_found`, `params_invalid`: the Groth16 parameters are missing or not usable (the server's);
 * - `backend_unavailable`: no backend can run on this machine;
 * - `proof_rejected`: a proof failed its own verification, a bug: nothing was returned;
 * - `internal`: anything else, including errors that are not a ProverError.
 */
import { z } from 'zod';

export const errorCodeSchema = z.enum([
  'invalid_input',
  'params_not_found',
  'params_invalid',
  'backend_unavailable',
  'proof_rejected',
  'internal',
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

/** The code of any thrown value: a ProverError's own, `internal` for everything else. */
export function errorCode(e: unknown): ErrorCode {
  return e instanceof ProverError ? e.code : 'internal';
}
