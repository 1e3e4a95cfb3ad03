/**
 * The WGSL G1 formulas (shaders/g1.wgsl on fq-slots.wgsl, programs from g1-program.ts) against noble:
 * complete projective addition and doubling on random points, the identity on either side, P + P, P + (-P),
 * points with Z != 1; and their compile time on this adapter (llvmpipe: well under a second a kernel).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { G1_ADD, G1_DOUBLE, interpret, SLOTS, FQ_MODULUS } from '../../src/backends/webgpu/g1-program.ts';
import { G1Ops } from '../../src/backends/webgpu/g1-ops.ts';
import { G1Point } from '../../src/backends/webgpu/g1-points.ts';
import { frRandom } from '../../src/shared/fr.ts';
import { testGpu } from '../support/webgpu.ts';

const { gpu, why } = await testGpu();

const random = () => G1Point.BASE.multiply(frRandom() || 1n);
/** The same point with Z scaled by a random factor: the formulas must not assume Z = 1. */
function rescale(p: InstanceType<typeof G1Point>): InstanceType<typeof G1Point> {
  const k = (frRandom() % (FQ_MODULUS - 1n)) + 1n;
  return new G1Point((p.X * k) % FQ_MODULUS, (p.Y * k) % FQ_MODULUS, (p.Z * k) % FQ_MODULUS);
}

function cases(): [InstanceType<typeof G1Point>[], InstanceType<typeof G1Point>[]] {
  const a: InstanceType<typeof G1Point>[] = [];
  const b: InstanceType<typeof G1Point>[] = [];
  const O = G1Point.ZERO;
  for (let i = 0; i < 6; i++) {
    const p = random();
    const q = random();
    a.push(p, rescale(p), p, p, O, p, O, rescale(p), p.negate());
    b.push(q, rescale(q), p, p.negate(), p, O, O, rescale(p), p);
  }
  return [a, b];
}

test('the addition and doubling programs are the group law (bigint interpreter)', () => {
  const [a, b] = cases();
  for (let i = 0; i < a.length; i++) {
    const s = new Array<bigint>(22).fill(0n);
    const [p, q] = [a[i]!, b[i]!];
    [s[SLOTS.X1], s[SLOTS.Y1], s[SLOTS.Z1]] = [p.X, p.Y, p.Z];
    [s[SLOTS.X2], s[SLOTS.Y2], s[SLOTS.Z2]] = [q.X, q.Y, q.Z];
    s[SLOTS.b3] = 12n;
    const d = s.slice();
    interpret(G1_ADD, s);
    interpret(G1_DOUBLE, d);
    const sum = s[SLOTS.Z1] === 0n ? G1Point.ZERO : new G1Point(s[SLOTS.X1]!, s[SLOTS.Y1]!, s[SLOTS.Z1]!);
    const dbl = d[SLOTS.Z1] === 0n ? G1Point.ZERO : new G1Point(d[SLOTS.X1]!, d[SLOTS.Y1]!, d[SLOTS.Z1]!);
    assert.ok(sum.equals(p.add(q)), `add ${i}`);
    assert.ok(dbl.equals(p.double()), `double ${i}`);
  }
});

test('WGSL G1 add and double equal noble, edge cases included', { skip: why ?? false }, async () => {
  const ops = await G1Ops.create(gpu!);
  for (const entry of ['g1_ops', 'g1_add_chain']) {
    const t0 = performance.now();
    await ops.pipeline(entry);
    console.log(
      `${entry}: pipeline compiled in ${(performance.now() - t0).toFixed(0)} ms on ${gpu!.description}`,
    );
  }
  const [a, b] = cases();
  const out = await ops.ops(a, b);
  for (let i = 0; i < a.length; i++) {
    assert.ok(out[2 * i]!.equals(a[i]!.add(b[i]!)), `add ${i}`);
    assert.ok(out[2 * i + 1]!.equals(a[i]!.double()), `double ${i}`);
  }
  const chain = await ops.addChain(a.slice(0, 8), b.slice(0, 8), 5);
  for (let i = 0; i < 8; i++) assert.ok(chain[i]!.equals(a[i]!.add(b[i]!.multiply(5n))), `chain ${i}`);
});
