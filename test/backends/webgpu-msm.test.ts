/**
 * The WebGPU G1 MSM (src/backends/webgpu/g1-msm.ts) against the native CPU backend, on llvmpipe where there
 * is no GPU: random bases and mixed scalars (0, 1, 2, r - 1, small, random) at sizes that are not powers of
 * two, identity, repeated and opposite bases, one scalar repeated (one bucket), density maps, start offsets,
 * and tables split over buffers of 7 points (the split size lowered so that MSMs cross it).
 *
 * Sizes are kept to at most ~100 scalars: llvmpipe adds about 10^4 points a second on two cores, so these
 * take seconds each; the compile of the seven kernels is most of this file's time on a cold Mesa cache
 * (about 5 s a point kernel).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { G1Msm, type G1Table } from '../../src/backends/webgpu/g1-msm.ts';
import type { PointTable } from '../../src/backends/backend.ts';
import { FR_MODULUS } from '../../src/shared/fr.ts';
import { frVector } from '../../src/shared/fr-vector.ts';
import {
  G1,
  Rng,
  SEED,
  concat,
  hex,
  identity,
  nativeBackend,
  randomPoints,
} from '../support/backend-helpers.ts';
import { testGpu } from '../support/webgpu.ts';

const native = await nativeBackend();
const { gpu, why } = await testGpu();
const skip = why ?? (!native ? 'native CPU backend not built' : false);

function mixedScalars(rng: Rng, n: number): bigint[] {
  return Array.from({ length: n }, (_, i) => {
    switch (i % 7) {
      case 0:
        return 0n;
      case 1:
        return 1n;
      case 2:
        return FR_MODULUS - 1n;
      case 3:
        return 2n;
      case 4:
        return BigInt(rng.int(1000));
      default:
        return rng.fr();
    }
  });
}

async function tables(msm: G1Msm, points: Uint8Array): Promise<[G1Table, PointTable]> {
  const n = points.length / 96;
  const tg = msm.newTable(n);
  const tn = native!.newTable('g1', n);
  // appended in two pieces, so that an append starts inside a buffer
  const cut = 96 * Math.floor(n / 3);
  await msm.appendPoints(tg, points.subarray(0, cut), true);
  await msm.appendPoints(tg, points.subarray(cut), false);
  await native!.appendPoints(tn, points, true);
  return [tg, tn];
}

async function same(
  msm: G1Msm,
  [tg, tn]: [G1Table, PointTable],
  start: number,
  scalars: bigint[],
  density?: Uint8Array,
): Promise<void> {
  const s = frVector(scalars);
  const want = await native!.msm(tn, start, s, density);
  const got = await msm.msm(tg, start, s, density);
  assert.equal(hex(got), hex(want), `msm of ${scalars.length} scalars from ${start} (seed ${SEED})`);
}

describe('WebGPU G1 MSM vs the CPU backend', { skip }, () => {
  for (const bufferPoints of [undefined, 7]) {
    const label = bufferPoints ? `table split every ${bufferPoints} points` : 'one buffer';
    test(`${label}: sizes 0, 1, 2, 33, 100 with mixed scalars, offsets`, async () => {
      const msm = await G1Msm.create(gpu!, { bufferPoints });
      const rng = new Rng(`webgpu-msm-sizes-${label}`);
      const pts = await randomPoints(native!, 'g1', rng, 100);
      const t = await tables(msm, pts);
      for (const n of [0, 1, 2, 33, 100]) await same(msm, t, 0, mixedScalars(rng, n));
      await same(msm, t, 0, rng.frs(40));
      await same(msm, t, 60, rng.frs(40));
      await same(msm, t, 99, [rng.fr()]);
      assert.equal(hex(await msm.msm(t[0], 0, new Uint8Array())), hex(identity('g1')));
      msm.freeTable(t[0]);
    });
  }

  test('identity, repeated and opposite bases; one scalar everywhere; density maps', async () => {
    const msm = await G1Msm.create(gpu!, { bufferPoints: 16 });
    const rng = new Rng('webgpu-msm-edge');
    const P = G1.BASE.multiply(rng.fr());
    const Q = G1.BASE.multiply(rng.fr());
    const count = 40;
    const list = [];
    for (let i = 0; i < count; i++) {
      const k = i % 5;
      list.push(
        k === 0
          ? identity('g1')
          : k === 1 || k === 2
            ? P.toBytes(false)
            : k === 3
              ? P.negate().toBytes(false)
              : Q.toBytes(false),
      );
    }
    const t = await tables(msm, concat(list));
    await same(msm, t, 0, Array(count).fill(1n)); // the 0/1 tree: P + P, P + -P, identities
    await same(msm, t, 0, Array(count).fill(FR_MODULUS - 1n));
    await same(msm, t, 0, Array(count).fill(rng.fr())); // every point in the same buckets
    await same(msm, t, 0, mixedScalars(rng, count));
    await same(msm, t, 1, [1n, 1n]); // P + P
    await same(msm, t, 2, [1n, 1n]); // P + -P
    await same(msm, t, 1, [3n, 3n]); // 3P + 3P through Pippenger
    await same(msm, t, 0, [5n]); // identity base
    // density: one byte a scalar, the bases of the set ones consecutive
    const n = 54; // 36 set bytes
    const density = Uint8Array.from({ length: n }, (_, i) => (i % 3 === 1 ? 0 : 1));
    await same(msm, t, 0, mixedScalars(rng, n), density);
    await same(msm, t, 3, rng.frs(n), density);
    await same(msm, t, 0, rng.frs(n), new Uint8Array(n));
    await assert.rejects(msm.msm(t[0], 30, frVector(rng.frs(11))), RangeError);
    msm.freeTable(t[0]);
  });

  test('appendPoints validates when asked', async () => {
    const msm = await G1Msm.create(gpu!);
    const t = msm.newTable(2);
    const bad = G1.BASE.toBytes(false);
    bad[95]! ^= 1;
    await assert.rejects(msm.appendPoints(t, bad, true));
    await assert.rejects(msm.appendPoints(t, new Uint8Array(95), false), RangeError);
    msm.freeTable(t);
  });
});
