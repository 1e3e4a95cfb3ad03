/**
 * The admission check on the pool's threads, split by partition, finds what the one-thread check finds:
 * the same answer for good inputs, the same issues (paths and messages, in input order) for bad ones.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createSynthesisPool } from '../../src/job/synthesis.ts';
import { admit, checkOnPool, type Admitted } from '../../src/job/input-check.ts';
import { Commit2InputError } from '../../src/porep/commit2-input.ts';
import { formatPath } from '../../src/shared/json-path.ts';
import { readFixture } from '../support/fixtures.ts';

const pool = createSynthesisPool(2);
after(() => pool.destroy());

type Outcome = Admitted | { code: string; issues: string[] };

async function outcome(check: () => Admitted | Promise<Admitted>): Promise<Outcome> {
  try {
    return await check();
  } catch (e) {
    if (!(e instanceof Commit2InputError)) throw e;
    return { code: e.code, issues: e.issues.map((i) => `${formatPath(i.path)}: ${i.message}`) };
  }
}

const sync = (text: string, miner: string): Promise<Outcome> =>
  outcome(() => admit(undefined, { text, value: text }, miner));

/** The part of a Phase1Out these tests tamper with. */
interface Phase1 {
  vanilla_proofs: Record<string, { comm_d_proofs: { data: { Single: { leaf: number[] } } } }[][]>;
}

/** The Commit2In with its Phase1Out changed by `edit`. */
function edited(dir: string, edit: (p1: Phase1) => void): string {
  const c2 = JSON.parse(readFixture(dir, 'c2input.json')) as Record<string, unknown>;
  const p1 = JSON.parse(Buffer.from(c2.Phase1Out as string, 'base64').toString()) as Phase1;
  edit(p1);
  return JSON.stringify({ ...c2, Phase1Out: Buffer.from(JSON.stringify(p1)).toString('base64') });
}

const leaf = (p1: Phase1, k: number, j: number): number[] =>
  Object.values(p1.vanilla_proofs)[0]![k]![j]!.comm_d_proofs.data.Single.leaf;

const cases: [string, string, string][] = [
  ['2KiB, good', readFixture('2kib/v1_1-t01000-s1', 'c2input.json'), 't01000'],
  ['8MiB, good', readFixture('8mib/v1_1-t01000-s1', 'c2input.json'), 't01000'],
  ['2KiB, another miner', readFixture('2kib/v1_1-t01000-s1', 'c2input.json'), 't01002'],
  ['not JSON', '{"SectorNum":1,', 't01000'],
  [
    'two partitions, a leaf flipped in each',
    edited('shape/8-8-0-t01000-s1', (p1) => {
      leaf(p1, 0, 0)[0]! ^= 1;
      leaf(p1, 1, 0)[3]! ^= 4;
    }),
    't01000',
  ],
  ['two partitions, good', readFixture('shape/8-8-0-t01000-s1', 'c2input.json'), 't01000'],
];

for (const [what, text, miner] of cases)
  test(`on the pool, split in two, as on one thread: ${what}`, async () => {
    const want = await sync(text, miner);
    const got = await outcome(() => checkOnPool(pool, text, undefined, miner, 2));
    assert.deepEqual(got, want);
    if (what.includes('flipped')) {
      const issues = (want as { issues: string[] }).issues;
      assert.ok(issues.some((i) => i.includes('[0][0]')) && issues.some((i) => i.includes('[1][0]')));
    }
  });
