/**
 * A synthesis thread that dies mid-job (killed, out of memory in the worker) loses the work, not the job:
 * WorkerLost, the failure handler's retry, and a verified proof from the next attempt, in one process.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { serviceConfig, startService } from '../../src/api/service.ts';
import type { ErrorBody, JobEvent, JobRecord } from '../../src/job/job-record.ts';
import { call, waitJob } from '../support/service.ts';
import { body, sealVerifies, testVk } from '../api/fixtures.ts';

test('a synthesis worker killed mid-job: WorkerLost, retried, proved and verified', async () => {
  await testVk();
  const base = mkdtempSync(join(tmpdir(), 'c2-worker-lost-'));
  const env = {
    ...process.env,
    C2_BACKEND: 'cpu',
    C2_STRUCTURE_CACHE: join(tmpdir(), 'c2-test-structures'),
    FIL_PROOFS_PARAMETER_CACHE: join(base, 'no-production-params'),
  };
  Object.assign(process.env, env);
  const svc = await startService({
    ...serviceConfig({ 'test-params': true, 'data-dir': join(base, 'data'), port: '0' }, env),
    logLevel: 'fatal',
  });
  try {
    const dir = '2kib/v1_1-t01000-s1';
    const r = await call<{ job: JobRecord } & ErrorBody>(svc.url, 'POST', '/jobs', body(dir));
    assert.equal(r.status, 202, JSON.stringify(r.body));
    const pool = svc.runner.opts.pool!;
    // the moment a thread has the partition: every synthesis thread is terminated under it
    let killed = 0;
    for (const t0 = Date.now(); killed === 0;) {
      const job = (await call<JobRecord>(svc.url, 'GET', `/jobs/${r.body.job.id}`)).body;
      if (job.state === 'Synthesizing' && pool.threads.length > 0)
        for (const t of pool.threads) killed += (await t.terminate(), 1);
      else if (job.state !== 'Queued' && job.state !== 'Checking' && job.state !== 'Synthesizing')
        assert.fail(`the job left synthesis before a thread could be killed: ${job.state}`);
      else if (Date.now() - t0 > 120_000) assert.fail('synthesis never started');
      else await new Promise((res) => setTimeout(res, 20));
    }
    const done = await waitJob<JobRecord & { log: JobEvent[] }>(svc.url, r.body.job.id);
    assert.equal(done.state, 'Done', JSON.stringify(done.log));
    assert.equal(done.attempts, 2);
    const lost = done.log.filter((e) => e.kind === 'WorkerLost');
    assert.equal(lost.length, 1);
    assert.match(lost[0]!.message, /the work was lost/);
    assert.equal(lost[0]!.error?.code, 'C2_WORKER_LOST');
    assert.ok(done.log.some((e) => e.kind === 'Retry'));
    assert.ok(await sealVerifies(dir, done.result!.proof, 't01000'));
  } finally {
    await svc.stop();
  }
});
