import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

const dir = 'test/fixtures/2kib/v1_1-t01000-s1';
const vk =
  'test/fixtures/params/v28-stacked-proof-of-replication-merkletree-poseidon_hasher-8-0-0-sha256_hasher-032d3138d22506ec0082ed72b2dcba18df18477904e35bafee82b3793b06832f.vk';
const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['src/cli.ts', ...args], {
    encoding: 'utf8',
    env: { ...process.env, C2_BACKEND: 'cpu' },
  });

test('cli verify: accepts the real proof (exit 0), rejects another (exit 1), explains bad input (exit 2)', () => {
  const proof = readFileSync(`${dir}/proof.hex`, 'utf8').trim();
  const ok = cli('verify', '--vk', vk, '--inputs', `${dir}/public-inputs.json`, '--proof', proof);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /^accepted/);

  const other = readFileSync(`${dir}/proof-r0-s0.hex`, 'utf8').trim();
  // A from one valid proof, B and C from another: every point is valid, the proof is not.
  const mixed = other.slice(0, 96) + proof.slice(96);
  const bad = cli('verify', '--vk', vk, '--inputs', `${dir}/public-inputs.json`, '--proof', mixed);
  assert.equal(bad.status, 1, bad.stderr);
  assert.match(bad.stdout, /^rejected/);

  const short = cli(
    'verify',
    '--vk',
    vk,
    '--inputs',
    `${dir}/public-inputs.json`,
    '--proof',
    proof.slice(0, 100),
  );
  assert.equal(short.status, 2);
  assert.match(short.stderr, /multiple of 192/);
});

test('cli verify FILE PROOFHEX: verify_seal of bellperson’s proof, its public inputs derived from the sector and miner', () => {
  const proof = readFileSync(`${dir}/proof.hex`, 'utf8').trim();
  const file = `${dir}/c2input.json`;
  const ok = cli('verify', file, proof, '--vk', vk);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /^accepted/);
  const other = cli('verify', file, proof, '--vk', vk, '--miner', 't01002');
  assert.equal(other.status, 1, other.stderr);
  assert.match(other.stdout, /^rejected/);
  const garbled = cli('verify', file, 'ff'.repeat(192), '--vk', vk);
  assert.equal(garbled.status, 1, garbled.stderr);
});

test('cli info names the backend it picked and where circuit structures are kept', () => {
  const r = cli('info');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /backend: cpu/);
  assert.match(r.stdout, /circuit structures: \//);
});
