/**
 * Groth16 verification on @noble/curves: the tests' reference for the native check (src/groth16/verify.ts),
 * e(A, B) = e(alpha, beta) * e(IC(inputs), gamma) * e(C, delta) as one multi-pairing equal to 1.
 */
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { mod } from '../../src/shared/fr.ts';
import type { Proof } from '../../src/groth16/proof.ts';
import type { VerifyingKey } from '../../src/groth16/verifying-key.ts';

export function verifyProofReference(
  vk: VerifyingKey,
  proof: Proof,
  publicInputs: readonly bigint[],
): boolean {
  if (publicInputs.length + 1 !== vk.ic.length) {
    throw new RangeError(`verifying key takes ${vk.ic.length - 1} public inputs, got ${publicInputs.length}`);
  }
  let acc = vk.ic[0]!;
  publicInputs.forEach((x, i) => {
    const s = mod(x);
    if (s !== 0n) acc = acc.add(vk.ic[i + 1]!.multiply(s));
  });
  const one = bls12_381.fields.Fp12.ONE;
  // a pair with an identity side contributes 1; noble refuses identities, so they are left out
  const pairs = [
    { g1: proof.a, g2: proof.b },
    { g1: vk.alphaG1.negate(), g2: vk.betaG2 },
    { g1: acc.negate(), g2: vk.gammaG2 },
    { g1: proof.c.negate(), g2: vk.deltaG2 },
  ].filter((p) => !p.g1.is0() && !p.g2.is0());
  return bls12_381.fields.Fp12.eql(bls12_381.pairingBatch(pairs), one);
}
