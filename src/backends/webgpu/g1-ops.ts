/// <reference types="@webgpu/types" />
/**
 * The WGSL G1 formulas run elementwise (shaders/g1-ops.wgsl), for their tests and the microbenchmark: the
 * point additions and doublings the MSM is built from, checked on their own.
 */
import { type GpuContext, USAGE, compileModule, readBuffer, submitChecked } from './device.ts';
import { g1Prelude, slotGroup } from './g1-program.ts';
import { PROJECTIVE_WORDS, type G1Point, fromProjectiveWords, projectiveWords } from './g1-points.ts';
import { wgsl } from './shaders.ts';

/** A G1 module: Fq, the generated constants and programs, the slot file and the interpreter, then `files`. */
export function g1Source(group: number, ...files: string[]): string {
  return wgsl('fq.wgsl') + g1Prelude(group) + wgsl('fq-slots.wgsl', 'g1.wgsl', ...files);
}

export class G1Ops {
  readonly #gpu: GpuContext;
  readonly #module: GPUShaderModule;
  readonly #pipelines = new Map<string, GPUComputePipeline>();
  readonly #group: number;

  private constructor(gpu: GpuContext, module: GPUShaderModule, group: number) {
    this.#gpu = gpu;
    this.#module = module;
    this.#group = group;
  }

  static async create(gpu: GpuContext): Promise<G1Ops> {
    const group = slotGroup(gpu.limits);
    return new G1Ops(gpu, await compileModule(gpu.device, g1Source(group, 'g1-ops.wgsl')), group);
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

  async #run(entry: string, a: G1Point[], b: G1Point[], outCount: number, iters: number): Promise<G1Point[]> {
    const { device } = this.#gpu;
    if (b.length !== a.length) throw new RangeError('a and b differ in length');
    const bytes = (w: Uint32Array) => {
      const buf = device.createBuffer({
        size: Math.max(w.byteLength, 16),
        usage: USAGE.STORAGE | USAGE.COPY_DST,
      });
      if (w.length) device.queue.writeBuffer(buf, 0, w);
      return buf;
    };
    const bufA = bytes(projectiveWords(a));
    const bufB = bytes(projectiveWords(b));
    const size = outCount * PROJECTIVE_WORDS * 4;
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
    pass.dispatchWorkgroups(Math.ceil(a.length / this.#group));
    pass.end();
    await submitChecked(device, enc);
    const res = await readBuffer(device, outBuf, size);
    for (const buf of [bufA, bufB, outBuf, uni]) buf.destroy();
    return fromProjectiveWords(new Uint32Array(res.buffer, res.byteOffset, res.length / 4));
  }

  /** For each i: a + b and 2a, in that order. */
  ops(a: G1Point[], b: G1Point[]): Promise<G1Point[]> {
    return this.#run('g1_ops', a, b, 2 * a.length, 0);
  }

  /** a + iters * b per element: `iters` dependent additions. */
  addChain(a: G1Point[], b: G1Point[], iters: number): Promise<G1Point[]> {
    return this.#run('g1_add_chain', a, b, a.length, iters);
  }
}
