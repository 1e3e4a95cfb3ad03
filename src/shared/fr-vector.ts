/**
 * Vectors of Fr scalars as the backends take them: FR_BYTES per element, packed back to back, so that bytes
 * go from a parameter file or a witness to a kernel without conversion.
 */
import { FR_BYTES, frFromBytes, frToBytes } from './fr.ts';

export type FrVector = Uint8Array;

export function frVector(
  values: readonly bigint[],
  out: FrVector = new Uint8Array(values.length * FR_BYTES),
): FrVector {
  values.forEach((v, i) => frToBytes(v, out, i * FR_BYTES));
  return out;
}

/** Every element, checked canonical. */
export function frValues(v: FrVector): bigint[] {
  if (v.length % FR_BYTES !== 0) throw new RangeError(`${v.length} bytes is not a whole number of scalars`);
  const out: bigint[] = [];
  for (let i = 0; i < v.length; i += FR_BYTES) out.push(frFromBytes(v, i));
  return out;
}

export function frCount(v: FrVector): number {
  return v.length / FR_BYTES;
}

/** Whether element i is zero, without decoding it. */
export function frIsZeroAt(v: FrVector, i: number): boolean {
  for (let k = i * FR_BYTES; k < (i + 1) * FR_BYTES; k++) if (v[k] !== 0) return false;
  return true;
}
