/// <reference types="@webgpu/types" />
/**
 * The radix-2 NTT on WebGPU with the CPU backend's conventions (native/src/ntt.rs, bellperson's
 * EvaluationDomain): omega = ROOT_OF_UNITY^(2^(32 - log m)), ROOT_OF_UNITY = 7^((r - 1) / 2^32); the
 * inverse uses omega^-1 and scales by 1/m. Values stay canonical on the device; twiddles (made on the
 * device from log m squares) and the scale are in Montgomery form (shaders/field.wgsl as Fr).
 *
 * A vector larger than one storage binding (a 32GiB partition's 2^27 domain is 4 GiB) is split into parts
 * of what one binding holds (`partSize`), up to part^2 elements: the bit reversal moves elements part to
 * part, stages within a part run per part, stages across parts pair two parts per dispatch, and the
 * twiddles come from two tables (low and high powers: n / 2 of them may not fit one binding either).
 */
import {
  type DeviceVector,
  type GpuContext,
  USAGE,
  compileModule,
  freeVector,
  readBuffer,
  submitChecked,
  writeVector,
} from './device.ts';
import { type FieldLayout, fieldSource, montgomeryR, wgsl } from './shaders.ts';
import { FR_BYTES, FR_MODULUS, frInv, frPow, frToBytes, mod } from '../../shared/fr.ts';
import type { FrVector } from '../../shared/fr-vector.ts';
import { domainSize } from '../../shared/r1cs.ts';
import type { NttDirection } from '../backend.ts';
import { loadAddon } from '../cpu/index.ts';

const WORKGROUP = 64;
const TWO_ADICITY = 32;
const GENERATOR = 7n;
/** bellperson's primitive 2^logM-th root of unity. */
export function omega(logM: number): bigint {
  const root = frPow(GENERATOR, (FR_MODULUS - 1n) >> BigInt(TWO_ADICITY));
  return frPow(root, 1n << BigInt(TWO_ADICITY - logM));
}

/**
 * Rejects with a RangeError naming the first scalar of `values` not below r: the addon's check, on every
 * core (a JS loop took ~0.5 s over a 2^27 vector, three of them for a partition's quotient).
 */
export async function checkCanonical(values: FrVector, what: string): Promise<void> {
  try {
    await loadAddon().checkFr(values, what);
  } catch (e) {
    throw new RangeError((e as Error).message, { cause: e });
  }
}

/** Params of ntt.wgsl: 8 u32 then the Montgomery factor (8 u32), one per dispatch. */
const PARAMS_BYTES = 64;

type Entry =
  | 'bit_reverse'
  | 'butterfly'
  | 'scale'
  | 'coset_scale'
  | 'pointwise'
  | 'powers'
  | 'bit_reverse_part'
  | 'butterfly_part'
  | 'butterfly_cross';

const ENTRIES: readonly Entry[] = [
  'bit_reverse',
  'butterfly',
  'scale',
  'coset_scale',
  'pointwise',
  'powers',
  'bit_reverse_part',
  'butterfly_part',
  'butterfly_cross',
];

/** A vector on the device: one buffer, or parts of `part` elements each (above one binding). */
type Vec = GPUBuffer[];

/** A quotient's inputs on the device (WebgpuNtt.quotientSpace): n values, domain m = 2^logM. */
export interface QuotientSpace {
  n: number;
  m: number;
  logM: number;
  a: DeviceVector;
  b: DeviceVector;
  c: DeviceVector;
}

/** The twiddles of a split transform: tw[t] = lo[t mod L] * hi[t / L], L = 2^logL. */
interface SplitTwiddles {
  lo: GPUBuffer;
  hi: GPUBuffer;
  logL: number;
}

interface Step {
  entry: Entry;
  x: number;
  y: number;
  slot: number;
  /** buffers by binding (0 data, 2 src, 3 tw, 4 data_hi, 5 tw_hi): each entry point binds only what it uses */
  bind: Partial<Record<0 | 2 | 3 | 4 | 5, GPUBuffer>>;
}

/** Dispatches with their params, recorded first so that one uniform buffer holds every dispatch's. */
class Plan {
  readonly steps: Step[] = [];
  readonly #params: number[][] = [];
  readonly #limits: GPUSupportedLimits;
  /** The field layout's R mod r. */
  readonly #r: bigint;
  constructor(limits: GPUSupportedLimits, r: bigint) {
    this.#limits = limits;
    this.#r = r;
  }

  /** `factor` goes to the kernel in Montgomery form. */
  add(
    entry: Entry,
    count: number,
    f: {
      logN: number;
      logH?: number;
      stride?: number;
      factor?: bigint;
      offset?: number;
      logL?: number;
      first?: number;
    },
    bind: Step['bind'],
  ) {
    const groups = Math.ceil(count / WORKGROUP);
    const x = Math.min(groups, this.#limits.maxComputeWorkgroupsPerDimension);
    const y = Math.ceil(groups / x);
    const words = new Uint8Array(PARAMS_BYTES);
    const view = new DataView(words.buffer);
    const fields = [
      f.logN,
      f.logH ?? 0,
      f.stride ?? 0,
      count,
      x * WORKGROUP,
      f.offset ?? 0,
      f.logL ?? 0,
      f.first ?? 0,
    ];
    for (const [k, v] of fields.entries()) view.setUint32(4 * k, v, true);
    if (f.factor !== undefined) frToBytes((f.factor * this.#r) % FR_MODULUS, words, 32);
    this.#params.push([...words]);
    this.steps.push({ entry, x, y, slot: this.#params.length - 1, bind });
  }

  /** Bit reversal from `from` into `to`, then the stages on `to`: the transform, unscaled, lands in `to`. */
  transform(from: GPUBuffer, to: GPUBuffer, tw: GPUBuffer, n: number, logN: number) {
    this.add('bit_reverse', n, { logN }, { 0: to, 2: from });
    for (let s = 0; s < logN; s++)
      this.add('butterfly', n / 2, { logN, logH: s, stride: n >> (s + 1) }, { 0: to, 3: tw });
  }

  /**
   * The same transform over parts of 2^logB elements (n = P * 2^logB): the bit reversal moves, from each
   * source part p to each destination part q, the elements t = rev_k(q) + P * u of p to rev_b(p * 2^b / P
   * + u) of q (index bits p | u | r reversed are rev(r) | rev(u) | rev(p)); stages whose half-block fits a
   * part run per part, the others pair part p with part p + h / 2^b.
   */
  transformSplit(from: Vec, to: Vec, tw: SplitTwiddles, logN: number, logB: number) {
    const parts = to.length;
    const part = 2 ** logB;
    const k = Math.log2(parts);
    const rev = (x: number, bits: number) => {
      let r = 0;
      for (let i = 0; i < bits; i++) r |= ((x >> i) & 1) << (bits - 1 - i);
      return r;
    };
    for (let p = 0; p < parts; p++)
      for (let q = 0; q < parts; q++)
        this.add(
          'bit_reverse_part',
          part / parts,
          { logN: logB, stride: parts, offset: (p * part) / parts, first: rev(q, k) },
          { 0: to[q]!, 2: from[p]! },
        );
    const n = parts * part;
    for (let s = 0; s < logN; s++) {
      const h = 2 ** s;
      const stride = n / (2 * h);
      if (h < part) {
        for (const d of to)
          this.add(
            'butterfly_part',
            part / 2,
            { logN, logH: s, stride, logL: tw.logL },
            { 0: d, 3: tw.lo, 5: tw.hi },
          );
      } else {
        const hb = h / part;
        for (let p = 0; p < parts; p++) {
          if (p % (2 * hb) >= hb) continue;
          this.add(
            'butterfly_cross',
            part,
            { logN, stride, offset: (p % hb) * part, logL: tw.logL },
            { 0: to[p]!, 4: to[p + hb]!, 3: tw.lo, 5: tw.hi },
          );
        }
      }
    }
  }

  uniforms(align: number): Uint8Array {
    const out = new Uint8Array(this.#params.length * align);
    this.#params.forEach((p, i) => out.set(p, i * align));
    return out;
  }
}

export class WebgpuNtt {
  readonly #gpu: GpuContext;
  readonly #pipelines: Record<Entry, GPUComputePipeline>;

  /** Elements one buffer holds: the part size of a split transform. */
  readonly partSize: number;

  /** R mod r of the field layout the kernels were built with: twiddles and factors are times R. */
  readonly #r: bigint;

  private constructor(gpu: GpuContext, module: GPUShaderModule, partSize: number, r: bigint) {
    this.#gpu = gpu;
    this.partSize = partSize;
    this.#r = r;
    const make = (entryPoint: string) =>
      gpu.device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint } });
    this.#pipelines = Object.fromEntries(ENTRIES.map((e) => [e, make(e)])) as Record<
      Entry,
      GPUComputePipeline
    >;
  }

  /** `partElements` lowers the part size (tests: split transforms at small sizes); `layout`: Fr's limbs. */
  static async create(
    gpu: GpuContext,
    options: { partElements?: number; layout?: FieldLayout } = {},
  ): Promise<WebgpuNtt> {
    const l = gpu.limits;
    const bytes = Math.min(l.maxStorageBufferBindingSize, l.maxBufferSize);
    const fit = 2 ** Math.min(Math.floor(Math.log2(bytes / FR_BYTES)), TWO_ADICITY);
    const want = options.partElements ?? fit;
    if (!(want >= 2 && (want & (want - 1)) === 0))
      throw new RangeError(`partElements must be a power of two from 2, got ${want}`);
    const layout = options.layout ?? 'limb16';
    const module = await compileModule(gpu.device, wgsl(fieldSource('fr', layout), 'ntt.wgsl'));
    return new WebgpuNtt(gpu, module, Math.min(fit, want), montgomeryR('fr', layout));
  }

  /** The largest transform: Fr's two-adicity, split over buffers above one binding, as long as n <= part^2. */
  maxSize(): number {
    return 2 ** Math.min(TWO_ADICITY, 2 * Math.log2(this.partSize));
  }

  /** base^(2^k) * R for k < logM: the table the `powers` and `coset_scale` kernels take. */
  #squares(base: bigint, logM: number): GPUBuffer {
    const t = new Uint8Array(Math.max(logM, 1) * FR_BYTES);
    let cur = base;
    for (let k = 0; k < logM; k++) {
      frToBytes((cur * this.#r) % FR_MODULUS, t, k * FR_BYTES);
      cur = (cur * cur) % FR_MODULUS;
    }
    return this.#buffer(t);
  }

  /** The twiddles [w^0 .. w^(m/2 - 1)] * R of a direction, computed into a new buffer by `plan`. */
  #twiddles(plan: Plan, logM: number, direction: NttDirection, temps: GPUBuffer[]): GPUBuffer {
    const w = omega(logM);
    const half = 2 ** (logM - 1);
    const sq = this.#squares(direction === 'inverse' ? frInv(w) : w, logM - 1);
    const tw = this.#buffer(half * FR_BYTES);
    plan.add('powers', half, { logN: logM - 1, factor: 1n }, { 0: tw, 3: sq });
    temps.push(sq, tw);
    return tw;
  }

  /** The split form's twiddles: L = min(m/2, part) low powers of w, and m / 2L high ones of w^L. */
  #splitTwiddles(plan: Plan, logM: number, direction: NttDirection, temps: GPUBuffer[]): SplitTwiddles {
    const w0 = omega(logM);
    const w = direction === 'inverse' ? frInv(w0) : w0;
    const logL = Math.min(logM - 1, Math.log2(this.partSize));
    const logH = logM - 1 - logL;
    const sqLo = this.#squares(w, logL);
    const sqHi = this.#squares(frPow(w, 1n << BigInt(logL)), logH);
    const lo = this.#buffer(2 ** logL * FR_BYTES);
    const hi = this.#buffer(2 ** logH * FR_BYTES);
    plan.add('powers', 2 ** logL, { logN: logL, factor: 1n }, { 0: lo, 3: sqLo });
    plan.add('powers', 2 ** logH, { logN: logH, factor: 1n }, { 0: hi, 3: sqHi });
    temps.push(sqLo, sqHi, lo, hi);
    return { lo, hi, logL };
  }

  /** `values` (zero-padded to n elements) in parts of partSize elements. */
  #parts(n: number, values?: FrVector): Vec {
    const part = this.partSize;
    const bytes = part * FR_BYTES;
    return Array.from({ length: n / part }, (_, p) => {
      const b = this.#buffer(bytes);
      const slice = values?.subarray(p * bytes, Math.min((p + 1) * bytes, values.length));
      if (slice?.length) this.#gpu.device.queue.writeBuffer(b, 0, slice);
      return b;
    });
  }

  async #readParts(parts: Vec, bytes: number): Promise<Uint8Array> {
    const out = new Uint8Array(bytes);
    const size = this.partSize * FR_BYTES;
    for (const [p, b] of parts.entries()) {
      const at = p * size;
      if (at >= bytes) break;
      out.set(await readBuffer(this.#gpu.device, b, Math.min(size, bytes - at)), at);
    }
    return out;
  }

  #checkSize(n: number): number {
    if ((n & (n - 1)) !== 0) throw new RangeError(`NTT size ${n} is not a power of two`);
    const logN = Math.log2(n);
    if (logN > TWO_ADICITY) throw new RangeError(`NTT size 2^${logN} exceeds Fr's two-adicity 2^32`);
    if (n > this.maxSize()) {
      throw new RangeError(
        `NTT size 2^${logN} exceeds ${this.maxSize()} elements: the square of what one buffer holds here (${this.partSize})`,
      );
    }
    return logN;
  }

  #buffer(bytes: number | Uint8Array): GPUBuffer {
    const size = typeof bytes === 'number' ? bytes : bytes.length;
    const b = this.#gpu.device.createBuffer({
      size: Math.max(size, 32),
      usage: USAGE.STORAGE | USAGE.COPY_DST | USAGE.COPY_SRC,
    });
    if (typeof bytes !== 'number' && bytes.length) this.#gpu.device.queue.writeBuffer(b, 0, bytes);
    return b;
  }

  async #run(plan: Plan): Promise<void> {
    const { device, limits } = this.#gpu;
    const align = Math.max(PARAMS_BYTES, limits.minUniformBufferOffsetAlignment);
    const params = plan.uniforms(align);
    const uni = device.createBuffer({ size: params.length, usage: USAGE.UNIFORM | USAGE.COPY_DST });
    device.queue.writeBuffer(uni, 0, params);
    const enc = device.createCommandEncoder();
    // one pass per dispatch: WebGPU orders storage writes between passes, so each stage sees the last
    for (const st of plan.steps) {
      const pipeline = this.#pipelines[st.entry];
      const entries: GPUBindGroupEntry[] = [
        { binding: 1, resource: { buffer: uni, offset: st.slot * align, size: PARAMS_BYTES } },
      ];
      for (const [k, buffer] of Object.entries(st.bind))
        entries.push({ binding: Number(k), resource: { buffer } });
      const bind = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
      const pass = enc.beginComputePass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, bind);
      pass.dispatchWorkgroups(st.x, st.y);
      pass.end();
    }
    await submitChecked(device, enc);
    uni.destroy();
  }

  /** The Backend's `ntt`, in place: forward, or inverse scaled by 1/m. */
  async ntt(values: FrVector, direction: NttDirection): Promise<void> {
    if (values.length % FR_BYTES !== 0)
      throw new RangeError(`ntt values: byte length ${values.length} is not a multiple of ${FR_BYTES}`);
    const n = values.length / FR_BYTES;
    if (n === 0) return;
    const logN = this.#checkSize(n);
    await checkCanonical(values, 'ntt values');
    if (n === 1) return;
    if (n > this.partSize) {
      const src = this.#parts(n, values);
      const data = this.#parts(n);
      const plan = new Plan(this.#gpu.limits, this.#r);
      const temps: GPUBuffer[] = [...src, ...data];
      const tw = this.#splitTwiddles(plan, logN, direction, temps);
      plan.transformSplit(src, data, tw, logN, Math.log2(this.partSize));
      if (direction === 'inverse')
        for (const d of data) plan.add('scale', this.partSize, { logN, factor: frInv(BigInt(n)) }, { 0: d });
      await this.#run(plan);
      values.set(await this.#readParts(data, values.length));
      for (const b of temps) b.destroy();
      return;
    }

    const src = this.#buffer(values);
    const data = this.#buffer(values.length);
    const plan = new Plan(this.#gpu.limits, this.#r);
    const temps: GPUBuffer[] = [src, data];
    const tw = this.#twiddles(plan, logN, direction, temps);
    plan.transform(src, data, tw, n, logN);
    if (direction === 'inverse') plan.add('scale', n, { logN, factor: frInv(BigInt(n)) }, { 0: data });
    await this.#run(plan);
    values.set(await readBuffer(this.#gpu.device, data, values.length));
    for (const b of temps) b.destroy();
  }

  /**
   * Zeroed device vectors A, B, C for a quotient of n values (n = the constraints and inputs), m the domain
   * (n rounded up to a power of two): one buffer each, or parts of partSize where m is past one buffer.
   * The R1CS evaluation writes them (WebgpuR1cs.evaluateInto), `quotientOf` reads them: nothing goes
   * through the host. The caller frees them with `freeQuotient` (quotientOf does).
   */
  quotientSpace(n: number): QuotientSpace {
    const m = domainSize(n);
    const logM = this.#checkSize(m);
    const vector = (): DeviceVector =>
      m > this.partSize
        ? { buffers: this.#parts(m), per: this.partSize }
        : { buffers: [this.#buffer(m * FR_BYTES)], per: m };
    return { n, m, logM, a: vector(), b: vector(), c: vector() };
  }

  freeQuotient(q: QuotientSpace): void {
    for (const v of [q.a, q.b, q.c]) for (const b of v.buffers) b.destroy();
  }

  /**
   * QuotientKernels.quotient on the device, as native/src/ntt.rs computes it: each of A, B, C to the coset
   * (iNTT, times g^i / m, NTT), (A*B - C) / Z there, back (iNTT, times g^-i / m); the first m - 1
   * coefficients.
   */
  async quotient(a: FrVector, b: FrVector, c: FrVector): Promise<FrVector> {
    return this.quotientOf(await this.quotientSpaceOf(a, b, c));
  }

  /** Host A, B, C (checked: equal lengths, canonical) put into a quotientSpace, zero-padded to m. */
  async quotientSpaceOf(a: FrVector, b: FrVector, c: FrVector): Promise<QuotientSpace> {
    if (a.length !== b.length || a.length !== c.length)
      throw new RangeError(`quotient: a, b, c differ in length (${a.length}, ${b.length}, ${c.length})`);
    if (a.length % FR_BYTES !== 0)
      throw new RangeError(`quotient a: byte length ${a.length} is not a multiple of ${FR_BYTES}`);
    for (const [name, v] of [
      ['a', a],
      ['b', b],
      ['c', c],
    ] as const)
      await checkCanonical(v, `quotient ${name}`);
    // buffers are created zeroed: the padding
    const q = this.quotientSpace(a.length / FR_BYTES);
    for (const [v, host] of [
      [q.a, a],
      [q.b, b],
      [q.c, c],
    ] as const)
      writeVector(this.#gpu.device, v, 0, host);
    return q;
  }

  /** The quotient of device vectors made by quotientSpace (canonical values, zero past n); frees them. */
  async quotientOf(q: QuotientSpace): Promise<FrVector> {
    const h = await this.quotientOnDevice(q);
    try {
      if (q.m === 1) return new Uint8Array(0);
      return h.per === q.m
        ? await readBuffer(this.#gpu.device, h.buffers[0]!, (q.m - 1) * FR_BYTES)
        : await this.#readParts(h.buffers, (q.m - 1) * FR_BYTES);
    } finally {
      freeVector(h);
    }
  }

  /**
   * quotientOf's H left on the device (m canonical values, of which H is the first m - 1), for a kernel that reads it there
   * (the h query's MSM: CurveMsm.msmVector); frees q, and the caller frees H (freeVector).
   */
  async quotientOnDevice(q: QuotientSpace): Promise<DeviceVector> {
    try {
      // a domain of one value has no coefficient to keep
      if (q.m === 1) return { buffers: [], per: 1 };
      const [A, B, C] = [q.a.buffers, q.b.buffers, q.c.buffers];
      if (q.m > this.partSize)
        return { buffers: await this.#quotientSplit(A, B, C, q.m, q.logM), per: this.partSize };
      return { buffers: [await this.#quotientOne(A[0]!, B[0]!, C[0]!, q.m, q.logM)], per: q.m };
    } finally {
      this.freeQuotient(q);
    }
  }

  async #quotientOne(A: GPUBuffer, B: GPUBuffer, C: GPUBuffer, m: number, logM: number): Promise<GPUBuffer> {
    const S = this.#buffer(m * FR_BYTES);
    const plan = new Plan(this.#gpu.limits, this.#r);
    const temps: GPUBuffer[] = [];
    const fwd = this.#twiddles(plan, logM, 'forward', temps);
    const inv = this.#twiddles(plan, logM, 'inverse', temps);
    const g = GENERATOR;
    const gInv = frInv(g);
    const mInv = frInv(BigInt(m));
    const zInv = frInv(mod(frPow(g, BigInt(m)) - 1n));
    const gSq = this.#squares(g, logM);
    const gInvSq = this.#squares(gInv, logM);
    temps.push(gSq, gInvSq);

    for (const X of [A, B, C]) {
      plan.transform(X, S, inv, m, logM);
      plan.add('coset_scale', m, { logN: logM, factor: mInv }, { 0: S, 3: gSq });
      plan.transform(S, X, fwd, m, logM);
    }
    // z^-1 * R^2 once the plan multiplies by R: the kernel's two divisions by R leave (ab - c) * z^-1
    plan.add('pointwise', m, { logN: logM, factor: (zInv * this.#r) % FR_MODULUS }, { 0: A, 2: B, 3: C });
    plan.transform(A, S, inv, m, logM);
    plan.add('coset_scale', m, { logN: logM, factor: mInv }, { 0: S, 3: gInvSq });
    try {
      await this.#run(plan);
    } catch (e) {
      S.destroy();
      throw e;
    } finally {
      for (const buf of temps) buf.destroy();
    }
    return S;
  }

  /** quotient over parts, for a domain larger than one buffer: the same steps, each per part. */
  async #quotientSplit(A: Vec, B: Vec, C: Vec, m: number, logM: number): Promise<Vec> {
    const part = this.partSize;
    const logB = Math.log2(part);
    const S = this.#parts(m);
    const plan = new Plan(this.#gpu.limits, this.#r);
    const temps: GPUBuffer[] = [];
    const fwd = this.#splitTwiddles(plan, logM, 'forward', temps);
    const inv = this.#splitTwiddles(plan, logM, 'inverse', temps);
    const g = GENERATOR;
    const mInv = frInv(BigInt(m));
    const zInv = frInv(mod(frPow(g, BigInt(m)) - 1n));
    const gSq = this.#squares(g, logM);
    const gInvSq = this.#squares(frInv(g), logM);
    temps.push(gSq, gInvSq);
    const coset = (sq: GPUBuffer) =>
      S.forEach((d, p) =>
        plan.add('coset_scale', part, { logN: logM, factor: mInv, offset: p * part }, { 0: d, 3: sq }),
      );
    for (const X of [A, B, C]) {
      plan.transformSplit(X, S, inv, logM, logB);
      coset(gSq);
      plan.transformSplit(S, X, fwd, logM, logB);
    }
    A.forEach((d, p) =>
      plan.add(
        'pointwise',
        part,
        { logN: logM, factor: (zInv * this.#r) % FR_MODULUS },
        { 0: d, 2: B[p]!, 3: C[p]! },
      ),
    );
    plan.transformSplit(A, S, inv, logM, logB);
    coset(gInvSq);
    try {
      await this.#run(plan);
    } catch (e) {
      for (const b of S) b.destroy();
      throw e;
    } finally {
      for (const buf of temps) buf.destroy();
    }
    return S;
  }
}
