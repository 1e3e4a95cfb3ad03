/**
 * The synthesis task, except that the first call of a test (its mark file not there yet) ends its thread
 * mid-task, as a thread killed or out of memory would: the pool rejects the task, the job loses the work.
 */
import { existsSync, writeFileSync } from 'node:fs';
import task, { type SynthesisTask } from '../../src/circuit/synthesis-task.ts';

export default function dyingTask(t: SynthesisTask): ReturnType<typeof task> {
  const mark = process.env.C2_TEST_DIE_MARK;
  if (mark && !existsSync(mark)) {
    writeFileSync(mark, `died in partition ${t.partition}\n`);
    process.exit(1);
  }
  return task(t);
}
