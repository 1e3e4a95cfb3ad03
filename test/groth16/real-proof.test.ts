/**
 * Real data: a proof bellperson made for the real 2KiB PoRep circuit (oracle fixture) must verify under our
 * verifier with the oracle's verifying key, and fail for any other public input or a mangled proof.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { mod } from '../../src/shared/fr.ts';
import { readVerifyingKeyFile } from '../../src/groth16/params-file.ts';
import { decodeProofs } from '../../src/groth16/proof.ts';
import { verifyProof } from '../../src/groth16/verify.ts';
import { verifyProofReference } from '../support/reference-verify.ts';

const dir = 'test/fixtures/2kib/v1_1-t01000-s1';
const vkPath =
  'test/fixtures/params/v28-stacked-proof-of-replication-merkletree-poseidon_hasher-8-0-0-sha256_hasher-032d3138d22506ec0082ed72b2dcba18df18477904e35bafee82b3793b06832f.vk';

const publicInputs = async (): Promise<bigint[]> => {
  const parsed = JSON.parse(await readFile(`${dir}/public-inputs.json`, 'utf8')) as {
    partitions: string[][];
  };
  return parsed.partitions[0]!.map((h) => BigInt(h));
};
const proofOf = async (name: string): Promise<Uint8Array> =>
  Buffer.from((await readFile(`${dir}/${name}`, 'utf8')).trim(), 'hex');

test("bellperson's 2KiB proofs verify under our verifier with the oracle's key", async () => {
  const vk = await readVerifyingKeyFile(vkPath);
  assert.equal(vk.ic.length, 40);
  const inputs = await publicInputs();
  for (const name of ['proof.hex', 'proof-r0-s0.hex']) {
    const [proof] = decodeProofs(await proofOf(name));
    assert.equal(verifyProof(vk, proof!, inputs), true, name);
  }
});

test('the same proof fails for any other public input', async () => {
  const vk = await readVerifyingKeyFile(vkPath);
  const inputs = await publicInputs();
  const [proof] = decodeProofs(await proofOf('proof.hex'));
  for (const i of [0, 1, 38]) {
    const changed = [...inputs];
    changed[i] = mod(changed[i]! + 1n);
    assert.equal(verifyProof(vk, proof!, changed), false, `input ${i}`);
  }
  assert.throws(() => verifyProof(vk, proof!, inputs.slice(1)), /public inputs/);
});

test('the native check answers as the @noble/curves reference, proof by proof', async () => {
  const vk = await readVerifyingKeyFile(vkPath);
  const inputs = await publicInputs();
  const [proof] = decodeProofs(await proofOf('proof.hex'));
  const [other] = decodeProofs(await proofOf('proof-r0-s0.hex'));
  const zeroed = [...inputs];
  zeroed[5] = 0n; // a zero input adds nothing to the IC sum
  const cases = [
    { name: 'the proof', proof: proof!, inputs },
    { name: 'another proof', proof: other!, inputs },
    { name: 'an input changed', proof: proof!, inputs: [mod(inputs[0]! + 1n), ...inputs.slice(1)] },
    { name: 'a zero input', proof: proof!, inputs: zeroed },
    { name: 'A and C swapped', proof: { ...proof!, a: proof!.c, c: proof!.a }, inputs },
    { name: "another proof's B", proof: { ...proof!, b: other!.b }, inputs },
  ];
  for (const c of cases)
    assert.equal(verifyProof(vk, c.proof, c.inputs), verifyProofReference(vk, c.proof, c.inputs), c.name);
  assert.deepEqual(
    cases.map((c) => verifyProof(vk, c.proof, c.inputs)),
    [true, true, false, false, false, false],
  );
});
