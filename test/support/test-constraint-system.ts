/**
 * The constraint system of the prover's tests: small circuits written by hand (support/circuits.ts) with
 * inputs and aux interleaved, recorded as bellperson's ProvingAssignment and KeypairAssembly do together
 * and handed to the prover and the setup as an R1cs. Obviously correct rather than fast; synthesis of
 * real circuits is src/circuit/synthesis-cs.ts.
 *
 * Variables are numbers: input i is 2i, aux j is 2j + 1, so allocation order never needs renumbering
 * while inputs and aux interleave. Linear combinations are lists of (variable, coefficient) terms.
 */
import { type FrVector, frVector } from '../../src/shared/fr-vector.ts';
import type { SparseMatrix, R1cs } from '../../src/shared/r1cs.ts';
import { mod } from '../../src/shared/fr.ts';

export type Variable = number;
export type Term = readonly [Variable, bigint];
export type LinearCombination = readonly Term[];

export const ONE: Variable = 0;

export class TestConstraintSystem {
  readonly inputs: bigint[] = [1n];
  readonly aux: bigint[] = [];
  private readonly rows: [LinearCombination, LinearCombination, LinearCombination][] = [];

  allocInput(value: bigint): Variable {
    this.inputs.push(mod(value));
    return 2 * (this.inputs.length - 1);
  }

  alloc(value: bigint): Variable {
    this.aux.push(mod(value));
    return 2 * (this.aux.length - 1) + 1;
  }

  enforce(a: LinearCombination, b: LinearCombination, c: LinearCombination): void {
    this.rows.push([a, b, c]);
  }

  get numConstraints(): number {
    return this.rows.length;
  }

  value(v: Variable): bigint {
    return v % 2 === 0 ? this.inputs[v / 2]! : this.aux[(v - 1) / 2]!;
  }

  /** Every constraint holds on the recorded values; the index of the first that does not, or -1. */
  firstUnsatisfied(): number {
    const ev = (lc: LinearCombination): bigint => mod(lc.reduce((s, [v, k]) => s + this.value(v) * k, 0n));
    return this.rows.findIndex(([a, b, c]) => mod(ev(a) * ev(b)) !== ev(c));
  }

  toR1cs(): R1cs {
    const numInputs = this.inputs.length;
    const coeffIds = new Map<bigint, number>();
    const matrix = (which: 0 | 1 | 2): SparseMatrix => {
      const rowPtr = new Uint32Array(this.rows.length + 1);
      const cols: number[] = [];
      const ids: number[] = [];
      this.rows.forEach((row, r) => {
        // bellperson keeps one term per variable, inputs then aux, each ascending.
        const merged = new Map<number, bigint>();
        for (const [v, k] of row[which]) {
          const col = v % 2 === 0 ? v / 2 : numInputs + (v - 1) / 2;
          merged.set(col, mod((merged.get(col) ?? 0n) + k));
        }
        for (const col of [...merged.keys()].sort((x, y) => x - y)) {
          const k = merged.get(col)!;
          if (!coeffIds.has(k)) coeffIds.set(k, coeffIds.size);
          cols.push(col);
          ids.push(coeffIds.get(k)!);
        }
        rowPtr[r + 1] = cols.length;
      });
      return {
        rowPtr,
        cols: Uint32Array.from(cols),
        coeffIds: Uint32Array.from(ids),
        coeffTable: new Uint8Array(),
      };
    };
    const a = matrix(0);
    const b = matrix(1);
    const c = matrix(2);
    const table = frVector([...coeffIds.keys()]);
    const withTable = (m: SparseMatrix): SparseMatrix => ({ ...m, coeffTable: table });
    return {
      numInputs,
      numAux: this.aux.length,
      numConstraints: this.rows.length,
      a: withTable(a),
      b: withTable(b),
      c: withTable(c),
    };
  }

  witness(): { inputs: FrVector; aux: FrVector } {
    return { inputs: frVector(this.inputs), aux: frVector(this.aux) };
  }
}
