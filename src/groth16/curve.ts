/**
 * BLS12-381 points at the edges of the prover: parsing and encoding in bellperson's formats and the handful
 * of group operations that assemble a proof (scalars are shared/fr.ts). Bulk work goes through a Backend;
 * this uses @noble/curves, which is exact and fast enough for a few dozen operations.
 */
import { bls12_381 } from '@noble/curves/bls12-381.js';

export const G1 = bls12_381.G1.Point;
export const G2 = bls12_381.G2.Point;
export type G1Point = InstanceType<typeof G1>;
export type G2Point = InstanceType<typeof G2>;

/** Parses an uncompressed G1 point; `check` adds the subgroup test (on-curve is always tested). */
export function g1FromUncompressed(bytes: Uint8Array, check = true): G1Point {
  const p = G1.fromBytes(bytes);
  if (check && !p.is0() && !p.isTorsionFree()) throw new RangeError('G1 point not in the subgroup');
  return p;
}

export function g2FromUncompressed(bytes: Uint8Array, check = true): G2Point {
  const p = G2.fromBytes(bytes);
  if (check && !p.is0() && !p.isTorsionFree()) throw new RangeError('G2 point not in the subgroup');
  return p;
}

export const g1ToUncompressed = (p: G1Point): Uint8Array => p.toBytes(false);
export const g2ToUncompressed = (p: G2Point): Uint8Array => p.toBytes(false);
