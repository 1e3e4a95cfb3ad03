/**
 * What the prover consumes for one circuit (an assignment: the witness, its densities and either the
 * evaluated A, B, C or the R1CS to evaluate them from), and the densities of an R1CS (shared/r1cs.ts).
 */
import type { Backend } from '../backends/backend.ts';
import { frIsZeroAt, type FrVector } from '../shared/fr-vector.ts';
import { oracleKernels } from '../backends/borrow.ts';
import { FR_BYTES } from '../shared/fr.ts';
import type { R1cs, SparseMatrix } from '../shared/r1cs.ts';
import { type Scalars, scalarCount } from '../shared/compact-witness.ts';

interface Witnessed {
  /** Input values, ONE first. */
  inputs: FrVector;
  aux: Scalars;
  /** One byte per variable: 1 where it appears with a non-zero coefficient (bellperson's trackers). */
  aAuxDensity: Uint8Array;
  bInputDensity: Uint8Array;
  bAuxDensity: Uint8Array;
}

/** bellperson's ProvingAssignment after synthesis: A, B, C already evaluated (an oracle dump, tests). */
export interface EvaluatedAssignment extends Witnessed {
  aux: FrVector;
  /** A, B, C evaluations of every constraint, input constraints included at the end. */
  a: FrVector;
  b: FrVector;
  c: FrVector;
  r1cs?: undefined;
}

/**
 * The circuit and its witness only: the prover has the backend evaluate A, B, C inside the quotient
 * (quotientR1cs), so the three evaluation buffers never exist; the aux may stay in synthesis's compact
 * form, which every backend reads.
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
  const n = m.coeffTable.length / FR_BYTES;
  const nz = new Uint8Array(n);
  for (let i = 0; i < n; i++) nz[i] = frIsZeroAt(m.coeffTable, i) ? 0 : 1;
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

/** Densities of structures already known (computed once, or read with the structure from its file). */
const knownDensities = new WeakMap<R1cs, Densities>();

/**
 * The densities depend on the structure alone: computed once per structure (a pass over the A and B terms,
 * ~2 s on the event loop at 32GiB), or taken from its file (r1cs-file.ts), which keeps them.
 */
export function densities(r1cs: R1cs): Densities {
  let d = knownDensities.get(r1cs);
  if (!d) {
    const numVars = r1cs.numInputs + r1cs.numAux;
    const a = usage(r1cs.a, numVars);
    const b = usage(r1cs.b, numVars);
    d = {
      aAuxDensity: a.slice(r1cs.numInputs),
      bInputDensity: b.slice(0, r1cs.numInputs),
      bAuxDensity: b.slice(r1cs.numInputs),
    };
    knownDensities.set(r1cs, d);
  }
  return d;
}

/** Whether `r1cs`'s densities are at hand (computed, or read with it) rather than still to compute. */
export function densitiesKnown(r1cs: R1cs): boolean {
  return knownDensities.has(r1cs);
}

/** Densities of `r1cs` from its file: `densities` answers them rather than going over the terms. */
export function setDensities(r1cs: R1cs, d: Densities): void {
  if (
    d.aAuxDensity.length !== r1cs.numAux ||
    d.bAuxDensity.length !== r1cs.numAux ||
    d.bInputDensity.length !== r1cs.numInputs
  )
    throw new RangeError('density maps do not match the structure');
  knownDensities.set(r1cs, d);
}

/**
 * How many variables a density map keeps. Its bytes are 0 or 1, so four of them are summed at once in a u32
 * word, 255 words at a time (a lane then holds at most 255: no carry into the next): ~45 ms for a 32GiB
 * partition's 130 M bytes, where a loop over the bytes took 1.5 s, twice a partition on the event loop.
 */
export function popcount(density: Uint8Array): number {
  let n = 0;
  // bytes up to the first word boundary (all of them for a map too short to hold a word past it)
  const align = (4 - (density.byteOffset & 3)) & 3;
  const head = density.length < align + 4 ? density.length : align;
  for (let i = 0; i < head; i++) n += density[i]!;
  if (head === density.length) return n;
  const words = new Uint32Array(density.buffer, density.byteOffset + head, (density.length - head) >>> 2);
  for (let i = 0; i < words.length;) {
    const end = Math.min(words.length, i + 255);
    let lanes = 0;
    for (; i < end; i++) lanes += words[i]!;
    n += (lanes & 0xff) + ((lanes >>> 8) & 0xff) + ((lanes >>> 16) & 0xff) + (lanes >>> 24);
  }
  for (let i = head + 4 * words.length; i < density.length; i++) n += density[i]!;
  return n;
}

function checkWitness(r1cs: R1cs, inputs: FrVector, aux: Scalars): void {
  const numAux = scalarCount(aux, 'aux');
  if (inputs.length !== r1cs.numInputs * FR_BYTES || numAux !== r1cs.numAux) {
    throw new RangeError(
      `witness has ${inputs.length / FR_BYTES} inputs and ${numAux} aux, circuit wants ${r1cs.numInputs} and ${r1cs.numAux}`,
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
  aux: Scalars,
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
  const { a, b, c } = await oracleKernels(backend).evaluateR1cs(r1cs, inputs, aux);
  return { inputs, aux, a, b, c, ...dens };
}
