/**
 * G1 points between the host and the G1 shaders' layout: Fq as 12 little-endian u32 words (Montgomery form
 * on the device), projective points as X, Y, Z (36 words), table points affine as x, y (24 words, the
 * identity all zero: (0, 0) is not on y^2 = x^3 + 4).
 */
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { FQ_MODULUS, MONT_R, R_INV } from './g1-program.ts';

export const G1Point = bls12_381.G1.Point;
export type G1Point = InstanceType<typeof G1Point>;

export const FQ_WORDS = 12;
export const PROJECTIVE_WORDS = 36;
export const AFFINE_WORDS = 24;

export function writeFq(out: Uint32Array, at: number, x: bigint): void {
  for (let k = 0; k < FQ_WORDS; k++) out[at + k] = Number((x >> BigInt(32 * k)) & 0xffffffffn);
}

export function readFq(words: Uint32Array, at: number): bigint {
  let x = 0n;
  for (let k = FQ_WORDS - 1; k >= 0; k--) x = (x << 32n) | BigInt(words[at + k]!);
  return x;
}

/** Projective points in the device's Montgomery layout. */
export function projectiveWords(points: readonly G1Point[]): Uint32Array {
  const out = new Uint32Array(points.length * PROJECTIVE_WORDS);
  points.forEach((p, i) => {
    [p.X, p.Y, p.Z].forEach((c, k) =>
      writeFq(out, i * PROJECTIVE_WORDS + k * FQ_WORDS, (c * MONT_R) % FQ_MODULUS),
    );
  });
  return out;
}

/** The device's projective points back, as noble points (checked on the curve). */
export function fromProjectiveWords(words: Uint32Array): G1Point[] {
  const out: G1Point[] = [];
  for (let i = 0; i < words.length / PROJECTIVE_WORDS; i++) {
    const [x, y, z] = [0, 1, 2].map(
      (k) => (readFq(words, i * PROJECTIVE_WORDS + k * FQ_WORDS) * R_INV) % FQ_MODULUS,
    );
    const p = z === 0n ? G1Point.ZERO : new G1Point(x!, y!, z!);
    p.assertValidity();
    out.push(p);
  }
  return out;
}

/**
 * Uncompressed 96-byte points (big-endian x || y, zcash flags in the top bits of the first byte) as affine
 * canonical words, the identity all zero; the device turns them into Montgomery form.
 */
export function affineWordsFromUncompressed(bytes: Uint8Array): Uint32Array {
  const n = bytes.length / 96;
  const out = new Uint32Array(n * AFFINE_WORDS);
  for (let i = 0; i < n; i++) {
    const p = 96 * i;
    // the infinity flag: the encoding is otherwise zero and the table's identity is all zero
    if (bytes[p]! & 0x40) continue;
    for (let c = 0; c < 2; c++) {
      const base = p + 48 * c;
      const w = i * AFFINE_WORDS + FQ_WORDS * c;
      for (let k = 0; k < FQ_WORDS; k++) {
        // word k holds bytes 47-4k-3 .. 47-4k of the coordinate (big-endian)
        const e = base + 47 - 4 * k;
        let b0 = bytes[e - 3]!;
        if (c === 0 && k === FQ_WORDS - 1) b0 &= 0x1f;
        out[w + k] = ((b0 << 24) | (bytes[e - 2]! << 16) | (bytes[e - 1]! << 8) | bytes[e]!) >>> 0;
      }
    }
  }
  return out;
}
