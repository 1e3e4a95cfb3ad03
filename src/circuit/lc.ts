/**
 * Variables and linear combinations of the synthesis constraint system (synthesis-cs.ts).
 *
 * Variables are numbers: input i is i (input 0 is ONE), aux j is AUX + j. That keeps bellperson's term
 * order (inputs ascending, then aux ascending) a plain numeric sort, and maps onto the R1cs column space
 * (inputs, then aux) by subtracting AUX and adding numInputs once synthesis is over.
 *
 * Linear combinations are built as unmerged term lists; the constraint system merges terms on the same
 * variable when it stores a constraint, as bellpepper-core's LinearCombination does on the way.
 */
import { FR_MODULUS } from '../shared/fr.ts';

export const P = FR_MODULUS;
/** Aux variable j is AUX + j. */
export const AUX = 2 ** 31;
export const ONE = 0;

export function neg(c: bigint): bigint {
  return c === 0n ? 0n : P - c;
}

/** An unmerged linear combination: parallel lists of variables and coefficients in [0, P). */
export class Lc {
  readonly vars: number[] = [];
  readonly coeffs: bigint[] = [];

  static of(v: number, c = 1n): Lc {
    const lc = new Lc();
    lc.vars.push(v);
    lc.coeffs.push(c);
    return lc;
  }

  add(v: number, c = 1n): this {
    this.vars.push(v);
    this.coeffs.push(c);
    return this;
  }

  sub(v: number, c = 1n): this {
    this.vars.push(v);
    this.coeffs.push(neg(c));
    return this;
  }

  /** this += scale * other. */
  addLc(other: Lc, scale = 1n): this {
    const n = other.vars.length;
    if (scale === 1n) {
      for (let i = 0; i < n; i++) {
        this.vars.push(other.vars[i]!);
        this.coeffs.push(other.coeffs[i]!);
      }
    } else {
      for (let i = 0; i < n; i++) {
        this.vars.push(other.vars[i]!);
        this.coeffs.push((other.coeffs[i]! * scale) % P);
      }
    }
    return this;
  }

  clone(): Lc {
    const lc = new Lc();
    lc.vars.push(...this.vars);
    lc.coeffs.push(...this.coeffs);
    return lc;
  }
}
