/**
 * The WGSL Fr and Fq arithmetic (the field template as Fr and as Fq, in each limb layout) against bigints:
 * add, sub and the Montgomery product (a * b / R, R the layout's) on random values and on the edges (0, 1,
 * p-1, neighbours of p, powers of two at limb borders), and chains of products.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrOps } from '../../src/backends/webgpu/fr-ops.ts';
import { FIELD_LAYOUTS } from '../../src/backends/webgpu/shaders.ts';
import { fqPow } from '../../src/backends/webgpu/curve-program.ts';
import { FR_BYTES, FR_MODULUS, frInv, frRandom, mod } from '../../src/shared/fr.ts';
import { frValues, frVector } from '../../src/shared/fr-vector.ts';
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { testGpu } from '../support/webgpu.ts';

const { gpu, why } = await testGpu();

const EDGES = [
  0n,
  1n,
  2n,
  FR_MODULUS - 1n,
  FR_MODULUS - 2n,
  (1n << 16n) - 1n,
  1n << 16n,
  (1n << 13n) - 1n,
  1n << 26n,
  (1n << 32n) - 1n,
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

for (const layout of FIELD_LAYOUTS) {
  test(
    `WGSL Fr add, sub and Montgomery mul equal bigint arithmetic (${layout})`,
    { skip: why ?? false },
    async () => {
      const ops = await FrOps.create(gpu!, layout);
      const R_INV = frInv(ops.r);
      const [a, b] = pairs();
      const out = frValues(await ops.ops(frVector(a), frVector(b)));
      assert.equal(out.length, 3 * a.length);
      for (let i = 0; i < a.length; i++) {
        const [x, y] = [a[i]!, b[i]!];
        assert.equal(out[3 * i], mod(x + y), `add ${x} ${y}`);
        assert.equal(out[3 * i + 1], mod(x - y), `sub ${x} ${y}`);
        assert.equal(out[3 * i + 2], mod(x * y * R_INV), `mul ${x} ${y}`);
      }
    },
  );

  test(
    `a chain of Fr Montgomery multiplications stays exact (${layout})`,
    { skip: why ?? false },
    async () => {
      const ops = await FrOps.create(gpu!, layout);
      const R_INV = frInv(ops.r);
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
    },
  );
}

const Q = bls12_381.fields.Fp.ORDER;
const FQ_BYTES = 48;

function fqVector(values: bigint[]): Uint8Array {
  const out = new Uint8Array(values.length * FQ_BYTES);
  values.forEach((v, i) => {
    for (let k = 0; k < FQ_BYTES; k++) out[i * FQ_BYTES + k] = Number((v >> BigInt(8 * k)) & 0xffn);
  });
  return out;
}

function fqValues(b: Uint8Array): bigint[] {
  const out: bigint[] = [];
  for (let i = 0; i < b.length; i += FQ_BYTES) {
    let v = 0n;
    for (let k = FQ_BYTES - 1; k >= 0; k--) v = (v << 8n) | BigInt(b[i + k]!);
    out.push(v);
  }
  return out;
}

const modq = (x: bigint) => ((x % Q) + Q) % Q;
const fqRandom = () => modq(frRandom() * frRandom() * frRandom());

/** R^-1 mod q by Fermat: q is prime. */
const fqRInv = (r: bigint) => fqPow(r, Q - 2n);

for (const layout of FIELD_LAYOUTS) {
  test(
    `WGSL Fq add, sub and Montgomery mul equal bigint arithmetic (${layout})`,
    { skip: why ?? false },
    async () => {
      const ops = await FrOps.createFq(gpu!, layout);
      const inv = fqRInv(ops.r);
      const rnd = fqRandom;
      const edges = [
        0n,
        1n,
        2n,
        Q - 1n,
        Q - 2n,
        (1n << 16n) - 1n,
        1n << 16n,
        (1n << 13n) - 1n,
        (1n << 32n) - 1n,
        (1n << 256n) + 7n,
        (1n << 377n) - 1n,
        1n << 380n,
        Q >> 1n,
      ];
      const a: bigint[] = [];
      const b: bigint[] = [];
      for (const x of edges)
        for (const y of edges) {
          a.push(x);
          b.push(y);
        }
      for (let i = 0; i < 100; i++) {
        a.push(rnd());
        b.push(i % 3 === 0 ? Q - 1n : rnd());
      }
      const out = fqValues(await ops.ops(fqVector(a), fqVector(b)));
      assert.equal(out.length, 3 * a.length);
      for (let i = 0; i < a.length; i++) {
        const [x, y] = [a[i]!, b[i]!];
        assert.equal(out[3 * i], modq(x + y), `add ${x} ${y}`);
        assert.equal(out[3 * i + 1], modq(x - y), `sub ${x} ${y}`);
        assert.equal(out[3 * i + 2], modq(x * y * inv), `mul ${x} ${y}`);
      }
    },
  );

  test(
    `a chain of Fq Montgomery multiplications stays exact (${layout})`,
    { skip: why ?? false },
    async () => {
      const ops = await FrOps.createFq(gpu!, layout);
      const inv = fqRInv(ops.r);
      const a = [1n, Q - 1n, fqRandom(), fqRandom()];
      const b = [Q - 1n, fqRandom(), fqRandom(), 0n];
      const iters = 37;
      const out = fqValues(await ops.mulChain(fqVector(a), fqVector(b), iters));
      a.forEach((x, i) => {
        let v = x;
        for (let k = 0; k < iters; k++) v = modq(v * b[i]! * inv);
        assert.equal(out[i], v);
      });
    },
  );
}
