/**
 * What each backend of this machine costs per kernel, measured once and kept in a file (the service's
 * data directory), so that a job goes to the backend that proves its size fastest: a GPU that wins at 2^27
 * may lose to the CPU at 2^22 until its kernels are tuned, and two GPU backends (CUDA and WebGPU on one
 * NVIDIA card) are told apart by measurement, not by belief.
 *
 * Each kernel is timed at doubling sizes until one run takes `targetMs`, and fitted as fixed + per-element
 * cost from the last two sizes; a proof's estimate adds the kernels over the parameter file's section
 * sizes. The stages overlap when proving (groth16/prove.ts), so the estimate is an upper bound, the same
 * for every backend: it orders them, which is all the choice needs.
 */
import { randomBytes } from 'node:crypto';
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { z } from 'zod';
import type { Backend, Group } from './backend.ts';
import { setupKernels } from './borrow.ts';
import { frRandom } from '../shared/fr.ts';
import { frVector } from '../shared/fr-vector.ts';

const fitSchema = z.object({
  /** Sizes timed, and their milliseconds (best of two). */
  points: z.array(z.object({ n: z.number().int().positive(), ms: z.number().nonnegative() })).min(1),
  fixedMs: z.number().nonnegative(),
  nsPerElement: z.number().nonnegative(),
});
export type Fit = z.infer<typeof fitSchema>;

export const KERNELS = ['msmG1Dense', 'msmG1Porep', 'msmG2Porep', 'quotient'] as const;
export type Kernel = (typeof KERNELS)[number];

export const backendRatesSchema = z.object({
  /** Which of BACKEND_ORDER. */
  kind: z.string(),
  /** The backend's name when measured (device, threads): a profile of another device is stale. */
  name: z.string(),
  kernels: z.object(
    Object.fromEntries(KERNELS.map((k) => [k, fitSchema])) as Record<Kernel, typeof fitSchema>,
  ),
});
export type BackendRates = z.infer<typeof backendRatesSchema>;

export const profileSchema = z.object({
  version: z.literal(1),
  measuredAt: z.string(),
  backends: z.array(backendRatesSchema),
});
export type BackendProfile = z.infer<typeof profileSchema>;

export interface MeasureOptions {
  /** Stop doubling a kernel's size once a run takes this long (default 250 ms). */
  targetMs?: number;
  /** Sizes from 2^minLog to 2^maxLog (default 10..20). */
  minLog?: number;
  maxLog?: number;
}

/** n scalars below 2^254 (so below r); with `porep`, 98% of them 0 or 1, as in a PoRep witness. */
export function sampleScalars(n: number, porep: boolean): Uint8Array {
  const out = randomBytes(32 * n);
  for (let i = 0; i < n; i++) {
    out[32 * i + 31]! &= 0x3f;
    if (porep && out[32 * i]! % 50 !== 0) {
      const one = out[32 * i + 1]! & 1;
      out.fill(0, 32 * i, 32 * i + 32);
      out[32 * i] = one;
    }
  }
  return out;
}

/** n points of `group` (2^10 distinct ones, repeated: distinct points cost a fixed-base multiplication each). */
async function samplePoints(backend: Backend, group: Group, n: number): Promise<Uint8Array> {
  const base = (group === 'g1' ? bls12_381.G1.Point.BASE : bls12_381.G2.Point.BASE).toBytes(false);
  const distinct = Math.min(n, 1024);
  const few = await setupKernels(backend).fixedBaseMul(
    group,
    base,
    frVector(Array.from({ length: distinct }, () => frRandom() || 1n)),
  );
  const size = few.length / distinct;
  const out = new Uint8Array(size * n);
  for (let at = 0; at < n; at += distinct)
    out.set(few.subarray(0, size * Math.min(distinct, n - at)), size * at);
  return out;
}

async function bestOfTwo(run: () => Promise<unknown>): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < 2; i++) {
    const t0 = performance.now();
    await run();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

function fit(points: Fit['points']): Fit {
  const last = points[points.length - 1]!;
  const prev = points[points.length - 2];
  if (!prev) return { points, fixedMs: 0, nsPerElement: (last.ms * 1e6) / last.n };
  const slope = Math.max(0, (last.ms - prev.ms) / (last.n - prev.n));
  return { points, fixedMs: Math.max(0, last.ms - slope * last.n), nsPerElement: slope * 1e6 };
}

/** A kernel at size n: `run` times it, `done` frees what it holds. */
interface Trial {
  run(): Promise<unknown>;
  done?(): void;
}

async function measureKernel(
  opts: Required<MeasureOptions>,
  make: (n: number) => Promise<Trial>,
): Promise<Fit> {
  const points: Fit['points'] = [];
  for (let log = opts.minLog; log <= opts.maxLog; log++) {
    const n = 2 ** log;
    const trial = await make(n);
    try {
      await trial.run(); // the first run compiles shaders and warms caches
      const ms = await bestOfTwo(() => trial.run());
      points.push({ n, ms });
      if (ms >= opts.targetMs) break;
    } finally {
      trial.done?.();
    }
  }
  return fit(points);
}

/** Times one backend's proving kernels (a few seconds on a GPU or a many-core CPU). */
export async function measureBackend(
  kind: string,
  backend: Backend,
  options: MeasureOptions = {},
): Promise<BackendRates> {
  const opts = { targetMs: 250, minLog: 10, maxLog: 20, ...options };
  if (!(opts.minLog >= 1 && opts.maxLog >= opts.minLog))
    throw new RangeError(`measure sizes 2^${opts.minLog}..2^${opts.maxLog} are empty`);
  const msm = (group: Group, porep: boolean) => async (n: number) => {
    const table = backend.newTable(group, n);
    await backend.appendPoints(table, await samplePoints(backend, group, n), false);
    const scalars = sampleScalars(n, porep);
    return { run: () => backend.msm(table, 0, scalars), done: () => backend.freeTable(table) };
  };
  const kernels = {
    msmG1Dense: await measureKernel(opts, msm('g1', false)),
    msmG1Porep: await measureKernel(opts, msm('g1', true)),
    // G2 points are twice the bytes and three times the work
    msmG2Porep: await measureKernel(
      { ...opts, maxLog: Math.max(opts.minLog, opts.maxLog - 2) },
      msm('g2', true),
    ),
    quotient: await measureKernel(opts, async (n) => {
      const v = sampleScalars(n, false);
      return { run: () => backend.quotient(v, v, v) };
    }),
  };
  return { kind, name: backend.name, kernels };
}

/** A proof's kernel sizes, from its parameter file's sections. */
export interface ProofWork {
  /** The quotient's domain, and the dense MSM over the h query. */
  domain: number;
  /** Elements of the G1 MSMs over witness scalars (l, a, b in G1). */
  g1Witness: number;
  /** Elements of the G2 MSM (b in G2). */
  g2Witness: number;
}

const at = (f: Fit, n: number): number => f.fixedMs + (f.nsPerElement * n) / 1e6;

/** Milliseconds one proof takes on a backend, by its fitted kernels (an upper bound: stages overlap). */
export function estimateProofMs(rates: BackendRates, work: ProofWork): number {
  const k = rates.kernels;
  return (
    at(k.quotient, work.domain) +
    at(k.msmG1Dense, work.domain) +
    at(k.msmG1Porep, work.g1Witness) +
    at(k.msmG2Porep, work.g2Witness)
  );
}

/**
 * A backend's kernels checked against a reference backend's (the CPU's) on a few random points and
 * values: G1 and G2 MSMs and the quotient must be byte-equal. For a GPU that failed: a device that passes
 * is used again, one that does not stays out (a sticky CUDA fault fails every call until a restart).
 */
export async function selfTest(backend: Backend, reference: Backend): Promise<void> {
  const same = async (what: string, run: (b: Backend) => Promise<Uint8Array>) => {
    const [a, b] = await Promise.all([run(backend), run(reference)]);
    if (!Buffer.from(a).equals(Buffer.from(b)))
      throw new Error(`self-test: ${backend.name}'s ${what} differs from ${reference.name}'s`);
  };
  const n = 64;
  for (const group of ['g1', 'g2'] as const) {
    const points = await samplePoints(reference, group, n);
    const scalars = sampleScalars(n, false);
    // a 0 and a 1 among them: the backends' fast paths too
    scalars.fill(0, 0, 64);
    scalars[32] = 1;
    await same(`${group} MSM`, async (b) => {
      const table = b.newTable(group, n);
      try {
        await b.appendPoints(table, points, false);
        return await b.msm(table, 0, scalars);
      } finally {
        b.freeTable(table);
      }
    });
  }
  const v = sampleScalars(16, false);
  await same('quotient', (b) => b.quotient(v, v, v));
}
