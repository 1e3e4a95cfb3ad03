/**
 * The Fr encoding every layer shares: 32 bytes little-endian, canonical. Converted four bytes at a time;
 * compared here with the byte-at-a-time definition at the edges and at every length and offset.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FR_MODULUS, bigintFromLe, frFromBytes, frToBytes } from '../../src/shared/fr.ts';

const r = FR_MODULUS;

function referenceBytes(x: bigint): number[] {
  let v = ((x % r) + r) % r;
  return Array.from({ length: 32 }, () => {
    const b = Number(v & 0xffn);
    v >>= 8n;
    return b;
  });
}

function referenceFromLe(bytes: Uint8Array, offset: number, length: number): bigint {
  let v = 0n;
  for (let i = offset + length - 1; i >= offset; i--) v = (v << 8n) | BigInt(bytes[i]!);
  return v;
}

test('frToBytes writes the canonical little-endian bytes, reducing what is out of range', () => {
  const edges = [
    0n,
    1n,
    0xffn,
    0xffffffffn,
    2n ** 32n,
    2n ** 64n - 1n,
    2n ** 128n + 3n,
    r - 1n,
    r,
    r + 5n,
    -1n,
    -r - 2n,
  ];
  let x = 0x9e3779b97f4a7c15n;
  for (let i = 0; i < 200; i++) {
    x = (x * 6364136223846793005n + 1442695040888963407n) % 2n ** 256n;
    edges.push(x);
  }
  for (const v of edges) {
    const out = new Uint8Array(40).fill(0xaa);
    frToBytes(v, out, 5);
    assert.deepEqual([...out.subarray(5, 37)], referenceBytes(v), `${v}`);
    assert.deepEqual(
      [...out.subarray(0, 5), ...out.subarray(37)],
      Array(8).fill(0xaa),
      'nothing else written',
    );
    assert.equal(frFromBytes(out, 5), ((v % r) + r) % r);
  }
});

test('bigintFromLe reads any length at any offset, unreduced', () => {
  const bytes = Uint8Array.from({ length: 80 }, (_, i) => (i * 97 + 13) & 0xff);
  for (let offset = 0; offset < 6; offset++)
    for (let length = 0; length <= 72; length++)
      assert.equal(
        bigintFromLe(bytes, offset, length),
        referenceFromLe(bytes, offset, length),
        `offset ${offset}, length ${length}`,
      );
  const high = new Uint8Array(32).fill(0xff);
  assert.equal(bigintFromLe(high), 2n ** 256n - 1n, 'every bit set: no sign from the top byte');
  assert.throws(() => frFromBytes(high), /not reduced modulo r/);
});
