/// <reference types="@webgpu/types" />
/**
 * The constraint evaluation of QuotientKernels.quotientR1cs on the GPU (shaders/r1cs.wgsl): A, B, C of
 * every constraint on a witness, one thread a row, laid out as bellperson's prover does (the circuit's
 * constraints, then the implied input constraints A = input i, B = C = 0, filled in here). For the
 * quotient the values stay on the GPU (evaluateInto: WebgpuNtt.quotientSpace's vectors, then quotientOf);
 * `evaluate` reads them back (the oracle's layout, for tests).
 *
 * Within what the adapter grants: a witness larger than one storage binding (a 32GiB partition's is 4 GiB)
 * is bound in parts, as many as the stage's storage buffers allow beside the kernel's five; the rows go in
 * runs whose row pointers, terms and values each fit one binding. A system needing more witness parts
 * than that does not `fit` and is evaluated on the CPU.
 *
 * A job's partitions share one structure: its matrices stay on the GPU between calls (the two most
 * recently used systems, recent.ts), so later partitions send only their witness: at 32GiB that spares
 * ~7.4 GB of writes a partition. Kept only where twice the quotient's working set can still be
 * allocated beside it (WebGPU does not tell how much memory there is, so that is tried); otherwise the
 * rows are uploaded a run at a time by each call, as few bytes on the GPU at once as possible.
 */
import {
  type DeviceVector,
  type GpuContext,
  USAGE,
  compileModule,
  copyToVector,
  readBuffer,
  storageBuffer,
  storageBytes,
  submitChecked,
  writeBytes,
  writeVector,
} from './device.ts';
import type { QuotientSpace } from './ntt.ts';
import { WebgpuWitness, witnessCode } from './witness.ts';
import { loadAddon } from '../cpu/index.ts';
import { type FieldLayout, fieldSource, montgomeryR, wgsl } from './shaders.ts';
import { FR_BYTES, FR_MODULUS, frToBytes } from '../../shared/fr.ts';
import { frValues, type FrVector } from '../../shared/fr-vector.ts';
import { type Scalars, scalarCount } from '../../shared/compact-witness.ts';
import { domainSize, type R1cs, type SparseMatrix } from '../../shared/r1cs.ts';
import { RESIDENT_STRUCTURES, RecentlyUsed } from '../recent.ts';
import {
  type MatrixBuffers,
  type Run,
  StructureCopy,
  StructureSlot,
  destroyMatrix,
} from './r1cs-structure.ts';

const WORKGROUP = 64;
/** Matrices checked (checkCsr) and the variable count they were checked against. */
const checked = new WeakMap<SparseMatrix, number>();
/** Storage bindings of eval_rows besides the witness parts: row_ptr, cols, coeff_ids, coeffs, out. */
const FIXED_STORAGE = 5;

/** The witness bindings of `parts` parts and the load that picks a variable's part (r1cs.wgsl). */
function witnessPrelude(parts: number): string {
  const lines: string[] = [];
  for (let k = 0; k < parts; k++)
    lines.push(`@group(0) @binding(${6 + k}) var<storage, read> witness_${k}: array<u32>;`);
  lines.push(
    'fn load_witness(i: u32) -> Fr {',
    '  let part = i / params.witness_part;',
    '  let at = (i % params.witness_part) * 8u;',
    '  var w: array<u32, 8>;',
  );
  for (let k = 0; k < parts; k++)
    lines.push(
      `  ${k ? 'else if' : 'if'} (part == ${k}u) { for (var j = 0u; j < 8u; j++) { w[j] = witness_${k}[at + j]; } }`,
    );
  lines.push('  return fr_from_words(w);', '}', '');
  return lines.join('\n');
}

export interface R1csOptions {
  layout?: FieldLayout;
  /** Lowers the bytes one binding holds (tests: witness parts and row runs at small sizes). */
  bindingBytes?: number;
  /** Systems whose matrices stay on the GPU between calls (RESIDENT_STRUCTURES; 0: uploaded per call). */
  residentStructures?: number;
  /** At most this many bytes for a resident structure and the reserve beside it (tests: the fallback). */
  maxResidentBytes?: number;
}

export class WebgpuR1cs {
  readonly #gpu: GpuContext;
  readonly #witness: WebgpuWitness;
  readonly #layout: FieldLayout;
  /** eval_rows by its number of witness parts */
  readonly #pipelines = new Map<number, Promise<GPUComputePipeline>>();
  /** R mod r of the field layout: the coefficients go up times R. */
  readonly #r: bigint;
  /** What one binding holds, a multiple of 32 bytes. */
  readonly bindingBytes: number;
  /** Witness parts the stage's storage buffers allow. */
  readonly maxWitnessParts: number;
  /** Systems kept on the GPU; undefined: every call uploads its rows. */
  readonly #structures: RecentlyUsed<R1cs, StructureSlot> | undefined;
  readonly #maxResidentBytes: number;

  private constructor(
    gpu: GpuContext,
    witness: WebgpuWitness,
    layout: FieldLayout,
    bindingBytes: number,
    options: R1csOptions,
  ) {
    this.#gpu = gpu;
    this.#witness = witness;
    this.#layout = layout;
    this.#r = montgomeryR('fr', layout);
    this.bindingBytes = bindingBytes;
    this.maxWitnessParts = Math.max(0, gpu.limits.maxStorageBuffersPerShaderStage - FIXED_STORAGE);
    const keep = options.residentStructures ?? RESIDENT_STRUCTURES;
    this.#structures =
      keep > 0
        ? new RecentlyUsed(
            keep,
            () => new StructureSlot(),
            (s) => s.free(),
          )
        : undefined;
    this.#maxResidentBytes = options.maxResidentBytes ?? Infinity;
  }

  static async create(gpu: GpuContext, options: R1csOptions = {}): Promise<WebgpuR1cs> {
    const l = gpu.limits;
    const max = Math.min(l.maxStorageBufferBindingSize, l.maxBufferSize);
    const bytes = Math.floor(Math.min(max, options.bindingBytes ?? max) / FR_BYTES) * FR_BYTES;
    if (bytes < FR_BYTES)
      throw new RangeError(`bindingBytes must hold one scalar, got ${options.bindingBytes}`);
    const witness = await WebgpuWitness.create(gpu);
    const r1cs = new WebgpuR1cs(gpu, witness, options.layout ?? 'limb16', bytes, options);
    await r1cs.#pipeline(1);
    return r1cs;
  }

  #pipeline(parts: number): Promise<GPUComputePipeline> {
    let p = this.#pipelines.get(parts);
    if (!p) {
      const code = wgsl(fieldSource('fr', this.#layout), 'r1cs.wgsl') + witnessPrelude(parts);
      p = compileModule(this.#gpu.device, code).then((module) =>
        this.#gpu.device.createComputePipelineAsync({
          layout: 'auto',
          compute: { module, entryPoint: 'eval_rows' },
        }),
      );
      this.#pipelines.set(parts, p);
      p.catch(() => this.#pipelines.delete(parts));
    }
    return p;
  }

  #witnessParts(numVars: number): number {
    return Math.max(1, Math.ceil((numVars * FR_BYTES) / this.bindingBytes));
  }

  /**
   * Whether the GPU can evaluate the system: its witness in as many parts as the stage allows, and every
   * row's terms within one binding; otherwise the caller evaluates on the CPU.
   */
  fits(r1cs: R1cs, inputs: FrVector, aux: Scalars): boolean {
    const numVars = inputs.length / FR_BYTES + scalarCount(aux, 'quotientR1cs aux');
    if (this.#witnessParts(numVars) > this.maxWitnessParts) return false;
    const maxTerms = this.bindingBytes / 4;
    return [r1cs.a, r1cs.b, r1cs.c].every((m) => {
      // no row can be longer than the whole matrix: the walk over every row only where one might be
      if (m.cols.length <= maxTerms) return true;
      for (let r = 0; r + 1 < m.rowPtr.length; r++)
        if (m.rowPtr[r + 1]! - m.rowPtr[r]! > maxTerms) return false;
      return true;
    });
  }

  #buffer(size: number): GPUBuffer {
    return storageBuffer(this.#gpu.device, size);
  }

  #write(buf: GPUBuffer, at: number, bytes: ArrayBufferView): void {
    writeBytes(this.#gpu.device, buf, at, bytes);
  }

  #upload(bytes: ArrayBufferView): GPUBuffer {
    const buf = this.#buffer(bytes.byteLength);
    this.#write(buf, 0, bytes);
    return buf;
  }

  /** The end of the run of rows from `start`: as many as fit one binding of values, pointers and terms. */
  #runEnd(m: SparseMatrix, start: number, rows: number): number {
    const perBinding = this.bindingBytes / 4;
    let end = Math.min(rows, start + this.bindingBytes / FR_BYTES, start + perBinding - 1);
    // the terms of [start, end) must fit too: the last row whose pointer is within reach
    const limit = m.rowPtr[start]! + perBinding;
    if (m.rowPtr[end]! > limit) {
      let lo = start + 1;
      let hi = end;
      while (lo < hi) {
        const mid = (lo + hi + 1) >>> 1;
        if (m.rowPtr[mid]! <= limit) lo = mid;
        else hi = mid - 1;
      }
      end = lo;
    }
    return end;
  }

  /** m's rows in runs of one binding each (#runEnd). */
  #runs(m: SparseMatrix, rows: number): Run[] {
    const runs: Run[] = [];
    for (let start = 0; start < rows;) {
      const end = this.#runEnd(m, start, rows);
      runs.push({ start, end, base: m.rowPtr[start]! });
      start = end;
    }
    return runs;
  }

  /** The run's row pointers (the matrix's own: the shader rebases them), columns and coefficient ids. */
  #runArrays(m: SparseMatrix, run: Run): Uint32Array[] {
    const { start, end, base } = run;
    return [
      m.rowPtr.subarray(start, end + 1),
      m.cols.subarray(base, m.rowPtr[end]!),
      m.coeffIds.subarray(base, m.rowPtr[end]!),
    ];
  }

  /** The coefficient table in Montgomery form: one product per term then gives canonical values. */
  #coeffTable(m: SparseMatrix): Uint8Array {
    const coeffs = frValues(m.coeffTable).map((c) => frToBytes((c * this.#r) % FR_MODULUS));
    const table = new Uint8Array(Math.max(1, coeffs.length) * FR_BYTES);
    coeffs.forEach((c, i) => table.set(c, i * FR_BYTES));
    return table;
  }

  /**
   * The values of m's rows into `into` (host bytes, or a device vector), a dispatch a run: from the
   * resident buffers, or each run's uploaded now and destroyed after it.
   */
  async #rows(
    m: SparseMatrix,
    runs: Run[],
    resident: MatrixBuffers | undefined,
    witness: GPUBuffer[],
    part: number,
    into: Uint8Array | DeviceVector,
  ): Promise<void> {
    const { device, limits } = this.#gpu;
    const pipeline = await this.#pipeline(witness.length);
    const tableBuf = resident?.table ?? this.#upload(this.#coeffTable(m));
    try {
      for (const [i, run] of runs.entries()) {
        const { start, end, base } = run;
        const n = end - start;
        const bufs = resident?.runs[i] ?? this.#runArrays(m, run).map((a) => this.#upload(a));
        const out = device.createBuffer({ size: n * FR_BYTES, usage: USAGE.STORAGE | USAGE.COPY_SRC });
        const groups = Math.ceil(n / WORKGROUP);
        const x = Math.min(groups, limits.maxComputeWorkgroupsPerDimension);
        const uni = device.createBuffer({ size: 16, usage: USAGE.UNIFORM | USAGE.COPY_DST });
        device.queue.writeBuffer(uni, 0, new Uint32Array([n, x * WORKGROUP, part, base]));
        const entries = [uni, ...bufs, tableBuf, out, ...witness].map((buffer, binding) => ({
          binding,
          resource: { buffer },
        }));
        try {
          const enc = device.createCommandEncoder();
          const pass = enc.beginComputePass();
          pass.setPipeline(pipeline);
          pass.setBindGroup(0, device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries }));
          pass.dispatchWorkgroups(x, Math.ceil(groups / x));
          pass.end();
          if (into instanceof Uint8Array) {
            await submitChecked(device, enc);
            into.set(await readBuffer(device, out, n * FR_BYTES), start * FR_BYTES);
          } else {
            copyToVector(enc, out, 0, into, start, n);
            await submitChecked(device, enc);
          }
        } finally {
          out.destroy();
          uni.destroy();
          if (!resident) for (const b of bufs) b.destroy();
        }
      }
    } finally {
      if (!resident) tableBuf.destroy();
    }
  }

  /**
   * Where the system's matrices are for one call: its resident copy (acquired: the caller releases it),
   * placed now on its first call, or undefined (per call).
   */
  async #resident(r1cs: R1cs, reserve: number): Promise<StructureCopy | undefined> {
    if (!this.#structures) return undefined;
    const slot = this.#structures.use(r1cs);
    const from = [r1cs.a, r1cs.b, r1cs.c];
    const placed = async (): Promise<StructureCopy | string> => {
      if (!slot.placing) {
        const p = this.#place(from, r1cs.numConstraints, reserve);
        slot.placing = p;
        p.then(
          (c) => {
            if (slot.placing === p) slot.state = typeof c === 'string' ? `per call: ${c}` : 'resident';
          },
          () => {
            if (slot.placing === p) slot.placing = undefined;
          },
        );
      }
      return slot.placing;
    };
    let copy = await placed();
    if (typeof copy !== 'string' && !copy.madeFrom(from)) {
      slot.free();
      copy = await placed();
    }
    return typeof copy !== 'string' && copy.acquire() ? copy : undefined;
  }

  /**
   * The matrices' buffers made and written, where they and `reserve` bytes beside them can be allocated;
   * otherwise why not (the caller then uploads per call).
   */
  async #place(mats: SparseMatrix[], rows: number, reserve: number): Promise<StructureCopy | string> {
    const { device, limits } = this.#gpu;
    const runs = mats.map((m) => this.#runs(m, rows));
    const tables = mats.map((m) => this.#coeffTable(m));
    const arrays = mats.map((m, k) => runs[k]!.map((run) => this.#runArrays(m, run)));
    const total = [...tables, ...arrays.flat(2)].reduce((t, a) => t + storageBytes(a.byteLength), 0);
    if (total + reserve > this.#maxResidentBytes)
      return `${total} bytes and a reserve of ${reserve} are over the ${this.#maxResidentBytes} allowed`;
    device.pushErrorScope('out-of-memory');
    const matrices = tables.map((t, k) => ({
      table: this.#buffer(t.byteLength),
      runs: arrays[k]!.map((run) => run.map((a) => this.#buffer(a.byteLength))),
    }));
    // the quotient's working set twice over must still be allocable: MSM scratch and the next
    // partition's vectors come after this
    const probe: GPUBuffer[] = [];
    const most = Math.floor(Math.min(limits.maxBufferSize, 2 ** 52) / 4) * 4;
    for (let left = reserve; left > 0; left -= most)
      probe.push(device.createBuffer({ size: Math.min(left, most), usage: USAGE.STORAGE }));
    const err = await device.popErrorScope();
    for (const b of probe) b.destroy();
    if (err) {
      matrices.forEach(destroyMatrix);
      const why = `${total} bytes do not fit beside a reserve of ${reserve} (${err.message})`;
      process.emitWarning(`WebGPU: an R1CS structure is uploaded per call: ${why}`);
      return why;
    }
    try {
      for (const [k, m] of matrices.entries()) {
        this.#write(m.table, 0, tables[k]!);
        for (const [i, bufs] of m.runs.entries()) {
          bufs.forEach((b, j) => this.#write(b, 0, arrays[k]![i]![j]!));
          // a run's writes done before the next's: Dawn stages each write in host memory until then,
          // and a 32GiB structure's are ~7.4 GB
          await submitChecked(device, device.createCommandEncoder());
        }
      }
    } catch (e) {
      matrices.forEach(destroyMatrix);
      throw e;
    }
    return new StructureCopy(mats, runs, matrices);
  }

  /** Where r1cs's matrices are kept: 'resident', 'per call: ' and why, 'none' (not placed, or dropped). */
  structureState(r1cs: R1cs): string | undefined {
    return this.#structures?.peek(r1cs)?.state;
  }

  /** A, B, C of every constraint, input constraints included (OracleKernels.evaluateR1cs's layout). */
  async evaluate(
    r1cs: R1cs,
    inputs: FrVector,
    aux: FrVector,
  ): Promise<{ a: FrVector; b: FrVector; c: FrVector }> {
    const total = (r1cs.numConstraints + r1cs.numInputs) * FR_BYTES;
    const [a, b, c] = [new Uint8Array(total), new Uint8Array(total), new Uint8Array(total)];
    await this.#evaluate(r1cs, inputs, aux, [a, b, c]);
    // the input constraints: A = input i, B = C = 0
    a.set(inputs, r1cs.numConstraints * FR_BYTES);
    return { a, b, c };
  }

  /**
   * The same values written into a quotient's device vectors (WebgpuNtt.quotientSpace of the constraints
   * and inputs, zeroed): A, B, C stay on the GPU for the quotient, not read back and uploaded again.
   */
  async evaluateInto(r1cs: R1cs, inputs: FrVector, aux: Scalars, q: QuotientSpace): Promise<void> {
    if (q.n !== r1cs.numConstraints + r1cs.numInputs)
      throw new RangeError(
        `evaluateInto: a quotient of ${q.n} values for ${r1cs.numConstraints} constraints and ${r1cs.numInputs} inputs`,
      );
    await this.#evaluate(r1cs, inputs, aux, [q.a, q.b, q.c]);
    writeVector(this.#gpu.device, q.a, r1cs.numConstraints, inputs);
  }

  async #evaluate(
    r1cs: R1cs,
    inputs: FrVector,
    aux: Scalars,
    into: [Uint8Array | DeviceVector, Uint8Array | DeviceVector, Uint8Array | DeviceVector],
  ): Promise<void> {
    const numVars = scalarCount(inputs, 'quotientR1cs inputs') + scalarCount(aux, 'quotientR1cs aux');
    // the witness's code, made in the pass that checks it canonical
    const code = await witnessCode(inputs, aux, 'quotientR1cs');
    for (const [name, m] of [
      ['A', r1cs.a],
      ['B', r1cs.b],
      ['C', r1cs.c],
    ] as const) {
      if (m.rowPtr.length !== r1cs.numConstraints + 1)
        throw new RangeError(
          `quotientR1cs: ${name} has ${m.rowPtr.length - 1} rows, the R1CS ${r1cs.numConstraints} constraints`,
        );
      // what the GPU must not read out of bounds, checked as the CPU backend checks it (on every core:
      // a JS loop over a 32GiB partition's terms took seconds), once per matrix and witness length: a
      // job's partitions share one structure
      if (checked.get(m) === numVars) continue;
      try {
        await loadAddon().checkCsr(m, numVars);
      } catch (e) {
        throw new RangeError(`quotientR1cs: ${name}: ${(e as Error).message}`, { cause: e });
      }
      checked.set(m, numVars);
    }
    const parts = this.#witnessParts(numVars);
    if (parts > this.maxWitnessParts)
      throw new RangeError(
        `quotientR1cs: a witness of ${numVars} variables needs ${parts} bindings, the adapter allows ${this.maxWitnessParts}`,
      );
    // the witness in parts of one binding each, expanded on the GPU from its code
    const part = this.bindingBytes / FR_BYTES;
    const witness = await this.#witness.parts(code, part);
    const n = r1cs.numConstraints;
    try {
      // the quotient's own memory (A, B, C over the domain and the witness), kept free twice over
      const m = domainSize(n + r1cs.numInputs);
      const copy = await this.#resident(r1cs, 2 * (3 * m + numVars) * FR_BYTES);
      try {
        const mats = [r1cs.a, r1cs.b, r1cs.c];
        for (let k = 0; k < 3; k++)
          await this.#rows(
            mats[k]!,
            copy?.runs[k] ?? this.#runs(mats[k]!, n),
            copy?.matrices[k],
            witness,
            part,
            into[k]!,
          );
      } finally {
        copy?.release();
      }
    } finally {
      for (const w of witness) w.destroy();
    }
  }
}
