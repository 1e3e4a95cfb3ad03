/**
 * The word-level SHA-256 compression of a witness-only synthesis (sha256-witness.ts) against the bit-level
 * gadgets it stands for (sha256.ts over boolean.ts, which a namespace log keeps in use): the same witness
 * variable for variable, the same constraint count, the digest node:crypto's; on messages with every mix
 * of allocated, negated and constant bits, and on whole partitions.
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
  boolValue,
  isConst,
  isNot,
  not,
  sha256Ch,
  sha256Maj,
} from '../../src/circuit/boolean.ts';
import { chBit, majBit } from '../../src/circuit/sha256-witness.ts';
import { SynthesisCs } from '../../src/circuit/synthesis-cs.ts';
import { sha256 } from '../../src/circuit/sha256.ts';
import { synthesizePartition } from '../../src/circuit/stacked.ts';
import { parseCommit2Input } from '../../src/porep/commit2-input.ts';
import { bitsToBytes } from '../support/bits.ts';

/** A witness-only system on the word-level path (no namespace log) or on the bit-level one (a log). */
const witnessOnly = (bitLevel: boolean): SynthesisCs =>
  new SynthesisCs({ witnessOnly: true, maxDepth: bitLevel ? 1 : 0, auxCapacity: 64 });

type BitKind = 'allocated' | 'negated' | 'constant';

/** The message's bits, MSB of each byte first, each bit made as `kind(i)` says. */
function messageBits(cs: SynthesisCs, data: Uint8Array, kind: (i: number) => BitKind): Bool[] {
  const bits: Bool[] = [];
  for (const [j, byte] of data.entries())
    for (let k = 7; k >= 0; k--) {
      const b = (byte >> k) & 1;
      const how = kind(8 * j + 7 - k);
      // a negated variable holds the opposite value, so the Boolean's value is still b
      bits.push(
        how === 'constant'
          ? b
            ? TRUE
            : FALSE
          : how === 'negated'
            ? not(allocBit(cs, b ^ 1))
            : allocBit(cs, b),
      );
    }
  return bits;
}

function sameWitness(a: SynthesisCs, b: SynthesisCs, what: string): void {
  assert.equal(a.numConstraints, b.numConstraints, `${what}: constraints`);
  assert.deepEqual(a.witness(), b.witness(), `${what}: witness`);
  assert.deepEqual(a.inputs, b.inputs, `${what}: inputs`);
}

function data(n: number, seed: string): Buffer {
  const s = createHash('sha256').update(seed).digest();
  return Buffer.from(Array.from({ length: n }, (_, i) => s[i % 32]! ^ (i * 13)));
}

const kinds: Record<string, (i: number) => BitKind> = {
  allocated: () => 'allocated',
  negated: () => 'negated',
  constant: () => 'constant',
  // every mix within one word, and words of each kind
  mixed: (i) => (['allocated', 'negated', 'constant'] as const)[(i * 7 + (i >> 5)) % 3]!,
  'constant words': (i) => ((i >> 5) % 3 === 1 ? 'constant' : 'allocated'),
  // create_label's shape: constants where the layer index and padding are
  label: (i) => (i >= 256 && i < 512 ? 'constant' : 'allocated'),
};

test('word-level SHA-256 allocates what the bit-level gadgets do, and digests as node:crypto', () => {
  for (const [name, kind] of Object.entries(kinds)) {
    for (const n of [0, 3, 55, 56, 64, 119, 128, 200]) {
      const msg = data(n, `${name} ${n}`);
      const [fast, slow] = [false, true].map((bitLevel) => {
        const cs = witnessOnly(bitLevel);
        const digest = sha256(cs, messageBits(cs, msg, kind));
        return { cs, digest };
      });
      const what = `${name}, ${n} bytes`;
      sameWitness(fast!.cs, slow!.cs, what);
      const expected = createHash('sha256').update(msg).digest();
      assert.deepEqual(bitsToBytes(fast!.cs, fast!.digest), expected, `${what}: digest`);
      assert.deepEqual(bitsToBytes(slow!.cs, slow!.digest), expected, `${what}: bit-level digest`);
    }
  }
});

test('a digest from the word-level path feeds later gadgets as real variables', () => {
  // the digest of one hash as the message of the next: its bits must be the variables holding the sum
  const [fast, slow] = [false, true].map((bitLevel) => {
    const cs = witnessOnly(bitLevel);
    const first = sha256(cs, messageBits(cs, data(64, 'chain'), kinds.mixed!));
    const second = sha256(cs, [...first, ...first.map(not)]);
    return { cs, second };
  });
  sameWitness(fast!.cs, slow!.cs, 'chained');
  const first = createHash('sha256').update(data(64, 'chain')).digest();
  const inverted = Buffer.from(first.map((b) => b ^ 0xff));
  assert.deepEqual(
    bitsToBytes(fast!.cs, fast!.second),
    createHash('sha256')
      .update(Buffer.concat([first, inverted]))
      .digest(),
  );
});

test('whole partitions: the word-level witness is the bit-level one, variable for variable', () => {
  for (const fixture of ['2kib/v1_1-t01000-s1', '8mib/v1_1-t01000-s1', 'shape/8-8-2-t01000-s1']) {
    const job = parseCommit2Input(
      readFileSync(new URL(`../fixtures/${fixture}/c2input.json`, import.meta.url), 'utf8'),
    );
    const [fast, slow] = [false, true].map((bitLevel) => {
      const cs = witnessOnly(bitLevel);
      synthesizePartition(cs, job, job.partitions.length - 1);
      return cs;
    });
    sameWitness(fast!, slow!, fixture);
  }
});

test('ch and maj on one bit fold and allocate as boolean.ts does, for every kind of each operand', () => {
  // false, true, a variable holding 0 or 1, and either negated
  const kinds = ['false', 'true', 'var 0', 'var 1', 'not var 0', 'not var 1'] as const;
  for (const [name, bitLevel, wordLevel] of [
    ['ch', sha256Ch, chBit],
    ['maj', sha256Maj, majBit],
  ] as const)
    for (const ka of kinds)
      for (const kb of kinds)
        for (const kc of kinds) {
          const [fast, slow] = [false, true].map(() => witnessOnly(true));
          const operand = (k: (typeof kinds)[number]): [number, Bool] => {
            if (k === 'false') return [2, FALSE];
            if (k === 'true') return [3, TRUE];
            const held = Number(k.endsWith('1'));
            fast!.allocBit(held);
            const b = allocBit(slow!, held);
            return k.startsWith('not') ? [(held ^ 1) | 4, not(b)] : [held, b];
          };
          const [ta, ba] = operand(ka);
          const [tb, bb] = operand(kb);
          const [tc, bc] = operand(kc);
          fast!.skip(slow!.numConstraints - fast!.numConstraints); // the operands' own
          const t = wordLevel(fast!, ta, tb, tc);
          const r = bitLevel(slow!, ba, bb, bc);
          const what = `${name}(${ka}, ${kb}, ${kc})`;
          assert.deepEqual(
            [t & 1, (t >> 1) & 1, (t >> 2) & 1],
            [boolValue(slow!, r), Number(isConst(r)), Number(isNot(r))],
            `${what}: value, constant, negated`,
          );
          sameWitness(fast!, slow!, what);
        }
});
