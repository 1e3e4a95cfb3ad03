/// <reference types="@webgpu/types" />
/**
 * The WGSL Fr and Fq arithmetic run elementwise, in any of the template's limb layouts, for its tests and
 * the microbenchmark (bench/webgpu.ts): the kernels the NTT is built from, checked on their own.
 */
import { type GpuContext, USAGE, compileModule, readBuffer, submitChecked } from './device.ts';
import { type FieldLayout, fieldSource, montgomeryR, wgsl } from './shaders.ts';
import { FR_BYTES } from '../../shared/fr.ts';
import type { FrVector } from '../../shared/fr-vector.ts';

const WORKGROUP = 64;

function storage(device: GPUDevice, bytes: Uint8Array, extra = 0): GPUBuffer {
  const b = device.createBuffer({
    size: Math.max(bytes.length, 16),
    usage: USAGE.STORAGE | USAGE.COPY_DST | USAGE.COPY_SRC | extra,
  });
  if (bytes.length) device.queue.writeBuffer(b, 0, bytes);
  return b;
}

export class FrOps {
  readonly #gpu: GpuContext;
  readonly #module: GPUShaderModule;
  readonly #pipelines = new Map<string, GPUComputePipeline>();
  readonly #prefix: string;
  /** Bytes per element: 32 for Fr, 48 for Fq. */
  readonly bytes: number;
  /** R mod p of the layout: the Montgomery product is a * b / R. */
  readonly r: bigint;

  private constructor(gpu: GpuContext, module: GPUShaderModule, field: 'fr' | 'fq', layout: FieldLayout) {
    this.#gpu = gpu;
    this.#module = module;
    this.#prefix = field;
    this.bytes = field === 'fr' ? FR_BYTES : 48;
    this.r = montgomeryR(field, layout);
  }

  static async #create(gpu: GpuContext, field: 'fr' | 'fq', layout: FieldLayout): Promise<FrOps> {
    const code = wgsl(fieldSource(field, layout), 'elementwise.wgsl', `${field}-ops.wgsl`);
    return new FrOps(gpu, await compileModule(gpu.device, code), field, layout);
  }

  /** Fr (shaders/field.wgsl as Fr, or another layout's template). */
  static create(gpu: GpuContext, layout: FieldLayout = 'limb16'): Promise<FrOps> {
    return FrOps.#create(gpu, 'fr', layout);
  }

  /** Fq, elements as 48 little-endian bytes. */
  static createFq(gpu: GpuContext, layout: FieldLayout = 'limb16'): Promise<FrOps> {
    return FrOps.#create(gpu, 'fq', layout);
  }

  #pipeline(entryPoint: string): GPUComputePipeline {
    let p = this.#pipelines.get(entryPoint);
    if (!p) {
      p = this.#gpu.device.createComputePipeline({
        layout: 'auto',
        compute: { module: this.#module, entryPoint },
      });
      this.#pipelines.set(entryPoint, p);
    }
    return p;
  }

  async #run(entry: string, a: FrVector, b: FrVector, outCount: number, iters: number): Promise<Uint8Array> {
    const { device } = this.#gpu;
    const count = a.length / this.bytes;
    if (b.length !== a.length) throw new RangeError('a and b differ in length');
    if (Math.ceil(count / WORKGROUP) > this.#gpu.limits.maxComputeWorkgroupsPerDimension)
      throw new RangeError(`${count} elements exceed one dispatch row`);
    const bufA = storage(device, a);
    const bufB = storage(device, b);
    const outBuf = device.createBuffer({
      size: Math.max(outCount * this.bytes, 16),
      usage: USAGE.STORAGE | USAGE.COPY_SRC,
    });
    const uni = device.createBuffer({ size: 16, usage: USAGE.UNIFORM | USAGE.COPY_DST });
    device.queue.writeBuffer(uni, 0, new Uint32Array([count, iters, 0, 0]));
    const pipeline = this.#pipeline(entry);
    const bind = device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [bufA, bufB, outBuf, uni].map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bind);
    pass.dispatchWorkgroups(Math.ceil(count / WORKGROUP));
    pass.end();
    await submitChecked(device, enc);
    const res = await readBuffer(device, outBuf, outCount * this.bytes);
    for (const buf of [bufA, bufB, outBuf, uni]) buf.destroy();
    return res;
  }

  /** For each i: a+b, a-b and a*b/R, three elements per element, in that order. */
  ops(a: FrVector, b: FrVector): Promise<Uint8Array> {
    return this.#run(`${this.#prefix}_ops`, a, b, (3 * a.length) / this.bytes, 0);
  }

  /** a * (b/R)^iters per element: `iters` dependent Montgomery multiplications per element. */
  mulChain(a: FrVector, b: FrVector, iters: number): Promise<Uint8Array> {
    return this.#run(`${this.#prefix}_mul_chain`, a, b, a.length / this.bytes, iters);
  }
}
