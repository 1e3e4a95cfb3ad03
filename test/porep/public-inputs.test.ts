import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseCommit2Input } from '../../src/porep/commit2-input.ts';
import { generatePublicInputs, publicInputCount } from '../../src/porep/public-inputs.ts';
import { partitionChallenges } from '../../src/porep/challenges.ts';
import { FIXTURES, fixtureDirs } from '../support/fixtures.ts';

function leHex(v: bigint): string {
  return Buffer.from(v.toString(16).padStart(64, '0'), 'hex').reverse().toString('hex');
}

const dirs = fixtureDirs();

test(
  'public inputs equal the oracle digest for every fixture',
  { skip: !dirs.length && 'no fixtures' },
  () => {
    const seen = new Set<string>();
    for (const dir of dirs) {
      const job = parseCommit2Input(readFileSync(new URL(`${dir}/c2input.json`, FIXTURES), 'utf8'));
      const digest = JSON.parse(readFileSync(new URL(`${dir}/digest.json`, FIXTURES), 'utf8')) as {
        partitions: { partition: number; public_inputs: string[] }[];
      };
      const { phase1, config } = job;
      const inputs = {
        replicaId: phase1.replica_id,
        commD: phase1.comm_d,
        commR: phase1.comm_r,
        seed: phase1.seed,
      };
      assert.equal(digest.partitions.length, config.partitions, dir);
      for (const { partition: k, public_inputs: expected } of digest.partitions) {
        const got = generatePublicInputs(config, inputs, k);
        assert.equal(got.length, publicInputCount(config), dir);
        assert.deepEqual(got.map(leHex), expected, `${dir} partition ${k}`);
        // The vanilla proofs were made for the same challenges.
        const nodes = job.partitions[k]!.map((p) => p.labeling_proofs[0]!.node);
        assert.deepEqual(nodes, partitionChallenges(config, inputs, k), `${dir} partition ${k} challenges`);
      }
      seen.add(`${phase1.registered_proof}/${config.partitions}`);
    }
    // The fixture set covers every challenge mode and graph version the oracle produced.
    assert.ok(dirs.length >= 8, `only ${dirs.length} fixtures`);
    assert.ok(seen.size >= 4, [...seen].join(' '));
  },
);
