/**
 * The witness's code (native/src/witness_code.rs: 0/1 values as bits, the rest as they are) and its
 * expansion on the GPU (shaders/witness.wgsl): every value read back equal to the witness, for witnesses
 * of every kind (all 0, all 1, all general, PoRep-like mixes) cut into parts of sizes that do and do not
 * line up with the code's groups of 32; and non-canonical values named.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readBuffers } from '../../src/backends/webgpu/device.ts';
import { WebgpuWitness, decodeAt, witnessCode } from '../../src/backends/webgpu/witness.ts';
import { FR_MODULUS, frToBytes } from '../../src/shared/fr.ts';
import { frVector } from '../../src/shared/fr-vector.ts';
import { Rng, SEED, hex, mixedScalars, nativeBackend } from '../support/backend-helpers.ts';
import { testGpu } from '../support/webgpu.ts';

const native = await nativeBackend();
const noAddon = !native ? 'native CPU backend not built' : false;

/** A witness of n values: `kind` of them general (random, r - 1, 2), the rest 0 and 1. */
function witness(label: string, n: number, general: number): bigint[] {
  const rng = new Rng(label);
  const mixed = mixedScalars(rng, n);
  return Array.from({ length: n }, (_, i) =>
    rng.int(1000) < general * 1000 ? mixed[i]! : BigInt(rng.int(2)),
  );
}

const KINDS: [string, number, (i: number) => bigint][] = [
  ['all 0', 70, () => 0n],
  ['all 1', 70, () => 1n],
  ['all general', 97, (i) => FR_MODULUS - 1n - BigInt(i)],
];

describe('the witness code on the host', { skip: noAddon }, () => {
  for (const [name, values] of [
    ...KINDS.map(([k, n, f]) => [k, Array.from({ length: n }, (_, i) => f(i))] as const),
    ['PoRep-like, 2% general', witness('code-porep', 1000, 0.02)],
    ['half general', witness('code-half', 333, 0.5)],
  ] as const) {
    test(`${name}: every value read back`, async () => {
      const inputs = frVector(values.slice(0, 3));
      const aux = frVector(values.slice(3));
      const code = await witnessCode(inputs, aux, 'test');
      assert.equal(code.vars, values.length);
      assert.equal(code.groups.length, 3 * Math.ceil(values.length / 32));
      const general = values.filter((v) => v > 1n).length;
      assert.equal(code.values.length, 8 * general, 'only the general values kept whole');
      values.forEach((v, i) =>
        assert.equal(hex(decodeAt(code, i)), hex(frToBytes(v)), `value ${i}, seed ${SEED}`),
      );
    });
  }

  test('a value not below r is named, in inputs or aux; a ragged length is refused', async () => {
    // r itself, little-endian (frToBytes would reduce it)
    const r = Uint8Array.from({ length: 32 }, (_, k) => Number((FR_MODULUS >> BigInt(8 * k)) & 0xffn));
    const bad = (n: number, at: number) => {
      const v = frVector(Array.from({ length: n }, () => 1n));
      v.set(r, at * 32);
      return v;
    };
    await assert.rejects(
      witnessCode(bad(2, 1), frVector([0n]), 'q'),
      /^RangeError: q inputs: scalar 1 is not reduced modulo r$/,
    );
    await assert.rejects(
      witnessCode(frVector([1n]), bad(40000, 39999), 'q'),
      /q aux: scalar 39999 is not reduced modulo r/,
    );
    await assert.rejects(
      witnessCode(frVector([1n]), new Uint8Array(33), 'q'),
      /q aux: 33 bytes is not a whole number of scalars/,
    );
  });
});

const { gpu, why } = await testGpu();

describe('the witness expanded on the GPU', { skip: why ?? noAddon }, () => {
  for (const per of [1, 5, 32, 33, 64, 100, 4096]) {
    test(`parts of ${per} variables: the witness read back as it was`, async () => {
      const expand = await WebgpuWitness.create(gpu!);
      for (const [name, values] of [
        ...KINDS.map(([k, n, f]) => [k, Array.from({ length: n }, (_, i) => f(i))] as const),
        ['PoRep-like', witness(`expand-${per}`, 700, 0.05)],
        ['one input', [1n]],
      ] as const) {
        const inputs = frVector(values.slice(0, Math.min(2, values.length)));
        const aux = frVector(values.slice(inputs.length / 32));
        const parts = await expand.parts(await witnessCode(inputs, aux, 'test'), per);
        assert.equal(parts.length, Math.ceil(values.length / per), name);
        const got = await readBuffers(
          gpu!.device,
          parts.map((buffer, k) => ({ buffer, size: Math.min(per, values.length - k * per) * 32 })),
        );
        for (const p of parts) p.destroy();
        assert.equal(hex(got), hex(frVector(values)), `${name}, seed ${SEED}`);
      }
    });
  }
});
