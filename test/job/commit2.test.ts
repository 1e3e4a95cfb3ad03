/**
 * The 2KiB Commit2 end to end, as CI runs it: our synthesis, our random parameters for that circuit, our
 * prover; the proof verifies against the key with the public inputs rust-fil-proofs derives (the oracle's
 * digest.json), and — where the oracle binary is built — bellperson's verify_seal accepts it too.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { pickBackend } from '../../src/backends/index.ts';
import { porepParamsFiles } from '../../src/groth16/parameter-cache.ts';
import { readVerifyingKeyFile } from '../../src/groth16/params-file.ts';
import { decodeProofs } from '../../src/groth16/proof.ts';
import { verifyProof } from '../../src/groth16/verify.ts';
import { ensure2KiBTestParams, testParamsDir } from '../../src/job/test-params.ts';
import { ParamsNotFoundError, runCommit2 } from '../../src/job/commit2.ts';
import { createSynthesisPool } from '../../src/job/synthesis.ts';
import { dropDensityMaps, hasDensityMaps } from '../support/r1cs-files.ts';
import { synthesize } from '../../src/circuit/synthesis-task.ts';
import { Commit2InputError, parseCommit2Input } from '../../src/porep/commit2-input.ts';
import { structureShape, structureSlot } from '../../src/job/structure-cache.ts';
import { StructureKeeper } from '../../src/job/structure-keeper.ts';
import { readR1csCounts, readR1csFile, writeR1csFile } from '../../src/groth16/r1cs-file.ts';
import { oraclePublicInputs } from '../support/fixtures.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const FIXTURES = join(ROOT, 'test/fixtures');
const ORACLE = join(ROOT, 'test/reference/target/release/c2-reference');
const { backend } = pickBackend();

const read = (f: string): string => readFileSync(join(FIXTURES, f), 'utf8');

const files = porepParamsFiles(2048, testParamsDir());

// the first job builds the 2KiB structure and caches it here; the later ones synthesize witnesses only
const structureCache = mkdtempSync(join(tmpdir(), 'c2-structure-'));
const slot = structureSlot(structureCache, parseCommit2Input(read('2kib/v1_1-t01000-s1/c2input.json')));

before(async () => {
  await ensure2KiBTestParams(backend);
});
after(() => rmSync(structureCache, { recursive: true, force: true }));

const proofs = new Map<string, string>();
// as the service keeps them: the first job's structure serves the later ones from memory
const structures = new StructureKeeper();

for (const [i, [dir, miner]] of (
  [
    ['2kib/v1_1-t01000-s1', 't01000'],
    ['2kib/synth-t01000-s1', 't01000'],
    ['2kib/v1_1-t01002-s1', 't01002'],
  ] as const
).entries()) {
  test(`${dir}: Commit2 proves, and the proof verifies with rust-fil-proofs' public inputs`, async () => {
    const cached = readR1csCounts(slot.path, slot.key) !== undefined;
    assert.equal(cached, i > 0, 'only the first job builds the structure');
    const result = await runCommit2(read(`${dir}/c2input.json`), {
      backend,
      miner,
      paramsPath: files.params,
      structureCache,
      structures,
    });
    assert.ok(readR1csCounts(slot.path, slot.key), 'the structure is cached for later jobs');
    const [kept] = structures.status();
    assert.deepEqual(
      [structures.status().length, kept!.inUse, kept!.hits],
      [1, 0, i],
      'kept in memory, idle; each later job found it there',
    );
    assert.equal(result.proof.length, 192);
    assert.equal(result.partitions, 1);
    assert.ok(result.kibPerSecond > 0 && result.stages.totalMs > 0);
    const vk = await readVerifyingKeyFile(files.vk);
    const [proof] = decodeProofs(result.proof);
    const inputs = oraclePublicInputs(dir)[0]!;
    assert.equal(verifyProof(vk, proof!, inputs), true);
    const changed = inputs.slice();
    changed[3] = changed[3]! + 1n; // the first packed challenge path
    assert.equal(verifyProof(vk, proof!, changed), false);
    proofs.set(dir, Buffer.from(result.proof).toString('hex'));
  });
}

test('the oracle (bellperson verify_seal) accepts our proofs and rejects them for another miner', (t) => {
  if (!existsSync(ORACLE)) return t.skip('oracle not built (npm run reference -- --help builds it)');
  const env = { ...process.env, FIL_PROOFS_PARAMETER_CACHE: dirname(files.vk) };
  for (const [dir, proof] of proofs) {
    const miner = dir.includes('t01002') ? 't01002' : 't01000';
    const other = miner === 't01000' ? 't01002' : 't01000';
    const file = join(FIXTURES, dir, 'c2input.json');
    const ok = spawnSync(ORACLE, ['verify', file, proof, '--miner', miner], { env, encoding: 'utf8' });
    assert.equal(ok.status, 0, `${dir}: ${ok.stdout}${ok.stderr}`);
    const bad = spawnSync(ORACLE, ['verify', file, proof, '--miner', other], { env, encoding: 'utf8' });
    assert.equal(bad.status, 1, `${dir} as ${other}: ${bad.stdout}${bad.stderr}`);
  }
});

test('on a two-thread pool the challenges are synthesized in slices, and the proof verifies', async () => {
  const dir = '2kib/v1_1-t01000-s2';
  // cached (by the tests above, or here): every partition is witness-only, so its challenges are sliced
  if (!readR1csCounts(slot.path, slot.key)) {
    const r1cs = synthesize({ job: parseCommit2Input(read(`${dir}/c2input.json`)), partition: 0 }).r1cs!;
    await writeR1csFile(slot.path, r1cs, slot.key);
  }
  // as an earlier version wrote it: this job computes the density maps and writes the file again with them
  if (hasDensityMaps(slot.path)) dropDensityMaps(slot.path);
  const pool = createSynthesisPool(2);
  const vk = await readVerifyingKeyFile(files.vk);
  try {
    // and with no structure cache, as a shape's first job: the structure is built in slices and joined
    for (const cache of [structureCache, false] as const) {
      const events: string[] = [];
      const result = await runCommit2(read(`${dir}/c2input.json`), {
        backend,
        paramsPath: files.params,
        structureCache: cache,
        pool,
        onStage: (stage) => events.push(stage),
      });
      const [proof] = decodeProofs(result.proof);
      assert.equal(verifyProof(vk, proof!, oraclePublicInputs(dir)[0]!), true, `cache ${cache}`);
      assert.deepEqual(events, ['check', 'synthesis', 'params', 'partition']);
      assert.ok(result.stages.synthesisMs > 0);
      if (cache) assert.ok(hasDensityMaps(slot.path), 'the cached file now keeps the density maps');
    }
  } finally {
    await pool.destroy();
  }
});

test('a damaged cached structure is rebuilt, and the job still returns a proof that verifies', async () => {
  const good = await readR1csFile(slot.path, slot.key);
  const { c } = good;
  // a term of C on the constant ONE: its evaluation changes whatever the witness, so proofs fail
  const terms = c.rowPtr[c.rowPtr.length - 1]!;
  const k = c.cols.subarray(0, terms).indexOf(0);
  assert.ok(k >= 0);
  const original = c.coeffIds[k]!;
  c.coeffIds[k] = original === 0 ? 1 : 0;
  await writeR1csFile(slot.path, good, slot.key);
  const dir = '2kib/v1_1-t01000-s2';
  // on a pool, as the service runs it: the structure is built again in slices there, off the event loop
  const pool = createSynthesisPool(2);
  try {
    const result = await runCommit2(read(`${dir}/c2input.json`), {
      backend,
      paramsPath: files.params,
      structureCache,
      pool,
    });
    const [proof] = decodeProofs(result.proof);
    assert.equal(
      verifyProof(await readVerifyingKeyFile(files.vk), proof!, oraclePublicInputs(dir)[0]!),
      true,
    );
  } finally {
    await pool.destroy();
  }
  assert.equal((await readR1csFile(slot.path, slot.key)).c.coeffIds[k], original, 'the file is rebuilt');
});

test('a damaged kept structure is let go and rebuilt, and the job still returns a proof that verifies', async () => {
  const dir = '2kib/v1_1-t01000-s1';
  const shape = structureShape(parseCommit2Input(read(`${dir}/c2input.json`)));
  const lease = structures.acquire(shape, 2048);
  assert.ok(lease, 'kept by the first tests');
  const damaged = lease.r1cs;
  lease.release();
  const { c } = damaged;
  const k = c.cols.subarray(0, c.rowPtr[c.rowPtr.length - 1]!).indexOf(0);
  c.coeffIds[k] = c.coeffIds[k] === 0 ? 1 : 0;
  const result = await runCommit2(read(`${dir}/c2input.json`), {
    backend,
    paramsPath: files.params,
    structureCache: false,
    structures,
  });
  const [proof] = decodeProofs(result.proof);
  assert.equal(verifyProof(await readVerifyingKeyFile(files.vk), proof!, oraclePublicInputs(dir)[0]!), true);
  const now = structures.acquire(shape, 2048)!;
  assert.notEqual(now.r1cs, damaged, 'the rebuilt structure is kept in its place');
  now.release();
});

test('an input sealed for another miner is refused before any proving', async () => {
  await assert.rejects(
    runCommit2(read('2kib/v1_1-t01000-s1/c2input.json'), {
      backend,
      miner: 't01002',
      paramsPath: files.params,
    }),
    (e: unknown) =>
      e instanceof Commit2InputError && /replica_id/.test(e.message) && /t01002/.test(e.message),
  );
});

test('a tampered vanilla proof is refused with where it is wrong', async () => {
  const envelope = JSON.parse(read('2kib/v1_1-t01000-s1/c2input.json')) as { Phase1Out: string };
  const p1 = JSON.parse(Buffer.from(envelope.Phase1Out, 'base64').toString('utf8')) as {
    vanilla_proofs: Record<
      string,
      { replica_column_proofs: { drg_parents: { column: { rows: number[][] } }[] } }[][]
    >;
  };
  const proof = Object.values(p1.vanilla_proofs)[0]![0]![1]!;
  const row = proof.replica_column_proofs.drg_parents[2]!.column.rows[0]!;
  row[0] = (row[0]! + 1) % 256;
  envelope.Phase1Out = Buffer.from(JSON.stringify(p1)).toString('base64');
  await assert.rejects(
    runCommit2(JSON.stringify(envelope), { backend, paramsPath: files.params }),
    (e: unknown) => e instanceof Commit2InputError && /challenge 1/.test(e.message),
  );
});

test('missing parameters are reported before any synthesis, naming the file', async () => {
  const t0 = performance.now();
  await assert.rejects(
    runCommit2(read('2kib/v1_1-t01000-s1/c2input.json'), { backend, paramsPath: '/nonexistent/x.params' }),
    (e: unknown) => e instanceof ParamsNotFoundError && e.message.includes('/nonexistent/x.params'),
  );
  assert.ok(performance.now() - t0 < 5000);
});
