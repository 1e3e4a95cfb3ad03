/// <reference types="@webgpu/types" />
/**
 * The radix-2 NTT on WebGPU with the CPU backend's conventions (native/src/ntt.rs, bellperson's
 * EvaluationDomain): omega = ROOT_OF_UNITY^(2^(32 - log m)), ROOT_OF_UNITY = 7^((r - 1) / 2^32); the
 * inverse uses omega^-1 and scales by 1/m. Values stay canonical on the device; twiddles and the scale are
 * in Montgomery form (shaders/fr.wgsl).
 */
import { type GpuContext, USAGE, compileModule, readBuffer, submitChecked } from './device.ts';
import { wgsl } from './shaders.ts';
import { FR_BYTES, FR_MODULUS, frInv, frPow, frToBytes } from '../../shared/fr.ts';
import type { FrVector } from '../../shared/fr-vector.ts';
import type { NttDirection } from '../backend.ts';

const WORKGROUP = 64;
const TWO_ADICITY = 32;
const GENERATOR = 7n;
const MONT_R = (1n << 256n) % FR_MODULUS;
/** r as little-endian u32 words, for the canonical check. */
const MODULUS_WORDS = Array.from({ length: 8 }, (_, i) =>
  Number((FR_MODULUS >> BigInt(32 * i)) & 0xffffffffn),
);

/** bellperson's primitive 2^logM-th root of unity. */
export function omega(logM: number): bigint {
  const root = frPow(GENERATOR, (FR_MODULUS - 1n) >> BigInt(TWO_ADICITY));
  return frPow(root, 1n << BigInt(TWO_ADICITY - logM));
}

function toMont(x: bigint): bigint {
  return (x * MONT_R) % FR_MODULUS;
}

/** The index of the first element not below r, or -1. */
function firstNonCanonical(values: FrVector): number {
  const words =
    values.byteOffset % 4 === 0
      ? new Uint32Array(values.buffer, values.byteOffset, values.length / 4)
      : new Uint32Array(values.slice().buffer);
  for (let i = 0; i < words.length; i += 8) {
    for (let k = 7; k >= 0; k--) {
      const w = words[i + k]!;
      const m = MODULUS_WORDS[k]!;
      if (w < m) break;
      if (w > m || k === 0) return i / 8;
    }
  }
  return -1;
}

/** Params of ntt.wgsl: 8 u32 then the Montgomery factor (8 u32), one per dispatch. */
const PARAMS_BYTES = 64;

export class WebgpuNtt {
  readonly #gpu: GpuContext;
  readonly #pipelines: Record<'bit_reverse' | 'butterfly' | 'scale', GPUComputePipeline>;
  /** Montgomery twiddles [w^0 .. w^(m/2 - 1)] per (log m, direction): made on the host once. */
  readonly #twiddles = new Map<string, Uint8Array>();

  private constructor(gpu: GpuContext, module: GPUShaderModule) {
    this.#gpu = gpu;
    const make = (entryPoint: string) =>
      gpu.device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint } });
    this.#pipelines = {
      bit_reverse: make('bit_reverse'),
      butterfly: make('butterfly'),
      scale: make('scale'),
    };
  }

  static async create(gpu: GpuContext): Promise<WebgpuNtt> {
    return new WebgpuNtt(gpu, await compileModule(gpu.device, wgsl('fr.wgsl', 'ntt.wgsl')));
  }

  /** The largest transform the device takes in one buffer (splitting across buffers is not done yet). */
  maxSize(): number {
    const l = this.#gpu.limits;
    const bytes = Math.min(l.maxStorageBufferBindingSize, l.maxBufferSize);
    const log = Math.min(Math.floor(Math.log2(bytes / FR_BYTES)), TWO_ADICITY);
    return 2 ** log;
  }

  #twiddlesFor(logM: number, direction: NttDirection): Uint8Array {
    const key = `${logM}:${direction}`;
    let t = this.#twiddles.get(key);
    if (!t) {
      const w = omega(logM);
      const step = direction === 'inverse' ? frInv(w) : w;
      const half = 2 ** (logM - 1);
      t = new Uint8Array(half * FR_BYTES);
      let cur = MONT_R;
      for (let j = 0; j < half; j++) {
        frToBytes(cur, t, j * FR_BYTES);
        cur = (cur * step) % FR_MODULUS;
      }
      this.#twiddles.set(key, t);
    }
    return t;
  }

  /** The Backend's `ntt`, in place: forward, or inverse scaled by 1/m. */
  async ntt(values: FrVector, direction: NttDirection): Promise<void> {
    if (values.length % FR_BYTES !== 0)
      throw new RangeError(`ntt values: byte length ${values.length} is not a multiple of ${FR_BYTES}`);
    const n = values.length / FR_BYTES;
    if (n === 0) return;
    if ((n & (n - 1)) !== 0) throw new RangeError(`NTT size ${n} is not a power of two`);
    const logN = Math.log2(n);
    if (logN > TWO_ADICITY) throw new RangeError(`NTT size 2^${logN} exceeds Fr's two-adicity 2^32`);
    if (n > this.maxSize()) {
      throw new RangeError(
        `NTT size 2^${logN} (${n * FR_BYTES} bytes) exceeds this device's storage buffer limit of ` +
          `${this.maxSize()} elements; splitting a transform across buffers is not implemented`,
      );
    }
    const bad = firstNonCanonical(values);
    if (bad >= 0) throw new RangeError(`ntt values: scalar ${bad} is not reduced modulo r`);
    if (n === 1) return;

    const { device } = this.#gpu;
    const limits = this.#gpu.limits;
    const align = Math.max(PARAMS_BYTES, limits.minUniformBufferOffsetAlignment);
    const scaled = direction === 'inverse';
    const dispatches = 1 + logN + (scaled ? 1 : 0);
    const params = new Uint8Array(dispatches * align);
    const words = new DataView(params.buffer);
    const grid = (count: number, slot: number, logH: number, stride: number, factor?: bigint) => {
      const groups = Math.ceil(count / WORKGROUP);
      const x = Math.min(groups, limits.maxComputeWorkgroupsPerDimension);
      const y = Math.ceil(groups / x);
      const o = slot * align;
      for (const [k, v] of [logN, logH, stride, count, x * WORKGROUP].entries())
        words.setUint32(o + 4 * k, v, true);
      if (factor !== undefined) frToBytes(toMont(factor), params, o + 32);
      return { x, y, offset: o };
    };

    const src = device.createBuffer({ size: values.length, usage: USAGE.STORAGE | USAGE.COPY_DST });
    device.queue.writeBuffer(src, 0, values);
    const data = device.createBuffer({ size: values.length, usage: USAGE.STORAGE | USAGE.COPY_SRC });
    const twiddles = this.#twiddlesFor(logN, direction);
    const tw = device.createBuffer({ size: twiddles.length, usage: USAGE.STORAGE | USAGE.COPY_DST });
    device.queue.writeBuffer(tw, 0, twiddles);

    const steps: { pipeline: GPUComputePipeline; x: number; y: number; offset: number }[] = [];
    steps.push({ pipeline: this.#pipelines.bit_reverse, ...grid(n, 0, 0, 0) });
    for (let s = 0; s < logN; s++) {
      steps.push({
        pipeline: this.#pipelines.butterfly,
        ...grid(n / 2, 1 + s, s, n >> (s + 1)),
      });
    }
    if (scaled) steps.push({ pipeline: this.#pipelines.scale, ...grid(n, 1 + logN, 0, 0, frInv(BigInt(n))) });

    const uni = device.createBuffer({ size: params.length, usage: USAGE.UNIFORM | USAGE.COPY_DST });
    device.queue.writeBuffer(uni, 0, params);

    const enc = device.createCommandEncoder();
    // one pass per dispatch: WebGPU orders storage writes between passes, so each stage sees the last
    for (const st of steps) {
      const entries: GPUBindGroupEntry[] = [
        { binding: 0, resource: { buffer: data } },
        { binding: 1, resource: { buffer: uni, offset: st.offset, size: PARAMS_BYTES } },
      ];
      if (st.pipeline === this.#pipelines.bit_reverse)
        entries.push({ binding: 2, resource: { buffer: src } });
      if (st.pipeline === this.#pipelines.butterfly) entries.push({ binding: 3, resource: { buffer: tw } });
      const bind = device.createBindGroup({ layout: st.pipeline.getBindGroupLayout(0), entries });
      const pass = enc.beginComputePass();
      pass.setPipeline(st.pipeline);
      pass.setBindGroup(0, bind);
      pass.dispatchWorkgroups(st.x, st.y);
      pass.end();
    }
    await submitChecked(device, enc);
    const out = await readBuffer(device, data, values.length);
    values.set(out);
    for (const b of [src, data, tw, uni]) b.destroy();
  }
}
