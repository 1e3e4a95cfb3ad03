/**
 * inLanes, which spreads a job's partitions over a backend's GPUs: order kept, never more than `lanes` in
 * progress, items started in order, and a failure stops what has not started and surfaces once the rest
 * settled.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { inLanes } from '../../src/shared/lanes.ts';
import { partitionLanes } from '../../src/job/runner.ts';

function tracker() {
  let running = 0;
  let most = 0;
  const started: number[] = [];
  const done: number[] = [];
  return {
    started,
    done,
    most: () => most,
    run: async (ms: number, i: number) => {
      started.push(i);
      most = Math.max(most, ++running);
      await sleep(ms);
      running--;
      done.push(i);
      return i * 10;
    },
  };
}

test('results come in order, at most `lanes` run at once, each started in order', async () => {
  for (const lanes of [1, 2, 3, 16]) {
    const t = tracker();
    // uneven times: later items finish before earlier ones
    const ms = [30, 5, 20, 1, 15, 2, 8];
    const out = await inLanes(ms, lanes, (m, i) => t.run(m, i));
    assert.deepEqual(out, [0, 10, 20, 30, 40, 50, 60], `lanes ${lanes}`);
    assert.equal(t.most(), Math.min(lanes, ms.length), `lanes ${lanes}`);
    assert.deepEqual(t.started, [0, 1, 2, 3, 4, 5, 6], `lanes ${lanes}`);
    if (lanes > 1) assert.notDeepEqual(t.done, t.started, 'the lanes really overlap');
  }
  assert.deepEqual(await inLanes([], 4, async () => 1), []);
  // a lane count below one still makes progress
  assert.deepEqual(await inLanes([1, 2], 0, async (x) => x), [1, 2]);
});

test('a failure starts nothing more, lets the running ones settle, and throws the first error', async () => {
  const t = tracker();
  let settled = 0;
  await assert.rejects(
    inLanes([0, 1, 2, 3, 4, 5], 2, async (_, i) => {
      if (i === 1) {
        await sleep(5);
        throw new Error('partition 1 failed');
      }
      if (i === 2) {
        await sleep(2);
        throw new Error('partition 2 failed too');
      }
      await t.run(i === 0 ? 40 : 1, i);
      settled++;
      return i;
    }),
    /partition 1 failed/,
  );
  // 0 and 1 start; 1 fails at 5 ms, by then 2 has not started (lane two was busy with 1): only 0 runs on
  assert.deepEqual(t.started, [0]);
  assert.equal(settled, 1, 'item 0 finished before the failure was thrown');
});

test("a job's lanes: one where its size has one partition, else the backend's as far as memory allows", () => {
  const GiB = 2 ** 30;
  const s32 = 34359738368;
  assert.equal(partitionLanes(2048, 8, 1000 * GiB), 1, 'one partition');
  assert.equal(partitionLanes(536870912, 8, 1000 * GiB), 1, '512MiB: one partition');
  assert.equal(partitionLanes(s32, 1, 1000 * GiB), 1, 'one GPU');
  assert.equal(partitionLanes(s32, 4, 1000 * GiB), 4, 'room for all four');
  assert.equal(partitionLanes(s32, 4, 40 * GiB), 3, 'two more partitions of 16 GiB fit in 40');
  assert.equal(partitionLanes(s32, 4, 10 * GiB), 1, 'no room for a second');
  assert.equal(partitionLanes(s32, 4, -5 * GiB), 1, 'over budget already');
});
