/**
 * Test parameters for a PoRep circuit: the circuit's structure does not depend on the witness, so any
 * Commit2In of a sector size gives the R1CS, and our random setup turns it into a .params / .vk pair under
 * the production file name. Never mix them with the real parameters of the trusted setup.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
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
  const { r1cs } = synthesize({ job, partition: 0 });
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
