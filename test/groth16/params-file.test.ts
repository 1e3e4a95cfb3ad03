import assert from 'node:assert/strict';
import { appendFile, mkdtemp, open, readFile, rm, truncate, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { blake2b } from '@noble/hashes/blake2.js';
import { SECTIONS, loadSection, paramsDigest, readParamsLayout } from '../../src/groth16/params-file.ts';
import { loadProvingKey } from '../../src/groth16/proving-key.ts';
import { generateParameters, toxicFromSeed, type SetupResult } from '../../src/groth16/setup.ts';
import { parseVerifyingKey, serializeVerifyingKey } from '../../src/groth16/verifying-key.ts';
import { testBackends } from '../support/backends.ts';
import { sampleCircuit } from '../support/circuits.ts';

const backends = await testBackends();
const backend = backends[backends.length - 1]!;

describe('bellperson parameter files', () => {
  let dir: string;
  let path: string;
  let made: SetupResult;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'c2-params-'));
    path = join(dir, 'sample.params');
    made = await generateParameters(
      backend,
      sampleCircuit(7n, 12).cs.toR1cs(),
      path,
      toxicFromSeed('params'),
    );
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('the layout read back has the sections and key that were written', async () => {
    const layout = await readParamsLayout(path);
    for (const name of SECTIONS) assert.equal(layout.sections[name].count, made.counts[name], name);
    assert.deepEqual(serializeVerifyingKey(layout.vk), serializeVerifyingKey(made.vk));
    const vkBytes = serializeVerifyingKey(made.vk);
    assert.deepEqual(serializeVerifyingKey(parseVerifyingKey(vkBytes)), vkBytes);
    const head = (await readFile(path)).subarray(0, vkBytes.length);
    assert.deepEqual(new Uint8Array(head), vkBytes);
  });

  test('sections load into tables of the right size, validated', async () => {
    const layout = await readParamsLayout(path);
    for (const name of SECTIONS) {
      const t = await loadSection(backend, layout, name, true);
      assert.equal(t.length, made.counts[name]);
      backend.freeTable(t);
    }
  });

  test('the digest is the first 32 hex of BLAKE2b-512, as parameters.json has it', async () => {
    const expected = Buffer.from(blake2b(await readFile(path), { dkLen: 64 }))
      .toString('hex')
      .slice(0, 32);
    assert.equal(await paramsDigest(path), expected);
    const key = await loadProvingKey(backend, path, { digest: expected, cacheFile: join(dir, 'v.json') });
    key.free();
    await assert.rejects(
      loadProvingKey(backend, path, { digest: '0'.repeat(32), cacheFile: join(dir, 'v.json') }),
      /does not match/,
    );
  });

  test('a validated file is remembered', async () => {
    const cacheFile = join(dir, 'remember.json');
    const fresh = join(dir, 'fresh.params');
    await copyFile(path, fresh);
    const key = await loadProvingKey(backend, fresh, { cacheFile });
    key.free();
    const remembered = JSON.parse(await readFile(cacheFile, 'utf8')) as string[];
    assert.equal(remembered.length, 1);
    assert.match(remembered[0]!, /fresh\.params:\d+:\d+$/);
  });

  test('a truncated file is refused', async () => {
    const bad = join(dir, 'truncated.params');
    await copyFile(path, bad);
    await truncate(bad, (await readFile(path)).length - 10);
    await assert.rejects(readParamsLayout(bad), /truncated/);
  });

  test('trailing bytes are refused', async () => {
    const bad = join(dir, 'trailing.params');
    await copyFile(path, bad);
    await appendFile(bad, Buffer.alloc(96));
    await assert.rejects(readParamsLayout(bad), /after its last section/);
  });

  test('a corrupt point is refused, naming the section', async () => {
    const bad = join(dir, 'corrupt.params');
    await copyFile(path, bad);
    const layout = await readParamsLayout(bad);
    const fh = await open(bad, 'r+');
    // Flip a bit in the x coordinate of l's third point: off the curve (or out of the subgroup).
    const at = layout.sections.l.offset + 2 * 96 + 40;
    const b = Buffer.alloc(1);
    await fh.read(b, 0, 1, at);
    b[0] = b[0]! ^ 0x01;
    await fh.write(b, 0, 1, at);
    await fh.close();
    await assert.rejects(loadSection(backend, layout, 'l', true), /section l/);
  });

  test('a foreign file is refused', async () => {
    const bad = join(dir, 'foreign.params');
    await writeFile(bad, Buffer.from('{"not":"a parameter file"}'.repeat(100)));
    await assert.rejects(readParamsLayout(bad), /not a Groth16 key|not a valid point|too short/);
    await writeFile(bad, Buffer.alloc(10));
    await assert.rejects(readParamsLayout(bad), /truncated|too short/);
  });
});
