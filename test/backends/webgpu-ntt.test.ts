/**
 * The WebGPU NTT (shaders/ntt.wgsl) against the CPU backend's, byte for byte: forward and inverse on
 * random vectors and edge cases (all zero, all r-1, a single one), sizes 2^0..2^12, inverse after forward is
 * the identity, and the refusals (non-canonical input, not a power of two).
 *
 * On llvmpipe (Mesa 22.3, LP_NUM_THREADS=1) the whole file takes about 1.5 s: a 2^12 transform about 5 ms,
 * 2^16 about 0.12 s (bench/webgpu.ts); the CPU comparison keeps the sizes at 2^12.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WebgpuNtt } from '../../src/backends/webgpu/ntt.ts';
import { FIELD_LAYOUTS } from '../../src/backends/webgpu/shaders.ts';
import { FR_MODULUS, frRandom } from '../../src/shared/fr.ts';
import { frVector } from '../../src/shared/fr-vector.ts';
import { nativeBackend } from '../support/backend-helpers.ts';
import { testGpu } from '../support/webgpu.ts';

const { gpu, why } = await testGpu();
const native = await nativeBackend();
const skip = why ?? (native ? false : 'native CPU backend not built');
const ntt = gpu ? await WebgpuNtt.create(gpu) : undefined;

function random(n: number): Uint8Array {
  return frVector(Array.from({ length: n }, () => frRandom()));
}

async function sameAsCpu(v: Uint8Array, direction: 'forward' | 'inverse', what: string): Promise<void> {
  const want = v.slice();
  await native!.ntt(want, direction);
  const got = v.slice();
  await ntt!.ntt(got, direction);
  assert.deepEqual(got, want, `${what} ${direction}`);
}

test('forward and inverse equal the CPU backend on random vectors, 2^0..2^12', { skip }, async () => {
  for (let log = 0; log <= 12; log++) {
    const v = random(2 ** log);
    await sameAsCpu(v, 'forward', `random 2^${log}`);
    await sameAsCpu(v, 'inverse', `random 2^${log}`);
  }
});

test('edge vectors: zero, r-1 everywhere, a single one, a single r-1', { skip }, async () => {
  for (const n of [2, 8, 256]) {
    const one = new Array<bigint>(n).fill(0n);
    one[1] = 1n;
    const last = new Array<bigint>(n).fill(0n);
    last[n - 1] = FR_MODULUS - 1n;
    for (const [name, vals] of [
      ['zero', new Array<bigint>(n).fill(0n)],
      ['r-1', new Array<bigint>(n).fill(FR_MODULUS - 1n)],
      ['one', one],
      ['last', last],
    ] as const) {
      await sameAsCpu(frVector(vals), 'forward', `${name} ${n}`);
      await sameAsCpu(frVector(vals), 'inverse', `${name} ${n}`);
    }
  }
});

test('inverse after forward is the identity', { skip }, async () => {
  for (const n of [2, 64, 4096]) {
    const v = random(n);
    const w = v.slice();
    await ntt!.ntt(w, 'forward');
    assert.notDeepEqual(w, v);
    await ntt!.ntt(w, 'inverse');
    assert.deepEqual(w, v);
  }
});

test('a vector at an odd byte offset is transformed in place', { skip }, async () => {
  const v = random(16);
  const backing = new Uint8Array(v.length + 1);
  backing.set(v, 1);
  const view = backing.subarray(1);
  await ntt!.ntt(view, 'forward');
  const want = v.slice();
  await native!.ntt(want, 'forward');
  assert.deepEqual(view, want);
});

test(
  'refuses a non-canonical scalar, a size not a power of two, a ragged byte length',
  { skip },
  async () => {
    const bad = random(8);
    bad.set(new Uint8Array(32).fill(0xff), 5 * 32);
    await assert.rejects(ntt!.ntt(bad, 'forward'), /scalar 5 is not reduced/);
    const exact = random(4);
    // r itself, one above the largest canonical value
    for (let i = 0; i < 32; i++) exact[2 * 32 + i] = Number((FR_MODULUS >> BigInt(8 * i)) & 0xffn);
    await assert.rejects(ntt!.ntt(exact, 'forward'), /scalar 2 is not reduced/);
    await assert.rejects(ntt!.ntt(random(3), 'forward'), /not a power of two/);
    await assert.rejects(ntt!.ntt(new Uint8Array(33), 'forward'), /not a multiple of 32/);
    const empty = new Uint8Array(0);
    await ntt!.ntt(empty, 'forward');
  },
);

test('the part size comes from the device; above it transforms are split, up to its square', { skip }, () => {
  const part = ntt!.partSize;
  assert.ok(part >= 2 ** 16, `part ${part}`);
  assert.ok(part * 32 <= gpu!.limits.maxStorageBufferBindingSize);
  assert.equal(ntt!.maxSize(), Math.min(2 ** 32, part * part));
});

// The split forms at sizes llvmpipe runs in milliseconds: parts of 8 elements (or 2, 4), so that every
// kind of stage runs (within a part, across parts, across all of them) and vectors of 2 to 8 parts.
const small = gpu ? await WebgpuNtt.create(gpu, { partElements: 8 }) : undefined;

test(
  'split over buffers: forward and inverse equal the CPU, 2^4..2^6 in parts of 8, the square of parts of 2 and 4',
  { skip },
  async () => {
    assert.equal(small!.partSize, 8);
    for (let log = 4; log <= 6; log++) {
      const v = random(2 ** log);
      for (const direction of ['forward', 'inverse'] as const) {
        const want = v.slice();
        await native!.ntt(want, direction);
        const got = v.slice();
        await small!.ntt(got, direction);
        assert.deepEqual(got, want, `2^${log} ${direction}`);
      }
    }
    for (const partElements of [2, 4]) {
      const tiny = await WebgpuNtt.create(gpu!, { partElements });
      const v = random(partElements * partElements);
      const want = v.slice();
      await native!.ntt(want, 'forward');
      const got = v.slice();
      await tiny.ntt(got, 'forward');
      assert.deepEqual(got, want, `${partElements}^2 in parts of ${partElements}`);
    }
    await assert.rejects(small!.ntt(random(128), 'forward'), /2\^7 exceeds 64 elements/);
    await assert.rejects(WebgpuNtt.create(gpu!, { partElements: 6 }), /power of two/);
  },
);

test('split over buffers: the quotient equals the CPU, padding across parts included', { skip }, async () => {
  for (const n of [9, 40, 64]) {
    const [a, b, c] = [0, 1, 2].map(() => random(n)) as [Uint8Array, Uint8Array, Uint8Array];
    const want = await native!.quotient(a, b, c);
    const got = await small!.quotient(a, b, c);
    assert.deepEqual(got, want, `n ${n}`);
  }
});

test(
  'the quotient equals the CPU backend: sizes 0..4096 with padding, random and edge values',
  { skip },
  async () => {
    const cases: [string, number, () => bigint][] = [];
    for (const n of [0, 1, 2, 3, 5, 8, 100, 1024, 4096]) cases.push([`random ${n}`, n, frRandom]);
    cases.push(['zero', 16, () => 0n], ['r-1', 16, () => FR_MODULUS - 1n], ['one', 7, () => 1n]);
    for (const [what, n, gen] of cases) {
      const [a, b, c] = [0, 1, 2].map(() => frVector(Array.from({ length: n }, gen))) as [
        Uint8Array,
        Uint8Array,
        Uint8Array,
      ];
      const want = await native!.quotient(a, b, c);
      const got = await ntt!.quotient(a, b, c);
      assert.equal(got.length, want.length, what);
      assert.deepEqual(got, want, what);
    }
  },
);

test('the quotient refuses unequal lengths and a non-canonical scalar', { skip }, async () => {
  const v = random(4);
  await assert.rejects(ntt!.quotient(v, v, random(3)), /differ in length/);
  const bad = random(4);
  bad.set(new Uint8Array(32).fill(0xff), 3 * 32);
  await assert.rejects(ntt!.quotient(v, bad, v), /quotient b: scalar 3 is not reduced/);
});

test(
  'in the other Fr layouts (limb13, word32) the transforms and the quotient equal the CPU, split or not',
  { skip },
  async () => {
    for (const layout of FIELD_LAYOUTS.filter((l) => l !== 'limb16')) {
      for (const [what, options] of [
        ['whole', {}],
        ['parts of 8', { partElements: 8 }],
      ] as const) {
        const other = await WebgpuNtt.create(gpu!, { ...options, layout });
        for (const log of [3, 6]) {
          const v = random(2 ** log);
          for (const direction of ['forward', 'inverse'] as const) {
            const want = v.slice();
            await native!.ntt(want, direction);
            const got = v.slice();
            await other.ntt(got, direction);
            assert.deepEqual(got, want, `${layout} ${what} 2^${log} ${direction}`);
          }
        }
        const [a, b, c] = [0, 1, 2].map(() => random(40)) as [Uint8Array, Uint8Array, Uint8Array];
        assert.deepEqual(await other.quotient(a, b, c), await native!.quotient(a, b, c), `${layout} ${what}`);
      }
    }
  },
);
