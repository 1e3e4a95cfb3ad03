/**
 * The fastify application: JSON bodies kept as received (the job store keeps the exact input), zod
 * validation and serialization, the OpenAPI document, bearer-token auth on the proving and job endpoints,
 * one coded error handler, and the routes.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import fastifySwagger from '@fastify/swagger';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { ParamsKeeper } from '../job/params-keeper.ts';
import type { JobRunner } from '../job/runner.ts';
import type { JobStore } from '../job/store.ts';
import { registerErrorHandler } from './errors.ts';
import { createMetrics } from './metrics.ts';
import { commit2Routes } from './routes/commit2.ts';
import { jobRoutes } from './routes/jobs.ts';
import { nodeRoutes } from './routes/nodes.ts';
import { opsRoutes } from './routes/ops.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The JSON body as received. */
    rawBody?: string;
  }
}

export const VERSION = '0.1.0';

/** Large enough for a 64GiB Commit2In (about 50 MB of base64), with room. */
export const DEFAULT_BODY_LIMIT = 256 * 2 ** 20;

const PROTECTED = /^\/(commit2|lotus\/|jobs|nodes)/;
const LOTUS = /^\/lotus\//;

export interface AppOptions {
  runner: JobRunner;
  store: JobStore;
  params: ParamsKeeper;
  /** Required as `Authorization: Bearer <token>` on every proving and job endpoint when set. */
  token?: string;
  bodyLimit?: number;
  /** A pino logger (the service's); none in tests and the OpenAPI build. */
  logger?: FastifyServerOptions['loggerInstance'];
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...(opts.logger ? { loggerInstance: opts.logger } : { logger: false }),
    bodyLimit: opts.bodyLimit ?? DEFAULT_BODY_LIMIT,
    requestIdHeader: 'x-request-id',
    // a synchronous Commit2 of a 32GiB sector takes minutes: no request timeout
    requestTimeout: 0,
    return503OnClosing: true,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest('rawBody', undefined);
  // JSON only: any other media type is a 415, not a string for the schema to refuse
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    request.rawBody = text;
    try {
      done(null, JSON.parse(text));
    } catch (e) {
      const err = new Error(`the body is not JSON: ${(e as Error).message}`) as Error & {
        code: string;
        statusCode: number;
      };
      err.code = 'FST_ERR_CTP_INVALID_JSON_BODY';
      err.statusCode = 400;
      done(err, undefined);
    }
  });

  const metrics = createMetrics(opts.runner, opts.store, opts.params);
  registerErrorHandler(app, metrics.countError);

  if (opts.token) {
    const want = digest(opts.token);
    app.addHook('onRequest', async (request, reply) => {
      if (!PROTECTED.test(request.url)) return;
      const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
      // lotus-miner calls its RemoteCommit2Endpoint URL as given, without headers: the token rides in it
      const inUrl = LOTUS.test(request.url) ? (request.query as { token?: string }).token : undefined;
      const given = bearer ?? inUrl;
      if (given !== undefined && timingSafeEqual(digest(given), want)) return;
      metrics.countError('C2_UNAUTHORIZED');
      return reply.code(401).header('www-authenticate', 'Bearer').send({
        code: 'C2_UNAUTHORIZED',
        message: 'a bearer token is required: Authorization: Bearer <token>',
      });
    });
  }

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'c2prover',
        version: VERSION,
        description:
          "Filecoin Commit2 (SealCommitPhase2) as a service: Groth16 proofs of the StackedDRG PoRep circuit, verified before they are returned. POST /lotus/commit2 is lotus-miner's remote Commit2 hook.",
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(commit2Routes(opts.runner));
  await app.register(jobRoutes(opts.runner, opts.store));
  await app.register(nodeRoutes(opts.runner, opts.store));
  await app.register(opsRoutes(opts.runner, opts.params, metrics));
  return app;
}
