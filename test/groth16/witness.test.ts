/**
 * The compact witness: bits in a bitset, other values 32 bytes, read back exactly (by the constraint system
 * during synthesis and by the prover's expansion), across word boundaries and at the field's edges.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AUX } from '../../src/circuit/lc.ts';
import { frVector } from '../../src/shared/fr-vector.ts';
import { SynthesisCs } from '../../src/circuit/synthesis-cs.ts';
import { FR_MODULUS, frFromBytes, frToBytes } from '../../src/shared/fr.ts';
import {
  compactWitness,
  expandWitness,
  expandWitnessAsync,
  joinWitnesses,
  witnessBytes,
} from '../../src/groth16/witness.ts';
import { nativeBackend } from '../support/backend-helpers.ts';

const native = await nativeBackend();

/** A deterministic mix: mostly bits, some small and large values, runs that cross 32-variable words. */
function values(n: number): bigint[] {
  const out: bigint[] = [];
  let x = 0x9e3779b97f4a7c15n;
  for (let i = 0; i < n; i++) {
    x = (x * 6364136223846793005n + 1442695040888963407n) & ((1n << 64n) - 1n);
    const r = Number(x >> 56n);
    if (i % 97 === 31) out.push(FR_MODULUS - 1n);
    else if (r < 200) out.push(BigInt(r & 1));
    else if (r < 230) out.push(BigInt(r));
    else out.push(((x << 190n) | x) % FR_MODULUS);
  }
  return out;
}

test('values allocated into the constraint system read back exactly, and expand to 32 bytes each', () => {
  const vs = values(1000);
  const cs = new SynthesisCs({ auxCapacity: 8 }); // grows several times
  const ids = vs.map((v, i) => (i % 5 === 0 && v <= 1n ? cs.allocBit(v === 1n) : cs.alloc(v)));
  ids.forEach((id, i) => {
    assert.equal(id, AUX + i);
    assert.equal(cs.value(id), vs[i], `value of ${i}`);
    if (vs[i]! <= 1n) assert.equal(cs.bitValue(id), Number(vs[i]));
  });
  const w = cs.witness();
  assert.equal(w.count, vs.length);
  const full = vs.filter((v) => v > 1n).length;
  assert.equal(w.values.length, full * 32);
  assert.equal(witnessBytes(w), w.full.byteLength + w.bits.byteLength + full * 32);
  const expanded = expandWitness(w);
  vs.forEach((v, i) => assert.equal(frFromBytes(expanded, i * 32), v));
  assert.deepEqual(compactWitness(expanded), w, 'compacting the expansion gives the same witness back');
});

test(
  "the addon's expansion on every core equals the JS one, across its work items and at ragged ends",
  { skip: !native && 'native CPU backend not built' },
  async () => {
    // 2^15 variables a work item: 70001 take three, the last ragged
    for (const n of [0, 1, 31, 33, 1000, 70001]) {
      const w = compactWitness(Buffer.concat(values(n).map((v) => frToBytes(v))));
      const out = new Uint8Array(n * 32).fill(0xee); // every byte written, zeros included
      assert.equal(
        Buffer.from(await expandWitnessAsync(w, out)).equals(Buffer.from(expandWitness(w))),
        true,
        `${n}`,
      );
    }
    const w = compactWitness(Buffer.concat([5n, 0n, 7n].map((v) => frToBytes(v))));
    await assert.rejects(
      expandWitnessAsync({ ...w, values: w.values.subarray(0, 32) }),
      /1 values for 2 full/,
    );
    await assert.rejects(
      expandWitnessAsync({ ...w, full: w.full.subarray(0, 0) }),
      /3 variables take 1 words, not 0/,
    );
    await assert.rejects(expandWitnessAsync(w, new Uint8Array(64)), /64 bytes for 3/);
  },
);

test("values allocated from little-endian bytes (a native kernel's output) are the witness BigInts would make", () => {
  const vs = values(1000);
  const bytes = new Uint8Array(8 + vs.length * 32); // at an offset, as a kernel's output is read
  vs.forEach((v, i) => frToBytes(v, bytes, 8 + i * 32));
  const fromBytes = new SynthesisCs({ auxCapacity: 8 });
  const fromBigints = new SynthesisCs({ auxCapacity: 8 });
  vs.forEach((v, i) => {
    assert.equal(fromBytes.allocLe(bytes, 8 + i * 32), fromBigints.alloc(v));
    if (v <= 1n) assert.equal(fromBytes.bitValue(AUX + i), Number(v), 'a 0 or 1 goes to the bitset');
  });
  assert.deepEqual(fromBytes.witness(), fromBigints.witness());

  // in runs, as a Poseidon gadget's values go in: runs of full values only, and runs with a 0 or 1
  const runs = new SynthesisCs({ auxCapacity: 8 });
  const reference = new SynthesisCs({ auxCapacity: 8 });
  const large = vs.filter((v) => v > 1n);
  for (const run of [large.slice(0, 40), vs.slice(0, 77), large.slice(40, 41), vs.slice(100, 400)]) {
    const at = runs.allocLeRun(frVector(run), run.length);
    const ids = run.map((v) => reference.alloc(v));
    assert.equal(at, ids[0]);
  }
  assert.deepEqual(runs.witness(), reference.witness());
});

test('values are reduced into the field before they are classified', () => {
  const cs = new SynthesisCs();
  const a = cs.alloc(FR_MODULUS + 1n);
  const b = cs.alloc(-1n);
  assert.equal(cs.value(a), 1n);
  assert.equal(cs.value(b), FR_MODULUS - 1n);
  assert.equal(cs.witness().values.length, 32, 'only -1 takes 32 bytes');
});

test('a compact witness with too few values is refused on expansion', () => {
  const vs = [5n, 0n, 7n].map((v) => frToBytes(v));
  const w = compactWitness(Buffer.concat(vs));
  assert.throws(() => expandWitness({ ...w, values: w.values.subarray(0, 32) }), /1 values for 2/);
});

test('witnesses synthesized in slices join into the one witness, whatever the offsets', () => {
  const vs = values(3000);
  const whole = compactWitness(Buffer.concat(vs.map((v) => frToBytes(v))));
  const compact = (xs: bigint[]) => compactWitness(Buffer.concat(xs.map((v) => frToBytes(v))));
  // every slice repeats a prefix the join drops; cuts at word edges, inside words, 1 and 0 variables long
  for (const prefix of [0, 1, 31, 32, 45, 64]) {
    for (const cuts of [[1000], [prefix + 1, 700, 701, 2048], [333, 1400, 1401, 2999]]) {
      const bounds = [prefix, ...cuts.filter((c) => c >= prefix), vs.length];
      const parts = bounds.slice(1).map((end, i) => {
        const from = bounds[i]!;
        return i === 0
          ? { witness: compact(vs.slice(0, end)), from: 0 }
          : { witness: compact([...vs.slice(0, prefix), ...vs.slice(from, end)]), from: prefix };
      });
      assert.deepEqual(joinWitnesses(parts), whole, `prefix ${prefix}, cuts ${cuts.join(',')}`);
    }
  }
  assert.throws(() => joinWitnesses([{ witness: whole, from: whole.count + 1 }]), /from 3001 of 3000/);
});
