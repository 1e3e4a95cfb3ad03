/// <reference types="@webgpu/types" />
/**
 * G1 and G2 point tables on the GPU and the MSM over them (shaders/msm-common.wgsl and the point kernels of
 * the form point-form.ts picks: msm-registers.wgsl on a GPU, msm.wgsl's slot form on llvmpipe), one
 * instance a group.
 *
 * A table is affine Montgomery points in GPU buffers of at most `bufferPoints` points each (what one storage
 * binding and one buffer may hold), kept on the GPU between proofs; a table the GPU has no memory for is
 * streamed (its words on the host, a buffer's worth put on the GPU by each MSM). An MSM is split by buffer
 * and each part is independent. Within a part, as supraseal splits a PoRep witness: the bases of scalars 1
 * are summed by levels of chunked additions (#sumRuns), scalars 0 are dropped, and the rest go through
 * Pippenger with signed digits, all on the GPU in one submission: digits and bucket sizes (scalar_digits),
 * the bucket offsets as a scan of the sizes (scan_blocks, scan_add), a counting sort into buckets
 * (bucket_scatter), the buckets' points summed in chunks of at most `chunk` points a thread and the chunks
 * summed level by level (sum_entries, sum_partials: skewed scalars that fill one bucket cost levels, not
 * one long thread), the windows' running-sum reductions in segments of at most `segment` buckets a thread
 * (window_segments; the segments summed by sum_partials). Only the window sums come back: their Horner
 * combination (c doublings each) and the parts' sum are blst's on the host (sumPow2: a few hundred
 * doublings, well under a millisecond, and the result checked in the group).
 *
 * The 0/1 split and the density walk run on the host (msm-parts.ts: native/src/split.rs on every core; a
 * dense vector goes up as it is; of a PoRep witness the ones go up as a bitmap, compacted into their bases
 * on the GPU by bits_count and bits_scatter, and the rest's scalars gathered: a bit a one and 36 bytes a
 * rest instead of 32 bytes a scalar). A dense MSM's scalars may also be on the GPU already (msmVector: the
 * quotient's H). Known limits, for a GPU session to lift: the formulas are complete projective ones, not
 * batch-affine or XYZZ; the window width, chunk and segment sizes are guesses (windowBits, CHUNK, SEGMENT)
 * until a GPU measures them (bench/webgpu.ts --sweep).
 */
import {
  type DeviceVector,
  type GpuContext,
  USAGE,
  compileModule,
  copyFromVector,
  readBuffer,
  readBuffers,
  submitChecked,
} from './device.ts';
import { UNCOMPRESSED_BYTES, affineWords, projectiveWords } from './curve-points.ts';
import { type OnesBits, type Part, type VectorSlice, msmParts, vectorParts } from './msm-parts.ts';
import { type PointKernels, pointKernels, pointModule } from './point-form.ts';
import { type Scalars, scalarCount } from '../../shared/compact-witness.ts';
import type { Group, PointTable } from '../backend.ts';
import { cpuBackend } from '../borrow.ts';
import { loadAddon } from '../cpu/index.ts';

/** Workgroup size of the kernels without point arithmetic (no register file to fit). */
const PLAIN_GROUP = 64;
/** Points a thread sums at most (sum_entries, sum_partials); see #sumRuns. */
const CHUNK = 64;
/** Buckets a thread reduces at most in window_segments. */
const SEGMENT = 64;
/**
 * llvmpipe ends any loop after 65535 iterations of the loops inside it, silently (gallivm's loop limiter,
 * LP_MAX_TGSI_LOOP_ITERATIONS): a thread's loop of interpreter steps, with the multiplication's outer limb
 * loop counted inside, stops after about 200 G1 or 50 G2 additions and leaves a wrong sum. Measured with
 * chains of additions (wrong from ~200 in G1, ~45 in G2); on a software adapter a thread makes at most
 * these many additions a dispatch.
 */
const SOFTWARE_MAX_ADDS: Record<Group, number> = { g1: 96, g2: 24 };

/** The MSM module's entry points, and those that do point arithmetic (run in the form's workgroups). */
export const MSM_ENTRIES = [
  'to_montgomery',
  'bits_count',
  'bits_scatter',
  'scalar_digits',
  'scan_blocks',
  'scan_add',
  'bucket_scatter',
  'sum_entries',
  'sum_partials',
  'window_segments',
] as const;
type Entry = (typeof MSM_ENTRIES)[number];

const POINT_KERNELS: ReadonlySet<Entry> = new Set([
  'to_montgomery',
  'sum_entries',
  'sum_partials',
  'window_segments',
]);

/** The shader files of each form's MSM module, in order. */
export const MSM_FILES = {
  slots: ['msm-common.wgsl', 'msm.wgsl'],
  registers: ['msm-common.wgsl', 'msm-registers.wgsl'],
};

/** Values a block of scan_blocks scans (64 threads, 4 each). */
const SCAN_BLOCK = 256;

interface Params {
  /** The kernel's item count; the dispatch's thread count unless given. */
  count?: number;
  windows?: number;
  bits?: number;
  buckets?: number;
  base?: number;
  segment?: number;
  segments?: number;
  chunk?: number;
  runs?: number;
  /** bucket_scatter: scalar i's base is base + i (a dense MSM), not base + idx[i]. */
  direct?: boolean;
  /** bits_count, bits_scatter: the part's first bit in the first word, and its bit count. */
  shift?: number;
  nbits?: number;
}

/** One kernel's dispatch over `threads` threads with its parameters and buffers (binding number: buffer). */
interface Dispatch {
  entry: Entry;
  threads: number;
  params: Params;
  bind: Partial<Record<number, GPUBuffer>>;
}

/**
 * One submission in the making: its dispatches, the buffers to free once it is done, and the projective
 * sums it leaves (a buffer's first exps.length points, point i to be counted 2^exps[i] times).
 */
interface Recording {
  d: Dispatch[];
  temp: GPUBuffer[];
  sums: { buffer: GPUBuffer; exps: number[] }[];
  /** Copies on the GPU, recorded before the dispatches (scalars taken from a device vector). */
  copies: ((enc: GPUCommandEncoder) => void)[];
}

/** Binding numbers of msm-common.wgsl. */
const B = {
  table: 1,
  raw: 2,
  scalars: 3,
  idx: 4,
  digits: 5,
  cursor: 6,
  entries: 7,
  offsets: 8,
  sumsIn: 9,
  sumsOut: 10,
  tableOut: 11,
  starts: 12,
  scanOut: 13,
  scanSums: 14,
} as const;

/**
 * A table resident on the GPU (buffer k holds points k * perBuffer ..), or, where the GPU could not hold
 * it, streamed: its points' encodings kept on the host a buffer's worth at a time and put on the GPU by
 * each MSM that reads them.
 */
export class GpuTable implements PointTable {
  readonly group: Group;
  length = 0;
  readonly capacity: number;
  /** Resident: one buffer per perBuffer points, made at the first append. */
  readonly buffers: GPUBuffer[] = [];
  /** Streamed: the uncompressed encodings (as words) of perBuffer points each. */
  readonly host: Uint32Array[] = [];
  streamed: boolean;
  /** Whether the first append has decided between resident and streamed. */
  placed = false;
  readonly perBuffer: number;
  constructor(group: Group, capacity: number, perBuffer: number, streamed: boolean) {
    this.group = group;
    this.capacity = capacity;
    this.perBuffer = perBuffer;
    this.streamed = streamed;
  }
}

/** Window width c for m scalars: the bucket count grows with m (2^(c-1) buckets a window). */
export function windowBits(m: number): number {
  return Math.max(3, Math.min(16, Math.floor(Math.log2(Math.max(m, 1))) - 1));
}

export interface MsmOptions {
  /** Points per table buffer; defaults to what the adapter's limits allow (tests lower it). */
  bufferPoints?: number;
  /** Points a thread sums at most before the sum goes a level up (tests lower it). */
  chunk?: number;
  /** Buckets a thread reduces at most in the window sums (tests lower it). */
  segment?: number;
  /** The window width c of every MSM; by default windowBits of its size (the benchmark sweeps it). */
  windowBits?: number;
  /** Scalars a Pippenger batch takes at most; by default what one binding holds (tests lower it). */
  batch?: number;
  /** Streams every table (tests); otherwise only a table the GPU has no memory for is streamed. */
  stream?: boolean;
  /** The point kernels' form; defaults to pointKernels' choice for the adapter. */
  points?: PointKernels;
}

export class CurveMsm {
  readonly group: Group;
  readonly #gpu: GpuContext;
  readonly #module: GPUShaderModule;
  readonly #group: number;
  readonly #pipelines: Map<Entry, Promise<GPUComputePipeline>>;
  readonly #options: MsmOptions;
  readonly bufferPoints: number;
  readonly chunk: number;
  readonly segment: number;
  readonly windowBits: number | undefined;
  readonly batch: number;
  /** Point additions one thread may make in one dispatch (llvmpipe's loop limit; no limit on a GPU). */
  readonly maxAdds: number;
  readonly stream: boolean;
  /** Bytes one storage binding may span. */
  readonly #maxBinding: number;

  readonly #affineBytes: number;
  readonly #projectiveBytes: number;

  private constructor(
    gpu: GpuContext,
    group: Group,
    module: GPUShaderModule,
    workgroup: number,
    options: MsmOptions,
    pipelines = new Map<Entry, Promise<GPUComputePipeline>>(),
  ) {
    this.#gpu = gpu;
    this.#options = options;
    this.#pipelines = pipelines;
    this.group = group;
    this.#module = module;
    this.#group = workgroup;
    this.#affineBytes = affineWords(group) * 4;
    this.#projectiveBytes = projectiveWords(group) * 4;
    this.#maxBinding = Math.min(gpu.limits.maxStorageBufferBindingSize, gpu.limits.maxBufferSize);
    this.maxAdds = gpu.software ? SOFTWARE_MAX_ADDS[group] : Infinity;
    // a chunk of 1 would never shorten a run
    this.chunk = Math.max(2, Math.min(options.chunk ?? CHUNK, this.maxAdds));
    this.segment = Math.max(1, options.segment ?? SEGMENT);
    if (options.windowBits !== undefined && !(options.windowBits >= 2 && options.windowBits <= 16))
      throw new RangeError(`windowBits must be 2..16, got ${options.windowBits}`);
    this.windowBits = options.windowBits;
    this.batch = Math.max(1, options.batch ?? Infinity);
    this.stream = options.stream ?? false;
    this.bufferPoints = Math.max(
      1,
      Math.min(options.bufferPoints ?? Infinity, Math.floor(this.#maxBinding / this.#affineBytes)),
    );
  }

  static async create(gpu: GpuContext, group: Group, options: MsmOptions = {}): Promise<CurveMsm> {
    const points = options.points ?? pointKernels(gpu.software);
    const { code, workgroup } = pointModule(group, points, gpu.limits, MSM_FILES);
    return new CurveMsm(gpu, group, await compileModule(gpu.device, code), workgroup, options);
  }

  /**
   * The same kernels (module and pipelines shared, nothing compiled again) with other chunk, segment and
   * window sizes: what the benchmark sweeps. Tables of either serve both.
   */
  tuned(options: Pick<MsmOptions, 'chunk' | 'segment' | 'windowBits'>): CurveMsm {
    return new CurveMsm(
      this.#gpu,
      this.group,
      this.#module,
      this.#group,
      { ...this.#options, ...options },
      this.#pipelines,
    );
  }

  /** Compiles (once) and returns an entry point's pipeline. */
  pipeline(entry: Entry): Promise<GPUComputePipeline> {
    let p = this.#pipelines.get(entry);
    if (!p) {
      p = this.#gpu.device.createComputePipelineAsync({
        layout: 'auto',
        compute: { module: this.#module, entryPoint: entry },
      });
      this.#pipelines.set(entry, p);
    }
    return p;
  }

  #buffer(size: number, usage = 0): GPUBuffer {
    return this.#gpu.device.createBuffer({
      size: Math.max(16, Math.ceil(size / 4) * 4),
      usage: USAGE.STORAGE | USAGE.COPY_DST | USAGE.COPY_SRC | usage,
    });
  }

  #upload(words: Uint32Array): GPUBuffer {
    const b = this.#buffer(words.byteLength);
    if (words.length) this.#gpu.device.queue.writeBuffer(b, 0, words);
    return b;
  }

  /** Runs one kernel over `threads` threads and waits for it. */
  #run(entry: Entry, threads: number, params: Params, bind: Dispatch['bind']): Promise<void> {
    return this.#submit([{ entry, threads, params, bind }], []);
  }

  /**
   * Records the dispatches in one compute pass, in order (WebGPU makes each see the writes of those before),
   * submits it and waits: an MSM's steps from the digits to the window sums are one submission, with no
   * read-back and no host work between them.
   */
  async #submit(dispatches: readonly Dispatch[], copies: Recording['copies']): Promise<void> {
    const { device, limits } = this.#gpu;
    const uniforms: GPUBuffer[] = [];
    const enc = device.createCommandEncoder();
    for (const copy of copies) copy(enc);
    const pass = enc.beginComputePass();
    try {
      for (const { entry, threads, params, bind } of dispatches) {
        if (threads === 0) continue;
        const wg = POINT_KERNELS.has(entry) ? this.#group : PLAIN_GROUP;
        const groups = Math.ceil(threads / wg);
        const x = Math.min(groups, limits.maxComputeWorkgroupsPerDimension);
        const y = Math.ceil(groups / x);
        const uni = device.createBuffer({ size: 64, usage: USAGE.UNIFORM | USAGE.COPY_DST });
        uniforms.push(uni);
        device.queue.writeBuffer(
          uni,
          0,
          new Uint32Array([
            params.count ?? threads,
            x * wg,
            params.windows ?? 0,
            params.bits ?? 0,
            params.buckets ?? 0,
            params.segment ?? 0,
            params.segments ?? 0,
            params.base ?? 0,
            params.chunk ?? 0,
            params.runs ?? 0,
            params.direct ? 1 : 0,
            params.shift ?? 0,
            params.nbits ?? 0,
          ]),
        );
        const pipeline = await this.pipeline(entry);
        const entries: GPUBindGroupEntry[] = [{ binding: 0, resource: { buffer: uni } }];
        for (const [binding, buffer] of Object.entries(bind))
          entries.push({ binding: Number(binding), resource: { buffer: buffer! } });
        pass.setPipeline(pipeline);
        pass.setBindGroup(0, device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries }));
        pass.dispatchWorkgroups(x, y);
      }
      pass.end();
      await submitChecked(device, enc);
    } finally {
      for (const u of uniforms) u.destroy();
    }
  }

  async #read(buffer: GPUBuffer, bytes: number): Promise<Uint32Array> {
    const b = await readBuffer(this.#gpu.device, buffer, bytes);
    return new Uint32Array(b.buffer, b.byteOffset, b.length / 4);
  }

  newTable(capacity: number): GpuTable {
    return new GpuTable(this.group, capacity, this.bufferPoints, this.stream);
  }

  freeTable(table: GpuTable): void {
    for (const b of table.buffers) b.destroy();
    table.buffers.length = 0;
    table.host.length = 0;
  }

  /**
   * Makes a table's buffers at its first append, resident where the GPU has the memory; where it has not
   * (an out-of-memory error), the table is streamed instead. WebGPU does not tell how much memory there
   * is, so trying is how to know.
   */
  async #place(table: GpuTable): Promise<void> {
    if (table.placed) return;
    table.placed = true;
    if (table.streamed) return;
    const { device } = this.#gpu;
    device.pushErrorScope('out-of-memory');
    for (let at = 0; at < table.capacity; at += table.perBuffer)
      table.buffers.push(this.#buffer(Math.min(table.perBuffer, table.capacity - at) * this.#affineBytes));
    const err = await device.popErrorScope();
    if (err) {
      for (const b of table.buffers) b.destroy();
      table.buffers.length = 0;
      table.streamed = true;
      process.emitWarning(
        `WebGPU: a ${this.group} table of ${table.capacity} points does not fit on the GPU (${err.message}); streamed per MSM`,
      );
    }
  }

  /** Table buffer k for an MSM: the resident one, or the host words uploaded and converted now. */
  async #chunk(table: GpuTable, k: number): Promise<{ buffer: GPUBuffer; scratch: boolean }> {
    if (!table.streamed) return { buffer: table.buffers[k]!, scratch: false };
    const words = table.host[k]!;
    const count = Math.min(table.perBuffer, table.length - k * table.perBuffer);
    const buffer = this.#buffer(count * this.#affineBytes);
    const raw = this.#upload(words.subarray(0, count * affineWords(this.group)));
    await this.#run('to_montgomery', count, { base: 0 }, { [B.raw]: raw, [B.tableOut]: buffer });
    raw.destroy();
    return { buffer, scratch: true };
  }

  /**
   * Appends uncompressed points: their encodings uploaded as they are and read into Montgomery form by the
   * GPU (to_montgomery: no conversion on the host, whose loop over a 2^20 table took ~0.2 s). With
   * `validate` they are first checked by the CPU backend's blst (on the curve, in the subgroup; its error
   * names the bad point's index in `bytes`).
   */
  async appendPoints(table: GpuTable, bytes: Uint8Array, validate: boolean): Promise<void> {
    const size = UNCOMPRESSED_BYTES[this.group];
    if (bytes.length % size !== 0)
      throw new RangeError(`${bytes.length} bytes is not a whole number of ${this.group} points`);
    const n = bytes.length / size;
    if (table.length + n > table.capacity)
      throw new RangeError(`${n} points overflow the table (${table.length} of ${table.capacity})`);
    if (validate) {
      const cpu = cpuBackend();
      const t = cpu.newTable(this.group, n);
      try {
        await cpu.appendPoints(t, bytes, true);
      } finally {
        cpu.freeTable(t);
      }
    }
    // the encodings as they are (the GPU reads them: to_montgomery), as words
    const words =
      bytes.byteOffset % 4
        ? new Uint32Array(bytes.slice().buffer)
        : new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
    const per = affineWords(this.group);
    await this.#place(table);
    let done = 0;
    while (done < n) {
      const at = table.length + done;
      const k = Math.floor(at / table.perBuffer);
      const base = at - k * table.perBuffer;
      const count = Math.min(n - done, table.perBuffer - base);
      const piece = words.subarray(done * per, (done + count) * per);
      if (table.streamed) {
        table.host[k] ??= new Uint32Array(
          Math.min(table.perBuffer, table.capacity - k * table.perBuffer) * per,
        );
        table.host[k].set(piece, base * per);
      } else {
        const raw = this.#upload(piece);
        await this.#run('to_montgomery', count, { base }, { [B.raw]: raw, [B.tableOut]: table.buffers[k]! });
        raw.destroy();
      }
      done += count;
    }
    table.length += n;
  }

  /** The backend's msm (see PointKernels.msm). */
  async msm(table: GpuTable, start: number, scalars: Scalars, density?: Uint8Array): Promise<Uint8Array> {
    const n = scalarCount(scalars, 'msm scalars');
    if (density && density.length < n)
      throw new RangeError(`density map of ${density.length} bytes for ${n} scalars`);
    // the caller's map itself where it fits (the prover's always does): a split is shared by it
    const map = density && density.length > n ? density.subarray(0, n) : density;
    return this.#sumParts(table, await msmParts(scalars, map, start, table));
  }

  /**
   * sum v[i] * table[start + i] for i < n, the scalars a device vector's first n elements (canonical: the
   * quotient's H, WebgpuNtt.quotientOnDevice), read where they are: a dense MSM with nothing on the host.
   */
  async msmVector(table: GpuTable, start: number, v: DeviceVector, n: number): Promise<Uint8Array> {
    if (!Number.isInteger(n) || n < 0 || n > v.buffers.length * v.per)
      throw new RangeError(`msmVector: ${n} scalars of a vector of ${v.buffers.length * v.per}`);
    if (start + n > table.length)
      throw new RangeError(`msm reads bases ${start}..${start + n} of a table of ${table.length}`);
    return this.#sumParts(table, vectorParts(v, n, start, table.perBuffer));
  }

  async #sumParts(table: GpuTable, parts: Part[]): Promise<Uint8Array> {
    // the parts' projective sums, each to be counted 2^exp times (a window w of c bits: w * c)
    const sums: Uint8Array[] = [];
    const exps: number[] = [];
    for (const part of parts) {
      // a part is one submission and one read: its table buffer (streamed: put on the GPU for it) is
      // the only one it holds
      const rec: Recording = { d: [], temp: [], sums: [], copies: [] };
      const { buffer, scratch } = await this.#chunk(table, part.buffer);
      try {
        if (part.ones?.count) this.#recordOnes(rec, buffer, part.ones);
        await this.#recordPippenger(rec, buffer, part.points, part.scalars);
        if (rec.sums.length === 0) continue;
        await this.#flush(rec);
        const bytes = this.#projectiveBytes;
        sums.push(
          await readBuffers(
            this.#gpu.device,
            rec.sums.map((s) => ({ buffer: s.buffer, size: s.exps.length * bytes })),
          ),
        );
        exps.push(...rec.sums.flatMap((s) => s.exps));
      } finally {
        for (const t of rec.temp) t.destroy();
        if (scratch) buffer.destroy();
      }
    }
    return this.#combine(sums, exps);
  }

  /**
   * Submits what `rec` holds and waits, then frees its buffers but those of its sums, which stay for the
   * read: a part of many batches holds one batch's buffers at a time.
   */
  async #flush(rec: Recording): Promise<void> {
    await this.#submit(rec.d, rec.copies);
    rec.d.length = 0;
    rec.copies.length = 0;
    const keep = new Set(rec.sums.map((s) => s.buffer));
    for (const b of rec.temp) if (!keep.has(b)) b.destroy();
    rec.temp = [...keep];
  }

  /** sum of 2^exps[i] * P_i by blst on the host (P_i the points of `sums`, in order): well under 1 ms. */
  #combine(sums: Uint8Array[], exps: number[]): Uint8Array {
    const bytes = new Uint8Array(sums.reduce((n, s) => n + s.length, 0));
    let at = 0;
    for (const s of sums) {
      bytes.set(s, at);
      at += s.length;
    }
    try {
      return loadAddon().sumPow2(this.group, bytes, Uint32Array.from(exps));
    } catch (e) {
      throw new Error(`WebGPU ${this.group} MSM: ${(e as Error).message}`, { cause: e });
    }
  }

  #recordBuffer(rec: Recording, size: number): GPUBuffer {
    const b = this.#buffer(size);
    rec.temp.push(b);
    return b;
  }

  #recordUpload(rec: Recording, words: Uint32Array): GPUBuffer {
    const b = this.#upload(words);
    rec.temp.push(b);
    return b;
  }

  /** A batch's m scalars in a buffer of rec's: uploaded, or copied on the GPU from a device vector. */
  #recordScalars(rec: Recording, scalars: Uint32Array | VectorSlice, m: number): GPUBuffer {
    if (scalars instanceof Uint32Array) return this.#recordUpload(rec, scalars);
    const b = this.#recordBuffer(rec, m * 32);
    rec.copies.push((enc) => copyFromVector(enc, scalars.vector, scalars.from, m, b));
    return b;
  }

  /**
   * Records the sum of the bases of a part's scalars 1: its bits of the split's bitmap uploaded (a bit a
   * one), compacted into their bases on the GPU (bits_count, a scan, bits_scatter), then one run of
   * #sumRuns, sized by the part's bit count (the ones are at most that many).
   */
  #recordOnes(rec: Recording, table: GPUBuffer, { bits, from, count, base }: OnesBits): void {
    const words = Math.ceil(count / 32);
    const first = Math.floor(from / 32);
    // the part's words and the one after, whose low bits the last word takes (zero past the bitmap)
    const own = this.#recordBuffer(rec, (words + 1) * 4);
    const piece = bits.subarray(first, Math.min(bits.length, first + words + 1));
    this.#gpu.device.queue.writeBuffer(own, 0, piece);
    const p = { shift: from % 32, nbits: count, base };
    const counts = this.#recordBuffer(rec, (words + 1) * 4);
    rec.d.push({
      entry: 'bits_count',
      threads: words + 1,
      params: p,
      bind: { [B.idx]: own, [B.scanOut]: counts },
    });
    const offsets = this.#recordBuffer(rec, (words + 1) * 4);
    this.#scan(rec, counts, words + 1, 0, offsets);
    const entries = this.#recordBuffer(rec, count * 4);
    const run = this.#recordBuffer(rec, 8);
    rec.d.push({
      entry: 'bits_scatter',
      threads: words,
      params: p,
      bind: { [B.idx]: own, [B.offsets]: offsets, [B.entries]: entries, [B.scanOut]: run },
    });
    const sum = this.#sumRuns(rec, { table, entries }, run, { runs: 1, items: count, longest: count });
    rec.sums.push({ buffer: sum, exps: [0] });
  }

  /**
   * Records the sums of runs of items, run r the items offsets[r] .. offsets[r + 1] (a bucket's entries, the
   * 0/1 scalars' bases, a window's segment sums), and returns the buffer (one of rec's) that will hold run
   * r's projective sum at r. Level by level: each run cut in chunks of at most `chunk` items, a thread a chunk (sum_entries
   * on table points through entries, sum_partials on sums), the chunks' starts a scan of their counts on
   * the GPU, and a level's chunk sums the next level's items, until every run is one chunk: a run that
   * skewed scalars make long costs levels, not one long thread. The host knows only bounds (runs, items,
   * the longest run): a level's dispatch is sized by them and its threads past the last chunk do nothing.
   */
  #sumRuns(
    rec: Recording,
    source: { table: GPUBuffer; entries: GPUBuffer } | { partials: GPUBuffer },
    offsets: GPUBuffer,
    { runs, items, longest }: { runs: number; items: number; longest: number },
  ): GPUBuffer {
    const chunk = this.chunk;
    let input = 'table' in source ? source.entries : source.partials;
    for (let level = 0; ; level++) {
      const starts = this.#recordBuffer(rec, (runs + 1) * 4);
      this.#scan(rec, offsets, runs + 1, chunk, starts);
      // every run has a chunk, and at most ceil(items / chunk) more than one
      const bound = runs + Math.ceil(items / chunk);
      const out = this.#recordBuffer(rec, bound * this.#projectiveBytes);
      const p = { chunk, runs };
      const bind: Dispatch['bind'] = { [B.offsets]: offsets, [B.starts]: starts, [B.sumsOut]: out };
      if (level === 0 && 'table' in source)
        rec.d.push({
          entry: 'sum_entries',
          threads: bound,
          params: p,
          bind: { ...bind, [B.table]: source.table, [B.entries]: input },
        });
      else
        rec.d.push({
          entry: 'sum_partials',
          threads: bound,
          params: p,
          bind: { ...bind, [B.sumsIn]: input },
        });
      // one chunk a run: chunk r is run r, and out the runs' sums
      if (longest <= chunk) return out;
      longest = Math.ceil(longest / chunk);
      items = bound;
      input = out;
      offsets = starts;
    }
  }

  /**
   * The GPU scan #sumRuns and the bucket offsets use, on its own (tests): the exclusive scan of `values`
   * (chunk 0), or, with chunk > 0, of the chunk counts of the runs values[i] .. values[i + 1] (0 last).
   */
  async scan(values: Uint32Array, chunk = 0): Promise<Uint32Array> {
    const rec: Recording = { d: [], temp: [], sums: [], copies: [] };
    try {
      const out = this.#recordBuffer(rec, values.byteLength);
      this.#scan(rec, this.#recordUpload(rec, values), values.length, chunk, out);
      await this.#submit(rec.d, rec.copies);
      return await this.#read(out, values.byteLength);
    } finally {
      for (const b of rec.temp) b.destroy();
    }
  }

  /**
   * Records the exclusive scan of n values into out (n words): offsets[i] (chunk 0) or run i's chunk count
   * (the last value 0, so that out[n - 1] is the total). A level of scan_blocks, the block totals scanned
   * the same way, and scan_add: log_256 n levels.
   */
  #scan(rec: Recording, input: GPUBuffer, n: number, chunk: number, out: GPUBuffer): void {
    const blocks = Math.ceil(n / SCAN_BLOCK);
    const sums = this.#recordBuffer(rec, blocks * 4);
    rec.d.push({
      entry: 'scan_blocks',
      threads: blocks * PLAIN_GROUP,
      params: { count: n, chunk },
      bind: { [B.offsets]: input, [B.scanOut]: out, [B.scanSums]: sums },
    });
    if (blocks === 1) return;
    const scanned = this.#recordBuffer(rec, blocks * 4);
    this.#scan(rec, sums, blocks, 0, scanned);
    rec.d.push({
      entry: 'scan_add',
      threads: n,
      params: {},
      bind: { [B.scanOut]: out, [B.scanSums]: scanned },
    });
  }

  /**
   * Records sum scalar k * table[base + idx[k]] (or base + k) by Pippenger with signed digits (scalars 8
   * words each, in idx's order): its window sums, window w to be counted 2^(w c) times. Batches of at most `batch` scalars, each
   * but the last submitted before the next is recorded.
   */
  async #recordPippenger(
    rec: Recording,
    table: GPUBuffer,
    points: Part['points'],
    scalars: Part['scalars'],
  ): Promise<void> {
    const m = 'idx' in points ? points.idx.length : points.count;
    if (m === 0) return;
    // on llvmpipe narrow windows, so that a segment's lo * R (2 (c - 1) additions) fits a thread's budget
    const c = Math.min(this.windowBits ?? windowBits(m), this.maxAdds === Infinity ? 16 : 8);
    // c * windows >= 256 bits, so the top digit (scalars < r < 2^255) takes no carry out
    const windows = Math.floor(255 / c) + 1;
    const buckets = (1 << (c - 1)) + 1;
    // batches keep within one binding the digits and entries (windows * batch words) and the bucket sums'
    // first level (a projective point a chunk: every bucket's, and windows * batch / chunk more)
    const nb = windows * buckets;
    const level = Math.floor(
      ((Math.floor(this.#maxBinding / this.#projectiveBytes) - nb - 1) * this.chunk) / windows,
    );
    const batch = Math.max(1, Math.min(this.batch, Math.floor(this.#maxBinding / (4 * windows)), level));
    for (let lo = 0; lo < m; lo += batch) {
      const hi = Math.min(m, lo + batch);
      const sums = this.#recordBatch(
        rec,
        table,
        'idx' in points
          ? { idx: points.idx.subarray(lo, hi), base: points.base }
          : { base: points.base + lo, count: hi - lo },
        scalars instanceof Uint32Array
          ? scalars.subarray(8 * lo, 8 * hi)
          : { vector: scalars.vector, from: scalars.from + lo },
        c,
        windows,
        buckets,
      );
      rec.sums.push({ buffer: sums, exps: Array.from({ length: windows }, (_, w) => w * c) });
      // the next batch's buffers in place of this one's
      if (hi < m) await this.#flush(rec);
    }
  }

  /** Records one batch of #recordPippenger; returns the buffer its window sums will be in. */
  #recordBatch(
    rec: Recording,
    table: GPUBuffer,
    points: Part['points'],
    scalarWords: Uint32Array | VectorSlice,
    c: number,
    windows: number,
    buckets: number,
  ): GPUBuffer {
    const listed = 'idx' in points;
    const m = listed ? points.idx.length : points.count;
    const p = { windows, bits: c, buckets };
    const scalars = this.#recordScalars(rec, scalarWords, m);
    const nb = windows * buckets;
    const digits = this.#recordBuffer(rec, windows * m * 4);
    // the bucket sizes, and a last word 0: their scan ends with the total
    const cursor = this.#recordBuffer(rec, (nb + 1) * 4);
    const offsets = this.#recordBuffer(rec, (nb + 1) * 4);
    // at most one entry a scalar a window
    const entries = this.#recordBuffer(rec, windows * m * 4);
    rec.d.push({
      entry: 'scalar_digits',
      threads: m,
      params: p,
      bind: { [B.scalars]: scalars, [B.digits]: digits, [B.cursor]: cursor },
    });
    this.#scan(rec, cursor, nb + 1, 0, offsets);
    rec.d.push({
      entry: 'bucket_scatter',
      threads: m,
      params: { ...p, direct: !listed, base: points.base },
      bind: {
        // a dense MSM's kernel reads no list, but its binding needs a buffer
        [B.idx]: this.#recordUpload(rec, listed ? points.idx : new Uint32Array(4)),
        [B.digits]: digits,
        [B.cursor]: cursor,
        [B.offsets]: offsets,
        [B.entries]: entries,
      },
    });
    const bucketSums = this.#sumRuns(rec, { table, entries }, offsets, {
      runs: nb,
      items: windows * m,
      longest: m,
    });
    // a window's buckets in segments of `segment`, one thread each, then the segments summed
    const top = buckets - 1;
    // a thread adds 2 segment + 2 (c - 1) + 1 times: kept within its budget
    const budget = Math.floor((this.maxAdds - 2 * (c - 1) - 1) / 2);
    const segment = Math.max(1, Math.min(this.segment, top, budget));
    const segments = Math.ceil(top / segment);
    const parts = this.#recordBuffer(rec, windows * segments * this.#projectiveBytes);
    rec.d.push({
      entry: 'window_segments',
      threads: windows * segments,
      params: { ...p, segment, segments },
      bind: { [B.sumsIn]: bucketSums, [B.sumsOut]: parts },
    });
    const windowStarts = this.#recordUpload(
      rec,
      Uint32Array.from({ length: windows + 1 }, (_, w) => w * segments),
    );
    return this.#sumRuns(rec, { partials: parts }, windowStarts, {
      runs: windows,
      items: windows * segments,
      longest: segments,
    });
  }
}
