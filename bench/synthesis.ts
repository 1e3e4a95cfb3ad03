/**
 * node bench/synthesis.ts [--quick] (also run by `npm run bench`): StackedDRG circuit synthesis of one
 * partition, ours beside bellperson's (the reference oracle's `synth`, rust-fil-proofs' circuit into a
 * ProvingAssignment-like constraint system), on the same Commit2 input, in the same run. Each measurement
 * runs in a fresh process so that peak RSS is its own. Writes bench/results/synthesis.{json,md}.
 *
 * Ours, four cases:
 * - first: the first partition of a shape: full synthesis (structure + witness), then the A, B, C
 *   evaluations as the prover makes them (r1cs.ts `assign`, native sparse products); writes the structure file.
 * - sliced: the same as a Commit2 job builds it: the structure and witness in slices of the challenges on a
 *   synthesis pool of one thread per core, joined there (job/synthesis.ts), then the same A, B, C.
 * - steady: a later partition of that shape with the structure in memory (read from that file), witness-only
 *   synthesis plus the same A, B, C evaluations: like for like with bellperson's synthesis.
 * - witness: what a Commit2 job does once the structure is cached on disk: witness-only synthesis knowing the
 *   counts, A, B, C left to the prover's quotient.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const P32G = 130_278_541;
const ORACLE = 'test/reference/target/release/c2-reference';
const SELF = fileURLToPath(import.meta.url);

interface ChildResult {
  mode: Mode;
  constraints: number;
  aux: number;
  /** The compact witness synthesis hands the prover. */
  witnessBytes: number;
  /** Best over the repetitions, seconds. */
  synthesisS: number;
  assignS: number;
  reps: number;
  peakRssKib: number;
  /** The backend that evaluated A, B, C. */
  backend: string;
}

// ----- child: one measurement in its own process

type Mode = 'first' | 'sliced' | 'steady' | 'witness';

async function child(file: string, mode: Mode, structurePath: string, reps: number): Promise<void> {
  const { parseCommit2Input } = await import('../src/porep/commit2-input.ts');
  const { synthesize } = await import('../src/circuit/synthesis-task.ts');
  const { createSynthesisPool, synthesizeAll } = await import('../src/job/synthesis.ts');
  const { assign, densities } = await import('../src/groth16/r1cs.ts');
  const { readR1csCounts, readR1csFile, writeR1csFile } = await import('../src/groth16/r1cs-file.ts');
  const { expandWitnessAsync, witnessBytes } = await import('../src/groth16/witness.ts');
  const { createCpuBackend } = await import('../src/backends/cpu/index.ts');
  const backend = createCpuBackend();
  const job = parseCommit2Input(readFileSync(file, 'utf8'));
  // steady: the structure in memory (like-for-like with bellperson, which holds A, B, C); witness: only
  // its counts, as a Commit2 job synthesizes when the structure is cached on disk
  const structure = mode === 'steady' ? await readR1csFile(structurePath, 'bench') : undefined;
  const builds = mode === 'first' || mode === 'sliced';
  const known = builds ? undefined : readR1csCounts(structurePath, 'bench');
  if (!builds && !known) throw new Error(`${mode}: no structure at ${structurePath}`);
  const threads = cpus().length;
  // started here, as a service starts its threads for its first job
  const pool = mode === 'sliced' ? createSynthesisPool(threads) : undefined;
  const dens = structure ? densities(structure) : undefined;
  // each repetition stands for one partition, whose buffers a prover drops before the next: collect
  // them so that V8's lazy collection of large ArrayBuffers does not put two partitions into one peak
  const gc = (globalThis as { gc?: () => void }).gc;
  let synthesisS = Infinity;
  let assignS = Infinity;
  let last = { constraints: 0, aux: 0, witnessBytes: 0 };
  // One repetition in its own function: a loop body inside this async function would leave its buffers in
  // the suspended frame's registers across the next repetition's awaits, out of the collector's reach.
  const rep = async (): Promise<void> => {
    let t = performance.now();
    const part = pool
      ? (await synthesizeAll(job, pool, undefined, { slices: threads }))[0]!
      : synthesize({ job, partition: 0, known });
    synthesisS = Math.min(synthesisS, (performance.now() - t) / 1000);
    if ((part.r1cs === undefined) === builds) throw new Error(`${mode}: unexpected synthesis path`);
    last = {
      constraints: part.counts.numConstraints,
      aux: part.counts.numAux,
      witnessBytes: witnessBytes(part.witness),
    };
    if (mode === 'witness') return;
    const r1cs = (part.r1cs ?? structure)!;
    t = performance.now();
    await assign(backend, r1cs, part.inputs, await expandWitnessAsync(part.witness), dens ?? densities(r1cs));
    assignS = Math.min(assignS, (performance.now() - t) / 1000);
    if (mode === 'first') await writeR1csFile(structurePath, r1cs, 'bench');
  };
  for (let i = 0; i < (builds ? 1 : reps); i++) {
    gc?.();
    await new Promise((r) => setTimeout(r, 50)); // lets freed backing stores be swept off-thread
    await rep();
  }
  await pool?.destroy();
  const result: ChildResult = {
    mode,
    ...last,
    synthesisS,
    assignS: mode === 'witness' ? 0 : assignS,
    reps: builds ? 1 : reps,
    peakRssKib: process.resourceUsage().maxRSS,
    backend: backend.name,
  };
  process.stdout.write(JSON.stringify(result) + '\n');
}

// ----- parent

interface Bellperson {
  constraints: number;
  aux: number;
  synthesisS: number;
  peakRssKib: number;
}

function bellperson(file: string, reps: number): Bellperson | { error: string } {
  if (!existsSync(ORACLE)) return { error: `${ORACLE} is not built` };
  let best: Bellperson | undefined;
  for (let i = 0; i < reps; i++) {
    let out: string;
    try {
      out = execFileSync(ORACLE, ['synth', file, '--partition', '0'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        maxBuffer: 1 << 24,
      });
    } catch (e) {
      return { error: `c2-reference synth failed: ${String((e as Error).message).split('\n')[0]}` };
    }
    const j = JSON.parse(out.slice(out.indexOf('{'))) as {
      partitions: { partition: number; constraints: number; aux: number; synthesis_seconds: number }[];
      peak_rss_kib: number;
    };
    const p = j.partitions[0]!;
    const r = {
      constraints: p.constraints,
      aux: p.aux,
      synthesisS: p.synthesis_seconds,
      peakRssKib: j.peak_rss_kib,
    };
    if (!best || r.synthesisS < best.synthesisS)
      best = { ...r, peakRssKib: Math.max(r.peakRssKib, best?.peakRssKib ?? 0) };
  }
  return best!;
}

function runChild(file: string, mode: Mode, structurePath: string, reps: number): ChildResult {
  const out = execFileSync(
    process.execPath,
    ['--expose-gc', SELF, '--child', mode, file, structurePath, String(reps)],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 1 << 24,
    },
  );
  return JSON.parse(out.trim().split('\n').pop()!) as ChildResult;
}

interface Row {
  fixture: string;
  constraints: number;
  bellperson: Bellperson | { error: string };
  first: ChildResult;
  sliced: ChildResult;
  steady: ChildResult;
  witness: ChildResult;
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const fixtures = quick
    ? ['test/fixtures/2kib/v1_1-t01000-s1']
    : ['test/fixtures/2kib/v1_1-t01000-s1', 'test/fixtures/8mib/v1_1-t01000-s1'];
  const reps = quick ? 1 : 2;
  const rows: Row[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'c2-synth-bench-'));
  try {
    for (const fixture of fixtures) {
      const file = `${fixture}/c2input.json`;
      const structurePath = join(dir, 'structure.r1cs');
      console.error(`# ${fixture}: bellperson`);
      const bp = bellperson(file, reps);
      console.error(bp);
      console.error(`# ${fixture}: ours, first partition (structure + witness)`);
      // the first of a shape runs once a process: best of `reps` processes
      const best = (mode: Mode): ChildResult => {
        let r = runChild(file, mode, structurePath, 1);
        for (let i = 1; i < reps; i++) {
          const again = runChild(file, mode, structurePath, 1);
          if (again.synthesisS + again.assignS < r.synthesisS + r.assignS) r = again;
        }
        console.error(r);
        return r;
      };
      const first = best('first');
      console.error(`# ${fixture}: ours, first partition in slices on ${cpus().length} threads`);
      const sliced = best('sliced');
      console.error(`# ${fixture}: ours, steady state (cached structure, witness only)`);
      const steady = runChild(file, 'steady', structurePath, reps + 1);
      console.error(steady);
      console.error(`# ${fixture}: ours, as Commit2 synthesizes (structure cached on disk, witness only)`);
      const witness = runChild(file, 'witness', structurePath, reps + 1);
      console.error(witness);
      rows.push({
        fixture: fixture.replace('test/fixtures/', ''),
        constraints: first.constraints,
        bellperson: bp,
        first,
        sliced,
        steady,
        witness,
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const threads = cpus().length;
  const machine = `${threads} x ${cpus()[0]?.model ?? 'cpu'}`;
  const date = new Date().toISOString();
  const summary = rows.map((r) => {
    const bp = 'error' in r.bellperson ? undefined : r.bellperson;
    const perSec = (s: number): number => r.constraints / s;
    const proj = (s: number): number => (P32G / r.constraints) * s;
    const projGib = (kib: number): number => ((P32G / r.constraints) * kib) / 1024 / 1024;
    /** One of our rows: synthesis plus the A, B, C evaluation, against bellperson's whole synthesis. */
    const ours = (synthesisS: number, assignS: number, peakRssKib: number) => {
      const seconds = synthesisS + assignS;
      return {
        synthesisSeconds: synthesisS,
        assignSeconds: assignS,
        seconds,
        constraintsPerSecond: perSec(seconds),
        peakRssMib: peakRssKib / 1024,
        speedupVsBellperson: bp ? bp.synthesisS / seconds : null,
        memoryRatioVsBellperson: bp ? peakRssKib / bp.peakRssKib : null,
        projected32GiBSeconds: proj(seconds),
        projected32GiBPeakGib: projGib(peakRssKib),
      };
    };
    return {
      fixture: r.fixture,
      constraints: r.constraints,
      bellperson: bp
        ? {
            seconds: bp.synthesisS,
            constraintsPerSecond: perSec(bp.synthesisS),
            peakRssMib: bp.peakRssKib / 1024,
            projected32GiBSeconds: proj(bp.synthesisS),
            projected32GiBPeakGib: projGib(bp.peakRssKib),
          }
        : { error: (r.bellperson as { error: string }).error },
      first: ours(r.first.synthesisS, r.first.assignS, r.first.peakRssKib),
      sliced: ours(r.sliced.synthesisS, r.sliced.assignS, r.sliced.peakRssKib),
      steady: ours(r.steady.synthesisS, r.steady.assignS, r.steady.peakRssKib),
      // as a Commit2 job runs it: the witness here, A, B, C later inside the prover's quotient (their
      // evaluation time, measured in the steady child, is counted here too)
      witness: {
        ...ours(r.witness.synthesisS, r.steady.assignS, r.witness.peakRssKib),
        witnessMib: r.witness.witnessBytes / 2 ** 20,
        bellpersonAssignmentMib: ((3 * r.constraints + r.witness.aux) * 32) / 2 ** 20,
      },
      backend: r.first.backend,
    };
  });
  await mkdir('bench/results', { recursive: true });
  await writeFile(
    'bench/results/synthesis.json',
    JSON.stringify({ machine, date, quick, rows, summary }, null, 1),
  );

  const f = (x: number | null | undefined, d = 2): string => (x == null ? '-' : x.toFixed(d));
  const md = [
    '# StackedDRG synthesis of one partition: ours vs bellperson (same machine, same run)',
    '',
    `Machine: ${machine}. Date: ${date}. Written by \`node bench/synthesis.ts${quick ? ' --quick' : ''}\` (\`npm run bench\`).`,
    'Each figure comes from its own fresh process; time is the best of the repetitions, peak RSS is the',
    "process' maximum resident set (bellperson: VmHWM of the oracle; ours: `process.resourceUsage().maxRSS`).",
    '',
    '| fixture | constraints | what | seconds | constraints/s | peak RSS (MiB) | speedup vs bellperson | RSS / bellperson | 32GiB partition: seconds | 32GiB: peak GiB (linear) |',
    '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const s of summary) {
    const bp = 'error' in s.bellperson ? undefined : s.bellperson;
    md.push(
      bp
        ? `| ${s.fixture} | ${s.constraints} | bellperson | ${f(bp.seconds)} | ${f(bp.constraintsPerSecond, 0)} | ${f(bp.peakRssMib, 0)} | 1.00 | 1.00 | ${f(bp.projected32GiBSeconds, 0)} | ${f(bp.projected32GiBPeakGib, 1)} |`
        : `| ${s.fixture} | ${s.constraints} | bellperson | ${(s.bellperson as { error: string }).error} | | | | | | |`,
    );
    for (const [name, x] of [
      ['ours, first partition (structure + witness + A/B/C)', s.first],
      [`ours, first partition as a job builds it (in slices on ${threads} threads)`, s.sliced],
      ['ours, steady state, like for like (structure in memory, witness + A/B/C)', s.steady],
      [
        'ours, as Commit2 synthesizes (structure cached on disk: witness only; A/B/C in the prover)',
        s.witness,
      ],
    ] as const) {
      md.push(
        `| ${s.fixture} | ${s.constraints} | ${name} | ${f(x.seconds)} (synth ${f(x.synthesisSeconds)} + A/B/C ${f(x.assignSeconds)}) | ${f(x.constraintsPerSecond, 0)} | ${f(x.peakRssMib, 0)} | ${f(x.speedupVsBellperson)} | ${f(x.memoryRatioVsBellperson)} | ${f(x.projected32GiBSeconds, 0)} | ${f(x.projected32GiBPeakGib, 1)} |`,
      );
    }
  }
  md.push('', 'The goal (>= 2x faster than bellperson, < 0.5x its peak RSS), per fixture:', '');
  for (const s of summary) {
    const bp = 'error' in s.bellperson ? undefined : s.bellperson;
    const w = s.witness;
    const met = bp && w.speedupVsBellperson! >= 2 && w.memoryRatioVsBellperson! < 0.5;
    md.push(
      `- ${s.fixture}: as Commit2 synthesizes, ${f(w.speedupVsBellperson)}x faster (witness ${f(w.synthesisSeconds)} s + A/B/C ${f(w.assignSeconds)} s) with ${f(w.memoryRatioVsBellperson)}x the peak RSS: **${met ? 'met' : 'not met'}**. What a partition leaves for the prover: our compact witness ${f(w.witnessMib, 1)} MiB against bellperson's A, B, C and aux vectors ${f(w.bellpersonAssignmentMib, 0)} MiB.`,
    );
  }
  md.push(
    '',
    'What each number includes:',
    '',
    "- **bellperson**: the oracle's `c2-reference synth FILE --partition 0`: rust-fil-proofs' StackedCircuit",
    '  synthesized into a prover-style constraint system (A, B, C evaluated per constraint as it goes, densities,',
    '  assignments), single-threaded, timed around `circuit.synthesize` only (circuit construction from the C1',
    '  output excluded). Peak RSS is the whole oracle process (C1 output parsed, circuits built, one synthesized).',
    '- **ours, first partition**: a full synthesis (`synthesize` in src/circuit/synthesis-task.ts: structure in',
    '  typed arrays + witness, R1CS copied into SharedArrayBuffers for the structure cache) plus `assign`',
    `  (src/groth16/r1cs.ts: A, B, C in one fused pass, evaluateR1cs of the ${summary[0]?.backend ?? '?'} backend).`,
    '  Input parsing is excluded. Peak RSS is the whole Node process (runtime, parsed input, structure, witness, A/B/C).',
    '- **ours, first partition as a job builds it**: the same partition as `runCommit2` builds it when the shape',
    '  has no cached structure (src/job/synthesis.ts): the structure and witness in slices of the challenges on a',
    '  synthesis pool of one thread per core, joined on the pool (src/circuit/structure-join.ts), then the same',
    "  `assign`, the pool's threads started with it. Wall time on all cores,",
    "  against bellperson's one thread (its synthesis of a partition is single-threaded); its 32GiB projection",
    '  assumes as many threads, while a 32GiB partition has 18 challenges to slice.',
    '- **ours, steady state, like for like**: every partition after the first of a shape, in a process that holds',
    '  the structure (read from the file the first child wrote, before timing): witness-only synthesis (gadgets',
    '  compute values; `enforce` stores nothing) into the compact witness, expanded, plus the same `assign`, so',
    "  that A, B, C exist as bellperson's do. Garbage is collected before each repetition (one partition's buffers",
    '  are dropped before the next, as a prover does).',
    "- **ours, as Commit2 synthesizes**: what `runCommit2` does once the shape's structure is in the structure",
    '  cache (src/job/structure-cache.ts): witness-only synthesis into the compact witness (bits in a bitset, other',
    '  values 32 bytes: src/groth16/witness.ts), knowing only the counts. The structure is not in memory while',
    '  partitions are synthesized; the prover reads it and evaluates A, B, C inside its quotient (quotientR1cs),',
    '  so they never exist as vectors. The seconds add that evaluation (the like-for-like A/B/C time) to be fair',
    '  to bellperson, whose synthesis includes it.',
    '- **32GiB projection**: linear in constraints (130,278,541 per 32GiB partition): seconds x 130,278,541 /',
    '  constraints, and the same factor on the whole peak RSS (crude: the fixed Node/oracle runtime is scaled too,',
    '  which favours neither side much at these sizes).',
    '- The machine is shared (2 cores, other jobs running): absolute times are noisy, the ratios within one run',
    '  are the figure to read.',
    '',
  );
  await writeFile('bench/results/synthesis.md', md.join('\n'));
  console.log(md.join('\n'));
}

if (process.argv[2] === '--child') {
  const [, , , mode, file, structurePath, reps] = process.argv;
  await child(file!, mode as Mode, structurePath!, Number(reps));
} else {
  await main();
}
