/**
 * Which backend proves a job of a sector size, on a machine that may have several (CUDA and WebGPU on one
 * NVIDIA GPU, the CPU's everywhere). In order:
 * - C2_BACKEND forces one backend for every size (the others are not even opened);
 * - C2_BACKEND_BY_SIZE configures sizes (`32GiB=cuda,2KiB=cpu`; the others are chosen as below);
 * - a measured profile (`c2prover calibrate`, or the service's first start with several backends: see
 *   backends/profile.ts) picks the fastest by the size's parameter file, its kernels' sizes estimated on
 *   each backend's fitted rates;
 * - else BACKEND_ORDER's first (CUDA, WebGPU, CPU).
 * After a GPU failure the failed backend is out for every size (the fallback, the CPU's, takes its sizes)
 * until it passes a self-test. A first failure is tested at the next choice: one job's error (its out of
 * memory) passes and the GPU keeps proving the other jobs, while the job it failed goes elsewhere
 * (`avoid`); a dead device fails and stays out. A GPU that fails again before it proved a job is tested
 * C2_GPU_RETRY_S later, then backing off. Each choice says why, for `c2prover info` and the job's log.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Backend } from '../backends/backend.ts';
import type { Opened } from '../backends/index.ts';
import {
  estimateProofMs,
  measureBackend,
  profileSchema,
  selfTest,
  type BackendProfile,
  type MeasureOptions,
  type ProofWork,
} from '../backends/profile.ts';
import { readParamsLayout } from '../groth16/params-file.ts';
import { sizeLabel } from './params-keeper.ts';

export interface Chosen {
  kind: string;
  backend: Backend;
  why: string;
}

/** `32GiB=cuda,2KiB=cpu` as sector sizes in bytes to backend kinds; throws with what is wrong. */
export function parseBySize(spec: string, kinds: readonly string[]): Map<number, string> {
  const out = new Map<number, string>();
  const units: Record<string, number> = { KiB: 2 ** 10, MiB: 2 ** 20, GiB: 2 ** 30 };
  for (const part of spec
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^(\d+)(KiB|MiB|GiB)=([a-z]+)$/.exec(part);
    if (!m)
      throw new Error(
        `C2_BACKEND_BY_SIZE: "${part}" is not SIZE=BACKEND (like 32GiB=cuda; sizes in KiB, MiB or GiB)`,
      );
    if (!kinds.includes(m[3]!))
      throw new Error(`C2_BACKEND_BY_SIZE: "${m[3]}" in "${part}" is none of ${kinds.join(', ')}`);
    out.set(Number(m[1]) * units[m[2]!]!, m[3]!);
  }
  return out;
}

/** What one proof of a parameter file computes. */
export async function proofWork(paramsFile: string): Promise<ProofWork> {
  const { sections } = await readParamsLayout(paramsFile);
  return {
    domain: sections.h.count + 1,
    g1Witness: sections.l.count + sections.a.count + sections.bG1.count,
    g2Witness: sections.bG2.count,
  };
}

export interface BackendChoiceOptions {
  /** The backends opened here, best first by BACKEND_ORDER. */
  opened: Opened;
  /** Configured sizes (C2_BACKEND_BY_SIZE), checked against what is opened. */
  bySize?: Map<number, string>;
  profile?: BackendProfile;
  /** Where a failed GPU backend's sizes go. */
  fallback?: Backend;
  /**
   * A failed backend is self-tested at the next choice after a first failure, else this long after it
   * (C2_GPU_RETRY_S; default 5 minutes), doubling after each failed test up to an hour; passing, it is
   * used again.
   */
  retryMs?: number;
  /** The self-test (default: selfTest against the fallback). */
  check?: (backend: Backend) => Promise<void>;
  log?: { info(o: object, msg: string): void; warn(o: object, msg: string): void };
}

interface Failure {
  retryAt: number;
  tests: number;
}

const HOUR = 3_600_000;

export class BackendChoice {
  readonly opts: BackendChoiceOptions;
  readonly #failed = new Map<Backend, Failure>();
  /** Failures of each backend since it last proved a job. */
  readonly #strikes = new Map<Backend, number>();
  readonly #chosen = new Map<string, Promise<Chosen>>();
  #testing: Promise<void> | undefined;
  /** Backends back in use after a failure, for the reason of the next choices. */
  readonly #recovered = new Set<Backend>();

  constructor(opts: BackendChoiceOptions) {
    this.opts = opts;
    for (const [size, kind] of opts.bySize ?? []) {
      if (!opts.opened.backends.some((b) => b.kind === kind)) {
        const why = opts.opened.skipped.find((s) => s.name === kind)?.reason ?? 'not opened';
        throw new Error(`C2_BACKEND_BY_SIZE: ${sizeLabel(size)}=${kind}, but ${kind} is unavailable: ${why}`);
      }
    }
  }

  /** One backend for every job (tests, and a service given a single backend). */
  static only(backend: Backend, fallback?: Backend): BackendChoice {
    return new BackendChoice({
      opened: { backends: [{ kind: 'given', backend }], skipped: [] },
      ...(fallback ? { fallback } : {}),
    });
  }

  /** The backends still in use, best first; without those in `avoid` unless nothing else is left. */
  #usable(avoid?: ReadonlySet<Backend>): Opened['backends'] {
    const live = this.opts.opened.backends.filter((b) => !this.#failed.has(b.backend));
    const fb = this.opts.fallback;
    if (fb && !live.some((b) => b.backend === fb) && !this.#failed.has(fb))
      live.push({ kind: 'fallback', backend: fb });
    const others = avoid?.size ? live.filter((b) => !avoid.has(b.backend)) : live;
    return others.length ? others : live;
  }

  /** The backend jobs go to unless their size says otherwise: the best one still working. */
  get preferred(): Backend {
    return this.#usable()[0]!.backend;
  }

  /**
   * The backend for jobs of this size proved with this parameter file; `avoid`: backends that failed this
   * job (it is not sent back to them while another is left).
   */
  async forJob(sectorSize: number, paramsFile: string, avoid?: ReadonlySet<Backend>): Promise<Chosen> {
    await this.#retest();
    if (avoid && this.#usable().some((b) => avoid.has(b.backend))) {
      const c = await this.#choose(sectorSize, paramsFile, avoid);
      const names = [...avoid].map((b) => b.name).join(', ');
      return { ...c, why: `${c.why}; not ${names}, which failed this job` };
    }
    const key = `${sectorSize}:${paramsFile}`;
    let c = this.#chosen.get(key);
    if (!c) {
      c = this.#choose(sectorSize, paramsFile);
      this.#chosen.set(key, c);
      c.catch(() => this.#chosen.delete(key));
    }
    return c;
  }

  async #choose(sectorSize: number, paramsFile: string, avoid?: ReadonlySet<Backend>): Promise<Chosen> {
    const usable = this.#usable(avoid);
    if (usable.length === 0) throw new Error('internal error: no backend left');
    const after = this.#failed.size
      ? ' (after a GPU failure)'
      : usable.some((b) => this.#recovered.has(b.backend))
        ? ' (a failed GPU back in use after its self-test)'
        : '';
    if (usable.length === 1) return { ...usable[0]!, why: `the only backend${after}` };
    const configured = this.opts.bySize?.get(sectorSize);
    const set = configured && usable.find((b) => b.kind === configured);
    if (set) return { ...set, why: `C2_BACKEND_BY_SIZE ${sizeLabel(sectorSize)}=${configured}` };
    const rates = usable.flatMap((b) => {
      const r = this.opts.profile?.backends.find((x) => x.kind === b.kind && x.name === b.backend.name);
      return r ? [{ ...b, rates: r }] : [];
    });
    if (rates.length === usable.length) {
      const work = await proofWork(paramsFile);
      const est = rates
        .map((r) => ({ ...r, ms: estimateProofMs(r.rates, work) }))
        .sort((a, b) => a.ms - b.ms);
      const best = est[0]!;
      const list = est.map((e) => `${e.kind} ${(e.ms / 1000).toFixed(2)} s`).join(', ');
      return {
        kind: best.kind,
        backend: best.backend,
        why: `measured ${this.opts.profile!.measuredAt}: a proof estimated at ${list}${after}`,
      };
    }
    const missing = usable.filter((b) => !rates.some((r) => r.backend === b.backend)).map((b) => b.kind);
    return {
      ...usable[0]!,
      why: `first in order${after}; not measured here (${missing.join(', ')}): run \`c2prover calibrate\``,
    };
  }

  /**
   * Takes a failed backend out (C2_GPU_FAILED): its sizes go to the fallback. False when there is nothing
   * else to prove on.
   */
  failover(failed: Backend): boolean {
    if (this.#failed.has(failed)) return true;
    if (!this.opts.fallback || failed === this.opts.fallback) return false;
    const strikes = (this.#strikes.get(failed) ?? 0) + 1;
    this.#strikes.set(failed, strikes);
    // a first failure may be the job's own: tested at the next choice; again before a proof, it is not
    this.#failed.set(
      failed,
      strikes === 1 ? { retryAt: 0, tests: 0 } : { retryAt: Date.now() + this.#delay(0), tests: 1 },
    );
    this.#recovered.delete(failed);
    this.#chosen.clear();
    return true;
  }

  /** `backend` proved a job: a failure after this is a first one again. */
  proved(backend: Backend): void {
    this.#strikes.delete(backend);
  }

  #delay(tests: number): number {
    return Math.min(HOUR, (this.opts.retryMs ?? 300_000) * 2 ** tests);
  }

  /** Self-tests the failed backends that are due, one test at a time; those that pass are used again. */
  async #retest(): Promise<void> {
    while (this.#testing) await this.#testing;
    const now = Date.now();
    const due = [...this.#failed].filter(([, f]) => f.retryAt <= now);
    if (due.length === 0) return;
    this.#testing = (async () => {
      for (const [backend, f] of due) {
        try {
          const check = this.opts.check ?? ((b: Backend) => selfTest(b, this.opts.fallback!));
          await check(backend);
          this.#failed.delete(backend);
          this.#recovered.add(backend);
          this.#chosen.clear();
          this.opts.log?.info({ backend: backend.name }, 'the failed GPU passed its self-test: back in use');
        } catch (e) {
          const retryInMs = this.#delay(f.tests++);
          f.retryAt = Date.now() + retryInMs;
          this.opts.log?.warn(
            { backend: backend.name, err: (e as Error).message, retryInMs },
            'the failed GPU failed its self-test: still out',
          );
        }
      }
    })();
    try {
      await this.#testing;
    } finally {
      this.#testing = undefined;
    }
  }

  /** Whether `backend` is still used. */
  usable(backend: Backend): boolean {
    return !this.#failed.has(backend);
  }
}

/** The profile kept in `file`, or undefined when there is none or it does not parse (then measured anew). */
export async function readProfile(file: string): Promise<BackendProfile | undefined> {
  try {
    const parsed = profileSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Whether `profile` has rates for every opened backend as it is now (same device, same threads). */
export function profileCovers(profile: BackendProfile | undefined, opened: Opened): boolean {
  return opened.backends.every((b) =>
    profile?.backends.some((r) => r.kind === b.kind && r.name === b.backend.name),
  );
}

/** Measures every opened backend and writes the profile to `file` (atomically). */
export async function measureProfile(
  opened: Opened,
  file: string,
  opts: MeasureOptions = {},
): Promise<BackendProfile> {
  const backends = [];
  for (const b of opened.backends) backends.push(await measureBackend(b.kind, b.backend, opts));
  const profile: BackendProfile = { version: 1, measuredAt: new Date().toISOString(), backends };
  await mkdir(dirname(file), { recursive: true });
  await writeFile(`${file}.tmp`, JSON.stringify(profile, null, 2));
  await rename(`${file}.tmp`, file);
  return profile;
}
