/**
 * G1 and G2 points between the host and the point shaders' layout: Fq as 12 little-endian u32 words
 * (Montgomery form on the device), Fq2 as c0 then c1; projective points X, Y, Z; table points affine x, y,
 * the identity all zero ((0, 0) is on neither y^2 = x^3 + 4 nor its twist).
 */
import { bls12_381 } from '@noble/curves/bls12-381.js';
import type { Group } from '../backend.ts';
import { COORD_FQ, FQ_MODULUS, MONT_R, R_INV } from './curve-program.ts';

export const G1Point = bls12_381.G1.Point;
export const G2Point = bls12_381.G2.Point;
export type G1Point = InstanceType<typeof G1Point>;
export type G2Point = InstanceType<typeof G2Point>;
export type CurvePoint = G1Point | G2Point;

export const FQ_WORDS = 12;
export const UNCOMPRESSED_BYTES: Record<Group, number> = { g1: 96, g2: 192 };
/** u32 words of an affine table point and of a projective point. */
export const affineWords = (g: Group): number => 2 * COORD_FQ[g] * FQ_WORDS;
export const projectiveWords = (g: Group): number => 3 * COORD_FQ[g] * FQ_WORDS;

export function writeFq(out: Uint32Array, at: number, x: bigint): void {
  for (let k = 0; k < FQ_WORDS; k++) out[at + k] = Number((x >> BigInt(32 * k)) & 0xffffffffn);
}

export function readFq(words: Uint32Array, at: number): bigint {
  let x = 0n;
  for (let k = FQ_WORDS - 1; k >= 0; k--) x = (x << 32n) | BigInt(words[at + k]!);
  return x;
}

/** The Fq components of a coordinate, c0 first. */
function components(c: bigint | { c0: bigint; c1: bigint }): bigint[] {
  return typeof c === 'bigint' ? [c] : [c.c0, c.c1];
}

export const zero = (g: Group): CurvePoint => (g === 'g1' ? G1Point.ZERO : G2Point.ZERO);

/** Projective points in the device's Montgomery layout. */
export function toProjectiveWords(group: Group, points: readonly CurvePoint[]): Uint32Array {
  const n = projectiveWords(group);
  const out = new Uint32Array(points.length * n);
  points.forEach((p, i) => {
    const fq = [p.X, p.Y, p.Z].flatMap((c) => components(c as bigint | { c0: bigint; c1: bigint }));
    fq.forEach((x, k) => writeFq(out, i * n + k * FQ_WORDS, (x * MONT_R) % FQ_MODULUS));
  });
  return out;
}

/** The device's projective points back, as noble points (checked on the curve). */
export function fromProjectiveWords(group: Group, words: Uint32Array): CurvePoint[] {
  const n = projectiveWords(group);
  const w = COORD_FQ[group];
  const out: CurvePoint[] = [];
  for (let i = 0; i < words.length / n; i++) {
    const fq = Array.from(
      { length: 3 * w },
      (_, k) => (readFq(words, i * n + k * FQ_WORDS) * R_INV) % FQ_MODULUS,
    );
    let p: CurvePoint;
    if (group === 'g1') {
      p = fq[2] === 0n ? G1Point.ZERO : new G1Point(fq[0]!, fq[1]!, fq[2]!);
    } else {
      const [x, y, z] = [0, 1, 2].map((c) => ({ c0: fq[2 * c]!, c1: fq[2 * c + 1]! }));
      p = z!.c0 === 0n && z!.c1 === 0n ? G2Point.ZERO : new G2Point(x!, y!, z!);
    }
    if (!p.is0()) p.assertValidity();
    out.push(p);
  }
  return out;
}
