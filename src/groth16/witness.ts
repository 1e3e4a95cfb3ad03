/**
 * Synthesis's compact witness (its layout: shared/compact-witness.ts): written one variable at a time
 * (WitnessBuilder), joined from slices, and expanded to 32 bytes a variable where a caller needs that
 * (the synthesis constraint system's values, the oracle comparisons).
 */
import { FR_BYTES, bigintFromLe } from '../shared/fr.ts';
import type { FrVector } from '../shared/fr-vector.ts';
import { popcount32 } from '../shared/bits.ts';
import { type CompactWitness, witnessWords } from '../shared/compact-witness.ts';
import { frBytes } from '../backends/cpu/index.ts';

/** The witness as the prover's FrVector (FR_BYTES per variable). */
export function expandWitness(
  w: CompactWitness,
  out: FrVector = new Uint8Array(w.count * FR_BYTES),
): FrVector {
  if (out.length !== w.count * FR_BYTES)
    throw new RangeError(`expandWitness: ${out.length} bytes for ${w.count}`);
  out.fill(0);
  let next = 0;
  for (let word = 0; word < w.full.length; word++) {
    const full = w.full[word]!;
    const bits = w.bits[word]!;
    if (full === 0 && bits === 0) continue;
    const base = word * 32;
    for (let b = 0; b < 32; b++) {
      const j = base + b;
      if ((full >>> b) & 1) {
        out.set(w.values.subarray(next * FR_BYTES, (next + 1) * FR_BYTES), j * FR_BYTES);
        next++;
      } else if ((bits >>> b) & 1) {
        out[j * FR_BYTES] = 1;
      }
    }
  }
  if (next * FR_BYTES !== w.values.length) {
    throw new RangeError(`compact witness: ${w.values.length / FR_BYTES} values for ${next} full variables`);
  }
  return out;
}

/**
 * expandWitness on every core and off the event loop (native/src/scalars.rs): for the oracle's
 * comparisons, whose A, B, C take 32-byte values (every backend's proving kernels read it as it is).
 */
export function expandWitnessAsync(w: CompactWitness, out?: FrVector): Promise<FrVector> {
  return frBytes(w, out);
}

/** The compact form of a FrVector witness (tests, and witnesses from elsewhere). */
export function compactWitness(aux: FrVector): CompactWitness {
  const count = aux.length / FR_BYTES;
  const words = witnessWords(count);
  const full = new Uint32Array(words);
  const bits = new Uint32Array(words);
  const fullAt: number[] = [];
  for (let j = 0; j < count; j++) {
    const o = j * FR_BYTES;
    let high = 0;
    for (let k = 1; k < FR_BYTES; k++) high |= aux[o + k]!;
    if (high === 0 && aux[o]! <= 1) {
      if (aux[o]) bits[j >>> 5] = bits[j >>> 5]! | (1 << (j & 31));
    } else {
      full[j >>> 5] = full[j >>> 5]! | (1 << (j & 31));
      fullAt.push(j);
    }
  }
  const values = new Uint8Array(fullAt.length * FR_BYTES);
  fullAt.forEach((j, i) => values.set(aux.subarray(j * FR_BYTES, (j + 1) * FR_BYTES), i * FR_BYTES));
  return { count, full, bits, values };
}

/** Bytes the witness holds. */
export function witnessBytes(w: CompactWitness): number {
  return w.full.byteLength + w.bits.byteLength + w.values.byteLength;
}

/** ORs n bits of src from bit `from` into dst (zero there) from bit `at`, 32 at a time. */
function copyBits(dst: Uint32Array, at: number, src: Uint32Array, from: number, n: number): void {
  for (let done = 0; done < n; done += 32) {
    const s = from + done;
    const sw = s >>> 5;
    const sb = s & 31;
    let v = sb === 0 ? src[sw]! : (src[sw]! >>> sb) | ((src[sw + 1] ?? 0) << (32 - sb));
    const left = n - done;
    if (left < 32) v &= (1 << left) - 1;
    if (v === 0) continue;
    const d = at + done;
    const dw = d >>> 5;
    const db = d & 31;
    dst[dw] = dst[dw]! | (v << db);
    if (db !== 0 && dw + 1 < dst.length) dst[dw + 1] = dst[dw + 1]! | (v >>> (32 - db));
  }
}

/** Full variables among the first `n` of w. */
function fullBefore(w: CompactWitness, n: number): number {
  let k = 0;
  const words = n >>> 5;
  for (let i = 0; i < words; i++) k += popcount32(w.full[i]!);
  if (n & 31) k += popcount32(w.full[words]! & ((1 << (n & 31)) - 1));
  return k;
}

/**
 * Witnesses synthesized in slices, one after the other: of each part the variables from its `from` on (a
 * slice repeats the variables every slice reads, which only the first keeps).
 */
export function joinWitnesses(parts: readonly { witness: CompactWitness; from: number }[]): CompactWitness {
  let count = 0;
  let valueBytes = 0;
  for (const { witness: w, from } of parts) {
    if (!(from >= 0 && from <= w.count)) throw new RangeError(`joinWitnesses: from ${from} of ${w.count}`);
    count += w.count - from;
    valueBytes += w.values.length - fullBefore(w, from) * FR_BYTES;
  }
  const words = witnessWords(count);
  const out: CompactWitness = {
    count,
    full: new Uint32Array(words),
    bits: new Uint32Array(words),
    values: new Uint8Array(valueBytes),
  };
  let at = 0;
  let valuesAt = 0;
  for (const { witness: w, from } of parts) {
    const n = w.count - from;
    copyBits(out.full, at, w.full, from, n);
    copyBits(out.bits, at, w.bits, from, n);
    const tail = w.values.subarray(fullBefore(w, from) * FR_BYTES);
    out.values.set(tail, valuesAt);
    valuesAt += tail.length;
    at += n;
  }
  return out;
}

/** Whether the 32-byte little-endian value at `at` is 0 or 1 (its high bytes stop the scan at once). */
function isBitLe(bytes: Uint8Array, at: number): boolean {
  for (let i = at + FR_BYTES - 1; i > at; i--) if (bytes[i] !== 0) return false;
  return bytes[at]! <= 1;
}

function grow(a: Uint32Array): Uint32Array {
  const next = new Uint32Array(a.length * 2);
  next.set(a);
  return next;
}

/**
 * Writes a compact witness one variable at a time, as synthesis allocates them, and reads any variable back
 * (gadgets need earlier values). Per 32-variable word it keeps the number of full variables before it, so
 * that a full variable's value is found without a scan.
 */
export class WitnessBuilder {
  private bitWords: Uint32Array;
  private fullWords: Uint32Array;
  private fullRank: Uint32Array;
  private fullBytes: Uint8Array;
  private fullView: DataView;
  private numFull = 0;
  /** Variables written so far. */
  count = 0;

  constructor(capacity = 1 << 16) {
    const words = witnessWords(Math.max(32, capacity));
    this.bitWords = new Uint32Array(words);
    this.fullWords = new Uint32Array(words);
    this.fullRank = new Uint32Array(words);
    this.fullBytes = new Uint8Array(FR_BYTES * 1024);
    this.fullView = new DataView(this.fullBytes.buffer);
  }

  /** Appends a variable holding 0 or 1; returns its index. */
  pushBit(bit: boolean | number): number {
    const j = this.next();
    if (bit) this.bitWords[j >>> 5] = this.bitWords[j >>> 5]! | (1 << (j & 31));
    return j;
  }

  /**
   * Appends `count` (1..32) variables holding the low bits of `word`, least significant first; returns the
   * first one's index. SHA-256's witness-only path writes a word's bits so rather than one call a bit.
   */
  pushBits(word: number, count: number): number {
    const first = this.count;
    const end = first + count;
    for (let w = (first + 31) >>> 5; w <= (end - 1) >>> 5; w++) this.openWord(w);
    const bits = count === 32 ? word : word & ((1 << count) - 1);
    const shift = first & 31;
    const w0 = first >>> 5;
    this.bitWords[w0] = this.bitWords[w0]! | (bits << shift);
    if (shift + count > 32) this.bitWords[w0 + 1] = this.bitWords[w0 + 1]! | (bits >>> (32 - shift));
    this.count = end;
    return first;
  }

  /** Appends a variable holding `v`, reduced and above 1; returns its index. */
  pushFull(v: bigint): number {
    const o = this.claimFull();
    const d = this.fullView;
    d.setBigUint64(o, BigInt.asUintN(64, v), true);
    d.setBigUint64(o + 8, BigInt.asUintN(64, v >> 64n), true);
    d.setBigUint64(o + 16, BigInt.asUintN(64, v >> 128n), true);
    d.setBigUint64(o + 24, v >> 192n, true);
    return this.count - 1;
  }

  /**
   * Appends the canonical value at `bytes[at..at + FR_BYTES]` (little-endian, below r); returns its index.
   * 0 and 1 go into the bitset as pushFull's would.
   */
  pushLe(bytes: Uint8Array, at: number): number {
    if (isBitLe(bytes, at)) return this.pushBit(bytes[at]!);
    const o = this.claimFull(); // first: it may grow fullBytes
    this.fullBytes.set(bytes.subarray(at, at + FR_BYTES), o);
    return this.count - 1;
  }

  /**
   * Appends the `count` canonical little-endian values at the start of `bytes` (a native kernel's output),
   * as pushLe would one by one; returns the first one's index.
   */
  pushLeRun(bytes: Uint8Array, count: number): number {
    const first = this.count;
    let small = false;
    for (let k = 0; k < count && !small; k++) small = isBitLe(bytes, k * FR_BYTES);
    if (small) {
      // a 0 or 1 among them (never seen in a Poseidon's values, but possible) goes to the bitset
      for (let k = 0; k < count; k++) this.pushLe(bytes, k * FR_BYTES);
      return first;
    }
    const at = this.numFull * FR_BYTES;
    for (let k = 0; k < count; k++) this.claimFull();
    this.fullBytes.set(bytes.subarray(0, count * FR_BYTES), at);
    return first;
  }

  /** The low byte of variable j's value: the bit, for a variable that holds one. */
  bitAt(j: number): number {
    if (this.isFull(j)) return this.fullBytes[this.fullIndex(j) * FR_BYTES]!;
    return (this.bitWords[j >>> 5]! >>> (j & 31)) & 1;
  }

  valueAt(j: number): bigint {
    if (!this.isFull(j)) return BigInt((this.bitWords[j >>> 5]! >>> (j & 31)) & 1);
    return bigintFromLe(this.fullBytes, this.fullIndex(j) * FR_BYTES);
  }

  /** The witness so far (trimmed copies: the builder's spare capacity stays behind). */
  build(): CompactWitness {
    const words = witnessWords(this.count);
    return {
      count: this.count,
      full: this.fullWords.slice(0, words),
      bits: this.bitWords.slice(0, words),
      values: this.fullBytes.slice(0, this.numFull * FR_BYTES),
    };
  }

  /** Claims the next index for a full value; returns where its FR_BYTES go in fullBytes. */
  private claimFull(): number {
    const j = this.next();
    const w = j >>> 5;
    this.fullWords[w] = this.fullWords[w]! | (1 << (j & 31));
    const k = this.numFull++;
    if ((k + 1) * FR_BYTES > this.fullBytes.length) {
      const next = new Uint8Array(this.fullBytes.length * 2);
      next.set(this.fullBytes);
      this.fullBytes = next;
      this.fullView = new DataView(next.buffer);
    }
    return k * FR_BYTES;
  }

  /** Claims the next index, opening a new word of flags every 32 variables. */
  private next(): number {
    const j = this.count++;
    if ((j & 31) === 0) this.openWord(j >>> 5);
    return j;
  }

  /** Opens word w of flags (the next one), growing the arrays when it is past their end. */
  private openWord(w: number): void {
    if (w === this.bitWords.length) {
      this.bitWords = grow(this.bitWords);
      this.fullWords = grow(this.fullWords);
      this.fullRank = grow(this.fullRank);
    }
    this.fullRank[w] = this.numFull;
  }

  /** Index into fullBytes of full variable j. */
  private fullIndex(j: number): number {
    const w = j >>> 5;
    const below = this.fullWords[w]! & ((1 << (j & 31)) - 1);
    return this.fullRank[w]! + popcount32(below);
  }

  private isFull(j: number): boolean {
    return ((this.fullWords[j >>> 5]! >>> (j & 31)) & 1) === 1;
  }
}
