/**
 * The CUDA backend: point tables held in GPU memory between proofs and MSMs on them (G1 and G2), and the
 * quotient on the GPU, through our glue over sppark in the native addon (native/cuda, native/src/gpu/).
 * `quotientR1cs` evaluates the constraints on the GPU too (native/cuda/ntt.cu `eval_rows`): the witness
 * crosses the bus, not three domain vectors, and the host evaluates nothing (a 32GiB partition's A, B, C
 * took ~37 core-seconds on the CPU); the structure stays on the GPU for the job's other partitions where
 * it fits (native/src/gpu/r1cs.rs); `quotientMsm` leaves H there for the h query's MSM, sppark reading
 * bases and scalars both from GPU memory (c2_g1_msm_device). Setup and oracle kernels are the CPU's
 * (borrow.ts). pickBackend tries
 * it after WebGPU; the factory throws the reason when the addon has no CUDA code or finds no device.
 *
 * A GPU failure (out of GPU memory, a lost device, a kernel fault) rejects with a ProverError coded
 * C2_GPU_FAILED, which fails the job and nothing else: the service keeps serving.
 */
import { type Backend, type Group, type NttDirection, type PointTable, POINT_BYTES } from '../backend.ts';
import { cpuBackend } from '../borrow.ts';
import { checkQuotientR1cs } from '../cpu/index.ts';
import { RESIDENT_STRUCTURES, RecentlyUsed } from '../recent.ts';
import type { FrVector } from '../../shared/fr-vector.ts';
import type { Scalars } from '../../shared/compact-witness.ts';
import type { R1cs } from '../../shared/r1cs.ts';
import { ProverError } from '../../shared/errors.ts';
import {
  BUILD_HINT,
  type CudaAddon,
  type CudaInfo,
  type CudaR1csHandle,
  type CudaTableHandle,
  cudaAddon,
  cudaInfo,
} from './addon.ts';

/** The devices the backend would use, or throws the reason there are none. */
export function probeCuda(): CudaInfo {
  return checkDevices(cudaInfo());
}

/**
 * What the addon's code runs on a GPU of compute capability `compute` ("8.6"): SASS of an architecture of
 * the same major and a minor no higher than the GPU's ('90a'-style ones on their own architecture only),
 * the newest architecture's PTX compiled by the driver where the GPU is newer still, or nothing.
 */
export function codeFor(compute: string, archs: string): 'sass' | 'ptx' | 'none' {
  const [major, minor] = compute.split('.').map(Number) as [number, number];
  const cc = major * 10 + minor;
  const listed = listedArchs(archs);
  if (listed.some((a) => (a.own ? a.cc === cc : Math.floor(a.cc / 10) === major && a.cc <= cc)))
    return 'sass';
  return listed.length > 0 && cc >= Math.max(...listed.map((a) => a.cc)) ? 'ptx' : 'none';
}

/** An addon's architectures ("80,86,90a") as numbers, and whether each is an 'a' one (its own only). */
export function listedArchs(archs: string): { cc: number; own: boolean }[] {
  return archs
    .split(',')
    .filter(Boolean)
    .map((a) => ({ cc: parseInt(a, 10), own: a.endsWith('a') }));
}

/** "XY" of a compute capability "X.Y", as C2_CUDA_ARCHS and sm_XY write it */
const archOf = (compute: string): string => compute.replace('.', '');

/**
 * `info` if the backend can use its devices, else the reason. A GPU the addon has no code for would fail
 * its first kernel, and every kernel dispatched to it after, so it is named here instead.
 */
export function checkDevices(info: CudaInfo): CudaInfo {
  if (!info.compiled) throw new Error(`addon built without CUDA: ${BUILD_HINT}`);
  if (info.devices.length === 0) {
    const driver = info.driverVersion === 0 ? 'no CUDA driver' : `driver ${cudaVersion(info.driverVersion)}`;
    throw new Error(`no CUDA device (${driver}): ${info.error ?? 'none found'}`);
  }
  const without = info.devices.filter((d) => codeFor(d.compute, info.archs) === 'none');
  if (without.length > 0) {
    const named = without.map((d) => `${d.name} (sm_${archOf(d.compute)})`).join(', ');
    const archs = [...new Set(without.map((d) => archOf(d.compute)))].join(',');
    const others = without.length < info.devices.length ? ', or leave it out with CUDA_VISIBLE_DEVICES' : '';
    throw new Error(
      `no code in this addon for ${named}: built for sm_${info.archs.split(',').join(', sm_')}; ` +
        `rebuild with C2_CUDA_ARCHS=${info.archs},${archs} (native/build.sh)${others}`,
    );
  }
  return info;
}

/** CUDA's version integers (13000) as people write them (13.0). */
export function cudaVersion(v: number): string {
  return `${Math.floor(v / 1000)}.${(v % 1000) / 10}`;
}

/** Messages from the GPU side start so (native/src/gpu/); anything else is a bad input. */
const GPU_ERROR = /^CUDA error/;

/** What a rejection of the addon's becomes: a GPU failure C2_GPU_FAILED, an input error what it was. */
export function gpuFailure(what: string, e: unknown): unknown {
  const msg = e instanceof Error ? e.message : String(e);
  return GPU_ERROR.test(msg)
    ? new ProverError('C2_GPU_FAILED', `GPU failure in ${what}: ${msg}`, { cause: e })
    : e;
}

async function onGpu<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    throw gpuFailure(what, e);
  }
}

export class CudaTable implements PointTable {
  readonly group: Group;
  readonly handle: CudaTableHandle;
  constructor(group: Group, handle: CudaTableHandle) {
    this.group = group;
    this.handle = handle;
  }
  get length(): number {
    return this.handle.length;
  }
  /** why the table is streamed from host memory; null while it is resident on the GPU */
  get streamed(): string | null {
    return this.handle.streamed;
  }
}

function own(table: PointTable): CudaTable {
  if (!(table instanceof CudaTable)) throw new TypeError('table was not created by the CUDA backend');
  return table;
}

/**
 * Where the G2 MSMs run (C2_CUDA_G2): `gpu` (sppark's G2 MSM; default), or `cpu`, as supraseal does: the
 * G2 tables stay in host memory (GPU memory left to G1) and their MSMs run on the CPU backend while the
 * GPU does the quotient and the G1 MSMs (the prover starts them together, groth16/prove.ts).
 */
export const G2_PLACEMENTS = ['gpu', 'cpu'] as const;
export type G2Placement = (typeof G2_PLACEMENTS)[number];

export function g2Placement(value = process.env.C2_CUDA_G2): G2Placement {
  if (value === undefined || value === '') return 'gpu';
  if ((G2_PLACEMENTS as readonly string[]).includes(value)) return value as G2Placement;
  throw new Error(`C2_CUDA_G2 must be one of ${G2_PLACEMENTS.join(', ')}, got ${JSON.stringify(value)}`);
}

function view(out: Uint8Array): Uint8Array {
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** re-exported: the CUDA suites check the LRU drop against it */
export { RESIDENT_STRUCTURES };

export interface CudaBackend extends Backend {
  readonly info: CudaInfo;
  /** where `r1cs`'s matrices are kept (CudaR1csHandle.state); undefined before its first quotient */
  structureState(r1cs: R1cs): string[] | undefined;
  /** The NTT on the GPU with the CPU backend's `ntt` semantics; `coset` shifts by the generator 7. */
  ntt(values: FrVector, direction: NttDirection, coset?: boolean): Promise<void>;
}

export function createCudaBackend(options: { g2?: G2Placement } = {}): CudaBackend {
  const info = probeCuda();
  const n: CudaAddon = cudaAddon();
  const g2 = options.g2 ?? g2Placement();
  const host = g2 === 'cpu' ? cpuBackend() : undefined;
  // a table of the host's: a G2 table where G2 runs on the CPU
  const onHost = (t: PointTable): boolean => host !== undefined && !(t instanceof CudaTable);
  const d = info.devices[0]!; // probeCuda found at least one
  // a job's partitions share one structure on the GPU (recent.ts: weakly keyed, the oldest dropped)
  const structures = new RecentlyUsed<R1cs, CudaR1csHandle>(
    RESIDENT_STRUCTURES,
    () => new n.CudaR1cs(),
    (h) => h.free(),
  );
  // every device is used: the addon mirrors each table on all and sends each call to the least busy
  const more = info.devices.length > 1 ? `, ${info.devices.length} GPUs` : '';
  const g2Where = host ? ', G2 on the CPU' : '';
  return {
    name: `cuda (${d.name}, sm_${d.compute.replace('.', '')}, ${(d.totalMem / 2 ** 30).toFixed(0)} GiB${more}${g2Where})`,
    info,
    // each call's host share (its checks, an MSM's split of its scalars, and the G2 MSMs with
    // C2_CUDA_G2=cpu) runs while the GPU works on another call
    schedule: 'overlap',
    lanes: info.devices.length,

    newTable(group: Group, capacity: number): PointTable {
      if (!Number.isInteger(capacity) || capacity < 0 || capacity > 0xffffffff)
        throw new RangeError(`capacity must be a u32, got ${capacity}`);
      if (host && group === 'g2') return host.newTable(group, capacity);
      return new CudaTable(group, new n.CudaTable(group, capacity));
    },

    async appendPoints(table: PointTable, bytes: Uint8Array, validate: boolean): Promise<void> {
      if (onHost(table)) return host!.appendPoints(table, bytes, validate);
      const t = own(table);
      if (bytes.length % POINT_BYTES[t.group] !== 0)
        throw new RangeError(`${bytes.length} bytes is not a whole number of ${t.group} points`);
      await t.handle.append(bytes, validate);
    },

    freeTable(table: PointTable): void {
      if (onHost(table)) host!.freeTable(table);
      else own(table).handle.free();
    },

    // a loaded key's tables take GPU memory only: a 32GiB file's ~44 GiB are not held twice
    async sealTable(table: PointTable): Promise<void> {
      if (onHost(table)) return;
      const t = own(table);
      await onGpu(`uploading a ${t.group} table`, () => t.handle.seal());
    },

    async msm(table: PointTable, start: number, scalars: Scalars, density?: Uint8Array): Promise<Uint8Array> {
      if (onHost(table)) return host!.msm(table, start, scalars, density);
      const t = own(table);
      if (!Number.isInteger(start) || start < 0 || start > 0xffffffff)
        throw new RangeError(`start must be a u32, got ${start}`);
      return view(await onGpu(`a ${t.group} MSM`, () => t.handle.msm(start, scalars, density)));
    },

    async quotient(a: FrVector, b: FrVector, c: FrVector): Promise<FrVector> {
      return view(await onGpu('the quotient', () => n.cudaQuotient(a, b, c)));
    },

    async quotientR1cs(r1cs: R1cs, inputs: FrVector, aux: Scalars): Promise<FrVector> {
      checkQuotientR1cs(r1cs, inputs, aux);
      const h = structures.use(r1cs);
      return view(await onGpu('the quotient', () => h.quotient(r1cs, inputs, aux)));
    },

    // H stays on the GPU for the h query's MSM; the addon makes them one call, so the quotient's stage
    // time on this backend includes that MSM
    async quotientMsm(
      r1cs: R1cs,
      inputs: FrVector,
      aux: Scalars,
      table: PointTable,
      onQuotient?: () => void,
    ): Promise<Uint8Array> {
      const t = own(table);
      if (t.group !== 'g1') throw new TypeError(`the h query is a g1 table, not ${t.group}`);
      checkQuotientR1cs(r1cs, inputs, aux);
      const h = structures.use(r1cs);
      const sum = view(
        await onGpu('the quotient and its MSM', () => h.quotientMsm(r1cs, inputs, aux, t.handle)),
      );
      onQuotient?.();
      return sum;
    },

    structureState(r1cs: R1cs): string[] | undefined {
      return structures.peek(r1cs)?.state;
    },

    async ntt(values: FrVector, direction: NttDirection, coset = false): Promise<void> {
      await onGpu('an NTT', () => n.cudaNtt(values, direction, coset));
    },
  };
}
