/**
 * Reads a circuit assignment dumped by the reference oracle (`npm run reference -- dump`): per partition
 * a folder with inputs.bin, aux.bin, a.bin, b.bin, c.bin (32-byte LE scalars) and the density maps
 * a_aux_density.bin, b_input_density.bin, b_aux_density.bin (one byte per variable). It lets the prover
 * be checked on the real PoRep circuit independently of our own synthesis.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Assignment } from './r1cs.ts';

async function bytes(dir: string, name: string): Promise<Uint8Array> {
  return new Uint8Array(await readFile(join(dir, name)));
}

export async function readDumpedAssignment(dir: string): Promise<Assignment> {
  const [inputs, aux, a, b, c, aAuxDensity, bInputDensity, bAuxDensity] = await Promise.all(
    [
      'inputs.bin',
      'aux.bin',
      'a.bin',
      'b.bin',
      'c.bin',
      'a_aux_density.bin',
      'b_input_density.bin',
      'b_aux_density.bin',
    ].map((n) => bytes(dir, n)),
  );
  return {
    inputs: inputs!,
    aux: aux!,
    a: a!,
    b: b!,
    c: c!,
    aAuxDensity: aAuxDensity!,
    bInputDensity: bInputDensity!,
    bAuxDensity: bAuxDensity!,
  };
}
