/**
 * node bench/service.ts : the service beside the CLI and bellperson, in the same run, on the same 2KiB
 * test parameters: the overhead of one Commit2 through `POST /commit2` over `c2prover prove`, and the
 * throughput of a burst of 2KiB jobs submitted at once (`POST /jobs`) against bellperson proving the same
 * sectors one after another (the oracle's seal_commit_phase2, each in its own process, as lotus-bench does).
 * Every proof is checked (verify_seal: ours here, and bellperson's on ours where the oracle is built).
 * Writes bench/results/service.{json,md}.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { existsSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pickBackend } from '../src/backends/index.ts';
import type { Commit2Response } from '../src/api/schemas.ts';
import type { JobRecord } from '../src/job/job-record.ts';
import { ensure2KiBTestParams } from '../src/job/test-params.ts';
import { verifySeal } from '../src/job/verify-seal.ts';
import { readVerifyingKeyFile } from '../src/groth16/params-file.ts';
import { parseCommit2Input } from '../src/porep/commit2-input.ts';
import { call, startServer, waitJob } from '../test/support/service.ts';

const ORACLE = 'test/reference/target/release/c2-reference';
const SINGLE = '2kib/v1_1-t01000-s1';
const BURST = ['2kib/v1_1-t01000-s2', '2kib/v1-t01000-s1', '2kib/synth-t01000-s1', '2kib/v1_1-t01002-s1'];
const minerOf = (dir: string): string => (dir.includes('t01002') ? 't01002' : 't01000');
const file = (dir: string): string => `test/fixtures/${dir}/c2input.json`;

const files = await ensure2KiBTestParams(pickBackend().backend);
const vk = await readVerifyingKeyFile(files.vk);
const check = (dir: string, proofHex: string): void => {
  const ok = verifySeal(
    vk,
    Buffer.from(proofHex, 'hex'),
    parseCommit2Input(readFileSync(file(dir), 'utf8')),
    minerOf(dir),
  );
  if (!ok) throw new Error(`${dir}: our proof does not verify`);
};
const structures = mkdtempSync(join(tmpdir(), 'c2-bench-structures-'));
const env = {
  ...process.env,
  C2_STRUCTURE_CACHE: structures,
  FIL_PROOFS_PARAMETER_CACHE: dirname(files.params),
};
const secs = (t0: number): number => (performance.now() - t0) / 1000;

// the CLI, once to build the structure, then timed with it cached (the service's steady state)
const cli = (): number => {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['src/cli.ts', 'prove', file(SINGLE), '--params', files.params], {
    env,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(r.stderr);
  check(SINGLE, /proof: ([0-9a-f]+)/.exec(r.stdout)![1]!);
  return secs(t0);
};
cli();
const cliS = cli();

const data = mkdtempSync(join(tmpdir(), 'c2-bench-data-'));
const server = await startServer({
  dataDir: data,
  structures,
  params: dirname(files.params),
  args: ['--max-queued', '64'],
});
let singleS: number, single: Commit2Response, burstS: number;
const burstJobs: JobRecord[] = [];
try {
  let t0 = performance.now();
  const r = await call<Commit2Response>(server.url, 'POST', '/commit2', readFileSync(file(SINGLE)));
  if (r.status !== 200) throw new Error(JSON.stringify(r.body));
  singleS = secs(t0);
  single = r.body;
  check(SINGLE, single.proof);

  t0 = performance.now();
  const ids: string[] = [];
  for (const dir of BURST) {
    const body = JSON.stringify({
      ...(JSON.parse(readFileSync(file(dir), 'utf8')) as object),
      Miner: minerOf(dir),
    });
    const a = await call<{ job: JobRecord }>(server.url, 'POST', '/jobs', body);
    if (a.status !== 202) throw new Error(JSON.stringify(a.body));
    ids.push(a.body.job.id);
  }
  for (const id of ids) burstJobs.push(await waitJob<JobRecord>(server.url, id));
  burstS = secs(t0);
  burstJobs.forEach((j, i) => {
    if (j.state !== 'Done') throw new Error(`${BURST[i]}: ${j.state} ${JSON.stringify(j.error)}`);
    check(BURST[i]!, j.result!.proof);
  });
} finally {
  server.proc.kill('SIGTERM');
  await server.exited;
  rmSync(data, { recursive: true, force: true });
  rmSync(structures, { recursive: true, force: true });
}

let bellpersonS: number | undefined;
if (existsSync(ORACLE)) {
  const oenv = { ...process.env, FIL_PROOFS_PARAMETER_CACHE: dirname(files.params) };
  const t0 = performance.now();
  for (const dir of BURST)
    execFileSync(ORACLE, ['prove', file(dir), '--miner', minerOf(dir)], { env: oenv, stdio: 'ignore' });
  bellpersonS = secs(t0);
  // the judge: bellperson's verify_seal on our proofs
  execFileSync(ORACLE, ['verify', file(SINGLE), single.proof], { env: oenv, stdio: 'ignore' });
  burstJobs.forEach((j, i) =>
    execFileSync(ORACLE, ['verify', file(BURST[i]!), j.result!.proof, '--miner', minerOf(BURST[i]!)], {
      env: oenv,
      stdio: 'ignore',
    }),
  );
} else
  console.error('oracle not built: bellperson column left out (bash test/reference/run.sh --help builds it)');

const date = new Date().toISOString();
const perHour = (n: number, s: number): number => (n * 3600) / s;
const result = {
  date,
  cliS,
  service: { singleClientS: singleS, singleTotalMs: single.stages.totalMs, overheadS: singleS - cliS },
  burst: {
    jobs: BURST.length,
    wallS: burstS,
    perHour: perHour(BURST.length, burstS),
    perJobS: burstJobs.map((j) => j.result!.stages.totalMs / 1000),
  },
  bellperson:
    bellpersonS === undefined ? null : { wallS: bellpersonS, perHour: perHour(BURST.length, bellpersonS) },
};
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/service.json', `${JSON.stringify(result, null, 1)}\n`);
const md = [
  '# The service: overhead beside the CLI, burst throughput beside bellperson',
  '',
  `Machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}. Date: ${date}. Written by \`node bench/service.ts\`.`,
  'Our random 2KiB parameters for all; the circuit structure cached (the steady state); the service keeps',
  'the loaded parameters between jobs, the CLI and bellperson load them in every process. Every proof verified.',
  '',
  '| run | wall (s) |',
  '| --- | ---: |',
  `| \`c2prover prove\` (CLI), one 2KiB Commit2 | ${cliS.toFixed(1)} |`,
  `| \`POST /commit2\`, one 2KiB Commit2, first job of the service (parameters loaded) | ${singleS.toFixed(1)} |`,
  `| \`POST /jobs\` × ${BURST.length} at once, until all done | ${burstS.toFixed(1)} |`,
  ...(bellpersonS === undefined
    ? []
    : [
        `| bellperson (seal_commit_phase2), the same ${BURST.length} one after another | ${bellpersonS.toFixed(1)} |`,
      ]),
  '',
  `Service overhead over the CLI (client wall − CLI wall): ${(singleS - cliS).toFixed(2)} s; the job's own total was ${(single.stages.totalMs / 1000).toFixed(1)} s.`,
  `Burst throughput: ${result.burst.perHour.toFixed(0)} 2KiB proofs/hour${bellpersonS === undefined ? '' : `; bellperson ${result.bellperson!.perHour.toFixed(0)}/hour; ratio ${(bellpersonS / burstS).toFixed(2)}`}.`,
  `Per job in the burst (the job's total, s): ${result.burst.perJobS.map((s) => s.toFixed(1)).join(', ')}.`,
  '',
];
writeFileSync('bench/results/service.md', md.join('\n'));
console.log(md.join('\n'));
