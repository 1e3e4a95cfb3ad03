/**
 * The codes the service answers by: every error a Commit2 job throws on purpose carries its own, and
 * anything else reads as internal.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorCode, errorCodeSchema, ProverError } from '../../src/shared/errors.ts';
import { Commit2InputError } from '../../src/porep/commit2-input.ts';
import { ParamsNotFoundError, ProofRejectedError } from '../../src/job/commit2.ts';
import { ParamsFormatError } from '../../src/groth16/verifying-key.ts';
import { NoBackendError, pickBackend } from '../../src/backends/index.ts';

test('each error of a job carries its stable code', () => {
  const cases: [Error, string][] = [
    [new Commit2InputError([{ path: ['x'], message: 'bad' }]), 'invalid_input'],
    [new ParamsNotFoundError('/nowhere.params'), 'params_not_found'],
    [new ParamsFormatError('not a key'), 'params_invalid'],
    [new ProofRejectedError(0), 'proof_rejected'],
    [new NoBackendError([{ name: 'cuda', reason: 'not implemented yet' }]), 'backend_unavailable'],
  ];
  for (const [e, code] of cases) {
    assert.ok(e instanceof ProverError, `${e.name} is a ProverError`);
    assert.equal(errorCode(e), code, e.name);
    assert.equal(errorCodeSchema.parse(code), code);
  }
  assert.equal(new ParamsFormatError('x').name, 'ParamsFormatError');
  assert.equal(new ProofRejectedError(1).name, 'ProofRejectedError');
});

test('anything else is internal', () => {
  assert.equal(errorCode(new Error('boom')), 'internal');
  assert.equal(errorCode('a string'), 'internal');
});

test('a backend that cannot be had is reported with its code', () => {
  assert.throws(
    () => pickBackend('webgpu'),
    (e: unknown) => e instanceof NoBackendError && e.code === 'backend_unavailable',
  );
});
