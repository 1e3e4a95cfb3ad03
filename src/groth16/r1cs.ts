/**
 * A rank-1 constraint system as the prover and the parameter generator see it, in typed arrays.
 *
 * Variables share one index space: inputs 0..numInputs-1 (input 0 is the constant ONE), then aux.
 * The matrices hold the circuit's own constraints; the "input constraints" that bellperson appends after
 * synthesis (Input(i) * 0 = 0 for every input, which puts every input into the A polynomial) are implied
 * and added here, never stored.
 */
import type { Backend, FrVector, SparseMatrix } from '../backends/backend.ts';

export interface R1cs {
  numInputs: number;
  numAux: number;
  /** Constraints in the matrices, without the implied input constraints. */
  numConstraints: number;
  a: SparseMatrix;
  b: SparseMatrix;
  c: SparseMatrix;
}

interface Witnessed {
  /** Input values, ONE first. */
  inputs: FrVector;
  aux: FrVector;
  /** One byte per variable: 1 where it appears with a non-zero coefficient (bellperson's trackers). */
  aAuxDensity: Uint8Array;
  bInputDensity: Uint8Array;
  bAuxDensity: Uint8Array;
}

/** bellperson's ProvingAssignment after synthesis: A, B, C already evaluated (an oracle dump, tests). */
export interface EvaluatedAssignment extends Witnessed {
  /** A, B, C evaluations of every constraint, input constraints included at the end. */
  a: FrVector;
  b: FrVector;
  c: FrVector;
  r1cs?: undefined;
}

/**
 * The circuit and its witness only: the prover has the backend evaluate A, B, C inside the quotient
 * (quotientR1cs), so the three evaluation buffers never exist.
 */
export interface LeanAssignment extends Witnessed {
  r1cs: R1cs;
  a?: undefined;
  b?: undefined;
  c?: undefined;
}

/** What the prover consumes for one circuit. */
export type Assignment = EvaluatedAssignment | LeanAssignment;

export interface Densities {
  aAuxDensity: Uint8Array;
  bInputDensity: Uint8Array;
  bAuxDensity: Uint8Array;
}

function nonZeroCoefficients(m: SparseMatrix): Uint8Array {
  const n = m.coeffTable.length / 32;
  const nz = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < 32; k++) {
      if (m.coeffTable[i * 32 + k] !== 0) {
        nz[i] = 1;
        break;
      }
    }
  }
  return nz;
}

/** Marks every variable that appears in `m` with a non-zero coefficient. */
function usage(m: SparseMatrix, numVars: number): Uint8Array {
  const nz = nonZeroCoefficients(m);
  const used = new Uint8Array(numVars);
  const terms = m.rowPtr[m.rowPtr.length - 1]!;
  for (let t = 0; t < terms; t++) if (nz[m.coeffIds[t]!]) used[m.cols[t]!] = 1;
  return used;
}

/** The densities depend on the structure alone: computed once per circuit shape. */
export function densities(r1cs: R1cs): Densities {
  const numVars = r1cs.numInputs + r1cs.numAux;
  const a = usage(r1cs.a, numVars);
  const b = usage(r1cs.b, numVars);
  return {
    aAuxDensity: a.slice(r1cs.numInputs),
    bInputDensity: b.slice(0, r1cs.numInputs),
    bAuxDensity: b.slice(r1cs.numInputs),
  };
}

export function popcount(density: Uint8Array): number {
  let n = 0;
  for (const d of density) n += d;
  return n;
}

function checkWitness(r1cs: R1cs, inputs: FrVector, aux: FrVector): void {
  if (inputs.length !== r1cs.numInputs * 32 || aux.length !== r1cs.numAux * 32) {
    throw new RangeError(
      `witness has ${inputs.length / 32} inputs and ${aux.length / 32} aux, circuit wants ${r1cs.numInputs} and ${r1cs.numAux}`,
    );
  }
}

/**
 * The prover's assignment without evaluating anything: A, B, C are computed inside the quotient
 * (the lean path the Commit2 job takes).
 */
export function assignLean(
  r1cs: R1cs,
  inputs: FrVector,
  aux: FrVector,
  dens: Densities = densities(r1cs),
): LeanAssignment {
  checkWitness(r1cs, inputs, aux);
  return { inputs, aux, r1cs, ...dens };
}

/** Evaluates every constraint on a witness, as bellperson's prover does during synthesis. */
export async function assign(
  backend: Backend,
  r1cs: R1cs,
  inputs: FrVector,
  aux: FrVector,
  dens: Densities = densities(r1cs),
): Promise<EvaluatedAssignment> {
  checkWitness(r1cs, inputs, aux);
  // one fused native pass straight into the final buffers (input constraints included): no
  // concatenated witness, no per-matrix result to copy
  const { a, b, c } = await backend.evaluateR1cs(r1cs, inputs, aux);
  return { inputs, aux, a, b, c, ...dens };
}
