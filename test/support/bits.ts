/** Booleans of a synthesis read back as bytes, MSB of each byte first (a digest as the gadgets lay it out). */
import { type Bool, boolValue } from '../../src/circuit/boolean.ts';
import type { SynthesisCs } from '../../src/circuit/synthesis-cs.ts';

export function bitsToBytes(cs: SynthesisCs, bits: readonly Bool[]): Buffer {
  const out = Buffer.alloc(bits.length / 8);
  bits.forEach((b, i) => {
    if (boolValue(cs, b)) out[i >> 3]! |= 0x80 >> (i & 7);
  });
  return out;
}
