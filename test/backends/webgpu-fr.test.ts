/**
 * The WGSL Fr arithmetic (shaders/fr.wgsl) against bigints: add, sub and the Montgomery product on random
 * values and on the edges (0, 1, r-1, 2^255-ish neighbours of r, powers of two at limb borders).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrOps } from '../../src/backends/webgpu/fr-ops.ts';
import { FR_BYTES, FR_MODULUS, frInv, frRandom, mod } from '../../src/shared/fr.ts';
import { frValues, frVector } from '../../src/shared/fr-vector.ts';
import { testGpu } from '../support/webgpu.ts';

const { gpu, why } = await testGpu();
const R_INV = frInv((1n << 256n) % FR_MODULUS);

const EDGES = [
  0n,
  1n,
  2n,
  FR_MODULUS - 1n,
  FR_MODULUS - 2n,
  (1n << 16n) - 1n,
  1n << 16n,
  (1n << 128n) - 1n,
  1n << 253n,
  (1n << 254n) + 12345n,
  FR_MODULUS >> 1n,
  (FR_MODULUS + 1n) >> 1n,
];

function pairs(): [bigint[], bigint[]] {
  const a: bigint[] = [];
  const b: bigint[] = [];
  for (const x of EDGES)
    for (const y of EDGES) {
      a.push(x);
      b.push(y);
    }
  for (let i = 0; i < 200; i++) {
    a.push(frRandom());
    b.push(i % 3 === 0 ? FR_MODULUS - 1n : frRandom());
  }
  return [a, b];
}

test('WGSL Fr add, sub and Montgomery mul equal bigint arithmetic', { skip: why ?? false }, async () => {
  const ops = await FrOps.create(gpu!);
  const [a, b] = pairs();
  const out = frValues(await ops.ops(frVector(a), frVector(b)));
  assert.equal(out.length, 3 * a.length);
  for (let i = 0; i < a.length; i++) {
    const [x, y] = [a[i]!, b[i]!];
    assert.equal(out[3 * i], mod(x + y), `add ${x} ${y}`);
    assert.equal(out[3 * i + 1], mod(x - y), `sub ${x} ${y}`);
    assert.equal(out[3 * i + 2], mod(x * y * R_INV), `mul ${x} ${y}`);
  }
});

test('a chain of Montgomery multiplications stays exact', { skip: why ?? false }, async () => {
  const ops = await FrOps.create(gpu!);
  const a = [1n, FR_MODULUS - 1n, frRandom(), frRandom()];
  const b = [FR_MODULUS - 1n, frRandom(), frRandom(), 0n];
  const iters = 37;
  const out = frValues(await ops.mulChain(frVector(a), frVector(b), iters));
  a.forEach((x, i) => {
    let v = x;
    for (let k = 0; k < iters; k++) v = mod(v * b[i]! * R_INV);
    assert.equal(out[i], v);
  });
  assert.equal(out.length * FR_BYTES, a.length * FR_BYTES);
});
