/**
 * The job store suite against a real PostgreSQL: the shared store must behave as the embedded one. Then
 * the queue under it: pg-boss's tickets follow the jobs' Queued state, in the same transactions.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { PostgresJobStore } from '../../src/job/postgres-store.ts';
import { jobStoreSuite, newJob, request } from '../support/store-suite.ts';
import { pgSkip, startPostgres, type PgServer } from '../support/postgres.ts';

const skip = pgSkip();
if (skip) console.log(`# skipped: ${skip}`);

describe('PostgreSQL job store', { skip }, () => {
  let server: PgServer;
  before(async () => {
    server = await startPostgres();
  });
  after(() => server?.stop());
  jobStoreSuite('shared store (PostgreSQL)', (name) =>
    PostgresJobStore.open(server.url, { schema: `suite_${name}` }),
  );

  /** pg-boss's own rows for the commit2 queue: state, priority and group (the sector size) per job. */
  async function tickets(schema: string): Promise<Map<string, string[]>> {
    const c = new pg.Client({ connectionString: server.url });
    await c.connect();
    try {
      const r = await c.query<{ job: string; state: string; priority: number; group_id: string }>(
        `SELECT data->>'id' AS job, state::text, priority, group_id FROM ${schema}_queue.job
          WHERE name = 'commit2' ORDER BY created_on, id`,
      );
      const out = new Map<string, string[]>();
      for (const row of r.rows)
        out.set(row.job, [...(out.get(row.job) ?? []), `${row.state}/${row.priority}/${row.group_id}`]);
      return out;
    } finally {
      await c.end();
    }
  }

  test('the queue is pg-boss: a ticket per Queued job, taken by a claim, withdrawn by a cancel, anew on a retry', async () => {
    const store = await PostgresJobStore.open(server.url, { schema: 'queue_pgboss' });
    const big = { ...request, sectorSize: 8388608 };
    await store.submit(newJob('q1', 'high'));
    await store.submit({ ...newJob('q2', 'low'), request: big });
    await store.submit(newJob('q3'));
    assert.deepEqual(
      Object.fromEntries(await tickets('queue_pgboss')),
      { q1: ['created/2/2048'], q2: ['created/0/8388608'], q3: ['created/1/2048'] },
      "priority and size are pg-boss's priority and group",
    );
    const claim = { node: 'n', backend: 'cpu', fits: [2048], warm: [], coldDelayMs: 0, leaseMs: 60_000 };
    assert.equal((await store.claim(claim))?.id, 'q1');
    await store.apply('q3', { kind: 'CancelRequested' });
    assert.equal((await store.get('q3'))?.state, 'Cancelled');
    assert.equal(await store.claim(claim), undefined, 'the 8MiB job is a group this node ignores');
    // the claimed job's lease runs out and the state machine queues it again: a new ticket
    await store.apply('q1', { kind: 'WorkerLost', message: 'gone' });
    await store.apply('q1', { kind: 'Retry', reason: 'again' }, undefined, 'WorkerLost');
    assert.deepEqual(Object.fromEntries(await tickets('queue_pgboss')), {
      q1: ['completed/2/2048', 'created/2/2048'],
      q2: ['created/0/8388608'],
      q3: ['cancelled/1/2048'],
    });
    assert.equal((await store.claim({ ...claim, fits: [2048, 8388608] }))?.id, 'q1');
    assert.equal((await store.claim({ ...claim, fits: [2048, 8388608] }))?.id, 'q2');
    assert.equal(await store.count(['Queued']), 0);
    await store.close();
  });

  test('jobs queued before the queue was pg-boss get their tickets when a node opens the store', async () => {
    let store = await PostgresJobStore.open(server.url, { schema: 'queue_upgrade' });
    await store.submit(newJob('old'));
    await store.close();
    // as the version that kept its queue in c2_jobs alone left it: a queued row without a ticket
    const c = new pg.Client({ connectionString: server.url });
    await c.connect();
    await c.query("DELETE FROM queue_upgrade_queue.job WHERE name = 'commit2'");
    await c.query('UPDATE queue_upgrade.c2_jobs SET ticket = NULL');
    await c.end();
    store = await PostgresJobStore.open(server.url, { schema: 'queue_upgrade' });
    assert.deepEqual(Object.fromEntries(await tickets('queue_upgrade')), { old: ['created/1/2048'] });
    const claim = { node: 'n', backend: 'cpu', fits: [2048], warm: [], coldDelayMs: 0, leaseMs: 60_000 };
    assert.equal((await store.claim(claim))?.id, 'old');
    await store.close();
  });
  test('a node listening hears the jobs other nodes queue, again after the server restarts, and not once stopped', async () => {
    const listener = await PostgresJobStore.open(server.url, { schema: 'watch' });
    const other = await PostgresJobStore.open(server.url, { schema: 'watch' });
    const apart = await PostgresJobStore.open(server.url, { schema: 'watch_apart' });
    let heard = 0;
    const errors: Error[] = [];
    const until = async (what: string, ok: () => boolean): Promise<void> => {
      for (const t0 = Date.now(); !ok(); await new Promise((r) => setTimeout(r, 20)))
        if (Date.now() - t0 > 30_000) assert.fail(`not heard: ${what} (heard ${heard})`);
    };
    const stop = await listener.watch(
      () => heard++,
      (e) => errors.push(e),
    );
    try {
      assert.equal(heard, 1, 'once as it starts listening: what was queued before it listened');
      await other.submit(newJob('w1'));
      await until('a job queued by another node', () => heard === 2);
      // the same job queued again by a retry is news too; its claim and failure are not
      const claim = { node: 'n', backend: 'cpu', fits: [2048], warm: [], coldDelayMs: 0, leaseMs: 60_000 };
      assert.equal((await other.claim(claim))?.id, 'w1');
      await other.apply('w1', { kind: 'WorkerLost', message: 'gone' });
      assert.equal(heard, 2);
      await other.apply('w1', { kind: 'Retry', reason: 'again' }, undefined, 'WorkerLost');
      await until('a retry', () => heard === 3);
      // another schema's queue (another deployment on the same server) is not ours
      await apart.submit(newJob('elsewhere'));
      await other.submit(newJob('w2'));
      await until('the next job', () => heard === 4);
      // the server restarts: the listener is told, listens again and hears on
      server.restart();
      await until('listening again after the restart', () => errors.length > 0 && heard === 5);
      await other.submit(newJob('w3'));
      await until('a job queued after the restart', () => heard === 6);
      await stop();
      await other.submit(newJob('w4'));
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(heard, 6, 'nothing once stopped');
    } finally {
      await stop();
      await Promise.all([listener.close(), other.close(), apart.close()]);
    }
  });
});
