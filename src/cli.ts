/**
 * c2prover's command line: `prove FILE` does what `lotus-bench prove` does (Commit2 of a saved Commit2In),
 * `params` makes test parameters for a sector size, `verify` checks proofs against a .vk, `prove-dump`
 * proves a circuit dumped by the reference oracle.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pickBackend } from './backends/index.ts';
import { readDumpedAssignment } from './groth16/dump.ts';
import { createSynthesisPool, runCommit2 } from './job/commit2.ts';
import { defaultStructureCacheDir } from './job/structure-cache.ts';
import { FIXTURE_2KIB, ensure2KiBTestParams, generateTestParams } from './job/test-params.ts';
import { readVerifyingKeyFile } from './groth16/params-file.ts';
import { decodeProofs, encodeProofs, type Proof } from './groth16/proof.ts';
import { prove, type StageTimes } from './groth16/prove.ts';
import { loadProvingKey } from './groth16/proving-key.ts';
import { verifyProof } from './groth16/verify.ts';

const USAGE = `usage: c2prover <command> [options]
  info                                   the backend this machine gets, and why better ones were passed over
  demo                                   Commit2 of the 2KiB fixture with test parameters (made on first use)
  prove FILE [--miner t01000] [--params FILE] [--no-validate] [--production-params]
                                         Commit2 of a Commit2In (lotus-bench --save-commit2-input); prints the proof
  params FILE [--out DIR] [--seed S]     random (test) Groth16 parameters for FILE's circuit, under the
                                         production name in DIR (default FIL_PROOFS_PARAMETER_CACHE)
  prove-dump --params FILE --dump DIR    prove an oracle dump (DIR/p0, p1, ...); prints the proof hex
             [--sector-size BYTES] [--no-validate]
  verify --vk FILE --inputs FILE.json --proof HEX
                                         verify proofs (192 bytes per partition); inputs: {"partitions": [[hex, ...], ...]}
Environment: C2_BACKEND=cpu forces a backend; FIL_PROOFS_PARAMETER_CACHE holds the parameters;
C2_STRUCTURE_CACHE holds the circuit structures (one per sector size, made by its first Commit2; empty: none).`;

async function partitions(dir: string): Promise<string[]> {
  const names = (await readdir(dir)).filter((d) => /^p\d+$/.test(d));
  names.sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
  if (names.length === 0) throw new Error(`${dir} holds no partition folders (p0, p1, ...)`);
  return names.map((n) => join(dir, n));
}

async function info(): Promise<void> {
  const { backend, skipped } = pickBackend();
  for (const s of skipped) console.log(`skipped ${s.name}: ${s.reason}`);
  console.log(`backend: ${backend.name}`);
  console.log(
    `circuit structures: ${defaultStructureCacheDir() ?? 'not kept (C2_STRUCTURE_CACHE is empty)'}`,
  );
}

async function proveDump(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      params: { type: 'string' },
      dump: { type: 'string' },
      'sector-size': { type: 'string' },
      'no-validate': { type: 'boolean', default: false },
    },
  });
  if (!values.params || !values.dump) throw new Error('prove-dump needs --params and --dump');
  const { backend } = pickBackend();
  const pk = await loadProvingKey(backend, values.params, { validate: !values['no-validate'] });
  const times: StageTimes = { quotientMs: 0, msmG1Ms: 0, msmG2Ms: 0 };
  const t0 = performance.now();
  const proofs: Proof[] = [];
  for (const dir of await partitions(values.dump))
    proofs.push(await prove(backend, pk, await readDumpedAssignment(dir), {}, times));
  const secs = (performance.now() - t0) / 1000;
  pk.free();
  console.log(`proof: ${Buffer.from(encodeProofs(proofs)).toString('hex')}`);
  const size = Number(values['sector-size'] ?? 0);
  const rate = size > 0 ? ` (${(size / 1024 / secs).toFixed(3)} KiB/s)` : '';
  console.log(`seal: commit phase 2: ${secs.toFixed(3)}s${rate}`);
  console.error(
    `stages: quotient ${times.quotientMs.toFixed(0)} ms, G1 MSMs ${times.msmG1Ms.toFixed(0)} ms, G2 MSMs ${times.msmG2Ms.toFixed(0)} ms`,
  );
}

/** lotus' types.SizeStr: binary units, four significant digits. */
function sizeStr(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (bytes >= 1024 && i < units.length - 1) {
    bytes /= 1024;
    i++;
  }
  return `${Number(bytes.toPrecision(4))} ${units[i]}`;
}

async function proveCommit2(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      miner: { type: 'string', default: 't01000' },
      params: { type: 'string' },
      'no-validate': { type: 'boolean', default: false },
      'production-params': { type: 'boolean', default: false },
    },
  });
  if (positionals.length !== 1) throw new Error('prove needs one Commit2In file');
  const { backend } = pickBackend();
  const pool = createSynthesisPool();
  try {
    const result = await runCommit2(await readFile(positionals[0]!, 'utf8'), {
      backend,
      pool,
      miner: values.miner,
      paramsPath: values.params,
      validate: !values['no-validate'],
      productionParams: values['production-params'],
    });
    const s = result.stages;
    console.log(`proof: ${Buffer.from(result.proof).toString('hex')}`);
    console.log(
      `seal: commit phase 2: ${(s.totalMs / 1000).toFixed(9)}s (${sizeStr((result.sectorSize * 1000) / s.totalMs)}/s)`,
    );
    const stages = Object.entries(s).map(
      ([k, v]) => `${k.replace(/Ms$/, '')} ${(v as number).toFixed(0)} ms`,
    );
    console.error(`stages (${backend.name}): ${stages.join(', ')}`);
  } finally {
    await pool.destroy();
  }
}

/**
 * `npm start` until the service exists: the main job on this machine's best backend — Commit2 of a 2KiB
 * sector sealed by the oracle, with test parameters made on first use (the real ones are 1 GB downloads).
 */
async function demo(): Promise<void> {
  const { backend, skipped } = pickBackend();
  for (const s of skipped) console.error(`skipped ${s.name}: ${s.reason}`);
  console.error(`backend: ${backend.name}`);
  const files = await ensure2KiBTestParams(backend, (dir) =>
    console.error(`making 2KiB test parameters in ${dir} (once, a few minutes)`),
  );
  await proveCommit2([FIXTURE_2KIB, '--params', files.params]);
}

async function params(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { out: { type: 'string' }, seed: { type: 'string' } },
  });
  if (positionals.length !== 1)
    throw new Error('params needs one Commit2In file (its circuit shape is used)');
  const { backend } = pickBackend();
  const r = await generateTestParams(backend, await readFile(positionals[0]!, 'utf8'), {
    dir: values.out,
    seed: values.seed,
  });
  console.log(`params: ${r.params}`);
  console.log(`vk: ${r.vk}`);
  console.log(
    `constraints ${r.constraints}, inputs ${r.inputs}, aux ${r.aux}; ${(r.ms / 1000).toFixed(1)} s`,
  );
}

async function verify(args: string[]): Promise<boolean> {
  const { values } = parseArgs({
    args,
    options: { vk: { type: 'string' }, inputs: { type: 'string' }, proof: { type: 'string' } },
  });
  if (!values.vk || !values.inputs || !values.proof)
    throw new Error('verify needs --vk, --inputs and --proof');
  const vk = await readVerifyingKeyFile(values.vk);
  const proofs = decodeProofs(Buffer.from(values.proof.trim(), 'hex'));
  const parsed = JSON.parse(await readFile(values.inputs, 'utf8')) as { partitions?: unknown };
  const parts = parsed.partitions;
  if (
    !Array.isArray(parts) ||
    !parts.every((p) => Array.isArray(p) && p.every((x) => typeof x === 'string'))
  ) {
    throw new Error(`${values.inputs}: expected {"partitions": [[hex, ...], ...]}`);
  }
  if (parts.length !== proofs.length)
    throw new Error(`${proofs.length} proofs for ${parts.length} partitions`);
  return proofs.every((proof, i) =>
    verifyProof(
      vk,
      proof,
      (parts[i] as string[]).map((h) => BigInt(h)),
    ),
  );
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
    case 'info':
      await info();
      return 0;
    case 'demo':
      await demo();
      return 0;
    case 'prove':
      await proveCommit2(rest);
      return 0;
    case 'params':
      await params(rest);
      return 0;
    case 'prove-dump':
      await proveDump(rest);
      return 0;
    case 'verify': {
      const ok = await verify(rest);
      console.log(ok ? 'accepted' : 'rejected');
      return ok ? 0 : 1;
    }
    default:
      console.error(USAGE);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(`c2prover: ${(e as Error).message}`);
    process.exitCode = 2;
  },
);
