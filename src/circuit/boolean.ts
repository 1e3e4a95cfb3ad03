/**
 * bellpepper-core's Boolean / AllocatedBit gadgets over the fast SynthesisCs, with the same
 * allocations, constraints, namespaces and constant folding, in the same order.
 *
 * A Boolean is a number: 0 and 1 are the constants false and true; an allocated bit with aux index j is
 * 2 + 2j (`Is`) and its negation 3 + 2j (`Not`).
 */
import { AUX, Lc, ONE, P, neg } from './lc.ts';
import type { SynthesisCs } from './synthesis-cs.ts';

export type Bool = number;
export const FALSE: Bool = 0;
export const TRUE: Bool = 1;

export function isConst(b: Bool): boolean {
  return b < 2;
}
export function isNot(b: Bool): boolean {
  return b >= 2 && (b & 1) === 1;
}
/** The variable of an allocated bit (Is or Not). */
export function bitVar(b: Bool): number {
  return AUX + ((b - 2) >>> 1);
}
export function fromVar(v: number): Bool {
  return 2 + 2 * (v - AUX);
}
export function not(b: Bool): Bool {
  return b < 2 ? 1 - b : b ^ 1;
}
export function boolValue(cs: SynthesisCs, b: Bool): number {
  return b < 2 ? b : cs.bitValue(bitVar(b)) ^ (b & 1);
}

/** Appends coeff * b to `lc` (Boolean::lc). */
export function addBoolLc(lc: Lc, b: Bool, coeff: bigint): Lc {
  if (b === TRUE) lc.add(ONE, coeff);
  else if (b >= 2) {
    if (b & 1) {
      lc.add(ONE, coeff);
      lc.add(bitVar(b), neg(coeff));
    } else lc.add(bitVar(b), coeff);
  }
  return lc;
}

export function boolLc(b: Bool, coeff = 1n): Lc {
  return addBoolLc(new Lc(), b, coeff);
}

const NEG1 = P - 1n;
const sumVars: number[] = [0, 0, 0];
const sumCoeffs: bigint[] = [0n, 0n, 0n];

/**
 * Σ coeff_i * bool_i over two or three Booleans, merged and in variable order (ONE first). The constraint
 * system would merge and sort it the same way; handing it over sorted skips that sort on the SHA-256 hot
 * path (ch and maj).
 */
function boolSumLc(x: Bool, cx: bigint, y: Bool, cy: bigint, z: Bool = FALSE, cz = 0n): Lc {
  let k = 0n;
  let n = 0;
  const put = (b: Bool, c: bigint): void => {
    if (b === FALSE) return;
    if (b === TRUE) {
      k += c;
      return;
    }
    const v = bitVar(b);
    let cv = c;
    if (b & 1) {
      // Not: c * (1 - v)
      k += c;
      cv = neg(c);
    }
    let i = n++;
    while (i > 0 && sumVars[i - 1]! > v) {
      sumVars[i] = sumVars[i - 1]!;
      sumCoeffs[i] = sumCoeffs[i - 1]!;
      i--;
    }
    sumVars[i] = v;
    sumCoeffs[i] = cv;
  };
  put(x, cx);
  put(y, cy);
  put(z, cz);
  const lc = new Lc();
  k %= P;
  if (k !== 0n) lc.add(ONE, k);
  for (let i = 0; i < n; i++) {
    let c = sumCoeffs[i]!;
    while (i + 1 < n && sumVars[i + 1] === sumVars[i]) c = (c + sumCoeffs[++i]!) % P;
    if (c !== 0n) lc.add(sumVars[i]!, c);
  }
  return lc;
}

/** AllocatedBit::alloc: the variable and `(1 - v) * v = 0`. */
export function allocBit(cs: SynthesisCs, value: boolean | number): Bool {
  const v = cs.allocBit(value);
  if (cs.witnessOnly) cs.skip();
  else cs.enforce(Lc.of(ONE).sub(v), Lc.of(v), new Lc());
  return fromVar(v);
}

/** AllocatedBit::alloc_conditionally: `(1 - must_be_false - v) * v = 0`. */
export function allocBitConditionally(cs: SynthesisCs, value: boolean | number, mustBeFalse: Bool): Bool {
  const v = cs.allocBit(value);
  if (cs.witnessOnly) cs.skip();
  else cs.enforce(Lc.of(ONE).sub(bitVar(mustBeFalse)).sub(v), Lc.of(v), new Lc());
  return fromVar(v);
}

/** `x + y` with the terms already in variable order, so the constraint system skips its sort. */
function sum2(x: number, y: number): Lc {
  return x < y ? Lc.of(x).add(y) : Lc.of(y).add(x);
}

function allocatedXor(cs: SynthesisCs, a: Bool, b: Bool): Bool {
  const av = bitVar(a);
  const bv = bitVar(b);
  const value = cs.bitValue(av) ^ cs.bitValue(bv);
  const r = cs.allocBit(value);
  // (a + a) * b = a + b - r; `a + a` is written merged (2a), as the LinearCombination stores it.
  if (cs.witnessOnly) cs.skip();
  else cs.enforce(Lc.of(av, 2n), Lc.of(bv), sum2(av, bv).sub(r));
  return fromVar(r);
}

function allocatedAnd(cs: SynthesisCs, a: Bool, b: Bool): Bool {
  const av = bitVar(a);
  const bv = bitVar(b);
  const r = cs.allocBit(cs.bitValue(av) & cs.bitValue(bv));
  if (cs.witnessOnly) cs.skip();
  else cs.enforce(Lc.of(av), Lc.of(bv), Lc.of(r));
  return fromVar(r);
}

function allocatedAndNot(cs: SynthesisCs, a: Bool, b: Bool): Bool {
  const av = bitVar(a);
  const bv = bitVar(b);
  const r = cs.allocBit(cs.bitValue(av) & (cs.bitValue(bv) ^ 1));
  if (cs.witnessOnly) cs.skip();
  else cs.enforce(Lc.of(av), Lc.of(ONE).sub(bv), Lc.of(r));
  return fromVar(r);
}

function allocatedNor(cs: SynthesisCs, a: Bool, b: Bool): Bool {
  const av = bitVar(a);
  const bv = bitVar(b);
  const r = cs.allocBit((cs.bitValue(av) ^ 1) & (cs.bitValue(bv) ^ 1));
  if (cs.witnessOnly) cs.skip();
  else cs.enforce(Lc.of(ONE).sub(av), Lc.of(ONE).sub(bv), Lc.of(r));
  return fromVar(r);
}

/** AllocatedBit::and / nor on two allocated, unnegated bits (used by insert_8). */
export { allocatedAnd as andBits, allocatedNor as norBits };

/** Boolean::enforce_equal (constants must agree; they add no constraint). */
export function enforceEqual(cs: SynthesisCs, a: Bool, b: Bool): void {
  if (a < 2 && b < 2) {
    if (a !== b) throw new Error('enforceEqual: unequal constants (unsatisfiable)');
    return;
  }
  if (a === TRUE || b === TRUE) {
    const x = a === TRUE ? b : a;
    cs.enforce(new Lc(), new Lc(), addBoolLc(Lc.of(ONE), x, neg(1n)));
  } else if (a === FALSE || b === FALSE) {
    cs.enforce(new Lc(), new Lc(), boolLc(a === FALSE ? b : a));
  } else {
    cs.enforce(new Lc(), new Lc(), addBoolLc(boolLc(a), b, neg(1n)));
  }
}

/** Boolean::xor. */
export function xor(cs: SynthesisCs, a: Bool, b: Bool): Bool {
  if (a === FALSE) return b;
  if (b === FALSE) return a;
  if (a === TRUE) return not(b);
  if (b === TRUE) return not(a);
  const an = a & 1;
  const bn = b & 1;
  if (an !== bn) {
    // (Is, Not) | (Not, Is): xor(is, not.not()).not()
    const is = an ? b : a;
    const nt = an ? a : b;
    return not(allocatedXor(cs, is, not(nt)));
  }
  return allocatedXor(cs, a, b);
}

/** Boolean::and. */
export function and(cs: SynthesisCs, a: Bool, b: Bool): Bool {
  if (a === FALSE || b === FALSE) return FALSE;
  if (a === TRUE) return b;
  if (b === TRUE) return a;
  const an = a & 1;
  const bn = b & 1;
  if (!an && bn) return allocatedAndNot(cs, a, b);
  if (an && !bn) return allocatedAndNot(cs, b, a);
  if (an && bn) return allocatedNor(cs, a, b);
  return allocatedAnd(cs, a, b);
}

/** Boolean::sha256_ch: (a and b) xor ((not a) and c). */
export function sha256Ch(cs: SynthesisCs, a: Bool, b: Bool, c: Bool): Bool {
  const av = boolValue(cs, a);
  const bv = boolValue(cs, b);
  const cv = boolValue(cs, c);
  const value = (av & bv) ^ ((av ^ 1) & cv);
  if (a < 2 && b < 2 && c < 2) return value;
  if (a === FALSE) return c;
  if (b === FALSE) return and(cs, not(a), c);
  if (c === FALSE) return and(cs, a, b);
  if (c === TRUE) return not(and(cs, a, not(b)));
  if (b === TRUE) return not(and(cs, not(a), not(c)));
  // a constant true falls through to the general case, as in bellpepper.
  const ch = fromVar(cs.allocBit(value));
  // (b - c) * a = ch - c
  if (cs.witnessOnly) cs.skip();
  else cs.enforce(boolSumLc(b, 1n, c, NEG1), boolLc(a), boolSumLc(ch, 1n, c, NEG1));
  return ch;
}

/** Boolean::sha256_maj: (a and b) xor (a and c) xor (b and c). */
export function sha256Maj(cs: SynthesisCs, a: Bool, b: Bool, c: Bool): Bool {
  const av = boolValue(cs, a);
  const bv = boolValue(cs, b);
  const cv = boolValue(cs, c);
  const value = (av & bv) ^ (av & cv) ^ (bv & cv);
  if (a < 2 && b < 2 && c < 2) return value;
  if (a === FALSE) return and(cs, b, c);
  if (b === FALSE) return and(cs, a, c);
  if (c === FALSE) return and(cs, a, b);
  if (c === TRUE) return not(and(cs, not(a), not(b)));
  if (b === TRUE) return not(and(cs, not(a), not(c)));
  if (a === TRUE) return not(and(cs, not(b), not(c)));
  const maj = cs.allocBit(value);
  cs.push('b and c');
  const bc = and(cs, b, c);
  cs.pop();
  // (bc + bc - b - c) * a = bc - maj
  if (cs.witnessOnly) cs.skip();
  else cs.enforce(boolSumLc(bc, 2n, b, NEG1, c, NEG1), boolLc(a), boolSumLc(bc, 1n, fromVar(maj), NEG1));
  return fromVar(maj);
}
