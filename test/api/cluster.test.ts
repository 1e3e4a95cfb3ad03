/**
 * Many proving nodes on one PostgreSQL queue (issue 12): three real `c2prover serve` processes on one real
 * database prove a burst of 2KiB jobs, spread over the nodes, each proof verified; one node is killed with
 * SIGKILL in the middle of a proof and another finishes its job after the lease runs out; the database is
 * restarted while jobs are queued and nothing is lost; every job is proved to completion once; a duplicate
 * submitted to another node joins the job; GET /nodes lists the nodes; a node can be drained.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ErrorBody, JobEvent, JobRecord } from '../../src/job/job-record.ts';
import type { NodeInfo } from '../../src/job/store.ts';
import { pgSkip, startPostgres, type PgServer } from '../support/postgres.ts';
import { call, serverDirs, startServer, waitJob, type ServerProcess } from '../support/service.ts';
import { body, sealVerifies, testVk } from './fixtures.ts';

type JobWithLog = JobRecord & { log: JobEvent[] };

const skip = pgSkip();
if (skip) console.log(`# skipped: ${skip}`);

const FIXTURES: [string, string][] = [
  ['2kib/v1_1-t01000-s1', 't01000'],
  ['2kib/v1_1-t01000-s2', 't01000'],
  ['2kib/v1-t01000-s1', 't01000'],
  ['2kib/synth-t01000-s1', 't01000'],
  ['2kib/v1_1-t01002-s1', 't01002'],
];
const LEASE_S = 10;

describe('a cluster of three nodes on one PostgreSQL', { skip }, () => {
  let pg: PgServer;
  const nodes = new Map<string, ServerProcess>();
  const structures = serverDirs().structures;

  before(async () => {
    await testVk();
    pg = await startPostgres();
    // nodes start together: the schema is made once, under a lock
    const names = ['n1', 'n2', 'n3'];
    const started = await Promise.all(
      names.map((name) =>
        startServer({
          ...serverDirs(),
          structures,
          args: ['--store', pg.url, '--node', name, '--token', 'shared-secret'],
          env: { C2_LEASE_S: String(LEASE_S) },
        }),
      ),
    );
    names.forEach((n, i) => nodes.set(n, started[i]!));
  });
  after(async () => {
    // what went wrong on a node, if anything: its warnings, errors and lines that are not logs
    for (const [name, s] of nodes) {
      const odd = s
        .output()
        .split('\n')
        .filter((l) => l && !/^\{"level":(10|20|30),/.test(l));
      if (odd.length)
        console.log(
          `# ${name} (exit ${s.proc.exitCode ?? s.proc.signalCode}):\n${odd
            .slice(-40)
            .map((l) => `#   ${l.slice(0, 600)}`)
            .join('\n')}`,
        );
    }
    for (const s of nodes.values())
      if (s.proc.exitCode === null && s.proc.signalCode === null) s.proc.kill('SIGKILL');
    await Promise.all([...nodes.values()].map((s) => s.exited));
    pg?.stop();
  });

  const auth = { authorization: 'Bearer shared-secret' };
  const url = (name: string): string => nodes.get(name)!.url;
  const submit = (name: string, dir: string, miner: string) =>
    call<{ job: JobRecord; joined: boolean } & ErrorBody>(
      url(name),
      'POST',
      '/jobs',
      JSON.stringify({ ...(JSON.parse(body(dir)) as object), Miner: miner }),
      auth,
    );

  test('a burst over three nodes, one killed mid-proof, the database restarted: every job proved once', async () => {
    const names = [...nodes.keys()];
    const ids: string[] = [];
    for (const [i, [dir, miner]] of FIXTURES.entries()) {
      const r = await submit(names[i % names.length]!, dir, miner);
      assert.equal(r.status, 202, JSON.stringify(r.body));
      assert.equal(r.body.joined, false);
      ids.push(r.body.job.id);
    }
    // the same content sent to another node joins the job
    const dup = await submit('n3', FIXTURES[0]![0], FIXTURES[0]![1]);
    assert.equal(dup.status, 202);
    assert.equal(dup.body.joined, true);
    assert.equal(dup.body.job.id, ids[0]);

    // once every node runs a job (a cold node waits a few seconds for the warm one), the first job to
    // reach Proving: its node is killed there
    let victim: JobRecord | undefined;
    for (const t0 = Date.now(); !victim;) {
      assert.ok(Date.now() - t0 < 600_000, 'the nodes never all ran a job, or none reached Proving');
      const list = await call<{ jobs: JobRecord[] }>(url('n1'), 'GET', '/jobs', undefined, auth);
      const runningOn = new Set(
        list.body.jobs.filter((j) => !['Queued', 'Done'].includes(j.state)).map((j) => j.node),
      );
      if (runningOn.size === names.length) victim = list.body.jobs.find((j) => j.state === 'Proving');
      if (!victim) await new Promise((r) => setTimeout(r, 200));
    }
    const killed = victim.node!;
    nodes.get(killed)!.proc.kill('SIGKILL');
    assert.equal(await nodes.get(killed)!.exited, 'SIGKILL');
    const alive = names.filter((n) => n !== killed);

    // one survivor is drained: it finishes its running job and takes no new one; the other takes the rest
    const [keep, drained] = alive as [string, string];
    assert.equal((await call(url(keep), 'POST', `/nodes/${drained}/drain`, undefined, auth)).status, 200);

    // jobs are still queued: the database restarts under them
    const queued = await call<{ jobs: JobRecord[] }>(
      url(alive[0]!),
      'GET',
      '/jobs?state=Queued',
      undefined,
      auth,
    );
    assert.ok(queued.body.jobs.length > 0, 'some jobs wait in the queue while the database restarts');
    pg.restart();

    // the drained node learns it at its next heartbeat (the database is back by then)
    let drainedAt = '';
    for (const t0 = Date.now(); !drainedAt;) {
      const r = await call<{ draining: boolean }>(url(drained), 'GET', '/readyz');
      if (r.body.draining) drainedAt = new Date().toISOString();
      else {
        assert.ok(Date.now() - t0 < 60_000, 'the drain never reached the node');
        await new Promise((r) => setTimeout(r, 100));
      }
    }

    // GET /jobs/:id answers on any node; each job is proved to completion once, its proof verified
    const done: JobWithLog[] = [];
    for (const [i, id] of ids.entries()) {
      const j = await waitJob<JobWithLog>(url(alive[i % alive.length]!), id, undefined, auth);
      assert.equal(j.state, 'Done', JSON.stringify(j.log));
      assert.equal(j.log.filter((e) => e.kind === 'Proved').length, 1, 'proved to completion once');
      const [dir, miner] = FIXTURES[i]!;
      assert.equal(await sealVerifies(dir, j.result!.proof, miner), true, `${dir} verifies`);
      done.push(j);
    }
    const lost = done.find((j) => j.id === victim.id)!;
    assert.notEqual(lost.node, killed, 'another node finished the killed node’s job');
    assert.equal(lost.attempts, 2);
    const wl = lost.log.find((e) => e.kind === 'WorkerLost');
    assert.match(wl?.message ?? '', /lease ran out/);
    assert.ok(lost.log.some((e) => e.kind === 'Retry'));
    const startedOnDrained = done.flatMap((j) =>
      j.log.filter(
        (e) => e.kind === 'Started' && e.message.startsWith(`started on ${drained} `) && e.at > drainedAt,
      ),
    );
    assert.deepEqual(startedOnDrained, [], 'the drained node took no new job');
    const byNode = new Set(done.map((j) => j.node));
    assert.ok(byNode.size >= 2, `the work was spread over the nodes: ${[...byNode].join(', ')}`);
    console.log(
      `# jobs by node: ${done.map((j) => `${j.id.slice(0, 10)}=${j.node} (${j.attempts} starts)`).join(', ')}`,
    );

    // the registry: three nodes, the killed one stopped heartbeating
    const list = await call<{ nodes: (NodeInfo & { alive: boolean })[] }>(
      url(alive[0]!),
      'GET',
      '/nodes',
      undefined,
      auth,
    );
    assert.equal(list.status, 200);
    assert.deepEqual(
      list.body.nodes.map((n) => n.name),
      ['n1', 'n2', 'n3'],
    );
    for (const n of list.body.nodes) {
      assert.equal(n.alive, n.name !== killed, n.name);
      assert.match(n.backend, /^cpu/);
      assert.equal(n.draining, n.name === drained, n.name);
    }
    assert.ok(
      list.body.nodes.find((n) => n.name === alive[0])!.parameters.some((p) => p.sectorSize === 2048),
      'the 2KiB parameters are held warm',
    );
    assert.equal(
      (await call(url(alive[0]!), 'GET', '/nodes')).status,
      401,
      'the shared token guards the registry',
    );
  });

  test('the nodes stop cleanly on SIGTERM', async () => {
    for (const s of nodes.values())
      if (s.proc.exitCode === null && s.proc.signalCode === null) s.proc.kill('SIGTERM');
    for (const [name, s] of nodes)
      if (s.proc.signalCode !== 'SIGKILL') assert.equal(await s.exited, 0, `${name} stops cleanly`);
  });
});
