/// <reference types="@webgpu/types" />
/**
 * Opening a WebGPU device through Dawn's Node bindings (the `webgpu` package), loaded lazily so that a
 * machine without Dawn's libraries still starts and the CPU backend takes over.
 *
 * A software adapter (llvmpipe, lavapipe, SwiftShader) is never picked by itself: it is orders of magnitude
 * slower than the CPU backend. Tests opt in with `allowSoftware` or C2_WEBGPU_ALLOW_SOFTWARE=1.
 */
import { ProverError } from '../../shared/errors.ts';
import { FR_BYTES } from '../../shared/fr.ts';

/** Buffer usage and map flags, fixed by the WebGPU spec (Dawn's globals are not installed on globalThis). */
export const USAGE = {
  MAP_READ: 0x1,
  COPY_SRC: 0x4,
  COPY_DST: 0x8,
  UNIFORM: 0x40,
  STORAGE: 0x80,
} as const;
export const MAP_READ = 0x1;

export interface GpuContext {
  readonly device: GPUDevice;
  /** vendor, architecture, device and description of the adapter, for logs and `c2prover info`. */
  readonly description: string;
  readonly software: boolean;
  readonly limits: GPUSupportedLimits;
  /** The Dawn instance the device came from, kept reachable for as long as the device is used. */
  readonly instance: GPU;
  /** Destroys the device: Dawn holds the event loop open while one lives. */
  close(): void;
}

export interface OpenOptions {
  allowSoftware?: boolean;
}

type DawnModule = { create(options: string[]): GPU };

const SOFTWARE = /llvmpipe|lavapipe|softpipe|swiftshader|software/i;

function describe(info: GPUAdapterInfo): string {
  return [info.vendor, info.architecture, info.device, info.description].filter((s) => s).join(' ');
}

/** Whether an adapter is a CPU rasterizer: by Dawn's flag where set, by its driver name otherwise. */
export function isSoftwareAdapter(info: GPUAdapterInfo): boolean {
  const fallback = (info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter;
  return fallback === true || SOFTWARE.test(describe(info));
}

async function loadDawn(): Promise<DawnModule> {
  try {
    return (await import('webgpu')) as unknown as DawnModule;
  } catch (e) {
    throw new Error(`WebGPU (Dawn) could not be loaded: ${(e as Error).message.split('\n')[0]}`, {
      cause: e,
    });
  }
}

/**
 * Dawn's backends in the order tried: Vulkan (the default, a real GPU node), then OpenGL ES, which is
 * where Mesa's llvmpipe lives on a machine without a GPU (compatibility feature level).
 */
const CANDIDATES: { flags: string[]; featureLevel: string }[] = [
  { flags: [], featureLevel: 'core' },
  { flags: ['backend=opengles'], featureLevel: 'compatibility' },
];

/** The best adapter's device with the adapter's own limits (the defaults are far below a GPU's). */
export async function openGpu(options: OpenOptions = {}): Promise<GpuContext> {
  const allowSoftware = options.allowSoftware ?? process.env.C2_WEBGPU_ALLOW_SOFTWARE === '1';
  const dawn = await loadDawn();
  // Mesa's EGL needs a platform without a display server; it must be set before Dawn opens EGL
  process.env.EGL_PLATFORM ??= 'surfaceless';
  const refused: string[] = [];
  for (const c of CANDIDATES) {
    const gpu = dawn.create(c.flags);
    const adapter = await gpu.requestAdapter({
      featureLevel: c.featureLevel,
      powerPreference: 'high-performance',
    } as GPURequestAdapterOptions);
    if (!adapter) continue;
    const description = describe(adapter.info);
    const software = isSoftwareAdapter(adapter.info);
    if (software && !allowSoftware) {
      refused.push(
        `adapter "${description}" is a software rasterizer (set C2_WEBGPU_ALLOW_SOFTWARE=1 to use it)`,
      );
      continue;
    }
    const l = adapter.limits;
    const device = await adapter.requestDevice({
      requiredLimits: {
        maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
        maxBufferSize: l.maxBufferSize,
        maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
        maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
        maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
        maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
        maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      },
    });
    // A lost device (driver reset, GPU fallen off the bus, out of memory) is logged once, and every later
    // submission on it fails with the reason, so the job running fails cleanly rather than hanging
    void device.lost.then((info) => {
      lostReasons.set(device, `${info.reason}: ${info.message}`);
      if (info.reason !== 'destroyed')
        process.emitWarning(`WebGPU device lost (${description}): ${info.reason}: ${info.message}`);
    });
    const context = {
      device,
      description,
      software,
      limits: device.limits,
      close: () => device.destroy(),
      // Dawn tears its instance down when the GPU object is collected, device or not: the context holds it
      instance: gpu,
    };
    return context;
  }
  throw new Error(refused.length ? refused.join('; ') : 'no WebGPU adapter found');
}

/** Why a device was lost, once it was. */
const lostReasons = new WeakMap<GPUDevice, string>();

/** Fails with the reason when the device was lost: a GPU failure, which moves the service to its fallback. */
export function checkDevice(device: GPUDevice): void {
  const lost = lostReasons.get(device);
  if (lost !== undefined) throw new ProverError('C2_GPU_FAILED', `WebGPU device lost: ${lost}`);
}

/**
 * Runs a command buffer and waits for it, failing with the validation error a mistake produces, or with
 * the loss of the device, before or during the work.
 */
export async function submitChecked(device: GPUDevice, encoder: GPUCommandEncoder): Promise<void> {
  checkDevice(device);
  device.pushErrorScope('validation');
  device.queue.submit([encoder.finish()]);
  const err = await device.popErrorScope();
  if (err) throw new Error(`WebGPU validation: ${err.message}`);
  await Promise.race([device.queue.onSubmittedWorkDone(), device.lost]);
  checkDevice(device);
}

/**
 * A vector of Fr on the GPU: `per` elements a buffer (the last may hold fewer), so that one longer than a
 * binding is split over several. What the R1CS evaluation writes and the quotient reads, so that A, B and
 * C never go through the host.
 */
export interface DeviceVector {
  buffers: GPUBuffer[];
  per: number;
}

/** The pieces of elements [at, at + count) of `v`: buffer, element offset in it, length; in order. */
function pieces(v: DeviceVector, at: number, count: number): [GPUBuffer, number, number][] {
  const out: [GPUBuffer, number, number][] = [];
  for (let i = at; i < at + count;) {
    const k = Math.floor(i / v.per);
    const len = Math.min(at + count - i, (k + 1) * v.per - i);
    out.push([v.buffers[k]!, i - k * v.per, len]);
    i += len;
  }
  return out;
}

/** Records a copy of `count` elements from `src` (from element `from`) into `v` at element `at`. */
export function copyToVector(
  enc: GPUCommandEncoder,
  src: GPUBuffer,
  from: number,
  v: DeviceVector,
  at: number,
  count: number,
): void {
  let done = 0;
  for (const [b, off, len] of pieces(v, at, count)) {
    enc.copyBufferToBuffer(src, (from + done) * FR_BYTES, b, off * FR_BYTES, len * FR_BYTES);
    done += len;
  }
}

/** Records a copy of `count` elements of `v` (from element `at`) into `dst` from element `to`. */
export function copyFromVector(
  enc: GPUCommandEncoder,
  v: DeviceVector,
  at: number,
  count: number,
  dst: GPUBuffer,
  to = 0,
): void {
  let done = 0;
  for (const [b, off, len] of pieces(v, at, count)) {
    enc.copyBufferToBuffer(b, off * FR_BYTES, dst, (to + done) * FR_BYTES, len * FR_BYTES);
    done += len;
  }
}

export function freeVector(v: DeviceVector): void {
  for (const b of v.buffers) b.destroy();
  v.buffers.length = 0;
}

/** Writes host elements (32 bytes each) into `v` from element `at`. */
export function writeVector(device: GPUDevice, v: DeviceVector, at: number, bytes: Uint8Array): void {
  let done = 0;
  for (const [b, off, len] of pieces(v, at, bytes.length / FR_BYTES)) {
    device.queue.writeBuffer(b, off * FR_BYTES, bytes.subarray(done * FR_BYTES, (done + len) * FR_BYTES));
    done += len;
  }
}

/** What storageBuffer allocates for `size` bytes: a multiple of 4, 16 at least. */
export function storageBytes(size: number): number {
  return Math.max(16, Math.ceil(size / 4) * 4);
}

/** A storage buffer of at least `size` bytes (storageBytes), copied to and from. */
export function storageBuffer(device: GPUDevice, size: number): GPUBuffer {
  return device.createBuffer({
    size: storageBytes(size),
    usage: USAGE.STORAGE | USAGE.COPY_DST | USAGE.COPY_SRC,
  });
}

/** Host bytes into buf at `at` (a multiple of 4), from any view. */
export function writeBytes(device: GPUDevice, buf: GPUBuffer, at: number, bytes: ArrayBufferView): void {
  if (!bytes.byteLength) return;
  // writeBuffer wants a multiple of 4 bytes from a plain ArrayBuffer: a SharedArrayBuffer (the
  // synthesis workers' vectors) or a ragged length is copied, anything else goes as it is
  let view = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.buffer instanceof SharedArrayBuffer || bytes.byteLength % 4) {
    view = new Uint8Array(Math.ceil(bytes.byteLength / 4) * 4);
    view.set(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }
  device.queue.writeBuffer(buf, at, view);
}

/** A read-back of `size` bytes of `src`. */
export function readBuffer(device: GPUDevice, src: GPUBuffer, size: number): Promise<Uint8Array> {
  return readBuffers(device, [{ buffer: src, size }]);
}

/** The first `size` bytes of each buffer, one after the other: one copy, one submission, one mapping. */
export async function readBuffers(
  device: GPUDevice,
  parts: readonly { buffer: GPUBuffer; size: number }[],
): Promise<Uint8Array> {
  const total = parts.reduce((n, p) => n + p.size, 0);
  const staging = device.createBuffer({ size: Math.max(total, 4), usage: USAGE.MAP_READ | USAGE.COPY_DST });
  try {
    const enc = device.createCommandEncoder();
    let at = 0;
    for (const { buffer, size } of parts) {
      enc.copyBufferToBuffer(buffer, 0, staging, at, size);
      at += size;
    }
    await submitChecked(device, enc);
    await staging.mapAsync(MAP_READ);
    const out = new Uint8Array(staging.getMappedRange(0, total).slice(0));
    staging.unmap();
    return out;
  } finally {
    staging.destroy();
  }
}

/** A shader module, failing with the WGSL compiler's messages when the source does not compile. */
export async function compileModule(device: GPUDevice, code: string): Promise<GPUShaderModule> {
  device.pushErrorScope('validation');
  const module = device.createShaderModule({ code });
  const err = await device.popErrorScope();
  if (err) throw new Error(`WGSL: ${err.message}`);
  return module;
}
