/**
 * A synthesis thread that dies mid-job (killed, out of memory in the worker) loses the work, not the job:
 * WorkerLost, the failure handler's retry, and a verified proof from the next attempt, in one process. The
 * thread ends itself in its first task (test/support/dying-synthesis-task.ts): killing it from outside
 * races the pool, which hands a task not yet taken to a new thread.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Piscina } from 'piscina';
import { serviceConfig, startService } from '../../src/api/service.ts';
import type { ErrorBody, JobEvent, JobRecord } from '../../src/job/job-record.ts';
import { call, waitJob } from '../support/service.ts';
import { body, sealVerifies, testVk } from '../api/fixtures.ts';

test('a synthesis thread that dies mid-task: WorkerLost, retried, proved and verified', async () => {
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
  // the service's synthesis threads run a task whose first call ends its thread
  const mark = join(base, 'died');
  process.env.C2_TEST_DIE_MARK = mark;
  const own = svc.runner.opts.pool!;
  svc.runner.opts.pool = new Piscina({
    filename: new URL('../support/dying-synthesis-task.ts', import.meta.url).href,
    maxThreads: own.options.maxThreads,
  });
  try {
    const dir = '2kib/v1_1-t01000-s1';
    const r = await call<{ job: JobRecord } & ErrorBody>(svc.url, 'POST', '/jobs', body(dir));
    assert.equal(r.status, 202, JSON.stringify(r.body));
    const done = await waitJob<JobRecord & { log: JobEvent[] }>(svc.url, r.body.job.id);
    assert.equal(done.state, 'Done', JSON.stringify(done.log));
    assert.equal(done.attempts, 2);
    assert.ok(existsSync(mark), 'a thread died under the task');
    const lost = done.log.filter((e) => e.kind === 'WorkerLost');
    assert.equal(lost.length, 1);
    assert.match(lost[0]!.message, /the work was lost/);
    assert.equal(lost[0]!.error?.code, 'C2_WORKER_LOST');
    assert.ok(done.log.some((e) => e.kind === 'Retry'));
    assert.ok(await sealVerifies(dir, done.result!.proof, 't01000'));
  } finally {
    await svc.runner.opts.pool.destroy();
    svc.runner.opts.pool = own;
    delete process.env.C2_TEST_DIE_MARK;
    await svc.stop();
  }
});
