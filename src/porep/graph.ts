/**
 * The parents of a node in the StackedDRG graph (storage-proofs-core drgraph.rs BucketGraph,
 * crypto/feistel.rs; storage-proofs-porep stacked/vanilla/graph.rs StackedGraph): 6 DRG parents by bucket
 * sampling seeded per node with ChaCha8, then 8 expander parents through a Feistel permutation of the
 * node × 8 "metagraph". Every parent is a pure function of (porep_id, api_version, nodes, node), so only the
 * parents of challenged nodes are ever computed: no parent cache, no graph in memory.
 *
 * api_version 1.0.0 differs from 1.1.0+ in two places, both kept: the immediate predecessor is the last DRG
 * parent (instead of the first), and an expander parent is taken from the permuted index truncated to u32
 * before dividing by 8 (which only matters once nodes × 8 exceeds 2^32).
 */
import { createHash } from 'node:crypto';
import { blake2b } from '@noble/hashes/blake2.js';
import { chachaBlock, wordsLe } from './chacha.ts';
import type { ApiVersion, PoRepConfig } from './registered-proof.ts';

export const BASE_DEGREE = 6;
export const EXP_DEGREE = 8;
export const DEGREE = BASE_DEGREE + EXP_DEGREE;

const DRSAMPLE_DST = 'Filecoin_DRSample';
const FEISTEL_DST = 'Filecoin_Feistel';
const FEISTEL_ROUNDS = 3;
const TWO32 = 2 ** 32;

/** derive_porep_domain_seed: SHA-256(tag ‖ porep_id). */
function domainSeed(tag: string, porepId: Uint8Array): Uint8Array {
  return createHash('sha256').update(tag).update(porepId).digest();
}

/** u64 (given as two u32 halves) mod n, for n < 2^35, without leaving exact double arithmetic. */
function modU64(lo: number, hi: number, n: number): number {
  const h = (((hi % n) * 65536) % n) * 65536;
  return (h + lo) % n;
}

export class StackedBucketGraph {
  readonly nodes: number;
  readonly apiVersion: ApiVersion;
  /** ChaCha8 key words per node: the 28-byte DRG seed followed by the node (LE u32). */
  private readonly drgKey: Uint32Array;
  /** The round keys of the Feistel network as big-endian u64 bytes, as they are hashed. */
  private readonly feistelKeys: Uint8Array[];
  private readonly halfBits: number;
  private readonly rightMask: number;
  private readonly block = new Uint32Array(32);

  constructor(config: Pick<PoRepConfig, 'nodes' | 'porepId' | 'apiVersion'>) {
    const { nodes } = config;
    if (!Number.isInteger(nodes) || nodes < 2 || nodes > 0xffffffff)
      throw new RangeError(`bad node count ${nodes}`);
    // BucketGraph::new: the metagraph must be exactly representable in f64.
    if (nodes * (BASE_DEGREE - 1) > 2 ** 54) throw new RangeError('too many nodes for the metagraph');
    this.nodes = nodes;
    this.apiVersion = config.apiVersion;
    this.drgKey = new Uint32Array(8);
    this.drgKey.set(wordsLe(domainSeed(DRSAMPLE_DST, config.porepId).subarray(0, 28)));
    const fs = domainSeed(FEISTEL_DST, config.porepId);
    this.feistelKeys = [0, 1, 2].map((i) => fs.slice(8 * i, 8 * i + 8).reverse());
    // feistel::precompute: halves of log4(next power of 4 >= nodes * 8) bits each.
    let log4 = 1;
    for (let p = 4; p < nodes * EXP_DEGREE; p *= 4) log4++;
    this.halfBits = log4;
    this.rightMask = 2 ** log4 - 1;
  }

  /** BucketGraph::parents: 6 DRG parents of `node`, into out[at .. at + 6]. */
  drgParents(node: number, out: Uint32Array = new Uint32Array(BASE_DEGREE), at = 0): Uint32Array {
    this.checkNode(node);
    if (node < 2) {
      out.fill(0, at, at + BASE_DEGREE);
      return out;
    }
    // ChaCha8Rng::from_seed(seed ‖ node): next_u64 reads consecutive keystream words, low word first.
    this.drgKey[7] = node;
    const zero = new Uint32Array(3);
    chachaBlock(8, this.drgKey, 0, zero, this.block.subarray(0, 16));
    chachaBlock(8, this.drgKey, 1, zero, this.block.subarray(16, 32));
    const words = this.block;
    let w = 0;
    const mPrime = BASE_DEGREE - 1;
    const metaNode = node * mPrime;
    // ceil(log2(metaNode)) exactly: the bit length of metaNode - 1 (metaNode >= 10 here).
    const buckets = (metaNode - 1).toString(2).length;
    const legacy = this.apiVersion === '1.0.0';
    const first = legacy ? 0 : 1;
    for (let p = 0; p < mPrime; p++) {
      const bucket = modU64(words[w]!, words[w + 1]!, buckets) + 1;
      w += 2;
      const largest = Math.min(metaNode, 2 ** bucket);
      const smallest = Math.max(2, Math.floor(largest / 2));
      const distance = smallest + modU64(words[w]!, words[w + 1]!, largest - smallest + 1);
      w += 2;
      const parent = Math.floor((metaNode - distance) / mPrime);
      out[at + first + p] = parent === node ? node - 1 : parent;
    }
    out[at + (legacy ? mPrime : 0)] = node - 1;
    return out;
  }

  /** The Feistel round function: the low half-width bits of the first 8 bytes of Blake2b-512(right ‖ key). */
  private round(right: number, key: Uint8Array): number {
    const data = new Uint8Array(16);
    const dv = new DataView(data.buffer);
    dv.setUint32(0, Math.floor(right / TWO32));
    dv.setUint32(4, right >>> 0);
    data.set(key, 8);
    const h = blake2b(data);
    // rightMask < 2^32, so bytes 4..7 (big-endian) are all that survive the mask.
    const low = ((h[4]! << 24) | (h[5]! << 16) | (h[6]! << 8) | h[7]!) >>> 0;
    return (low & this.rightMask) >>> 0;
  }

  private encode(index: number): number {
    const half = 2 ** this.halfBits;
    let left = Math.floor(index / half);
    let right = index % half;
    for (let r = 0; r < FEISTEL_ROUNDS; r++) {
      const next = (left ^ this.round(right, this.feistelKeys[r]!)) >>> 0;
      left = right;
      right = next;
    }
    return left * half + right;
  }

  /** feistel::permute: cycle-walk the 4^k-element permutation until it lands inside nodes × 8. */
  private permute(index: number): number {
    const n = this.nodes * EXP_DEGREE;
    let u = this.encode(index);
    while (u >= n) u = this.encode(u);
    return u;
  }

  /** StackedGraph::expanded_parents: 8 expander parents of `node`, into out[at .. at + 8]. */
  expParents(node: number, out: Uint32Array = new Uint32Array(EXP_DEGREE), at = 0): Uint32Array {
    this.checkNode(node);
    for (let i = 0; i < EXP_DEGREE; i++) {
      const t = this.permute(node * EXP_DEGREE + i);
      out[at + i] =
        this.apiVersion === '1.0.0' ? Math.floor((t % TWO32) / EXP_DEGREE) : Math.floor(t / EXP_DEGREE);
    }
    return out;
  }

  /** StackedGraph::parents: DRG parents then expander parents (14). */
  parents(node: number, out: Uint32Array = new Uint32Array(DEGREE)): Uint32Array {
    this.drgParents(node, out, 0);
    this.expParents(node, out, BASE_DEGREE);
    return out;
  }

  private checkNode(node: number): void {
    if (!Number.isInteger(node) || node < 0 || node >= this.nodes)
      throw new RangeError(`node ${node} is not in 0..${this.nodes - 1}`);
  }
}

/** Graphs are cheap to build (two hashes) but callers check many challenges of one sector: reuse them. */
const cache = new Map<string, StackedBucketGraph>();

export function stackedGraph(
  config: Pick<PoRepConfig, 'nodes' | 'porepId' | 'apiVersion'>,
): StackedBucketGraph {
  const key = `${config.nodes}/${config.apiVersion}/${Buffer.from(config.porepId).toString('hex')}`;
  let g = cache.get(key);
  if (!g) {
    if (cache.size > 16) cache.clear();
    g = new StackedBucketGraph(config);
    cache.set(key, g);
  }
  return g;
}
