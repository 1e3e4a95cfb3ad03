/**
 * The addon reads synthesis's compact witness as it is (native/src/scalars.rs): every kernel that takes
 * one gives what it gives for the same values as 32-byte scalars. The CPU MSM and quotientR1cs, the GPU
 * backends' split (msmSplit), the GPU witness code (witnessCode), and where the addon has CUDA code a
 * streamed table's kept scalars (cudaKept); on witnesses of
 * 0, 1, r - 1 and random values, with full values that are 0 or 1 (a compact witness may hold them),
 * density maps, counts that are not whole words and ones that cross the walks' blocks (2^14) and the
 * witness's rank chunks (2^15); inputs of several lengths put the aux at every offset in the code's
 * groups. Broken layouts and unreduced values are errors naming them.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FR_BYTES, FR_MODULUS } from '../../src/shared/fr.ts';
import { frValues, frVector } from '../../src/shared/fr-vector.ts';
import { type CompactWitness, witnessWords } from '../../src/shared/compact-witness.ts';
import { expandWitness } from '../../src/groth16/witness.ts';
import { cudaAddon, cudaInfo } from '../../src/backends/cuda/addon.ts';
import { Rng, SEED, hex, nativeBackend, randomPoints } from '../support/backend-helpers.ts';
import { randomR1cs } from '../support/random-r1cs.ts';

const native = await nativeBackend();
const addon = native ? (await import('../../src/backends/cpu/index.ts')).loadAddon() : undefined;
const cuda = addon && cudaInfo().compiled ? cudaAddon() : undefined;

/** values as a compact witness; the indices in `full` are full even where they hold 0 or 1. */
function compactOf(values: bigint[], full = new Set<number>()): CompactWitness {
  const words = witnessWords(values.length);
  const w: CompactWitness = {
    count: values.length,
    full: new Uint32Array(words),
    bits: new Uint32Array(words),
    values: new Uint8Array(0),
  };
  const kept: bigint[] = [];
  values.forEach((v, j) => {
    if (v > 1n || full.has(j)) {
      w.full[j >>> 5]! |= 1 << (j & 31);
      kept.push(v);
    } else if (v === 1n) w.bits[j >>> 5]! |= 1 << (j & 31);
  });
  w.values = frVector(kept);
  return w;
}

/** PoRep-like values (mostly 0 and 1, some r - 1 and random) and a few 0/1 among the full ones. */
function witness(label: string, n: number): { values: bigint[]; compact: CompactWitness } {
  const rng = new Rng(label);
  const values = Array.from({ length: n }, () => {
    const k = rng.int(40);
    return k < 18 ? 0n : k < 36 ? 1n : k === 36 ? FR_MODULUS - 1n : rng.fr();
  });
  const full = new Set(Array.from({ length: Math.ceil(n / 50) }, () => rng.int(n)));
  return { values, compact: compactOf(values, full) };
}

/** A split's first word: 1 where the scalars are read as they are (dense), 0 for lists. */
function form(split: Uint8Array): number {
  return split[0]! | (split[1]! << 8);
}

// 1, 33 and 70,001 variables: within a word, across words, across blocks and rank chunks
const SIZES = [1, 33, 70_001];

describe(
  `the compact witness read as it is (seed ${SEED})`,
  { skip: !native && 'native CPU backend not built' },
  () => {
    test('its expansion is the witness (the reference every other check leans on)', () => {
      for (const n of SIZES) {
        const { values, compact } = witness(`compact-expand-${n}`, n);
        assert.equal(hex(expandWitness(compact)), hex(frVector(values)), `n ${n}`);
      }
    });

    test('CPU MSM, G1 and G2, with and without a density map, equals the MSM of its 32-byte scalars', async () => {
      for (const [group, n] of [
        ['g1', 70_001],
        ['g2', 300],
      ] as const) {
        const rng = new Rng(`compact-msm-${group}`);
        const table = native!.newTable(group, n + 3);
        await native!.appendPoints(table, await randomPoints(native!, group, rng, n + 3), false);
        const { values, compact } = witness(`compact-msm-${group}-w`, n);
        const density = Uint8Array.from({ length: n }, () => rng.int(3) && 1);
        for (const [start, d] of [
          [0, undefined],
          [3, density],
        ] as const) {
          const want = await native!.msm(table, start, frVector(values), d);
          const got = await native!.msm(table, start, compact, d);
          assert.equal(hex(got), hex(want), `${group} n ${n} start ${start} density ${!!d}`);
        }
        native!.freeTable(table);
      }
    });

    test('CPU quotientR1cs reads it as it is and equals the quotient of its 32-byte witness', async () => {
      const { r1cs, inputs, aux } = randomR1cs('compact-quotient', 300, 3, 211);
      const values = frValues(aux);
      const want = await native!.quotientR1cs(r1cs, inputs, aux);
      const got = await native!.quotientR1cs(r1cs, inputs, compactOf(values, new Set([0, 5, 64])));
      assert.equal(hex(got), hex(want));
      // a PoRep-like witness of 70,001 aux: its full values found by rank across words and chunks
      const big = randomR1cs('compact-quotient-big', 3000, 3, 70_001);
      const w = witness('compact-quotient-big-w', 70_001);
      assert.equal(
        hex(await native!.quotientR1cs(big.r1cs, big.inputs, w.compact)),
        hex(await native!.quotientR1cs(big.r1cs, big.inputs, frVector(w.values))),
      );
    });

    test('the GPU witness code is the same from either form, wherever the inputs put the aux', async () => {
      for (const n of SIZES)
        for (const ni of [1, 5, 32, 40]) {
          const { values, compact } = witness(`compact-code-${n}`, n);
          const inputs = frVector([1n, ...new Rng(`inputs-${ni}`).frs(ni - 1)]);
          const want = await addon!.witnessCode(inputs, frVector(values));
          const got = await addon!.witnessCode(inputs, compact);
          assert.equal(hex(got), hex(want), `n ${n} inputs ${ni}`);
        }
    });

    test("the GPU backends' split is the same from either form; a compact witness is never the dense form", async () => {
      for (const n of SIZES) {
        const rng = new Rng(`compact-split-${n}`);
        const { values, compact } = witness(`compact-split-${n}-w`, n);
        const density = Uint8Array.from({ length: n }, () => rng.int(3) && 1);
        for (const d of [undefined, density]) {
          const want = await addon!.msmSplit(frVector(values), d);
          const got = await addon!.msmSplit(compact, d);
          assert.equal(form(got), 0, 'a compact witness goes into the bitmap and lists');
          // where the bytes are read as they are (few 0/1, no map) the compact form has lists instead
          if (form(want) === 0) assert.equal(hex(got), hex(want), `n ${n} density ${!!d}`);
        }
      }
      // all general: the bytes are read as they are, the compact form goes into lists
      const general = new Rng('compact-split-general').frs(70).map((x) => x || 2n);
      assert.equal(form(await addon!.msmSplit(frVector(general))), 1);
      assert.equal(form(await addon!.msmSplit(compactOf(general))), 0);
    });

    test(
      'a streamed CUDA table reads the kept scalars alike from either form',
      { skip: !cuda && 'addon built without CUDA' },
      async () => {
        for (const n of SIZES) {
          const rng = new Rng(`compact-kept-${n}`);
          const { values, compact } = witness(`compact-kept-${n}-w`, n);
          const density = Uint8Array.from({ length: n }, () => rng.int(3) && 1);
          for (const d of [undefined, density]) {
            const want = frVector(values.filter((_, i) => !d || d[i]));
            assert.equal(
              hex(await cuda!.cudaKept(frVector(values), d)),
              hex(want),
              `n ${n} density ${!!d}, bytes`,
            );
            assert.equal(hex(await cuda!.cudaKept(compact, d)), hex(want), `n ${n} density ${!!d}, compact`);
          }
        }
      },
    );

    test('a broken layout or an unreduced full value is an error naming it', async () => {
      const { compact } = witness('compact-bad', 100);
      const table = native!.newTable('g1', 100);
      await native!.appendPoints(
        table,
        await randomPoints(native!, 'g1', new Rng('compact-bad-p'), 100),
        false,
      );
      const short = { ...compact, values: compact.values.subarray(FR_BYTES) };
      const missing = /compact witness: \d+ values for \d+ full variables/;
      await assert.rejects(native!.msm(table, 0, short), missing);
      await assert.rejects(addon!.msmSplit(short), missing);
      await assert.rejects(addon!.witnessCode(frVector([1n]), short), missing);
      await assert.rejects(
        native!.msm(table, 0, { ...compact, full: compact.full.subarray(1) }),
        /compact witness: 100 variables take 4 words, not 3 and 4/,
      );
      // the first full variable's value made 2^255 + its value: past r, its top bit set
      let j = 0;
      while (!((compact.full[j >>> 5]! >>> (j & 31)) & 1)) j++;
      const bad = { ...compact, values: compact.values.slice() };
      bad.values[FR_BYTES - 1]! |= 0x80;
      await assert.rejects(native!.msm(table, 0, bad), new RegExp(`scalar ${j} is not reduced`));
      await assert.rejects(addon!.msmSplit(bad), new RegExp(`scalar ${j} is not reduced`));
      await assert.rejects(
        addon!.witnessCode(frVector([1n]), bad),
        new RegExp(`aux: scalar ${j} is not reduced`),
      );
      const small = randomR1cs('compact-bad-r1cs', 10, 1, 100);
      await assert.rejects(
        native!.quotientR1cs(small.r1cs, small.inputs, bad),
        new RegExp(`aux: scalar ${j} is not reduced`),
      );
      await assert.rejects(native!.quotientR1cs(small.r1cs, small.inputs, short), missing);
      native!.freeTable(table);
    });
  },
);
