/**
 * The backends this machine can run, best first by BACKEND_ORDER: CUDA, WebGPU, then the native CPU
 * backend. CUDA comes first because where it runs (an NVIDIA GPU) sppark's MSM and NTT are the fastest
 * known and the WGSL kernels are not tuned on hardware yet; everywhere else (AMD, Intel, Apple GPUs)
 * WebGPU is the GPU backend. The order only decides where nothing was measured: a service with several
 * backends measures them and chooses per sector size (job/backend-choice.ts). WebGPU refuses a software
 * adapter unless C2_WEBGPU_ALLOW_SOFTWARE=1, CUDA an addon built without CUDA code or a machine without a
 * driver or device (their reasons say so). C2_BACKEND forces one.
 */
import type { Backend } from './backend.ts';
import { createCpuBackend } from './cpu/index.ts';
import { createCudaBackend } from './cuda/index.ts';
import { createWebgpuBackend } from './webgpu/index.ts';
import { ProverError } from '../shared/errors.ts';

type Factory = () => Backend;

const FACTORIES: Record<string, Factory> = {
  webgpu: createWebgpuBackend,
  cuda: createCudaBackend,
  cpu: createCpuBackend,
};

export const BACKEND_ORDER = ['cuda', 'webgpu', 'cpu'] as const;

export interface Picked {
  backend: Backend;
  /** Which of BACKEND_ORDER it is. */
  kind: string;
  /** Why each better backend was passed over. */
  skipped: { name: string; reason: string }[];
}

export class NoBackendError extends ProverError {
  readonly skipped: Picked['skipped'];
  constructor(skipped: Picked['skipped']) {
    super(
      'C2_BACKEND_UNAVAILABLE',
      `no backend available: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`,
    );
    this.name = 'NoBackendError';
    this.skipped = skipped;
  }
}

export interface Opened {
  /** Every backend this machine has, best first by BACKEND_ORDER (only the forced one with C2_BACKEND). */
  backends: { kind: string; backend: Backend }[];
  /** Why each of the others is missing. */
  skipped: Picked['skipped'];
}

/**
 * Opens the backends of `forced` or BACKEND_ORDER in turn, the first only or every one (`all`), each one
 * that cannot be made skipped with its reason. NoBackendError when none opens.
 */
function open(forced: string | undefined, all: boolean): Opened {
  const opened: Opened = { backends: [], skipped: [] };
  for (const name of forced ? [forced] : BACKEND_ORDER) {
    const make = FACTORIES[name];
    if (!make) {
      opened.skipped.push({ name, reason: 'not implemented yet' });
      continue;
    }
    try {
      opened.backends.push({ kind: name, backend: make() });
      if (!all) break;
    } catch (e) {
      opened.skipped.push({ name, reason: (e as Error).message });
    }
  }
  if (opened.backends.length === 0) throw new NoBackendError(opened.skipped);
  return opened;
}

export function pickBackend(forced = process.env.C2_BACKEND): Picked {
  const { backends, skipped } = open(forced, false);
  return { ...backends[0]!, skipped };
}

/**
 * Opens every backend this machine can run, for a service that chooses per job size (job/backend-choice.ts);
 * with C2_BACKEND, that one alone. NoBackendError when there is none.
 */
export function openBackends(forced = process.env.C2_BACKEND): Opened {
  return open(forced, true);
}
