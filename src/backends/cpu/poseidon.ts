/**
 * Poseidon on blst (native/src/poseidon.rs), one kernel per arity, its constants those shared/poseidon-
 * constants.ts derives: synthesis takes a Poseidon gadget's witness from it (every value the circuit
 * allocates), where BigInt arithmetic made Poseidon a third of a partition's witness synthesis. The
 * BigInt hash (shared/poseidon.ts) stays the reference the tests compare it with.
 */
import { poseidonConstants } from '../../shared/poseidon-constants.ts';
import { frVector } from '../../shared/fr-vector.ts';
import { FR_BYTES, frFromBytes } from '../../shared/fr.ts';
import { loadAddon, type PoseidonKernel } from './index.ts';

const kernels = new Map<number, PoseidonKernel>();

/** The kernel of `arity` (made once per thread). */
export function poseidonKernel(arity: number): PoseidonKernel {
  let k = kernels.get(arity);
  if (!k) {
    const c = poseidonConstants(arity);
    k = new (loadAddon().PoseidonKernel)(
      c.width,
      c.halfFullRounds,
      c.partialRounds,
      frVector([c.domainTag]),
      frVector(c.compressedRoundConstants),
      frVector(c.mds.flat()),
      frVector(c.preSparse.flat()),
      frVector(c.sparse.flatMap((m) => [...m.wHat, ...m.vRest])),
    );
    kernels.set(arity, k);
  }
  return k;
}

const result = new Uint8Array(FR_BYTES);

/** shared/poseidon.ts's poseidonHash (inputs taken mod r, as there) on the kernel: ~5x faster. */
export function poseidonHashNative(inputs: readonly bigint[]): bigint {
  poseidonKernel(inputs.length).hash(frVector(inputs), result);
  return frFromBytes(result);
}
