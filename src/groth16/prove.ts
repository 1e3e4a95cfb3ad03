/**
 * The Groth16 prover, bellperson's algorithm over a Backend:
 *   A = alpha + sum(a_i) + r*delta                    (G1, a query: inputs dense, aux by A density)
 *   B = beta + sum(b_i) + s*delta                     (G2, and in G1 for C)
 *   C = s*A' + r*B'_1 + r*s*delta + s*alpha + r*beta + H + L
 * with H the quotient's MSM over the h query and L the aux MSM over the l query. r and s are fresh
 * per proof; a proof without them would reveal the witness.
 */
import type { Backend } from '../backends/backend.ts';
import { g1FromUncompressed, g2FromUncompressed, type G1Point } from './curve.ts';
import { FR_BYTES, frRandom, mod } from '../shared/fr.ts';
import { domainSize } from '../shared/r1cs.ts';
import type { Proof } from './proof.ts';
import type { ProvingKey } from './proving-key.ts';
import { popcount, type Assignment } from './r1cs.ts';
import { scalarCount } from '../shared/compact-witness.ts';

/**
 * Per stage, summed over proofs: on a `serial` backend each stage's own time; on an `overlap` one the time
 * from the start of the proof's kernels to that stage's end (they run side by side, and the G1 MSMs' end
 * waits for the quotient: the h query's MSM needs H).
 */
export interface StageTimes {
  quotientMs: number;
  msmG1Ms: number;
  msmG2Ms: number;
}

export interface ProveOptions {
  /** Fixed r and s, for tests that compare against another prover only. */
  randomness?: { r: bigint; s: bigint };
}

function checkShapes(pk: ProvingKey, w: Assignment): { numInputs: number; numAux: number } {
  const numInputs = w.inputs.length / FR_BYTES;
  const numAux = scalarCount(w.aux, 'aux');
  const { sections, vk } = pk.layout;
  const fail = (what: string): never => {
    throw new RangeError(`assignment does not fit ${pk.path}: ${what}`);
  };
  let n: number;
  if (w.r1cs) {
    if (w.r1cs.numInputs !== numInputs || w.r1cs.numAux !== numAux)
      fail(
        `circuit has ${w.r1cs.numInputs} inputs and ${w.r1cs.numAux} aux, witness ${numInputs} and ${numAux}`,
      );
    n = w.r1cs.numConstraints + numInputs;
  } else {
    n = w.a.length / FR_BYTES;
    if (w.b.length !== w.a.length || w.c.length !== w.a.length) fail('a, b, c differ in length');
  }
  if (vk.ic.length !== numInputs) fail(`key has ${vk.ic.length} inputs, witness ${numInputs}`);
  if (sections.h.count !== domainSize(n) - 1)
    fail(`h query has ${sections.h.count} points for ${n} constraints`);
  if (sections.l.count !== numAux) fail(`l query has ${sections.l.count} points, witness ${numAux} aux`);
  if (
    w.aAuxDensity.length !== numAux ||
    w.bAuxDensity.length !== numAux ||
    w.bInputDensity.length !== numInputs
  ) {
    fail('density maps do not match the witness');
  }
  if (sections.a.count !== numInputs + popcount(w.aAuxDensity)) fail('a query does not match the A density');
  const bCount = popcount(w.bInputDensity) + popcount(w.bAuxDensity);
  if (sections.bG1.count !== bCount || sections.bG2.count !== bCount)
    fail('b queries do not match the B density');
  return { numInputs, numAux };
}

/** The values, or the first rejection's reason. */
function settled<T>(all: PromiseSettledResult<T>[]): T[] {
  return all.map((r) => {
    if (r.status === 'rejected') throw r.reason;
    return r.value;
  });
}

export async function prove(
  backend: Backend,
  pk: ProvingKey,
  w: Assignment,
  opts: ProveOptions = {},
  times?: StageTimes,
): Promise<Proof> {
  const { numInputs } = checkShapes(pk, w);
  const t = pk.tables;
  const bInputs = popcount(w.bInputDensity);

  // `overlap` (backend.ts): only the h query's MSM waits for the quotient, every other MSM starts with it
  const overlap = backend.schedule === 'overlap';
  const t0 = performance.now();
  const spanFrom =
    (key: keyof StageTimes, since: number) =>
    <T>(v: T): T => {
      if (times) times[key] += performance.now() - since;
      return v;
    };
  // every MSM of a group settles before a rejection surfaces: nothing still runs once prove has returned
  const settle = (key: keyof StageTimes, since: number, all: Promise<Uint8Array>[]) =>
    Promise.allSettled(all).then(settled).then(spanFrom(key, since));
  // with the circuit at hand, A, B, C are evaluated inside the quotient and never materialize as buffers;
  // where the backend can, H stays with it too and only its MSM's sum comes back
  let quotient: () => Promise<unknown>;
  let hMsm: () => Promise<Uint8Array>;
  if (w.r1cs && backend.quotientMsm) {
    let known!: () => void;
    const h = new Promise<void>((resolve) => (known = resolve));
    const fused = backend.quotientMsm(w.r1cs, w.inputs, w.aux, t.h, () => {
      spanFrom('quotientMs', t0)(undefined);
      known();
    });
    // H known, or the call's failure (then `known` is never called); made only where it is awaited
    quotient = () => Promise.race([h, fused]);
    hMsm = () => fused;
  } else {
    const h = (w.r1cs ? backend.quotientR1cs(w.r1cs, w.inputs, w.aux) : backend.quotient(w.a, w.b, w.c)).then(
      spanFrom('quotientMs', t0),
    );
    quotient = () => h;
    hMsm = () => h.then((v) => backend.msm(t.h, 0, v));
  }
  const g1 = () => [
    hMsm(),
    backend.msm(t.l, 0, w.aux),
    backend.msm(t.a, 0, w.inputs),
    backend.msm(t.a, numInputs, w.aux, w.aAuxDensity),
    backend.msm(t.bG1, 0, w.inputs, w.bInputDensity),
    backend.msm(t.bG1, bInputs, w.aux, w.bAuxDensity),
  ];
  const g2 = () => [
    backend.msm(t.bG2, 0, w.inputs, w.bInputDensity),
    backend.msm(t.bG2, bInputs, w.aux, w.bAuxDensity),
  ];
  let g1Points: Uint8Array[];
  let g2Points: Uint8Array[];
  if (overlap) {
    const first = g1();
    const second = g2();
    [g1Points, g2Points] = await Promise.all([
      settle('msmG1Ms', t0, first),
      settle('msmG2Ms', t0, second),
    ]).catch(async (e: unknown) => {
      await Promise.allSettled([...first, ...second]);
      throw e;
    });
  } else {
    await quotient();
    g1Points = await settle('msmG1Ms', performance.now(), g1());
    g2Points = await settle('msmG2Ms', performance.now(), g2());
  }

  const [hSum, lSum, aIn, aAux, b1In, b1Aux] = g1Points.map((p) => g1FromUncompressed(p, false)) as [
    G1Point,
    G1Point,
    G1Point,
    G1Point,
    G1Point,
    G1Point,
  ];
  const b2 = g2FromUncompressed(g2Points[0]!, false).add(g2FromUncompressed(g2Points[1]!, false));

  const r = mod(opts.randomness?.r ?? frRandom());
  const s = mod(opts.randomness?.s ?? frRandom());
  const vk = pk.vk;
  const mul = <P extends { multiply(k: bigint): P; multiplyUnsafe(k: bigint): P }>(p: P, k: bigint): P =>
    k === 0n ? p.multiplyUnsafe(0n) : p.multiply(k);

  const aAnswer = aIn.add(aAux);
  const b1Answer = b1In.add(b1Aux);
  const a = vk.alphaG1.add(aAnswer).add(mul(vk.deltaG1, r));
  const b = vk.betaG2.add(b2).add(mul(vk.deltaG2, s));
  const c = mul(aAnswer, s)
    .add(mul(b1Answer, r))
    .add(mul(vk.deltaG1, mod(r * s)))
    .add(mul(vk.alphaG1, s))
    .add(mul(vk.betaG1, r))
    .add(hSum)
    .add(lSum);
  return { a, b, c };
}
