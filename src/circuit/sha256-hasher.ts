/**
 * filecoin-hashers' Sha256Function circuit side (sha256.rs), the hasher of the comm_d (data) Merkle tree.
 *
 * Field elements enter as their 32 little-endian bytes: to_bits_le (255 bits) padded to 256, then each
 * byte's bits reversed, since the SHA-256 gadget reads bytes most significant bit first. The digest goes
 * back to a field element the same way round and keeps its low 254 bits, which is what the native hasher's
 * trim_to_fr32 (clear the top 2 bits of byte 31) computes. Each function runs in the namespace its caller
 * opened, like the Rust ones.
 */
import type { Bool } from './boolean.ts';
import type { SynthesisCs } from './synthesis-cs.ts';
import { type AllocatedNum, CAPACITY, packBits, reverseBitNumbering, toBitsLe } from './num.ts';
import { sha256 } from './sha256.ts';

/** hash_circuit: SHA-256 of `bits` (namespace "hash"), packed LE into Fr (namespace "pack_le"). */
export function sha256HashCircuit(cs: SynthesisCs, bits: readonly Bool[]): AllocatedNum {
  const be = cs.ns('hash', () => sha256(cs, bits));
  const le = reverseBitNumbering(be).slice(0, CAPACITY);
  return cs.ns('pack_le', () => packBits(cs, le));
}

/** hash2_circuit: H(a | b) with a, b unpacked under "a_bits" and "b_bits". */
export function sha256Hash2Circuit(cs: SynthesisCs, a: AllocatedNum, b: AllocatedNum): AllocatedNum {
  const aBits = cs.ns('a_bits', () => toBitsLe(cs, a));
  const bBits = cs.ns('b_bits', () => toBitsLe(cs, b));
  return sha256HashCircuit(cs, [...reverseBitNumbering(aBits), ...reverseBitNumbering(bBits)]);
}

/**
 * hash_multi_leaf_circuit: H(leaf_0 | leaf_1 | ...), each leaf unpacked under "{i}_num_into_bits". This is
 * what the PoR gadget (por.rs) calls at every level, inside "computation of commitment hash"; `height` is
 * unused by SHA-256.
 */
export function sha256HashMultiLeafCircuit(
  cs: SynthesisCs,
  leaves: readonly AllocatedNum[],
  _height = 0,
): AllocatedNum {
  const bits: Bool[] = [];
  leaves.forEach((leaf, i) => {
    bits.push(...reverseBitNumbering(cs.ns(`${i}_num_into_bits`, () => toBitsLe(cs, leaf))));
  });
  return sha256HashCircuit(cs, bits);
}

/** hash_leaf_bits_circuit: H(left | right) of bit vectors, each padded to whole bytes. */
export function sha256HashLeafBitsCircuit(
  cs: SynthesisCs,
  left: readonly Bool[],
  right: readonly Bool[],
  _height = 0,
): AllocatedNum {
  return sha256HashCircuit(cs, [...reverseBitNumbering(left), ...reverseBitNumbering(right)]);
}
