import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IllegalTransitionError, RETRY_LIMITS, handleFailure, plan } from '../../src/job/fsm.ts';

test('the planners walk a job from submission to its proof', () => {
  let s = plan(undefined, { kind: 'Submitted' });
  assert.equal(s, 'Queued');
  s = plan(s, { kind: 'Started', node: 'n', backend: 'cpu' });
  assert.equal(s, 'Checking');
  for (const [stage, next] of [
    ['check', 'Synthesizing'],
    ['synthesis', 'LoadingParams'],
    ['params', 'Proving'],
    ['partition', 'Proving'],
  ] as const) {
    s = plan(s, { kind: 'StageDone', stage, ms: 1 });
    assert.equal(s, next);
  }
  assert.equal(plan(s, { kind: 'Proved' }), 'Done');
});

test('terminal states take nothing but a resubmission of a failed or cancelled job', () => {
  for (const e of [
    { kind: 'Started', node: 'n', backend: 'cpu' },
    { kind: 'Proved' },
    { kind: 'CancelRequested' },
  ] as const)
    assert.throws(() => plan('Done', e), IllegalTransitionError);
  assert.throws(() => plan('BadInput', { kind: 'Resubmitted' }), IllegalTransitionError);
  assert.equal(plan('Failed', { kind: 'Resubmitted' }), 'Queued');
  assert.equal(plan('Cancelled', { kind: 'Resubmitted' }), 'Queued');
  assert.throws(() => plan('Queued', { kind: 'Proved' }), IllegalTransitionError);
});

test('a cancel ends a queued job at once and a running one only when its work stops', () => {
  assert.equal(plan('Queued', { kind: 'CancelRequested' }), 'Cancelled');
  assert.equal(plan('Proving', { kind: 'CancelRequested' }), 'Proving');
  assert.equal(plan('Proving', { kind: 'Cancelled', reason: 'x' }), 'Cancelled');
});

test('failure states retry within their limits, then fail with their code', () => {
  assert.equal(plan('Proving', { kind: 'ProofRejected', message: 'x' }), 'ProofRejected');
  assert.equal(plan('Synthesizing', { kind: 'WorkerLost', message: 'x' }), 'WorkerLost');
  assert.equal(handleFailure('ProofRejected', 0, 'm').kind, 'Retry');
  const failed = handleFailure('ProofRejected', RETRY_LIMITS.ProofRejected, 'm');
  assert.equal(failed.kind, 'Failed');
  assert.equal(failed.kind === 'Failed' && failed.code, 'C2_PROOF_REJECTED');
  assert.equal(handleFailure('WorkerLost', RETRY_LIMITS.WorkerLost - 1, 'm').kind, 'Retry');
  const lost = handleFailure('WorkerLost', RETRY_LIMITS.WorkerLost, 'm');
  assert.equal(lost.kind === 'Failed' && lost.code, 'C2_WORKER_LOST');
  assert.equal(plan('WorkerLost', { kind: 'Retry', reason: 'r' }), 'Queued');
  assert.equal(plan('ProofRejected', { kind: 'Failed', code: 'C2_PROOF_REJECTED', message: 'm' }), 'Failed');
});
