/**
 * Heavy (npm run test:heavy): a Commit2 of two partitions (the oracle's 8-8-0 shape fixture, 6.2 M
 * constraints each) end to end on a two-thread pool, with test parameters made for that circuit: partition
 * 0 is proved while partition 1 is synthesized, first with the structure built by partition 0, then with
 * it cached, then with both partitions proved at once (two lanes, as over two GPUs); the proofs verify
 * with rust-fil-proofs' public inputs. About 15 minutes on two cores.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createCpuBackend } from '../../src/backends/cpu/index.ts';
import { readVerifyingKeyFile } from '../../src/groth16/params-file.ts';
import { decodeProofs } from '../../src/groth16/proof.ts';
import { verifyProof } from '../../src/groth16/verify.ts';
import { runCommit2 } from '../../src/job/commit2.ts';
import { createSynthesisPool } from '../../src/job/synthesis.ts';
import { generateTestParams } from '../../src/job/test-params.ts';
import { oraclePublicInputs, readFixture } from '../support/fixtures.ts';

const heavy = process.env.C2_HEAVY === '1';
const dir = 'shape/8-8-0-t01000-s1';
const work = mkdtempSync(join(tmpdir(), 'c2-two-partitions-'));
after(() => rmSync(work, { recursive: true, force: true }));

test('two partitions: each proved as its witness is ready, both verify', { skip: !heavy }, async () => {
  const backend = createCpuBackend();
  const input = readFixture(dir, 'c2input.json');
  const params = await generateTestParams(backend, input, { dir: join(work, 'params'), seed: 'two' });
  const vk = await readVerifyingKeyFile(params.vk);
  const want = oraclePublicInputs(dir);
  const pool = createSynthesisPool(2);
  try {
    for (const [run, lanes] of [
      ['structure built', 1],
      ['structure cached', 1],
      // the two partitions proved side by side, as on a backend of two GPUs
      ['structure cached, two lanes', 2],
    ] as const) {
      const events: string[] = [];
      const result = await runCommit2(JSON.parse(input) as unknown, {
        backend,
        pool,
        lanes,
        paramsPath: params.params,
        structureCache: join(work, 'structures'),
        onStage: (stage) => events.push(stage),
      });
      assert.equal(result.partitions, 2, run);
      assert.deepEqual(events, ['check', 'synthesis', 'params', 'partition', 'partition'], run);
      const proofs = decodeProofs(result.proof);
      assert.equal(proofs.length, 2);
      proofs.forEach((p, k) => assert.equal(verifyProof(vk, p, want[k]!), true, `${run}: partition ${k}`));
      process.stdout.write(`# ${run}: ${JSON.stringify(result.stages)}\n`);
    }
  } finally {
    await pool.destroy();
  }
});
