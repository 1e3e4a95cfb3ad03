/**
 * The native CPU backend: blst and rayon behind napi (native/). Every call returns a Promise resolved
 * from a libuv worker, so the event loop stays free while the cores work.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { type FullBackend, type Group, type NttDirection, type PointTable, POINT_BYTES } from '../backend.ts';
import type { FrVector } from '../../shared/fr-vector.ts';
import { type Scalars, isCompact, scalarCount } from '../../shared/compact-witness.ts';
import type { SparseMatrix, R1cs } from '../../shared/r1cs.ts';
import { FR_BYTES } from '../../shared/fr.ts';

/** The addon's surface (native/src/lib.rs): matrices and output buffers go as objects, by field name. */
interface NativeTableHandle {
  readonly group: string;
  readonly length: number;
  append(bytes: Uint8Array, validate: boolean): Promise<Uint8Array>;
  free(): void;
  msm(start: number, scalars: Scalars, density?: Uint8Array): Promise<Uint8Array>;
}

/** An R1CS as the addon reads it: the matrices only (its counts are checked on this side). */
type NativeR1cs = Pick<R1cs, 'a' | 'b' | 'c'>;

export interface NativeAddon {
  NativeTable: new (group: Group, capacity: number) => NativeTableHandle;
  fixedBaseMul(group: Group, base: Uint8Array, scalars: Uint8Array): Promise<Uint8Array>;
  quotient(a: Uint8Array, b: Uint8Array, c: Uint8Array): Promise<Uint8Array>;
  ntt(values: Uint8Array, direction: NttDirection): Promise<Uint8Array>;
  sparseMul(matrix: SparseMatrix, vec: Uint8Array): Promise<Uint8Array>;
  evaluateR1cs(
    r1cs: NativeR1cs,
    inputs: Uint8Array,
    aux: Uint8Array,
    out: { a: Uint8Array; b: Uint8Array; c: Uint8Array },
  ): Promise<Uint8Array>;
  /** A compact aux is expanded for the call (the rows read the witness at random). */
  quotientR1cs(r1cs: NativeR1cs, inputs: Uint8Array, aux: Scalars): Promise<Uint8Array>;
  sparseMulTransposed(matrix: SparseMatrix, vec: Uint8Array, numCols: number): Promise<Uint8Array>;
  linearCombine(
    a: Uint8Array,
    x: Uint8Array,
    b: Uint8Array,
    y: Uint8Array,
    z: Uint8Array,
    w: Uint8Array,
  ): Promise<Uint8Array>;
  powers(base: Uint8Array, n: number, scale: Uint8Array): Promise<Uint8Array>;
  /**
   * The GPU backends' split of an MSM's scalars (native/src/split.rs `split`): u32 words [dense, span,
   * bitmap words, rest], the ones' bitmap over the span, the rest's positions, then their scalars.
   */
  msmSplit(scalars: Scalars, density?: Uint8Array): Promise<Uint8Array>;
  /**
   * sum of 2^exps[i] * P_i over the WebGPU kernels' projective sums (homogeneous, Montgomery Fq words),
   * uncompressed and checked in the group (native/src/homogeneous.rs); synchronous, for a few hundred points.
   */
  sumPow2(group: Group, points: Uint8Array, exps: Uint32Array): Uint8Array;
  /** Rejects saying where a matrix is malformed for `numCols` columns (native/src/sparse.rs `check`). */
  checkCsr(matrix: SparseMatrix, numCols: number): Promise<Uint8Array>;
  /** Rejects naming the first scalar not below r, as "{what}: scalar i is not reduced modulo r". */
  checkFr(values: Uint8Array, what: string): Promise<Uint8Array>;
  /**
   * A witness as the GPU backends expand it (native/src/witness_code.rs), every value checked canonical:
   * rejects naming the first that is not, as "inputs: scalar i ..." or "aux: scalar i is not reduced".
   */
  witnessCode(inputs: Uint8Array, aux: Scalars): Promise<Uint8Array>;
  /** Synthesis's compact witness expanded into `out` on every core (native/src/scalars.rs). */
  expandWitness(
    full: Uint32Array,
    bits: Uint32Array,
    values: Uint8Array,
    out: Uint8Array,
  ): Promise<Uint8Array>;
  /**
   * A Groth16 verifying key checked once (native/src/verify.rs), from bellperson's encoding (a `.vk` file,
   * serializeVerifyingKey). `verify` takes a proof's A, B, C uncompressed and the public inputs, 32 bytes
   * LE each.
   */
  Groth16Key: new (vk: Uint8Array) => { verify(proof: Uint8Array, inputs: Uint8Array): boolean };
  /**
   * Poseidon of one arity on blst (native/src/poseidon.rs), its constants 32 bytes LE each: `hash` writes
   * the result (32 bytes) or every value the circuit allocates (`allocations` scalars) into `out`.
   */
  PoseidonKernel: new (
    width: number,
    halfFullRounds: number,
    partialRounds: number,
    domainTag: Uint8Array,
    roundConstants: Uint8Array,
    mds: Uint8Array,
    preSparse: Uint8Array,
    sparse: Uint8Array,
  ) => PoseidonKernel;
  threadCount(): number;
}

export interface PoseidonKernel {
  readonly allocations: number;
  hash(inputs: Uint8Array, out: Uint8Array): void;
}

export const ADDON_PATH = fileURLToPath(new URL('../../../native/c2native.node', import.meta.url));

let addon: NativeAddon | undefined;

/** Loads native/c2native.node once; throws with the way to build it when it is missing. */
export function loadAddon(): NativeAddon {
  if (addon) return addon;
  const require = createRequire(import.meta.url);
  try {
    addon = require(ADDON_PATH) as NativeAddon;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'MODULE_NOT_FOUND' || err.code === 'ERR_DLOPEN_FAILED') {
      throw new Error(
        `native CPU backend not available at ${ADDON_PATH} (${err.message.split('\n')[0]}): run \`npm run build:native\``,
        { cause: e },
      );
    }
    throw e;
  }
  return addon;
}

class CpuTable implements PointTable {
  readonly group: Group;
  readonly handle: NativeTableHandle;
  constructor(group: Group, handle: NativeTableHandle) {
    this.group = group;
    this.handle = handle;
  }
  get length(): number {
    return this.handle.length;
  }
}

function native(table: PointTable): CpuTable {
  if (!(table instanceof CpuTable)) throw new TypeError('table was not created by the CPU backend');
  return table;
}

function checkU32(n: number, what: string): void {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff)
    throw new RangeError(`${what} must be a u32, got ${n}`);
}

/**
 * What quotientR1cs checks before the addon (which checks the rest: the witness canonical, the matrices
 * against it and their tables), shared by the backends that hand the R1CS to the addon whole.
 */
/**
 * Scalars as 32 bytes a value: a compact witness expanded into `out` on every core, off the event loop
 * (native/src/scalars.rs), bytes as they are. For the kernels that take bytes only (the oracle's A, B, C).
 */
export async function frBytes(s: Scalars, out?: FrVector): Promise<FrVector> {
  if (!isCompact(s)) return s;
  const bytes = out ?? new Uint8Array(s.count * FR_BYTES);
  if (bytes.length !== s.count * FR_BYTES)
    throw new RangeError(`expandWitness: ${bytes.length} bytes for ${s.count}`);
  try {
    await loadAddon().expandWitness(s.full, s.bits, s.values, bytes);
  } catch (e) {
    throw new RangeError((e as Error).message, { cause: e });
  }
  return bytes;
}

export function checkQuotientR1cs(r1cs: R1cs, inputs: FrVector, aux: Scalars): void {
  scalarCount(inputs, 'quotientR1cs inputs');
  scalarCount(aux, 'quotientR1cs aux');
  if (r1cs.a.rowPtr.length !== r1cs.numConstraints + 1) {
    throw new RangeError(
      `quotientR1cs: A has ${r1cs.a.rowPtr.length - 1} rows, the R1CS ${r1cs.numConstraints} constraints`,
    );
  }
}

export function createCpuBackend(): FullBackend {
  const n = loadAddon();
  return {
    name: `cpu (blst, ${n.threadCount()} threads)`,

    newTable(group: Group, capacity: number): PointTable {
      checkU32(capacity, 'capacity');
      return new CpuTable(group, new n.NativeTable(group, capacity));
    },

    async appendPoints(table: PointTable, bytes: Uint8Array, validate: boolean): Promise<void> {
      const t = native(table);
      if (bytes.length % POINT_BYTES[t.group] !== 0) {
        throw new RangeError(`${bytes.length} bytes is not a whole number of ${t.group} points`);
      }
      await t.handle.append(bytes, validate);
    },

    freeTable(table: PointTable): void {
      native(table).handle.free();
    },

    async msm(table: PointTable, start: number, scalars: Scalars, density?: Uint8Array): Promise<Uint8Array> {
      checkU32(start, 'start');
      scalarCount(scalars, 'msm scalars');
      const out = await native(table).handle.msm(start, scalars, density);
      return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    },

    async fixedBaseMul(group: Group, base: Uint8Array, scalars: FrVector): Promise<Uint8Array> {
      scalarCount(scalars, 'fixedBaseMul scalars');
      const out = await n.fixedBaseMul(group, base, scalars);
      return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    },

    async quotient(a: FrVector, b: FrVector, c: FrVector): Promise<FrVector> {
      const out = await n.quotient(a, b, c);
      return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    },

    async ntt(values: FrVector, direction: NttDirection): Promise<void> {
      await n.ntt(values, direction);
    },

    async sparseMul(m: SparseMatrix, vec: FrVector): Promise<FrVector> {
      const out = await n.sparseMul(m, vec);
      return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    },

    async evaluateR1cs(r1cs: R1cs, inputs: FrVector, aux: FrVector) {
      scalarCount(inputs, 'evaluateR1cs inputs');
      scalarCount(aux, 'evaluateR1cs aux');
      // written in place by the addon: no result copy, and the input-constraint tail is filled there too
      const total = (r1cs.numConstraints + inputs.length / FR_BYTES) * FR_BYTES;
      const [a, b, c] = [new Uint8Array(total), new Uint8Array(total), new Uint8Array(total)];
      await n.evaluateR1cs(r1cs, inputs, aux, { a, b, c });
      return { a, b, c };
    },

    async quotientR1cs(r1cs: R1cs, inputs: FrVector, aux: Scalars): Promise<FrVector> {
      checkQuotientR1cs(r1cs, inputs, aux);
      const out = await n.quotientR1cs(r1cs, inputs, aux);
      return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    },

    async sparseMulTransposed(m: SparseMatrix, vec: FrVector, numCols: number): Promise<FrVector> {
      checkU32(numCols, 'numCols');
      const out = await n.sparseMulTransposed(m, vec, numCols);
      return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    },

    async linearCombine(
      a: FrVector,
      x: Uint8Array,
      b: FrVector,
      y: Uint8Array,
      z: FrVector,
      w: Uint8Array,
    ): Promise<FrVector> {
      const out = await n.linearCombine(a, x, b, y, z, w);
      return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    },

    async powers(base: Uint8Array, count: number, scale: Uint8Array): Promise<FrVector> {
      checkU32(count, 'n');
      const out = await n.powers(base, count, scale);
      return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    },
  };
}
