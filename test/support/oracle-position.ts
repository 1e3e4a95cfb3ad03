/**
 * Places a gadget where the oracle synthesized it: the reference digests list, per namespace, the aux and
 * input counts, so the variables allocated before a namespace can be counted and stood in for. A gadget
 * run on such a constraint system allocates the oracle's variable indices, so even its per-namespace
 * constraint digest (which encodes absolute indices) must match.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SynthesisCs } from '../../src/circuit/synthesis-cs.ts';
import { digestCircuit, type NamespaceDigest } from '../../src/circuit/digest.ts';
import { type AllocatedNum, allocNum } from '../../src/circuit/num.ts';

interface Oracle {
  readonly namespaces: readonly NamespaceDigest[];
  /** Aux and input (ONE included) counts before `path` was first entered. */
  before(path: string): { aux: number; inputs: number };
  get(path: string): NamespaceDigest;
}

/** Positions in the oracle's partition 0 (every variable there is allocated inside some namespace). */
export function oracle(digestUrl: URL): Oracle {
  const namespaces = (
    JSON.parse(readFileSync(digestUrl, 'utf8')) as { partitions: { namespaces: NamespaceDigest[] }[] }
  ).partitions[0]!.namespaces;
  const get = (path: string): NamespaceDigest => {
    const n = namespaces.find((x) => x.path === path);
    if (!n) throw new Error(`no namespace ${path}`);
    return n;
  };
  const before = (path: string): { aux: number; inputs: number } => {
    const parts = path.split('/');
    let aux = 0;
    let inputs = 1;
    for (let d = 1; d <= parts.length; d++) {
      const prefix = parts.slice(0, d - 1).join('/');
      const self = parts.slice(0, d).join('/');
      for (const n of namespaces) {
        if (n.path === self) break;
        if (n.depth === d && (d === 1 || n.path.startsWith(prefix + '/'))) {
          aux += n.aux;
          inputs += n.inputs;
        }
      }
    }
    return { aux, inputs };
  };
  return { namespaces, before, get };
}

/**
 * A constraint system whose next aux / input variables are those the oracle allocates at `path`, with
 * the given values at earlier aux indices (the variables the gadget reads) and bits of zero elsewhere.
 */
export function positioned(
  o: Oracle,
  path: string,
  fixed: ReadonlyMap<number, bigint>,
  maxDepth = path.split('/').length,
): { cs: SynthesisCs; at: (aux: number) => AllocatedNum } {
  const { aux, inputs } = o.before(path);
  const cs = new SynthesisCs({ maxDepth, auxCapacity: aux + 8192 });
  const nums = new Map<number, AllocatedNum>();
  while (cs.inputs.length < inputs) cs.allocInput(0n);
  for (let j = 0; j < aux; j++) {
    const v = fixed.get(j);
    if (v === undefined) cs.allocBit(0);
    else nums.set(j, allocNum(cs, v));
  }
  return { cs, at: (j) => nums.get(j)! };
}

/** Runs `fn` under `path`'s namespaces and compares that namespace's digest entry with the oracle's. */
export function checkNamespace<T>(o: Oracle, cs: SynthesisCs, path: string, fn: () => T): T {
  const parts = path.split('/');
  const run = (d: number): T => (d === parts.length ? fn() : cs.ns(parts[d]!, () => run(d + 1)));
  const result = run(0);
  const ours = digestCircuit(cs).namespaces.find((n) => n.path === path)!;
  const theirs = o.get(path);
  for (const key of ['constraints', 'aux', 'inputs', 'aux_sha256', 'constraints_sha256'] as const) {
    assert.equal(ours[key], theirs[key], `${path}: ${key}`);
  }
  assert.equal(cs.firstUnsatisfied(), -1, `${path}: unsatisfied`);
  return result;
}
