/**
 * The labeling, challenge and encoding parts of the stacked circuit, synthesized in isolation from a 2KiB
 * fixture's vanilla proof and compared with the oracle's per-namespace statistics: constraint and aux counts
 * and the SHA-256 of the aux values allocated inside (which does not depend on variable indices).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { Bool } from '../../src/circuit/boolean.ts';
import { createLabelCircuit } from '../../src/circuit/create-label.ts';
import { SynthesisCs } from '../../src/circuit/synthesis-cs.ts';
import { encode } from '../../src/circuit/encode.ts';
import { type AllocatedNum, allocNum, reverseBitNumbering, toBitsLe } from '../../src/circuit/num.ts';
import { UInt64 } from '../../src/circuit/uint64.ts';
import { parseCommit2Input } from '../../src/porep/commit2-input.ts';

const DIR = new URL('../fixtures/2kib/v1_1-t01000-s1/', import.meta.url);

interface Stats {
  constraints: number;
  aux: number;
  aux_sha256: string;
}

/** Runs `fn` in namespace `name` and returns the statistics the oracle records for that namespace. */
function measure<T>(cs: SynthesisCs, name: string, fn: () => T): [T, Stats] {
  const c0 = cs.numConstraints;
  const a0 = cs.numAux;
  const r = cs.ns(name, fn);
  const aux = cs.auxValues().subarray(a0 * 32, cs.numAux * 32);
  return [
    r,
    {
      constraints: cs.numConstraints - c0,
      aux: cs.numAux - a0,
      aux_sha256: createHash('sha256').update(aux).digest('hex'),
    },
  ];
}

test('labeling, challenge and encode_node match the oracle (2KiB, challenge 0)', () => {
  const job = parseCommit2Input(readFileSync(new URL('c2input.json', DIR), 'utf8'));
  const digest = JSON.parse(readFileSync(new URL('digest.json', DIR), 'utf8')) as {
    partitions: { namespaces: (Stats & { path: string })[] }[];
  };
  const oracle = new Map(digest.partitions[0]!.namespaces.map((n) => [n.path, n]));
  const expect = (path: string, got: Stats): void => {
    const want = oracle.get(path);
    assert.ok(want, `oracle has ${path}`);
    assert.deepEqual(
      got,
      { constraints: want.constraints, aux: want.aux, aux_sha256: want.aux_sha256 },
      path,
    );
  };

  const proof = job.partitions[0]![0]!;
  const cs = new SynthesisCs();
  // Inputs allocated outside the measured namespaces, as the stacked circuit has them by then.
  const replicaId = allocNum(cs, job.phase1.replica_id);
  const replicaIdBits = reverseBitNumbering(toBitsLe(cs, replicaId));
  const columns = (list: typeof proof.replica_column_proofs.drg_parents): AllocatedNum[][] =>
    list.map((p) => p.column.rows.map((v) => allocNum(cs, v)));
  const drg = columns(proof.replica_column_proofs.drg_parents);
  const exp = columns(proof.replica_column_proofs.exp_parents);
  const dataLeaf = allocNum(cs, proof.comm_d_proofs.leaf);

  const [challenge, challengeStats] = measure(cs, 'challenge', () =>
    UInt64.alloc(cs, proof.labeling_proofs[0]!.node),
  );
  expect('challenge_0/challenge', challengeStats);

  const layers = drg[0]!.length;
  assert.equal(layers, 2);
  const labels: AllocatedNum[] = [];
  for (let layer = 1; layer <= layers; layer++) {
    const start = cs.numConstraints;
    const [label, stats] = measure(cs, `labeling_${layer}`, () => {
      // params.rs Proof::synthesize: parent labels as bits, then the 37-parent expansion.
      const parents: Bool[][] = [];
      const bits = (name: string, num: AllocatedNum): Bool[] =>
        reverseBitNumbering(cs.ns(name, () => toBitsLe(cs, num)));
      for (const col of drg) parents.push(bits(`drg_parent_${parents.length}_bits`, col[layer - 1]!));
      if (layer > 1)
        for (const col of exp) parents.push(bits(`exp_parent_${parents.length}_bits`, col[layer - 2]!));
      const expanded =
        layer > 1
          ? [...parents, ...parents, ...parents.slice(0, 9)]
          : [...parents, ...parents, ...parents, ...parents, ...parents, ...parents, parents[0]!];
      return cs.ns('create_label', () => createLabelCircuit(cs, replicaIdBits, expanded, layer, challenge));
    });
    expect(`challenge_0/labeling_${layer}`, stats);
    if (layer === 1) assert.equal(cs.firstUnsatisfied(start), -1);
    labels.push(label);
  }
  // The labels are the column the vanilla proof opens at the challenge (c_x rows).
  assert.deepEqual(
    labels.map((l) => l.value),
    proof.replica_column_proofs.c_x.column.rows,
  );

  const [encoded, encodeStats] = measure(cs, 'encode_node', () => encode(cs, labels[layers - 1]!, dataLeaf));
  expect('challenge_0/encode_node', encodeStats);
  assert.equal(encoded.value, proof.comm_r_last_proof.leaf);
});
