/**
 * The native MSM and point tables against the reference: G1 and G2, with and without density maps,
 * edge cases (n = 0 and 1, identity bases, repeated and opposite bases, scalars 0, 1, 2 and r - 1,
 * sizes around blst's thresholds), bit-heavy witnesses, larger sizes against noble's Pippenger, and
 * the validation of appended points.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { pippenger } from '@noble/curves/abstract/curve.js';
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { POINT_BYTES, type FullBackend, type Group, type PointTable } from '../../src/backends/backend.ts';
import { FR_MODULUS } from '../../src/shared/fr.ts';
import { frVector, frValues } from '../../src/shared/fr-vector.ts';
import { decodePoint } from '../support/reference-backend.ts';
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
  reference,
  mixedScalars,
} from '../support/backend-helpers.ts';

const native = await nativeBackend();
const groups: Group[] = ['g1', 'g2'];

async function tables(group: Group, points: Uint8Array): Promise<[PointTable, PointTable]> {
  const n = points.length / POINT_BYTES[group];
  const tn = native!.newTable(group, n);
  const tr = reference.newTable(group, n);
  await native!.appendPoints(tn, points, true);
  await reference.appendPoints(tr, points, false);
  return [tn, tr];
}

async function same(
  tn: PointTable,
  tr: PointTable,
  start: number,
  scalars: bigint[],
  density?: Uint8Array,
): Promise<void> {
  const s = frVector(scalars);
  const want = await reference.msm(tr, start, s, density);
  const got = await native!.msm(tn, start, s, density);
  assert.equal(hex(got), hex(want), `msm of ${scalars.length} scalars from ${start} (seed ${SEED})`);
}

describe('native msm vs reference', { skip: !native }, () => {
  for (const group of groups) {
    test(`${group}: sizes 0, 1, 2, 3, 31, 32, 33, 65 with mixed scalars`, async () => {
      const rng = new Rng(`msm-sizes-${group}`);
      const pts = await randomPoints(native!, group, rng, 65);
      const [tn, tr] = await tables(group, pts);
      for (const n of [0, 1, 2, 3, 31, 32, 33, 65]) await same(tn, tr, 0, mixedScalars(rng, n));
      // all random, and a start offset
      const r = group === 'g1' ? 40 : 12;
      await same(tn, tr, 0, rng.frs(r));
      await same(tn, tr, 65 - r, rng.frs(r));
      await same(tn, tr, 64, [rng.fr()]);
      // n = 0 is the identity
      assert.equal(hex(await native!.msm(tn, 0, new Uint8Array())), hex(identity(group)));
    });

    test(`${group}: identity, repeated and opposite bases`, async () => {
      const rng = new Rng(`msm-edge-${group}`);
      const P = group === 'g1' ? G1.BASE.multiply(rng.fr()) : G2.BASE.multiply(rng.fr());
      const Q = group === 'g1' ? G1.BASE.multiply(rng.fr()) : G2.BASE.multiply(rng.fr());
      const count = group === 'g1' ? 70 : 30;
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
      const [tn, tr] = await tables(group, concat(list));
      await same(tn, tr, 0, Array(count).fill(1n)); // batched affine sum: doublings, P + -P, identities
      await same(tn, tr, 0, Array(count).fill(FR_MODULUS - 1n));
      const k = rng.fr();
      await same(tn, tr, 0, Array(count).fill(k)); // the same bucket over and over
      await same(tn, tr, 0, mixedScalars(rng, count));
      await same(tn, tr, 1, Array(2).fill(1n)); // P + P
      await same(tn, tr, 2, [1n, 1n]); // P + -P
      await same(tn, tr, 0, [5n]); // identity base
    });

    test(`${group}: density maps`, async () => {
      const rng = new Rng(`msm-density-${group}`);
      const n = 90;
      const density = Uint8Array.from({ length: n }, (_, i) => (i % 4 === 1 ? 0 : rng.int(3) === 0 ? 0 : 1));
      const dense = density.reduce((a, b) => a + b, 0);
      const start = 5;
      const pts = await randomPoints(native!, group, rng, start + dense);
      const [tn, tr] = await tables(group, pts);
      await same(tn, tr, start, mixedScalars(rng, n), density);
      await same(tn, tr, start, rng.frs(n), density);
      await same(tn, tr, 0, [rng.fr(), rng.fr(), rng.fr()], Uint8Array.of(0, 1, 0));
      await same(tn, tr, 0, [rng.fr(), rng.fr()], Uint8Array.of(0, 0));
      // density past the end of the table is an error, not a read out of bounds
      await assert.rejects(
        native!.msm(tn, start + 1, frVector(rng.frs(n)), Uint8Array.from(density).fill(1)),
        /table holds/,
      );
      await assert.rejects(native!.msm(tn, 0, frVector([1n, 2n]), Uint8Array.of(1)), /density/);
    });
  }

  test('g1: bit witness (mostly 0/1, a few field elements) at 3000 with density', async () => {
    const rng = new Rng('msm-bits');
    const n = 3000;
    const density = Uint8Array.from({ length: n }, (_, i) => (i % 10 === 3 ? 0 : 1));
    const dense = density.reduce((a, b) => a + b, 0);
    const pts = await randomPoints(native!, 'g1', rng, dense);
    const [tn, tr] = await tables('g1', pts);
    const scalars = Array.from({ length: n }, (_, i) => (i % 97 === 0 ? rng.fr() : BigInt(rng.int(2))));
    await same(tn, tr, 0, scalars, density);
  });

  test('g2: bit witness at 700', async () => {
    const rng = new Rng('msm-bits-g2');
    const n = 700;
    const pts = await randomPoints(native!, 'g2', rng, n);
    const [tn, tr] = await tables('g2', pts);
    await same(
      tn,
      tr,
      0,
      Array.from({ length: n }, (_, i) => (i % 50 === 0 ? rng.fr() : BigInt(rng.int(2)))),
    );
  });

  for (const [group, n] of [
    ['g1', 2100],
    ['g2', 700],
  ] as const) {
    test(`${group}: ${n} random scalars against noble's Pippenger, and split by start`, async () => {
      const rng = new Rng(`msm-large-${group}`);
      const pts = await randomPoints(native!, group, rng, n);
      const t = native!.newTable(group, n);
      await native!.appendPoints(t, pts.subarray(0, 1000 * POINT_BYTES[group]), false);
      await native!.appendPoints(t, pts.subarray(1000 * POINT_BYTES[group]), true);
      assert.equal(t.length, n);
      const s = rng.frs(n);
      const got = await native!.msm(t, 0, frVector(s));
      const P = group === 'g1' ? G1 : G2;
      const size = POINT_BYTES[group];
      const points = Array.from({ length: n }, (_, i) =>
        decodePoint(group, pts.subarray(i * size, (i + 1) * size), false),
      );
      const want = pippenger(P as never, points as never, s) as { toBytes(c: boolean): Uint8Array };
      assert.equal(hex(got), hex(want.toBytes(false)), `seed ${SEED}`);
      // the same sum in two pieces through start
      const cut = 617;
      const a = await native!.msm(t, 0, frVector(s.slice(0, cut)));
      const b = await native!.msm(t, cut, frVector(s.slice(cut)));
      const sum = decodePoint(group, a, false).add(decodePoint(group, b, false) as never);
      assert.equal(hex(sum.toBytes(false)), hex(got));
      native!.freeTable(t);
      assert.equal(t.length, 0);
    });
  }

  for (const group of groups) {
    test(`${group}: our Pippenger and blst's agree (C2_NATIVE_MSM=own, =blst)`, async () => {
      const rng = new Rng(`msm-own-${group}`);
      const n = group === 'g1' ? 1500 : 400;
      const pts = await randomPoints(native!, group, rng, n);
      const size = POINT_BYTES[group];
      // identities, repeats and opposites among the bases
      pts.set(identity(group), 3 * size);
      pts.copyWithin(10 * size, 11 * size, 12 * size);
      const P = decodePoint(group, pts.subarray(20 * size, 21 * size), false);
      pts.set(P.negate().toBytes(false), 21 * size);
      const [tn, tr] = await tables(group, pts);
      const cases = [
        mixedScalars(rng, n),
        Array.from({ length: n }, () => BigInt(2 + rng.int(3))), // three buckets: everything spills
        Array.from({ length: n }, (_, i) => (i < 22 ? 5n : rng.fr())), // P and -P in one bucket
      ];
      try {
        for (const scalars of cases) {
          process.env.C2_NATIVE_MSM = 'own';
          const own = await native!.msm(tn, 0, frVector(scalars));
          process.env.C2_NATIVE_MSM = 'blst';
          assert.equal(hex(own), hex(await native!.msm(tn, 0, frVector(scalars))), `seed ${SEED}`);
        }
        for (const choice of ['own', 'blst']) {
          process.env.C2_NATIVE_MSM = choice;
          await same(tn, tr, 0, mixedScalars(rng, 200));
        }
      } finally {
        delete process.env.C2_NATIVE_MSM;
      }
    });
  }

  test('malformed calls reject', async () => {
    const rng = new Rng('msm-malformed');
    const t = native!.newTable('g1', 4);
    await native!.appendPoints(t, await randomPoints(native!, 'g1', rng, 4), true);
    const unreduced = frVector([1n, 2n]);
    unreduced[63] = 0x80; // scalar 1 >= 2^255
    await assert.rejects(native!.msm(t, 0, unreduced), /scalar 1 is not reduced/);
    await assert.rejects(native!.msm(t, 3, frVector([1n, 2n])), /table holds 4/);
    await assert.rejects(native!.msm(t, 0, new Uint8Array(33)), /whole number|multiple/);
    // nothing to read: the identity, wherever it starts
    assert.equal(hex(await native!.msm(t, 9, new Uint8Array())), hex(identity('g1')));
    assert.equal(hex(await native!.msm(t, 4, frVector([7n]), Uint8Array.of(0))), hex(identity('g1')));
  });

  test('the event loop keeps running during an msm', async () => {
    const rng = new Rng('msm-async');
    const n = 1 << 13;
    const t = native!.newTable('g1', n);
    await native!.appendPoints(t, await randomPoints(native!, 'g1', rng, n), false);
    const scalars = rng.bytes(n * 32).map((b, i) => (i % 32 === 31 ? b & 0x3f : b));
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const jobs = [];
    for (let i = 0; i < 3; i++) jobs.push(native!.msm(t, 0, scalars));
    await Promise.all(jobs);
    clearInterval(timer);
    assert.ok(ticks > 0, 'no timer fired while the MSMs ran');
  });
});

describe('point validation', () => {
  const Fp = bls12_381.fields.Fp;
  const Fp2 = bls12_381.fields.Fp2;

  /** A point on the curve but outside the prime-order subgroup. */
  function offSubgroup(group: Group): Uint8Array {
    for (let x = 1n; ; x++) {
      if (group === 'g1') {
        const rhs = Fp.add(Fp.mul(Fp.sqr(x), x), 4n);
        let y: bigint;
        try {
          y = Fp.sqrt(rhs);
        } catch {
          continue;
        }
        const out = new Uint8Array(96);
        out.set(Fp.toBytes(x), 0);
        out.set(Fp.toBytes(y), 48);
        if (!G1.fromAffine({ x, y }).isTorsionFree()) return out;
      } else {
        const xx = { c0: x, c1: 1n };
        const rhs = Fp2.add(Fp2.mul(Fp2.sqr(xx), xx), { c0: 4n, c1: 4n });
        let y: { c0: bigint; c1: bigint };
        try {
          y = Fp2.sqrt(rhs);
        } catch {
          continue;
        }
        if (!Fp2.eql(Fp2.sqr(y), rhs)) continue;
        const out = new Uint8Array(192);
        out.set(Fp.toBytes(xx.c1), 0);
        out.set(Fp.toBytes(xx.c0), 48);
        out.set(Fp.toBytes(y.c1), 96);
        out.set(Fp.toBytes(y.c0), 144);
        if (!G2.fromAffine({ x: xx, y }).isTorsionFree()) return out;
      }
    }
  }

  function offCurve(group: Group): Uint8Array {
    const p = (group === 'g1' ? G1.BASE.multiply(3n) : G2.BASE.multiply(3n)).toBytes(false);
    p[p.length - 1]! ^= 1;
    return p;
  }

  for (const group of groups) {
    test(`${group}: off-curve and off-subgroup points are rejected with their index`, async (t) => {
      const backends: FullBackend[] = native ? [reference, native] : [reference];
      const rng = new Rng(`validate-${group}`);
      const good = await (native ?? reference).fixedBaseMul(
        group,
        (group === 'g1' ? G1 : G2).BASE.toBytes(false),
        frVector(rng.frs(5)),
      );
      const size = POINT_BYTES[group];
      for (const be of backends) {
        await t.test(be.name, async () => {
          for (const [bad, why] of [
            [offCurve(group), /index 3 of the appended bytes \(table index 8\) is not on the curve/],
            [
              offSubgroup(group),
              /index 3 of the appended bytes \(table index 8\) is not in the prime-order subgroup/,
            ],
          ] as const) {
            const table = be.newTable(group, 10);
            await be.appendPoints(table, good, true);
            const bytes = concat([good.subarray(0, 3 * size), bad, good.subarray(3 * size)]);
            await assert.rejects(be.appendPoints(table, bytes, true), why);
            assert.equal(table.length, 5, 'a rejected append adds nothing');
          }
          // the off-subgroup point passes without validation (it is on the curve)
          const table = be.newTable(group, 1);
          await be.appendPoints(table, offSubgroup(group), false);
          assert.equal(table.length, 1);
          // compressed flag, and a partial point
          const compressed = good.slice(0, size);
          compressed[0]! |= 0x80;
          await assert.rejects(be.appendPoints(table, compressed, true), /bad encoding/);
          await assert.rejects(be.appendPoints(table, good.subarray(0, size - 1), true), /whole number/);
        });
      }
    });
  }
});

test('frValues rejects unreduced scalars', () => {
  assert.throws(() => frValues(frVector([0n]).fill(0xff)), /not reduced/);
});
