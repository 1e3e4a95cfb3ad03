/**
 * Shared by the backend tests: the native backend (or a skip outside CI when it is not built), the
 * reference, a seeded generator (set C2_TEST_SEED to replay a failure) and point helpers.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bls12_381 } from '@noble/curves/bls12-381.js';
import type { FullBackend, Group } from '../../src/backends/backend.ts';
import { FR_MODULUS } from '../../src/shared/fr.ts';
import { frVector } from '../../src/shared/fr-vector.ts';
import { createReferenceBackend } from './reference-backend.ts';

export const G1 = bls12_381.G1.Point;
export const G2 = bls12_381.G2.Point;

export const reference = createReferenceBackend();

/** The native backend, or undefined (with a warning) where it is not built and this is not CI. */
export async function nativeBackend(): Promise<FullBackend | undefined> {
  try {
    const { createCpuBackend } = await import('../../src/backends/cpu/index.ts');
    return createCpuBackend();
  } catch (e) {
    if (process.env.CI) throw e;
    console.warn(`native CPU backend not built, skipping its tests: ${(e as Error).message}`);
    return undefined;
  }
}

export const SEED = process.env.C2_TEST_SEED ?? String(Date.now());

/** Deterministic randomness from SEED: SHA-256 in counter mode. */
export class Rng {
  private counter = 0;
  private readonly label: string;
  constructor(label: string) {
    this.label = label;
  }
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let off = 0; off < n; off += 32) {
      const block = sha256(new TextEncoder().encode(`${SEED}:${this.label}:${this.counter++}`));
      out.set(block.subarray(0, Math.min(32, n - off)), off);
    }
    return out;
  }
  /** Uniform enough in [0, r). */
  fr(): bigint {
    let v = 0n;
    for (const b of this.bytes(48)) v = (v << 8n) | BigInt(b);
    return v % FR_MODULUS;
  }
  int(n: number): number {
    const b = this.bytes(4);
    return (((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0) % n;
  }
  frs(n: number): bigint[] {
    return Array.from({ length: n }, () => this.fr());
  }
}

/** Scalars of every kind an MSM must get right, in turn: 0, 1, r - 1, 2, small, random (twice). */
export function mixedScalars(rng: Rng, n: number): bigint[] {
  const kinds = [() => 0n, () => 1n, () => FR_MODULUS - 1n, () => 2n, () => BigInt(rng.int(1000))];
  return Array.from({ length: n }, (_, i) => (kinds[i % 7] ?? (() => rng.fr()))());
}

export function base(group: Group): Uint8Array {
  return group === 'g1' ? G1.BASE.toBytes(false) : G2.BASE.toBytes(false);
}

export function identity(group: Group): Uint8Array {
  return group === 'g1' ? G1.ZERO.toBytes(false) : G2.ZERO.toBytes(false);
}

/** n random subgroup points (from the native fixed-base kernel, which is itself checked elsewhere). */
export async function randomPoints(
  backend: FullBackend,
  group: Group,
  rng: Rng,
  n: number,
): Promise<Uint8Array> {
  return backend.fixedBaseMul(group, base(group), frVector(rng.frs(n).map((x) => x || 1n)));
}

export function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
