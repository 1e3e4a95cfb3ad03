/**
 * node bench/commit2.ts : the whole 2KiB Commit2, ours (`c2prover prove`) beside bellperson's
 * (the oracle's `prove` = filecoin_proofs_api::seal_commit_phase2), on the same input and the same
 * parameter file (our random parameters carry the production name and bellperson's format, so
 * bellperson loads them as it would the real ones), in the same run, each in its own process.
 * Writes bench/results/commit2.{json,md}.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pickBackend } from '../src/backends/index.ts';
import { ensure2KiBTestParams } from '../src/job/test-params.ts';

const ORACLE = 'test/reference/target/release/c2-reference';
const FILE = 'test/fixtures/2kib/v1_1-t01000-s1/c2input.json';
const TIME = '/usr/bin/time';

interface Run {
  who: string;
  wallS: number;
  peakRssMiB: number;
  printed: string;
  stages?: string;
}

/** Runs a command under GNU time for its peak RSS; returns stdout, stderr and the figures. */
function timed(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): { out: string; err: string; wallS: number; rss: number } {
  const hasTime = existsSync(TIME);
  const t0 = performance.now();
  const r = hasTime
    ? spawnSync(TIME, ['-f', 'C2_PEAK_RSS_KB=%M', cmd, ...args], {
        env,
        encoding: 'utf8',
        maxBuffer: 1 << 26,
      })
    : spawnSync(cmd, args, { env, encoding: 'utf8', maxBuffer: 1 << 26 });
  const wallS = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  const m = /C2_PEAK_RSS_KB=(\d+)/.exec(r.stderr);
  return { out: r.stdout, err: r.stderr, wallS, rss: m ? Number(m[1]) / 1024 : NaN };
}

async function main(): Promise<void> {
  const files = await ensure2KiBTestParams(pickBackend().backend, (dir) =>
    console.error(`making 2KiB test parameters in ${dir}`),
  );
  const runs: Run[] = [];

  // twice, on an empty structure cache: the first Commit2 of a size builds the circuit structure and keeps
  // it; every later one (the steady state of a prover) synthesizes witnesses only
  const structureDir = mkdtempSync(join(tmpdir(), 'c2-bench-structure-'));
  let ours!: ReturnType<typeof timed>;
  try {
    for (const which of ['first of its size: structure built', 'later: structure cached'] as const) {
      ours = timed(process.execPath, ['src/cli.ts', 'prove', FILE, '--params', files.params], {
        ...process.env,
        C2_STRUCTURE_CACHE: structureDir,
      });
      runs.push({
        who: `c2prover (CPU backend), ${which}`,
        wallS: ours.wallS,
        peakRssMiB: ours.rss,
        printed: ours.out.split('\n').find((l) => l.startsWith('seal:')) ?? '',
        stages: ours.err.split('\n').find((l) => l.startsWith('stages')) ?? '',
      });
    }
  } finally {
    rmSync(structureDir, { recursive: true, force: true });
  }
  const proof = /proof: ([0-9a-f]+)/.exec(ours.out)![1]!;

  if (existsSync(ORACLE)) {
    const env = { ...process.env, FIL_PROOFS_PARAMETER_CACHE: dirname(files.params) };
    const bp = timed(ORACLE, ['prove', FILE], env);
    runs.push({
      who: 'bellperson 0.27 (filecoin-proofs-api seal_commit_phase2, CPU)',
      wallS: bp.wallS,
      peakRssMiB: bp.rss,
      printed: bp.out.split('\n').find((l) => l.startsWith('seal:')) ?? '',
    });
    // The judge: bellperson's verify_seal on our proof.
    execFileSync(ORACLE, ['verify', FILE, proof], { env, stdio: 'ignore' });
  } else
    console.error(
      'oracle not built: bellperson column left out (bash test/reference/run.sh --help builds it)',
    );

  mkdirSync('bench/results', { recursive: true });
  const date = new Date().toISOString();
  writeFileSync('bench/results/commit2.json', JSON.stringify({ date, file: FILE, runs }, null, 1) + '\n');
  const bp = runs.find((r) => r.who.startsWith('bellperson'));
  const ourRuns = runs.filter((r) => r.stages !== undefined);
  const md = [
    '# 2KiB Commit2, whole, ours beside bellperson',
    '',
    `Machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}. Date: ${date}. Written by \`node bench/commit2.ts\`.`,
    `Same input (${FILE}), same parameter file (our random 2KiB parameters), each in its own process;`,
    'wall time includes loading the parameters (already validated: ours remembers it), synthesis, proving and',
    'the final verification. Our proof was checked by bellperson verify_seal in the same run.',
    '',
    '| prover | wall (s) | peak RSS (MiB) | printed |',
    '| --- | ---: | ---: | --- |',
    ...runs.map(
      (r) => `| ${r.who} | ${r.wallS.toFixed(1)} | ${r.peakRssMiB.toFixed(0)} | \`${r.printed}\` |`,
    ),
    '',
    ...(bp
      ? ourRuns.map((r) => `Speedup (bellperson wall / ours, ${r.who}): ${(bp.wallS / r.wallS).toFixed(2)}.`)
      : []),
    '',
    ...ourRuns.map((r) => `Our stages (${r.who}): ${r.stages}`),
    '',
  ];
  writeFileSync('bench/results/commit2.md', md.join('\n'));
  console.log(md.join('\n'));
}

await main();
