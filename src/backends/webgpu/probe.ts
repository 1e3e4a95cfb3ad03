/**
 * Run as a child process by the WebGPU backend's factory: opens the best adapter as openGpu would and
 * prints one JSON line. A child keeps Dawn and the GPU driver out of the service's process until a GPU is
 * known to be there, lets pickBackend stay synchronous, and a driver that crashes takes only the probe.
 */
import { openGpu } from './device.ts';

export interface ProbeResult {
  ok: boolean;
  description?: string;
  software?: boolean;
  /** What the kernels size themselves by, for `c2prover info`. */
  limits?: { binding: number; buffer: number; workgroupStorage: number };
  reason?: string;
}

let result: ProbeResult;
try {
  const gpu = await openGpu();
  const l = gpu.limits;
  result = {
    ok: true,
    description: gpu.description,
    software: gpu.software,
    limits: {
      binding: l.maxStorageBufferBindingSize,
      buffer: l.maxBufferSize,
      workgroupStorage: l.maxComputeWorkgroupStorageSize,
    },
  };
  gpu.close();
} catch (e) {
  result = { ok: false, reason: (e as Error).message };
}
process.stdout.write(`${JSON.stringify(result)}\n`);
// Dawn's instance can hold the event loop open after its device is gone
process.exit(0);
