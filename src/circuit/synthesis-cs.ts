/**
 * The constraint system that synthesizes big circuits (millions of constraints) for proving, the way
 * bellperson's prover sees them: values and structure in growable typed arrays, no object per constraint
 * or variable. It records both the structure (the R1cs) and the witness, or with `witnessOnly` the
 * witness alone, for the partitions of a shape whose structure is already known.
 *
 * `enforce` merges terms on the same variable (adding coefficients, as bellpepper-core's
 * LinearCombination does), drops zero coefficients (skipped by bellperson's evaluation and density
 * trackers alike) and stores the rest sorted, coefficients interned into a small table.
 * Its parts: variables and LCs (lc.ts), the coefficient table (coefficients.ts), the namespace log
 * (namespace-log.ts) and the witness writer (groth16/witness.ts).
 */
import type { R1cs, SparseMatrix } from '../shared/r1cs.ts';
import type { FrVector } from '../shared/fr-vector.ts';
import type { R1csCounts } from '../groth16/r1cs-file.ts';
import { mod } from '../shared/fr.ts';
import { WitnessBuilder, expandWitness } from '../groth16/witness.ts';
import type { CompactWitness } from '../shared/compact-witness.ts';
import { CoefficientTable } from './coefficients.ts';
import { GrowU32 } from './grow-u32.ts';
import { AUX, Lc, P } from './lc.ts';
import { NamespaceLog, type NamespaceEvent } from './namespace-log.ts';

const SORT_SHIFT = 2 ** 21;

/** One matrix as synthesis builds it: CSR rows over variables tagged by lc.ts (aux from AUX on). */
export interface TaggedMatrix {
  rowPtr: Uint32Array;
  vars: Uint32Array;
  coeffIds: Uint32Array;
}

/**
 * A structure as synthesis built it, in the builders' own arrays (no copy, their spare capacity behind
 * them): what a slice hands to structure-join.ts, moved between threads rather than copied.
 */
export interface TaggedStructure extends R1csCounts {
  a: TaggedMatrix;
  b: TaggedMatrix;
  c: TaggedMatrix;
  /** the coefficients the three matrices' ids point into */
  coeffTable: FrVector;
}
const EMPTY = new Lc();

/** One of the A, B, C matrices in CSR form over tagged variable ids. */
class MatrixBuilder {
  readonly rowPtr = new GrowU32();
  readonly vars = new GrowU32();
  readonly coeffIds = new GrowU32();
  constructor() {
    this.rowPtr.push(0);
  }
}

export class SynthesisCs {
  readonly inputs: bigint[] = [1n];
  private readonly aux: WitnessBuilder;
  numConstraints = 0;
  readonly a = new MatrixBuilder();
  readonly b = new MatrixBuilder();
  readonly c = new MatrixBuilder();
  private readonly coefficients = new CoefficientTable();
  private readonly namespaces: NamespaceLog;

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

  /** Whether intoR1cs renumbered the builders' variables: the tagged structure is gone. */
  private handedOver = false;

  constructor(options: { maxDepth?: number; auxCapacity?: number; witnessOnly?: boolean } = {}) {
    this.witnessOnly = options.witnessOnly ?? false;
    this.namespaces = new NamespaceLog(options.maxDepth ?? 0);
    this.aux = new WitnessBuilder(options.auxCapacity);
  }

  get numAux(): number {
    return this.aux.count;
  }

  get numInputs(): number {
    return this.inputs.length;
  }

  /** Distinct coefficients, in order of first use. */
  get coeffs(): readonly bigint[] {
    return this.coefficients.values;
  }

  /** Namespace paths deeper than this are not recorded. */
  get maxDepth(): number {
    return this.namespaces.maxDepth;
  }

  get paths(): readonly string[] {
    return this.namespaces.paths;
  }

  get events(): readonly NamespaceEvent[] {
    return this.namespaces.events;
  }

  // ----- namespaces

  /** bellperson's push_namespace; the name is `name` followed by `index` when given. */
  push(name: string, index?: number): void {
    this.namespaces.push(name, index, this);
  }

  pop(): void {
    this.namespaces.pop(this);
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
    return this.namespaces.depth;
  }

  // ----- variables

  /**
   * Stores a value. 0 and 1 (nearly every variable of this circuit) go into the bitset; any other value
   * takes FR_BYTES (see CompactWitness).
   */
  alloc(value: bigint): number {
    const v = value >= 0n && value < P ? value : mod(value);
    if (v <= 1n) return this.allocBit(v === 1n);
    return AUX + this.aux.pushFull(v);
  }

  /** Stores the canonical little-endian value at `bytes[at..at + FR_BYTES]` (a native kernel's output). */
  allocLe(bytes: Uint8Array, at: number): number {
    return AUX + this.aux.pushLe(bytes, at);
  }

  /** Allocates an aux variable holding 0 or 1. */
  allocBit(bit: boolean | number): number {
    return AUX + this.aux.pushBit(bit);
  }

  /** Stores `count` canonical little-endian values from the start of `bytes`; returns the first's variable. */
  allocLeRun(bytes: Uint8Array, count: number): number {
    return AUX + this.aux.pushLeRun(bytes, count);
  }

  /**
   * Allocates `count` (1..32) aux variables holding the low bits of `word`, least significant first;
   * returns the first one's variable.
   */
  allocBits(word: number, count: number): number {
    return AUX + this.aux.pushBits(word, count);
  }

  allocInput(value: bigint): number {
    this.inputs.push(value);
    return this.inputs.length - 1;
  }

  /** The value of a bit variable (the low byte of its value). */
  bitValue(v: number): number {
    return this.aux.bitAt(v - AUX);
  }

  /** The aux assignment in its compact form. */
  witness(): CompactWitness {
    return this.aux.build();
  }

  /** The values of the aux variables, FR_BYTES each. */
  auxValues(): Uint8Array {
    return expandWitness(this.witness());
  }

  value(v: number): bigint {
    return v < AUX ? this.inputs[v]! : this.aux.valueAt(v - AUX);
  }

  // ----- constraints

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
        m.coeffIds.push(this.coefficients.id(coeffs[0]!));
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
          m.coeffIds.push(this.coefficients.id(c));
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

  /** Counts `n` constraints whose linear combinations a witness-only synthesis did not build. */
  skip(n = 1): void {
    if (!this.witnessOnly) throw new Error('skip() outside a witness-only synthesis');
    this.numConstraints += n;
  }

  /** A constraint with an empty LC in some places (`lc` in bellperson's closures). */
  static readonly ZERO = EMPTY;

  // ----- results

  /** The R1cs in the prover's layout (columns: inputs, then aux), in arrays of its own. */
  toR1cs(): R1cs {
    return this.r1cs(false);
  }

  /**
   * The R1cs in the builders' own arrays, no copy (their spare capacity behind them, which they never
   * touched): the variables are renumbered in place, so the structure is handed over once and this
   * synthesis has none after it. The first build of a shape returns its structure so (synthesis-task.ts).
   */
  intoR1cs(): R1cs {
    return this.r1cs(true);
  }

  private r1cs(inPlace: boolean): R1cs {
    this.checkStructure();
    if (inPlace) this.handedOver = true;
    const numInputs = this.inputs.length;
    const table = this.coefficients.toBytes();
    const matrix = (m: MatrixBuilder): SparseMatrix => {
      const vars = m.vars.view();
      const cols = inPlace ? vars : new Uint32Array(vars.length);
      for (let i = 0; i < vars.length; i++) {
        const v = vars[i]!;
        cols[i] = v < AUX ? v : numInputs + (v - AUX);
      }
      const rowPtr = inPlace ? m.rowPtr.view() : m.rowPtr.view().slice();
      const coeffIds = inPlace ? m.coeffIds.view() : m.coeffIds.view().slice();
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

  private checkStructure(): void {
    if (this.witnessOnly) throw new Error('a witness-only synthesis has no constraint structure');
    if (this.handedOver) throw new Error('the structure was handed over (intoR1cs)');
  }

  /** The structure in the builders' arrays, as they are (see TaggedStructure). */
  tagged(): TaggedStructure {
    this.checkStructure();
    return {
      numInputs: this.inputs.length,
      numAux: this.numAux,
      numConstraints: this.numConstraints,
      a: this.matrix('a'),
      b: this.matrix('b'),
      c: this.matrix('c'),
      coeffTable: this.coefficients.toBytes(),
    };
  }

  /** Evaluates an LC of the stored matrix `m` at row `r`. */
  private evalRow(m: MatrixBuilder, r: number): bigint {
    const ptr = m.rowPtr.data;
    const vars = m.vars.data;
    const ids = m.coeffIds.data;
    let s = 0n;
    for (let t = ptr[r]!; t < ptr[r + 1]!; t++)
      s += this.value(vars[t]!) * this.coefficients.values[ids[t]!]!;
    return s % P;
  }

  /** The index of the first constraint that the recorded values do not satisfy, or -1. */
  firstUnsatisfied(from = 0): number {
    for (let r = from; r < this.numConstraints; r++) {
      if ((this.evalRow(this.a, r) * this.evalRow(this.b, r)) % P !== this.evalRow(this.c, r)) return r;
    }
    return -1;
  }

  /** One matrix's rows, in the builder's arrays. */
  matrix(which: 'a' | 'b' | 'c'): TaggedMatrix {
    const m = this[which];
    return { rowPtr: m.rowPtr.view(), vars: m.vars.view(), coeffIds: m.coeffIds.view() };
  }
}
