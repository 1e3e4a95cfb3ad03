/**
 * filecoin-hashers' PoseidonFunction circuit functions (poseidon.rs) and their native counterparts. Every
 * one is neptune's legacy `poseidon_hash` with PoseidonConstants<Fr, U{arity}> of Strength::Standard and
 * HashType::MerkleTree; the height arguments are ignored, as in the Rust.
 */
import type { ConstraintSystem } from './cs.ts';
import { type AllocatedNum, allocNum } from './num.ts';
import { poseidonHash, poseidonHashCircuit } from './poseidon.ts';

/** PoseidonMDArity (U36). */
export const POSEIDON_MD_ARITY = 36;

/** hash2_circuit(cs, a, b). */
export function poseidonHash2Circuit(cs: ConstraintSystem, a: AllocatedNum, b: AllocatedNum): AllocatedNum {
  return poseidonHashCircuit(cs, [a, b]);
}

/** hash_leaf_circuit(cs, left, right, height). */
export function poseidonHashLeafCircuit(
  cs: ConstraintSystem,
  left: AllocatedNum,
  right: AllocatedNum,
  _height = 0,
): AllocatedNum {
  return poseidonHashCircuit(cs, [left, right]);
}

/** hash_multi_leaf_circuit::<Arity>(cs, leaves, height): arity = leaves.length. */
export function poseidonHashMultiLeafCircuit(
  cs: ConstraintSystem,
  leaves: readonly AllocatedNum[],
  _height = 0,
): AllocatedNum {
  return poseidonHashCircuit(cs, leaves);
}

/**
 * hash_md_circuit: Merkle-Damgard over arity-36 Poseidon; each step hashes the accumulator and the next 35
 * elements, the last step zero-padded with fresh allocations ("padding {i}") made before its "hash md {n}".
 */
export function poseidonHashMdCircuit(cs: ConstraintSystem, elements: readonly AllocatedNum[]): AllocatedNum {
  const arity = POSEIDON_MD_ARITY;
  let hash = elements[0]!;
  for (let start = 1, n = 0; start < elements.length; start += arity - 1, n++) {
    const chunk = elements.slice(start, start + arity - 1);
    const preimage = [hash, ...chunk];
    for (let i = chunk.length + 1; i < arity; i++)
      preimage.push(cs.ns(`padding ${i}`, () => allocNum(cs, 0n)));
    hash = cs.ns(`hash md ${n}`, () => poseidonHashCircuit(cs, preimage));
  }
  return hash;
}

// ----- native

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
