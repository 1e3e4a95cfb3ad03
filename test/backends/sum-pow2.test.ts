/**
 * The addon's sumPow2 (native/src/homogeneous.rs), the WebGPU MSM's host step: sum of 2^e_i * P_i over
 * projective points in the kernels' layout (homogeneous X : Y : Z, Montgomery Fq words), against noble.
 * Points are written with random Z (the same point in many representations), identities among them, and
 * exponents as Pippenger's windows give them and in any order.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FQ_MODULUS } from '../../src/backends/webgpu/curve-program.ts';
import { type CurvePoint, toProjectiveWords } from '../../src/backends/webgpu/curve-points.ts';
import type { Group } from '../../src/backends/backend.ts';
import { G1, G2, Rng, SEED, hex } from '../support/backend-helpers.ts';

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
