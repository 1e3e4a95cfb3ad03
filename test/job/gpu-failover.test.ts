/**
 * A GPU that fails a job (C2_GPU_FAILED: a lost device, a kernel fault) fails the work, not the job: the
 * service moves to its fallback backend, proves the job again there, and proves later jobs there too.
 * The failing GPU is the CPU backend with every MSM refused as the CUDA and WebGPU backends refuse theirs.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { serviceConfig, startService } from '../../src/api/service.ts';
import type { Backend } from '../../src/backends/backend.ts';
import { createCpuBackend } from '../../src/backends/cpu/index.ts';
import type { ErrorBody, JobEvent, JobRecord } from '../../src/job/job-record.ts';
import { ProverError } from '../../src/shared/errors.ts';
import { call, waitJob } from '../support/service.ts';
import { body, sealVerifies, testVk } from '../api/fixtures.ts';

type JobWithLog = JobRecord & { log: JobEvent[] };

test('a GPU failure: the job proved again on the fallback backend, and the next job there', async () => {
  await testVk();
  const cpu = createCpuBackend();
  let refused = 0;
  const gpu: Backend = {
    ...cpu,
    name: 'gpu (test: every MSM fails)',
    msm: () => {
      refused++;
      return Promise.reject(new ProverError('C2_GPU_FAILED', 'GPU failure in a g1 MSM: device lost (test)'));
    },
  };
  // the fallback counts its MSMs: one proof's worth is what the failing GPU may have been asked at once
  const spare = createCpuBackend();
  let msms = 0;
  const fallback: Backend = {
    ...spare,
    msm: (...args) => {
      msms++;
      return spare.msm(...args);
    },
  };
  const base = mkdtempSync(join(tmpdir(), 'c2-failover-'));
  const env = {
    ...process.env,
    C2_STRUCTURE_CACHE: join(tmpdir(), 'c2-test-structures'),
    FIL_PROOFS_PARAMETER_CACHE: join(base, 'no-production-params'),
  };
  Object.assign(process.env, env);
  const svc = await startService(
    {
      ...serviceConfig({ 'test-params': true, 'data-dir': join(base, 'data'), port: '0' }, env),
      logLevel: 'fatal',
    },
    { opened: { backends: [{ kind: 'gpu', backend: gpu }], skipped: [] }, fallback },
  );
  try {
    const submit = async (dir: string): Promise<JobWithLog> => {
      const r = await call<{ job: JobRecord } & ErrorBody>(svc.url, 'POST', '/jobs', body(dir));
      assert.equal(r.status, 202, JSON.stringify(r.body));
      return waitJob<JobWithLog>(svc.url, r.body.job.id);
    };
    const first = await submit('2kib/v1_1-t01000-s1');
    assert.equal(first.state, 'Done', JSON.stringify(first.log));
    assert.equal(first.attempts, 2);
    const perProof = msms;
    assert.ok(perProof > 0);
    assert.ok(
      refused <= perProof,
      `the failing GPU is not tried again (no structure rebuild, no retry on it): ${refused} MSMs refused, ${perProof} a proof`,
    );
    const lost = first.log.filter((e) => e.kind === 'WorkerLost');
    assert.equal(lost.length, 1);
    assert.match(
      lost[0]!.message,
      /^the GPU failed \(GPU failure in a g1 MSM: device lost \(test\)\): proving again on the cpu/,
    );
    const started = first.log.filter((e) => e.kind === 'Started').map((e) => e.message);
    assert.match(started[0]!, /\(gpu \(test: every MSM fails\)\)$/);
    assert.match(started[1]!, /\(cpu /);
    assert.match(first.result!.backend, /^cpu/);
    assert.ok(await sealVerifies('2kib/v1_1-t01000-s1', first.result!.proof, 't01000'));

    const ready = await call<{ backend: string; parameters: { sectorSize: number; backend?: string }[] }>(
      svc.url,
      'GET',
      '/readyz',
    );
    assert.match(ready.body.backend, /^cpu/, 'the node says where it proves now');
    const held = ready.body.parameters.find((p) => p.sectorSize === 2048);
    assert.match(held?.backend ?? '', /^cpu/, 'and where the 2KiB key is loaded');
    const before = refused;
    const second = await submit('2kib/v1_1-t01000-s2');
    assert.equal(second.state, 'Done', JSON.stringify(second.log));
    assert.equal(second.attempts, 1, 'a later job goes to the fallback at once');
    assert.equal(refused, before);
    assert.ok(await sealVerifies('2kib/v1_1-t01000-s2', second.result!.proof, 't01000'));
  } finally {
    await svc.stop();
  }
});
