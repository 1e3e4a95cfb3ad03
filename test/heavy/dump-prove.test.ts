/**
 * Heavy (npm run test:heavy): the real 2KiB PoRep circuit, proved by our Groth16 prover from the oracle's
 * dump of bellperson's own witness and evaluations, with the oracle's parameters; then Filecoin's
 * verify_seal (through the oracle) must accept the proof. Needs the oracle built and its 2KiB
 * parameters made (`npm run reference -- params --sector-size 2KiB --proof V1_1`).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { createCpuBackend } from '../../src/backends/cpu/index.ts';
import { frFromBytes } from '../../src/shared/fr.ts';
import { readDumpedAssignment } from '../../src/groth16/dump.ts';
import { encodeProofs, type Proof } from '../../src/groth16/proof.ts';
import { prove, type StageTimes } from '../../src/groth16/prove.ts';
import { loadProvingKey } from '../../src/groth16/proving-key.ts';
import { verifyProof } from '../../src/groth16/verify.ts';

const heavy = process.env.C2_HEAVY === '1';
const fixture = 'test/fixtures/2kib/v1_1-t01000-s1';
const paramsDir = process.env.FIL_PROOFS_PARAMETER_CACHE ?? 'test/reference/.cache/params';
const oracle = (...args: string[]): string =>
  execFileSync('bash', ['test/reference/run.sh', ...args], {
    encoding: 'utf8',
    env: { ...process.env, FIL_PROOFS_PARAMETER_CACHE: paramsDir },
  });

test(
  '2KiB circuit from the oracle dump: our proof, Filecoin verify_seal accepts',
  { skip: !heavy },
  async () => {
    const params = readdirSync(paramsDir).find(
      (f) =>
        f.startsWith('v28-stacked-proof-of-replication-merkletree-poseidon_hasher-8-0-0-') &&
        f.endsWith('.params'),
    );
    assert.ok(params, `no 2KiB parameters in ${paramsDir}`);
    const dumpDir = '.cache/dump-2kib';
    if (!existsSync(join(dumpDir, 'p0', 'aux.bin')))
      oracle('dump', `${fixture}/c2input.json`, '--out', dumpDir);

    const backend = createCpuBackend();
    const t0 = performance.now();
    const pk = await loadProvingKey(backend, join(paramsDir, params));
    const loadMs = performance.now() - t0;
    const times: StageTimes = { quotientMs: 0, msmG1Ms: 0, msmG2Ms: 0 };
    const proofs: Proof[] = [];
    const t1 = performance.now();
    const partitions = readdirSync(dumpDir)
      .filter((d) => /^p\d+$/.test(d))
      .sort();
    for (const p of partitions) {
      const w = await readDumpedAssignment(join(dumpDir, p));
      const proof = await prove(backend, pk, w, {}, times);
      const inputs: bigint[] = [];
      for (let i = 1; i < w.inputs.length / 32; i++) inputs.push(frFromBytes(w.inputs, i * 32));
      assert.equal(verifyProof(pk.vk, proof, inputs), true, `partition ${p}: our verifier`);
      proofs.push(proof);
    }
    const proveMs = performance.now() - t1;
    pk.free();
    const hex = Buffer.from(encodeProofs(proofs)).toString('hex');
    const verdict = oracle('verify', `${fixture}/c2input.json`, hex);
    assert.match(verdict, /^accepted/m);

    await mkdir('bench/results', { recursive: true });
    await writeFile(
      'bench/results/dump-prove-2kib.md',
      [
        '# 2KiB PoRep circuit proved from the oracle dump (CPU backend)',
        '',
        `Measured ${new Date().toISOString()} by test/heavy/dump-prove.test.ts; verify_seal accepted the proof.`,
        '',
        '| stage | ms |',
        '| --- | ---: |',
        `| load + validate parameters | ${loadMs.toFixed(0)} |`,
        `| quotient (NTTs) | ${times.quotientMs.toFixed(0)} |`,
        `| G1 MSMs | ${times.msmG1Ms.toFixed(0)} |`,
        `| G2 MSMs | ${times.msmG2Ms.toFixed(0)} |`,
        `| prove total (from dump) | ${proveMs.toFixed(0)} |`,
        '',
      ].join('\n'),
    );
  },
);
