/**
 * Test parameters for a PoRep circuit: the circuit's structure does not depend on the witness, so any
 * Commit2In of a sector size gives the R1CS, and our random setup turns it into a .params / .vk pair under
 * the production file name. Never mix them with the real parameters of the trusted setup.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Backend } from '../backends/backend.ts';
import { synthesize } from '../circuit/synthesis-task.ts';
import { parameterCacheDir, porepParamsFiles } from '../groth16/parameter-cache.ts';
import { writeVerifyingKey } from '../groth16/params-file.ts';
import { generateParameters, toxicFromSeed } from '../groth16/setup.ts';
import { markValidated } from '../groth16/proving-key.ts';
import { parseCommit2Input } from '../porep/commit2-input.ts';

export interface TestParams {
  params: string;
  vk: string;
  constraints: number;
  inputs: number;
  aux: number;
  ms: number;
}

export async function generateTestParams(
  backend: Backend,
  input: string | unknown,
  opts: { dir?: string; seed?: string } = {},
): Promise<TestParams> {
  const t0 = performance.now();
  const job = parseCommit2Input(input);
  const dir = opts.dir ?? parameterCacheDir();
  let files: { params: string; vk: string };
  try {
    files = porepParamsFiles(job.config.sectorSize, dir);
  } catch {
    // Test shapes (ShapeOverride) have no published name.
    const name = `c2prover-test-porep-${job.config.tree.base}-${job.config.tree.sub}-${job.config.tree.top}-${job.config.sectorSize}`;
    files = { params: join(dir, `${name}.params`), vk: join(dir, `${name}.vk`) };
  }
  await mkdir(dir, { recursive: true });
  const r1cs = synthesize({ job, partition: 0 }).r1cs!;
  const { vk } = await generateParameters(backend, r1cs, files.params, toxicFromSeed(opts.seed));
  await writeVerifyingKey(files.vk, vk);
  await markValidated(files.params);
  return {
    ...files,
    constraints: r1cs.numConstraints,
    inputs: r1cs.numInputs,
    aux: r1cs.numAux,
    ms: performance.now() - t0,
  };
}

/** Where the demo, the tests and the benchmarks keep their 2KiB test parameters (C2_TEST_PARAMS overrides). */
export function testParamsDir(): string {
  return process.env.C2_TEST_PARAMS ?? fileURLToPath(new URL('../../.cache/test-params', import.meta.url));
}

/** The oracle's 2KiB sector that the demo proves and whose circuit the 2KiB test parameters are made for. */
export const FIXTURE_2KIB = fileURLToPath(
  new URL('../../test/fixtures/2kib/v1_1-t01000-s1/c2input.json', import.meta.url),
);

/**
 * The 2KiB test parameters in testParamsDir(), made on first use (a few minutes) with a fixed seed; any
 * 2KiB input serves, as the circuit's structure does not depend on the witness.
 */
export async function ensure2KiBTestParams(
  backend: Backend,
  onMake?: (dir: string) => void,
): Promise<{ params: string; vk: string }> {
  const dir = testParamsDir();
  const files = porepParamsFiles(2048, dir);
  if (!existsSync(files.params) || !existsSync(files.vk)) {
    onMake?.(dir);
    await generateTestParams(backend, await readFile(FIXTURE_2KIB, 'utf8'), {
      dir,
      seed: 'c2prover-test-params',
    });
  }
  return files;
}
