/**
 * What a production node must survive: a full queue (429 with Retry-After), cancels (DELETE, a client that
 * goes away), kill -9 in the middle of a proof (the restarted process proves the job, nothing lost, queued
 * jobs still queued) and SIGTERM (no new work, the running job back in the queue, a clean exit).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ErrorBody, JobEvent, JobRecord } from '../../src/job/job-record.ts';
import { call, serverDirs, startServer, waitJob, type ServerProcess } from '../support/service.ts';
import { body, sealVerifies, testVk } from './fixtures.ts';

type JobWithLog = JobRecord & { log: JobEvent[] };
const servers: ServerProcess[] = [];

async function serve(
  dirs: ReturnType<typeof serverDirs>,
  args: string[] = [],
  env: Record<string, string> = {},
) {
  const s = await startServer({ ...dirs, args, env });
  servers.push(s);
  return s;
}

const submit = (url: string, dir: string) =>
  call<{ job: JobRecord } & ErrorBody>(url, 'POST', '/jobs', body(dir));
const running = (j: JobRecord): boolean => !['Queued'].includes(j.state);

before(testVk);
after(async () => {
  for (const s of servers) if (s.proc.exitCode === null) s.proc.kill('SIGKILL');
});

test('a full queue answers 429 with Retry-After; DELETE ends a queued job at once, a running one at its next stage', async () => {
  const s = await serve(serverDirs(), ['--max-queued', '1']);
  const a = await submit(s.url, '2kib/v1-t01000-s1');
  assert.equal(a.status, 202);
  await waitJob<JobRecord>(s.url, a.body.job.id, running);
  const b = await submit(s.url, '2kib/v1_1-t01000-s2');
  assert.equal(b.status, 202);
  assert.equal(b.body.job.state, 'Queued');
  const c = await submit(s.url, '2kib/v1_1-t01000-s1');
  assert.equal(c.status, 429);
  assert.equal(c.body.code, 'C2_QUEUE_FULL');
  assert.ok(Number(c.headers['retry-after']) >= 1);
  // the same content as a queued job joins it rather than being refused
  assert.equal((await submit(s.url, '2kib/v1_1-t01000-s2')).status, 202);

  const cb = await call<JobRecord>(s.url, 'DELETE', `/jobs/${b.body.job.id}`);
  assert.equal(cb.status, 200);
  assert.equal(cb.body.state, 'Cancelled');
  const ca = await call<JobRecord>(s.url, 'DELETE', `/jobs/${a.body.job.id}`);
  assert.equal(ca.status, 200);
  const ended = await waitJob<JobWithLog>(s.url, a.body.job.id);
  assert.equal(ended.state, 'Cancelled');
  assert.equal(ended.error?.code, 'C2_CANCELLED');
  assert.ok(ended.log.some((e) => e.kind === 'CancelRequested'));
  const again = await call<ErrorBody>(s.url, 'DELETE', `/jobs/${a.body.job.id}`);
  assert.equal(again.status, 409);
  assert.equal(again.body.code, 'C2_NOT_CANCELLABLE');
  s.proc.kill('SIGTERM');
  assert.equal(await s.exited, 0);
});

test('a client that goes away from POST /commit2 cancels its job', async () => {
  const s = await serve(serverDirs());
  const gone = new AbortController();
  const pending = fetch(new URL('/commit2', s.url), {
    method: 'POST',
    body: body('2kib/v1_1-t01000-s2'),
    headers: { 'content-type': 'application/json' },
    signal: gone.signal,
  }).catch((e: unknown) => e);
  let id: string | undefined;
  for (let tries = 0; !id; tries++) {
    assert.ok(tries < 600, 'the job never started');
    const list = await call<{ jobs: JobRecord[] }>(s.url, 'GET', '/jobs');
    id = list.body.jobs.find(running)?.id;
    await new Promise((r) => setTimeout(r, 100));
  }
  gone.abort();
  assert.ok((await pending) instanceof Error);
  const ended = await waitJob<JobWithLog>(s.url, id);
  assert.equal(ended.state, 'Cancelled');
  s.proc.kill('SIGTERM');
  assert.equal(await s.exited, 0);
});

test('kill -9 in the middle of a proof loses nothing: after the restart the job is proved, the queued one still queued', async () => {
  const dirs = serverDirs();
  let s = await serve(dirs);
  const x = await submit(s.url, '2kib/v1_1-t01000-s1');
  const y = await submit(s.url, '2kib/synth-t01000-s1');
  assert.equal(x.status, 202);
  assert.equal(y.status, 202);
  await waitJob<JobRecord>(s.url, x.body.job.id, (j) => j.state === 'Proving');
  s.proc.kill('SIGKILL');
  assert.equal(await s.exited, 'SIGKILL');

  s = await serve(dirs);
  const queued = await call<JobRecord>(s.url, 'GET', `/jobs/${y.body.job.id}`);
  assert.equal(queued.body.state, 'Queued', 'the queued job is still queued');
  const done = await waitJob<JobWithLog>(s.url, x.body.job.id);
  assert.equal(done.state, 'Done', JSON.stringify(done.log));
  assert.equal(done.attempts, 2);
  const kinds = done.log.map((e) => e.kind);
  assert.ok(kinds.includes('WorkerLost') && kinds.includes('Retry'), kinds.join(' '));
  assert.match(done.log.find((e) => e.kind === 'WorkerLost')!.message, /restart/);
  assert.equal(done.log.filter((e) => e.kind === 'Proved').length, 1, 'proved to completion once');
  assert.equal(await sealVerifies('2kib/v1_1-t01000-s1', done.result!.proof, 't01000'), true);
  assert.equal((await call(s.url, 'DELETE', `/jobs/${y.body.job.id}`)).status, 200);
  s.proc.kill('SIGTERM');
  assert.equal(await s.exited, 0);
});

test('SIGTERM: no new work, the running job back in the queue, a clean exit; the next start picks it up', async () => {
  const dirs = serverDirs();
  let s = await serve(dirs, [], { C2_SHUTDOWN_GRACE_S: '1' });
  const z = await submit(s.url, '2kib/v1-t01000-s1');
  await waitJob<JobRecord>(s.url, z.body.job.id, running);
  s.proc.kill('SIGTERM');
  // while it stops, work is refused with 503 (or the port is already closed)
  const refused = await submit(s.url, '2kib/v1_1-t01000-s2').catch((e: unknown) => e as Error);
  if (!(refused instanceof Error)) {
    assert.equal(refused.status, 503);
    assert.equal(refused.body.code, 'C2_SHUTTING_DOWN');
  }
  assert.equal(await s.exited, 0, s.output().slice(-2000));
  s = await serve(dirs);
  const j = await call<JobWithLog>(s.url, 'GET', `/jobs/${z.body.job.id}`);
  assert.ok(
    j.body.log.some((e) => e.kind === 'Requeued'),
    j.body.log.map((e) => e.kind).join(' '),
  );
  assert.ok(!j.body.log.some((e) => e.kind === 'WorkerLost'), 'a clean stop is not a lost worker');
  assert.notEqual(j.body.state, 'Failed');
  assert.equal((await call(s.url, 'DELETE', `/jobs/${z.body.job.id}`)).status, 200);
  s.proc.kill('SIGTERM');
  assert.equal(await s.exited, 0);
});
