/** The 2KiB fixtures as the service tests send and check them. */
import { readVerifyingKeyFile } from '../../src/groth16/params-file.ts';
import { porepParamsFiles } from '../../src/groth16/parameter-cache.ts';
import { ensure2KiBTestParams, testParamsDir } from '../../src/job/test-params.ts';
import { verifySeal } from '../../src/job/verify-seal.ts';
import { parseCommit2Input } from '../../src/porep/commit2-input.ts';
import { pickBackend } from '../../src/backends/index.ts';
import type { VerifyingKey } from '../../src/groth16/verifying-key.ts';
import { readFixture } from '../support/fixtures.ts';

export const body = (dir: string): string => readFixture(dir, 'c2input.json');

let vk: VerifyingKey | undefined;

/** The 2KiB test parameters (made once) and their verifying key. */
export async function testVk(): Promise<VerifyingKey> {
  await ensure2KiBTestParams(pickBackend().backend);
  return (vk ??= await readVerifyingKeyFile(porepParamsFiles(2048, testParamsDir()).vk));
}

/** verify_seal of a proof for a fixture's sector and miner, against the test parameters' key. */
export async function sealVerifies(dir: string, proof: Uint8Array | string, miner: string): Promise<boolean> {
  const bytes = typeof proof === 'string' ? Buffer.from(proof, 'hex') : proof;
  return verifySeal(await testVk(), bytes, parseCommit2Input(body(dir)), miner);
}
