/**
 * The WebGPU device of the WebGPU tests: any adapter, software included (llvmpipe on CI and on machines
 * without a GPU), or none, in which case those tests skip and say why.
 */
import { after } from 'node:test';
import { type GpuContext, openGpu } from '../../src/backends/webgpu/device.ts';

export async function testGpu(): Promise<{ gpu?: GpuContext; why?: string }> {
  try {
    const gpu = await openGpu({ allowSoftware: true });
    after(() => gpu.close());
    return { gpu };
  } catch (e) {
    const why = `no WebGPU device: ${(e as Error).message}`;
    if (process.env.C2_WEBGPU_REQUIRED === '1') throw new Error(why, { cause: e });
    console.warn(why);
    return { why };
  }
}

/** `make()` with C2_WEBGPU_ALLOW_SOFTWARE=1, the variable as it was afterwards: a backend on llvmpipe. */
export function withSoftwareAllowed<T>(make: () => T): T {
  const saved = process.env.C2_WEBGPU_ALLOW_SOFTWARE;
  process.env.C2_WEBGPU_ALLOW_SOFTWARE = '1';
  try {
    return make();
  } finally {
    if (saved === undefined) delete process.env.C2_WEBGPU_ALLOW_SOFTWARE;
    else process.env.C2_WEBGPU_ALLOW_SOFTWARE = saved;
  }
}
