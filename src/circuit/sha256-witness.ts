/**
 * The SHA-256 compression function of sha256.ts for a witness-only synthesis, a 32-bit word at a time. A
 * witness-only synthesis keeps no constraints, so of bellperson's gadgets only what they allocate (each
 * value, in order) and how many constraints they make are left; both follow from the words' values and
 * from which of their bits are constants or negated variables. Tracking those three as u32 masks, a
 * word's xor, ch, maj or sum is a few integer operations and one bulk write of its allocated bits, where
 * the bit-level gadgets made a call, a namespace and a Boolean per bit: SHA-256 was two thirds of a
 * partition's witness synthesis.
 *
 * Bits with constants fold exactly as boolean.ts folds them (bit by bit: they occur in the first rounds
 * of a message's first block, from the IV, and where a message has constant bits); the output words are
 * the additions' bits, real variables for the gadgets downstream. The bit-level compression is the
 * reference: tests compare the two witness for witness.
 */
import { type Bool, bitVar, fromVar } from './boolean.ts';
import type { SynthesisCs } from './synthesis-cs.ts';
import { MultiEq } from './multieq.ts';
import { UInt32 } from './uint32.ts';

const ALL = 0xffffffff;

/**
 * 32 Booleans, least significant first: their values `v`, which are constants `c`, which are negated
 * variables `n` (never a constant's). `base` is the first of 32 consecutive unnegated variables holding
 * them, where an addition allocated them so; -1 otherwise.
 */
interface Word {
  readonly v: number;
  readonly c: number;
  readonly n: number;
  readonly base: number;
}

const word = (v: number, c: number, n: number): Word => ({ v: v >>> 0, c: c >>> 0, n: n >>> 0, base: -1 });

function constant(v: number): Word {
  return word(v, ALL, 0);
}

function fromUInt32(x: UInt32): Word {
  let c = 0;
  let n = 0;
  for (let i = 0; i < 32; i++) {
    const b = x.bits[i]!;
    if (b < 2) c |= 1 << i;
    else n |= (b & 1) << i;
  }
  return word(x.value, c, n);
}

/** UInt32::from_bits_be of 32 Booleans. */
function fromBitsBe(cs: SynthesisCs, bits: readonly Bool[], at: number): Word {
  let v = 0;
  let c = 0;
  let n = 0;
  for (let k = 0; k < 32; k++) {
    const b = bits[at + k]!;
    const i = 31 - k;
    if (b < 2) {
      c |= 1 << i;
      v |= b << i;
    } else {
      const neg = b & 1;
      n |= neg << i;
      v |= (cs.bitValue(bitVar(b)) ^ neg) << i;
    }
  }
  return word(v, c, n);
}

function toUInt32(w: Word): UInt32 {
  if (w.c === ALL) return UInt32.constant(w.v);
  if (w.base < 0) throw new Error('sha256 witness: an output word that no addition allocated');
  const bits: Bool[] = new Array<Bool>(32);
  for (let i = 0; i < 32; i++) bits[i] = fromVar(w.base + i);
  return new UInt32(bits, w.v);
}

const rot = (x: number, by: number): number => (by === 0 ? x : (x >>> by) | (x << (32 - by))) >>> 0;

function rotr(w: Word, by: number): Word {
  return word(rot(w.v, by), rot(w.c, by), rot(w.n, by));
}

function shr(w: Word, by: number): Word {
  // the vacated high bits are the constant false
  return word(w.v >>> by, by === 0 ? w.c : (w.c >>> by) | (ALL << (32 - by)), w.n >>> by);
}

/** Appends the bits of `value` at the set bits of `mask`, lowest first, as allocated variables. */
function allocMasked(cs: SynthesisCs, value: number, mask: number): void {
  if (mask === 0) return;
  if (mask >>> 0 === ALL) {
    cs.allocBits(value, 32);
    return;
  }
  let packed = 0;
  let k = 0;
  for (let m = mask >>> 0; m !== 0; m = (m & (m - 1)) >>> 0) {
    const i = 31 - Math.clz32(m & -m);
    packed |= ((value >>> i) & 1) << k++;
  }
  cs.allocBits(packed, k);
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/**
 * UInt32::xor: a bit of two variables allocates one (the xor of its variables' values, negated as the
 * result is when exactly one input was); a constant passes the other bit through, negated when true.
 */
function xor(cs: SynthesisCs, a: Word, b: Word): Word {
  const both = ~(a.c | b.c) >>> 0;
  const v = a.v ^ b.v;
  const c = a.c & b.c;
  const n = (a.n ^ b.n ^ (a.c & a.v) ^ (b.c & b.v)) & ~c;
  allocMasked(cs, v ^ n, both);
  cs.skip(popcount(both));
  return word(v, c, n);
}

/** One bit as the folding cases see it: value | constant << 1 | negated << 2. */
export type Bit = number;
const FALSE_BIT = 2;
const TRUE_BIT = 3;

const notBit = (t: number): number => (t & 2 ? t ^ 1 : t ^ 5);

/** Allocates one bit variable holding `value`: the gadget's result, unnegated. */
function allocBit(cs: SynthesisCs, value: number, constraints: number): number {
  cs.allocBits(value, 1);
  cs.skip(constraints);
  return value;
}

/** Boolean::and. */
function andBit(cs: SynthesisCs, x: number, y: number): number {
  if (x === FALSE_BIT || y === FALSE_BIT) return FALSE_BIT;
  if (x === TRUE_BIT) return y;
  if (y === TRUE_BIT) return x;
  return allocBit(cs, x & y & 1, 1);
}

/** Boolean::sha256_ch on one bit (exported for the tests' exhaustive comparison with boolean.ts). */
export function chBit(cs: SynthesisCs, a: number, b: number, c: number): number {
  const value = ((a & b) ^ (~a & c)) & 1;
  if (a & b & c & 2) return 2 | value;
  if (a === FALSE_BIT) return c;
  if (b === FALSE_BIT) return andBit(cs, notBit(a), c);
  if (c === FALSE_BIT) return andBit(cs, a, b);
  if (c === TRUE_BIT) return notBit(andBit(cs, a, notBit(b)));
  if (b === TRUE_BIT) return notBit(andBit(cs, notBit(a), notBit(c)));
  return allocBit(cs, value, 1);
}

/** Boolean::sha256_maj on one bit (exported as chBit is). */
export function majBit(cs: SynthesisCs, a: number, b: number, c: number): number {
  const value = ((a & b) ^ (a & c) ^ (b & c)) & 1;
  if (a & b & c & 2) return 2 | value;
  if (a === FALSE_BIT) return andBit(cs, b, c);
  if (b === FALSE_BIT) return andBit(cs, a, c);
  if (c === FALSE_BIT) return andBit(cs, a, b);
  if (c === TRUE_BIT) return notBit(andBit(cs, notBit(a), notBit(b)));
  if (b === TRUE_BIT) return notBit(andBit(cs, notBit(a), notBit(c)));
  if (a === TRUE_BIT) return notBit(andBit(cs, notBit(b), notBit(c)));
  allocBit(cs, value, 0);
  andBit(cs, b, c); // "b and c"; then the maj constraint
  cs.skip();
  return value;
}

const bitOf = (w: Word, i: number): number =>
  ((w.v >>> i) & 1) | (((w.c >>> i) & 1) << 1) | (((w.n >>> i) & 1) << 2);

/** A word's bits through a folding gadget one at a time (some bit of an input is a constant). */
function bitwise(
  cs: SynthesisCs,
  gadget: (cs: SynthesisCs, a: number, b: number, c: number) => number,
  a: Word,
  b: Word,
  c: Word,
): Word {
  let v = 0;
  let k = 0;
  let n = 0;
  for (let i = 0; i < 32; i++) {
    const t = gadget(cs, bitOf(a, i), bitOf(b, i), bitOf(c, i));
    v |= (t & 1) << i;
    k |= ((t >>> 1) & 1) << i;
    n |= ((t >>> 2) & 1) << i;
  }
  return word(v, k, n);
}

function ch(cs: SynthesisCs, a: Word, b: Word, c: Word): Word {
  if ((a.c | b.c | c.c) !== 0) return bitwise(cs, chBit, a, b, c);
  const v = (a.v & b.v) ^ (~a.v & c.v);
  cs.allocBits(v, 32);
  cs.skip(32);
  return word(v, 0, 0);
}

/** Spreads the low 16 bits of x to the even bits. */
function spread(x: number): number {
  x &= 0xffff;
  x = (x | (x << 8)) & 0x00ff00ff;
  x = (x | (x << 4)) & 0x0f0f0f0f;
  x = (x | (x << 2)) & 0x33333333;
  return (x | (x << 1)) & 0x55555555;
}

function maj(cs: SynthesisCs, a: Word, b: Word, c: Word): Word {
  if ((a.c | b.c | c.c) !== 0) return bitwise(cs, majBit, a, b, c);
  const v = (a.v & b.v) ^ (a.v & c.v) ^ (b.v & c.v);
  // per bit: the maj variable, then its "b and c"
  const bc = b.v & c.v;
  cs.allocBits(spread(v) | (spread(bc) << 1), 32);
  cs.allocBits(spread(v >>> 16) | (spread(bc >>> 16) << 1), 32);
  cs.skip(64);
  return word(v, 0, 0);
}

/** UInt32::addmany: every bit of the full sum allocated, its equality reserved in the MultiEq. */
function addmany(cs: SynthesisCs, meq: MultiEq, operands: readonly Word[]): Word {
  let sum = 0; // < 10 * 2^32: exact in a double
  let allConstant = true;
  for (const op of operands) {
    sum += op.v;
    if (op.c !== ALL) allConstant = false;
  }
  if (allConstant) return constant(sum >>> 0);
  let numBits = 0;
  for (let max = operands.length * ALL; max !== 0; max = Math.floor(max / 2)) numBits++;
  const lo = sum >>> 0;
  const base = cs.allocBits(lo, 32);
  cs.allocBits(Math.floor(sum / 0x100000000), numBits - 32);
  cs.skip(numBits);
  meq.enforceSum(numBits, [], []);
  return { v: lo, c: 0, n: 0, base };
}

type Maybe = Word | Word[];

const computed = (cs: SynthesisCs, meq: MultiEq, m: Maybe, others: Word[]): Word =>
  Array.isArray(m) ? addmany(cs, meq, m.concat(others)) : m;

/**
 * sha256CompressionFunction (sha256.ts) in a witness-only synthesis, `roundConstants` its K: the same
 * witness and constraint count.
 */
export function sha256CompressionWitness(
  cs: SynthesisCs,
  input: readonly Bool[],
  state: readonly UInt32[],
  roundConstants: readonly number[],
): UInt32[] {
  const meq = new MultiEq(cs);
  const w: Word[] = [];
  for (let i = 0; i < 16; i++) w.push(fromBitsBe(cs, input, 32 * i));
  for (let i = 16; i < 64; i++) {
    const w15 = w[i - 15]!;
    const s0 = xor(cs, xor(cs, rotr(w15, 7), rotr(w15, 18)), shr(w15, 3));
    const w2 = w[i - 2]!;
    const s1 = xor(cs, xor(cs, rotr(w2, 17), rotr(w2, 19)), shr(w2, 10));
    w.push(addmany(cs, meq, [w[i - 16]!, s0, w[i - 7]!, s1]));
  }
  const s = state.map(fromUInt32);
  let a: Maybe = s[0]!;
  let [, b, c, d] = s as [Word, Word, Word, Word];
  let e: Maybe = s[4]!;
  let [, , , , , f, g, h] = s as [Word, Word, Word, Word, Word, Word, Word, Word];
  for (let i = 0; i < 64; i++) {
    const newE = computed(cs, meq, e, []);
    const s1 = xor(cs, xor(cs, rotr(newE, 6), rotr(newE, 11)), rotr(newE, 25));
    const chosen = ch(cs, newE, f, g);
    const temp1 = [h, s1, chosen, constant(roundConstants[i]!), w[i]!];
    const newA = computed(cs, meq, a, []);
    const s0 = xor(cs, xor(cs, rotr(newA, 2), rotr(newA, 13)), rotr(newA, 22));
    const majority = maj(cs, newA, b, c);
    h = g;
    g = f;
    f = newE;
    e = [...temp1, d];
    d = c;
    c = b;
    b = newA;
    a = [...temp1, s0, majority];
  }
  const out = [
    computed(cs, meq, a, [s[0]!]),
    addmany(cs, meq, [s[1]!, b]),
    addmany(cs, meq, [s[2]!, c]),
    addmany(cs, meq, [s[3]!, d]),
    computed(cs, meq, e, [s[4]!]),
    addmany(cs, meq, [s[5]!, f]),
    addmany(cs, meq, [s[6]!, g]),
    addmany(cs, meq, [s[7]!, h]),
  ];
  meq.finish();
  return out.map(toUInt32);
}
