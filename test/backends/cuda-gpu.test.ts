/**
 * The CUDA backend on a GPU, against the CPU backend: MSM (G1, G2; random, 0, 1, r - 1, repeated and
 * opposite bases, identities, density maps, start offsets, sizes that are not powers of two, the 0/1
 * split at bit-witness scale), NTT, inverse and coset NTT, the quotient, quotientR1cs and quotientMsm (H
 * summed on the GPU where the quotient left it), and a small
 * Groth16 proof proved on the GPU that verifies. Skipped, with the reason, where there is no GPU (every
 * machine of this project but a lent one); bench/device/run.sh runs it there with C2_CUDA_REQUIRED=1, which
 * turns the skip into a failure.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { POINT_BYTES, type FullBackend, type Group, type PointTable } from '../../src/backends/backend.ts';
import {
  type CudaBackend,
  CudaTable,
  RESIDENT_STRUCTURES,
  createCudaBackend,
  probeCuda,
} from '../../src/backends/cuda/index.ts';
import { FR_MODULUS, mod } from '../../src/shared/fr.ts';
import { frValues, frVector } from '../../src/shared/fr-vector.ts';
import { prove } from '../../src/groth16/prove.ts';
import { loadProvingKey } from '../../src/groth16/proving-key.ts';
import { assign, assignLean } from '../../src/groth16/r1cs.ts';
import { generateParameters, toxicFromSeed } from '../../src/groth16/setup.ts';
import { verifyProof } from '../../src/groth16/verify.ts';
import {
  G1,
  G2,
  Rng,
  SEED,
  concat,
  hex,
  identity,
  nativeBackend,
  randomPoints,
  mixedScalars,
} from '../support/backend-helpers.ts';
import { sampleCircuit } from '../support/circuits.ts';
import { randomR1cs, rejectsBadR1cs } from '../support/random-r1cs.ts';
import { compactWitness } from '../../src/groth16/witness.ts';

const cpu = await nativeBackend();
let reason: string | undefined;
let cuda: CudaBackend | undefined;
try {
  if (!cpu) throw new Error('native addon not built');
  probeCuda();
  cuda = createCudaBackend();
} catch (e) {
  reason = `no GPU here: ${(e as Error).message}`;
  if (process.env.C2_CUDA_REQUIRED === '1') throw new Error(`C2_CUDA_REQUIRED=1 but ${reason}`, { cause: e });
}
const skip = reason ?? false;
const groups: Group[] = ['g1', 'g2'];

async function tables(group: Group, points: Uint8Array): Promise<[PointTable, PointTable]> {
  const n = points.length / POINT_BYTES[group];
  const tg = cuda!.newTable(group, n);
  const tc = cpu!.newTable(group, n);
  await cuda!.appendPoints(tg, points, true);
  await cpu!.appendPoints(tc, points, false);
  return [tg, tc];
}

async function same(tg: PointTable, tc: PointTable, start: number, scalars: bigint[], density?: Uint8Array) {
  const s = frVector(scalars);
  const want = await cpu!.msm(tc, start, s, density);
  const got = await cuda!.msm(tg, start, s, density);
  assert.equal(hex(got), hex(want), `msm of ${scalars.length} scalars from ${start} (seed ${SEED})`);
}

describe('cuda msm vs cpu', { skip }, () => {
  for (const group of groups) {
    test(`${group}: sizes 0..4097, mixed and random scalars, offsets`, async () => {
      const rng = new Rng(`cuda-msm-${group}`);
      const pts = await randomPoints(cpu!, group, rng, 4097);
      const [tg, tc] = await tables(group, pts);
      for (const n of [0, 1, 2, 3, 31, 32, 33, 65, 1000, 1023, 1025, 4097])
        await same(tg, tc, 0, mixedScalars(rng, n));
      await same(tg, tc, 0, rng.frs(3000));
      await same(tg, tc, 97, rng.frs(4000));
      await same(tg, tc, 4096, [rng.fr()]);
      await same(tg, tc, 0, Array(4097).fill(1n)); // the batch addition alone
      await same(tg, tc, 0, Array(4097).fill(0n)); // nothing at all
      await same(tg, tc, 0, Array(4097).fill(FR_MODULUS - 1n));
      cuda!.freeTable(tg);
      cpu!.freeTable(tc);
    });

    test(`${group}: identity, repeated and opposite bases`, async () => {
      const rng = new Rng(`cuda-msm-edge-${group}`);
      const P = group === 'g1' ? G1.BASE.multiply(rng.fr()) : G2.BASE.multiply(rng.fr());
      const Q = group === 'g1' ? G1.BASE.multiply(rng.fr()) : G2.BASE.multiply(rng.fr());
      const list = Array.from(
        { length: 300 },
        (_, i) =>
          [identity(group), P.toBytes(false), P.toBytes(false), P.negate().toBytes(false), Q.toBytes(false)][
            i % 5
          ]!,
      );
      const [tg, tc] = await tables(group, concat(list));
      await same(tg, tc, 0, Array(300).fill(1n));
      await same(tg, tc, 0, Array(300).fill(rng.fr()));
      await same(tg, tc, 0, mixedScalars(rng, 300));
      await same(tg, tc, 1, [1n, 1n]); // P + P
      await same(tg, tc, 2, [1n, 1n]); // P + -P
      await same(tg, tc, 0, [5n]); // the identity base
    });

    test(`${group}: density maps, and their errors`, async () => {
      const rng = new Rng(`cuda-msm-density-${group}`);
      const n = 5000;
      const density = Uint8Array.from({ length: n }, () => (rng.int(3) === 0 ? 0 : 1));
      const dense = density.reduce((a, b) => a + b, 0);
      const pts = await randomPoints(cpu!, group, rng, 7 + dense);
      const [tg, tc] = await tables(group, pts);
      await same(tg, tc, 7, mixedScalars(rng, n), density);
      await same(tg, tc, 7, rng.frs(n), density);
      await same(tg, tc, 0, [rng.fr(), rng.fr()], Uint8Array.of(0, 0));
      await assert.rejects(
        cuda!.msm(tg, 8, frVector(rng.frs(n)), Uint8Array.from(density).fill(1)),
        /table holds/,
      );
      await assert.rejects(cuda!.msm(tg, 0, frVector([1n, 2n]), Uint8Array.of(1)), /density/);
    });
  }

  test('a sealed table: its MSMs from GPU memory alone equal the CPU, appends refused', async () => {
    const rng = new Rng('cuda-sealed');
    for (const group of groups) {
      const pts = await randomPoints(cpu!, group, rng, 300);
      const [tg, tc] = await tables(group, pts);
      await cuda!.sealTable!(tg);
      assert.equal(tg.length, 300, 'the count stays');
      const s = frVector(mixedScalars(rng, 300));
      assert.equal(hex(await cuda!.msm(tg, 0, s)), hex(await cpu!.msm(tc, 0, s)), group);
      await assert.rejects(
        cuda!.appendPoints(tg, pts.subarray(0, POINT_BYTES[group]), false),
        /append: the table is sealed/,
      );
      cuda!.freeTable(tg);
      cpu!.freeTable(tc);
    }
  });

  test('g1: a bit witness at 2^17 (mostly 0/1), and points appended after the first MSM', async () => {
    const rng = new Rng('cuda-msm-bits');
    const n = 1 << 17;
    const pts = await randomPoints(cpu!, 'g1', rng, n);
    const tg = cuda!.newTable('g1', n);
    const tc = cpu!.newTable('g1', n);
    await cuda!.appendPoints(tg, pts.subarray(0, (n / 2) * 96), false);
    await cpu!.appendPoints(tc, pts.subarray(0, (n / 2) * 96), false);
    const bits = () =>
      Array.from({ length: n / 2 }, () => (rng.int(50) === 0 ? rng.fr() : BigInt(rng.int(2))));
    await same(tg, tc, 0, bits());
    await cuda!.appendPoints(tg, pts.subarray((n / 2) * 96), false);
    await cpu!.appendPoints(tc, pts.subarray((n / 2) * 96), false);
    await same(tg, tc, n / 2, bits());
    assert.equal((tg as unknown as { streamed: string | null }).streamed, null);
  });
});

describe('cuda ntt and quotient vs cpu', { skip }, () => {
  test('forward and inverse NTT, 2^0..2^16', async () => {
    const rng = new Rng('cuda-ntt');
    for (let lg = 0; lg <= 16; lg += lg < 4 ? 1 : 3) {
      const v = frVector(rng.frs(1 << lg));
      for (const dir of ['forward', 'inverse'] as const) {
        const a = Uint8Array.from(v);
        const b = Uint8Array.from(v);
        await cpu!.ntt(a, dir);
        await cuda!.ntt(b, dir);
        assert.equal(hex(b), hex(a), `${dir} NTT 2^${lg}`);
      }
    }
  });

  test('coset NTT: the NTT of v[i] * 7^i, and its inverse undoes it', async () => {
    const rng = new Rng('cuda-coset');
    const vals = rng.frs(1 << 10);
    let g = 1n;
    const shifted = vals.map((x) => {
      const y = mod(x * g);
      g = mod(g * 7n);
      return y;
    });
    const want = frVector(shifted);
    await cpu!.ntt(want, 'forward');
    const got = frVector(vals);
    await cuda!.ntt(got, 'forward', true);
    assert.equal(hex(got), hex(want));
    await cuda!.ntt(got, 'inverse', true);
    assert.deepEqual(frValues(got), vals);
  });

  test('quotient at sizes 1, 2, 5, 1024, 3000, 2^16', async () => {
    const rng = new Rng('cuda-quotient');
    for (const n of [1, 2, 5, 1024, 3000, 1 << 16]) {
      const [a, b, c] = [0, 1, 2].map(() => frVector(rng.frs(n)));
      assert.equal(hex(await cuda!.quotient(a!, b!, c!)), hex(await cpu!.quotient(a!, b!, c!)), `n = ${n}`);
    }
    await assert.rejects(
      cuda!.quotient(frVector([FR_MODULUS - 1n]).fill(0xff), frVector([1n]), frVector([1n])),
      /reduced/,
    );
  });
});

describe('cuda quotientR1cs vs cpu', { skip }, () => {
  // constraints + inputs on both sides of a power of two, empty systems, and one past 2^14
  for (const [rows, numInputs, numAux] of [
    [0, 1, 0],
    [1, 1, 1],
    [508, 4, 300],
    [510, 3, 211],
    [9000, 20, 5000],
    [(1 << 14) - 7, 7, 3000],
    [(1 << 14) + 5, 2, 20000],
  ] as const) {
    test(`${rows} constraints, ${numInputs} inputs, ${numAux} aux`, async () => {
      const { r1cs, inputs, aux } = randomR1cs(`cuda-r1cs-${rows}`, rows, numInputs, numAux, rows % 2 === 0);
      const want = await cpu!.quotientR1cs(r1cs, inputs, aux);
      const got = await cuda!.quotientR1cs(r1cs, inputs, aux);
      assert.equal(got.length, want.length);
      assert.equal(hex(got), hex(want), `seed ${SEED}`);
    });
  }

  test('the structure stays on the GPU between quotients, the least recently used dropped past the limit', async () => {
    const systems = [0, 1, 2].map((k) => randomR1cs(`cuda-resident-${k}`, 3000 + k, 3, 2000));
    const [first, second, third] = systems;
    for (let round = 0; round < 2; round++) {
      for (const { r1cs, inputs, aux } of [first!, first!, second!]) {
        const want = await cpu!.quotientR1cs(r1cs, inputs, aux);
        assert.equal(hex(await cuda!.quotientR1cs(r1cs, inputs, aux)), hex(want), `round ${round}`);
      }
      assert.deepEqual(
        cuda!.structureState(first!.r1cs),
        cuda!.info.devices.map(() => 'resident'),
      );
      // a third structure drops the first (least recently used); the first then uploads again
      const { r1cs, inputs, aux } = third!;
      assert.equal(
        hex(await cuda!.quotientR1cs(r1cs, inputs, aux)),
        hex(await cpu!.quotientR1cs(r1cs, inputs, aux)),
      );
      assert.equal(RESIDENT_STRUCTURES, 2);
      assert.ok(cuda!.structureState(first!.r1cs)!.every((s) => s === 'none'));
      assert.ok(cuda!.structureState(second!.r1cs)!.some((s) => s === 'resident'));
    }
  });

  test('rejects what the CPU rejects, with its reasons', () =>
    rejectsBadR1cs((r, i, a) => cuda!.quotientR1cs(r, i, a), 'cuda-r1cs-bad'));

  test('quotientMsm: H summed over the h table on the GPU equals the CPU quotient then MSM', async () => {
    const rng = new Rng('cuda-quotient-msm');
    for (const [rows, numInputs, numAux, seal] of [
      [510, 3, 211, false],
      [9000, 20, 5000, true],
    ] as const) {
      const { r1cs, inputs, aux } = randomR1cs(`cuda-quotient-msm-${rows}`, rows, numInputs, numAux);
      const hCpu = await cpu!.quotientR1cs(r1cs, inputs, aux);
      const n = hCpu.length / 32;
      const [tg, tc] = await tables('g1', await randomPoints(cpu!, 'g1', rng, n));
      // a sealed table: its points on the GPU only
      if (seal) await cuda!.sealTable!(tg);
      const want = await cpu!.msm(tc, 0, hCpu);
      for (const [form, w] of [
        ['bytes', aux],
        ['compact', compactWitness(aux)],
      ] as const) {
        let calls = 0;
        const got = await cuda!.quotientMsm!(r1cs, inputs, w, tg, () => calls++);
        assert.equal(hex(got), hex(want), `${rows} constraints, ${form} (seed ${SEED})`);
        assert.equal(calls, 1);
      }
      if (!seal) {
        const [short] = await tables('g1', await randomPoints(cpu!, 'g1', rng, 100));
        await assert.rejects(
          cuda!.quotientMsm!(r1cs, inputs, aux, short),
          new RegExp(`msm: needs bases \\[0, ${n}\\) but the table holds 100`),
        );
        const g2 = cuda!.newTable('g2', 1);
        await assert.rejects(cuda!.quotientMsm!(r1cs, inputs, aux, g2), /the h query is a g1 table, not g2/);
        for (const t of [short, g2]) cuda!.freeTable(t);
      }
      cuda!.freeTable(tg);
      cpu!.freeTable(tc);
    }
  });
});

describe('cuda memory', { skip }, () => {
  test('GPU memory does not grow from one round of MSMs, NTTs, quotients, quotientR1cs and quotientMsm to the next', async () => {
    const { cudaInfo } = await import('../../src/backends/cuda/addon.ts');
    const free = () => cudaInfo().devices[0]!.freeMem;
    const rng = new Rng('cuda-memory');
    const pts = await randomPoints(cpu!, 'g1', rng, 1 << 12);
    const t = cuda!.newTable('g1', 1 << 12);
    await cuda!.appendPoints(t, pts, false);
    const sys = randomR1cs('cuda-memory-r1cs', 5000, 3, 4000);
    // the h query of sys's domain (2^13)
    const h = cuda!.newTable('g1', (1 << 13) - 1);
    await cuda!.appendPoints(h, await randomPoints(cpu!, 'g1', rng, (1 << 13) - 1), false);
    const round = async () => {
      await cuda!.msm(t, 0, frVector(mixedScalars(rng, 1 << 12)));
      const v = frVector(rng.frs(1 << 14));
      await cuda!.ntt(v, 'forward');
      await cuda!.quotient(v, v, v);
      await cuda!.quotientR1cs(sys.r1cs, sys.inputs, sys.aux);
      await cuda!.quotientMsm!(sys.r1cs, sys.inputs, sys.aux, h);
    };
    await round(); // the table's upload and sppark's per-device state stay: measure after them
    const after1 = free();
    for (let i = 0; i < 5; i++) await round();
    const after6 = free();
    assert.ok(after1 - after6 < 64 * 2 ** 20, `free GPU memory fell by ${(after1 - after6) / 2 ** 20} MiB`);
    cuda!.freeTable(t);
    cuda!.freeTable(h);
  });
});

describe('groth16 on the cuda backend', { skip }, () => {
  let dir: string | undefined;
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('a proof made on the GPU verifies (lean and full assignments)', async () => {
    dir = await mkdtemp(join(tmpdir(), 'c2-cuda-'));
    const circuit = sampleCircuit(0xc0dan);
    const path = join(dir, 'sample.params');
    await generateParameters(cpu as FullBackend, circuit.cs.toR1cs(), path, toxicFromSeed('cuda'));
    const pk = await loadProvingKey(cuda!, path, { cacheFile: join(dir, 'validated.json') });
    try {
      const w = circuit.cs.witness();
      const r1cs = circuit.cs.toR1cs();
      const lean = await prove(cuda!, pk, assignLean(r1cs, w.inputs, w.aux));
      assert.equal(verifyProof(pk.vk, lean, circuit.publicInputs), true);
      const full = await prove(cuda!, pk, await assign(cpu!, r1cs, w.inputs, w.aux));
      assert.equal(verifyProof(pk.vk, full, circuit.publicInputs), true);
    } finally {
      pk.free();
    }
  });

  test("with C2_CUDA_G2=cpu the G2 tables and MSMs are the CPU's, and the proof verifies", async () => {
    dir ??= await mkdtemp(join(tmpdir(), 'c2-cuda-'));
    const circuit = sampleCircuit(0xc0dbn);
    const path = join(dir, 'sample-g2.params');
    await generateParameters(cpu as FullBackend, circuit.cs.toR1cs(), path, toxicFromSeed('cuda-g2'));
    const split = createCudaBackend({ g2: 'cpu' });
    assert.match(split.name, /, G2 on the CPU\)$/);
    const pk = await loadProvingKey(split, path, { cacheFile: join(dir, 'validated.json') });
    try {
      assert.ok(!(pk.tables.bG2 instanceof CudaTable), 'bG2 in host memory');
      assert.ok(pk.tables.bG1 instanceof CudaTable, 'bG1 on the GPU');
      const w = circuit.cs.witness();
      const proof = await prove(split, pk, assignLean(circuit.cs.toR1cs(), w.inputs, w.aux));
      assert.equal(verifyProof(pk.vk, proof, circuit.publicInputs), true);
    } finally {
      pk.free();
    }
  });
});
