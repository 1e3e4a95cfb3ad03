/**
 * Groth16 verification: e(A, B) = e(alpha, beta) * e(IC(inputs), gamma) * e(C, delta), checked as one
 * multi-pairing equal to 1. Public inputs exclude the constant ONE, as in bellperson.
 */
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { mod } from '../shared/fr.ts';
import type { Proof } from './proof.ts';
import type { VerifyingKey } from './verifying-key.ts';

export function verifyProof(vk: VerifyingKey, proof: Proof, publicInputs: readonly bigint[]): boolean {
  if (publicInputs.length + 1 !== vk.ic.length) {
    throw new RangeError(`verifying key takes ${vk.ic.length - 1} public inputs, got ${publicInputs.length}`);
  }
  let acc = vk.ic[0]!;
  publicInputs.forEach((x, i) => {
    const s = mod(x);
    if (s !== 0n) acc = acc.add(vk.ic[i + 1]!.multiply(s));
  });
  const one = bls12_381.fields.Fp12.ONE;
  // A pair with an identity side contributes 1; noble refuses identities, so they are left out.
  const pairs = [
    { g1: proof.a, g2: proof.b },
    { g1: vk.alphaG1.negate(), g2: vk.betaG2 },
    { g1: acc.negate(), g2: vk.gammaG2 },
    { g1: proof.c.negate(), g2: vk.deltaG2 },
  ].filter((p) => !p.g1.is0() && !p.g2.is0());
  const product = bls12_381.pairingBatch(pairs);
  return bls12_381.fields.Fp12.eql(product, one);
}
