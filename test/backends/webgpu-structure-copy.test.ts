/**
 * A WebGPU structure copy outlives its job in the backend's recently used ones: it knows which matrices
 * it was made from without keeping them (a 32GiB structure's host arrays are ~7 GB). No GPU needed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { StructureCopy } from '../../src/backends/webgpu/r1cs-structure.ts';
import type { SparseMatrix } from '../../src/shared/r1cs.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const matrix = (): SparseMatrix => ({
  rowPtr: new Uint32Array(1 << 16),
  cols: new Uint32Array(1 << 16),
  coeffIds: new Uint32Array(1 << 16),
  coeffTable: new Uint8Array(32),
});

test('a structure copy tells its own matrices from others, and does not keep them alive', async () => {
  const mats = [matrix(), matrix(), matrix()];
  const copy = new StructureCopy(mats, [], []);
  assert.equal(copy.madeFrom(mats), true);
  assert.equal(copy.madeFrom([mats[0]!, matrix(), mats[2]!]), false, 'another B');
  assert.equal(copy.madeFrom(mats.slice(0, 2)), false);

  const gone = (() => {
    const own = [matrix(), matrix(), matrix()];
    const kept = new StructureCopy(own, [], []);
    return { kept, refs: own.map((m) => new WeakRef(m.cols)) };
  })();
  // a WeakRef's target lives at least to the end of the turn that made it
  await new Promise((r) => setImmediate(r));
  gc();
  assert.ok(gone.kept, 'the copy itself is still held');
  assert.deepEqual(
    gone.refs.map((r) => r.deref()),
    [undefined, undefined, undefined],
    "the matrices' arrays were collected",
  );
});
