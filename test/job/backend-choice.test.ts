/**
 * The backend a job's size goes to: measured (each backend's kernels timed, the size's parameter file
 * estimated on the fitted rates), configured (C2_BACKEND_BY_SIZE), forced, or by order where nothing was
 * measured; a failed GPU's sizes go to the fallback. Measured for real on this machine: the CPU backend
 * against WebGPU on Mesa's llvmpipe (allowed for the test), which is orders of magnitude slower, so the
 * measurement must send the 2KiB size to the CPU.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCpuBackend } from '../../src/backends/cpu/index.ts';
import { openBackends, type Opened } from '../../src/backends/index.ts';
import { estimateProofMs, selfTest } from '../../src/backends/profile.ts';
import type { Backend } from '../../src/backends/backend.ts';
import { ProverError } from '../../src/shared/errors.ts';
import {
  BackendChoice,
  measureProfile,
  parseBySize,
  profileCovers,
  proofWork,
  readProfile,
} from '../../src/job/backend-choice.ts';
import { ensure2KiBTestParams } from '../../src/job/test-params.ts';
import { profileFile, serviceBackends } from '../../src/api/service.ts';

const cpu = createCpuBackend();
const { params } = await ensure2KiBTestParams(cpu);
const dataDir = mkdtempSync(join(tmpdir(), 'c2-choice-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

/** CPU and WebGPU on llvmpipe, or undefined where this machine has no WebGPU adapter at all. */
function withSoftwareWebgpu(): Opened | undefined {
  const saved = process.env.C2_WEBGPU_ALLOW_SOFTWARE;
  process.env.C2_WEBGPU_ALLOW_SOFTWARE = '1';
  try {
    const opened = openBackends('');
    return opened.backends.some((b) => b.kind === 'webgpu') ? opened : undefined;
  } finally {
    if (saved === undefined) delete process.env.C2_WEBGPU_ALLOW_SOFTWARE;
    else process.env.C2_WEBGPU_ALLOW_SOFTWARE = saved;
  }
}
const both = withSoftwareWebgpu();
after(() => {
  for (const b of both?.backends ?? []) (b.backend as { close?: () => void }).close?.();
});

test('C2_BACKEND_BY_SIZE: sizes to backends, and what is wrong with a bad entry', () => {
  const kinds = ['cuda', 'cpu'];
  assert.deepEqual(
    [...parseBySize('32GiB=cuda, 2KiB=cpu,', kinds)],
    [
      [32 * 2 ** 30, 'cuda'],
      [2048, 'cpu'],
    ],
  );
  assert.throws(() => parseBySize('32G=cuda', kinds), /"32G=cuda" is not SIZE=BACKEND/);
  assert.throws(() => parseBySize('2KiB=webgpu', kinds), /"webgpu" in "2KiB=webgpu" is none of cuda, cpu/);
  const opened: Opened = {
    backends: [{ kind: 'cpu', backend: cpu }],
    skipped: [{ name: 'cuda', reason: 'no driver' }],
  };
  assert.throws(
    () => new BackendChoice({ opened, bySize: new Map([[2048, 'cuda']]) }),
    /2KiB=cuda, but cuda is unavailable: no driver/,
  );
});

test('the proof work of a parameter file: its quotient domain and MSM sizes', async () => {
  const w = await proofWork(params);
  // the 2KiB circuit: 2,687,921 constraints and 40 inputs in a 2^22 domain, 2,685,673 aux
  assert.equal(w.domain, 2 ** 22);
  assert.ok(w.g1Witness > 2_685_673 && w.g1Witness < 3 * 2_685_713, String(w.g1Witness));
  assert.ok(w.g2Witness > 0 && w.g2Witness < w.g1Witness);
});

test(
  'measured: the CPU proves 2KiB faster than WebGPU on llvmpipe, so 2KiB goes to the CPU',
  { skip: both ? false : 'no WebGPU adapter here' },
  async () => {
    const file = profileFile({ dataDir });
    // small sizes: llvmpipe takes seconds per MSM of a few hundred points
    const profile = await measureProfile(both!, file, { minLog: 6, maxLog: 7, targetMs: 50 });
    assert.ok(profileCovers(await readProfile(file), both!), 'kept, and it covers both');
    for (const r of profile.backends) {
      for (const [k, f] of Object.entries(r.kernels))
        assert.ok(f.points.length >= 1 && f.points.every((p) => p.ms > 0), `${r.kind} ${k}`);
    }
    const work = await proofWork(params);
    const [gpu, host] = ['webgpu', 'cpu'].map((k) =>
      estimateProofMs(
        profile.backends.find((b) => b.kind === k)!,
        work,
      ),
    );
    assert.ok(gpu! > host!, `llvmpipe ${gpu} ms, cpu ${host} ms`);

    const choice = new BackendChoice({ opened: both!, profile, fallback: both!.backends.at(-1)!.backend });
    const c = await choice.forJob(2048, params);
    assert.equal(c.kind, 'cpu', c.why);
    assert.match(c.why, /^measured .*: a proof estimated at cpu [\d.]+ s, webgpu [\d.]+ s$/);

    // configured wins over measured
    const set = new BackendChoice({ opened: both!, profile, bySize: new Map([[2048, 'webgpu']]) });
    assert.equal((await set.forJob(2048, params)).kind, 'webgpu');
    // a profile of other devices says nothing here: the order decides, and says to measure
    const stale = {
      ...profile,
      backends: profile.backends.map((b) => ({ ...b, name: `${b.name} (elsewhere)` })),
    };
    const byOrder = await new BackendChoice({ opened: both!, profile: stale }).forJob(2048, params);
    assert.equal(byOrder.kind, 'webgpu');
    assert.match(
      byOrder.why,
      /^first in order; not measured here \(webgpu, cpu\): run `c2prover calibrate`$/,
    );

    // the service reads the kept profile instead of measuring again
    const saved = process.env.C2_WEBGPU_ALLOW_SOFTWARE;
    process.env.C2_WEBGPU_ALLOW_SOFTWARE = '1';
    try {
      const svc = await serviceBackends({ dataDir }, undefined, { ...process.env, C2_BACKEND: '' });
      assert.equal(svc.profile?.measuredAt, profile.measuredAt);
      assert.equal(svc.fallback?.name, cpu.name);
      for (const b of svc.opened.backends) (b.backend as { close?: () => void }).close?.();
    } finally {
      if (saved === undefined) delete process.env.C2_WEBGPU_ALLOW_SOFTWARE;
      else process.env.C2_WEBGPU_ALLOW_SOFTWARE = saved;
    }
  },
);

/** The CPU backend as a GPU whose MSMs fail while `broken()` says so. */
function flakyGpu(name: string, broken: () => boolean): Backend {
  return {
    ...cpu,
    name,
    msm: (table, start, scalars, density) =>
      broken()
        ? Promise.reject(new ProverError('C2_GPU_FAILED', 'GPU failure in a g1 MSM: device lost (test)'))
        : cpu.msm(table, start, scalars, density),
  };
}

test("a failed GPU's sizes go to the fallback, and the choice says why", async () => {
  const gpu = flakyGpu('gpu (test: dead)', () => true);
  const opened: Opened = { backends: [{ kind: 'cuda', backend: gpu }], skipped: [] };
  const choice = new BackendChoice({ opened, fallback: cpu });
  const first = await choice.forJob(2048, params);
  assert.equal(first.backend, gpu);
  assert.match(first.why, /^first in order; not measured here \(cuda, fallback\)/);
  assert.equal(choice.failover(gpu), true);
  // the first failure is self-tested at once: a dead GPU fails it and stays out
  const after = await choice.forJob(2048, params);
  assert.equal(after.backend, cpu);
  assert.equal(after.why, 'the only backend (after a GPU failure)');
  assert.equal(choice.preferred, cpu);
  assert.equal(choice.failover(cpu), false, 'nothing after the fallback');
  assert.equal(BackendChoice.only(cpu).failover(cpu), false);
});

test("one job's GPU failure: the GPU passes its self-test at once and proves the other jobs, not that one", async () => {
  const gpu: Backend = { ...cpu, name: 'gpu (test: one job failed)' };
  const opened: Opened = { backends: [{ kind: 'cuda', backend: gpu }], skipped: [] };
  // a retry time longer than the test: only the first failure's test at once can bring it back
  const choice = new BackendChoice({ opened, fallback: cpu, retryMs: 600_000 });
  assert.equal(choice.failover(gpu), true);
  const retry = await choice.forJob(2048, params, new Set([gpu]));
  assert.equal(retry.backend, cpu, 'the job it failed goes elsewhere');
  assert.match(retry.why, /; not gpu \(test: one job failed\), which failed this job$/);
  const next = await choice.forJob(2048, params);
  assert.equal(next.backend, gpu, 'the other jobs stay on the GPU');
  assert.match(next.why, /a failed GPU back in use after its self-test/);
  // failing again before it proved a job: out until the retry time
  assert.equal(choice.failover(gpu), true);
  assert.equal((await choice.forJob(2048, params)).backend, cpu);

  // a proof in between makes the next failure a first one again
  const other = new BackendChoice({ opened, fallback: cpu, retryMs: 600_000 });
  other.failover(gpu);
  assert.equal((await other.forJob(2048, params)).backend, gpu);
  other.proved(gpu);
  other.failover(gpu);
  assert.equal((await other.forJob(2048, params)).backend, gpu);
  // with nothing else left the job goes where it can
  assert.equal((await BackendChoice.only(cpu).forJob(2048, params, new Set([cpu]))).backend, cpu);
});

test('a failed GPU is self-tested again after the retry time: failing it stays out, passing it proves again', async () => {
  let broken = true;
  const gpu = flakyGpu('gpu (test: broken until mended)', () => broken);
  const warned: string[] = [];
  const log = { info: () => undefined, warn: (o: object) => warned.push(JSON.stringify(o)) };
  const opened: Opened = { backends: [{ kind: 'cuda', backend: gpu }], skipped: [] };
  const choice = new BackendChoice({ opened, fallback: cpu, retryMs: 1, log });
  assert.equal(choice.failover(gpu), true);
  await new Promise((r) => setTimeout(r, 5));
  const still = await choice.forJob(2048, params);
  assert.equal(still.backend, cpu, 'the self-test failed: the GPU stays out');
  assert.match(warned[0] ?? '', /device lost \(test\)/);
  broken = false;
  await new Promise((r) => setTimeout(r, 10)); // the next test comes after the retry time
  const back = await choice.forJob(2048, params);
  assert.equal(back.backend, gpu);
  assert.match(back.why, /a failed GPU back in use after its self-test/);

  // a GPU whose MSM answers wrong is not taken back either
  const wrong: Backend = { ...cpu, name: 'gpu (test: wrong answers)', msm: async () => new Uint8Array(96) };
  const other = new BackendChoice({
    opened: { backends: [{ kind: 'cuda', backend: wrong }], skipped: [] },
    fallback: cpu,
    retryMs: 1,
  });
  other.failover(wrong);
  await new Promise((r) => setTimeout(r, 5));
  assert.equal((await other.forJob(2048, params)).backend, cpu);
  await assert.rejects(selfTest(wrong, cpu), /self-test: gpu \(test: wrong answers\)'s g1 MSM differs/);
  await selfTest(cpu, createCpuBackend());
});
