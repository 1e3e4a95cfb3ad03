/**
 * Poseidon (neptune 11) over BLS12-381 Fr, the plain hash: filecoin-hashers' PoseidonFunction with
 * Strength::Standard and HashType::MerkleTree, in BigInts: the reference. `poseidonPermute` records
 * every value the circuit allocates, in the circuit's order; the vanilla checks and the gadget's witness
 * use the same rounds on blst (backends/cpu/poseidon.ts), which the tests compare with this one.
 */
import { FR_MODULUS as P } from './fr.ts';
import {
  type Matrix,
  type PartialRoundMatrix,
  type PoseidonConstants,
  poseidonConstants,
} from './poseidon-constants.ts';

/** PoseidonMDArity (U36). */
export const POSEIDON_MD_ARITY = 36;

// the optimized algorithm, in the circuit's order

export function pow5(x: bigint): bigint {
  const x2 = (x * x) % P;
  const x4 = (x2 * x2) % P;
  return (x4 * x) % P;
}

function mulMatrix(state: bigint[], m: Matrix): bigint[] {
  const w = state.length;
  const out = new Array<bigint>(w);
  for (let j = 0; j < w; j++) {
    let s = 0n;
    for (let i = 0; i < w; i++) s += state[i]! * m[i]![j]!;
    out[j] = s % P;
  }
  return out;
}

function mulSparse(state: bigint[], m: PartialRoundMatrix): bigint[] {
  const w = state.length;
  const out = new Array<bigint>(w);
  let s = 0n;
  for (let i = 0; i < w; i++) s += state[i]! * m.wHat[i]!;
  out[0] = s % P;
  const s0 = state[0]!;
  for (let j = 1; j < w; j++) out[j] = (state[j]! + s0 * m.vRest[j - 1]!) % P;
  return out;
}

/**
 * The Poseidon permutation of [domain tag, ...inputs] with compressed constants; returns state[1].
 * With `aux`, pushes every value the circuit allocates, in allocation order.
 */
export function poseidonPermute(c: PoseidonConstants, inputs: readonly bigint[], aux?: bigint[]): bigint {
  const w = c.width;
  if (inputs.length !== c.arity) throw new Error(`poseidon arity ${c.arity} given ${inputs.length} inputs`);
  const crc = c.compressedRoundConstants;
  let state = [c.domainTag, ...inputs];
  let round = 0;
  const mds = (): void => {
    const sparseOffset = c.halfFullRounds - 1;
    if (round === sparseOffset) state = mulMatrix(state, c.preSparse);
    else if (round > sparseOffset && round < c.halfFullRounds + c.partialRounds)
      state = mulSparse(state, c.sparse[round - sparseOffset - 1]!);
    else state = mulMatrix(state, c.mds);
    round++;
  };
  // quintic_s_box: allocates l (when not yet allocated), l^2, l^4, l^5 + post.
  const sbox = (l: bigint, post: bigint, allocL: boolean): bigint => {
    const l2 = (l * l) % P;
    const l4 = (l2 * l2) % P;
    const l5 = (l4 * l + post) % P;
    if (aux) {
      if (allocL) aux.push(l);
      aux.push(l2, l4, l5);
    }
    return l5;
  };
  // First round: constants added before and after the S-box; the preimage is already allocated and
  // the tag's S-box is a constant.
  for (let i = 0; i < w; i++) state[i] = (state[i]! + crc[i]!) % P;
  for (let i = 0; i < w; i++)
    state[i] = i === 0 ? (pow5(state[0]!) + crc[w]!) % P : sbox(state[i]!, crc[w + i]!, false);
  let off = 2 * w;
  mds();
  for (let r = 1; r < c.halfFullRounds; r++) {
    for (let i = 0; i < w; i++) state[i] = sbox(state[i]!, crc[off + i]!, true);
    off += w;
    mds();
  }
  for (let r = 0; r < c.partialRounds; r++) {
    state[0] = sbox(state[0]!, crc[off++]!, true);
    mds();
  }
  for (let r = 0; r < c.halfFullRounds - 1; r++) {
    for (let i = 0; i < w; i++) state[i] = sbox(state[i]!, crc[off + i]!, true);
    off += w;
    mds();
  }
  for (let i = 0; i < w; i++) state[i] = sbox(state[i]!, 0n, true);
  mds();
  if (aux) aux.push(state[1]!);
  return state[1]!;
}

/** Poseidon with HashType::MerkleTree of `inputs` (arity = inputs.length). */
export function poseidonHash(inputs: readonly bigint[]): bigint {
  return poseidonPermute(poseidonConstants(inputs.length), inputs);
}

export function poseidonHash2(a: bigint, b: bigint): bigint {
  return poseidonHash([a, b]);
}

/** PoseidonFunction::multi_node / hash of one Merkle node from its children. */
export function poseidonHashMultiLeaf(leaves: readonly bigint[]): bigint {
  return poseidonHash(leaves);
}

/** hash_md: the native Merkle-Damgard hash (no padding: a short last chunk hashes with zeros). */
export function poseidonHashMd(elements: readonly bigint[]): bigint {
  const arity = POSEIDON_MD_ARITY;
  let acc = elements[0]!;
  for (let start = 1; start < elements.length; start += arity - 1) {
    const chunk = elements.slice(start, start + arity - 1);
    while (chunk.length < arity - 1) chunk.push(0n);
    acc = poseidonHash([acc, ...chunk]);
  }
  return acc;
}
