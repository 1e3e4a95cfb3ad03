/**
 * The OpenAPI document as the code makes it (routes and zod schemas), without a listening server: for the
 * committed copy in openapi/ and the test that keeps the two equal.
 */
import type { OpenAPIV3_1 } from 'openapi-types';
import { pickBackend } from '../backends/index.ts';
import { ParamsKeeper } from '../job/params-keeper.ts';
import { JobRunner } from '../job/runner.ts';
import { SqliteJobStore } from '../job/sqlite-store.ts';
import { buildApp } from './app.ts';

export const OPENAPI_FILE = new URL('../../openapi/c2prover.json', import.meta.url);

export async function openapiDocument(): Promise<OpenAPIV3_1.Document> {
  const store = new SqliteJobStore(':memory:');
  const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
  const { backend } = pickBackend();
  const params = new ParamsKeeper({ backend, dir: '/nonexistent', allowTest: false, log: quiet });
  const runner = new JobRunner({
    store,
    backend,
    params,
    log: quiet,
    maxQueued: 1,
    maxRunning: 1,
    memoryBudget: 1,
    retentionMs: 1,
  });
  const app = await buildApp({ runner, store, params, token: 'x' });
  await app.ready();
  const doc = app.swagger() as OpenAPIV3_1.Document;
  await app.close();
  await store.close();
  return doc;
}

export const serializeDocument = (doc: OpenAPIV3_1.Document): string => `${JSON.stringify(doc, null, 2)}\n`;
