/**
 * filecoin-hashers' PoseidonFunction circuit functions (poseidon.rs); their plain counterparts are in shared/poseidon.ts. Every
 * one is neptune's legacy `poseidon_hash` with PoseidonConstants<Fr, U{arity}> of Strength::Standard and
 * HashType::MerkleTree; the height arguments are ignored, as in the Rust.
 */
import type { SynthesisCs } from './synthesis-cs.ts';
import { type AllocatedNum, allocNum } from './num.ts';
import { POSEIDON_MD_ARITY } from '../shared/poseidon.ts';
import { poseidonHashCircuit } from './poseidon.ts';

/** hash2_circuit(cs, a, b). */
export function poseidonHash2Circuit(cs: SynthesisCs, a: AllocatedNum, b: AllocatedNum): AllocatedNum {
  return poseidonHashCircuit(cs, [a, b]);
}

/** hash_leaf_circuit(cs, left, right, height). */
export function poseidonHashLeafCircuit(
  cs: SynthesisCs,
  left: AllocatedNum,
  right: AllocatedNum,
  _height = 0,
): AllocatedNum {
  return poseidonHashCircuit(cs, [left, right]);
}

/** hash_multi_leaf_circuit::<Arity>(cs, leaves, height): arity = leaves.length. */
export function poseidonHashMultiLeafCircuit(
  cs: SynthesisCs,
  leaves: readonly AllocatedNum[],
  _height = 0,
): AllocatedNum {
  return poseidonHashCircuit(cs, leaves);
}

/**
 * hash_md_circuit: Merkle-Damgard over arity-36 Poseidon; each step hashes the accumulator and the next 35
 * elements, the last step zero-padded with fresh allocations ("padding {i}") made before its "hash md {n}".
 */
export function poseidonHashMdCircuit(cs: SynthesisCs, elements: readonly AllocatedNum[]): AllocatedNum {
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
