/**
 * The committed OpenAPI document is the one the code makes, the committed client paths are the ones
 * openapi-typescript generates from it, and a client built on them (openapi-fetch) proves the 2KiB fixture.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import createClient from 'openapi-fetch';
import {
  CLIENT_TYPES_FILE,
  OPENAPI_FILE,
  openapiDocument,
  serializeDocument,
} from '../../src/api/openapi.ts';
import type { paths } from '../support/c2prover-api.ts';
import { generateClientTypes } from '../support/openapi-client.ts';
import { serverForTests } from '../support/service.ts';
import { body, sealVerifies, testVk } from './fixtures.ts';

const serverOf = serverForTests(testVk);

test('openapi/c2prover.json is the document the code makes (npm run openapi rewrites it)', async () => {
  assert.equal(readFileSync(OPENAPI_FILE, 'utf8'), serializeDocument(await openapiDocument()));
});

test('the committed client paths are what openapi-typescript generates from the committed document', async () => {
  assert.equal(readFileSync(CLIENT_TYPES_FILE, 'utf8'), await generateClientTypes(OPENAPI_FILE));
});

test('a client generated from the document proves the 2KiB fixture, and reads the job back', async () => {
  const client = createClient<paths>({ baseUrl: serverOf().url });
  const dir = '2kib/v1_1-t01000-s1';
  const { data, error, response } = await client.POST('/commit2', { body: JSON.parse(body(dir)) });
  assert.equal(response.status, 200, JSON.stringify(error));
  assert.ok(data);
  assert.equal(data.parameters.kind, 'test');
  assert.equal(await sealVerifies(dir, data.proof, data.miner), true);
  const job = await client.GET('/jobs/{id}', { params: { path: { id: data.id } } });
  assert.equal(job.data?.state, 'Done');
  assert.equal(job.data?.result?.proof, data.proof);
  const bad = await client.POST('/jobs', { body: { SectorNum: 1, SectorSize: 2048, Phase1Out: 'AAAA' } });
  assert.equal(bad.response.status, 400);
  assert.equal(bad.error?.code, 'C2_BAD_INPUT');
});
