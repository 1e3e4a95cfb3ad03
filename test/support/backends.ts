/**
 * The backends every backend-agnostic test runs on: the plain TypeScript reference always, the native
 * CPU backend where it is built (CI builds it, so there its absence is a failure, not a skip).
 */
import type { FullBackend } from '../../src/backends/backend.ts';
import { createReferenceBackend } from './reference-backend.ts';

export async function testBackends(): Promise<FullBackend[]> {
  const out: FullBackend[] = [createReferenceBackend()];
  try {
    const { createCpuBackend } = await import('../../src/backends/cpu/index.ts');
    out.push(createCpuBackend());
  } catch (e) {
    if (process.env.CI) throw e;
    console.warn(`native CPU backend not built, testing the reference only: ${(e as Error).message}`);
  }
  return out;
}
