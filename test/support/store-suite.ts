/**
 * The behaviour every JobStore must have, as one suite: the embedded store runs it, and so will any other
 * (a shared database) by passing its own factory.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JobRequest } from '../../src/job/job-record.ts';
import type { ClaimOptions, JobStore, NewJob } from '../../src/job/store.ts';
import { IllegalTransitionError } from '../../src/job/fsm.ts';

export const request: JobRequest = {
  miner: 't01000',
  sectorNum: 1,
  sectorSize: 2048,
  registeredProof: 'StackedDrg2KiBV1_1',
  proofType: 5,
  phase1Sha256: '00'.repeat(32),
  allowTestParams: true,
};

export const newJob = (id: string, priority: NewJob['priority'] = 'normal'): NewJob => ({
  id,
  priority,
  request,
  input: `{"id":"${id}"}`,
});

/** `open` gives a store over the same data each time it is called with the same `name` (reopening). */
export function jobStoreSuite(label: string, open: (name: string) => JobStore | Promise<JobStore>): void {
  test(`${label}: a job is created once per id; a second submission joins it`, async () => {
    const store = await open('join');
    const a = await store.submit(newJob('j1'));
    assert.equal(a.joined, false);
    assert.equal(a.job.state, 'Queued');
    const b = await store.submit(newJob('j1'));
    assert.equal(b.joined, true);
    assert.equal(b.job.id, 'j1');
    assert.equal((await store.log('j1')).length, 1);
    assert.equal(await store.input('j1'), '{"id":"j1"}');
    await store.close();
  });

  test(`${label}: events move the job through the state machine, each logged with its state`, async () => {
    const store = await open('fsm');
    await store.submit(newJob('j2'));
    assert.equal(
      (await store.apply('j2', { kind: 'Started', node: 'n', backend: 'cpu' }, undefined, 'Queued'))?.state,
      'Checking',
    );
    // a claim races: only one node gets the job
    assert.equal(
      await store.apply('j2', { kind: 'Started', node: 'm', backend: 'cpu' }, undefined, 'Queued'),
      undefined,
    );
    await store.apply('j2', { kind: 'StageDone', stage: 'check', ms: 1 });
    await assert.rejects(store.apply('j2', { kind: 'Resubmitted' }), IllegalTransitionError);
    const done = await store.apply('j2', { kind: 'Proved' }, { progress: 'x' });
    assert.equal(done?.state, 'Done');
    assert.equal(done?.attempts, 1);
    const log = await store.log('j2');
    assert.deepEqual(
      log.map((e) => [e.seq, e.kind, e.state]),
      [
        [1, 'Submitted', 'Queued'],
        [2, 'Started', 'Checking'],
        [3, 'StageDone', 'Synthesizing'],
        [4, 'Proved', 'Done'],
      ],
    );
    assert.equal(await store.countEvents('j2', 'StageDone'), 1);
    await store.close();
  });

  test(`${label}: a failed or cancelled job is queued anew when submitted again`, async () => {
    const store = await open('resubmit');
    await store.submit(newJob('j3'));
    await store.apply('j3', { kind: 'CancelRequested' });
    assert.equal((await store.get('j3'))?.state, 'Cancelled');
    const again = await store.submit(newJob('j3'));
    assert.equal(again.joined, false);
    assert.equal(again.job.state, 'Queued');
    assert.equal((await store.log('j3')).at(-1)?.kind, 'Resubmitted');
    await store.close();
  });

  test(`${label}: the queue is served by priority, then age; lists and counts by state`, async () => {
    const store = await open('queue');
    await store.submit(newJob('low', 'low'));
    await store.submit(newJob('n1'));
    await store.submit(newJob('high', 'high'));
    await store.submit(newJob('n2'));
    const order: string[] = [];
    for (let j = await store.next(); j; j = await store.next()) {
      order.push(j.id);
      await store.apply(j.id, { kind: 'Started', node: 'n', backend: 'cpu' }, undefined, 'Queued');
    }
    assert.deepEqual(order, ['high', 'n1', 'n2', 'low']);
    assert.equal(await store.count(['Checking']), 4);
    assert.equal(await store.count(['Queued']), 0);
    assert.equal((await store.list({ states: ['Checking'], limit: 2 })).length, 2);
    await store.close();
  });

  test(`${label}: jobs survive reopening; finished ones are purged after their time`, async () => {
    let store = await open('durable');
    await store.submit(newJob('keep'));
    await store.submit(newJob('old'));
    await store.apply(
      'old',
      { kind: 'Failed', code: 'C2_INTERNAL', message: 'no' },
      { error: { code: 'C2_INTERNAL', message: 'no' } },
    );
    await store.close();
    store = await open('durable');
    assert.equal((await store.get('keep'))?.state, 'Queued');
    assert.equal((await store.get('old'))?.error?.code, 'C2_INTERNAL');
    assert.equal(await store.purge(new Date(Date.now() - 60_000), ['Failed']), 0, 'not old enough yet');
    assert.equal(await store.purge(new Date(Date.now() + 60_000), ['Failed']), 1);
    assert.equal(await store.get('old'), undefined);
    assert.equal(await store.input('old'), undefined);
    assert.deepEqual(await store.log('old'), []);
    assert.ok(await store.get('keep'));
    await store.close();
  });

  const claimOpts = (node: string, extra: Partial<ClaimOptions> = {}): ClaimOptions => ({
    node,
    backend: 'cpu',
    fits: [2048],
    warm: [],
    coldDelayMs: 0,
    leaseMs: 60_000,
    ...extra,
  });

  test(`${label}: a claim takes a job once, for a node that can hold its size; only the holder settles it`, async () => {
    const store = await open('claim');
    await store.submit(newJob('c1'));
    assert.equal(await store.claim(claimOpts('a', { fits: [8388608] })), undefined, 'too large for the node');
    const [x, y] = await Promise.all([store.claim(claimOpts('a')), store.claim(claimOpts('b'))]);
    const got = [x, y].filter((j) => j !== undefined);
    assert.equal(got.length, 1, 'claimed once');
    assert.equal(got[0]!.state, 'Checking');
    assert.equal(got[0]!.attempts, 1);
    const holder = got[0]!.node!;
    const other = holder === 'a' ? 'b' : 'a';
    assert.equal((await store.get('c1'))?.node, holder);
    assert.equal(
      await store.apply('c1', { kind: 'Proved' }, undefined, undefined, other),
      undefined,
      'not its lease',
    );
    assert.deepEqual(await store.heartbeat(holder, ['c1'], 60_000), { lost: [], cancel: [] });
    assert.deepEqual((await store.heartbeat(other, ['c1'], 60_000)).lost, ['c1']);
    await store.apply('c1', { kind: 'CancelRequested' });
    assert.deepEqual(
      (await store.heartbeat(holder, ['c1'], 60_000)).cancel,
      ['c1'],
      'the holder learns of a cancel made anywhere',
    );
    assert.equal((await store.apply('c1', { kind: 'Proved' }, undefined, undefined, holder))?.state, 'Done');
    assert.deepEqual(
      (await store.heartbeat(holder, ['c1'], 60_000)).lost,
      ['c1'],
      'a finished job holds no lease',
    );
    await store.close();
  });

  test(`${label}: a lease that runs out is taken back; a restarted node takes back its own jobs`, async () => {
    const store = await open('lease');
    await store.submit(newJob('l1'));
    await store.submit(newJob('l2'));
    assert.equal((await store.claim(claimOpts('dead', { leaseMs: 50 })))?.id, 'l1');
    assert.equal((await store.claim(claimOpts('live')))?.id, 'l2');
    await new Promise((r) => setTimeout(r, 150));
    const back = await store.reclaim('lease ran out');
    assert.deepEqual(
      back.map((j) => [j.id, j.state]),
      [['l1', 'WorkerLost']],
    );
    assert.equal((await store.log('l1')).at(-1)?.message, 'lease ran out');
    assert.deepEqual((await store.heartbeat('dead', ['l1'], 60_000)).lost, ['l1'], 'too late to renew');
    assert.equal(
      await store.apply('l1', { kind: 'Proved' }, undefined, undefined, 'dead'),
      undefined,
      'a taken-back job is not finished by its old node',
    );
    assert.equal(
      (await store.apply('l1', { kind: 'Retry', reason: 'again' }, undefined, 'WorkerLost'))?.state,
      'Queued',
    );
    assert.equal((await store.get('l2'))?.state, 'Checking', 'a live lease is left alone');
    const restarted = await store.reclaim('restart', 'live');
    assert.deepEqual(
      restarted.map((j) => j.id),
      ['l2'],
    );
    await store.close();
  });

  test(`${label}: a failure its node did not handle (it stopped first) comes back once the lease runs out`, async () => {
    const store = await open('stranded');
    await store.submit(newJob('s1'));
    await store.submit(newJob('s2'));
    assert.equal((await store.claim(claimOpts('dead', { leaseMs: 50 })))?.id, 's1');
    assert.equal((await store.claim(claimOpts('live')))?.id, 's2');
    // both fail their self-check; neither node gets to run the handler
    for (const [id, node] of [
      ['s1', 'dead'],
      ['s2', 'live'],
    ] as const)
      assert.equal(
        (await store.apply(id, { kind: 'ProofRejected', message: 'bad proof' }, undefined, undefined, node))
          ?.state,
        'ProofRejected',
      );
    assert.deepEqual(await store.heartbeat('live', ['s2'], 60_000), { lost: ['s2'], cancel: [] });
    await new Promise((r) => setTimeout(r, 150));
    assert.deepEqual(
      (await store.reclaim('lease ran out')).map((j) => [j.id, j.state]),
      [['s1', 'ProofRejected']],
      'handed back as it is, for its handler; the live lease is left alone',
    );
    assert.deepEqual(
      (await store.reclaim('restart', 'live')).map((j) => [j.id, j.state]),
      [
        ['s1', 'ProofRejected'],
        ['s2', 'ProofRejected'],
      ],
    );
    assert.equal(
      (await store.apply('s1', { kind: 'Retry', reason: 'again' }, undefined, 'ProofRejected'))?.state,
      'Queued',
    );
    assert.equal(
      await store.apply('s1', { kind: 'Retry', reason: 'again' }, undefined, 'ProofRejected'),
      undefined,
      'handled once',
    );
    await store.close();
  });

  test(`${label}: within a priority a node takes the size it holds warm first`, async () => {
    const store = await open('warm');
    await store.submit({ ...newJob('big'), request: { ...request, sectorSize: 8388608 } });
    await store.submit(newJob('small'));
    await store.submit(newJob('urgent', 'high'));
    const opts = claimOpts('n', { fits: [2048, 8388608], warm: [8388608] });
    assert.deepEqual(
      [(await store.claim(opts))?.id, (await store.claim(opts))?.id, (await store.claim(opts))?.id],
      ['urgent', 'big', 'small'],
    );
    await store.close();
  });

  test(`${label}: the node registry: reports, heartbeats, draining`, async () => {
    const store = await open('nodes');
    const report = {
      name: 'gpu-1',
      backend: 'cpu',
      parameters: [{ sectorSize: 2048, kind: 'test', file: '/p' }],
      running: ['x'],
      accepting: true,
      startedAt: new Date().toISOString(),
    };
    assert.deepEqual(await store.putNode(report), { draining: false });
    assert.equal(await store.setDraining('gpu-1', true), true);
    assert.equal(await store.setDraining('nobody', true), false);
    assert.deepEqual(
      await store.putNode({ ...report, running: [] }),
      { draining: true },
      'a report keeps the drain asked for',
    );
    const [n, ...rest] = await store.nodes();
    assert.equal(rest.length, 0);
    assert.equal(n!.name, 'gpu-1');
    assert.equal(n!.draining, true);
    assert.deepEqual(n!.running, []);
    assert.deepEqual(n!.parameters, report.parameters);
    assert.ok(Date.now() - Date.parse(n!.lastHeartbeat) < 60_000);
    await store.close();
  });
}
