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
