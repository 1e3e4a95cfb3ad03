/**
 * Merkle inclusion (PoR) circuits: the insertion gadgets, the 2KiB and 8MiB inclusions of challenge 0 at
 * the oracle's variable indices (so counts, aux values and constraint digests all compare), and the
 * sub/top tree shapes against their vanilla proofs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { allocBit } from '../../src/circuit/boolean.ts';
import { SynthesisCs } from '../../src/circuit/synthesis-cs.ts';
import { allocNum } from '../../src/circuit/num.ts';
import {
  authPathFromProof,
  enforceInclusion,
  insert,
  pathRoot,
  porCircuit,
  poseidonCircuitHasher,
} from '../../src/circuit/por.ts';
import { hashSingleColumnNative } from '../../src/circuit/column-hash.ts';
import { poseidonHash } from '../../src/shared/poseidon.ts';
import { type Commit2Job, type MerkleProof, parseCommit2Input } from '../../src/porep/commit2-input.ts';
import { checkNamespace, oracle, positioned } from '../support/oracle-position.ts';

const FIXTURES = new URL('../fixtures/', import.meta.url);

function load(dir: string): Commit2Job {
  return parseCommit2Input(readFileSync(new URL(`${dir}/c2input.json`, FIXTURES), 'utf8'));
}

test('insert places the element at the index of its bits, for 2, 4, 8 and the general case', () => {
  for (const size of [2, 4, 8, 16]) {
    const bitCount = Math.log2(size);
    for (let index = 0; index < size; index++) {
      const cs = new SynthesisCs();
      const bits = Array.from({ length: bitCount }, (_, j) => allocBit(cs, (index >> j) & 1));
      const x = allocNum(cs, 1000n);
      const elements = Array.from({ length: size - 1 }, (_, j) => allocNum(cs, BigInt(j + 1)));
      const out = insert(cs, x, bits, elements).map((n) => n.value);
      const expected = elements.map((e) => e.value);
      expected.splice(index, 0, 1000n);
      assert.deepEqual(out, expected, `size ${size} index ${index}`);
      assert.equal(cs.firstUnsatisfied(), -1);
    }
  }
});

/** Every inclusion of partition 0 challenge 0 whose namespace the oracle digest lists (depth 2). */
function checkChallengeInclusions(dir: string, withData: boolean): number {
  const job = load(dir);
  const proof = job.partitions[0]![0]!;
  const o = oracle(new URL(`${dir}/digest.json`, FIXTURES));
  const single = (path: string): number => o.before(path).aux; // index of a namespace's first aux
  const last = (path: string): number => o.before(path).aux + o.get(path).aux - 1;
  const columns = proof.replica_column_proofs;
  const cases: {
    path: string;
    kind: 'data' | 'replica';
    proof: MerkleProof;
    leaf: [number, bigint];
    root: [number, bigint];
  }[] = [];
  const commC: [number, bigint] = [single('comm_c'), columns.c_x.inclusion_proof.root];
  for (const [prefix, list] of [
    ['drg_parent', columns.drg_parents],
    ['exp_parent', columns.exp_parents],
  ] as const) {
    list.forEach((p, i) => {
      assert.equal(p.inclusion_proof.leaf, hashSingleColumnNative(p.column.rows));
      cases.push({
        path: `challenge_0/${prefix}_${i}_inclusion`,
        kind: 'replica',
        proof: p.inclusion_proof,
        leaf: [last(`challenge_0/${prefix}_${i}_constraint`), p.inclusion_proof.leaf],
        root: commC,
      });
    });
  }
  cases.push({
    path: 'challenge_0/comm_r_last_data_inclusion',
    kind: 'replica',
    proof: proof.comm_r_last_proof,
    leaf: [single('challenge_0/encode_node'), proof.comm_r_last_proof.leaf],
    root: [single('comm_r_last'), proof.comm_r_last_proof.root],
  });
  cases.push({
    path: 'challenge_0/c_x_inclusion',
    kind: 'replica',
    proof: columns.c_x.inclusion_proof,
    leaf: [last('challenge_0/c_x_column_hash'), columns.c_x.inclusion_proof.leaf],
    root: commC,
  });
  if (withData) {
    cases.push({
      path: 'challenge_0/comm_d_inclusion',
      kind: 'data',
      proof: proof.comm_d_proofs,
      leaf: [single('challenge_0/data_leaf'), proof.comm_d_proofs.leaf],
      root: [single('comm_d'), proof.comm_d_proofs.root],
    });
  }
  for (const c of cases) {
    const { cs, at } = positioned(o, c.path, new Map([c.leaf, c.root]));
    checkNamespace(o, cs, c.path, () =>
      enforceInclusion(cs, c.kind, job.config, c.proof, at(c.root[0]), at(c.leaf[0])),
    );
  }
  return cases.length;
}

test('oracle 2KiB: every inclusion of challenge 0 (comm_d, 14 parent columns, comm_r_last, c_x)', () => {
  assert.equal(checkChallengeInclusions('2kib/v1_1-t01000-s1', true), 17);
});

test('oracle 8MiB: every Poseidon inclusion of challenge 0', () => {
  assert.equal(checkChallengeInclusions('8mib/v1_1-t01000-s1', false), 16);
});

/** Shapes with sub and top trees: the circuit recomputes the vanilla root; one index bit per level. */
for (const shape of ['8-8-0', '8-8-2']) {
  test(`shape ${shape}: Poseidon inclusions over base, sub and top trees`, () => {
    const job = load(`shape/${shape}-t01000-s1`);
    const arities = job.config.tree;
    for (const challenge of job.partitions[0]!) {
      const columns = challenge.replica_column_proofs;
      const proofs = [
        challenge.comm_r_last_proof,
        columns.c_x.inclusion_proof,
        ...columns.drg_parents.map((p) => p.inclusion_proof),
      ];
      for (const p of proofs) {
        const path = authPathFromProof(p, arities);
        assert.equal(path.sub.length, arities.sub ? 1 : 0);
        assert.equal(path.top.length, arities.top ? 1 : 0);
        assert.equal(pathRoot(p.leaf, path, poseidonHash), p.root);
        const cs = new SynthesisCs();
        const root = allocNum(cs, p.root);
        const leaf = allocNum(cs, p.leaf);
        porCircuit(cs, poseidonCircuitHasher, arities, path, leaf, root, true);
        assert.equal(cs.firstUnsatisfied(), -1);
        // One public input: the index bits of every level, little-endian, base first.
        let index = 0n;
        let shift = 0n;
        for (const [elements, arity] of [
          [path.base, arities.base],
          [path.sub, arities.sub],
          [path.top, arities.top],
        ] as const) {
          for (const e of elements) {
            index += BigInt(e.index) << shift;
            shift += BigInt(Math.log2(arity));
          }
        }
        assert.equal(cs.inputs.length, 2);
        assert.equal(cs.inputs[1], index);
        if (p !== proofs[0] && p !== proofs[1]) continue;
        assert.equal(index, BigInt(challenge.labeling_proofs[0]!.node));
      }
    }
  });
}
