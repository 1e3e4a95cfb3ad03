/**
 * H kept on the GPU for its MSM (WebgpuNtt.quotientOnDevice, CurveMsm.msmVector, the backend's
 * quotientMsm): the sum equals the CPU backend's quotient then MSM. On the kernels with every split made
 * small (the quotient in parts of 8 elements, the table in buffers of 7 points, Pippenger batches of 5):
 * the scalars of one batch come from two parts of H and go to two table buffers. Sizes up to 63 G1 points
 * (kernels) and 511 (the backend's default sizes): seconds on llvmpipe.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createWebgpuBackend } from '../../src/backends/webgpu/index.ts';
import { CurveMsm } from '../../src/backends/webgpu/msm.ts';
import { WebgpuNtt } from '../../src/backends/webgpu/ntt.ts';
import { freeVector } from '../../src/backends/webgpu/device.ts';
import { FR_BYTES } from '../../src/shared/fr.ts';
import { frVector } from '../../src/shared/fr-vector.ts';
import { compactWitness } from '../../src/groth16/witness.ts';
import { Rng, SEED, hex, identity, nativeBackend, randomPoints } from '../support/backend-helpers.ts';
import { randomR1cs } from '../support/random-r1cs.ts';
import { testGpu, withSoftwareAllowed } from '../support/webgpu.ts';

const native = await nativeBackend();
const { gpu, why } = await testGpu();
const skip = why ?? (!native ? 'native CPU backend not built' : false);

/** A G1 table of n random points on the GPU (through `append`) and on the CPU. */
async function g1Tables(rng: Rng, n: number, append: (t: Uint8Array) => Promise<void>) {
  const pts = await randomPoints(native!, 'g1', rng, n);
  await append(pts);
  const tn = native!.newTable('g1', n);
  await native!.appendPoints(tn, pts, false);
  return tn;
}

describe('H on the GPU: the quotient kernels leave it, the MSM reads it there', { skip }, () => {
  test('split everywhere: parts of 8, table buffers of 7, batches of 5; offsets and lengths', async () => {
    const ntt = await WebgpuNtt.create(gpu!, { partElements: 8 });
    const msm = await CurveMsm.create(gpu!, 'g1', { bufferPoints: 7, chunk: 3, segment: 3, batch: 5 });
    const rng = new Rng('webgpu-h-split');
    const t = msm.newTable(63);
    const tn = await g1Tables(rng, 63, (p) => msm.appendPoints(t, p, false));
    // n values: the domain m is 16 (two parts) or 64 (eight), H its first m - 1
    for (const n of [9, 40]) {
      const [a, b, c] = [0, 1, 2].map(() => frVector(rng.frs(n))) as [Uint8Array, Uint8Array, Uint8Array];
      const hHost = await native!.quotient(a, b, c);
      const m = hHost.length / FR_BYTES + 1;
      const h = await ntt.quotientOnDevice(await ntt.quotientSpaceOf(a, b, c));
      try {
        assert.equal(h.buffers.length, m / 8);
        const what = `n ${n} (seed ${SEED})`;
        const want = await native!.msm(tn, 0, hHost);
        assert.equal(hex(await msm.msmVector(t, 0, h, m - 1)), hex(want), what);
        // from an offset into the table, fewer scalars than H has: the first 11
        const part = await native!.msm(tn, 3, hHost.subarray(0, 11 * FR_BYTES));
        assert.equal(hex(await msm.msmVector(t, 3, h, 11)), hex(part), `${what}, 11 from 3`);
        assert.equal(hex(await msm.msmVector(t, 5, h, 0)), hex(identity('g1')));
        await assert.rejects(msm.msmVector(t, 0, h, m + 1), /msmVector: \d+ scalars of a vector of \d+/);
        await assert.rejects(msm.msmVector(t, 60, h, 10), /msm reads bases 60\.\.70 of a table of 63/);
      } finally {
        freeVector(h);
      }
    }
    msm.freeTable(t);
  });

  test('one buffer each: the quotient read back equals the one left on the GPU', async () => {
    const ntt = await WebgpuNtt.create(gpu!);
    const msm = await CurveMsm.create(gpu!, 'g1');
    const rng = new Rng('webgpu-h-one');
    const t = msm.newTable(31);
    const tn = await g1Tables(rng, 31, (p) => msm.appendPoints(t, p, false));
    const [a, b, c] = [0, 1, 2].map(() => frVector(rng.frs(20))) as [Uint8Array, Uint8Array, Uint8Array];
    const hHost = await ntt.quotient(a, b, c);
    assert.equal(hex(hHost), hex(await native!.quotient(a, b, c)));
    const h = await ntt.quotientOnDevice(await ntt.quotientSpaceOf(a, b, c));
    try {
      assert.equal(h.buffers.length, 1);
      assert.equal(hex(await msm.msmVector(t, 0, h, 31)), hex(await native!.msm(tn, 0, hHost)));
    } finally {
      freeVector(h);
    }
    msm.freeTable(t);
  });
});

describe("the WebGPU backend's quotientMsm vs the CPU's quotientR1cs then msm", { skip }, () => {
  const b = withSoftwareAllowed(createWebgpuBackend);
  after(() => b.close());

  test('300 constraints and 3 inputs (a domain of 512): bytes and compact witness; onQuotient once', async () => {
    const { r1cs, inputs, aux } = randomR1cs('webgpu-quotient-msm', 300, 3, 211);
    const rng = new Rng('webgpu-quotient-msm-points');
    const t = b.newTable('g1', 511);
    const tn = await g1Tables(rng, 511, (p) => b.appendPoints(t, p, false));
    const want = await native!.msm(tn, 0, await native!.quotientR1cs(r1cs, inputs, aux));
    for (const [form, w] of [
      ['bytes', aux],
      ['compact', compactWitness(aux)],
    ] as const) {
      let calls = 0;
      const got = await b.quotientMsm!(r1cs, inputs, w, t, () => calls++);
      assert.equal(hex(got), hex(want), `${form} (seed ${SEED})`);
      assert.equal(calls, 1, form);
    }
    // a bad witness rejects before H is known; a G2 table is refused
    const big = aux.slice();
    big.fill(0xff, 32 * 7, 32 * 8);
    let calls = 0;
    await assert.rejects(
      b.quotientMsm!(r1cs, inputs, big, t, () => calls++),
      /aux: scalar 7 is not reduced/,
    );
    assert.equal(calls, 0);
    const t2 = b.newTable('g2', 1);
    await assert.rejects(b.quotientMsm!(r1cs, inputs, aux, t2), /the h query is a g1 table, not g2/);
    // a table of the wrong length for the domain
    const short = b.newTable('g1', 100);
    await b.appendPoints(short, await randomPoints(native!, 'g1', rng, 100), false);
    await assert.rejects(
      b.quotientMsm!(r1cs, inputs, aux, short),
      /msm reads bases 0\.\.511 of a table of 100/,
    );
    for (const x of [t, t2, short]) b.freeTable(x);
    native!.freeTable(tn);
  });
});
