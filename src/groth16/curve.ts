/**
 * BLS12-381 points and scalars at the edges of the prover: parsing and encoding in bellperson's formats
 * and the handful of group operations that assemble a proof. Bulk work goes through a Backend; this uses
 * @noble/curves, which is exact and fast enough for a few dozen operations.
 */
import { bls12_381 } from '@noble/curves/bls12-381.js';

export const G1 = bls12_381.G1.Point;
export const G2 = bls12_381.G2.Point;
export type G1Point = InstanceType<typeof G1>;
export type G2Point = InstanceType<typeof G2>;

/** The scalar field order r. */
export const FR_MODULUS = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001n;

export function mod(x: bigint): bigint {
  const v = x % FR_MODULUS;
  return v < 0n ? v + FR_MODULUS : v;
}

export function frToBytes(x: bigint, out: Uint8Array = new Uint8Array(32), offset = 0): Uint8Array {
  let v = mod(x);
  for (let i = 0; i < 32; i++) {
    out[offset + i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

export function frFromBytes(bytes: Uint8Array, offset = 0): bigint {
  let v = 0n;
  for (let i = 31; i >= 0; i--) v = (v << 8n) | BigInt(bytes[offset + i]!);
  if (v >= FR_MODULUS) throw new RangeError(`scalar at byte ${offset} is not reduced modulo r`);
  return v;
}

export function frVector(values: readonly bigint[]): Uint8Array {
  const out = new Uint8Array(values.length * 32);
  values.forEach((v, i) => frToBytes(v, out, i * 32));
  return out;
}

export function frPow(base: bigint, exp: bigint): bigint {
  let result = 1n;
  let b = mod(base);
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % FR_MODULUS;
    b = (b * b) % FR_MODULUS;
    e >>= 1n;
  }
  return result;
}

export function frInv(x: bigint): bigint {
  if (mod(x) === 0n) throw new RangeError('zero has no inverse');
  return frPow(x, FR_MODULUS - 2n);
}

/** A uniformly random non-zero scalar from the system CSPRNG. */
export function frRandom(): bigint {
  for (;;) {
    const bytes = crypto.getRandomValues(new Uint8Array(64));
    let v = 0n;
    for (const b of bytes) v = (v << 8n) | BigInt(b);
    const s = v % FR_MODULUS;
    if (s !== 0n) return s;
  }
}

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
