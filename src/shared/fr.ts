/**
 * The scalar field Fr of BLS12-381 as every layer sees it: the modulus, reduction, a few exact operations on
 * bigints, and the one encoding used everywhere (32 bytes little-endian, canonical, not Montgomery), which is
 * bellperson's on disk, filecoin's Domain::into_bytes and the backends' kernels alike.
 */

export const FR_BYTES = 32;

/** The scalar field order r. */
export const FR_MODULUS = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001n;

export function mod(x: bigint): bigint {
  const v = x % FR_MODULUS;
  return v < 0n ? v + FR_MODULUS : v;
}

/**
 * The little-endian integer in `length` bytes from `offset`, unreduced: digests and keystreams become
 * challenges through it, and canonical field elements are checked against r afterwards by their callers.
 */
export function bigintFromLe(bytes: ArrayLike<number>, offset = 0, length = FR_BYTES): bigint {
  let v = 0n;
  // four bytes a BigInt step where the length allows (synthesis and the checks convert millions)
  if (length % 4 === 0) {
    for (let i = offset + length - 4; i >= offset; i -= 4)
      v =
        (v << 32n) |
        BigInt((bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24)) >>> 0);
    return v;
  }
  for (let i = offset + length - 1; i >= offset; i--) v = (v << 8n) | BigInt(bytes[i]!);
  return v;
}

export function frToBytes(x: bigint, out: Uint8Array = new Uint8Array(FR_BYTES), offset = 0): Uint8Array {
  let v = x >= 0n && x < FR_MODULUS ? x : mod(x);
  for (let i = offset; i < offset + FR_BYTES; i += 4) {
    const w = Number(BigInt.asUintN(32, v));
    out[i] = w & 0xff;
    out[i + 1] = (w >>> 8) & 0xff;
    out[i + 2] = (w >>> 16) & 0xff;
    out[i + 3] = w >>> 24;
    v >>= 32n;
  }
  return out;
}

/** The canonical element at `offset`; a value not below r is refused rather than reduced. */
export function frFromBytes(bytes: Uint8Array, offset = 0): bigint {
  const v = bigintFromLe(bytes, offset);
  if (v >= FR_MODULUS) throw new RangeError(`scalar at byte ${offset} is not reduced modulo r`);
  return v;
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

/** A uniformly random non-zero scalar from the system CSPRNG (64 bytes reduced: bias below 2^-256). */
export function frRandom(): bigint {
  for (;;) {
    const bytes = crypto.getRandomValues(new Uint8Array(64));
    const s = mod(bigintFromLe(bytes, 0, 64));
    if (s !== 0n) return s;
  }
}
