/**
 * The synchronous endpoints: `POST /commit2` (lotus-bench's Commit2In, answered with the proof and its
 * figures) and `POST /lotus/commit2` (lotus-miner's remote Commit2 hook, answered with the raw proof bytes).
 * Both are jobs underneath: a retried request joins the job of the same content, and a client that goes
 * away cancels its job unless another request waits on it.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { JobEndedError } from '../../job/errors.ts';
import type { JobRecord } from '../../job/job-record.ts';
import type { JobRunner } from '../../job/runner.ts';
import { porepConfig, SEAL_PROOF_NAMES } from '../../porep/registered-proof.ts';
import { errorCodeSchema } from '../../shared/errors.ts';
import { errorResponses, statusOf } from '../errors.ts';
import {
  commit2RequestSchema,
  type Commit2Request,
  commit2ResponseSchema,
  lotusCommit2Schema,
  type Commit2Response,
} from '../schemas.ts';

const ERRORS = errorResponses(400, 401, 409, 413, 429, 500, 503);

/** Why a job ended without a proof, answered with its code's status. */
function endedError(job: JobRecord): JobEndedError {
  const code = errorCodeSchema.catch('C2_INTERNAL').parse(job.error?.code);
  return new JobEndedError(code, statusOf(code), job.error?.message ?? `job ${job.id} ended ${job.state}`);
}

/** Waits for the job on behalf of this request; the request's going away is its vote to cancel. */
export async function awaitProof(
  runner: JobRunner,
  id: string,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<JobRecord> {
  const gone = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableEnded) gone.abort(new Error('the client went away'));
  });
  const job = await runner.wait(id, gone.signal, true);
  if (job.state !== 'Done' || !job.result) throw endedError(job);
  request.log.info({ jobId: id, ms: job.result.stages.totalMs }, 'proved');
  return job;
}

/** A Commit2 request (`/commit2`, `/jobs`) submitted as received: the body's text is what the store keeps. */
export function submitRequest(
  runner: JobRunner,
  text: string,
  body: Commit2Request,
): ReturnType<JobRunner['submit']> {
  return runner.submit({ text, value: body }, { miner: body.Miner, priority: body.Priority });
}

export function commit2Answer(job: JobRecord, joined: boolean): Commit2Response {
  const r = job.request;
  return {
    id: job.id,
    joined,
    ...job.result!,
    registeredProof: r.registeredProof,
    sectorNum: r.sectorNum,
    sectorSize: r.sectorSize,
    miner: r.miner,
  };
}

export const commit2Routes =
  (runner: JobRunner): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/commit2',
      {
        schema: {
          summary: 'Commit2 of a sector, answered when proved (lotus-bench prove over HTTP)',
          body: commit2RequestSchema,
          response: { 200: commit2ResponseSchema, ...ERRORS },
        },
      },
      async (request, reply) => {
        const { job, joined } = await submitRequest(runner, request.rawBody!, request.body);
        return commit2Answer(await awaitProof(runner, job.id, request, reply), joined);
      },
    );

    app.post(
      '/lotus/commit2',
      {
        schema: {
          summary: "lotus-miner's remote Commit2 hook (RemoteCommit2Endpoint): the raw proof bytes",
          body: lotusCommit2Schema,
          querystring: z.object({
            token: z.string().optional().meta({
              description:
                'the bearer token, for callers that cannot send headers (lotus calls the URL as given)',
            }),
          }),
          response: {
            200: {
              description: 'the proof, 192 bytes per partition',
              content: { 'application/octet-stream': { schema: z.string().meta({ format: 'binary' }) } },
            },
            ...ERRORS,
          },
        },
      },
      async (request, reply) => {
        const { Sector, ProofType, Commit1Out } = request.body;
        const value = {
          SectorNum: Sector.Number,
          Phase1Out: Commit1Out,
          SectorSize: porepConfig(SEAL_PROOF_NAMES[ProofType]!).sectorSize,
        };
        const { job } = await runner.submit(
          { text: JSON.stringify(value), value },
          { miner: Sector.Miner, proofType: ProofType },
        );
        const done = await awaitProof(runner, job.id, request, reply);
        // bytes go out as they are (fastify serializes only non-Buffer payloads); the schema is for OpenAPI
        const bytes = Buffer.from(done.result!.proof, 'hex') as unknown as string;
        return reply.type('application/octet-stream').send(bytes);
      },
    );
  };
