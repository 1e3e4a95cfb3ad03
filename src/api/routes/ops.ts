/** For operators and orchestrators: liveness, readiness (backend, parameters per size), metrics. */
import { existsSync } from 'node:fs';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PRODUCTION_SECTOR_SIZES, porepParamsFiles } from '../../groth16/parameter-cache.ts';
import { sizeLabel, type ParamsKeeper } from '../../job/params-keeper.ts';
import type { JobRunner } from '../../job/runner.ts';
import type { Metrics } from '../metrics.ts';

const readySchema = z
  .object({
    ready: z.boolean(),
    accepting: z.boolean(),
    draining: z
      .boolean()
      .meta({ description: 'finishing its jobs, taking no new ones (it still queues requests)' }),
    backend: z.string(),
    node: z.string(),
    running: z.number().int(),
    parameters: z.array(
      z.object({
        sectorSize: z.number().int(),
        label: z.string(),
        file: z.string(),
        present: z.boolean(),
        loaded: z.boolean(),
        kind: z.string().optional(),
        backend: z
          .string()
          .optional()
          .meta({ description: 'where the loaded key is: the backend proving this size' }),
      }),
    ),
    structures: z
      .array(
        z.object({
          sectorSize: z.number().int(),
          label: z.string(),
          bytes: z.number().int(),
          inUse: z.number().int().meta({ description: 'jobs using it now' }),
          hits: z.number().int().meta({ description: 'jobs that found it kept' }),
        }),
      )
      .meta({ description: 'circuit structures kept in memory between jobs (one per sector size)' }),
  })
  .meta({ id: 'Readiness' });

export const opsRoutes =
  (runner: JobRunner, params: ParamsKeeper, metrics: Metrics): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/healthz',
      {
        schema: { summary: 'The process answers', response: { 200: z.object({ status: z.literal('ok') }) } },
      },
      async () => ({ status: 'ok' as const }),
    );

    app.get(
      '/readyz',
      {
        schema: {
          summary: 'Ready to prove: backend chosen, taking work; parameters present and loaded per size',
          response: { 200: readySchema, 503: readySchema },
        },
      },
      async (_request, reply) => {
        const held = params.status();
        const parameters = PRODUCTION_SECTOR_SIZES.map((sectorSize) => {
          const h = held.find((x) => x.sectorSize === sectorSize);
          const file = h?.file ?? porepParamsFiles(sectorSize, params.opts.dir).params;
          const test =
            params.opts.allowTest && params.opts.testDir
              ? porepParamsFiles(sectorSize, params.opts.testDir).params
              : undefined;
          const present = existsSync(file) || (test !== undefined && existsSync(test));
          return {
            sectorSize,
            label: sizeLabel(sectorSize),
            file: !existsSync(file) && test && existsSync(test) ? test : file,
            present,
            loaded: h !== undefined,
            ...(h ? { kind: h.kind, backend: h.backend } : {}),
          };
        });
        const ready = runner.accepting && parameters.some((p) => p.present);
        return reply.code(ready ? 200 : 503).send({
          ready,
          accepting: runner.accepting,
          draining: runner.draining,
          backend: runner.backend.name,
          node: runner.node,
          running: runner.runningCount(),
          parameters,
          structures: runner.structures.status().map((x) => ({ ...x, label: sizeLabel(x.sectorSize) })),
        });
      },
    );

    app.get('/metrics', { schema: { summary: 'Prometheus metrics', hide: true } }, async (_request, reply) =>
      reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
    );
  };
