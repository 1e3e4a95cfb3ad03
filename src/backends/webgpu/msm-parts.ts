/**
 * An MSM's scalars as the WebGPU MSM takes them: parts, one per table buffer they reach, each with the
 * bases of its scalars 1 as its range of a bitmap and the rest's bases and scalars. The O(n) pass is the
 * addon's (native/src/split.rs `split`, on every core, the same split the CUDA glue takes): 0/1/rest and
 * the density map walked once into a bit a one (the GPU compacts a part's bits into its bases: a bit to
 * upload instead of 4 bytes) and a position and scalar a rest; or, without a density map and with few 0/1,
 * the dense form, where the scalars are read as they are. A compact witness is split as it is, never
 * expanded (always into the bitmap and lists).
 */
import { FR_BYTES } from '../../shared/fr.ts';
import type { FrVector } from '../../shared/fr-vector.ts';
import { type Scalars, isCompact } from '../../shared/compact-witness.ts';
import { loadAddon } from '../cpu/index.ts';
import type { DeviceVector } from './device.ts';

/** Scalars on the GPU already: elements `from`, from + 1, .. of a device vector (the quotient's H). */
export interface VectorSlice {
  vector: DeviceVector;
  from: number;
}

/** A part's ones: bits from .. from + count of `bits`, bit from + j set for the buffer-local base base + j. */
export interface OnesBits {
  bits: Uint32Array;
  from: number;
  count: number;
  base: number;
}

/**
 * One table buffer's share of an MSM: the bases of its scalars 1, and the rest's bases (listed: base +
 * idx[k], as u32 that wrap, or base, base + 1, .. for a dense MSM) with their scalars (8 words each, or a
 * dense MSM's on the GPU).
 */
export interface Part {
  buffer: number;
  ones?: OnesBits;
  points: { idx: Uint32Array; base: number } | { base: number; count: number };
  scalars: Uint32Array | VectorSlice;
}

/** Splits in flight, by scalars and density map: B's G1 and G2 MSMs, which start together, share one. */
const inFlight = new WeakMap<object, Map<Uint8Array | undefined, Promise<Uint8Array>>>();

/** The addon's split of these scalars, or the one already under way for the same arrays. */
function splitOnce(scalars: Scalars, density: Uint8Array | undefined): Promise<Uint8Array> {
  let byMap = inFlight.get(scalars);
  if (!byMap) inFlight.set(scalars, (byMap = new Map()));
  let split = byMap.get(density);
  if (!split) {
    split = loadAddon().msmSplit(scalars, density);
    byMap.set(density, split);
    // held while it runs only: a later MSM of the same scalars splits again rather than keep the lists
    const done = () => byMap.delete(density);
    split.then(done, done);
  }
  return split;
}

/** The first index of the ascending `list` at or above `v`. */
function lowerBound(list: Uint32Array, v: number): number {
  let [lo, hi] = [0, list.length];
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
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
    split = await splitOnce(scalars, density);
  } catch (e) {
    throw new RangeError((e as Error).message, { cause: e });
  }
  // a shared split is read, never written: a copy only where its words are not aligned
  if (split.byteOffset % 4) split = split.slice();
  const words = new Uint32Array(split.buffer, split.byteOffset, split.length / 4);
  const [dense, span, nWords, nRest] = [0, 1, 2, 3].map((k) => words[k]!) as [number, number, number, number];
  if (start + span > table.length)
    throw new RangeError(`msm reads bases ${start}..${start + span} of a table of ${table.length}`);
  if (dense) {
    // the split reads a compact witness into lists: it has no 32-byte form to read as it is
    if (isCompact(scalars)) throw new Error('msmParts: a dense split of a compact witness');
    return denseParts(scalars, start, table.perBuffer);
  }
  const bits = words.subarray(4, 4 + nWords);
  const restIdx = words.subarray(4 + nWords, 4 + nWords + nRest);
  const restScalars = words.subarray(4 + nWords + nRest, 4 + nWords + nRest + 8 * nRest);
  const per = table.perBuffer;
  const parts: Part[] = [];
  // buffer b holds bases b * per ..: its share of the span is the positions lo .. hi (span-relative)
  for (let b = Math.floor(start / per); span > 0 && b * per < start + span; b++) {
    const lo = Math.max(0, b * per - start);
    const hi = Math.min(span, (b + 1) * per - start);
    // position p is buffer-local base start + p - b * per, which may start below zero: u32 arithmetic
    const base = (start - b * per) >>> 0;
    const [r0, r1] = [lowerBound(restIdx, lo), lowerBound(restIdx, hi)];
    const ones = nWords ? { bits, from: lo, count: hi - lo, base: start + lo - b * per } : undefined;
    if (!ones && r0 === r1) continue;
    parts.push({
      buffer: b,
      ones,
      points: { idx: restIdx.subarray(r0, r1), base },
      scalars: restScalars.subarray(8 * r0, 8 * r1),
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
      points: { base: start + lo - b * perBuffer, count: hi - lo },
      scalars: slice(lo, hi),
    });
    lo = hi;
  }
  return parts;
}
