/**
 * The aux assignment as synthesis hands it to the prover. In the StackedDRG circuit nearly every aux
 * variable is a bit (SHA-256 labeling: 98% at 2KiB, 97% at 8MiB), so a witness of 32 bytes per variable
 * would be ~97% zero bytes. Bits live in a bitset; only the variables holding another value keep 32 bytes.
 * That makes a partition's witness ~20x smaller than bellperson's aux vector, which matters when all
 * partitions of a 32GiB sector are synthesized before the first is proved.
 *
 * Variable j is "full" when bit j of `full` is set: its value is the next one in `values` (variables in
 * order). Otherwise its value is bit j of `bits`.
 */
import type { FrVector } from '../shared/fr-vector.ts';

export interface CompactWitness {
  /** Number of aux variables. */
  count: number;
  /** One bit per variable: set where the variable holds a value other than 0 and 1. */
  full: Uint32Array;
  /** One bit per variable: its value, where it is not full. */
  bits: Uint32Array;
  /** The values of the full variables, in variable order, 32 bytes little-endian each. */
  values: Uint8Array;
}

export function witnessWords(count: number): number {
  return Math.ceil(count / 32);
}

/** The witness as the prover's FrVector (32 bytes per variable). */
export function expandWitness(w: CompactWitness, out: FrVector = new Uint8Array(w.count * 32)): FrVector {
  if (out.length !== w.count * 32) throw new RangeError(`expandWitness: ${out.length} bytes for ${w.count}`);
  out.fill(0);
  let next = 0;
  for (let word = 0; word < w.full.length; word++) {
    const full = w.full[word]!;
    const bits = w.bits[word]!;
    if (full === 0 && bits === 0) continue;
    const base = word * 32;
    for (let b = 0; b < 32; b++) {
      const j = base + b;
      if ((full >>> b) & 1) {
        out.set(w.values.subarray(next * 32, next * 32 + 32), j * 32);
        next++;
      } else if ((bits >>> b) & 1) {
        out[j * 32] = 1;
      }
    }
  }
  if (next * 32 !== w.values.length) {
    throw new RangeError(`compact witness: ${w.values.length / 32} values for ${next} full variables`);
  }
  return out;
}

/** The compact form of a FrVector witness (tests, and witnesses from elsewhere). */
export function compactWitness(aux: FrVector): CompactWitness {
  const count = aux.length / 32;
  const words = witnessWords(count);
  const full = new Uint32Array(words);
  const bits = new Uint32Array(words);
  const fullAt: number[] = [];
  for (let j = 0; j < count; j++) {
    const o = j * 32;
    let high = 0;
    for (let k = 1; k < 32; k++) high |= aux[o + k]!;
    if (high === 0 && aux[o]! <= 1) {
      if (aux[o]) bits[j >>> 5] = bits[j >>> 5]! | (1 << (j & 31));
    } else {
      full[j >>> 5] = full[j >>> 5]! | (1 << (j & 31));
      fullAt.push(j);
    }
  }
  const values = new Uint8Array(fullAt.length * 32);
  fullAt.forEach((j, i) => values.set(aux.subarray(j * 32, j * 32 + 32), i * 32));
  return { count, full, bits, values };
}

/** Bytes the witness holds. */
export function witnessBytes(w: CompactWitness): number {
  return w.full.byteLength + w.bits.byteLength + w.values.byteLength;
}
