/**
 * c2prover's command line: `serve` runs the service, `submit` and `jobs` talk to one (cli-client.ts),
 * `prove FILE` does what `lotus-bench prove` does (Commit2 of a saved Commit2In) here, `verify` checks seal
 * proofs as verify_seal does (or proofs against a .vk and inputs), `params` makes test parameters for a
 * sector size, `prove-dump` proves a circuit dumped by the reference oracle.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openBackends, pickBackend } from './backends/index.ts';
import { readDumpedAssignment } from './groth16/dump.ts';
import { runCommit2 } from './job/commit2.ts';
import { createSynthesisPool } from './job/synthesis.ts';
import { defaultStructureCacheDir } from './job/structure-cache.ts';
import { FIXTURE_2KIB, ensure2KiBTestParams, generateTestParams } from './job/test-params.ts';
import { readVerifyingKeyFile } from './groth16/params-file.ts';
import { decodeProofs, encodeProofs, type Proof } from './groth16/proof.ts';
import { prove, type StageTimes } from './groth16/prove.ts';
import { loadProvingKey } from './groth16/proving-key.ts';
import { verifyProof } from './groth16/verify.ts';
import { PRODUCTION_SECTOR_SIZES, porepParamsFiles } from './groth16/parameter-cache.ts';
import { parseCommit2Input } from './porep/commit2-input.ts';
import { normalizeMiner } from './job/runner.ts';
import { verifySeal } from './job/verify-seal.ts';
import { identifyParams, loadIdentified, sizeLabel } from './job/params-keeper.ts';
import { BackendChoice, measureProfile, profileCovers } from './job/backend-choice.ts';
import { testParamsDir } from './job/test-params.ts';
import { profileFile, serviceBackends, serviceConfig, startService } from './api/service.ts';
import { jobs, nodes, printProof, submit } from './cli-client.ts';

const USAGE = `usage: c2prover <command> [options]
  serve [--host 127.0.0.1] [--port 7070] [--token T] [--data-dir DIR] [--test-params]
        [--max-queued 64] [--max-running 1] [--memory-budget 100G]
        [--store sqlite:PATH | postgres://USER@HOST/DB] [--node NAME]
                                         the Commit2 service (POST /commit2, /lotus/commit2, /jobs; see README)
  submit FILE [--url URL] [--token T] [--miner t01000] [--async]
                                         Commit2 of a Commit2In on a running service; prints what lotus-bench prove prints
  jobs [ID] [--url URL] [--state S] [--cancel]
                                         the service's jobs, or one job with its event log
  nodes [--url URL] [--drain NAME | --undrain NAME]
                                         the nodes on the service's job store: backend, parameters, running job, heartbeat
  verify FILE PROOFHEX [--miner t01000] [--vk FILE]
                                         verify_seal: the proof of FILE's sector for the miner, the vk from the cache
  info [--data-dir DIR]                  the backends this machine has (and why others are missing), the
                                         backend each sector size goes to, and why
  calibrate [--data-dir DIR]             measure every backend's kernels here and keep the profile the
                                         service chooses by (DIR/backend-profile.json; the service measures
                                         on its first start where it has several backends)
  demo                                   Commit2 of the 2KiB fixture with test parameters (made on first use)
  prove FILE [--miner t01000] [--params FILE] [--no-validate] [--production-params]
                                         Commit2 of a Commit2In (lotus-bench --save-commit2-input); prints the proof
  params FILE [--out DIR] [--seed S]     random (test) Groth16 parameters for FILE's circuit, under the
                                         production name in DIR (default FIL_PROOFS_PARAMETER_CACHE)
  prove-dump --params FILE --dump DIR    prove an oracle dump (DIR/p0, p1, ...); prints the proof hex
             [--sector-size BYTES] [--no-validate]
  verify --vk FILE --inputs FILE.json --proof HEX
                                         verify proofs (192 bytes per partition); inputs: {"partitions": [[hex, ...], ...]}
Environment: C2_BACKEND=cpu forces a backend; C2_BACKEND_BY_SIZE=32GiB=cuda,2KiB=cpu sets it per size; FIL_PROOFS_PARAMETER_CACHE holds the parameters;
C2_STRUCTURE_CACHE holds the circuit structures (one per sector size, made by its first Commit2; empty: none);
C2_CUDA_G2=gpu|cpu places the CUDA backend's G2 MSMs; C2_WEBGPU_FR_LAYOUT=limb16|limb13|word32 the WebGPU backend's Fr limbs;
the service also reads C2_HOST, C2_PORT, C2_TOKEN, C2_DATA_DIR, C2_ALLOW_TEST_PARAMS=1, C2_MAX_QUEUED,
C2_MAX_RUNNING, C2_MEMORY_BUDGET, C2_STORE, C2_NODE, C2_LEASE_S, C2_RESULT_RETENTION_HOURS, C2_BODY_LIMIT, C2_SHUTDOWN_GRACE_S, C2_GPU_RETRY_S, C2_LOG_LEVEL;
submit and jobs read C2_URL and C2_TOKEN.`;

async function partitions(dir: string): Promise<string[]> {
  const names = (await readdir(dir)).filter((d) => /^p\d+$/.test(d));
  names.sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
  if (names.length === 0) throw new Error(`${dir} holds no partition folders (p0, p1, ...)`);
  return names.map((n) => join(dir, n));
}

async function info(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { 'data-dir': { type: 'string' } } });
  const config = serviceConfig(values);
  const backends = await serviceBackends(config, undefined, process.env, false);
  const { opened, profile } = backends;
  for (const s of opened.skipped) console.log(`unavailable ${s.name}: ${s.reason}`);
  for (const b of opened.backends) console.log(`backend: ${b.backend.name}`);
  const file = profileFile(config);
  console.log(
    !profile
      ? `profile: none at ${file}`
      : profileCovers(profile, opened)
        ? `profile: ${file}, measured ${profile.measuredAt}`
        : `profile: ${file} was measured for other backends (${profile.backends.map((b) => b.name).join('; ')}): run \`c2prover calibrate\``,
  );
  const choice = new BackendChoice(backends);
  for (const size of PRODUCTION_SECTOR_SIZES) {
    const files = [
      porepParamsFiles(size, config.paramsDir).params,
      porepParamsFiles(size, testParamsDir()).params,
    ];
    const params = files.find((f) => existsSync(f));
    if (!params) {
      console.log(`${sizeLabel(size)}: no parameters (${files[0]})`);
      continue;
    }
    const c = await choice.forJob(size, params);
    console.log(`${sizeLabel(size)}: ${c.backend.name}: ${c.why}`);
  }
  console.log(
    `circuit structures: ${defaultStructureCacheDir() ?? 'not kept (C2_STRUCTURE_CACHE is empty)'}`,
  );
}

async function calibrate(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { 'data-dir': { type: 'string' } } });
  const config = serviceConfig(values);
  const opened = openBackends(process.env.C2_BACKEND || undefined);
  for (const s of opened.skipped) console.error(`unavailable ${s.name}: ${s.reason}`);
  const profile = await measureProfile(opened, profileFile(config));
  for (const b of profile.backends) {
    const k = b.kernels;
    const rate = (f: typeof k.quotient) => {
      const last = f.points[f.points.length - 1]!;
      return `2^${Math.log2(last.n)} in ${last.ms.toFixed(1)} ms`;
    };
    console.log(
      `${b.name}: G1 MSM ${rate(k.msmG1Dense)} (PoRep-shaped ${rate(k.msmG1Porep)}), G2 MSM ${rate(k.msmG2Porep)}, quotient ${rate(k.quotient)}`,
    );
  }
  console.log(`profile: ${profileFile(config)}`);
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
  const input = await readFile(positionals[0]!, 'utf8');
  const { sectorSize } = parseCommit2Input(input).config;
  // the file is told apart by its digest: the published one is vouched for by parameters.json, any other
  // is test parameters, point-checked once (with progress) unless --no-validate
  const params = await identifyParams(
    values.params ?? porepParamsFiles(sectorSize).params,
    sectorSize,
    stderrLog,
  );
  if (values['production-params'] && params.kind !== 'production')
    throw new Error(`${params.file} is not the published parameter file (digest ${params.digest})`);
  console.error(
    params.kind === 'production'
      ? `parameters: ${params.file} (the published file: digest checked)`
      : `parameters: ${params.file} are test parameters (digest ${params.digest}): the network rejects their proofs`,
  );
  const key = loadIdentified(backend, params, stderrLog, !values['no-validate']);
  key.catch(() => undefined);
  const pool = createSynthesisPool();
  try {
    const result = await runCommit2(input, {
      backend,
      pool,
      miner: values.miner,
      provingKey: key,
    });
    const s = result.stages;
    printProof(Buffer.from(result.proof).toString('hex'), result.sectorSize, s.totalMs);
    const stages = Object.entries(s).map(
      ([k, v]) => `${k.replace(/Ms$/, '')} ${(v as number).toFixed(0)} ms`,
    );
    console.error(`stages (${backend.name}): ${stages.join(', ')}`);
  } finally {
    await key.then(
      (k) => k.free(),
      () => undefined,
    );
    await pool.destroy();
  }
}

/** Progress and notes of long steps, as lines on stderr. */
const stderrLog = {
  info: (o: object, msg: string) => console.error(`${msg} ${JSON.stringify(o)}`),
  warn: (o: object, msg: string) => console.error(`warning: ${msg} ${JSON.stringify(o)}`),
};

/**
 * The main job once, without the service, on this machine's best backend: Commit2 of a 2KiB sector sealed
 * by the oracle, with test parameters made on first use (the real ones are 1 GB downloads).
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

/** verify_seal of a Commit2In's sector: `verify FILE PROOFHEX [--miner] [--vk]`. */
async function verifySealCommand(
  file: string,
  proofHex: string,
  miner: string,
  vkPath?: string,
): Promise<boolean> {
  const job = parseCommit2Input(await readFile(file, 'utf8'));
  const vk = await readVerifyingKeyFile(vkPath ?? porepParamsFiles(job.config.sectorSize).vk);
  return verifySeal(vk, Buffer.from(proofHex.trim(), 'hex'), job, normalizeMiner(miner));
}

async function verify(args: string[]): Promise<boolean> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      vk: { type: 'string' },
      inputs: { type: 'string' },
      proof: { type: 'string' },
      miner: { type: 'string', default: 't01000' },
    },
  });
  if (positionals.length === 2)
    return verifySealCommand(positionals[0]!, positionals[1]!, values.miner, values.vk);
  if (!values.vk || !values.inputs || !values.proof)
    throw new Error('verify needs FILE PROOFHEX, or --vk, --inputs and --proof');
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

/**
 * The service, until SIGTERM or SIGINT. With --test-params it proves with test parameters where the
 * published ones are missing, and makes the 2KiB ones on first use (`npm start` does this).
 */
async function serve(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      token: { type: 'string' },
      'data-dir': { type: 'string' },
      store: { type: 'string' },
      node: { type: 'string' },
      'test-params': { type: 'boolean', default: false },
      'max-queued': { type: 'string' },
      'max-running': { type: 'string' },
      'memory-budget': { type: 'string' },
    },
  });
  const config = serviceConfig(values);
  if (config.allowTestParams && !existsSync(porepParamsFiles(2048, config.paramsDir).params)) {
    const { backend } = pickBackend();
    await ensure2KiBTestParams(backend, (dir) =>
      console.error(`making 2KiB test parameters in ${dir} (once, a few minutes)`),
    );
  }
  const service = await startService(config);
  console.error(`c2prover listening on ${service.url}`);
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      console.error(`${signal}: stopping (running jobs finish or go back to the queue)`);
      service.stop().then(resolve, (e: unknown) => {
        console.error(`c2prover: stop failed: ${(e as Error).message}`);
        resolve();
      });
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      await serve(rest);
      return 0;
    case 'submit':
      await submit(rest);
      return 0;
    case 'jobs':
      await jobs(rest);
      return 0;
    case 'nodes':
      await nodes(rest);
      return 0;
    case undefined:
    case 'info':
      await info(rest);
      return 0;
    case 'calibrate':
      await calibrate(rest);
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
