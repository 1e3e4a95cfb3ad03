/**
 * bellpepper-core's AllocatedNum / Num and bellperson's multipack gadgets.
 */
import { type Bool, addBoolLc, allocBit, boolValue } from './boolean.ts';
import type { SynthesisCs } from './synthesis-cs.ts';
import { Lc, ONE, P } from './lc.ts';

/** An allocated field element: its variable and value. */
export interface AllocatedNum {
  readonly v: number;
  readonly value: bigint;
}

/** Fr::CAPACITY for BLS12-381's scalar field. */
export const CAPACITY = 254;
export const NUM_BITS = 255;

export const POW2: readonly bigint[] = Array.from({ length: 256 }, (_, i) => (1n << BigInt(i)) % P);

export function allocNum(cs: SynthesisCs, value: bigint): AllocatedNum {
  return { v: cs.alloc(value), value };
}

export function allocInputNum(cs: SynthesisCs, value: bigint): AllocatedNum {
  return { v: cs.allocInput(value), value };
}

/** AllocatedNum::inputize: a new input equal to `num`. */
export function inputize(cs: SynthesisCs, num: AllocatedNum): void {
  const input = cs.allocInput(num.value);
  cs.enforce(Lc.of(input), Lc.of(ONE), Lc.of(num.v));
}

/** AllocatedNum::to_bits_le (not strict): 255 allocated bits, little-endian, and the unpacking constraint. */
export function toBitsLe(cs: SynthesisCs, num: AllocatedNum): Bool[] {
  const bits: Bool[] = [];
  let x = num.value;
  for (let i = 0; i < NUM_BITS; i++) {
    cs.push('bit ', i);
    bits.push(allocBit(cs, Number(x & 1n)));
    cs.pop();
    x >>= 1n;
  }
  if (cs.witnessOnly) {
    cs.skip();
    return bits;
  }
  const lc = new Lc();
  for (let i = 0; i < NUM_BITS; i++) addBoolLc(lc, bits[i]!, POW2[i]!);
  lc.sub(num.v);
  cs.enforce(new Lc(), new Lc(), lc);
  return bits;
}

/** A linear combination with its value (bellpepper-core's Num). */
export class Num {
  value: bigint;
  readonly lc: Lc;
  constructor(value = 0n, lc = new Lc()) {
    this.value = value;
    this.lc = lc;
  }
  static from(num: AllocatedNum): Num {
    return new Num(num.value, Lc.of(num.v));
  }
  addBoolWithCoeff(cs: SynthesisCs, bit: Bool, coeff: bigint): this {
    if (boolValue(cs, bit)) this.value = (this.value + coeff) % P;
    addBoolLc(this.lc, bit, coeff);
    return this;
  }
}

/** Packs up to CAPACITY bits (little-endian) into a Num. */
function packNum(cs: SynthesisCs, bits: readonly Bool[]): Num {
  const num = new Num();
  const n = Math.min(bits.length, CAPACITY);
  for (let i = 0; i < n; i++) num.addBoolWithCoeff(cs, bits[i]!, POW2[i]!);
  return num;
}

/** multipack::pack_bits: one aux number equal to the bits (namespace "input" for the allocation). */
export function packBits(cs: SynthesisCs, bits: readonly Bool[]): AllocatedNum {
  const num = packNum(cs, bits);
  cs.push('input');
  const out = allocNum(cs, num.value);
  cs.pop();
  cs.enforce(num.lc, Lc.of(ONE), Lc.of(out.v));
  return out;
}

/** multipack::pack_into_inputs: the bits as public inputs, CAPACITY bits each. */
export function packIntoInputs(cs: SynthesisCs, bits: readonly Bool[]): void {
  for (let i = 0; i < bits.length; i += CAPACITY) {
    const num = packNum(cs, bits.slice(i, i + CAPACITY));
    const input = cs.allocInput(num.value);
    cs.enforce(num.lc, Lc.of(ONE), Lc.of(input));
  }
}

/** storage-proofs' reverse_bit_numbering: pads to whole bytes with false, reverses the bits of each byte. */
export function reverseBitNumbering(bits: readonly Bool[]): Bool[] {
  const padded = bits.slice();
  while (padded.length % 8 !== 0) padded.push(0);
  const out: Bool[] = [];
  for (let i = 0; i < padded.length; i += 8) for (let k = 7; k >= 0; k--) out.push(padded[i + k]!);
  return out;
}
