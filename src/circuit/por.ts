/**
 * storage-proofs-core's Merkle inclusion circuit: PoRCircuit::synthesize over an AuthPath of base, sub and
 * top tree paths (gadgets/por.rs), the insertion gadgets (gadgets/insertion.rs) and Root (variables.rs).
 * Generic over the hasher's `hash_multi_leaf_circuit`: Poseidon for the replica trees, SHA-256 for the
 * binary comm_d tree.
 */
import { type Bool, allocBit, andBits, boolLc, boolValue, norBits } from './boolean.ts';
import type { SynthesisCs } from './synthesis-cs.ts';
import { Lc, ONE } from './lc.ts';
import { type AllocatedNum, allocNum, inputize, packIntoInputs } from './num.ts';
import { poseidonHashCircuit } from './poseidon.ts';
import { sha256HashMultiLeafCircuit } from './sha256-hasher.ts';
import type { MerkleProof, PathElement } from '../porep/commit2-input.ts';
import type { PoRepConfig } from '../porep/registered-proof.ts';

/** Hasher::Function::hash_multi_leaf_circuit, run in the namespace the caller opened. */
export interface CircuitHasher {
  hashMultiLeaf(cs: SynthesisCs, leaves: readonly AllocatedNum[], height: number): AllocatedNum;
}

export const poseidonCircuitHasher: CircuitHasher = {
  hashMultiLeaf: (cs, leaves) => poseidonHashCircuit(cs, leaves),
};

/** Sha256Function::hash_multi_leaf_circuit: the comm_d (binary) tree's node hash. */
export const sha256CircuitHasher: CircuitHasher = {
  hashMultiLeaf: (cs, leaves, height) => sha256HashMultiLeafCircuit(cs, leaves, height),
};

// ----- insertion (gadgets/insertion.rs)

/** pick: c = condition ? a : b, with (b - a) * condition = b - c. */
export function pick(
  cs: SynthesisCs,
  name: string,
  cond: Bool,
  a: AllocatedNum,
  b: AllocatedNum,
): AllocatedNum {
  cs.push(name);
  const c = cs.ns('pick result', () => allocNum(cs, boolValue(cs, cond) ? a.value : b.value));
  cs.enforce(Lc.of(b.v).sub(a.v), boolLc(cond), Lc.of(b.v).sub(c.v));
  cs.pop();
  return c;
}

function insert2(
  cs: SynthesisCs,
  x: AllocatedNum,
  bits: readonly Bool[],
  e: readonly AllocatedNum[],
): AllocatedNum[] {
  const b0 = bits[0]!;
  return [pick(cs, 'binary insert 0', b0, e[0]!, x), pick(cs, 'binary insert 1', b0, x, e[0]!)];
}

function insert4(
  cs: SynthesisCs,
  x: AllocatedNum,
  bits: readonly Bool[],
  e: readonly AllocatedNum[],
): AllocatedNum[] {
  const [b0, b1] = bits as [Bool, Bool];
  const [b, c, d] = e as [AllocatedNum, AllocatedNum, AllocatedNum];
  const p0x0 = pick(cs, 'p0_x0', b0, b, x);
  const p0 = pick(cs, 'p0', b1, b, p0x0);
  const p1x0 = pick(cs, 'p1_x0', b0, x, b);
  const p1 = pick(cs, 'p1', b1, c, p1x0);
  const p2x1 = pick(cs, 'p2_x1', b0, d, x);
  const p2 = pick(cs, 'p2', b1, p2x1, c);
  const p3x1 = pick(cs, 'p3_x1', b0, x, d);
  const p3 = pick(cs, 'p3', b1, p3x1, d);
  return [p0, p1, p2, p3];
}

function insert8(
  cs: SynthesisCs,
  x: AllocatedNum,
  bits: readonly Bool[],
  e: readonly AllocatedNum[],
): AllocatedNum[] {
  const [b0, b1, b2] = bits as [Bool, Bool, Bool];
  const [b, c, d, ee, f, g, h] = e as [
    AllocatedNum,
    AllocatedNum,
    AllocatedNum,
    AllocatedNum,
    AllocatedNum,
    AllocatedNum,
    AllocatedNum,
  ];
  // Both need allocated, unnegated bits, which index bits always are.
  const nor = cs.ns('b0 nor b1', () => norBits(cs, b0, b1));
  const and = cs.ns('b0 and b1', () => andBits(cs, b0, b1));
  const p0xx0 = pick(cs, 'p0_xx0', nor, x, b);
  const p0 = pick(cs, 'p0', b2, b, p0xx0);
  const p1x00 = pick(cs, 'p1_x00', b0, x, b);
  const p1xx0 = pick(cs, 'p1_xx0', b1, c, p1x00);
  const p1 = pick(cs, 'p1', b2, c, p1xx0);
  const p2x10 = pick(cs, 'p2_x10', b0, d, x);
  const p2xx0 = pick(cs, 'p2_xx0', b1, p2x10, c);
  const p2 = pick(cs, 'p2', b2, d, p2xx0);
  const p3xx0 = pick(cs, 'p3_xx0', and, x, d);
  const p3 = pick(cs, 'p3', b2, ee, p3xx0);
  const p4xx1 = pick(cs, 'p4_xx1', nor, x, f);
  const p4 = pick(cs, 'p4', b2, p4xx1, ee);
  const p5x01 = pick(cs, 'p5_x01', b0, x, f);
  const p5xx1 = pick(cs, 'p5_xx1', b1, g, p5x01);
  const p5 = pick(cs, 'p5', b2, p5xx1, f);
  const p6x11 = pick(cs, 'p6_x11', b0, h, x);
  const p6xx1 = pick(cs, 'p6_xx1', b1, p6x11, g);
  const p6 = pick(cs, 'p6', b2, p6xx1, g);
  const p7xx1 = pick(cs, 'p7_xx1', and, x, h);
  const p7 = pick(cs, 'p7', b2, p7xx1, h);
  return [p0, p1, p2, p3, p4, p5, p6, p7];
}

/** select: picks from[index(bits)] with a tree of picks, most significant bit first. */
function select(cs: SynthesisCs, from: readonly AllocatedNum[], bits: readonly Bool[]): AllocatedNum {
  let state = from.slice();
  let half = from.length / 2;
  for (let i = 0; i < bits.length; i++) {
    const bit = bits[bits.length - 1 - i]!;
    const next: AllocatedNum[] = [];
    for (let j = 0; j < half; j++) next.push(pick(cs, `pick ${i}, ${j}`, bit, state[half + j]!, state[j]!));
    state = next;
    half /= 2;
  }
  return state[0]!;
}

/** insert: `x` placed at position index(bits) among `elements` (2^bits.length - 1 of them). */
export function insert(
  cs: SynthesisCs,
  x: AllocatedNum,
  bits: readonly Bool[],
  elements: readonly AllocatedNum[],
): AllocatedNum[] {
  const size = elements.length + 1;
  if (1 << bits.length !== size)
    throw new Error(`cannot insert into ${elements.length} with ${bits.length} bits`);
  if (size === 2) return insert2(cs, x, bits, elements);
  if (size === 4) return insert4(cs, x, bits, elements);
  if (size === 8) return insert8(cs, x, bits, elements);
  // General case: one select per output position over the candidates for that position.
  const out: AllocatedNum[] = [];
  for (let pos = 0; pos < size; pos++) {
    const choices = Array.from({ length: size }, (_, index) =>
      pos < index ? elements[pos]! : pos === index ? x : elements[pos - 1]!,
    );
    out.push(cs.ns(`choice at ${pos}`, () => select(cs, choices, bits)));
  }
  return out;
}

// ----- PoRCircuit

/** AuthPath's three sub-paths. */
export interface AuthPath {
  readonly base: readonly PathElement[];
  readonly sub: readonly PathElement[];
  readonly top: readonly PathElement[];
}

/** Tree arities; 0 means no such layer. */
export interface TreeArities {
  readonly base: number;
  readonly sub: number;
  readonly top: number;
}

/**
 * AuthPath::from(proof.as_options()): the flattened path (base, then sub, then top elements) split
 * again by the tree type: the last element is the top path when there is one, the one before the sub.
 */
export function authPathFromProof(
  proof: Pick<MerkleProof, 'base' | 'sub' | 'top'>,
  arities: TreeArities,
): AuthPath {
  const flat = [...proof.base, ...proof.sub, ...proof.top].map((e) => ({ hashes: e.hashes, index: e.index }));
  const tail = arities.top > 0 ? 2 : arities.sub > 0 ? 1 : 0;
  const rest = flat.slice(flat.length - tail);
  const top = arities.top > 0 ? [rest.pop()!] : [];
  const sub = arities.sub > 0 ? [rest.pop()!] : [];
  return { base: flat.slice(0, flat.length - tail), sub, top };
}

/** SubPath::synthesize: climbs `path`, returning the new node and the index bits (little-endian). */
function synthesizeSubPath(
  cs: SynthesisCs,
  hasher: CircuitHasher,
  arity: number,
  path: readonly PathElement[],
  cur: AllocatedNum,
  bitsOut: Bool[],
): AllocatedNum {
  if (arity === 0) {
    if (path.length) throw new Error('path elements for an absent tree layer');
    return cur;
  }
  if ((arity & (arity - 1)) !== 0) throw new Error('arity must be a power of two');
  const indexBits = Math.log2(arity);
  for (let i = 0; i < path.length; i++) {
    const { hashes, index } = path[i]!;
    if (hashes.length !== arity - 1)
      throw new Error(`path element with ${hashes.length} hashes for arity ${arity}`);
    cs.push('merkle tree hash ', i);
    const bits: Bool[] = [];
    for (let j = 0; j < indexBits; j++) {
      cs.push('index bit ', j);
      bits.push(allocBit(cs, (index >>> j) & 1));
      cs.pop();
    }
    bitsOut.push(...bits);
    const siblings = hashes.map((h, j) => cs.ns('path element ', () => allocNum(cs, h), j));
    const inserted = insert(cs, cur, bits, siblings);
    cur = cs.ns('computation of commitment hash', () => hasher.hashMultiLeaf(cs, inserted, i));
    cs.pop();
  }
  return cur;
}

/** Root: an already allocated number (Root::Var) or a value to allocate (Root::Val). */
export type Root = AllocatedNum | bigint;

function rootAllocated(cs: SynthesisCs, name: string, root: Root): AllocatedNum {
  return cs.ns(name, () => (typeof root === 'bigint' ? allocNum(cs, root) : root));
}

/**
 * PoRCircuit::synthesize(cs, value, auth_path, root, private) in the caller's namespace: the leaf climbs
 * the path, the index bits become public inputs ("path"), the computed root must equal `root`, which is
 * also made public unless `isPrivate`.
 */
export function porCircuit(
  cs: SynthesisCs,
  hasher: CircuitHasher,
  arities: TreeArities,
  path: AuthPath,
  value: Root,
  root: Root,
  isPrivate: boolean,
): void {
  let cur = rootAllocated(cs, 'value', value);
  const bits: Bool[] = [];
  cur = cs.ns('base', () => synthesizeSubPath(cs, hasher, arities.base, path.base, cur, bits));
  cur = cs.ns('sub', () => synthesizeSubPath(cs, hasher, arities.sub, path.sub, cur, bits));
  cur = cs.ns('top', () => synthesizeSubPath(cs, hasher, arities.top, path.top, cur, bits));
  cs.ns('path', () => packIntoInputs(cs, bits));
  const rt = rootAllocated(cs, 'root_value', root);
  // constraint::equal: computed * 1 = root
  cs.enforce(Lc.of(cur.v), Lc.of(ONE), Lc.of(rt.v));
  if (!isPrivate) cs.ns('root', () => inputize(cs, rt));
}

/** Which Commit2 tree a proof opens: comm_d's binary SHA-256 tree or a Poseidon replica tree (C, R). */
export type TreeKind = 'data' | 'replica';

/**
 * params.rs enforce_inclusion: PoRCircuit::synthesize with Root::Var leaf and root, private, over the
 * tree of `kind` for `config`'s sector shape.
 */
export function enforceInclusion(
  cs: SynthesisCs,
  kind: TreeKind,
  config: Pick<PoRepConfig, 'tree'>,
  proof: Pick<MerkleProof, 'base' | 'sub' | 'top'>,
  root: AllocatedNum,
  leaf: AllocatedNum,
): void {
  let hasher: CircuitHasher;
  let arities: TreeArities;
  if (kind === 'data') {
    hasher = sha256CircuitHasher;
    arities = { base: 2, sub: 0, top: 0 };
  } else {
    hasher = poseidonCircuitHasher;
    arities = config.tree;
  }
  porCircuit(cs, hasher, arities, authPathFromProof(proof, arities), leaf, root, true);
}

// ----- native

/** The root a path leads to from `leaf` (vanilla MerkleProof verification) under the node hash `hash`. */
export function pathRoot(leaf: bigint, path: AuthPath, hash: (children: bigint[]) => bigint): bigint {
  let cur = leaf;
  for (const e of [...path.base, ...path.sub, ...path.top]) {
    const children = e.hashes.slice();
    children.splice(e.index, 0, cur);
    cur = hash(children);
  }
  return cur;
}
