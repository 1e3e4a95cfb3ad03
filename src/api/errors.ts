/**
 * One error handler for the service: every failure becomes an ErrorBody with a stable code, a message that
 * says what is wrong and, for bad input, each problem with its JSON path. No stack trace leaves the
 * process; 5xx errors are logged with theirs.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { CodedError, QueueFullError } from '../job/errors.ts';
import { errorBodySchema, type ErrorBody } from '../job/job-record.ts';
import { formatPath } from '../shared/json-path.ts';
import { Commit2InputError } from '../porep/commit2-input.ts';
import { ProverError, type ErrorCode } from '../shared/errors.ts';

/** fastify's own errors, by their codes, as ours. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'C2_INVALID_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'C2_INVALID_JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'C2_BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'C2_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'C2_BAD_REQUEST',
};

/** The HTTP status of each code: the client's fault 4xx, the node's 503 (retry elsewhere or later), bugs 500. */
const STATUS: Record<ErrorCode, number> = {
  C2_BAD_INPUT: 400,
  C2_UNSUPPORTED_PROOF: 400,
  C2_BAD_REQUEST: 400,
  C2_INVALID_JSON: 400,
  C2_UNAUTHORIZED: 401,
  C2_JOB_NOT_FOUND: 404,
  C2_NOT_FOUND: 404,
  C2_NOT_CANCELLABLE: 409,
  C2_CANCELLED: 409,
  C2_BODY_TOO_LARGE: 413,
  C2_UNSUPPORTED_MEDIA_TYPE: 415,
  C2_QUEUE_FULL: 429,
  C2_PARAMS_MISSING: 503,
  C2_PARAMS_INVALID: 503,
  C2_TEST_PARAMS_REFUSED: 503,
  C2_BACKEND_UNAVAILABLE: 503,
  C2_GPU_FAILED: 503,
  C2_SHUTTING_DOWN: 503,
  C2_INSUFFICIENT_MEMORY: 503,
  C2_WORKER_LOST: 503,
  C2_PROOF_REJECTED: 500,
  C2_INTERNAL: 500,
};

export const statusOf = (code: string): number => STATUS[code as ErrorCode] ?? 500;

export function toErrorBody(e: unknown): { status: number; body: ErrorBody; retryAfter?: number } {
  const err = e as FastifyError;
  if (hasZodFastifySchemaValidationErrors(err)) {
    const issues = err.validation.map((v) => ({
      path: formatPath(v.instancePath.split('/').filter(Boolean), '$'),
      message: v.message ?? 'invalid',
    }));
    return {
      status: 400,
      body: {
        code: 'C2_BAD_REQUEST',
        message: `invalid request ${err.validationContext ?? 'body'}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
        issues,
      },
    };
  }
  if (e instanceof Commit2InputError) {
    const issues = e.issues.map((i) => ({ path: formatPath(i.path, '$'), message: i.message }));
    return { status: statusOf(e.code), body: { code: e.code, message: e.message, issues } };
  }
  if (e instanceof ProverError) {
    const retryAfter = e instanceof QueueFullError ? e.retryAfterSeconds : undefined;
    // a bug's message stays in the log: the answer says only that it happened
    const message = e.code === 'C2_INTERNAL' ? 'internal error (logged with its trace)' : e.message;
    return {
      status: e instanceof CodedError ? e.status : statusOf(e.code),
      body: { code: e.code, message },
      retryAfter,
    };
  }
  const known = err.code ? FASTIFY_CODES[err.code] : undefined;
  if (known) return { status: statusOf(known), body: { code: known, message: err.message } };
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500)
    return { status: err.statusCode, body: { code: 'C2_BAD_REQUEST', message: err.message } };
  return { status: 500, body: { code: 'C2_INTERNAL', message: 'internal error (logged with its trace)' } };
}

export function registerErrorHandler(app: FastifyInstance, count: (code: string) => void): void {
  app.setErrorHandler((e, request, reply) => {
    const { status, body, retryAfter } = toErrorBody(e);
    count(body.code);
    if (status >= 500) request.log.error({ err: e, code: body.code }, body.message);
    else request.log.info({ code: body.code }, body.message.split('\n')[0]!);
    if (retryAfter !== undefined) void reply.header('retry-after', String(retryAfter));
    return reply.code(status).type('application/json').send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    count('C2_NOT_FOUND');
    return reply
      .code(404)
      .send({ code: 'C2_NOT_FOUND', message: `no route ${request.method} ${request.url}` });
  });
}

/** The error answers a route documents: each status with the one error body every answer has. */
export function errorResponses<const S extends number>(...statuses: S[]): Record<S, typeof errorBodySchema> {
  return Object.fromEntries(statuses.map((s) => [s, errorBodySchema])) as Record<S, typeof errorBodySchema>;
}
