/**
 * node bench/synthesis-rate.ts [--fixture DIR] [--seconds S] [--out FILE.json] : this machine's
 * steady-state witness synthesis rate, in constraints per second over every synthesis thread, as a job
 * whose shape's structure is known synthesizes (startSynthesis with the counts: witness-only, in
 * challenge slices). Jobs of the fixture run side by side, as many as the pool has threads, until S
 * seconds have passed; the pool is warmed first (a cold thread's first task loads modules and JITs).
 * Prints the rate alone on the last line: bench/device/run.sh feeds it to the 32GiB projection.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseCommit2Input } from '../src/porep/commit2-input.ts';
import { createSynthesisPool, synthesizeAll } from '../src/job/synthesis.ts';
import { synthesize } from '../src/circuit/synthesis-task.ts';

const { values: opt } = parseArgs({
  options: {
    fixture: { type: 'string', default: 'test/fixtures/8mib/v1_1-t01000-s1' },
    seconds: { type: 'string', default: '10' },
    out: { type: 'string' },
  },
});
const job = parseCommit2Input(readFileSync(`${opt.fixture}/c2input.json`, 'utf8'));
const known = synthesize({ job, partition: 0, witnessOnly: true }).counts;
const pool = createSynthesisPool();
const threads = pool.options.maxThreads;
try {
  const round = () => Promise.all(Array.from({ length: threads }, () => synthesizeAll(job, pool, known)));
  await round(); // warm every thread
  const t0 = performance.now();
  let constraints = 0;
  let rounds = 0;
  while (performance.now() - t0 < Number(opt.seconds) * 1000 || rounds < 2) {
    for (const parts of await round()) for (const p of parts) constraints += p.counts.numConstraints;
    rounds++;
  }
  const s = (performance.now() - t0) / 1000;
  const rate = Math.round(constraints / s);
  const result = {
    fixture: opt.fixture,
    threads,
    rounds,
    jobs: rounds * threads,
    constraintsPerJob: known.numConstraints * job.partitions.length,
    seconds: s,
    constraintsPerSecond: rate,
    // a 32GiB Commit2: 10 partitions of 130,278,541 constraints
    projected32GiBSeconds: (10 * 130278541) / rate,
  };
  console.error(JSON.stringify(result));
  if (opt.out) writeFileSync(opt.out, `${JSON.stringify(result, null, 1)}\n`);
  console.log(rate);
} finally {
  await pool.destroy();
}
