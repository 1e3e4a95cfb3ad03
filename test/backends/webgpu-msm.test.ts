/**
 * The WebGPU G1 and G2 MSM (src/backends/webgpu/msm.ts) against the native CPU backend, on llvmpipe where
 * there is no GPU: random bases and mixed scalars (0, 1, 2, r - 1, small, random) at sizes that are not
 * powers of two, identity, repeated and opposite bases, one scalar repeated (one bucket), density maps,
 * start offsets, tables split over buffers of 7 points (the split size lowered so that MSMs cross it), and
 * bucket sums chunked small (so that skewed buckets are summed over several levels), window sums in small
 * segments (lo * R + T each), and a streamed table (kept on the host, put on the GPU by each MSM; what a
 * table the GPU has no memory for becomes). The GPU scan behind the bucket offsets and the chunk starts is
 * checked on its own at sizes that take one, two and three levels of blocks.
 *
 * Sizes are kept to at most 100 scalars (G1) and 40 (G2): llvmpipe adds about 10^4 G1 points a second on
 * two cores, G2 about a third of that, so these take seconds each. Compiling the six kernels of a group
 * is most of this file's time on a cold Mesa cache: 5-10 s a slot-form point kernel, a minute or more a
 * registers-form one (the G1 registers test takes about 5.5 minutes cold on two cores).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { openGpu } from '../../src/backends/webgpu/device.ts';
import { CurveMsm, type GpuTable } from '../../src/backends/webgpu/msm.ts';
import type { PointFqLayout } from '../../src/backends/webgpu/point-form.ts';
import type { Group, PointTable } from '../../src/backends/backend.ts';
import { FR_MODULUS } from '../../src/shared/fr.ts';
import { frVector } from '../../src/shared/fr-vector.ts';
import { compactWitness } from '../../src/groth16/witness.ts';
import {
  G1,
  G2,
  Rng,
  SEED,
  concat,
  hex,
  identity,
  nativeBackend,
  randomPoints,
  mixedScalars,
} from '../support/backend-helpers.ts';
import { testGpu } from '../support/webgpu.ts';
import { loadAddon } from '../../src/backends/cpu/index.ts';

const native = await nativeBackend();
const { gpu, why } = await testGpu();
const skip = why ?? (!native ? 'native CPU backend not built' : false);

async function tables(msm: CurveMsm, points: Uint8Array): Promise<[GpuTable, PointTable]> {
  const size = msm.group === 'g1' ? 96 : 192;
  const n = points.length / size;
  const tg = msm.newTable(n);
  const tn = native!.newTable(msm.group, n);
  // appended in two pieces, so that an append starts inside a buffer
  const cut = size * Math.floor(n / 3);
  await msm.appendPoints(tg, points.subarray(0, cut), true);
  await msm.appendPoints(tg, points.subarray(cut), false);
  await native!.appendPoints(tn, points, true);
  return [tg, tn];
}

async function same(
  msm: CurveMsm,
  [tg, tn]: [GpuTable, PointTable],
  start: number,
  scalars: bigint[],
  density?: Uint8Array,
  forms: 'bytes' | 'bytes and compact' = 'bytes',
): Promise<void> {
  const s = frVector(scalars);
  const want = await native!.msm(tn, start, s, density);
  const got = await msm.msm(tg, start, s, density);
  const what = `${msm.group} msm of ${scalars.length} scalars from ${start} (seed ${SEED})`;
  assert.equal(hex(got), hex(want), what);
  // the compact witness synthesis hands over, split as it is (never the dense form)
  if (forms === 'bytes and compact')
    assert.equal(hex(await msm.msm(tg, start, compactWitness(s), density)), hex(want), `${what}, compact`);
}

describe('WebGPU MSM vs the CPU backend', { skip }, () => {
  for (const group of ['g1', 'g2'] as Group[]) {
    const big = group === 'g1' ? 100 : 40;
    for (const bufferPoints of [undefined, 7]) {
      // with the table split, chunks of 3 points and window segments of 3 buckets: bucket sums over
      // several levels of sum_partials, window sums as lo * R + T over segments; Pippenger batches of 5
      // scalars, each submitted before the next
      const label = bufferPoints
        ? `table split every ${bufferPoints} points, chunks and segments of 3, batches of 5`
        : 'one buffer';
      test(`${group}, ${label}: sizes 0, 1, 2, 33, ${big} with mixed scalars, offsets`, async () => {
        const msm = await CurveMsm.create(
          gpu!,
          group,
          bufferPoints ? { bufferPoints, chunk: 3, segment: 3, batch: 5 } : {},
        );
        const rng = new Rng(`webgpu-msm-sizes-${group}-${label}`);
        const pts = await randomPoints(native!, group, rng, big);
        const t = await tables(msm, pts);
        for (const n of [0, 1, 2, 33, big])
          await same(msm, t, 0, mixedScalars(rng, n), undefined, 'bytes and compact');
        await same(msm, t, 0, rng.frs(20));
        await same(msm, t, big - 20, rng.frs(20));
        await same(msm, t, big - 1, [rng.fr()]);
        assert.equal(hex(await msm.msm(t[0], 0, new Uint8Array())), hex(identity(group)));
        msm.freeTable(t[0]);
      });
    }

    test(`${group}, streamed: identity, repeated and opposite bases; one scalar everywhere; density maps`, async () => {
      // chunks of 2: the buckets that one scalar everywhere fills, and the 0/1 sum, go several levels up;
      // window segments of 5 buckets; the table streamed (host words put on the GPU by each MSM)
      const msm = await CurveMsm.create(gpu!, group, {
        bufferPoints: 16,
        chunk: 2,
        segment: 5,
        stream: true,
      });
      const rng = new Rng(`webgpu-msm-edge-${group}`);
      const G = group === 'g1' ? G1 : G2;
      const P = G.BASE.multiply(rng.fr());
      const Q = G.BASE.multiply(rng.fr());
      const count = 40;
      const list = [];
      for (let i = 0; i < count; i++) {
        const k = i % 5;
        list.push(
          k === 0
            ? identity(group)
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
      await same(msm, t, 0, mixedScalars(rng, n), density, 'bytes and compact');
      await same(msm, t, 3, rng.frs(n), density);
      await same(msm, t, 0, rng.frs(n), new Uint8Array(n));
      await assert.rejects(msm.msm(t[0], 30, frVector(rng.frs(11))), RangeError);
      const high = frVector([1n, 2n]);
      high[63] = 0x80;
      await assert.rejects(msm.msm(t[0], 0, high), /msm: scalar 1 is not reduced modulo r/);
      msm.freeTable(t[0]);
    });

    // llvmpipe silently ends a thread's loop past 65535 inner iterations (~200 G1, ~50 G2 additions):
    // defaults that would pass it gave wrong sums, so the per-thread work is capped there
    test(`${group}: more 1s and buckets than one llvmpipe thread may add, default sizes`, async () => {
      const msm = await CurveMsm.create(gpu!, group);
      const rng = new Rng(`webgpu-msm-limit-${group}`);
      const n = group === 'g1' ? 250 : 70;
      const t = await tables(msm, await randomPoints(native!, group, rng, n));
      await same(msm, t, 0, Array(n).fill(1n));
      await same(msm, t, 0, rng.frs(group === 'g1' ? 120 : 60));
      msm.freeTable(t[0]);
    });

    test(`${group}: appendPoints validates when asked`, async () => {
      const msm = await CurveMsm.create(gpu!, group);
      const t = msm.newTable(2);
      const bad = (group === 'g1' ? G1 : G2).BASE.toBytes(false);
      bad[bad.length - 1]! ^= 1;
      await assert.rejects(msm.appendPoints(t, bad, true));
      await assert.rejects(msm.appendPoints(t, new Uint8Array(95), false), RangeError);
      msm.freeTable(t);
    });
  }

  // The registers form (straight-line formulas over locals, what a GPU runs): each of its point kernels
  // takes llvmpipe a minute or more to compile on two cores, so CI runs G1 on word32 Fq (the GPU's
  // default); G2 and limb16 run on a GPU (bench/device/run.sh) and with C2_HEAVY=1.
  const forms: [Group, PointFqLayout][] = [['g1', 'word32']];
  if (process.env.C2_HEAVY === '1' || gpu?.software === false)
    forms.push(['g2', 'word32'], ['g1', 'limb16'], ['g2', 'limb16']);
  for (const [group, fq] of forms) {
    test(`${group}, registers form on ${fq} Fq: mixed and edge scalars, split table, chunks and segments of 3`, async () => {
      const msm = await CurveMsm.create(gpu!, group, {
        bufferPoints: 7,
        chunk: 3,
        segment: 3,
        points: { form: 'registers', fq },
      });
      const rng = new Rng(`webgpu-msm-registers-${group}-${fq}`);
      const G = group === 'g1' ? G1 : G2;
      const P = G.BASE.multiply(rng.fr());
      const n = group === 'g1' ? 40 : 20;
      // identity, repeated and opposite bases among random ones
      const special = [identity(group), P.toBytes(false), P.toBytes(false), P.negate().toBytes(false)];
      const t = await tables(msm, concat([...special, await randomPoints(native!, group, rng, n - 4)]));
      await same(msm, t, 0, mixedScalars(rng, n));
      await same(msm, t, 0, Array(n).fill(1n)); // the 0/1 sum: P + P, P + -P, identities
      await same(msm, t, 0, Array(n).fill(rng.fr())); // every point in the same buckets
      await same(msm, t, 1, [3n, 3n, 3n]); // 3P + 3P - 3P through Pippenger
      await same(msm, t, 5, rng.frs(n - 5));
      const density = Uint8Array.from({ length: n }, (_, i) => (i % 3 === 1 ? 0 : 1));
      await same(msm, t, 0, mixedScalars(rng, n), density);
      msm.freeTable(t[0]);
    });
  }

  test('tuned: other window widths, chunks and segments over the same kernels give the same sums', async () => {
    const msm = await CurveMsm.create(gpu!, 'g1');
    const rng = new Rng('webgpu-msm-tuned');
    const t = await tables(msm, await randomPoints(native!, 'g1', rng, 40));
    const scalars = mixedScalars(rng, 40);
    for (const [windowBits, chunk, segment] of [
      [2, 2, 1],
      [3, 5, 2],
      [7, 96, 64],
    ] as const)
      await same(msm.tuned({ windowBits, chunk, segment }), t, 0, scalars);
    assert.throws(() => msm.tuned({ windowBits: 17 }), /windowBits must be 2\.\.16/);
    // a dense MSM uploads its scalars as they are: from a SharedArrayBuffer (synthesis workers') too
    const dense = frVector(rng.frs(40));
    const shared = new Uint8Array(new SharedArrayBuffer(dense.length));
    shared.set(dense);
    assert.equal(hex(await msm.msm(t[0], 0, shared)), hex(await native!.msm(t[1], 0, dense)));
    msm.freeTable(t[0]);
  });

  test("B's G1 and G2 MSMs, started together over the same scalars and map, share one split", async () => {
    const [m1, m2] = [await CurveMsm.create(gpu!, 'g1'), await CurveMsm.create(gpu!, 'g2')];
    const rng = new Rng('webgpu-msm-shared-split');
    const n = 30;
    const t1 = await tables(m1, await randomPoints(native!, 'g1', rng, n));
    const t2 = await tables(m2, await randomPoints(native!, 'g2', rng, n));
    const aux = compactWitness(frVector(mixedScalars(rng, n)));
    const density = Uint8Array.from({ length: n }, () => rng.int(3) && 1);
    const kept = density.reduce((a, b) => a + b, 0);
    const addon = loadAddon();
    const split = addon.msmSplit;
    let calls = 0;
    addon.msmSplit = (...args) => (calls++, split(...args));
    try {
      const both = () =>
        Promise.all([m1.msm(t1[0], n - kept, aux, density), m2.msm(t2[0], n - kept, aux, density)]);
      const want = [
        await native!.msm(t1[1], n - kept, aux, density),
        await native!.msm(t2[1], n - kept, aux, density),
      ].map(hex);
      assert.deepEqual((await both()).map(hex), want);
      assert.equal(calls, 1, 'one split for both');
      // once it is done it is not kept: the next pair splits again
      assert.deepEqual((await both()).map(hex), want);
      assert.equal(calls, 2);
    } finally {
      addon.msmSplit = split;
    }
    m1.freeTable(t1[0]);
    m2.freeTable(t2[0]);
  });

  test('the GPU scan: bucket offsets and chunk starts over one, two and three levels of blocks', async () => {
    const msm = await CurveMsm.create(gpu!, 'g1');
    const rng = new Rng('webgpu-msm-scan');
    const exclusive = (v: number[]) => {
      let at = 0;
      return v.map((x) => ((at += x), at - x));
    };
    // one block is 256 values: 257 needs a second level, 70001 a third
    for (const n of [1, 2, 255, 256, 257, 4099, 70001]) {
      const values = Array.from({ length: n }, () => (rng.int(5) === 0 ? 0 : rng.int(4096)));
      assert.deepEqual(Array.from(await msm.scan(Uint32Array.from(values))), exclusive(values), `n ${n}`);
      // run offsets (empty runs among them) into the next level's chunk starts, chunks of 3
      const offsets = exclusive(values.map((v) => v % 10));
      const chunks = offsets.map((o, i) =>
        i + 1 < n ? Math.max(1, Math.ceil((offsets[i + 1]! - o) / 3)) : 0,
      );
      assert.deepEqual(
        Array.from(await msm.scan(Uint32Array.from(offsets), 3)),
        exclusive(chunks),
        `chunks, n ${n}`,
      );
    }
  });

  test('a lost device fails the MSM with the reason', async () => {
    const own = await openGpu({ allowSoftware: true });
    const msm = await CurveMsm.create(own, 'g1');
    const t = msm.newTable(1);
    await msm.appendPoints(t, G1.BASE.toBytes(false), false);
    own.device.destroy();
    await own.device.lost;
    await assert.rejects(msm.msm(t, 0, frVector([3n])), /WebGPU device lost: destroyed/);
  });
});
