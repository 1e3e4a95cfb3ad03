/// <reference types="@webgpu/types" />
/**
 * The WebGPU backend (Dawn): its own NTT and `quotient` (ntt.ts), G1 and G2 point tables and MSM (msm.ts),
 * and `quotientR1cs` (r1cs.ts evaluating the constraints, its witness bound in parts past one binding,
 * into the quotient's vectors on the GPU, then the quotient; a witness needing more bindings than the
 * adapter allows is evaluated on the CPU backend, borrow.ts), and `quotientMsm`, where H stays on the GPU
 * for the h query's MSM (CurveMsm.msmVector). pickBackend tries it after CUDA; it is made
 * only when a child process (probe.ts) finds a hardware adapter, or a software one with
 * C2_WEBGPU_ALLOW_SOFTWARE=1, and otherwise fails with the reason `c2prover info` shows.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Backend, NttDirection } from '../backend.ts';
import { cpuBackend, oracleKernels, withCpuKernels } from '../borrow.ts';
import type { FrVector } from '../../shared/fr-vector.ts';
import type { Scalars } from '../../shared/compact-witness.ts';
import type { R1cs } from '../../shared/r1cs.ts';
import { frBytes } from '../cpu/index.ts';
import { type GpuContext, freeVector, openGpu } from './device.ts';
import { CurveMsm } from './msm.ts';
import { type QuotientSpace, WebgpuNtt } from './ntt.ts';
import { gpuTable, webgpuPoints } from './points.ts';
import { describePoints, pointKernels } from './point-form.ts';
import { WebgpuR1cs } from './r1cs.ts';
import type { ProbeResult } from './probe.ts';
import { FIELD_LAYOUTS, type FieldLayout } from './shaders.ts';

const PROBE = fileURLToPath(new URL('./probe.ts', import.meta.url));
const PROBE_TIMEOUT_MS = 60_000;

/** Probe results by opt-in, once per process: the adapter does not change under a running service. */
const probes = new Map<boolean, ProbeResult>();

/** The adapter the backend would use, found in a child process; throws with the reason there is none. */
export function probeWebgpu(): {
  description: string;
  software: boolean;
  limits?: ProbeResult['limits'];
} {
  const allow = process.env.C2_WEBGPU_ALLOW_SOFTWARE === '1';
  let r = probes.get(allow);
  if (!r) {
    try {
      const out = execFileSync(process.execPath, [PROBE], {
        encoding: 'utf8',
        timeout: PROBE_TIMEOUT_MS,
        // Dawn reports every backend it could not load on stderr: noise on a machine without them
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      const line = out.trim().split('\n').pop() ?? '';
      r = JSON.parse(line) as ProbeResult;
    } catch (e) {
      r = { ok: false, reason: `WebGPU probe failed: ${(e as Error).message.split('\n')[0]}` };
    }
    probes.set(allow, r);
  }
  if (!r.ok) throw new Error(r.reason ?? 'no WebGPU adapter');
  return {
    description: r.description ?? 'unknown adapter',
    software: r.software ?? false,
    limits: r.limits,
  };
}

const MIB = 2 ** 20;

/** The limits the kernels size themselves by, in the backend's name (so `c2prover info` shows them). */
function describeLimits(l: ProbeResult['limits']): string {
  if (!l) return '';
  return `; storage binding ${Math.round(l.binding / MIB)} MiB, buffer ${Math.round(l.buffer / MIB)} MiB, workgroup storage ${l.workgroupStorage / 1024} KiB`;
}

export interface WebgpuBackend extends Backend {
  /** The NTT on the GPU, with the CPU backend's `ntt` semantics (SetupKernels). */
  ntt(values: FrVector, direction: NttDirection): Promise<void>;
  /** Destroys the device, if one was opened, so that the process can exit. */
  close(): void;
}

/**
 * The limbs of Fr in the NTT, quotient and constraint kernels (C2_WEBGPU_FR_LAYOUT; shaders.ts): `limb16`
 * by default until a GPU's figures (bench/webgpu.ts) say another is faster there. The points keep their own
 * 16-bit Fq (shaders/fq-slots.wgsl).
 */
export function frLayout(value = process.env.C2_WEBGPU_FR_LAYOUT): FieldLayout {
  if (value === undefined || value === '') return 'limb16';
  if ((FIELD_LAYOUTS as readonly string[]).includes(value)) return value as FieldLayout;
  throw new Error(
    `C2_WEBGPU_FR_LAYOUT must be one of ${FIELD_LAYOUTS.join(', ')}, got ${JSON.stringify(value)}`,
  );
}

/** The backend's kernels on its open device. */
interface Opened {
  gpu: GpuContext;
  ntt: WebgpuNtt;
  r1cs: WebgpuR1cs;
  g1: CurveMsm;
  g2: CurveMsm;
}

export function createWebgpuBackend(): WebgpuBackend {
  const { description, software, limits } = probeWebgpu();
  const layout = frLayout();
  const points = pointKernels(software);
  // the device is opened on first use: the factory is synchronous, and a backend never used costs nothing;
  // a software adapter the probe found was allowed then, so it is later too
  let opened: Promise<Opened> | undefined;
  const open = () =>
    (opened ??= openGpu({ allowSoftware: software }).then(async (gpu) => {
      // after a loss the next use opens a new device; tables made on the lost one keep failing
      const mine = opened;
      void gpu.device.lost.then(() => {
        if (opened === mine) opened = undefined;
      });
      return {
        gpu,
        ntt: await WebgpuNtt.create(gpu, { layout }),
        r1cs: await WebgpuR1cs.create(gpu, { layout }),
        g1: await CurveMsm.create(gpu, 'g1', { points }),
        g2: await CurveMsm.create(gpu, 'g2', { points }),
      };
    }));
  // a layout other than the default names itself: a measured profile is of the kernels it timed
  const label = `webgpu (${description}${software ? ', software' : ''}${describeLimits(limits)}${layout === 'limb16' ? '' : `; Fr ${layout}`}; ${describePoints(points)})`;
  // A, B, C of the witness in the quotient's device vectors
  const quotientSpace = async (
    o: Opened,
    r1cs: R1cs,
    inputs: FrVector,
    aux: Scalars,
  ): Promise<QuotientSpace> => {
    if (!o.r1cs.fits(r1cs, inputs, aux)) {
      // a witness past the bindings the adapter allows: A, B, C evaluated on the CPU, the quotient still
      // here (split over buffers where the domain is)
      const { a, b, c } = await oracleKernels(cpuBackend()).evaluateR1cs(r1cs, inputs, await frBytes(aux));
      return o.ntt.quotientSpaceOf(a, b, c);
    }
    // evaluated into the quotient's vectors on the GPU: they never come back to the host
    const q = o.ntt.quotientSpace(r1cs.numConstraints + r1cs.numInputs);
    try {
      await o.r1cs.evaluateInto(r1cs, inputs, aux, q);
    } catch (e) {
      o.ntt.freeQuotient(q);
      throw e;
    }
    return q;
  };
  const own = withCpuKernels(label, {
    points: webgpuPoints(async (group) => (await open())[group]),
    quotient: {
      quotient: async (a, b, c) => (await open()).ntt.quotient(a, b, c),
      quotientR1cs: async (r1cs, inputs, aux) => {
        const o = await open();
        return o.ntt.quotientOf(await quotientSpace(o, r1cs, inputs, aux));
      },
    },
  });
  return {
    ...own,
    // the host prepares digits, densities and buffers while the GPU runs another kernel
    schedule: 'overlap',
    // H stays on the GPU for its MSM: no read-back, no split on the host, no upload
    async quotientMsm(r1cs, inputs, aux, table, onQuotient): Promise<Uint8Array> {
      if (table.group !== 'g1') throw new TypeError(`the h query is a g1 table, not ${table.group}`);
      const o = await open();
      const t = await gpuTable(table);
      const q = await quotientSpace(o, r1cs, inputs, aux);
      const m = q.m;
      const h = await o.ntt.quotientOnDevice(q);
      try {
        onQuotient?.();
        return await o.g1.msmVector(t, 0, h, m - 1);
      } finally {
        freeVector(h);
      }
    },
    async ntt(values: FrVector, direction: NttDirection): Promise<void> {
      await (await open()).ntt.ntt(values, direction);
    },
    close(): void {
      if (opened) void opened.then(({ gpu }) => gpu.close());
      opened = undefined;
    },
  };
}
