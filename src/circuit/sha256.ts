/**
 * bellperson's SHA-256 gadget: message padding with constant bits, then the compression function per
 * 512-bit block (namespace "block {i}"), each compression owning one MultiEq for all its additions.
 *
 * Additions are deferred as in bellperson: the new `a` and `e` of a round are kept as operand lists and only
 * summed (one addmany of 7 or 6 operands) when the next round reads them, and the last ones are summed
 * together with the incoming state word.
 */
import { type Bool, FALSE, TRUE } from './boolean.ts';
import type { SynthesisCs } from './synthesis-cs.ts';
import { MultiEq } from './multieq.ts';
import { UInt32 } from './uint32.ts';
import { sha256CompressionWitness } from './sha256-witness.ts';

// prettier-ignore
const ROUND_CONSTANTS: readonly number[] = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

const IV: readonly number[] = [
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];
const K = ROUND_CONSTANTS.map((k) => UInt32.constant(k));

function ivWords(): UInt32[] {
  return IV.map((v) => UInt32.constant(v));
}

function flattenBe(words: readonly UInt32[]): Bool[] {
  const out: Bool[] = [];
  for (const w of words) for (let i = 31; i >= 0; i--) out.push(w.bits[i]!);
  return out;
}

/** sha256: the padded message's digest as 256 Booleans, most significant bit of each byte first. */
export function sha256(cs: SynthesisCs, input: readonly Bool[]): Bool[] {
  if (input.length % 8 !== 0) throw new Error('sha256: input must be whole bytes');
  const padded = input.slice();
  const len = input.length;
  padded.push(TRUE);
  while ((padded.length + 64) % 512 !== 0) padded.push(FALSE);
  // 64-bit big-endian bit length (lengths here stay far below 2^53).
  for (let i = 63; i >= 0; i--) padded.push(Math.floor(len / 2 ** i) % 2 === 1 ? TRUE : FALSE);

  let cur = ivWords();
  for (let i = 0; i * 512 < padded.length; i++) {
    cs.push('block ', i);
    cur = sha256CompressionFunction(cs, padded.slice(i * 512, i * 512 + 512), cur);
    cs.pop();
  }
  return flattenBe(cur);
}

/** sha256_block_no_padding: one compression of a 512-bit block from the IV, in the caller's namespace. */
export function sha256BlockNoPadding(cs: SynthesisCs, input: readonly Bool[]): Bool[] {
  if (input.length !== 512) throw new Error('sha256BlockNoPadding: need 512 bits');
  return flattenBe(sha256CompressionFunction(cs, input, ivWords()));
}

/** A word that is either ready or still a list of operands to add (bellperson's `Maybe`). */
type Maybe = UInt32 | UInt32[];

/** Maybe::compute inside namespace `name` (pushed even when there is nothing to add, as in bellperson). */
function compute(cs: SynthesisCs, meq: MultiEq, name: string, m: Maybe, others: UInt32[]): UInt32 {
  cs.push(name);
  const r = m instanceof UInt32 ? m : UInt32.addmany(cs, meq, m.concat(others));
  cs.pop();
  return r;
}

function xorIn(cs: SynthesisCs, name: string, a: UInt32, b: UInt32): UInt32 {
  cs.push(name);
  const r = a.xor(cs, b);
  cs.pop();
  return r;
}

function addIn(cs: SynthesisCs, meq: MultiEq, name: string, operands: UInt32[]): UInt32 {
  cs.push(name);
  const r = UInt32.addmany(cs, meq, operands);
  cs.pop();
  return r;
}

/** sha256_compression_function: the next state from a 512-bit block and the current state. */
export function sha256CompressionFunction(
  cs: SynthesisCs,
  input: readonly Bool[],
  state: readonly UInt32[],
): UInt32[] {
  if (input.length !== 512 || state.length !== 8) throw new Error('sha256 compression: bad sizes');
  // witness-only (and no namespace log to keep): the same values and counts a word at a time
  if (cs.witnessOnly && cs.maxDepth === 0) return sha256CompressionWitness(cs, input, state, ROUND_CONSTANTS);
  const w: UInt32[] = [];
  for (let i = 0; i < 16; i++) w.push(UInt32.fromBitsBe(cs, input.slice(32 * i, 32 * i + 32)));

  const meq = new MultiEq(cs);

  for (let i = 16; i < 64; i++) {
    cs.push('w extension ', i);
    const w15 = w[i - 15]!;
    let s0 = w15.rotr(7);
    s0 = xorIn(cs, 'first xor for s0', s0, w15.rotr(18));
    s0 = xorIn(cs, 'second xor for s0', s0, w15.shr(3));
    const w2 = w[i - 2]!;
    let s1 = w2.rotr(17);
    s1 = xorIn(cs, 'first xor for s1', s1, w2.rotr(19));
    s1 = xorIn(cs, 'second xor for s1', s1, w2.shr(10));
    w.push(addIn(cs, meq, 'computation of w[i]', [w[i - 16]!, s0, w[i - 7]!, s1]));
    cs.pop();
  }

  let a: Maybe = state[0]!;
  let b = state[1]!;
  let c = state[2]!;
  let d = state[3]!;
  let e: Maybe = state[4]!;
  let f = state[5]!;
  let g = state[6]!;
  let h = state[7]!;

  for (let i = 0; i < 64; i++) {
    cs.push('compression round ', i);
    const newE = compute(cs, meq, 'deferred e computation', e, []);
    let s1 = newE.rotr(6);
    s1 = xorIn(cs, 'first xor for s1', s1, newE.rotr(11));
    s1 = xorIn(cs, 'second xor for s1', s1, newE.rotr(25));

    cs.push('ch');
    const ch = UInt32.sha256Ch(cs, newE, f, g);
    cs.pop();

    const temp1 = [h, s1, ch, K[i]!, w[i]!];

    const newA = compute(cs, meq, 'deferred a computation', a, []);
    let s0 = newA.rotr(2);
    s0 = xorIn(cs, 'first xor for s0', s0, newA.rotr(13));
    s0 = xorIn(cs, 'second xor for s0', s0, newA.rotr(22));

    cs.push('maj');
    const maj = UInt32.sha256Maj(cs, newA, b, c);
    cs.pop();

    h = g;
    g = f;
    f = newE;
    e = [...temp1, d];
    d = c;
    c = b;
    b = newA;
    a = [...temp1, s0, maj];
    cs.pop();
  }

  const h0 = compute(cs, meq, 'deferred h0 computation', a, [state[0]!]);
  const h1 = addIn(cs, meq, 'new h1', [state[1]!, b]);
  const h2 = addIn(cs, meq, 'new h2', [state[2]!, c]);
  const h3 = addIn(cs, meq, 'new h3', [state[3]!, d]);
  const h4 = compute(cs, meq, 'deferred h4 computation', e, [state[4]!]);
  const h5 = addIn(cs, meq, 'new h5', [state[5]!, f]);
  const h6 = addIn(cs, meq, 'new h6', [state[6]!, g]);
  const h7 = addIn(cs, meq, 'new h7', [state[7]!, h]);
  meq.finish();
  return [h0, h1, h2, h3, h4, h5, h6, h7];
}
