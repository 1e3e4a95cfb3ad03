/**
 * A Groth16 proof as bellperson writes it: compressed A (G1, 48 bytes), B (G2, 96), C (G1, 48). A
 * multi-partition Commit2 proof is the partitions' proofs concatenated.
 */
import { G1, G2, type G1Point, type G2Point } from './curve.ts';

export const PROOF_BYTES = 192;

export interface Proof {
  a: G1Point;
  b: G2Point;
  c: G1Point;
}

export function encodeProof(p: Proof): Uint8Array {
  const out = new Uint8Array(PROOF_BYTES);
  out.set(p.a.toBytes(true), 0);
  out.set(p.b.toBytes(true), 48);
  out.set(p.c.toBytes(true), 144);
  return out;
}

export function encodeProofs(proofs: readonly Proof[]): Uint8Array {
  const out = new Uint8Array(proofs.length * PROOF_BYTES);
  proofs.forEach((p, i) => out.set(encodeProof(p), i * PROOF_BYTES));
  return out;
}

/** Decodes and checks every point (on curve, in subgroup), as bellperson's Proof::read does. */
export function decodeProof(bytes: Uint8Array): Proof {
  if (bytes.length !== PROOF_BYTES)
    throw new RangeError(`a proof is ${PROOF_BYTES} bytes, got ${bytes.length}`);
  const a = G1.fromBytes(bytes.subarray(0, 48));
  const b = G2.fromBytes(bytes.subarray(48, 144));
  const c = G1.fromBytes(bytes.subarray(144, 192));
  for (const [name, p] of [
    ['A', a],
    ['B', b],
    ['C', c],
  ] as const) {
    if (!p.isTorsionFree()) throw new RangeError(`proof point ${name} is not in the subgroup`);
  }
  return { a, b, c };
}

export function decodeProofs(bytes: Uint8Array): Proof[] {
  if (bytes.length === 0 || bytes.length % PROOF_BYTES !== 0) {
    throw new RangeError(`proof bytes must be a non-zero multiple of ${PROOF_BYTES}, got ${bytes.length}`);
  }
  const out: Proof[] = [];
  for (let o = 0; o < bytes.length; o += PROOF_BYTES)
    out.push(decodeProof(bytes.subarray(o, o + PROOF_BYTES)));
  return out;
}
