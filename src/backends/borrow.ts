/**
 * How a backend that implements only some kernels runs everything: the CPU backend serves the rest. A new
 * backend (WebGPU, CUDA) is written against `Backend` alone; setup and oracle kernels come from the CPU
 * unless it has its own, and during bring-up it may even lean on the CPU's point or quotient kernels.
 */
import type {
  Backend,
  FullBackend,
  OracleKernels,
  PointKernels,
  QuotientKernels,
  SetupKernels,
} from './backend.ts';
import { createCpuBackend } from './cpu/index.ts';

let cpu: FullBackend | undefined;

/** The CPU backend of this process, made on first use (the addon holds the thread pool anyway). */
export function cpuBackend(): FullBackend {
  cpu ??= createCpuBackend();
  return cpu;
}

const SETUP: readonly (keyof SetupKernels)[] = [
  'fixedBaseMul',
  'ntt',
  'sparseMulTransposed',
  'linearCombine',
  'powers',
];
const ORACLE: readonly (keyof OracleKernels)[] = ['evaluateR1cs', 'sparseMul'];

function has<K extends string>(b: object, names: readonly K[]): b is Record<K, unknown> {
  return names.every((n) => typeof (b as Record<string, unknown>)[n] === 'function');
}

/** The backend's own setup kernels when it has all of them, the CPU's otherwise. */
export function setupKernels(backend: Backend): SetupKernels {
  return has(backend, SETUP) ? (backend as Backend & SetupKernels) : cpuBackend();
}

/** The backend's own oracle kernels when it has all of them, the CPU's otherwise. */
export function oracleKernels(backend: Backend): OracleKernels {
  return has(backend, ORACLE) ? (backend as Backend & OracleKernels) : cpuBackend();
}

/** A proving backend from the kernel groups a new backend has so far; the CPU's fill the others. */
export function withCpuKernels(
  name: string,
  own: { points?: PointKernels; quotient?: QuotientKernels },
): Backend {
  const points = own.points ?? cpuBackend();
  const quotient = own.quotient ?? cpuBackend();
  return {
    name: own.points && own.quotient ? name : `${name} (with cpu kernels)`,
    newTable: (group, capacity) => points.newTable(group, capacity),
    appendPoints: (table, bytes, validate) => points.appendPoints(table, bytes, validate),
    freeTable: (table) => points.freeTable(table),
    ...(points.sealTable ? { sealTable: (table) => points.sealTable!(table) } : {}),
    msm: (table, start, scalars, density) => points.msm(table, start, scalars, density),
    quotient: (a, b, c) => quotient.quotient(a, b, c),
    quotientR1cs: (r1cs, inputs, aux) => quotient.quotientR1cs(r1cs, inputs, aux),
  };
}
