/**
 * The addon's host steps of the GPU MSMs, against JS references. sumPow2 (native/src/homogeneous.rs):
 * sum of 2^e_i * P_i over projective points in the WebGPU kernels' layout (homogeneous X : Y : Z,
 * Montgomery Fq words), against noble, with random Z (the same point in many representations), identities
 * among them, and exponents as Pippenger's windows give them and in any order. The scalars' split
 * (native/src/split.rs, msmSplit: the bitmap of ones and the rest, which both GPU backends take) against
 * the same split written in JS, density maps compacted; the dense form where 0/1 scalars are few; an
 * unreduced scalar an error naming it. msmParts (msm-parts.ts): in either form, each table buffer gets the
 * terms the scalars make. None needs a GPU.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FQ_MODULUS } from '../../src/backends/webgpu/curve-program.ts';
import { type CurvePoint, toProjectiveWords } from '../../src/backends/webgpu/curve-points.ts';
import type { Group } from '../../src/backends/backend.ts';
import { G1, G2, Rng, SEED, hex } from '../support/backend-helpers.ts';
import { frVector } from '../../src/shared/fr-vector.ts';
import { msmParts } from '../../src/backends/webgpu/msm-parts.ts';

const addon = await import('../../src/backends/cpu/index.ts')
  .then((m) => m.loadAddon())
  .catch((e: Error) => {
    if (process.env.CI) throw e;
    return undefined;
  });

type Pt = CurvePoint & {
  add(p: CurvePoint): CurvePoint;
  multiply(k: bigint): CurvePoint;
  X: unknown;
  Y: unknown;
  Z: unknown;
};

const groups: [Group, typeof G1 | typeof G2][] = [
  ['g1', G1],
  ['g2', G2],
];

/** p with its coordinates scaled by a random non-zero lambda (noble keeps the Z it is given). */
function rescaled(P: typeof G1 | typeof G2, p: CurvePoint, rng: Rng): CurvePoint {
  const q = p as Pt;
  if (q.is0()) return p;
  const l = (rng.fr() % (FQ_MODULUS - 1n)) + 1n;
  const scale = (c: unknown): unknown =>
    typeof c === 'bigint'
      ? (c * l) % FQ_MODULUS
      : { c0: ((c as { c0: bigint }).c0 * l) % FQ_MODULUS, c1: ((c as { c1: bigint }).c1 * l) % FQ_MODULUS };
  return new (P as unknown as new (x: unknown, y: unknown, z: unknown) => CurvePoint)(
    scale(q.X),
    scale(q.Y),
    scale(q.Z),
  );
}

function bytes(words: Uint32Array): Uint8Array {
  return new Uint8Array(words.buffer, words.byteOffset, words.byteLength);
}

describe(`sumPow2 (seed ${SEED})`, { skip: !addon && 'native CPU backend not built' }, () => {
  for (const [group, P] of groups) {
    test(`${group}: windows, plain sums and identities equal noble's`, () => {
      const rng = new Rng(`sum-pow2-${group}`);
      const n = 20;
      const points = Array.from({ length: n }, (_, i) =>
        i % 7 === 3 ? P.ZERO : P.BASE.multiply(rng.fr() || 1n),
      );
      // Pippenger's windows of 13 bits (0, 13, .., 247) and some plain sums, shuffled
      const exps = points.map((_, i) => (i < 20 - 4 ? (i % 20) * 13 : 0));
      for (let i = n - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [exps[i], exps[j]] = [exps[j]!, exps[i]!];
      }
      let want = P.ZERO as CurvePoint;
      points.forEach((p, i) => {
        want = (want as Pt).add((p as Pt).multiply(1n << BigInt(exps[i]!)) as CurvePoint);
      });
      const words = toProjectiveWords(
        group,
        points.map((p) => rescaled(P, p, rng)),
      );
      const got = addon!.sumPow2(group, bytes(words), Uint32Array.from(exps));
      assert.equal(hex(got), hex(want.toBytes(false)));
    });

    test(`${group}: no points is the identity; a wrong point is an error, not a result`, () => {
      const none = addon!.sumPow2(group, new Uint8Array(0), new Uint32Array(0));
      assert.equal(hex(none), hex(P.ZERO.toBytes(false)));
      const words = toProjectiveWords(group, [P.BASE as CurvePoint]);
      words[3]! ^= 1;
      assert.throws(
        () => addon!.sumPow2(group, bytes(words), Uint32Array.of(5)),
        /not a point of the prime-order group/,
      );
      assert.throws(() => addon!.sumPow2(group, bytes(words), Uint32Array.of(0, 1)), /bytes for 2/);
    });
  }
});

const words = (b: Uint8Array) => Array.from(new Uint32Array(b.slice().buffer));

/** The scalars' split in JS: the kept ones' and rest's positions, and whether the MSM reads them as they are. */
function sorted(scalars: bigint[], density: Uint8Array | undefined) {
  const kept = scalars.filter((_, i) => !density || density[i]);
  const span = kept.length;
  const ones: number[] = [];
  const rest: number[] = [];
  kept.forEach((s, k) => (s === 1n ? ones.push(k) : s !== 0n && rest.push(k)));
  // few 0/1 and no map: the dense form
  const dense = !density && 8 * (span - rest.length) <= span;
  return { kept, span, ones, rest, dense, restWords: words(frVector(rest.map((k) => kept[k]!))) };
}

/** The split in JS: [dense, span, bitmap words, rest], the ones' bitmap, the rest and its scalars. */
function split(scalars: bigint[], density: Uint8Array | undefined): number[] {
  const { span, ones, rest, dense, restWords } = sorted(scalars, density);
  if (dense) return [1, span, 0, 0];
  const bitmap = ones.length ? new Array<number>(Math.ceil(span / 32)).fill(0) : [];
  for (const k of ones) bitmap[k >> 5]! |= 1 << (k & 31);
  return [0, span, bitmap.length, rest.length, ...bitmap.map((w) => w >>> 0), ...rest, ...restWords];
}

describe(`msmSplit (seed ${SEED})`, { skip: !addon && 'native CPU backend not built' }, () => {
  test('0/1-heavy scalars, with and without a density map, at sizes across bitmap words, equal the JS split', async () => {
    const rng = new Rng('msm-split');
    // 2^17 + 3 crosses the scalar blocks (2^14) at bits inside a word: neighbours share that word
    for (const n of [1, 31, 33, 300, (1 << 17) + 3]) {
      const scalars = Array.from({ length: n }, () => [0n, 1n, 1n, 0n, 2n, rng.fr()][rng.int(6)]!);
      const density = Uint8Array.from({ length: n }, () => rng.int(3) && 1);
      for (const d of [undefined, density]) {
        const got = words(await addon!.msmSplit(frVector(scalars), d));
        assert.deepEqual(got, split(scalars, d), `n ${n} density ${!!d}`);
      }
    }
  });

  test('no ones gives no bitmap; few 0/1 and no map is dense; a map makes it the lists', async () => {
    const rng = new Rng('msm-split-dense');
    const scalars = [...rng.frs(70), 0n, 1n, 0n];
    assert.deepEqual(words(await addon!.msmSplit(frVector(scalars))), [1, 73, 0, 0]);
    const all = new Uint8Array(73).fill(1);
    assert.deepEqual(words(await addon!.msmSplit(frVector(scalars), all)), split(scalars, all));
    const noOnes = [0n, 0n, 5n, 0n];
    assert.deepEqual(words(await addon!.msmSplit(frVector(noOnes))), split(noOnes, undefined));
    assert.equal(split(noOnes, undefined)[2], 0);
  });

  test('a scalar with its top bit set, or a density map of the wrong length, is an error', async () => {
    const v = frVector([1n, 2n, 3n]);
    v[1 * 32 + 31] = 0x80;
    await assert.rejects(addon!.msmSplit(v), /scalar 1 is not reduced/);
    await assert.rejects(addon!.msmSplit(frVector([1n]), new Uint8Array(2)), /density map has 2 entries/);
  });
});

describe(`msmParts (seed ${SEED})`, { skip: !addon && 'native CPU backend not built' }, () => {
  // a part's terms as (table base, scalar): what the MSM sums, whatever the form
  const terms = (parts: Awaited<ReturnType<typeof msmParts>>, per: number): [number, bigint][] =>
    parts.flatMap((p) => {
      const words = p.scalars;
      // msmParts gives host words; a device vector's scalars are only msmVector's
      assert.ok(words instanceof Uint32Array);
      const scalar = (j: number) =>
        Array.from(words.subarray(8 * j, 8 * j + 8)).reduceRight((x, w) => (x << 32n) | BigInt(w), 0n);
      // buffer-local bases, as the kernels compute them (u32 arithmetic)
      const { points, ones } = p;
      const bases =
        'idx' in points
          ? Array.from(points.idx, (k) => (points.base + k) >>> 0)
          : Array.from({ length: points.count }, (_, j) => points.base + j);
      const oneBases: number[] = [];
      for (let j = 0; ones && j < ones.count; j++)
        if ((ones.bits[(ones.from + j) >> 5]! >>> ((ones.from + j) & 31)) & 1) oneBases.push(ones.base + j);
      return [
        ...oneBases.map((k) => [p.buffer * per + k, 1n] as [number, bigint]),
        ...bases.map((k, j) => [p.buffer * per + k, scalar(j)] as [number, bigint]),
      ];
    });

  test('both forms give each buffer its terms: the bases of every non-zero scalar, with it', async () => {
    const rng = new Rng('msm-parts');
    for (const dense of [false, true])
      for (const [start, per] of [
        [0, 1 << 20],
        [3, 7],
        [13, 5],
      ] as const) {
        const n = 60;
        const scalars = Array.from({ length: n }, () =>
          !dense && rng.int(2) ? BigInt(rng.int(2)) : rng.fr(),
        );
        const parts = await msmParts(frVector(scalars), undefined, start, {
          perBuffer: per,
          length: start + n,
        });
        assert.equal(
          parts.every((p) => 'idx' in p.points),
          !dense,
          `form, dense ${dense}`,
        );
        const want = scalars.flatMap((x, i) => (x === 0n ? [] : [[start + i, x] as [number, bigint]]));
        assert.deepEqual(
          terms(parts, per).sort((x, y) => x[0] - y[0]),
          want,
          `dense ${dense} start ${start} per ${per}`,
        );
      }
  });

  test('bases past the table are an error', async () => {
    await assert.rejects(
      msmParts(frVector([5n, 6n]), undefined, 9, { perBuffer: 4, length: 10 }),
      /msm reads bases 9..11 of a table of 10/,
    );
  });
});
