/**
 * bellperson's MultiEq: many small equalities `lhs_k = rhs_k` (each known to fit in num_bits bits) packed
 * into one constraint `(Σ 2^off_k lhs_k) * 1 = Σ 2^off_k rhs_k` until the next one would reach Fr::CAPACITY
 * bits. SHA-256 routes every UInt32 addition through one of these per compression.
 *
 * Rust flushes the pending constraint when the MultiEq is dropped; here the owner calls `finish()` at the
 * same point (end of the compression function, still inside its namespace). The constraint lands in whatever
 * namespace is current when it is emitted, as in bellperson (MultiEq forwards to the root's stack).
 */
import { type Bool, bitVar } from './boolean.ts';
import type { SynthesisCs } from './synthesis-cs.ts';
import { Lc, ONE, P } from './lc.ts';
import { CAPACITY, POW2 } from './num.ts';

/** -2^i mod P. */
const NEG_POW2: readonly bigint[] = POW2.map((c) => P - c);

export class MultiEq {
  private lhs = new Lc();
  private rhs = new Lc();
  private bitsUsed = 0;
  /** Number of constraints emitted so far ("multieq {ops}" in bellperson). */
  ops = 0;

  readonly cs: SynthesisCs;

  constructor(cs: SynthesisCs) {
    this.cs = cs;
  }

  private accumulate(): void {
    if (this.cs.witnessOnly) this.cs.skip();
    else {
      this.cs.enforce(this.lhs, Lc.of(ONE), this.rhs);
      this.lhs = new Lc();
      this.rhs = new Lc();
    }
    this.bitsUsed = 0;
    this.ops++;
  }

  /** Flushes first if `numBits` more would not fit; returns the bit offset for the next equality. */
  private reserve(numBits: number): number {
    if (CAPACITY <= this.bitsUsed + numBits) this.accumulate();
    if (CAPACITY <= this.bitsUsed + numBits) throw new Error('MultiEq: equality too wide');
    const off = this.bitsUsed;
    this.bitsUsed += numBits;
    return off;
  }

  /** MultiEq::enforce_equal with arbitrary linear combinations (coefficients scaled by 2^offset). */
  enforceEqual(numBits: number, lhs: Lc, rhs: Lc): void {
    const scale = POW2[this.reserve(numBits)]!;
    if (this.cs.witnessOnly) return;
    this.lhs.addLc(lhs, scale);
    this.rhs.addLc(rhs, scale);
  }

  /**
   * The equality UInt32::addmany makes: Σ_ops Σ_k 2^k op[k] = Σ_i 2^i result[i], written straight into the
   * pending sides with 2^(offset+k) coefficients (no intermediate LC, no bigint products: the offset plus the
   * bit position stays below CAPACITY, so the table value is the exact product).
   */
  enforceSum(numBits: number, operands: readonly (readonly Bool[])[], result: readonly Bool[]): void {
    const off = this.reserve(numBits);
    if (this.cs.witnessOnly) return;
    const lhs = this.lhs;
    for (const bits of operands) {
      for (let k = 0; k < bits.length; k++) {
        const b = bits[k]!;
        if (b === 0) continue;
        if (b === 1) lhs.add(ONE, POW2[off + k]!);
        else if (b & 1) {
          // Boolean::Not: coeff * (1 - v)
          lhs.add(ONE, POW2[off + k]!);
          lhs.add(bitVar(b), NEG_POW2[off + k]!);
        } else lhs.add(bitVar(b), POW2[off + k]!);
      }
    }
    for (let i = 0; i < result.length; i++) this.rhs.add(bitVar(result[i]!), POW2[off + i]!);
  }

  /** The Drop of bellperson's MultiEq: emits the pending constraint, if any. */
  finish(): void {
    if (this.bitsUsed > 0) this.accumulate();
  }
}
