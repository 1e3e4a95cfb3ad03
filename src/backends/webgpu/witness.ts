/// <reference types="@webgpu/types" />
/**
 * A witness put on the GPU in parts of one binding each (what shaders/r1cs.wgsl reads), sent as its code
 * (native/src/witness_code.rs: the 0/1 values as bits, the rest as they are) and expanded there
 * (shaders/witness.wgsl): PoRep's aux is ~98% 0 and 1, so a 32GiB partition's 4.2 GB witness crosses
 * the bus as ~0.1 GB. The addon's pass that makes the code also checks every value canonical.
 */
import { type GpuContext, USAGE, compileModule, storageBuffer, submitChecked, writeBytes } from './device.ts';
import { loadAddon } from '../cpu/index.ts';
import { wgsl } from './shaders.ts';
import { FR_BYTES } from '../../shared/fr.ts';
import type { FrVector } from '../../shared/fr-vector.ts';
import type { Scalars } from '../../shared/compact-witness.ts';
import { popcount32 } from '../../shared/bits.ts';

const WORKGROUP = 64;
/** witness_code.rs's layout: header words, then words a group, then words a general value. */
const HEADER_WORDS = 3;
const GROUP_WORDS = 3;
const VALUE_WORDS = FR_BYTES / 4;

/** The code of a witness: per 32 variables (non-zero bits, general bits, general values before). */
export interface WitnessCode {
  vars: number;
  groups: Uint32Array;
  values: Uint32Array;
}

/**
 * inputs then aux as their code; a RangeError names a value not below r, as "{what} aux: scalar i is
 * not reduced modulo r".
 */
export async function witnessCode(inputs: FrVector, aux: Scalars, what: string): Promise<WitnessCode> {
  let bytes: Uint8Array;
  try {
    bytes = await loadAddon().witnessCode(inputs, aux);
  } catch (e) {
    throw new RangeError(`${what} ${(e as Error).message}`, { cause: e });
  }
  if (bytes.byteOffset % 4) bytes = bytes.slice();
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
  const [vars, groups, general] = [words[0]!, words[1]!, words[2]!];
  const at = HEADER_WORDS + GROUP_WORDS * groups;
  return {
    vars,
    groups: words.subarray(HEADER_WORDS, at),
    values: words.subarray(at, at + VALUE_WORDS * general),
  };
}

/** The general values before variable i (i up to vars). */
function generalBefore(code: WitnessCode, i: number): number {
  if (i >= code.vars) return code.values.length / VALUE_WORDS;
  const g = (i >>> 5) * GROUP_WORDS;
  return code.groups[g + 2]! + popcount32(code.groups[g + 1]! & ((1 << (i & 31)) - 1));
}

/** Variable i's value from the code, canonical bytes (the host's reading of witness.wgsl, for tests). */
export function decodeAt(code: WitnessCode, i: number): Uint8Array {
  const g = (i >>> 5) * GROUP_WORDS;
  const bit = 1 << (i & 31);
  const out = new Uint32Array(VALUE_WORDS);
  if (code.groups[g + 1]! & bit) {
    const at = generalBefore(code, i) * VALUE_WORDS;
    out.set(code.values.subarray(at, at + VALUE_WORDS));
  } else out[0] = code.groups[g]! & bit ? 1 : 0;
  return new Uint8Array(out.buffer);
}

export class WebgpuWitness {
  readonly #gpu: GpuContext;
  readonly #pipeline: GPUComputePipeline;

  private constructor(gpu: GpuContext, pipeline: GPUComputePipeline) {
    this.#gpu = gpu;
    this.#pipeline = pipeline;
  }

  static async create(gpu: GpuContext): Promise<WebgpuWitness> {
    const module = await compileModule(gpu.device, wgsl('witness.wgsl'));
    const pipeline = await gpu.device.createComputePipelineAsync({
      layout: 'auto',
      compute: { module, entryPoint: 'expand' },
    });
    return new WebgpuWitness(gpu, pipeline);
  }

  /**
   * The witness in buffers of `per` variables each (the last may hold fewer), expanded on the GPU from
   * its code; the caller destroys them.
   */
  async parts(code: WitnessCode, per: number): Promise<GPUBuffer[]> {
    const { device, limits } = this.#gpu;
    const parts: GPUBuffer[] = [];
    try {
      for (let from = 0; from < Math.max(code.vars, 1); from += per) {
        const to = Math.min(from + per, code.vars);
        const out = storageBuffer(device, (to - from) * FR_BYTES);
        parts.push(out);
        if (to === from) continue;
        // this part's slices of the code: its groups, and the general values among its variables
        const groupBase = from >>> 5;
        const valueBase = generalBefore(code, from);
        const slices = [
          code.groups.subarray(groupBase * GROUP_WORDS, Math.ceil(to / 32) * GROUP_WORDS),
          code.values.subarray(valueBase * VALUE_WORDS, generalBefore(code, to) * VALUE_WORDS),
        ].map((words) => {
          const b = storageBuffer(device, words.byteLength);
          writeBytes(device, b, 0, words);
          return b;
        });
        const n = to - from;
        const wgs = Math.ceil(n / WORKGROUP);
        const x = Math.min(wgs, limits.maxComputeWorkgroupsPerDimension);
        const uni = device.createBuffer({ size: 32, usage: USAGE.UNIFORM | USAGE.COPY_DST });
        device.queue.writeBuffer(
          uni,
          0,
          new Uint32Array([from, n, x * WORKGROUP, groupBase, valueBase, 0, 0, 0]),
        );
        try {
          const enc = device.createCommandEncoder();
          const pass = enc.beginComputePass();
          pass.setPipeline(this.#pipeline);
          pass.setBindGroup(
            0,
            device.createBindGroup({
              layout: this.#pipeline.getBindGroupLayout(0),
              entries: [uni, ...slices, out].map((buffer, binding) => ({ binding, resource: { buffer } })),
            }),
          );
          pass.dispatchWorkgroups(x, Math.ceil(wgs / x));
          pass.end();
          await submitChecked(device, enc);
        } finally {
          uni.destroy();
          for (const b of slices) b.destroy();
        }
      }
    } catch (e) {
      for (const b of parts) b.destroy();
      throw e;
    }
    return parts;
  }
}
