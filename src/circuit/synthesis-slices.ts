/**
 * One partition's witness synthesized in slices of its challenges, on several threads at once, then joined.
 * A 32GiB partition has 18 challenges and 130 M constraints: one thread takes ~13 s for its witness, so
 * the GPU would wait for it between partitions. Each slice synthesizes the shared prefix (replica id and
 * commitments, a few thousand variables) and its challenges; the join keeps the prefix once. The result is
 * the partition's witness, variable for variable, as one synthesis in challenge order writes it (the
 * tests compare it with rust-fil-proofs' digests).
 */
import { FR_BYTES } from '../shared/fr.ts';
import { joinWitnesses } from '../groth16/witness.ts';
import { sameCounts } from '../groth16/r1cs-file.ts';
import type { R1cs } from '../shared/r1cs.ts';
import type { ChallengeRange } from './stacked.ts';
import type { SynthesizedPartition } from './synthesis-task.ts';
import { type PlaceTask, planJoin } from './structure-join.ts';

/** `challenges` split into at most `slices` contiguous ranges, as even as they go. */
export function challengeSlices(challenges: number, slices: number): ChallengeRange[] {
  const n = Math.max(1, Math.min(challenges, Math.floor(slices)));
  const out: ChallengeRange[] = [];
  for (let i = 0; i < n; i++)
    out.push({ from: Math.floor((i * challenges) / n), to: Math.floor(((i + 1) * challenges) / n) });
  return out;
}

/** The partition from its slices, given in challenge order from challenge 0. */
export function joinSlices(parts: readonly SynthesizedPartition[]): SynthesizedPartition {
  const first = parts[0];
  if (!first?.slice) throw new Error('internal error: joinSlices needs slices');
  const prefix = first.slice.prefix;
  let next = 0;
  for (const p of parts) {
    const s = p.slice;
    // slices come from one partition's task list: anything else is a bug in the caller
    if (!s || p.partition !== first.partition || s.challenges.from !== next)
      throw new Error(`internal error: slices of partition ${first.partition} out of order`);
    if (!sameCounts(s.prefix, prefix))
      throw new Error(`internal error: slices of partition ${first.partition} disagree on the prefix`);
    next = s.challenges.to;
  }
  const rest = parts.slice(1);
  const inputsFrom = prefix.numInputs * FR_BYTES;
  const inputs = new Uint8Array(
    first.inputs.length + rest.reduce((n, p) => n + p.inputs.length - inputsFrom, 0),
  );
  inputs.set(first.inputs);
  let at = first.inputs.length;
  for (const p of rest) {
    inputs.set(p.inputs.subarray(inputsFrom), at);
    at += p.inputs.length - inputsFrom;
  }
  const more = (key: 'numInputs' | 'numAux' | 'numConstraints'): number =>
    rest.reduce((n, p) => n + p.counts[key] - prefix[key], 0);
  return {
    partition: first.partition,
    counts: {
      numInputs: first.counts.numInputs + more('numInputs'),
      numAux: first.counts.numAux + more('numAux'),
      numConstraints: first.counts.numConstraints + more('numConstraints'),
    },
    inputs,
    witness: joinWitnesses(parts.map((p, i) => ({ witness: p.witness, from: i ? prefix.numAux : 0 }))),
    // the slices ran side by side: the partition took as long as its longest
    ms: Math.max(...parts.map((p) => p.ms)),
  };
}

/**
 * The structure of a partition whose slices built theirs (synthesis-task.ts `structure`), joined as one
 * synthesis in challenge order builds it; `place` writes each slice into it (on the pool's threads, where
 * the caller has them). The slices were checked by joinSlices.
 */
export async function joinStructures(
  parts: readonly SynthesizedPartition[],
  place: (t: PlaceTask) => void | Promise<void>,
): Promise<R1cs> {
  const plan = planJoin(
    parts.map((p) => {
      if (!p.tagged || !p.slice)
        throw new Error(`internal error: a slice of partition ${p.partition} has no structure`);
      return { structure: p.tagged, prefix: p.slice.prefix };
    }),
  );
  await Promise.all(plan.tasks.map(place));
  return plan.out;
}
