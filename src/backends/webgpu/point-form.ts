/**
 * The two forms of the point kernels, as sppark names its options. `slots`: the formulas as programs run
 * by an interpreter over a per-invocation register file in workgroup memory (curve.wgsl on fq-slots.wgsl,
 * 16-bit Fq), which llvmpipe compiles in seconds; a workgroup is only as wide as workgroup storage holds
 * files (15 G1, 7 G2 at 32 KiB). `registers`: the formulas as straight-line functions over locals
 * (curve-registers.wgsl) on an Fq layout of R = 2^384 (`word32` by default, half the registers of
 * `limb16`), 64 invocations a workgroup; llvmpipe needs a minute or more a kernel. A software adapter
 * takes `slots`, a GPU `registers`, unless C2_WEBGPU_POINTS (and C2_WEBGPU_FQ_LAYOUT) say otherwise;
 * bench/webgpu.ts times both.
 */
import type { Group } from '../backend.ts';
import { curvePrelude, registerPrelude, slotGroup } from './curve-program.ts';
import { wgsl } from './shaders.ts';

export const POINT_FORMS = ['slots', 'registers'] as const;
export type PointForm = (typeof POINT_FORMS)[number];
/** The Fq layouts the registers form runs on: those whose R is the tables' 2^384. */
export const POINT_FQ_LAYOUTS = ['word32', 'limb16'] as const;
export type PointFqLayout = (typeof POINT_FQ_LAYOUTS)[number];

export interface PointKernels {
  form: PointForm;
  /** The registers form's Fq layout (the slot file is 16-bit). */
  fq: PointFqLayout;
}

/** Registers-form workgroup width: no register file to fit, so what the kernel wants. */
const REGISTERS_GROUP = 64;

function pick<T extends string>(
  name: string,
  allowed: readonly T[],
  value: string | undefined,
): T | undefined {
  if (value === undefined || value === '') return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new Error(`${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
}

/** The point kernels' form for an adapter: C2_WEBGPU_POINTS and C2_WEBGPU_FQ_LAYOUT, else by its kind. */
export function pointKernels(software: boolean, env: NodeJS.ProcessEnv = process.env): PointKernels {
  return {
    form: pick('C2_WEBGPU_POINTS', POINT_FORMS, env.C2_WEBGPU_POINTS) ?? (software ? 'slots' : 'registers'),
    fq: pick('C2_WEBGPU_FQ_LAYOUT', POINT_FQ_LAYOUTS, env.C2_WEBGPU_FQ_LAYOUT) ?? 'word32',
  };
}

/** How the form shows in a backend's name (a measured profile is of the form it timed). */
export const describePoints = (k: PointKernels): string =>
  k.form === 'slots' ? 'points slots' : `points registers ${k.fq}`;

/**
 * A point module of `group` in form `k`: Fq, the group's constants and formulas, then `files[k.form]`
 * (kernels of the same entry points and bindings in either form); its point kernels' workgroup width.
 */
export function pointModule(
  group: Group,
  k: PointKernels,
  limits: GPUSupportedLimits,
  files: Record<PointForm, string[]>,
): { code: string; workgroup: number } {
  if (k.form === 'slots') {
    const workgroup = slotGroup(limits, group);
    const code =
      wgsl('fq.wgsl') + curvePrelude(group, workgroup) + wgsl('fq-slots.wgsl', 'curve.wgsl', ...files.slots);
    return { code, workgroup };
  }
  const workgroup = Math.min(REGISTERS_GROUP, limits.maxComputeInvocationsPerWorkgroup);
  const code =
    wgsl(`fq.${k.fq}.wgsl`) +
    registerPrelude(group, workgroup) +
    wgsl('curve-registers.wgsl', ...files.registers);
  return { code, workgroup };
}
