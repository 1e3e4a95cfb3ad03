/**
 * Groth16 verification: e(A, B) = e(alpha, beta) * e(IC(inputs), gamma) * e(C, delta), checked as one
 * multi-pairing equal to 1, on blst in the native addon (native/src/verify.rs): a few milliseconds where
 * @noble/curves took ~0.3 s for a 32GiB partition's 327 public inputs, once a partition on the event loop
 * (test/support/reference-verify.ts keeps that one as the tests' reference). Public inputs exclude the
 * constant ONE, as in bellperson.
 */
import { loadAddon } from '../backends/cpu/index.ts';
import { FR_BYTES, frToBytes, mod } from '../shared/fr.ts';
import type { Proof } from './proof.ts';
import { serializeVerifyingKey, type VerifyingKey } from './verifying-key.ts';

type NativeKey = InstanceType<ReturnType<typeof loadAddon>['Groth16Key']>;

/** Each key decoded and checked once, natively: those checks are most of a 32GiB proof's verification. */
const prepared = new WeakMap<VerifyingKey, NativeKey>();

function preparedKey(vk: VerifyingKey): NativeKey {
  let key = prepared.get(vk);
  if (!key) {
    key = new (loadAddon().Groth16Key)(serializeVerifyingKey(vk));
    prepared.set(vk, key);
  }
  return key;
}

export function verifyProof(vk: VerifyingKey, proof: Proof, publicInputs: readonly bigint[]): boolean {
  if (publicInputs.length + 1 !== vk.ic.length) {
    throw new RangeError(`verifying key takes ${vk.ic.length - 1} public inputs, got ${publicInputs.length}`);
  }
  const inputs = new Uint8Array(publicInputs.length * FR_BYTES);
  publicInputs.forEach((x, i) => frToBytes(mod(x), inputs, i * FR_BYTES));
  const a = proof.a.toBytes(false);
  const b = proof.b.toBytes(false);
  const p = new Uint8Array(2 * a.length + b.length);
  p.set(a, 0);
  p.set(b, a.length);
  p.set(proof.c.toBytes(false), a.length + b.length);
  return preparedKey(vk).verify(p, inputs);
}
