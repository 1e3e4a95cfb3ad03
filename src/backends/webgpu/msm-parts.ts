/**
 * An MSM's scalars as the WebGPU MSM takes them: parts, one per table buffer they reach, each with the
 * bases of its scalars 1 and the rest's bases and scalars. The O(n) pass is the addon's (native/src/split.rs
 * `split_runs`, on every core): 0/1/rest and the density map walked once, the lists written per buffer;
 * or, without a density map and with few 0/1, the dense form, where the scalars are read as they are.
 * A compact witness is split as it is, never expanded (always into lists).
 */
import { FR_BYTES } from '../../shared/fr.ts';
import type { FrVector } from '../../shared/fr-vector.ts';
import { type Scalars, isCompact } from '../../shared/compact-witness.ts';
import { loadAddon } from '../cpu/index.ts';
import type { DeviceVector } from './device.ts';

/** split_runs' form where the scalars are read as they are (native/src/split.rs DENSE). */
const DENSE = 1;

/** Scalars on the GPU already: elements `from`, from + 1, .. of a device vector (the quotient's H). */
export interface VectorSlice {
  vector: DeviceVector;
  from: number;
}

/**
 * One table buffer's share of an MSM: the bases of its scalars 1, and the rest's bases (listed, or base,
 * base + 1, .. for a dense MSM) with their scalars (8 words each, or a dense MSM's on the GPU).
 */
export interface Part {
  buffer: number;
  ones: Uint32Array;
  points: Uint32Array | { base: number; count: number };
  scalars: Uint32Array | VectorSlice;
}

/**
 * The parts of sum scalars[i] * table[start + k(i)] (k compacted by the density map) over a table of
 * buffers of `perBuffer` points; a RangeError names a bad scalar or a base past the table's length.
 */
export async function msmParts(
  scalars: Scalars,
  density: Uint8Array | undefined,
  start: number,
  table: { perBuffer: number; length: number },
): Promise<Part[]> {
  let split: Uint8Array;
  try {
    split = await loadAddon().msmSplitRuns(scalars, density, start, table.perBuffer);
  } catch (e) {
    throw new RangeError((e as Error).message, { cause: e });
  }
  if (split.byteOffset % 4) split = split.slice();
  const words = new Uint32Array(split.buffer, split.byteOffset, split.length / 4);
  const [form, slots, runs, nOnes, nRest, span] = [0, 1, 2, 3, 4, 5].map((k) => words[k]!) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (start + span > table.length)
    throw new RangeError(`msm reads bases ${start}..${start + span} of a table of ${table.length}`);
  if (form === DENSE) {
    // split_runs reads a compact witness into lists: it has no 32-byte form to read as it is
    if (isCompact(scalars)) throw new Error('msmParts: a dense split of a compact witness');
    return denseParts(scalars, start, table.perBuffer);
  }
  let at = 6 + 3 * slots;
  const ones = words.subarray(at, (at += nOnes));
  const restIdx = words.subarray(at, (at += nRest));
  const restScalars = words.subarray(at, at + 8 * nRest);
  // run r: its table buffer, where its ones and its rest begin; a run ends where the next begins
  const run = (r: number) =>
    r < runs ? [words[6 + 3 * r]!, words[7 + 3 * r]!, words[8 + 3 * r]!] : [0, nOnes, nRest];
  const parts: Part[] = [];
  for (let r = 0; r < runs; r++) {
    const [b, o, q] = run(r) as [number, number, number];
    const [, o2, q2] = run(r + 1) as [number, number, number];
    parts.push({
      buffer: b,
      ones: ones.subarray(o, o2),
      points: restIdx.subarray(q, q2),
      scalars: restScalars.subarray(8 * q, 8 * q2),
    });
  }
  return parts;
}

/** A dense MSM's parts: the scalars as they are, cut where the table's buffers are. */
export function denseParts(scalars: FrVector, start: number, perBuffer: number): Part[] {
  const n = scalars.length / FR_BYTES;
  const all =
    scalars.byteOffset % 4
      ? new Uint32Array(scalars.slice().buffer)
      : new Uint32Array(scalars.buffer, scalars.byteOffset, 8 * n);
  return denseRanges(n, start, perBuffer, (lo, hi) => all.subarray(8 * lo, 8 * hi));
}

/** The parts of a dense MSM of the first n elements of a device vector: nothing read on the host. */
export function vectorParts(vector: DeviceVector, n: number, start: number, perBuffer: number): Part[] {
  return denseRanges(n, start, perBuffer, (lo) => ({ vector, from: lo }));
}

/** Scalars 0..n over bases start.. cut where the table's buffers are, each range's scalars by `slice`. */
function denseRanges(
  n: number,
  start: number,
  perBuffer: number,
  slice: (lo: number, hi: number) => Part['scalars'],
): Part[] {
  const parts: Part[] = [];
  for (let lo = 0; lo < n;) {
    const b = Math.floor((start + lo) / perBuffer);
    const hi = Math.min(n, (b + 1) * perBuffer - start);
    parts.push({
      buffer: b,
      ones: new Uint32Array(0),
      points: { base: start + lo - b * perBuffer, count: hi - lo },
      scalars: slice(lo, hi),
    });
    lo = hi;
  }
  return parts;
}
