import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseCommit2Input } from '../../src/porep/commit2-input.ts';
import { proverIdFromMiner, replicaId } from '../../src/porep/replica-id.ts';
import { FIXTURES, fixtureDirs } from '../support/fixtures.ts';

const dirs = fixtureDirs('meta.json');

test('prover ids are the uvarint of the actor id, as lotus makes them', () => {
  assert.equal(Buffer.from(proverIdFromMiner('t01000')).toString('hex').slice(0, 6), 'e80700');
  assert.equal(Buffer.from(proverIdFromMiner('f00')).toString('hex'), '00'.repeat(32));
  assert.equal(Buffer.from(proverIdFromMiner('t0127')).toString('hex').slice(0, 4), '7f00');
  assert.equal(Buffer.from(proverIdFromMiner('t0128')).toString('hex').slice(0, 6), '800100');
  for (const bad of ['t1abc', 'f01x', '01000', 't099999999999999999999'])
    assert.throws(() => proverIdFromMiner(bad), RangeError);
});

for (const dir of dirs) {
  test(`${dir}: replica id from miner, sector, ticket, comm_d and porep id equals the sealed one`, () => {
    const meta = JSON.parse(readFileSync(new URL(`${dir}/meta.json`, FIXTURES), 'utf8')) as Record<
      string,
      string
    >;
    const job = parseCommit2Input(readFileSync(new URL(`${dir}/c2input.json`, FIXTURES), 'utf8'));
    const prover = proverIdFromMiner(meta.miner!);
    assert.equal(Buffer.from(prover).toString('hex'), meta.prover_id);
    const id = replicaId(prover, job.sectorNum, job.phase1.ticket, job.phase1.comm_d, job.config.porepId);
    assert.equal(id, job.phase1.replica_id);
    // Another miner or sector gives another replica id: verify_seal would reject the proof.
    assert.notEqual(
      replicaId(
        proverIdFromMiner('t01001'),
        job.sectorNum,
        job.phase1.ticket,
        job.phase1.comm_d,
        job.config.porepId,
      ),
      id,
    );
    assert.notEqual(
      replicaId(prover, job.sectorNum + 1, job.phase1.ticket, job.phase1.comm_d, job.config.porepId),
      id,
    );
  });
}
