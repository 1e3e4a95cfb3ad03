/** Jobs: submit without waiting, look at one (with its event log), list them, cancel one. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { jobSchema, jobStateSchema } from '../../job/job-record.ts';
import { errorResponses } from '../errors.ts';
import type { JobRunner } from '../../job/runner.ts';
import { submitRequest } from './commit2.ts';
import type { JobStore } from '../../job/store.ts';
import {
  commit2RequestSchema,
  jobAcceptedSchema,
  jobIdParamsSchema,
  jobListQuerySchema,
  jobListSchema,
  jobWithLogSchema,
} from '../schemas.ts';
import { CodedError } from '../../job/errors.ts';

const ERRORS = errorResponses(400, 401, 404, 409, 413, 429, 503);

export const jobRoutes =
  (runner: JobRunner, store: JobStore): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/jobs',
      {
        schema: {
          summary: 'Queue a Commit2 job; poll GET /jobs/{id} for its state, log and proof',
          body: commit2RequestSchema,
          response: { 202: jobAcceptedSchema, ...ERRORS },
        },
      },
      async (request, reply) => {
        const r = await submitRequest(runner, request.rawBody!, request.body);
        return reply.code(202).header('location', `/jobs/${r.job.id}`).send(r);
      },
    );

    app.get(
      '/jobs/:id',
      {
        schema: {
          summary: 'A job: its state, result and event log (like lotus-miner sectors status --log)',
          params: jobIdParamsSchema,
          response: { 200: jobWithLogSchema, ...ERRORS },
        },
      },
      async (request) => {
        const job = await runner.get(request.params.id);
        return { ...job, log: await store.log(job.id) };
      },
    );

    app.get(
      '/jobs',
      {
        schema: {
          summary: 'Jobs, newest first',
          querystring: jobListQuerySchema,
          response: { 200: jobListSchema, ...ERRORS },
        },
      },
      async (request) => {
        const states = request.query.state?.split(',').map((s) => {
          const r = jobStateSchema.safeParse(s.trim());
          if (!r.success)
            throw new CodedError(
              'C2_BAD_REQUEST',
              400,
              `unknown job state ${JSON.stringify(s)}; states: ${jobStateSchema.options.join(', ')}`,
            );
          return r.data;
        });
        return { jobs: await store.list({ states, limit: request.query.limit }) };
      },
    );

    app.delete(
      '/jobs/:id',
      {
        schema: {
          summary: 'Cancel a job: a queued one at once, a running one at its next stage',
          params: jobIdParamsSchema,
          response: { 200: jobSchema, ...ERRORS },
        },
      },
      async (request) => runner.cancel(request.params.id),
    );
  };
