/** The cluster's nodes, as their heartbeats report them (GET /nodes), and draining one (POST /nodes/{name}/drain). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponses } from '../errors.ts';
import type { JobRunner } from '../../job/runner.ts';
import type { JobStore } from '../../job/store.ts';
import { CodedError } from '../../job/errors.ts';

export const nodeSchema = z
  .object({
    name: z.string(),
    backend: z.string(),
    url: z.string().optional(),
    parameters: z
      .array(z.object({ sectorSize: z.number().int(), kind: z.string(), file: z.string() }))
      .meta({ description: 'parameters the node holds loaded' }),
    running: z.array(z.string()).meta({ description: 'the jobs it runs' }),
    accepting: z.boolean().meta({ description: 'false once it stops' }),
    draining: z.boolean().meta({ description: 'finishes its jobs, takes no new ones' }),
    alive: z.boolean().meta({ description: 'its last heartbeat is within its lease time' }),
    startedAt: z.iso.datetime(),
    lastHeartbeat: z.iso.datetime(),
  })
  .meta({ id: 'Node' });

const ERRORS = errorResponses(401, 404);

export const nodeRoutes =
  (runner: JobRunner, store: JobStore): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/nodes',
      {
        schema: {
          summary:
            'The proving nodes on this job store: backend, parameters held, running jobs, last heartbeat',
          response: { 200: z.object({ nodes: z.array(nodeSchema) }).meta({ id: 'NodeList' }), ...ERRORS },
        },
      },
      async () => {
        const now = Date.now();
        const nodes = (await store.nodes()).map((n) => ({
          ...n,
          alive: n.accepting && now - Date.parse(n.lastHeartbeat) < runner.leaseMs,
        }));
        return { nodes };
      },
    );

    const drain = (draining: boolean) => async (request: { params: { name: string } }) => {
      const { name } = request.params;
      if (name === runner.node) await runner.drain(draining);
      else if (!(await store.setDraining(name, draining)))
        throw new CodedError('C2_NOT_FOUND', 404, `no node ${JSON.stringify(name)} in the registry`);
      return { name, draining };
    };
    const drained = {
      params: z.object({ name: z.string().max(200) }),
      response: { 200: z.object({ name: z.string(), draining: z.boolean() }), ...ERRORS },
    };
    app.post(
      '/nodes/:name/drain',
      { schema: { summary: 'Drain a node: it finishes its jobs and takes no new ones', ...drained } },
      drain(true),
    );
    app.delete(
      '/nodes/:name/drain',
      { schema: { summary: 'A drained node takes work again', ...drained } },
      drain(false),
    );
  };
