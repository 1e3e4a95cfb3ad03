/**
 * The verifying key as bellperson writes it, at the head of every .params file and alone in a .vk file:
 * alpha_g1, beta_g1, beta_g2, gamma_g2, delta_g1, delta_g2 (uncompressed), then u32 BE count and IC points.
 */
import { type G1Point, type G2Point, g1FromUncompressed, g2FromUncompressed } from './curve.ts';
import { ProverError } from '../shared/errors.ts';

export interface VerifyingKey {
  alphaG1: G1Point;
  betaG1: G1Point;
  betaG2: G2Point;
  gammaG2: G2Point;
  deltaG1: G1Point;
  deltaG2: G2Point;
  ic: G1Point[];
}

/** Bytes before the IC points. */
export const VK_FIXED_BYTES = 96 * 3 + 192 * 3 + 4;
/** More IC points than any Filecoin circuit has public inputs, by far: a guard against foreign files. */
const MAX_IC = 1 << 20;

export class ParamsFormatError extends ProverError {
  override name = 'ParamsFormatError';
  constructor(message: string, options?: ErrorOptions) {
    super('C2_PARAMS_INVALID', message, options);
  }
}

export function vkByteLength(icCount: number): number {
  return VK_FIXED_BYTES + icCount * 96;
}

/** The IC count from the first VK_FIXED_BYTES of a file, validated for plausibility. */
export function readIcCount(head: Uint8Array): number {
  if (head.length < VK_FIXED_BYTES) throw new ParamsFormatError('file too short for a verifying key');
  const n = new DataView(head.buffer, head.byteOffset, head.byteLength).getUint32(VK_FIXED_BYTES - 4, false);
  if (n === 0 || n > MAX_IC) throw new ParamsFormatError(`implausible IC count ${n}: not a Groth16 key`);
  return n;
}

function point<T>(what: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    throw new ParamsFormatError(`verifying key: ${what} is not a valid point (${(e as Error).message})`);
  }
}

export function parseVerifyingKey(bytes: Uint8Array): VerifyingKey {
  const icCount = readIcCount(bytes);
  if (bytes.length < vkByteLength(icCount)) {
    throw new ParamsFormatError(`verifying key truncated: ${bytes.length} of ${vkByteLength(icCount)} bytes`);
  }
  let o = 0;
  const take = (n: number): Uint8Array => bytes.subarray(o, (o += n));
  const alphaG1 = point('alpha_g1', () => g1FromUncompressed(take(96)));
  const betaG1 = point('beta_g1', () => g1FromUncompressed(take(96)));
  const betaG2 = point('beta_g2', () => g2FromUncompressed(take(192)));
  const gammaG2 = point('gamma_g2', () => g2FromUncompressed(take(192)));
  const deltaG1 = point('delta_g1', () => g1FromUncompressed(take(96)));
  const deltaG2 = point('delta_g2', () => g2FromUncompressed(take(192)));
  o += 4;
  const ic: G1Point[] = [];
  for (let i = 0; i < icCount; i++) ic.push(point(`ic[${i}]`, () => g1FromUncompressed(take(96))));
  return { alphaG1, betaG1, betaG2, gammaG2, deltaG1, deltaG2, ic };
}

export function serializeVerifyingKey(vk: VerifyingKey): Uint8Array {
  const out = new Uint8Array(vkByteLength(vk.ic.length));
  let o = 0;
  const put = (b: Uint8Array): void => {
    out.set(b, o);
    o += b.length;
  };
  put(vk.alphaG1.toBytes(false));
  put(vk.betaG1.toBytes(false));
  put(vk.betaG2.toBytes(false));
  put(vk.gammaG2.toBytes(false));
  put(vk.deltaG1.toBytes(false));
  put(vk.deltaG2.toBytes(false));
  new DataView(out.buffer).setUint32(o, vk.ic.length, false);
  o += 4;
  for (const p of vk.ic) put(p.toBytes(false));
  return out;
}
