/**
 * The CUDA half of the native addon (native/src/gpu/): present only when native/build.sh found nvcc
 * and built with the `cuda` feature. One addon file serves both backends; `cudaInfo` exists in every
 * build and says which this is, so nothing here needs a GPU, a driver or even CUDA code to load.
 */
import type { Group, NttDirection } from '../backend.ts';
import type { R1cs } from '../../shared/r1cs.ts';
import type { Scalars } from '../../shared/compact-witness.ts';
import { loadAddon } from '../cpu/index.ts';

export interface CudaDevice {
  name: string;
  /** compute capability, "9.0" for an H100/H200 */
  compute: string;
  smCount: number;
  totalMem: number;
  freeMem: number;
}

export interface CudaInfo {
  /** whether the addon holds CUDA code at all */
  compiled: boolean;
  /** architectures compiled to real code ("80,86,89,90,100,120") */
  archs: string;
  runtimeVersion: number;
  /** 0 where no driver is installed */
  driverVersion: number;
  devices: CudaDevice[];
  /** CUDA's reason there is no usable device */
  error?: string | null;
}

export interface CudaTableHandle {
  readonly group: string;
  readonly length: number;
  /** why the table is streamed from host memory (it did not fit on the GPU); null while resident */
  readonly streamed: string | null;
  append(bytes: Uint8Array, validate: boolean): Promise<Uint8Array>;
  free(): void;
  /** every point to the GPU and the host copy freed: [1] when resident, [0] when it did not fit (kept) */
  seal(): Promise<Uint8Array>;
  /** appends its own points again until it holds `times` times as many (benchmarks only) */
  tile(times: number): void;
  msm(start: number, scalars: Scalars, density?: Uint8Array): Promise<Uint8Array>;
}

/** An R1CS's matrices kept on the GPUs between quotients (native/src/gpu/r1cs.rs). */
export interface CudaR1csHandle {
  /** per device: "resident", "none" (not uploaded yet), or "per call: " and why it did not fit */
  readonly state: string[];
  /** the GPU copies dropped; the next quotient uploads again */
  free(): void;
  /** cudaQuotient with A, B, C evaluated on the GPU; the addon checks the R1CS as the CPU backend does */
  quotient(r1cs: Pick<R1cs, 'a' | 'b' | 'c'>, inputs: Uint8Array, aux: Scalars): Promise<Uint8Array>;
  /**
   * quotient's H summed over the G1 table `h` on the GPU (H never leaves it; a table streamed there takes
   * H back to stream with its points): the sum as an uncompressed point
   */
  quotientMsm(
    r1cs: Pick<R1cs, 'a' | 'b' | 'c'>,
    inputs: Uint8Array,
    aux: Scalars,
    h: CudaTableHandle,
  ): Promise<Uint8Array>;
}

export interface CudaAddon {
  cudaInfo(): CudaInfo;
  CudaTable: new (group: Group, capacity: number) => CudaTableHandle;
  cudaNtt(values: Uint8Array, direction: NttDirection, coset: boolean): Promise<Uint8Array>;
  cudaQuotient(a: Uint8Array, b: Uint8Array, c: Uint8Array): Promise<Uint8Array>;
  CudaR1cs: new () => CudaR1csHandle;
  /** The scalars a streamed table's MSM reads (native/src/split.rs `kept`), for its tests. */
  cudaKept(scalars: Scalars, density?: Uint8Array): Promise<Uint8Array>;
}

/** How to get an addon with CUDA code in it, for every message that finds none. */
export const BUILD_HINT = 'run `bash scripts/ci/cuda.sh` (nvcc from PyPI) then `npm run build:native`';

/** What this process's addon says about CUDA; an addon older than the CUDA backend has no cudaInfo. */
export function cudaInfo(): CudaInfo {
  const a = loadAddon() as unknown as Partial<CudaAddon>;
  if (typeof a.cudaInfo !== 'function') {
    return { compiled: false, archs: '', runtimeVersion: 0, driverVersion: 0, devices: [] };
  }
  return a.cudaInfo();
}

/** The addon's CUDA surface, or the reason it has none. */
export function cudaAddon(): CudaAddon {
  const info = cudaInfo();
  if (!info.compiled) throw new Error(`addon built without CUDA: ${BUILD_HINT}`);
  return loadAddon() as unknown as CudaAddon;
}
