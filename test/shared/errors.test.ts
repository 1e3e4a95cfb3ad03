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
    [new Commit2InputError([{ path: ['x'], message: 'bad' }]), 'C2_BAD_INPUT'],
    [new ParamsNotFoundError('/nowhere.params'), 'C2_PARAMS_MISSING'],
    [new ParamsFormatError('not a key'), 'C2_PARAMS_INVALID'],
    [new ProofRejectedError(0), 'C2_PROOF_REJECTED'],
    [new NoBackendError([{ name: 'cuda', reason: 'not implemented yet' }]), 'C2_BACKEND_UNAVAILABLE'],
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
  assert.equal(errorCode(new Error('boom')), 'C2_INTERNAL');
  assert.equal(errorCode('a string'), 'C2_INTERNAL');
});

test('a backend that cannot be had is reported with its code', () => {
  assert.throws(
    () => pickBackend('no-such-backend'),
    (e: unknown) => e instanceof NoBackendError && e.code === 'C2_BACKEND_UNAVAILABLE',
  );
});
