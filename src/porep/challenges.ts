/**
 * PoRep challenge derivation (storage-proofs-porep stacked/vanilla/challenges.rs), per partition k, and the
 * selection PublicInputs::challenges (params.rs) makes from the proof's features:
 * - interactive (V1, V1_1): SHA-256(replica_id ‖ seed ‖ j) for the global challenge number j;
 * - synthetic (SyntheticPoRep): the seed selects, through a ChaCha20 stream keyed by Blake2b, some of the
 *   synthetic challenges, themselves a ChaCha20 stream keyed by (replica_id, comm_r);
 * - non-interactive (NonInteractivePoRep): SHA-256(tag ‖ replica_id ‖ comm_r ‖ j), no seed.
 * Every variant maps a 256-bit little-endian value v to 1 + v mod (nodes - 1): node 0 is never challenged.
 */
import { createHash } from 'node:crypto';
import { blake2b } from '@noble/hashes/blake2.js';
import { bigintFromLe, frToBytes } from '../shared/fr.ts';
import { chachaKeystream } from './chacha.ts';
import type { PoRepConfig } from './registered-proof.ts';

export type ChallengeMode = 'interactive' | 'synthetic' | 'non-interactive';

/** What the challenges are derived from (Phase1Out's fields). */
export interface ChallengeInputs {
  readonly replicaId: bigint;
  readonly commR: bigint;
  readonly seed: Uint8Array;
}

function toChallenge(value: bigint, nodes: number): number {
  return Number(value % BigInt(nodes - 1)) + 1;
}

function u32le(j: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, j, true);
  return b;
}

export function challengeMode(config: Pick<PoRepConfig, 'feature'>): ChallengeMode {
  if (config.feature === 'SyntheticPoRep') return 'synthetic';
  if (config.feature === 'NonInteractivePoRep') return 'non-interactive';
  return 'interactive';
}

/** Rust derives with `k as u8` and `j as u32`: refuse what would wrap there rather than disagree silently. */
function checkPartition(perPartition: number, k: number): void {
  if (!Number.isInteger(k) || k < 0 || k > 255) throw new RangeError(`partition ${k} out of range 0..255`);
  if ((k + 1) * perPartition > 0x100000000) throw new RangeError('challenge number exceeds u32');
}

/** InteractiveChallenges::derive. */
export function interactiveChallenges(
  nodes: number,
  replicaId: bigint,
  seed: Uint8Array,
  perPartition: number,
  k: number,
): number[] {
  checkPartition(perPartition, k);
  const id = frToBytes(replicaId);
  const out: number[] = [];
  for (let i = 0; i < perPartition; i++) {
    const h = createHash('sha256')
      .update(id)
      .update(seed)
      .update(u32le(perPartition * k + i))
      .digest();
    out.push(toChallenge(bigintFromLe(h), nodes));
  }
  return out;
}

const NI_TAG = new TextEncoder().encode('filecoin.io|PoRep|1|NonInteractive|1');

/** NiChallenges::derive (the seed plays no part). */
export function niChallenges(
  nodes: number,
  replicaId: bigint,
  commR: bigint,
  perPartition: number,
  k: number,
): number[] {
  checkPartition(perPartition, k);
  const prefix = createHash('sha256').update(NI_TAG).update(frToBytes(replicaId)).update(frToBytes(commR));
  const out: number[] = [];
  for (let i = 0; i < perPartition; i++) {
    const h = prefix
      .copy()
      .update(u32le(perPartition * k + i))
      .digest();
    out.push(toChallenge(bigintFromLe(h), nodes));
  }
  return out;
}

// Synthetic PoRep ---------------------------------------------------------------------------------------

/** Production sectors draw 2^18 synthetic challenges; tiny test sectors draw one per node. */
const DEFAULT_SYNTH_CHALLENGES = 1 << 18;
const SYNTH_CHALLENGE_BYTES = 32;
const SYNTH_INDEX_BYTES = 4;
const SYNTH_NONCE = new TextEncoder().encode('synth-porep\x00');
const GENERATION_KEY = new TextEncoder().encode('filecoin.io|PoRep|1|Synthetic|1|Generation');
const SELECTION_KEY = new TextEncoder().encode('filecoin.io|PoRep|1|Synthetic|1|Selection');

function keyedBlake2b(key: Uint8Array, a: Uint8Array, b: Uint8Array): Uint8Array {
  const msg = new Uint8Array(64);
  msg.set(a, 0);
  msg.set(b, 32);
  return blake2b(msg, { key, dkLen: 32 });
}

/** The synthetic challenge generator of a replica; random access, since the stream is seekable. */
export class SynthChallengeGenerator {
  readonly nodes: number;
  readonly count: number;
  private readonly genKey: Uint8Array;
  private readonly replicaId: Uint8Array;

  constructor(
    nodes: number,
    replicaId: bigint,
    commR: bigint,
    count = Math.min(nodes, DEFAULT_SYNTH_CHALLENGES),
  ) {
    this.nodes = nodes;
    if (count >= 2 ** 32) throw new RangeError('synthetic challenge count must fit u32');
    this.count = count;
    this.replicaId = frToBytes(replicaId);
    this.genKey = keyedBlake2b(GENERATION_KEY, this.replicaId, frToBytes(commR));
  }

  /** The i-th synthetic challenge: 32 keystream bytes at offset 32 i. */
  synthChallenge(i: number): number {
    if (!(i >= 0 && i < this.count)) throw new RangeError(`synthetic challenge ${i} out of range`);
    const bytes = chachaKeystream(
      20,
      this.genKey,
      SYNTH_NONCE,
      i * SYNTH_CHALLENGE_BYTES,
      SYNTH_CHALLENGE_BYTES,
    );
    return toChallenge(bigintFromLe(bytes, 0, bytes.length), this.nodes);
  }

  /** Which synthetic challenges partition k uses: u32 LE words of the selection stream, mod count. */
  partitionIndexes(perPartition: number, seed: Uint8Array, k: number): number[] {
    const key = keyedBlake2b(SELECTION_KEY, this.replicaId, seed);
    const offset = k * perPartition * SYNTH_INDEX_BYTES;
    const bytes = chachaKeystream(20, key, SYNTH_NONCE, offset, perPartition * SYNTH_INDEX_BYTES);
    const dv = new DataView(bytes.buffer);
    const out: number[] = [];
    for (let i = 0; i < perPartition; i++) out.push(dv.getUint32(4 * i, true) % this.count);
    return out;
  }

  partitionChallenges(perPartition: number, seed: Uint8Array, k: number): number[] {
    return this.partitionIndexes(perPartition, seed, k).map((i) => this.synthChallenge(i));
  }
}

/** SynthChallenges::derive. */
export function synthChallenges(
  nodes: number,
  replicaId: bigint,
  commR: bigint,
  seed: Uint8Array,
  perPartition: number,
  k: number,
): number[] {
  checkPartition(perPartition, k);
  return new SynthChallengeGenerator(nodes, replicaId, commR).partitionChallenges(perPartition, seed, k);
}

/** The challenges of partition k, as PublicInputs::challenges selects them for this proof type. */
export function partitionChallenges(
  config: Pick<PoRepConfig, 'nodes' | 'challengesPerPartition' | 'feature'>,
  inputs: ChallengeInputs,
  k: number,
): number[] {
  const { nodes, challengesPerPartition: n } = config;
  switch (challengeMode(config)) {
    case 'interactive':
      return interactiveChallenges(nodes, inputs.replicaId, inputs.seed, n, k);
    case 'synthetic':
      return synthChallenges(nodes, inputs.replicaId, inputs.commR, inputs.seed, n, k);
    case 'non-interactive':
      return niChallenges(nodes, inputs.replicaId, inputs.commR, n, k);
  }
}
