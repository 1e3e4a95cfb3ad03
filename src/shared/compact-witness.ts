/**
 * The aux assignment as synthesis hands it to the prover, and as the backends take it. In the StackedDRG
 * circuit nearly every aux variable is a bit (SHA-256 labeling: 98% at 2KiB, 97% at 8MiB), so a witness
 * of 32 bytes per variable would be ~97% zero bytes. Bits live in a bitset; only the variables holding
 * another value keep 32 bytes. A 32GiB partition's aux is ~4.2 GB as an FrVector and ~0.1 GB so.
 *
 * Variable j is "full" when bit j of `full` is set: its value is the next one in `values` (variables in
 * order). Otherwise its value is bit j of `bits`. Synthesis writes it (groth16/witness.ts); the native
 * addon reads it as it is (native/src/scalars.rs) for the MSMs' splits and the GPU witness code, so the
 * GPU backends never expand it.
 */
import { FR_BYTES } from './fr.ts';
import type { FrVector } from './fr-vector.ts';

export interface CompactWitness {
  /** Number of aux variables. */
  count: number;
  /** One bit per variable: set where the variable holds a value other than 0 and 1. */
  full: Uint32Array;
  /** One bit per variable: its value, where it is not full. */
  bits: Uint32Array;
  /** The values of the full variables, in variable order, FR_BYTES little-endian each. */
  values: Uint8Array;
}

export function witnessWords(count: number): number {
  return Math.ceil(count / 32);
}

/** An MSM's scalars or a witness's aux as the backends take them: 32 bytes a value, or compact. */
export type Scalars = FrVector | CompactWitness;

export function isCompact(s: Scalars): s is CompactWitness {
  return !(s instanceof Uint8Array);
}

/** How many values; a byte length that is not a whole number of them is a RangeError naming `what`. */
export function scalarCount(s: Scalars, what: string): number {
  if (isCompact(s)) return s.count;
  if (s.length % FR_BYTES !== 0)
    throw new RangeError(`${what}: ${s.length} bytes is not a whole number of scalars`);
  return s.length / FR_BYTES;
}
