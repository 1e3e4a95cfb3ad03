/**
 * The parameters a node keeps: told apart by digest (our test parameters are not the published file, so a
 * production node refuses them), loaded once per size and shared, evicted only when idle.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pickBackend } from '../../src/backends/index.ts';
import { paramsDigest } from '../../src/groth16/params-file.ts';
import { ParamsKeeper, ParamsMissingError, TestParamsRefusedError } from '../../src/job/params-keeper.ts';
import { ensure2KiBTestParams, testParamsDir } from '../../src/job/test-params.ts';

const { backend } = pickBackend();
const work = mkdtempSync(join(tmpdir(), 'c2-keeper-'));
const quiet = { info: () => undefined, warn: () => undefined };
const keeper = (dir: string, allowTest: boolean) =>
  new ParamsKeeper({ backend, dir, allowTest, log: quiet, digestCacheFile: join(work, 'digests.json') });
let file: string;

before(async () => {
  file = (await ensure2KiBTestParams(backend)).params;
});
after(() => rmSync(work, { recursive: true, force: true }));

test('missing parameters name the file and the command that fetches them', async () => {
  await assert.rejects(
    keeper(join(work, 'empty'), false).resolve(2048),
    (e: unknown) =>
      e instanceof ParamsMissingError &&
      e.message.includes(join(work, 'empty')) &&
      e.message.includes('lotus fetch-params 2KiB') &&
      e.message.includes('curio fetch-params 2KiB'),
  );
});

test('a file that is not the published one is refused on a production node, and is test parameters otherwise', async () => {
  await assert.rejects(keeper(testParamsDir(), false).resolve(2048), TestParamsRefusedError);
  const p = await keeper(testParamsDir(), true).resolve(2048);
  assert.equal(p.kind, 'test');
  assert.equal(p.file, file);
  assert.equal(p.digest, await paramsDigest(file));
});

test('a key is loaded once and shared; idle, it is evicted for memory, never for its own size', async () => {
  const k = keeper(testParamsDir(), true);
  const params = await k.resolve(2048);
  const size = statSync(file).size;
  assert.equal(k.loadCost(2048), size);
  const [a, b] = await Promise.all([k.acquire(2048, params), k.acquire(2048, params)]);
  assert.equal(a.key, b.key, 'one load for both');
  assert.equal(k.heldBytes(), size);
  assert.equal(k.loadCost(2048), 0);
  assert.equal(k.idleBytes(), 0, 'in use');
  k.evictIdle(Number.MAX_SAFE_INTEGER);
  assert.equal(k.heldBytes(), size, 'a key in use is never evicted');
  a.release();
  b.release();
  assert.equal(k.idleBytes(), size);
  k.evictIdle(1, 2048);
  assert.equal(k.heldBytes(), size, 'kept for the size that wants the memory');
  k.evictIdle(1);
  assert.equal(k.heldBytes(), 0);
  assert.equal(k.loadCost(2048), size);
  assert.deepEqual(k.status(), []);
});
