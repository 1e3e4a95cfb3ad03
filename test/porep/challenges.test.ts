import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chachaKeystream } from '../../src/porep/chacha.ts';
import {
  interactiveChallenges,
  niChallenges,
  partitionChallenges,
  SynthChallengeGenerator,
} from '../../src/porep/challenges.ts';
import { StackedBucketGraph } from '../../src/porep/graph.ts';
import { porepConfig } from '../../src/porep/registered-proof.ts';

test('ChaCha20 keystream: RFC 8439 §2.4.2 block 1, and seeking inside a block', () => {
  const key = Uint8Array.from({ length: 32 }, (_, i) => i);
  const nonce = Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0x4a, 0, 0, 0, 0]);
  const block1 = chachaKeystream(20, key, nonce, 64, 64);
  assert.equal(Buffer.from(block1.subarray(0, 16)).toString('hex'), '224f51f3401bd9e12fde276fb8631ded');
  assert.deepEqual(
    chachaKeystream(20, key, nonce, 64 + 40, 50),
    Uint8Array.from(chachaKeystream(20, key, nonce, 0, 200).subarray(104, 154)),
  );
});

test('synthetic challenges: the values storage-proofs-porep hardcodes in its tests', () => {
  // sector_nodes 2^10, replica_id 55, comm_r 101, 21 synthetic challenges, rand = [1; 32].
  const g = new SynthChallengeGenerator(1 << 10, 55n, 101n, 21);
  const synth = Array.from({ length: 21 }, (_, i) => g.synthChallenge(i));
  assert.deepEqual(
    synth,
    [178, 297, 869, 211, 875, 477, 94, 781, 124, 332, 856, 801, 176, 692, 429, 691, 290, 204, 986, 210, 973],
  );
  const rand = new Uint8Array(32).fill(1);
  assert.deepEqual(g.partitionChallenges(10, rand, 0), [176, 781, 801, 986, 290, 211, 692, 856, 986, 332]);
  // Partitions are consecutive slices of one selection stream.
  const all = g.partitionChallenges(10, rand, 0);
  assert.deepEqual([...g.partitionChallenges(5, rand, 0), ...g.partitionChallenges(5, rand, 1)], all);
});

test('interactive and NI challenges: partitions slice one sequence, node 0 is never challenged', () => {
  const seed = new Uint8Array(32).fill(7);
  const nodes = 1 << 30;
  const whole = interactiveChallenges(nodes, 12345n, seed, 40, 0);
  const parts = [0, 1, 2, 3].flatMap((k) => interactiveChallenges(nodes, 12345n, seed, 10, k));
  assert.deepEqual(parts, whole);
  assert.deepEqual(
    [0, 1].flatMap((k) => niChallenges(nodes, 1n, 2n, 5, k)),
    niChallenges(nodes, 1n, 2n, 10, 0),
  );
  for (const c of interactiveChallenges(2, 1n, seed, 20, 0)) assert.equal(c, 1);
  // 32GiB NI: 126 partitions of 18; the mode follows the registered proof.
  const ni = porepConfig('StackedDrg32GiBV1_2_Feat_NonInteractivePoRep');
  const inputs = { replicaId: 3n, commR: 4n, seed };
  assert.deepEqual(partitionChallenges(ni, inputs, 125), niChallenges(ni.nodes, 3n, 4n, 18, 125));
});

test('graph: DRG predecessor position by api version, parents in range, big sectors are cheap', () => {
  for (const name of ['StackedDrg64GiBV1', 'StackedDrg32GiBV1_1'] as const) {
    const config = porepConfig(name);
    const g = new StackedBucketGraph(config);
    const legacy = config.apiVersion === '1.0.0';
    for (const node of [2, 3, 1000, config.nodes - 1, 123456789]) {
      const p = g.parents(node);
      assert.equal(p[legacy ? 5 : 0], node - 1, `${name} ${node}`);
      for (let i = 0; i < 6; i++) assert.ok(p[i]! < node, `${name} drg parent ${p[i]} of ${node}`);
      for (let i = 6; i < 14; i++) assert.ok(p[i]! < config.nodes);
    }
    assert.deepEqual([...g.drgParents(1)], [0, 0, 0, 0, 0, 0]);
  }
});
