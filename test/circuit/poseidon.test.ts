/**
 * Poseidon: constants against the published parameter files, the native hash against neptune's vectors
 * and an unoptimized reference permutation, the circuit against the native hash and against the oracle's
 * per-namespace digests (H_comm_c_comm_r_last and the 2KiB column hashes), with our variables placed at
 * the oracle's indices so that even the constraint digests compare.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { SynthesisCs } from '../../src/circuit/synthesis-cs.ts';
import { P } from '../../src/circuit/lc.ts';
import { digestCircuit } from '../../src/circuit/digest.ts';
import { allocInputNum, allocNum } from '../../src/circuit/num.ts';
import { checkNamespace, oracle, positioned } from '../support/oracle-position.ts';
import { grainRoundConstants, poseidonConstants, roundNumbers } from '../../src/shared/poseidon-constants.ts';
import { poseidonHashCircuit } from '../../src/circuit/poseidon.ts';
import { poseidonHash, poseidonHash2, poseidonHashMd, poseidonPermute } from '../../src/shared/poseidon.ts';
import { poseidonKernel } from '../../src/backends/cpu/poseidon.ts';
import { frVector } from '../../src/shared/fr-vector.ts';
import { frFromBytes } from '../../src/shared/fr.ts';
import {
  allocAndHashParentColumn,
  hashSingleColumn,
  hashSingleColumnNative,
} from '../../src/circuit/column-hash.ts';
import { parseCommit2Input } from '../../src/porep/commit2-input.ts';

const VECTORS = '/work/shared/vectors/';
const FIXTURE = new URL('../fixtures/2kib/v1_1-t01000-s1/', import.meta.url);

test('round numbers match round_numbers.txt', () => {
  const lines = readFileSync(`${VECTORS}round_numbers.txt`, 'utf8').split('\n');
  let checked = 0;
  for (const line of lines) {
    if (!/^\d/.test(line)) continue;
    const [t, rf, rp] = line.split(' ').map(Number) as [number, number, number];
    if (t > 37) break;
    assert.deepEqual(roundNumbers(t - 1), [rf, rp], `t = ${t}`);
    checked++;
  }
  assert.equal(checked, 36);
});

test('Grain round constants match the hadeshash reference for t = 9', () => {
  const text = readFileSync(
    `${VECTORS}round_constants-1-1-255-9-8-57-73EDA753299D7D483339D80809A1D80553BDA402FFFE5BFEFFFFFFFF00000001.txt`,
    'utf8',
  );
  const expected = [...text.matchAll(/0x[0-9a-fA-F]{64}/g)].map((m) => BigInt(m[0]));
  assert.equal(expected.length, 585);
  assert.deepEqual(grainRoundConstants(9, 8, 57), expected);
  assert.deepEqual(poseidonConstants(8).roundConstants, expected);
});

test('native Poseidon matches the published vectors', () => {
  const doc = JSON.parse(readFileSync(`${VECTORS}poseidon_vectors.json`, 'utf8')) as {
    vectors: { name: string; arity: number; inputs?: number[]; output: { be_int_hex: string } }[];
  };
  const out = (name: string): bigint =>
    BigInt(doc.vectors.find((v) => v.name.startsWith(name))!.output.be_int_hex);
  // Arities 24 and 36 (hash_md) take seconds to set up and are not used by Commit2.
  const heavy = process.env.C2_HEAVY === '1';
  for (const arity of heavy ? [2, 4, 8, 11, 16, 24, 36] : [2, 4, 8, 11, 16]) {
    const inputs = Array.from({ length: arity }, (_, i) => BigInt(i));
    assert.equal(poseidonHash(inputs), out(`neptune hash_values Standard arity ${arity}`), `arity ${arity}`);
  }
  // Large inputs do not survive JSON numbers: rebuild them.
  const h10 = poseidonHash2(1n, 0n);
  assert.equal(h10, out('filecoin-hashers test_poseidon_hasher node H(1,0)'));
  assert.equal(
    poseidonHash2(h10, poseidonHash2(0n, 1n)),
    out('filecoin-hashers test_poseidon_hasher root of 4'),
  );
  if (heavy)
    assert.equal(poseidonHashMd(Array.from({ length: 71 }, () => 1n)), out('filecoin-hashers test_hash_md'));
});

test('the native kernel (blst) records every value the BigInt hash does, and hashes the published vectors', () => {
  const doc = JSON.parse(readFileSync(`${VECTORS}poseidon_vectors.json`, 'utf8')) as {
    vectors: { name: string; output: { be_int_hex: string } }[];
  };
  for (const arity of [2, 4, 8, 11, 16]) {
    const k = poseidonKernel(arity);
    const one = new Uint8Array(32);
    k.hash(frVector(Array.from({ length: arity }, (_, i) => BigInt(i))), one);
    const published = doc.vectors.find((v) =>
      v.name.startsWith(`neptune hash_values Standard arity ${arity}`),
    )!;
    assert.equal(frFromBytes(one), BigInt(published.output.be_int_hex), `arity ${arity}`);
    // random inputs, and the edges: zero and r - 1
    for (const inputs of [
      Array.from({ length: arity }, (_, i) => randomFr(arity * 1000 + i)),
      Array.from({ length: arity }, (_, i) => (i % 2 ? P - 1n : 0n)),
    ]) {
      const recorded: bigint[] = [];
      const h = poseidonPermute(poseidonConstants(arity), inputs, recorded);
      const all = new Uint8Array(k.allocations * 32);
      k.hash(frVector(inputs), all);
      assert.equal(k.allocations, recorded.length, `arity ${arity}: allocations`);
      recorded.forEach((v, i) => assert.equal(frFromBytes(all, i * 32), v, `arity ${arity}: value ${i}`));
      assert.equal(frFromBytes(all, all.length - 32), h, 'the result last');
    }
  }
  const k = poseidonKernel(2);
  const bad = frVector([1n, 2n]);
  bad.fill(0xff, 32); // above r
  assert.throws(() => k.hash(bad, new Uint8Array(32)), /poseidon input 1 is not reduced modulo r/);
  assert.throws(() => k.hash(frVector([1n]), new Uint8Array(32)), /arity 2 given 32 bytes/);
  assert.throws(() => k.hash(frVector([1n, 2n]), new Uint8Array(64)), /neither the hash \(32\) nor its 311/);
});

/** The textbook permutation with the plain round constants and MDS matrix. */
function referencePermutation(arity: number, inputs: readonly bigint[]): bigint {
  const c = poseidonConstants(arity);
  let state = [c.domainTag, ...inputs];
  const rounds = c.fullRounds + c.partialRounds;
  for (let r = 0; r < rounds; r++) {
    state = state.map((x, i) => (x + c.roundConstants[r * c.width + i]!) % P);
    const full = r < c.halfFullRounds || r >= c.halfFullRounds + c.partialRounds;
    state = state.map((x, i) => (full || i === 0 ? (((x * x) % P) ** 2n * x) % P : x));
    state = state.map((_, j) => state.reduce((s, x, i) => s + x * c.mds[i]![j]!, 0n) % P);
  }
  return state[1]!;
}

function randomFr(seed: number): bigint {
  return BigInt('0x' + createHash('sha256').update(`poseidon-test-${seed}`).digest('hex')) % P;
}

test('compressed constants and sparse matrices give the textbook permutation', () => {
  for (const arity of [2, 4, 8, 11]) {
    const inputs = Array.from({ length: arity }, (_, i) => randomFr(arity * 100 + i));
    assert.equal(poseidonHash(inputs), referencePermutation(arity, inputs), `arity ${arity}`);
  }
});

test('circuit: output equals the native hash, constraints satisfied, neptune constraint counts', () => {
  const expected: Record<number, number> = { 2: 311, 4: 377, 8: 505, 11: 598 };
  for (const arity of [2, 4, 8, 11]) {
    const cs = new SynthesisCs();
    const values = Array.from({ length: arity }, (_, i) => randomFr(arity * 1000 + i));
    const preimage = values.map((v) => allocNum(cs, v));
    const out = poseidonHashCircuit(cs, preimage);
    assert.equal(out.value, poseidonHash(values));
    assert.equal(cs.value(out.v), out.value);
    assert.equal(cs.numConstraints, expected[arity]);
    assert.equal(cs.numAux - arity, expected[arity]);
    assert.equal(cs.firstUnsatisfied(), -1);
  }
  // A preimage of inputs, out of order and repeated, still merges into a satisfied system.
  const cs = new SynthesisCs();
  const a = allocInputNum(cs, 5n);
  const b = allocNum(cs, 7n);
  const out = poseidonHashCircuit(cs, [b, a, b, a]);
  assert.equal(out.value, poseidonHash([7n, 5n, 7n, 5n]));
  assert.equal(cs.firstUnsatisfied(), -1);
});

// ----- oracle namespaces

const job = parseCommit2Input(readFileSync(new URL('c2input.json', FIXTURE), 'utf8'));
const proof = job.partitions[0]![0]!;
const o2k = oracle(new URL('digest.json', FIXTURE));
const commCIndex = o2k.before('comm_c').aux;
const commRLastIndex = o2k.before('comm_r_last').aux;
const commC = proof.replica_column_proofs.c_x.inclusion_proof.root;
const commRLast = proof.comm_r_last_proof.root;

test('oracle 2KiB: H_comm_c_comm_r_last, whole and per round', () => {
  const path = 'H_comm_c_comm_r_last';
  const fixed = new Map([
    [commRLastIndex, commRLast],
    [commCIndex, commC],
  ]);
  const { cs, at } = positioned(o2k, path, fixed, 2);
  cs.push(path);
  poseidonHashCircuit(cs, [at(commCIndex), at(commRLastIndex)]);
  cs.pop();
  const ours = digestCircuit(cs).namespaces.filter((n) => n.path.startsWith(path));
  const theirs = o2k.namespaces.filter((n) => n.path.startsWith(path));
  assert.equal(ours.length, theirs.length);
  ours.forEach((n, i) => assert.deepEqual({ ...n }, { ...theirs[i]! }, n.path));
  assert.equal(cs.firstUnsatisfied(), -1);
});

test('oracle 2KiB: parent column allocation and hash (drg and exp parents of challenge 0)', () => {
  const parents = [
    ...proof.replica_column_proofs.drg_parents.map((p, i) => ['drg_parent', i, p] as const),
    ...proof.replica_column_proofs.exp_parents.map((p, i) => ['exp_parent', i, p] as const),
  ];
  for (const [prefix, i, parent] of parents) {
    const numPath = `challenge_0/${prefix}_${i}_num`;
    const { cs } = positioned(o2k, numPath, new Map());
    const { hash } = cs.ns('challenge_0', () => allocAndHashParentColumn(cs, prefix, i, parent.column.rows));
    assert.equal(hash.value, hashSingleColumnNative(parent.column.rows));
    const digests = digestCircuit(cs).namespaces;
    for (const path of [numPath, `challenge_0/${prefix}_${i}_constraint`]) {
      const ours = digests.find((n) => n.path === path)!;
      assert.deepEqual({ ...ours }, { ...o2k.get(path) }, path);
    }
    assert.equal(cs.firstUnsatisfied(), -1);
  }
});

test('oracle 2KiB: c_x_column_hash over the labels', () => {
  // The labels are the last allocations of labeling_1 and labeling_2.
  const labelIndex = (layer: number): number =>
    o2k.before(`challenge_0/labeling_${layer}`).aux + o2k.get(`challenge_0/labeling_${layer}`).aux - 1;
  const rows = proof.replica_column_proofs.c_x.column.rows;
  const fixed = new Map(rows.map((r, i) => [labelIndex(i + 1), r]));
  const { cs, at } = positioned(o2k, 'challenge_0/c_x_column_hash', fixed);
  const out = checkNamespace(o2k, cs, 'challenge_0/c_x_column_hash', () =>
    hashSingleColumn(
      cs,
      rows.map((_, i) => at(labelIndex(i + 1))),
    ),
  );
  assert.equal(out.value, hashSingleColumnNative(rows));
});
