/**
 * The Poseidon (neptune 11) circuit that filecoin-hashers builds with `neptune::circuit::poseidon_hash`
 * (the legacy circuit.rs, not circuit2.rs); the plain hash is shared/poseidon.ts.
 *
 * The circuit's structure — which variables are allocated, the namespaces, every constraint and its
 * coefficients — depends only on the arity, never on the values. So it is traced once per arity into a
 * template over relative variables (ONE, the preimage, then the gadget's own allocations in order), and
 * each hash replays the template: the witness comes from the CPU backend's Poseidon on blst, which walks
 * the same rounds as shared/poseidon.ts and records every value the circuit allocates. A witness-only
 * synthesis needs no replay: the values go in as one run.
 */
import { AUX, Lc, ONE, P } from './lc.ts';
import type { SynthesisCs } from './synthesis-cs.ts';
import type { AllocatedNum } from './num.ts';
import { type Matrix, type PoseidonConstants, poseidonConstants } from '../shared/poseidon-constants.ts';
import { pow5 } from '../shared/poseidon.ts';
import { FR_BYTES, frFromBytes, frToBytes } from '../shared/fr.ts';
import { poseidonKernel } from '../backends/cpu/poseidon.ts';

// ----- circuit template

/**
 * Relative variables: 0 is ONE, 1..arity the preimage, arity + 1 + j the gadget's j-th allocation. In
 * this order they are also ascending absolute variables whenever the preimage is (it is allocated
 * before the hash).
 */
interface TemplateLc {
  readonly vars: Int32Array;
  readonly coeffs: readonly bigint[];
}

/** Opcodes: >= 0 enforce that constraint, ALLOC, POP, or PUSH_BASE - k push names[k]. */
const ALLOC = -1;
const POP = -2;
const PUSH_BASE = -3;

export interface PoseidonTemplate {
  readonly arity: number;
  readonly ops: Int32Array;
  readonly names: readonly string[];
  readonly constraints: readonly (readonly [TemplateLc, TemplateLc, TemplateLc])[];
  readonly numAux: number;
}

/** A linear combination while tracing: relative variable -> coefficient, merged as bellpepper does. */
type SymLc = Map<number, bigint>;

/** neptune's Elt: an allocated variable or a linear combination (bellpepper Num). */
type Elt = { readonly v: number } | { readonly lc: SymLc };

function scaleElt(e: Elt, s: bigint): SymLc {
  const out: SymLc = new Map();
  if ('v' in e) out.set(e.v, s % P);
  else for (const [v, c] of e.lc) out.set(v, (c * s) % P);
  return out;
}

function addInto(acc: SymLc, other: SymLc): SymLc {
  for (const [v, c] of other) acc.set(v, ((acc.get(v) ?? 0n) + c) % P);
  return acc;
}

/** Traces neptune's circuit.rs PoseidonCircuit::hash for one arity. */
function trace(c: PoseidonConstants): PoseidonTemplate {
  const w = c.width;
  const ops: number[] = [];
  const names: string[] = [];
  const nameIds = new Map<string, number>();
  const constraints: [TemplateLc, TemplateLc, TemplateLc][] = [];
  let next = c.arity + 1;

  const push = (name: string): void => {
    let k = nameIds.get(name);
    if (k === undefined) {
      k = names.length;
      names.push(name);
      nameIds.set(name, k);
    }
    ops.push(PUSH_BASE - k);
  };
  const ns = <T>(name: string, fn: () => T): T => {
    push(name);
    const r = fn();
    ops.push(POP);
    return r;
  };
  const alloc = (): number => {
    ops.push(ALLOC);
    return next++;
  };
  const freeze = (lc: SymLc): TemplateLc => {
    const entries = [...lc].filter(([, k]) => k !== 0n).sort((x, y) => x[0] - y[0]);
    return { vars: Int32Array.from(entries.map((e) => e[0])), coeffs: entries.map((e) => e[1]) };
  };
  const lc = (...terms: [number, bigint][]): SymLc =>
    addInto(new Map(), new Map(terms.map(([v, k]) => [v, k % P])));
  const enforce = (a: SymLc, b: SymLc, cc: SymLc): void => {
    ops.push(constraints.length);
    constraints.push([freeze(a), freeze(b), freeze(cc)]);
  };
  const neg = (x: bigint): bigint => (P - (x % P)) % P;

  // Elt::ensure_allocated(enforce = true)
  const ensureAllocated = (e: Elt): number => {
    if ('v' in e) return e.v;
    const v = ns('allocate for Elt::Num', alloc);
    enforce(e.lc, lc([0, 1n]), lc([v, 1n]));
    return v;
  };
  // AllocatedNum::square
  const square = (l: number): number => {
    const r = alloc();
    enforce(lc([l, 1n]), lc([l, 1n]), lc([r, 1n]));
    return r;
  };
  // mul_sum(a, b, pre, post): (b + pre) * a = res - post
  const mulSum = (a: number, b: number, pre: bigint | null, post: bigint | null): number => {
    const r = ns('mul_sum', alloc);
    const A = pre === null ? lc([b, 1n]) : lc([b, 1n], [0, pre]);
    const C = post === null ? lc([r, 1n]) : lc([r, 1n], [0, neg(post)]);
    enforce(A, lc([a, 1n]), C);
    return r;
  };
  const quinticSBox = (e: Elt, post: bigint | null): Elt => {
    const l = ns('S-box input', () => ensureAllocated(e));
    const l2 = ns('l^2', () => square(l));
    const l4 = ns('l^4', () => square(l2));
    return { v: ns('(l4 * l) + rk)', () => mulSum(l4, l, null, post)) };
  };
  const quinticSBoxPreAdd = (e: Elt, pre: bigint, post: bigint): Elt => {
    const l = ns('S-box input', () => ensureAllocated(e));
    const l2 = ns('(l+rk)^2', () => {
      const r = ns('squared sum', alloc);
      enforce(lc([l, 1n], [0, pre]), lc([l, 1n], [0, pre]), lc([r, 1n]));
      return r;
    });
    const l4 = ns('l^4', () => square(l2));
    return { v: ns('l4 * (l + rk)', () => mulSum(l4, l, pre, post)) };
  };

  const crc = c.compressedRoundConstants;
  let off = 0;
  let round = 0;
  let elements: Elt[] = [{ lc: lc([0, c.domainTag]) }];
  for (let k = 0; k < c.arity; k++) elements.push({ v: 1 + k });

  const productMds = (): void => {
    const sparseOffset = c.halfFullRounds - 1;
    const dense = (m: Matrix): Elt[] =>
      elements.map((_, j) => ({
        lc: elements.reduce((acc, e, i) => addInto(acc, scaleElt(e, m[i]![j]!)), new Map()),
      }));
    if (round === sparseOffset) elements = dense(c.preSparse);
    else if (round > sparseOffset && round < c.halfFullRounds + c.partialRounds) {
      const m = c.sparse[round - sparseOffset - 1]!;
      const first = elements.reduce<SymLc>((acc, e, i) => addInto(acc, scaleElt(e, m.wHat[i]!)), new Map());
      const rest = elements.slice(1).map((e, j) => {
        if (!('lc' in e)) throw new Error('only two numbers may be added');
        return { lc: addInto(scaleElt(e, 1n), scaleElt(elements[0]!, m.vRest[j]!)) };
      });
      elements = [{ lc: first }, ...rest];
    } else elements = dense(c.mds);
    round++;
  };

  const fullRound = (first: boolean, last: boolean): void => {
    const pre = first ? crc.slice(off, off + w) : [];
    off += pre.length;
    const post = first || !last ? crc.slice(off, off + w) : [];
    off += post.length;
    for (let i = 0; i < w; i++) {
      if (first && i === 0) {
        // The tag's S-box is computed as a constant.
        const tag = elements[0] as { lc: SymLc };
        const x = ((tag.lc.get(0) ?? 0n) + pre[0]!) % P;
        elements[0] = { lc: lc([0, (pow5(x) + post[0]!) % P]) };
      } else if (first) {
        elements[i] = ns(`quintic s-box ${i}`, () => quinticSBoxPreAdd(elements[i]!, pre[i]!, post[i]!));
      } else {
        elements[i] = ns(`quintic s-box ${i}`, () => quinticSBox(elements[i]!, last ? null : post[i]!));
      }
    }
    productMds();
  };

  ns('first round', () => fullRound(true, false));
  for (let i = 1; i < c.halfFullRounds; i++) ns(`initial full round ${i}`, () => fullRound(false, false));
  for (let i = 0; i < c.partialRounds; i++) {
    ns(`partial round ${i}`, () => {
      const rk = crc[off++]!;
      elements[0] = ns('solitary quintic s-box', () => quinticSBox(elements[0]!, rk));
      productMds();
    });
  }
  for (let i = 0; i < c.halfFullRounds - 1; i++) ns(`final full round ${i}`, () => fullRound(false, false));
  ns('terminal full round', () => fullRound(false, true));
  ns('hash result', () => ensureAllocated(elements[1]!));

  return { arity: c.arity, ops: Int32Array.from(ops), names, constraints, numAux: next - c.arity - 1 };
}

const templates = new Map<number, PoseidonTemplate>();

/** The native hash's input and output buffers, one per size (an arity's), reused hash after hash. */
const scratches = new Map<number, Uint8Array>();

function scratch(bytes: number): Uint8Array {
  let s = scratches.get(bytes);
  if (!s) scratches.set(bytes, (s = new Uint8Array(bytes)));
  return s;
}

export function poseidonTemplate(arity: number): PoseidonTemplate {
  let t = templates.get(arity);
  if (!t) {
    t = trace(poseidonConstants(arity));
    templates.set(arity, t);
  }
  return t;
}

/**
 * neptune::circuit::poseidon_hash(cs, preimage, PoseidonConstants<Fr, U{preimage.length}>): the
 * constraints and allocations of the legacy circuit, in the caller's current namespace.
 */
export function poseidonHashCircuit(cs: SynthesisCs, preimage: readonly AllocatedNum[]): AllocatedNum {
  const arity = preimage.length;
  const t = poseidonTemplate(arity);
  // the witness: every value the circuit allocates, from the native hash (the BigInt one, which the
  // template was traced beside, is ~5x slower)
  const kernel = poseidonKernel(arity);
  const inputs = scratch(arity * FR_BYTES);
  for (let k = 0; k < arity; k++) frToBytes(preimage[k]!.value, inputs, k * FR_BYTES);
  const values = scratch(kernel.allocations * FR_BYTES);
  kernel.hash(inputs, values);
  if (kernel.allocations !== t.numAux)
    throw new Error(
      `poseidon ${arity}: the circuit allocates ${t.numAux} values, the native hash gave ${kernel.allocations}`,
    );
  if (cs.witnessOnly && cs.maxDepth === 0) {
    // witness-only without a namespace log: no constraint to build, no namespace to keep, so the
    // template's allocations go in as one run
    cs.skip(t.constraints.length);
    const first = cs.allocLeRun(values, kernel.allocations);
    return { v: first + kernel.allocations - 1, value: frFromBytes(values, values.length - FR_BYTES) };
  }
  // Relative variable -> absolute: ONE, the preimage, then this gadget's allocations from `base`.
  const map = new Array<number>(arity + 1);
  map[0] = ONE;
  for (let k = 0; k < arity; k++) map[k + 1] = preimage[k]!.v;
  const base = AUX + cs.numAux - (arity + 1);
  const toLc = (tl: TemplateLc): Lc => {
    const lc = new Lc();
    const n = tl.vars.length;
    for (let i = 0; i < n; i++) {
      const r = tl.vars[i]!;
      lc.vars.push(r <= arity ? map[r]! : base + r);
      lc.coeffs.push(tl.coeffs[i]!);
    }
    return lc;
  };
  const { ops, names, constraints } = t;
  let vi = 0;
  let last = 0;
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    if (op >= 0) {
      if (cs.witnessOnly) cs.skip();
      else {
        const [a, b, c] = constraints[op]!;
        cs.enforce(toLc(a), toLc(b), toLc(c));
      }
    } else if (op === ALLOC) last = cs.allocLe(values, FR_BYTES * vi++);
    else if (op === POP) cs.pop();
    else cs.push(names[PUSH_BASE - op]!);
  }
  return { v: last, value: frFromBytes(values, FR_BYTES * (vi - 1)) };
}
