import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StructureKeeper } from '../../src/job/structure-keeper.ts';
import { r1csBytes, type R1cs, type SparseMatrix } from '../../src/shared/r1cs.ts';

/** A structure whose arrays take `bytes` in all (one buffer for the matrices' terms). */
function structure(bytes: number): R1cs {
  const terms = new Uint32Array(bytes / 4 - 8);
  const m = (): SparseMatrix => ({
    rowPtr: terms.subarray(0, 2),
    cols: terms.subarray(2, 4),
    coeffIds: terms.subarray(4, 6),
    coeffTable: new Uint8Array(terms.buffer, 0, 32),
  });
  return { numInputs: 1, numAux: 1, numConstraints: 1, a: m(), b: m(), c: m() };
}

test('r1csBytes counts each buffer once, whole', () => {
  assert.equal(r1csBytes(structure(4096)), 4096 - 32);
  const r = structure(1024);
  const own = { ...r.c, cols: new Uint32Array(100) };
  assert.equal(r1csBytes({ ...r, c: own }), 1024 - 32 + 400);
});

test('a kept structure is found by its shape, idle once released, dropped for another shape of its size', () => {
  const k = new StructureKeeper();
  assert.equal(k.acquire('s2k', 2048), undefined);
  const a = structure(1 << 12);
  const held = k.hold('s2k', 2048, a);
  assert.equal(k.idleBytes(), 0, 'in use: its job counts it');
  held.release();
  held.release(); // once
  assert.equal(k.idleBytes(), r1csBytes(a));
  const again = k.acquire('s2k', 2048)!;
  assert.equal(again.r1cs, a, 'the same object: a GPU copy keyed by it serves again');
  const twice = k.hold('s2k', 2048, a);
  assert.equal(twice.r1cs, a, 'holding it again keeps the one entry');
  assert.deepEqual(k.status(), [{ sectorSize: 2048, bytes: r1csBytes(a), inUse: 2, hits: 1 }]);
  again.release();
  twice.release();

  // another shape of the same size: the idle one goes (the budget counts one per size) ...
  k.acquire('s2k', 2048)!.release();
  const other = k.hold('s8m', 8 << 20, structure(1 << 13));
  assert.equal(k.acquire('other-2k', 2048), undefined);
  assert.equal(k.acquire('s2k', 2048), undefined, 'dropped by the miss of its size');
  // ... but not one in use
  const b = k.hold('s2k', 2048, structure(1 << 12));
  assert.equal(k.acquire('other-2k', 2048), undefined);
  assert.ok(k.acquire('s2k', 2048), 'in use, kept');
  other.release();
  assert.equal(k.heldBytes(), (1 << 12) - 32 + (1 << 13) - 32);
  b.release();
});

test('eviction frees idle structures of other sizes, least recently used first, and says what is left', async () => {
  const k = new StructureKeeper();
  const size = 1 << 12;
  const used = size - 32;
  k.hold('a', 2048, structure(size)).release();
  await new Promise((r) => setTimeout(r, 5));
  k.hold('b', 8 << 20, structure(size)).release();
  await new Promise((r) => setTimeout(r, 5));
  const busy = k.hold('c', 512 << 20, structure(size));
  assert.equal(k.evictIdle(1, 32 << 30), 0);
  assert.deepEqual(
    k.status().map((s) => s.sectorSize),
    [8 << 20, 512 << 20],
    'the least recently used went first',
  );
  assert.equal(k.evictIdle(10 * size, 8 << 20), 10 * size, 'never the size asking, never one in use');
  assert.equal(k.evictIdle(10 * size), 10 * size - used);
  assert.equal(k.idleBytes(), 0);
  busy.release();
  assert.equal(k.idleBytes(512 << 20), used);
  assert.equal(k.idleBytes(2048), 0);
  k.forget('c');
  assert.equal(k.heldBytes(), 0);
});
