/**
 * A fast constraint system for synthesizing big circuits (millions of constraints) the way bellperson's
 * prover sees them: values and structure in growable typed arrays, no object per constraint or variable.
 *
 * Variables are numbers: input i is i (input 0 is ONE), aux j is AUX + j. That keeps bellperson's term
 * order (inputs ascending, then aux ascending) a plain numeric sort, and maps onto the R1cs column space
 * (inputs, then aux) by subtracting AUX and adding numInputs once synthesis is over.
 *
 * Linear combinations are built as unmerged term lists (`Lc`); `enforce` merges terms on the same variable
 * (adding coefficients, as bellpepper-core's LinearCombination does), drops zero coefficients (skipped by
 * bellperson's evaluation and density trackers alike) and stores the rest sorted, coefficients interned
 * into a small table.
 *
 * Namespaces cost nothing below `maxDepth`: pushes and pops up to that depth are logged with the
 * constraint / aux / input counts at that moment, so per-namespace statistics can be computed afterwards
 * (see digest.ts). Deeper namespaces only move a depth counter.
 */
import type { SparseMatrix } from '../shared/r1cs.ts';
import type { R1cs } from '../shared/r1cs.ts';
import { FR_MODULUS, frToBytes, mod } from '../shared/fr.ts';
import { expandWitness, witnessWords, type CompactWitness } from '../groth16/witness.ts';

export const P = FR_MODULUS;
/** Aux variable j is AUX + j. */
export const AUX = 2 ** 31;
export const ONE = 0;
const HALF = P >> 1n;
const SORT_SHIFT = 2 ** 21;

/**
 * A cheap Map key for a coefficient. V8 hashes a BigInt by its lowest 64-bit digit only, so the powers of two
 * above 2^64 (every bit-packing LC has them) all fall into one hash bucket and a Map<bigint> lookup becomes a
 * linear scan. The double nearest to c (or to -(P - c) for the "negative" half) keeps the top 53 significant
 * bits instead: distinct for powers of two, small values and their negations, and for random field
 * elements; a rare collision is caught by comparing with the interned value.
 */
function coeffKey(c: bigint): number {
  return c > HALF ? -1 - Number(P - c) : Number(c);
}

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

const EMPTY = new Lc();

function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

class GrowU32 {
  data: Uint32Array;
  length = 0;
  constructor(cap = 1024) {
    this.data = new Uint32Array(cap);
  }
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Uint32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  view(): Uint32Array {
    return this.data.subarray(0, this.length);
  }
}

/** One of the A, B, C matrices in CSR form over tagged variable ids. */
class MatrixBuilder {
  readonly rowPtr = new GrowU32();
  readonly vars = new GrowU32();
  readonly coeffIds = new GrowU32();
  constructor() {
    this.rowPtr.push(0);
  }
}

export interface NamespaceEvent {
  /** Path id (into `paths`) on push; -1 on pop. */
  readonly path: number;
  readonly constraints: number;
  readonly aux: number;
  readonly inputs: number;
}

export class ConstraintSystem {
  /** Namespace paths deeper than this are not recorded. */
  readonly maxDepth: number;
  readonly inputs: bigint[] = [1n];
  // the aux values, compact (see CompactWitness): bit values, full flags, and per 32-variable word the
  // number of full variables before it, so that a full variable's value is found without a scan
  private bitWords: Uint32Array;
  private fullWords: Uint32Array;
  private fullRank: Uint32Array;
  private fullBytes: Uint8Array;
  private fullView: DataView;
  private numFull = 0;
  numAux = 0;
  numConstraints = 0;
  readonly a = new MatrixBuilder();
  readonly b = new MatrixBuilder();
  readonly c = new MatrixBuilder();
  /** Distinct coefficients, in order of first use. */
  readonly coeffs: bigint[] = [];
  /** coeffKey(c) → id of the first coefficient interned under that key. */
  private readonly coeffByKey = new Map<number, number>();
  /** Exact index, only consulted when two coefficients share a key. */
  private readonly coeffIndex = new Map<bigint, number>();

  private readonly stack: string[] = [];
  private depth = 0;
  readonly paths: string[] = [];
  private readonly pathIndex = new Map<string, number>();
  readonly events: NamespaceEvent[] = [];

  // scratch for merging
  private sv: number[] = [];
  private sc: bigint[] = [];
  private sortKeys = new Float64Array(1024);

  /**
   * Witness-only synthesis: `enforce` stores nothing (it only counts), gadgets still compute every value.
   * The constraint structure is the same for every proof of a circuit shape, so it is synthesized once
   * (see synthesis-task.ts) and later partitions only need the witness. Hot gadgets check this flag to skip
   * building linear combinations that would be dropped anyway (`skip()` instead of `enforce`).
   */
  readonly witnessOnly: boolean;

  constructor(options: { maxDepth?: number; auxCapacity?: number; witnessOnly?: boolean } = {}) {
    this.witnessOnly = options.witnessOnly ?? false;
    this.maxDepth = options.maxDepth ?? 0;
    const words = witnessWords(Math.max(32, options.auxCapacity ?? 1 << 16));
    this.bitWords = new Uint32Array(words);
    this.fullWords = new Uint32Array(words);
    this.fullRank = new Uint32Array(words);
    this.fullBytes = new Uint8Array(32 * 1024);
    this.fullView = new DataView(this.fullBytes.buffer);
  }

  // ----- namespaces

  /** bellperson's push_namespace; the name is `name` followed by `index` when given. */
  push(name: string, index?: number): void {
    this.depth++;
    if (this.depth > this.maxDepth) return;
    const full = index === undefined ? name : name + index;
    this.stack.push(full);
    const path = this.stack.join('/');
    let id = this.pathIndex.get(path);
    if (id === undefined) {
      id = this.paths.length;
      this.paths.push(path);
      this.pathIndex.set(path, id);
    }
    this.events.push({
      path: id,
      constraints: this.numConstraints,
      aux: this.numAux,
      inputs: this.inputs.length,
    });
  }

  pop(): void {
    if (this.depth <= this.maxDepth) {
      this.stack.pop();
      this.events.push({
        path: -1,
        constraints: this.numConstraints,
        aux: this.numAux,
        inputs: this.inputs.length,
      });
    }
    this.depth--;
  }

  /** Runs `fn` inside namespace `name` (+ `index`). */
  ns<T>(name: string, fn: () => T, index?: number): T {
    this.push(name, index);
    try {
      return fn();
    } finally {
      this.pop();
    }
  }

  get namespaceDepth(): number {
    return this.depth;
  }

  // ----- variables

  /**
   * Stores a value. 0 and 1 (nearly every variable of this circuit) go into the bitset; any other value
   * takes 32 bytes (see CompactWitness).
   */
  alloc(value: bigint): number {
    const v = value >= 0n && value < P ? value : mod(value);
    if (v <= 1n) return this.allocBit(v === 1n);
    const j = this.startAux();
    const w = j >>> 5;
    this.fullWords[w] = this.fullWords[w]! | (1 << (j & 31));
    const k = this.numFull++;
    if ((k + 1) * 32 > this.fullBytes.length) {
      const next = new Uint8Array(this.fullBytes.length * 2);
      next.set(this.fullBytes);
      this.fullBytes = next;
      this.fullView = new DataView(next.buffer);
    }
    const o = k * 32;
    const d = this.fullView;
    d.setBigUint64(o, BigInt.asUintN(64, v), true);
    d.setBigUint64(o + 8, BigInt.asUintN(64, v >> 64n), true);
    d.setBigUint64(o + 16, BigInt.asUintN(64, v >> 128n), true);
    d.setBigUint64(o + 24, v >> 192n, true);
    return AUX + j;
  }

  /** Allocates an aux variable holding 0 or 1. */
  allocBit(bit: boolean | number): number {
    const j = this.startAux();
    if (bit) this.bitWords[j >>> 5] = this.bitWords[j >>> 5]! | (1 << (j & 31));
    return AUX + j;
  }

  allocInput(value: bigint): number {
    this.inputs.push(value);
    return this.inputs.length - 1;
  }

  /** Claims the next aux index, opening a new word of flags every 32 variables. */
  private startAux(): number {
    const j = this.numAux++;
    if ((j & 31) === 0) {
      const w = j >>> 5;
      if (w === this.bitWords.length) {
        const grow = (a: Uint32Array): Uint32Array => {
          const next = new Uint32Array(a.length * 2);
          next.set(a);
          return next;
        };
        this.bitWords = grow(this.bitWords);
        this.fullWords = grow(this.fullWords);
        this.fullRank = grow(this.fullRank);
      }
      this.fullRank[w] = this.numFull;
    }
    return j;
  }

  /** Index into fullBytes of full aux variable j. */
  private fullIndex(j: number): number {
    const w = j >>> 5;
    const below = this.fullWords[w]! & ((1 << (j & 31)) - 1);
    return this.fullRank[w]! + popcount32(below);
  }

  private isFull(j: number): boolean {
    return ((this.fullWords[j >>> 5]! >>> (j & 31)) & 1) === 1;
  }

  /** The value of a bit variable (the low byte of its value). */
  bitValue(v: number): number {
    const j = v - AUX;
    if (this.isFull(j)) return this.fullBytes[this.fullIndex(j) * 32]!;
    return (this.bitWords[j >>> 5]! >>> (j & 31)) & 1;
  }

  /** The aux assignment in its compact form (trimmed copies: the builder's spare capacity stays behind). */
  witness(): CompactWitness {
    const words = witnessWords(this.numAux);
    return {
      count: this.numAux,
      full: this.fullWords.slice(0, words),
      bits: this.bitWords.slice(0, words),
      values: this.fullBytes.slice(0, this.numFull * 32),
    };
  }

  /** The values of the aux variables, 32 bytes LE each. */
  auxValues(): Uint8Array {
    return expandWitness(this.witness());
  }

  value(v: number): bigint {
    if (v < AUX) return this.inputs[v]!;
    const j = v - AUX;
    if (!this.isFull(j)) return BigInt((this.bitWords[j >>> 5]! >>> (j & 31)) & 1);
    const o = this.fullIndex(j) * 32;
    let x = 0n;
    for (let i = 31; i >= 0; i--) x = (x << 8n) | BigInt(this.fullBytes[o + i]!);
    return x;
  }

  // ----- constraints

  private coeffId(c: bigint): number {
    const key = coeffKey(c);
    const id = this.coeffByKey.get(key);
    if (id !== undefined && this.coeffs[id] === c) return id;
    return this.coeffIdSlow(c, key, id);
  }

  private coeffIdSlow(c: bigint, key: number, keyed: number | undefined): number {
    let id = this.coeffIndex.get(c);
    if (id === undefined) {
      id = this.coeffs.length;
      this.coeffs.push(c);
      this.coeffIndex.set(c, id);
      if (keyed === undefined) this.coeffByKey.set(key, id);
    }
    return id;
  }

  /**
   * Stable insertion sort of the terms into the scratch lists: linear for the nearly sorted LCs gadgets
   * build (a packed number with its variable in front, bytes with reversed bits). Gives up (false) when the
   * list is far from sorted.
   */
  private insertionSort(vars: readonly number[], coeffs: readonly bigint[], n: number): boolean {
    const sv = this.sv;
    const sc = this.sc;
    let budget = 8 * n + 64;
    for (let i = 0; i < n; i++) {
      const v = vars[i]!;
      const c = coeffs[i]!;
      let j = i;
      while (j > 0 && sv[j - 1]! > v) {
        sv[j] = sv[j - 1]!;
        sc[j] = sc[j - 1]!;
        j--;
      }
      sv[j] = v;
      sc[j] = c;
      budget -= i - j;
      if (budget < 0) return false;
    }
    return true;
  }

  private store(lc: Lc, m: MatrixBuilder): void {
    const n = lc.vars.length;
    const vars = lc.vars;
    const coeffs = lc.coeffs;
    if (n === 1) {
      if (coeffs[0] !== 0n) {
        m.vars.push(vars[0]!);
        m.coeffIds.push(this.coeffId(coeffs[0]!));
      }
    } else if (n > 1) {
      if (n >= SORT_SHIFT) throw new RangeError('linear combination too long');
      // Sort term indices by variable (stable), then merge runs.
      let sorted = true;
      for (let i = 1; i < n; i++) {
        if (vars[i]! <= vars[i - 1]!) {
          sorted = false;
          break;
        }
      }
      let sv: number[];
      let sc: bigint[];
      if (sorted) {
        sv = vars;
        sc = coeffs;
      } else {
        sv = this.sv;
        sc = this.sc;
        sv.length = n;
        sc.length = n;
        if (!this.insertionSort(vars, coeffs, n)) {
          // Sort (variable, index) packed into doubles: exact, as variables are below 2^32 and n below 2^21.
          if (this.sortKeys.length < n)
            this.sortKeys = new Float64Array(Math.max(n, 2 * this.sortKeys.length));
          const keys = this.sortKeys.subarray(0, n);
          for (let i = 0; i < n; i++) keys[i] = vars[i]! * SORT_SHIFT + i;
          keys.sort();
          for (let i = 0; i < n; i++) {
            const k = keys[i]!;
            const at = k % SORT_SHIFT;
            sv[i] = (k - at) / SORT_SHIFT;
            sc[i] = coeffs[at]!;
          }
        }
      }
      let i = 0;
      while (i < n) {
        const v = sv[i]!;
        let c = sc[i]!;
        i++;
        while (i < n && sv[i] === v) {
          c += sc[i]!;
          if (c >= P) c -= P;
          i++;
        }
        if (c !== 0n) {
          m.vars.push(v);
          m.coeffIds.push(this.coeffId(c));
        }
      }
    }
    m.rowPtr.push(m.vars.length);
  }

  enforce(a: Lc, b: Lc, c: Lc): void {
    if (this.witnessOnly) {
      this.numConstraints++;
      return;
    }
    this.store(a, this.a);
    this.store(b, this.b);
    this.store(c, this.c);
    this.numConstraints++;
  }

  /** Counts a constraint whose linear combinations a witness-only synthesis did not build. */
  skip(): void {
    if (!this.witnessOnly) throw new Error('skip() outside a witness-only synthesis');
    this.numConstraints++;
  }

  /** A constraint with an empty LC in some places (`lc` in bellperson's closures). */
  static readonly ZERO = EMPTY;

  // ----- results

  /**
   * The R1cs in the prover's layout (columns: inputs, then aux). With `shared`, its arrays live in
   * SharedArrayBuffers, so that posting it to or from a worker thread shares it instead of copying it.
   */
  toR1cs(shared = false): R1cs {
    if (this.witnessOnly) throw new Error('a witness-only synthesis has no constraint structure');
    const numInputs = this.inputs.length;
    const u32 = (n: number): Uint32Array =>
      shared ? new Uint32Array(new SharedArrayBuffer(n * 4)) : new Uint32Array(n);
    const table = shared
      ? new Uint8Array(new SharedArrayBuffer(this.coeffs.length * 32))
      : new Uint8Array(this.coeffs.length * 32);
    this.coeffs.forEach((c, i) => frToBytes(c, table, i * 32));
    const matrix = (m: MatrixBuilder): SparseMatrix => {
      const vars = m.vars.view();
      const cols = u32(vars.length);
      for (let i = 0; i < vars.length; i++) {
        const v = vars[i]!;
        cols[i] = v < AUX ? v : numInputs + (v - AUX);
      }
      const rowPtr = u32(m.rowPtr.length);
      rowPtr.set(m.rowPtr.view());
      const coeffIds = u32(m.coeffIds.length);
      coeffIds.set(m.coeffIds.view());
      return { rowPtr, cols, coeffIds, coeffTable: table };
    };
    return {
      numInputs,
      numAux: this.numAux,
      numConstraints: this.numConstraints,
      a: matrix(this.a),
      b: matrix(this.b),
      c: matrix(this.c),
    };
  }

  /** Evaluates an LC of the stored matrix `m` at row `r`. */
  private evalRow(m: MatrixBuilder, r: number): bigint {
    const ptr = m.rowPtr.data;
    const vars = m.vars.data;
    const ids = m.coeffIds.data;
    let s = 0n;
    for (let t = ptr[r]!; t < ptr[r + 1]!; t++) s += this.value(vars[t]!) * this.coeffs[ids[t]!]!;
    return s % P;
  }

  /** The index of the first constraint that the recorded values do not satisfy, or -1. */
  firstUnsatisfied(from = 0): number {
    for (let r = from; r < this.numConstraints; r++) {
      if ((this.evalRow(this.a, r) * this.evalRow(this.b, r)) % P !== this.evalRow(this.c, r)) return r;
    }
    return -1;
  }

  /** Raw access for the digest: rows of one matrix. */
  matrix(which: 'a' | 'b' | 'c'): { rowPtr: Uint32Array; vars: Uint32Array; coeffIds: Uint32Array } {
    const m = this[which];
    return { rowPtr: m.rowPtr.data, vars: m.vars.data, coeffIds: m.coeffIds.data };
  }
}
