/**
 * bellperson's UInt32 gadget: 32 Booleans, least significant first, with the value tracked as a plain
 * number. Rotations and shifts only rearrange bits; xor / ch / maj work bit by bit in per-bit namespaces;
 * addmany allocates the sum's bits and proves it through a MultiEq.
 */
import { type Bool, FALSE, TRUE, allocBit, boolValue, sha256Ch, sha256Maj, xor } from './boolean.ts';
import type { SynthesisCs } from './synthesis-cs.ts';
import type { MultiEq } from './multieq.ts';

export class UInt32 {
  /** `bits[0]` is the least significant bit. */
  readonly bits: readonly Bool[];
  /** Unsigned, 0 .. 2^32 - 1. */
  readonly value: number;

  constructor(bits: readonly Bool[], value: number) {
    this.bits = bits;
    this.value = value >>> 0;
  }

  static constant(value: number): UInt32 {
    const bits: Bool[] = new Array<Bool>(32);
    for (let i = 0; i < 32; i++) bits[i] = (value >>> i) & 1 ? TRUE : FALSE;
    return new UInt32(bits, value);
  }

  /** UInt32::alloc: 32 allocated bits in namespaces "allocated bit {i}". */
  static alloc(cs: SynthesisCs, value: number): UInt32 {
    const bits: Bool[] = new Array<Bool>(32);
    for (let i = 0; i < 32; i++) {
      cs.push('allocated bit ', i);
      bits[i] = allocBit(cs, (value >>> i) & 1);
      cs.pop();
    }
    return new UInt32(bits, value);
  }

  /** Most significant bit first. */
  static fromBitsBe(cs: SynthesisCs, bits: readonly Bool[]): UInt32 {
    if (bits.length !== 32) throw new Error('UInt32.fromBitsBe: need 32 bits');
    let value = 0;
    const le: Bool[] = new Array<Bool>(32);
    for (let i = 0; i < 32; i++) {
      value = (value << 1) | boolValue(cs, bits[i]!);
      le[31 - i] = bits[i]!;
    }
    return new UInt32(le, value);
  }

  /** Least significant bit first. */
  static fromBits(cs: SynthesisCs, bits: readonly Bool[]): UInt32 {
    if (bits.length !== 32) throw new Error('UInt32.fromBits: need 32 bits');
    let value = 0;
    for (let i = 31; i >= 0; i--) value = (value << 1) | boolValue(cs, bits[i]!);
    return new UInt32(bits.slice(), value);
  }

  intoBitsBe(): Bool[] {
    return this.bits.slice().reverse();
  }

  intoBits(): Bool[] {
    return this.bits.slice();
  }

  rotr(by: number): UInt32 {
    by %= 32;
    const bits: Bool[] = new Array<Bool>(32);
    for (let i = 0; i < 32; i++) bits[i] = this.bits[(i + by) & 31]!;
    const v = this.value;
    return new UInt32(bits, by === 0 ? v : (v >>> by) | (v << (32 - by)));
  }

  shr(by: number): UInt32 {
    by %= 32;
    const bits: Bool[] = new Array<Bool>(32);
    for (let i = 0; i < 32; i++) bits[i] = i + by < 32 ? this.bits[i + by]! : FALSE;
    return new UInt32(bits, this.value >>> by);
  }

  /** UInt32::xor: Boolean::xor per bit in namespaces "xor of bit {i}". */
  xor(cs: SynthesisCs, other: UInt32): UInt32 {
    const bits: Bool[] = new Array<Bool>(32);
    for (let i = 0; i < 32; i++) {
      cs.push('xor of bit ', i);
      bits[i] = xor(cs, this.bits[i]!, other.bits[i]!);
      cs.pop();
    }
    return new UInt32(bits, this.value ^ other.value);
  }

  /** UInt32::sha256_ch: (a & b) ^ (!a & c), per bit in namespaces "ch {i}". */
  static sha256Ch(cs: SynthesisCs, a: UInt32, b: UInt32, c: UInt32): UInt32 {
    const bits: Bool[] = new Array<Bool>(32);
    for (let i = 0; i < 32; i++) {
      cs.push('ch ', i);
      bits[i] = sha256Ch(cs, a.bits[i]!, b.bits[i]!, c.bits[i]!);
      cs.pop();
    }
    return new UInt32(bits, (a.value & b.value) ^ (~a.value & c.value));
  }

  /** UInt32::sha256_maj: (a & b) ^ (a & c) ^ (b & c), per bit in namespaces "maj {i}". */
  static sha256Maj(cs: SynthesisCs, a: UInt32, b: UInt32, c: UInt32): UInt32 {
    const bits: Bool[] = new Array<Bool>(32);
    for (let i = 0; i < 32; i++) {
      cs.push('maj ', i);
      bits[i] = sha256Maj(cs, a.bits[i]!, b.bits[i]!, c.bits[i]!);
      cs.pop();
    }
    return new UInt32(bits, (a.value & b.value) ^ (a.value & c.value) ^ (b.value & c.value));
  }

  /**
   * UInt32::addmany: the sum mod 2^32 of 2..10 operands. All-constant operands fold to a constant; otherwise
   * every bit of the full (unreduced) sum is allocated in "result bit {i}", as many as the largest possible
   * sum needs, the equality goes to the MultiEq, and the low 32 bits are the result.
   */
  static addmany(cs: SynthesisCs, meq: MultiEq, operands: readonly UInt32[]): UInt32 {
    const n = operands.length;
    if (n < 2 || n > 10) throw new Error('UInt32.addmany: 2..10 operands');
    let sum = 0; // < 10 * 2^32: exact in a double
    let allConstant = true;
    for (const op of operands) {
      sum += op.value;
      if (allConstant) for (const b of op.bits) if (b >= 2) allConstant = false;
    }
    if (allConstant) return UInt32.constant(sum >>> 0);

    // Bit length of n * (2^32 - 1), the loop bound in bellperson (33 for 2 operands, 35 for 5..8).
    let numBits = 0;
    for (let max = n * 0xffffffff; max !== 0; max = Math.floor(max / 2)) numBits++;

    const lo = sum >>> 0;
    const hi = Math.floor(sum / 0x100000000);
    const bits: Bool[] = new Array<Bool>(numBits);
    for (let i = 0; i < numBits; i++) {
      cs.push('result bit ', i);
      bits[i] = allocBit(cs, i < 32 ? (lo >>> i) & 1 : (hi >>> (i - 32)) & 1);
      cs.pop();
    }
    meq.enforceSum(
      numBits,
      operands.map((op) => op.bits),
      bits,
    );
    bits.length = 32;
    return new UInt32(bits, lo);
  }
}
