/**
 * The WGSL point formulas (shaders/curve.wgsl on fq-slots.wgsl, programs from curve-program.ts, Fq2
 * expanded for G2) against noble: complete projective addition and doubling on random points, the identity
 * on either side, P + P, P + (-P), points with Z != 1, in G1 and G2, and the XYZZ steps of a bucket's sum
 * with the kernels' branch between them; and their compile time on this adapter.
 * On a cold Mesa cache llvmpipe takes ~5 s (G1) and ~10 s (G2) to compile a kernel with the interpreter,
 * warm well under a second: this file runs in ~20-40 s cold.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Group } from '../../src/backends/backend.ts';
import { FQ_MODULUS, interpret, modq, programs, slots } from '../../src/backends/webgpu/curve-program.ts';
import { PointOps } from '../../src/backends/webgpu/point-ops.ts';
import { POINT_FQ_LAYOUTS } from '../../src/backends/webgpu/point-form.ts';
import { type CurvePoint, G1Point, G2Point, zero } from '../../src/backends/webgpu/curve-points.ts';
import { frRandom } from '../../src/shared/fr.ts';
import { testGpu } from '../support/webgpu.ts';

const { gpu, why } = await testGpu();
const groups: Group[] = ['g1', 'g2'];

type Fq2 = { c0: bigint; c1: bigint };
const fqs = (c: bigint | Fq2): bigint[] => (typeof c === 'bigint' ? [c] : [c.c0, c.c1]);

function point(group: Group, fq: bigint[]): CurvePoint {
  if (group === 'g1') return fq[2] === 0n ? G1Point.ZERO : new G1Point(fq[0]!, fq[1]!, fq[2]!);
  const [x, y, z] = [0, 1, 2].map((c) => ({ c0: fq[2 * c]!, c1: fq[2 * c + 1]! }));
  return z!.c0 === 0n && z!.c1 === 0n ? G2Point.ZERO : new G2Point(x!, y!, z!);
}

const random = (group: Group): CurvePoint =>
  group === 'g1' ? G1Point.BASE.multiply(frRandom() || 1n) : G2Point.BASE.multiply(frRandom() || 1n);

/** The same point with Z scaled by a random Fq factor: the formulas must not assume Z = 1. */
function rescale(group: Group, p: CurvePoint): CurvePoint {
  const k = (frRandom() % (FQ_MODULUS - 1n)) + 1n;
  const fq = [p.X, p.Y, p.Z].flatMap((c) => fqs(c as bigint | Fq2)).map((x) => (x * k) % FQ_MODULUS);
  return point(group, fq);
}

const add = (a: CurvePoint, b: CurvePoint) => (a as never as { add(p: CurvePoint): CurvePoint }).add(b);
const eq = (a: CurvePoint, b: CurvePoint) => (a as never as { equals(p: CurvePoint): boolean }).equals(b);

function cases(group: Group, rounds: number): [CurvePoint[], CurvePoint[]] {
  const a: CurvePoint[] = [];
  const b: CurvePoint[] = [];
  const O = zero(group);
  for (let i = 0; i < rounds; i++) {
    const p = random(group);
    const q = random(group);
    const r = (x: CurvePoint) => rescale(group, x);
    a.push(p, r(p), p, p, O, p, O, r(p), p.negate());
    b.push(q, r(q), p, p.negate(), p, O, O, r(p), p);
  }
  return [a, b];
}

for (const group of groups) {
  test(`${group}: the addition and doubling programs are the group law (bigint interpreter)`, () => {
    const s = slots(group);
    const { add: addProgram, double } = programs(group);
    const [a, b] = cases(group, 3);
    for (let i = 0; i < a.length; i++) {
      const regs = new Array<bigint>(s.count).fill(0n);
      fqs(a[i]!.X as bigint | Fq2)
        .concat(fqs(a[i]!.Y as bigint | Fq2), fqs(a[i]!.Z as bigint | Fq2))
        .forEach((x, k) => (regs[s.P + k] = x));
      fqs(b[i]!.X as bigint | Fq2)
        .concat(fqs(b[i]!.Y as bigint | Fq2), fqs(b[i]!.Z as bigint | Fq2))
        .forEach((x, k) => (regs[s.Q + k] = x));
      for (let k = 0; k < s.w; k++) regs[s.b3 + k] = 12n;
      const d = regs.slice();
      interpret(addProgram, regs);
      interpret(double, d);
      const n = 3 * s.w;
      assert.ok(eq(point(group, regs.slice(0, n)), add(a[i]!, b[i]!)), `add ${i}`);
      assert.ok(eq(point(group, d.slice(0, n)), a[i]!.double()), `double ${i}`);
    }
  });

  test(`${group}: the XYZZ steps of a bucket's sum are the group law, their branch cases included (bigint interpreter)`, () => {
    const s = slots(group);
    const p = programs(group);
    const n = 3 * s.w;
    const coords = (c: unknown) => fqs(c as bigint | Fq2);
    for (let i = 0; i < 4; i++) {
      const P = random(group);
      const Q = random(group);
      // P as XYZZ with ZZ = l^2, ZZZ = l^3 for a random l: the steps must not assume ZZ = 1
      const l = (frRandom() % (FQ_MODULUS - 1n)) + 1n;
      const [l2, l3] = [modq(l * l), modq(l * l * l)];
      const { x, y } = P.toAffine();
      for (const [q, want] of [
        [Q, add(P, Q)],
        [P, P.double()],
        [P.negate(), zero(group)],
      ] as const) {
        const regs = new Array<bigint>(s.count).fill(0n);
        const put = (at: number, v: bigint[]) => v.forEach((c, k) => (regs[at + k] = c));
        put(
          s.variable('X1'),
          coords(x).map((c) => modq(c * l2)),
        );
        put(
          s.variable('Y1'),
          coords(y).map((c) => modq(c * l3)),
        );
        put(s.variable('Z1'), [l2, 0n].slice(0, s.w));
        put(s.w1, [l3, 0n].slice(0, s.w));
        const a = q.toAffine();
        put(s.variable('X2'), coords(a.x));
        put(s.variable('Y2'), coords(a.y));
        // the kernels' branch: P = 0 is the same point (R = 0) or its opposite
        interpret(p.xyzzAdd, regs);
        const isZero = (at: number) => regs.slice(at, at + s.w).every((c) => c === 0n);
        if (!isZero(s.xyzzP)) interpret(p.xyzzRest, regs);
        else if (isZero(s.xyzzR)) interpret(p.xyzzDouble, regs);
        else {
          assert.ok(eq(want, zero(group)), `only P + -P is the identity (${i})`);
          continue;
        }
        interpret(p.xyzzOut, regs);
        assert.ok(eq(point(group, regs.slice(0, n)), want), `xyzz ${i}`);
      }
    }
  });

  test(`${group}: WGSL add and double equal noble, edge cases included`, { skip: why ?? false }, async () => {
    await addAndDouble(await PointOps.create(gpu!, group));
  });
}

/** The kernels' add, double and add chain against noble. */
async function addAndDouble(ops: PointOps): Promise<void> {
  const group = ops.group;
  const [a, b] = cases(group, group === 'g1' ? 6 : 3);
  let t0 = performance.now();
  const out = await ops.ops(a, b);
  console.log(`${group} pt_ops: first run (with the JIT) ${(performance.now() - t0).toFixed(0)} ms`);
  for (let i = 0; i < a.length; i++) {
    assert.ok(eq(out[2 * i]!, add(a[i]!, b[i]!)), `add ${i}`);
    assert.ok(eq(out[2 * i + 1]!, a[i]!.double()), `double ${i}`);
  }
  t0 = performance.now();
  const chain = await ops.addChain(a.slice(0, 8), b.slice(0, 8), 5);
  console.log(`${group} pt_add_chain: first run (with the JIT) ${(performance.now() - t0).toFixed(0)} ms`);
  for (let i = 0; i < 8; i++) assert.ok(eq(chain[i]!, add(a[i]!, b[i]!.multiply(5n))), `chain ${i}`);
}

// The registers form's kernels (what a GPU runs; the MSM's are tested in webgpu-msm.test.ts): WGSL checked
// for every group and Fq layout (the module is validated when it is made, compiled per kernel later); run
// on a GPU and with C2_HEAVY=1 only, as llvmpipe takes minutes to compile each of these kernels.
const run = process.env.C2_HEAVY === '1' || gpu?.software === false;
for (const group of groups)
  for (const fq of POINT_FQ_LAYOUTS)
    test(
      `${group}, registers form on ${fq} Fq: ${run ? 'add and double equal noble' : 'its WGSL is valid'}`,
      { skip: why ?? false },
      async () => {
        const ops = await PointOps.create(gpu!, group, { form: 'registers', fq });
        if (run) await addAndDouble(ops);
      },
    );
