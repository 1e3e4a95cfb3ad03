/// <reference types="@webgpu/types" />
/**
 * The WGSL point formulas run elementwise (shaders/point-ops.wgsl on the slot file,
 * shaders/point-ops-registers.wgsl in registers), for their tests and the microbenchmark: the additions
 * and doublings the MSM is built from, checked on their own, in G1 or G2, in either point-kernel form.
 */
import type { Group } from '../backend.ts';
import { type GpuContext, USAGE, compileModule, readBuffer, submitChecked } from './device.ts';
import { type CurvePoint, fromProjectiveWords, projectiveWords, toProjectiveWords } from './curve-points.ts';
import { type PointKernels, pointModule } from './point-form.ts';

export class PointOps {
  readonly group: Group;
  readonly #gpu: GpuContext;
  readonly #module: GPUShaderModule;
  readonly #pipelines = new Map<string, GPUComputePipeline>();
  readonly #workgroup: number;

  private constructor(gpu: GpuContext, group: Group, module: GPUShaderModule, workgroup: number) {
    this.#gpu = gpu;
    this.group = group;
    this.#module = module;
    this.#workgroup = workgroup;
  }

  static async create(
    gpu: GpuContext,
    group: Group,
    points: PointKernels = { form: 'slots', fq: 'word32' },
  ): Promise<PointOps> {
    const { code, workgroup } = pointModule(group, points, gpu.limits, {
      slots: ['elementwise.wgsl', 'point-ops.wgsl'],
      registers: ['elementwise.wgsl', 'point-ops-registers.wgsl'],
    });
    return new PointOps(gpu, group, await compileModule(gpu.device, code), workgroup);
  }

  /** Compiles an entry point now (the tests and the benchmark time it). */
  async pipeline(entryPoint: string): Promise<GPUComputePipeline> {
    let p = this.#pipelines.get(entryPoint);
    if (!p) {
      p = await this.#gpu.device.createComputePipelineAsync({
        layout: 'auto',
        compute: { module: this.#module, entryPoint },
      });
      this.#pipelines.set(entryPoint, p);
    }
    return p;
  }

  async #run(
    entry: string,
    a: CurvePoint[],
    b: CurvePoint[],
    outCount: number,
    iters: number,
  ): Promise<CurvePoint[]> {
    const { device } = this.#gpu;
    if (b.length !== a.length) throw new RangeError('a and b differ in length');
    const upload = (w: Uint32Array) => {
      const buf = device.createBuffer({
        size: Math.max(w.byteLength, 16),
        usage: USAGE.STORAGE | USAGE.COPY_DST,
      });
      if (w.length) device.queue.writeBuffer(buf, 0, w);
      return buf;
    };
    const bufA = upload(toProjectiveWords(this.group, a));
    const bufB = upload(toProjectiveWords(this.group, b));
    const size = outCount * projectiveWords(this.group) * 4;
    const outBuf = device.createBuffer({ size: Math.max(size, 16), usage: USAGE.STORAGE | USAGE.COPY_SRC });
    const uni = device.createBuffer({ size: 16, usage: USAGE.UNIFORM | USAGE.COPY_DST });
    device.queue.writeBuffer(uni, 0, new Uint32Array([a.length, iters, 0, 0]));
    const pipeline = await this.pipeline(entry);
    const bind = device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [bufA, bufB, outBuf, uni].map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bind);
    pass.dispatchWorkgroups(Math.ceil(a.length / this.#workgroup));
    pass.end();
    await submitChecked(device, enc);
    const res = await readBuffer(device, outBuf, size);
    for (const buf of [bufA, bufB, outBuf, uni]) buf.destroy();
    return fromProjectiveWords(this.group, new Uint32Array(res.buffer, res.byteOffset, res.length / 4));
  }

  /** For each i: a + b and 2a, in that order. */
  ops(a: CurvePoint[], b: CurvePoint[]): Promise<CurvePoint[]> {
    return this.#run('pt_ops', a, b, 2 * a.length, 0);
  }

  /** a + iters * b per element: `iters` dependent additions. */
  addChain(a: CurvePoint[], b: CurvePoint[], iters: number): Promise<CurvePoint[]> {
    return this.#run('pt_add_chain', a, b, a.length, iters);
  }
}
