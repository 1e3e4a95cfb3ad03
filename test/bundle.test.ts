/**
 * The container's runtime layer without Docker: scripts/bundle.sh (the Dockerfile's step) assembles it, and
 * the service starts from it, in another directory, on production dependencies only.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { call } from './support/service.ts';

const ROOT = new URL('../', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'c2-bundle-'));
after(() => rmSync(work, { recursive: true, force: true }));

test('the bundle the image is made of runs the service from elsewhere, without dev dependencies', async () => {
  const dir = join(work, 'opt');
  const b = spawnSync('bash', [join(ROOT, 'scripts/bundle.sh'), dir], { encoding: 'utf8' });
  assert.equal(b.status, 0, b.stderr);
  assert.ok(existsSync(join(dir, 'node_modules/fastify')), 'production dependencies are there');
  assert.ok(!existsSync(join(dir, 'node_modules/typescript')), 'dev dependencies are not');

  const bin = join(dir, 'bin/c2prover');
  const info = spawnSync(bin, ['info'], { cwd: work, encoding: 'utf8' });
  assert.equal(info.status, 0, info.stderr);
  assert.match(info.stdout, /backend: cpu/);

  const proc = spawn(bin, ['serve', '--port', '0', '--data-dir', join(work, 'data')], {
    cwd: work,
    env: { ...process.env, FIL_PROOFS_PARAMETER_CACHE: join(work, 'params') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => proc.once('exit', r));
  const url = await new Promise<string>((resolve, reject) => {
    proc.stderr.on('data', () => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    void exited.then(() => reject(new Error(out)));
  });
  assert.equal((await call(url, 'GET', '/healthz')).status, 200);
  // a production node without parameters is alive but not ready, and says which files it lacks
  const ready = await call<{ ready: boolean; parameters: { present: boolean }[] }>(url, 'GET', '/readyz');
  assert.equal(ready.status, 503);
  assert.ok(ready.body.parameters.every((p) => !p.present));
  // and never proves with the test parameters lying on this machine unless told to (--test-params)
  const c2 = await call<{ code: string; message: string }>(
    url,
    'POST',
    '/commit2',
    readFileSync(join(ROOT, 'test/fixtures/2kib/v1_1-t01000-s1/c2input.json')),
  );
  assert.equal(c2.status, 503);
  assert.equal(c2.body.code, 'C2_PARAMS_MISSING');
  assert.match(c2.body.message, /lotus fetch-params 2KiB/);
  const doc = await call<{ paths: Record<string, unknown> }>(url, 'GET', '/openapi.json');
  assert.ok(doc.body.paths['/commit2']);
  proc.kill('SIGTERM');
  assert.equal(await exited, 0, out);
});
