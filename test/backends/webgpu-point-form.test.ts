/**
 * The choice of point-kernel form (C2_WEBGPU_POINTS, C2_WEBGPU_FQ_LAYOUT) and the module each form builds:
 * no adapter needed, the WGSL is only assembled here (webgpu-msm.test.ts runs it).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describePoints, pointKernels, pointModule } from '../../src/backends/webgpu/point-form.ts';
import { MSM_ENTRIES, MSM_FILES } from '../../src/backends/webgpu/msm.ts';

const limits = (storage: number, invocations: number) =>
  ({
    maxComputeWorkgroupStorageSize: storage,
    maxComputeInvocationsPerWorkgroup: invocations,
  }) as GPUSupportedLimits;

test('a software adapter takes the slot form, a GPU the registers form on word32 Fq, unless the environment says', () => {
  assert.deepEqual(pointKernels(true, {}), { form: 'slots', fq: 'word32' });
  assert.deepEqual(pointKernels(false, {}), { form: 'registers', fq: 'word32' });
  assert.deepEqual(pointKernels(true, { C2_WEBGPU_POINTS: 'registers', C2_WEBGPU_FQ_LAYOUT: 'limb16' }), {
    form: 'registers',
    fq: 'limb16',
  });
  assert.deepEqual(pointKernels(false, { C2_WEBGPU_POINTS: 'slots', C2_WEBGPU_FQ_LAYOUT: '' }), {
    form: 'slots',
    fq: 'word32',
  });
  assert.throws(
    () => pointKernels(false, { C2_WEBGPU_POINTS: 'register' }),
    /C2_WEBGPU_POINTS must be one of slots, registers, got "register"/,
  );
  // limb13's R is not the tables' 2^384
  assert.throws(
    () => pointKernels(false, { C2_WEBGPU_FQ_LAYOUT: 'limb13' }),
    /C2_WEBGPU_FQ_LAYOUT must be one of word32, limb16, got "limb13"/,
  );
  assert.equal(describePoints({ form: 'slots', fq: 'limb16' }), 'points slots');
  assert.equal(describePoints({ form: 'registers', fq: 'limb16' }), 'points registers limb16');
});

test('each form builds its own module: the slot file bounds the slot form, not the registers form', () => {
  const small = limits(32768, 256);
  const slots = pointModule('g1', { form: 'slots', fq: 'word32' }, small, MSM_FILES);
  const registers = pointModule('g1', { form: 'registers', fq: 'word32' }, small, MSM_FILES);
  const g2 = pointModule('g2', { form: 'slots', fq: 'word32' }, small, MSM_FILES);
  assert.ok(slots.workgroup < 64 && g2.workgroup < slots.workgroup, `${slots.workgroup} ${g2.workgroup}`);
  assert.equal(registers.workgroup, 64);
  assert.equal(
    pointModule('g1', { form: 'registers', fq: 'word32' }, limits(32768, 32), MSM_FILES).workgroup,
    32,
  );
  for (const { code } of [slots, registers])
    for (const entry of MSM_ENTRIES) assert.match(code, new RegExp(`fn ${entry}\\(`), entry);
  assert.match(registers.code, /fn pt_add\(/);
  assert.match(slots.code, /var<workgroup> fs:/);
  assert.doesNotMatch(registers.code, /var<workgroup> fs:/);
  const limb16 = pointModule('g1', { form: 'registers', fq: 'limb16' }, small, MSM_FILES);
  assert.notEqual(limb16.code, registers.code);
});
