/// <reference types="@webgpu/types" />
/**
 * The constraint evaluation of QuotientKernels.quotientR1cs on the GPU (shaders/r1cs.wgsl): A, B, C of
 * every constraint on a witness, one thread a row, laid out as bellperson's prover does (the circuit's
 * constraints, then the implied input constraints A = input i, B = C = 0, filled in here). The values go
 * back to the host and into WebgpuNtt.quotient, which uploads them again: a first version, one round trip
 * that a quotient taking device buffers would save.
 */
import { type GpuContext, USAGE, compileModule, readBuffer, submitChecked } from './device.ts';
import { firstNonCanonical } from './ntt.ts';
import { type FieldLayout, fieldSource, montgomeryR, wgsl } from './shaders.ts';
import { FR_BYTES, FR_MODULUS, frToBytes } from '../../shared/fr.ts';
import { frValues, type FrVector } from '../../shared/fr-vector.ts';
import type { R1cs, SparseMatrix } from '../../shared/r1cs.ts';

const WORKGROUP = 64;

export class WebgpuR1cs {
  readonly #gpu: GpuContext;
  readonly #module: GPUShaderModule;
  #pipeline?: Promise<GPUComputePipeline>;
  /** R mod r of the field layout: the coefficients go up times R. */
  readonly #r: bigint;

  private constructor(gpu: GpuContext, module: GPUShaderModule, r: bigint) {
    this.#gpu = gpu;
    this.#module = module;
    this.#r = r;
  }

  static async create(gpu: GpuContext, layout: FieldLayout = 'limb16'): Promise<WebgpuR1cs> {
    const module = await compileModule(gpu.device, wgsl(fieldSource('fr', layout), 'r1cs.wgsl'));
    return new WebgpuR1cs(gpu, module, montgomeryR('fr', layout));
  }

  /**
   * Whether the system's buffers fit one binding each; a larger one is left to the CPU until the
   * evaluation is split.
   */
  fits(r1cs: R1cs, inputs: FrVector, aux: FrVector): boolean {
    const max = Math.min(this.#gpu.limits.maxStorageBufferBindingSize, this.#gpu.limits.maxBufferSize);
    const rows = (r1cs.numConstraints + 1) * FR_BYTES;
    return (
      inputs.length + aux.length <= max &&
      rows <= max &&
      [r1cs.a, r1cs.b, r1cs.c].every((m) => m.cols.byteLength <= max && m.rowPtr.byteLength <= max)
    );
  }

  #upload(bytes: ArrayBufferView): GPUBuffer {
    const buf = this.#gpu.device.createBuffer({
      size: Math.max(16, Math.ceil(bytes.byteLength / 4) * 4),
      usage: USAGE.STORAGE | USAGE.COPY_DST | USAGE.COPY_SRC,
    });
    if (bytes.byteLength) {
      // writeBuffer wants a multiple of 4 bytes from a plain ArrayBuffer (a SharedArrayBuffer is copied)
      const copy = new Uint8Array(Math.ceil(bytes.byteLength / 4) * 4);
      copy.set(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      this.#gpu.device.queue.writeBuffer(buf, 0, copy);
    }
    return buf;
  }

  async #rows(m: SparseMatrix, rows: number, witness: GPUBuffer): Promise<Uint8Array> {
    const { device, limits } = this.#gpu;
    if (rows === 0) return new Uint8Array(0);
    this.#pipeline ??= device.createComputePipelineAsync({
      layout: 'auto',
      compute: { module: this.#module, entryPoint: 'eval_rows' },
    });
    const pipeline = await this.#pipeline;
    // the coefficient table in Montgomery form: one product per term then gives canonical values
    const coeffs = frValues(m.coeffTable).map((c) => frToBytes((c * this.#r) % FR_MODULUS));
    const table = new Uint8Array(Math.max(1, coeffs.length) * FR_BYTES);
    coeffs.forEach((c, i) => table.set(c, i * FR_BYTES));
    const bufs = [m.rowPtr, m.cols, m.coeffIds, table].map((a) => this.#upload(a));
    const out = device.createBuffer({ size: rows * FR_BYTES, usage: USAGE.STORAGE | USAGE.COPY_SRC });
    const groups = Math.ceil(rows / WORKGROUP);
    const x = Math.min(groups, limits.maxComputeWorkgroupsPerDimension);
    const uni = device.createBuffer({ size: 16, usage: USAGE.UNIFORM | USAGE.COPY_DST });
    device.queue.writeBuffer(uni, 0, new Uint32Array([rows, x * WORKGROUP, 0, 0]));
    const entries = [uni, ...bufs, witness, out].map((buffer, binding) => ({
      binding,
      resource: { buffer },
    }));
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries }));
    pass.dispatchWorkgroups(x, Math.ceil(groups / x));
    pass.end();
    await submitChecked(device, enc);
    const res = await readBuffer(device, out, rows * FR_BYTES);
    for (const b of [...bufs, out, uni]) b.destroy();
    return res;
  }

  /** A, B, C of every constraint, input constraints included (OracleKernels.evaluateR1cs's layout). */
  async evaluate(
    r1cs: R1cs,
    inputs: FrVector,
    aux: FrVector,
  ): Promise<{ a: FrVector; b: FrVector; c: FrVector }> {
    for (const [name, v] of [
      ['inputs', inputs],
      ['aux', aux],
    ] as const) {
      if (v.length % FR_BYTES !== 0)
        throw new RangeError(`quotientR1cs ${name}: ${v.length} bytes is not a whole number of scalars`);
      const bad = firstNonCanonical(v);
      if (bad >= 0) throw new RangeError(`quotientR1cs ${name}: scalar ${bad} is not reduced modulo r`);
    }
    const numVars = (inputs.length + aux.length) / FR_BYTES;
    for (const [name, m] of [
      ['A', r1cs.a],
      ['B', r1cs.b],
      ['C', r1cs.c],
    ] as const) {
      if (m.rowPtr.length !== r1cs.numConstraints + 1)
        throw new RangeError(
          `quotientR1cs: ${name} has ${m.rowPtr.length - 1} rows, the R1CS ${r1cs.numConstraints} constraints`,
        );
      // what the GPU must not read out of bounds, checked here as the CPU backend checks it
      const coeffs = m.coeffTable.length / FR_BYTES;
      for (let k = 0; k < m.cols.length; k++) {
        if (m.cols[k]! >= numVars)
          throw new RangeError(`quotientR1cs: ${name} term ${k} reads column ${m.cols[k]} of ${numVars}`);
        if (m.coeffIds[k]! >= coeffs)
          throw new RangeError(
            `quotientR1cs: ${name} term ${k} has coefficient ${m.coeffIds[k]} of ${coeffs}`,
          );
      }
    }
    const witnessBytes = new Uint8Array(inputs.length + aux.length);
    witnessBytes.set(inputs);
    witnessBytes.set(aux, inputs.length);
    const witness = this.#upload(witnessBytes);
    const n = r1cs.numConstraints;
    const total = (n + r1cs.numInputs) * FR_BYTES;
    const [a, b, c] = [new Uint8Array(total), new Uint8Array(total), new Uint8Array(total)];
    try {
      a.set(await this.#rows(r1cs.a, n, witness));
      b.set(await this.#rows(r1cs.b, n, witness));
      c.set(await this.#rows(r1cs.c, n, witness));
    } finally {
      witness.destroy();
    }
    // the input constraints: A = input i, B = C = 0
    a.set(inputs, n * FR_BYTES);
    return { a, b, c };
  }
}
