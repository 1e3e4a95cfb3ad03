/**
 * The SHA-256 gadget stack (Boolean, UInt32, MultiEq, sha256, filecoin-hashers' Sha256Function circuits):
 * digests equal node:crypto's, constraints are satisfied, counts equal bellperson's own tests, and the
 * comm_d Merkle path hashing of a 2KiB fixture allocates exactly what the oracle records.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  type Bool,
  FALSE,
  TRUE,
  allocBit,
  and,
  boolValue,
  enforceEqual,
  not,
  sha256Ch,
  sha256Maj,
  xor,
} from '../../src/circuit/boolean.ts';
import { SynthesisCs } from '../../src/circuit/synthesis-cs.ts';
import { P } from '../../src/circuit/lc.ts';
import { MultiEq } from '../../src/circuit/multieq.ts';
import { allocNum } from '../../src/circuit/num.ts';
import { sha256, sha256BlockNoPadding } from '../../src/circuit/sha256.ts';
import { sha256Hash2Circuit, sha256HashMultiLeafCircuit } from '../../src/circuit/sha256-hasher.ts';
import { UInt32 } from '../../src/circuit/uint32.ts';
import { UInt64 } from '../../src/circuit/uint64.ts';
import { frToBytes } from '../../src/shared/fr.ts';
import { sha256Fr } from '../../src/shared/sha256.ts';
import { parseCommit2Input } from '../../src/porep/commit2-input.ts';
import { bitsToBytes } from '../support/bits.ts';

function bytesToBits(cs: SynthesisCs, data: Uint8Array, allocate: boolean): Bool[] {
  const bits: Bool[] = [];
  for (const byte of data) {
    for (let k = 7; k >= 0; k--) {
      const b = (byte >> k) & 1;
      bits.push(allocate ? allocBit(cs, b) : b);
    }
  }
  return bits;
}

function message(n: number): Buffer {
  const seed = createHash('sha256').update(`message ${n}`).digest();
  return Buffer.from(Array.from({ length: n }, (_, i) => seed[i % 32]! ^ (i * 7)));
}

test('sha256 gadget equals node:crypto for allocated messages, constraints satisfied', () => {
  for (const n of [0, 1, 55, 56, 64, 100, 128]) {
    const data = message(n);
    const cs = new SynthesisCs();
    const out = sha256(cs, bytesToBits(cs, data, true));
    assert.equal(out.length, 256);
    assert.deepEqual(bitsToBytes(cs, out), createHash('sha256').update(data).digest(), `${n} bytes`);
    assert.equal(cs.firstUnsatisfied(), -1, `${n} bytes`);
  }
});

test('sha256 of constant bits folds to constants with no constraints', () => {
  const data = message(70);
  const cs = new SynthesisCs();
  const out = sha256(cs, bytesToBits(cs, data, false));
  assert.equal(cs.numConstraints, 0);
  assert.equal(cs.numAux, 0);
  assert.ok(out.every((b) => b < 2));
  assert.deepEqual(bitsToBytes(cs, out), createHash('sha256').update(data).digest());
});

test('constraint counts equal bellperson sha256 tests (full block 25840, full hash 44874)', () => {
  const data = message(64);
  let cs = new SynthesisCs();
  let bits = bytesToBits(cs, data, true);
  sha256BlockNoPadding(cs, bits);
  assert.equal(cs.numConstraints - 512, 25840);
  assert.equal(cs.firstUnsatisfied(), -1);

  cs = new SynthesisCs();
  bits = bytesToBits(cs, data, true);
  sha256(cs, bits);
  assert.equal(cs.numConstraints - 512, 44874);
});

test('Boolean ops over constants, Is and Not bits: values and satisfaction', () => {
  const cs = new SynthesisCs();
  const kinds = (v: number): Bool[] => [v, allocBit(cs, v), not(allocBit(cs, v ^ 1))];
  for (let x = 0; x < 8; x++) {
    const [av, bv, cv] = [x & 1, (x >> 1) & 1, (x >> 2) & 1];
    for (const a of kinds(av)) {
      for (const b of kinds(bv)) {
        assert.equal(boolValue(cs, xor(cs, a, b)), av ^ bv);
        assert.equal(boolValue(cs, and(cs, a, b)), av & bv);
        for (const c of kinds(cv)) {
          assert.equal(boolValue(cs, sha256Ch(cs, a, b, c)), (av & bv) ^ ((av ^ 1) & cv));
          assert.equal(boolValue(cs, sha256Maj(cs, a, b, c)), (av & bv) ^ (av & cv) ^ (bv & cv));
        }
      }
      enforceEqual(cs, a, av ? TRUE : FALSE);
    }
  }
  assert.equal(cs.firstUnsatisfied(), -1);
});

test('UInt32 addmany: constants fold, allocated sums carry into extra bits', () => {
  const cs = new SynthesisCs();
  const meq = new MultiEq(cs);
  const k = UInt32.addmany(cs, meq, [UInt32.constant(0xffffffff), UInt32.constant(5)]);
  assert.equal(k.value, 4);
  assert.equal(cs.numAux, 0);
  const vals = [0xdeadbeef, 0xffffffff, 0x80000001, 0x12345678, 0xfedcba98];
  const ops = vals.map((v, i) => (i % 2 ? UInt32.alloc(cs, v) : UInt32.constant(v)));
  const before = cs.numAux;
  const r = UInt32.addmany(cs, meq, ops);
  assert.equal(cs.numAux - before, 35); // bit length of 5 * (2^32 - 1)
  assert.equal(r.value, vals.reduce((s, v) => s + v, 0) % 2 ** 32);
  assert.equal(UInt32.fromBits(cs, [...r.bits]).value, r.value);
  meq.finish();
  assert.equal(cs.firstUnsatisfied(), -1);

  const u = UInt64.alloc(cs, 0x123456789abcn);
  assert.equal(UInt64.fromBitsBe(cs, u.toBitsBe()).value, 0x123456789abcn);
});

/** Sha256Function::hash2 natively: SHA-256 of both LE reprs, top 2 bits cleared. */
function nativeHash2(a: bigint, b: bigint): bigint {
  return sha256Fr([frToBytes(a), frToBytes(b)]);
}

test('sha256Hash2Circuit equals the native hasher (trim to 254 bits)', () => {
  const cs = new SynthesisCs();
  const a = allocNum(cs, P - 1n);
  const b = allocNum(cs, 0x0123456789abcdefn);
  const h = sha256Hash2Circuit(cs, a, b);
  assert.equal(h.value, nativeHash2(a.value, b.value));
  assert.equal(cs.value(h.v), h.value);
  assert.equal(cs.firstUnsatisfied(), -1);
});

// Per-level stats of challenge_0/comm_d_inclusion/base/merkle tree hash {i}/computation of commitment hash,
// from `c2-reference digest test/fixtures/2kib/v1_1-t01000-s1/c2input.json --depth 5`.
const COMMITMENT_HASH_AUX_SHA256 = [
  '9c1ee2ad997c226be8052a33288e166def39e59a1be28033037270a0d4e77fe9',
  'c7351509c026bac2d7880a892ab0f2a2bdb702e3f7fed9fa2c6894299b095b86',
  '2ea12e02143e3e7d826fc92fee82f60f81c1b2a0527cce1ed672615a091e4273',
  'f57fb96210d1a5f9571c0e2d39ec901ad9740873f44b95639cecefd0cdb948e4',
  '4e6bcf5fe9eac9a4f5fa1fc474ad063e3f7c45f8d50147c0d8106164a70414c1',
  '5ffc20c3c99c87d69a442ce9a163503657596af2a8ae0039504b6310adddc740',
];

test('comm_d path hashing (hash_multi_leaf_circuit) matches the oracle level by level (2KiB)', () => {
  const dir = new URL('../fixtures/2kib/v1_1-t01000-s1/', import.meta.url);
  const job = parseCommit2Input(readFileSync(new URL('c2input.json', dir), 'utf8'));
  const proof = job.partitions[0]![0]!.comm_d_proofs;
  assert.equal(proof.base.length, COMMITMENT_HASH_AUX_SHA256.length);
  const cs = new SynthesisCs();
  let cur = allocNum(cs, proof.leaf);
  proof.base.forEach((element, i) => {
    const sibling = allocNum(cs, element.hashes[0]!);
    // insert_2: the index bit says whether the current node is the right child.
    const leaves = element.index === 1 ? [sibling, cur] : [cur, sibling];
    const c0 = cs.numConstraints;
    const a0 = cs.numAux;
    cur = cs.ns('computation of commitment hash', () => sha256HashMultiLeafCircuit(cs, leaves, i));
    assert.equal(cs.numConstraints - c0, 45379, `level ${i} constraints`);
    assert.equal(cs.numAux - a0, 45331, `level ${i} aux`);
    const aux = cs.auxValues().subarray(a0 * 32, cs.numAux * 32);
    assert.equal(createHash('sha256').update(aux).digest('hex'), COMMITMENT_HASH_AUX_SHA256[i], `level ${i}`);
    assert.equal(cur.value, nativeHash2(leaves[0]!.value, leaves[1]!.value));
  });
  assert.equal(cur.value, proof.root);
  assert.equal(cur.value, job.phase1.comm_d);
});
