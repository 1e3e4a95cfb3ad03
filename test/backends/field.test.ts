/**
 * The native field kernels against the reference: NTT (against a naive DFT for small sizes, the
 * reference transform and round trips for larger ones), bellperson's quotient (and the reference's
 * quotient against the polynomial identity it must satisfy), sparse products, linearCombine, powers,
 * and fixed-base multiplication.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { POINT_BYTES, type Group } from '../../src/backends/backend.ts';
import { FR_BYTES, FR_MODULUS, frInv, frPow, frToBytes, mod } from '../../src/shared/fr.ts';
import type { SparseMatrix } from '../../src/shared/r1cs.ts';
import { frVector, frValues } from '../../src/shared/fr-vector.ts';
import { domainOmega, FR_GENERATOR } from '../support/reference-backend.ts';
import {
  G1,
  G2,
  Rng,
  SEED,
  base,
  hex,
  identity,
  nativeBackend,
  reference,
} from '../support/backend-helpers.ts';

const native = await nativeBackend();

function naiveDft(a: bigint[], omega: bigint): bigint[] {
  return a.map((_, k) => a.reduce((s, x, j) => mod(s + x * frPow(omega, BigInt(j * k))), 0n));
}

/** Evaluates the polynomial with these coefficients at x. */
function evaluate(coeffs: bigint[], x: bigint): bigint {
  let acc = 0n;
  for (let i = coeffs.length - 1; i >= 0; i--) acc = mod(acc * x + coeffs[i]!);
  return acc;
}

describe('reference field kernels', () => {
  test('the root of unity is bellperson`s and the domain roots are primitive', () => {
    assert.equal(
      domainOmega(32).toString(16),
      '16a2a19edfe81f20d09b681922c813b4b63683508c2280b93829971f439f0d2b', // blstrs Scalar::ROOT_OF_UNITY
    );
    for (const l of [1, 5, 10]) {
      assert.equal(frPow(domainOmega(l), 1n << BigInt(l)), 1n);
      assert.notEqual(frPow(domainOmega(l), 1n << BigInt(l - 1)), 1n);
    }
  });

  test('ntt is the DFT over the domain', async () => {
    const rng = new Rng('ref-ntt');
    for (const l of [0, 1, 2, 3, 4]) {
      const a = rng.frs(1 << l);
      const v = frVector(a);
      await reference.ntt(v, 'forward');
      assert.deepEqual(frValues(v), naiveDft(a, domainOmega(l)));
      await reference.ntt(v, 'inverse');
      assert.deepEqual(frValues(v), a);
    }
  });

  test('quotient satisfies A(t) B(t) - C(t) = H(t) (t^m - 1)', async () => {
    const rng = new Rng('ref-quotient');
    for (const n of [1, 3, 8, 13]) {
      let m = 1;
      while (m < n) m *= 2;
      const a = rng.frs(n);
      const b = rng.frs(n);
      // a satisfied system: c = a * b at every constraint
      const c = a.map((x, i) => mod(x * b[i]!));
      const h = frValues(await reference.quotient(frVector(a), frVector(b), frVector(c)));
      assert.equal(h.length, m - 1);
      // A, B, C interpolate a, b, c over the domain
      const interp = async (v: bigint[]): Promise<bigint[]> => {
        const x = frVector([...v, ...Array<bigint>(m - v.length).fill(0n)]);
        await reference.ntt(x, 'inverse');
        return frValues(x);
      };
      const [A, B, C] = [await interp(a), await interp(b), await interp(c)];
      const t = rng.fr();
      const lhs = mod(evaluate(A, t) * evaluate(B, t) - evaluate(C, t));
      assert.equal(lhs, mod(evaluate(h, t) * (frPow(t, BigInt(m)) - 1n)), `n=${n} seed ${SEED}`);
    }
  });
});

describe('native field kernels vs reference', { skip: !native }, () => {
  test('ntt against the naive DFT, sizes 1 to 64', async () => {
    const rng = new Rng('ntt-small');
    for (let l = 0; l <= 6; l++) {
      const a = rng.frs(1 << l);
      const v = frVector(a);
      await native!.ntt(v, 'forward');
      assert.deepEqual(frValues(v), naiveDft(a, domainOmega(l)), `2^${l} seed ${SEED}`);
      await native!.ntt(v, 'inverse');
      assert.deepEqual(frValues(v), a);
    }
    await native!.ntt(new Uint8Array(), 'forward');
  });

  test('ntt against the reference at 2^13 (past the in-cache stages), round trip at 2^15', async () => {
    const rng = new Rng('ntt-large');
    const v = rng.bytes(FR_BYTES << 13).map((b, i) => (i % 32 === 31 ? b & 0x3f : b));
    for (const direction of ['forward', 'inverse'] as const) {
      const r = v.slice();
      const x = v.slice();
      await reference.ntt(r, direction);
      await native!.ntt(x, direction);
      assert.equal(hex(x), hex(r), `${direction} seed ${SEED}`);
    }
    const w = rng.bytes(FR_BYTES << 15).map((b, i) => (i % 32 === 31 ? b & 0x3f : b));
    const x = w.slice();
    await native!.ntt(x, 'forward');
    assert.notEqual(hex(x), hex(w));
    await native!.ntt(x, 'inverse');
    assert.equal(hex(x), hex(w));
    // a subarray view is transformed in place
    const host = new Uint8Array(FR_BYTES * 6);
    const view = host.subarray(FR_BYTES, FR_BYTES * 5);
    view.set(frVector([1n, 2n, 3n, 4n]));
    await native!.ntt(view, 'forward');
    assert.deepEqual(frValues(view), naiveDft([1n, 2n, 3n, 4n], domainOmega(2)));
    assert.deepEqual(frValues(host.subarray(0, FR_BYTES)), [0n]);
    await assert.rejects(native!.ntt(new Uint8Array(FR_BYTES * 3), 'forward'), /power of two/);
  });

  test('quotient, n = 0, 1, 2, 5, 8, 100, 1000 and 4500', async () => {
    const rng = new Rng('quotient');
    for (const n of [0, 1, 2, 5, 8, 100, 1000, 4500]) {
      const a = rng.frs(n);
      const b = rng.frs(n);
      // mostly satisfied, a few not: H is then not a polynomial of degree < m - 1 but still defined
      const c = a.map((x, i) => (i % 17 === 0 ? rng.fr() : mod(x * b[i]!)));
      const [va, vb, vc] = [frVector(a), frVector(b), frVector(c)];
      const want = await reference.quotient(va, vb, vc);
      const got = await native!.quotient(va, vb, vc);
      assert.equal(got.length, want.length);
      assert.equal(hex(got), hex(want), `n=${n} seed ${SEED}`);
    }
    await assert.rejects(
      native!.quotient(new Uint8Array(64), new Uint8Array(64), new Uint8Array(32)),
      /differ/,
    );
  });

  test('sparseMul and sparseMulTransposed', async () => {
    const rng = new Rng('sparse');
    const rows = 300;
    const cols = 211;
    const table = [1n, FR_MODULUS - 1n, 2n, 0n, rng.fr(), rng.fr(), 1n << 200n];
    const rowPtr = new Uint32Array(rows + 1);
    const colIdx: number[] = [];
    const ids: number[] = [];
    for (let r = 0; r < rows; r++) {
      const terms = r % 11 === 0 ? 0 : 1 + rng.int(6);
      for (let k = 0; k < terms; k++) {
        colIdx.push(rng.int(cols));
        ids.push(rng.int(table.length));
      }
      rowPtr[r + 1] = colIdx.length;
    }
    // a repeated column within one row
    colIdx[0] = colIdx[1] ?? 0;
    const m: SparseMatrix = {
      rowPtr,
      cols: Uint32Array.from(colIdx),
      coeffIds: Uint32Array.from(ids),
      coeffTable: frVector(table),
    };
    const x = frVector(rng.frs(cols));
    const y = frVector(rng.frs(rows));
    assert.equal(hex(await native!.sparseMul(m, x)), hex(await reference.sparseMul(m, x)), `seed ${SEED}`);
    const tn = await native!.sparseMulTransposed(m, y, cols);
    assert.equal(hex(tn), hex(await reference.sparseMulTransposed(m, y, cols)));
    // <M x, y> = <x, M^T y>
    const dot = (u: bigint[], v: bigint[]): bigint => u.reduce((s, ui, i) => mod(s + ui * v[i]!), 0n);
    assert.equal(dot(frValues(await native!.sparseMul(m, x)), frValues(y)), dot(frValues(x), frValues(tn)));
    await assert.rejects(native!.sparseMul(m, frVector([1n])), /column/);
    const badIds = { ...m, coeffIds: m.coeffIds.map(() => 99) };
    await assert.rejects(native!.sparseMul(badIds, x), /coefficient/);
  });

  test('linearCombine and powers', async () => {
    const rng = new Rng('lincomb');
    const n = 333;
    const [a, b, z] = [frVector(rng.frs(n)), frVector(rng.frs(n)), frVector(rng.frs(n))];
    const [x, y, w] = [frToBytes(rng.fr()), frToBytes(rng.fr()), frToBytes(FR_MODULUS - 1n)];
    assert.equal(
      hex(await native!.linearCombine(a, x, b, y, z, w)),
      hex(await reference.linearCombine(a, x, b, y, z, w)),
    );
    const tau = frToBytes(rng.fr());
    const scale = frToBytes(rng.fr());
    for (const count of [0, 1, 5, 5000]) {
      assert.equal(
        hex(await native!.powers(tau, count, scale)),
        hex(await reference.powers(tau, count, scale)),
      );
    }
    const p = frValues(await native!.powers(frToBytes(FR_GENERATOR), 3, frToBytes(1n)));
    assert.deepEqual(p, [1n, 7n, 49n]);
    await assert.rejects(native!.powers(new Uint8Array(32).fill(0xff), 2, scale), /not reduced/);
    assert.equal((frInv(7n) * 7n) % FR_MODULUS, 1n);
  });

  for (const group of ['g1', 'g2'] as Group[]) {
    test(`${group}: fixedBaseMul against the reference`, async () => {
      const rng = new Rng(`fixed-${group}`);
      const P = (group === 'g1' ? G1 : G2).BASE.multiply(rng.fr()).toBytes(false);
      const special = [
        0n,
        1n,
        2n,
        FR_MODULUS - 1n,
        FR_MODULUS - 2n,
        1n << 254n,
        (1n << 128n) - 1n,
        1n << 16n,
      ];
      const s = frVector([...special, ...rng.frs(group === 'g1' ? 30 : 10)]);
      assert.equal(
        hex(await native!.fixedBaseMul(group, P, s)),
        hex(await reference.fixedBaseMul(group, P, s)),
        `seed ${SEED}`,
      );
      // a size that picks a wide window: check a sample
      const n = group === 'g1' ? 20000 : 5000;
      const big = frVector(rng.frs(n).map((x, i) => (i === 7 ? 0n : x)));
      const out = await native!.fixedBaseMul(group, P, big);
      const size = POINT_BYTES[group];
      assert.equal(out.length, n * size);
      for (const i of [0, 7, n - 1, rng.int(n), rng.int(n)]) {
        const one = big.subarray(i * FR_BYTES, (i + 1) * FR_BYTES);
        assert.equal(
          hex(out.subarray(i * size, (i + 1) * size)),
          hex(await reference.fixedBaseMul(group, P, one)),
          `index ${i}`,
        );
      }
      assert.equal(hex(out.subarray(7 * size, 8 * size)), hex(identity(group)));
      assert.equal((await native!.fixedBaseMul(group, base(group), new Uint8Array())).length, 0);
      assert.equal(
        hex(await native!.fixedBaseMul(group, identity(group), frVector([5n]))),
        hex(identity(group)),
      );
    });
  }
});
