/**
 * storage-proofs-porep's create_label_circuit: the SHA-256 labeling of one node in the stacked circuit.
 *
 * The preimage is replica_id (padded to 32 bytes) | layer index (u32 BE) | node (u64 BE) | zeros to 64 bytes
 * | 37 parent labels of 32 bytes each; its digest, bytes in order and the bits of each byte reversed (so the
 * digest reads as a little-endian number), is packed from its low 254 bits into one field element. The
 * label's value comes out of the gadget's own bit values: no separate native hash.
 *
 * Like the Rust function, it runs in the namespace its caller opened ("create_label") and opens "hash" and
 * "result_num" inside it.
 */
import { type Bool, FALSE } from './boolean.ts';
import type { SynthesisCs } from './synthesis-cs.ts';
import { type AllocatedNum, CAPACITY, packBits, reverseBitNumbering } from './num.ts';
import { sha256 } from './sha256.ts';
import { UInt32 } from './uint32.ts';
import type { UInt64 } from './uint64.ts';

/** stacked::vanilla::TOTAL_PARENTS: 6 base + 8 expander parents, repeated to 37. */
export const TOTAL_PARENTS = 37;

/**
 * @param replicaId 32..256 bits (in the stacked circuit: reverse_bit_numbering of replica_id's to_bits_le)
 * @param parents TOTAL_PARENTS bit vectors, each padded with false to 256 bits
 * @param layerIndex the layer (1-based), a constant UInt32 in the stacked circuit
 * @param node the challenged node index
 */
export function createLabelCircuit(
  cs: SynthesisCs,
  replicaId: readonly Bool[],
  parents: readonly (readonly Bool[])[],
  layerIndex: UInt32 | number,
  node: UInt64,
): AllocatedNum {
  if (replicaId.length < 32 || replicaId.length > 256) throw new Error('createLabelCircuit: replica id size');
  if (parents.length !== TOTAL_PARENTS) throw new Error('createLabelCircuit: need 37 parents');
  const layer = typeof layerIndex === 'number' ? UInt32.constant(layerIndex) : layerIndex;

  const bits: Bool[] = replicaId.slice();
  while (bits.length < 256) bits.push(FALSE);
  bits.push(...layer.intoBitsBe(), ...node.toBitsBe());
  while (bits.length < 512) bits.push(FALSE);
  for (const parent of parents) {
    bits.push(...parent);
    while (bits.length % 256 !== 0) bits.push(FALSE);
  }
  if (bits.length !== (2 + TOTAL_PARENTS) * 256) throw new Error('createLabelCircuit: parent too long');

  const digest = cs.ns('hash', () => sha256(cs, bits));
  const le = reverseBitNumbering(digest).slice(0, CAPACITY);
  return cs.ns('result_num', () => packBits(cs, le));
}
