/**
 * Random Groth16 parameters for an R1CS, in bellperson's file format. Real Filecoin parameters come from
 * the trusted setup ceremony; these exist for tests and benchmarks, with bellperson's construction:
 *   h_i  = tau^i * Z(tau) / delta                      for i < m - 1
 *   a_j  = A_j(tau), b_j = B_j(tau) (G1 and G2)         identities dropped, which the prover's densities mirror
 *   ic_j = (beta*A_j(tau) + alpha*B_j(tau) + C_j(tau)) / gamma   (inputs)
 *   l_j  = (beta*A_j(tau) + alpha*B_j(tau) + C_j(tau)) / delta   (aux)
 * where X_j(tau) = sum over constraints k of X[k][j] * L_k(tau), L_k the Lagrange basis of the domain
 * of size m, obtained as the inverse NTT of the powers of tau. With a seed, the toxic waste is derived
 * from it and the file is reproducible; it is then, of course, not secret.
 */
import { createHash } from 'node:crypto';
import type { Backend, Group, SetupKernels } from '../backends/backend.ts';
import { setupKernels } from '../backends/borrow.ts';
import { FR_BYTES, frFromBytes, frInv, frPow, frRandom, frToBytes, mod } from '../shared/fr.ts';
import { frIsZeroAt, type FrVector } from '../shared/fr-vector.ts';
import { G1, G2, g1FromUncompressed } from './curve.ts';
import { writeParams, type SectionName, type SectionSource } from './params-file.ts';
import { domainSize, type R1cs } from '../shared/r1cs.ts';
import type { VerifyingKey } from './verifying-key.ts';

export interface Toxic {
  g1: bigint;
  g2: bigint;
  alpha: bigint;
  beta: bigint;
  gamma: bigint;
  delta: bigint;
  tau: bigint;
}

export function toxicFromSeed(seed: string | undefined): Toxic {
  const draw = (label: string): bigint => {
    if (seed === undefined) return frRandom();
    const d = createHash('sha512').update(`c2prover-setup:${seed}:${label}`).digest();
    const v = mod(BigInt(`0x${d.toString('hex')}`));
    return v === 0n ? 1n : v;
  };
  return {
    g1: draw('g1'),
    g2: draw('g2'),
    alpha: draw('alpha'),
    beta: draw('beta'),
    gamma: draw('gamma'),
    delta: draw('delta'),
    tau: draw('tau'),
  };
}

const fr = (x: bigint): Uint8Array => frToBytes(x);

/** Scalars of the entries that are not zero, in order. */
function nonZero(v: FrVector): FrVector {
  const n = v.length / FR_BYTES;
  const out = new Uint8Array(v.length);
  let k = 0;
  for (let i = 0; i < n; i++) {
    if (!frIsZeroAt(v, i)) out.set(v.subarray(i * FR_BYTES, (i + 1) * FR_BYTES), FR_BYTES * k++);
  }
  return out.subarray(0, k * FR_BYTES);
}

/** X_j(tau) for every variable, the implied input constraints included. */
async function evalAtTau(
  backend: SetupKernels,
  r1cs: R1cs,
  lagrange: FrVector,
): Promise<{ at: FrVector; bt: FrVector; ct: FrVector }> {
  const numVars = r1cs.numInputs + r1cs.numAux;
  const lk = lagrange.subarray(0, r1cs.numConstraints * FR_BYTES);
  const [at, bt, ct] = await Promise.all([
    backend.sparseMulTransposed(r1cs.a, lk, numVars),
    backend.sparseMulTransposed(r1cs.b, lk, numVars),
    backend.sparseMulTransposed(r1cs.c, lk, numVars),
  ]);
  for (let i = 0; i < r1cs.numInputs; i++) {
    frToBytes(
      frFromBytes(at, i * FR_BYTES) + frFromBytes(lagrange, (r1cs.numConstraints + i) * FR_BYTES),
      at,
      i * FR_BYTES,
    );
  }
  return { at, bt, ct };
}

export interface SetupResult {
  vk: VerifyingKey;
  counts: Record<SectionName, number>;
}

/**
 * Generates parameters for `r1cs` and writes them to `path` (a .params file), on the backend's setup
 * kernels or, where it has none, the CPU's.
 */
export async function generateParameters(
  proving: Backend,
  r1cs: R1cs,
  path: string,
  toxic: Toxic = toxicFromSeed(undefined),
): Promise<SetupResult> {
  const backend = setupKernels(proving);
  const n = r1cs.numConstraints + r1cs.numInputs;
  const m = domainSize(n);
  const g1Base = G1.BASE.multiply(toxic.g1);
  const g2Base = G2.BASE.multiply(toxic.g2);
  const g1Bytes = g1Base.toBytes(false);
  const g2Bytes = g2Base.toBytes(false);
  const gammaInv = frInv(toxic.gamma);
  const deltaInv = frInv(toxic.delta);
  const zTau = mod(frPow(toxic.tau, BigInt(m)) - 1n);

  const hScalars = await backend.powers(fr(toxic.tau), m - 1, fr(mod(zTau * deltaInv)));
  const lagrange = await backend.powers(fr(toxic.tau), m, fr(1n));
  await backend.ntt(lagrange, 'inverse');
  const { at, bt, ct } = await evalAtTau(backend, r1cs, lagrange);

  const inputsEnd = r1cs.numInputs * FR_BYTES;
  const ext = async (from: number, to: number, inv: bigint): Promise<FrVector> =>
    backend.linearCombine(
      at.subarray(from, to),
      fr(toxic.beta),
      bt.subarray(from, to),
      fr(toxic.alpha),
      ct.subarray(from, to),
      fr(inv),
    );
  const icScalars = await ext(0, inputsEnd, gammaInv);
  const lScalars = await ext(inputsEnd, at.length, deltaInv);
  for (let i = 0; i < r1cs.numAux; i++) {
    if (frIsZeroAt(lScalars, i)) throw new Error(`aux variable ${i} is unconstrained: no parameters exist`);
  }

  const mulBase = (group: Group, scalars: FrVector): Promise<Uint8Array> =>
    backend.fixedBaseMul(group, group === 'g1' ? g1Bytes : g2Bytes, scalars);
  const aNz = nonZero(at);
  const bNz = nonZero(bt);
  const [h, l, a, bG1, bG2, icBytes] = await Promise.all([
    mulBase('g1', hScalars),
    mulBase('g1', lScalars),
    mulBase('g1', aNz),
    mulBase('g1', bNz),
    mulBase('g2', bNz),
    mulBase('g1', icScalars),
  ]);

  const ic = [];
  for (let i = 0; i < r1cs.numInputs; i++)
    ic.push(g1FromUncompressed(icBytes.subarray(i * 96, (i + 1) * 96)));
  const vk: VerifyingKey = {
    alphaG1: g1Base.multiply(toxic.alpha),
    betaG1: g1Base.multiply(toxic.beta),
    betaG2: g2Base.multiply(toxic.beta),
    gammaG2: g2Base.multiply(toxic.gamma),
    deltaG1: g1Base.multiply(toxic.delta),
    deltaG2: g2Base.multiply(toxic.delta),
    ic,
  };
  const section = (bytes: Uint8Array, size: number): SectionSource => ({
    count: bytes.length / size,
    chunks: [bytes],
  });
  const sections = {
    h: section(h, 96),
    l: section(l, 96),
    a: section(a, 96),
    bG1: section(bG1, 96),
    bG2: section(bG2, 192),
  };
  await writeParams(path, vk, sections);
  return {
    vk,
    counts: {
      h: sections.h.count,
      l: sections.l.count,
      a: sections.a.count,
      bG1: sections.bG1.count,
      bG2: sections.bG2.count,
    },
  };
}
