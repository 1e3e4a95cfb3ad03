/**
 * One error handler for the service: every failure becomes an ErrorBody with a stable code, a message that
 * says what is wrong and, for bad input, each problem with its JSON path. No stack trace leaves the
 * process; 5xx errors are logged with theirs.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { CodedError, QueueFullError } from '../job/errors.ts';
import type { ErrorBody } from '../job/job-record.ts';
import { ParamsMissingError, TestParamsRefusedError } from '../job/params-keeper.ts';
import { pathString } from '../job/runner.ts';
import { Commit2InputError } from '../porep/commit2-input.ts';

/** fastify's own errors, by their codes, as ours. */
const FASTIFY_CODES: Record<string, [number, string]> = {
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'C2_INVALID_JSON'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'C2_INVALID_JSON'],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'C2_BODY_TOO_LARGE'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'C2_UNSUPPORTED_MEDIA_TYPE'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'C2_BAD_REQUEST'],
};

export function toErrorBody(e: unknown): { status: number; body: ErrorBody; retryAfter?: number } {
  const err = e as FastifyError & { code?: string };
  if (hasZodFastifySchemaValidationErrors(err)) {
    const issues = err.validation.map((v) => ({
      path: pathString(v.instancePath.split('/').filter(Boolean)),
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
    return {
      status: 400,
      body: {
        code: e.code,
        message: e.message,
        issues: e.issues.map((i) => ({ path: pathString(i.path), message: i.message })),
      },
    };
  }
  if (e instanceof ParamsMissingError || e instanceof TestParamsRefusedError)
    return { status: 503, body: { code: e.code, message: e.message } };
  if (e instanceof QueueFullError)
    return { status: e.status, body: { code: e.code, message: e.message }, retryAfter: e.retryAfterSeconds };
  if (e instanceof CodedError) return { status: e.status, body: { code: e.code, message: e.message } };
  const known = err.code ? FASTIFY_CODES[err.code] : undefined;
  if (known) return { status: known[0], body: { code: known[1], message: err.message } };
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
    return reply.code(404).send({ code: 'C2_NOT_FOUND', message: `no route ${request.method} ${request.url}` });
  });
}
