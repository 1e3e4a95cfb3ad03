/**
 * The behaviour every JobStore must have, as one suite: the embedded store runs it, and so will any other
 * (a shared database) by passing its own factory.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JobRequest } from '../../src/job/job-record.ts';
import type { JobStore, NewJob } from '../../src/job/store.ts';
import { IllegalTransitionError } from '../../src/job/fsm.ts';

const request: JobRequest = {
  miner: 't01000',
  sectorNum: 1,
  sectorSize: 2048,
  registeredProof: 'StackedDrg2KiBV1_1',
  proofType: 5,
  phase1Sha256: '00'.repeat(32),
  allowTestParams: true,
};

const newJob = (id: string, priority: NewJob['priority'] = 'normal'): NewJob => ({
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
}
