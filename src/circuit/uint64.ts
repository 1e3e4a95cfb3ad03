/**
 * storage-proofs-core's UInt64 gadget: 64 Booleans, least significant first, with the value as a bigint.
 * The stacked circuit allocates the challenged node index with it and packs its bits into a public input.
 */
import { type Bool, FALSE, TRUE, allocBit, boolValue } from './boolean.ts';
import type { SynthesisCs } from './synthesis-cs.ts';
import { packIntoInputs } from './num.ts';

const MASK64 = (1n << 64n) - 1n;

export class UInt64 {
  /** `bits[0]` is the least significant bit. */
  readonly bits: readonly Bool[];
  readonly value: bigint;

  constructor(bits: readonly Bool[], value: bigint) {
    this.bits = bits;
    this.value = value & MASK64;
  }

  static constant(value: bigint | number): UInt64 {
    const v = BigInt(value);
    const bits: Bool[] = [];
    for (let i = 0n; i < 64n; i++) bits.push((v >> i) & 1n ? TRUE : FALSE);
    return new UInt64(bits, v);
  }

  /** UInt64::alloc: 64 allocated bits in namespaces "allocated bit {i}". */
  static alloc(cs: SynthesisCs, value: bigint | number): UInt64 {
    const v = BigInt(value);
    if (v < 0n || v > MASK64) throw new Error('UInt64.alloc: value out of range');
    const bits: Bool[] = [];
    for (let i = 0; i < 64; i++) {
      cs.push('allocated bit ', i);
      bits.push(allocBit(cs, Number((v >> BigInt(i)) & 1n)));
      cs.pop();
    }
    return new UInt64(bits, v);
  }

  /** Most significant bit first. */
  static fromBitsBe(cs: SynthesisCs, bits: readonly Bool[]): UInt64 {
    if (bits.length !== 64) throw new Error('UInt64.fromBitsBe: need 64 bits');
    let v = 0n;
    for (const b of bits) v = (v << 1n) | BigInt(boolValue(cs, b));
    return new UInt64(bits.slice().reverse(), v);
  }

  /** Least significant bit first. */
  static fromBits(cs: SynthesisCs, bits: readonly Bool[]): UInt64 {
    if (bits.length !== 64) throw new Error('UInt64.fromBits: need 64 bits');
    let v = 0n;
    for (let i = 63; i >= 0; i--) v = (v << 1n) | BigInt(boolValue(cs, bits[i]!));
    return new UInt64(bits.slice(), v);
  }

  toBitsBe(): Bool[] {
    return this.bits.slice().reverse();
  }

  toBitsLe(): Bool[] {
    return this.bits.slice();
  }

  /** UInt64::pack_into_input: multipack::pack_into_inputs of the 64 bits (one public input). */
  packIntoInput(cs: SynthesisCs): void {
    packIntoInputs(cs, this.bits);
  }
}

/** UInt64::alloc (function form). */
export function allocUInt64(cs: SynthesisCs, value: bigint | number): UInt64 {
  return UInt64.alloc(cs, value);
}

/** UInt64::pack_into_input (function form). */
export function packUInt64IntoInput(cs: SynthesisCs, x: UInt64): void {
  x.packIntoInput(cs);
}
