/**
 * The checks rust-fil-proofs makes on C1's vanilla proofs before it proves (CompoundProof::prove's sanity
 * check, StackedDrg::verify_all_partitions and Proof::verify in storage-proofs-porep stacked/vanilla), so a
 * bad Commit2 input is refused here with a precise reason instead of yielding a Groth16 proof that
 * verify_seal rejects. Per partition k:
 * - comm_r = Poseidon(comm_c, comm_r_last), both roots taken from challenge 0;
 * - the challenged nodes are the ones derived from (replica_id, seed, comm_r) for partition k;
 * per challenge:
 * - the comm_d (binary SHA-256), comm_c and comm_r_last (Poseidon oct-trees with sub/top levels) inclusion
 *   paths hash up to their roots and their index bits select the challenged node;
 * - the 6 DRG and 8 expander parent columns open the graph's parents of the node in comm_c;
 * - every column hashes (Poseidon over its rows) to its tree leaf;
 * - every layer's label is SHA-256(replica_id, layer, node, parents) of the parents' column rows and
 *   equals the challenged column's row; the encoding key plus the data leaf is the replica leaf.
 * Two checks go beyond Proof::verify, because the circuit depends on them: the comm_d and comm_r_last paths
 * must reach their roots (verify only compares their index), and the labeling proofs' parents must be the
 * parents' column rows (the circuit recomputes the labels from the columns).
 * The structural checks of commit2-input.ts (path lengths, arities, comm_d root, equal roots within a
 * partition) are assumed to have passed.
 */
import { poseidonHashNative } from '../backends/cpu/poseidon.ts';
import { FR_MODULUS, frToBytes } from '../shared/fr.ts';
import { partitionChallenges } from './challenges.ts';
import { sha256Fr } from '../shared/sha256.ts';
import type { JsonPath } from '../shared/json-path.ts';
import type { ColumnProof, Commit2Job, InputIssue, MerkleProof, VanillaProof } from './commit2-input.ts';
import { BASE_DEGREE, DEGREE, stackedGraph, type StackedBucketGraph } from './graph.ts';

/** Parents hashed into every label: the layer's parents repeated cyclically (storage-proofs-porep). */
const TOTAL_PARENTS = 37;

/** Issues reported at most: a wrong seed fails every challenge, and the first hundred say it all. */
export const MAX_ISSUES = 100;

export interface VanillaCheckOptions {
  /** Stop after this many issues. Default MAX_ISSUES. */
  readonly maxIssues?: number;
  /** Only the partitions this accepts (the check split over threads); default all. */
  readonly partitions?: (k: number) => boolean;
}

/**
 * Tree hashing shared by every path of a job. Poseidon dominates the cost and the upper levels of all paths
 * into one tree are the same preimages, so results are memoized by preimage (never by position, which would
 * hide a tampered sibling).
 */
class Hasher {
  private readonly memo = new Map<string, bigint>();

  poseidon(preimage: readonly bigint[]): bigint {
    const key = preimage.join(',');
    let v = this.memo.get(key);
    if (v === undefined) {
      v = poseidonHashNative(preimage);
      if (this.memo.size > 1 << 16) this.memo.clear();
      this.memo.set(key, v);
    }
    return v;
  }

  sha256(preimage: readonly bigint[]): bigint {
    return sha256Fr(preimage.map((v) => frToBytes(v)));
  }
}

type TreeKind = 'sha256' | 'poseidon';

/** The leaf index a Merkle proof opens: its path indexes as digits of the levels' arities, leaf first. */
function pathIndex(proof: MerkleProof): number {
  let index = 0;
  let scale = 1;
  for (const e of [...proof.base, ...proof.sub, ...proof.top]) {
    index += e.index * scale;
    scale *= e.hashes.length + 1;
  }
  return index;
}

/** The root a Merkle proof's path computes from its leaf (InclusionPath::root, level by level). */
function computeRoot(proof: MerkleProof, kind: TreeKind, hasher: Hasher): bigint {
  let h = proof.leaf;
  for (const e of [...proof.base, ...proof.sub, ...proof.top]) {
    const nodes = e.hashes.slice();
    nodes.splice(e.index, 0, h);
    h = kind === 'sha256' ? hasher.sha256(nodes) : hasher.poseidon(nodes);
  }
  return h;
}

/** A label or encoding key: SHA-256(replica_id ‖ layer BE u32 ‖ node BE u64 ‖ 0^20 ‖ parents) as Fr. */
function createLabel(replicaId: Uint8Array, layer: number, node: number, parents: readonly bigint[]): bigint {
  const head = new Uint8Array(64);
  head.set(replicaId, 0);
  const dv = new DataView(head.buffer);
  dv.setUint32(32, layer);
  dv.setBigUint64(36, BigInt(node));
  return sha256Fr([head, ...parents.map((v) => frToBytes(v))]);
}

class Checker {
  readonly issues: InputIssue[] = [];
  private readonly hasher = new Hasher();
  private readonly graph: StackedBucketGraph;
  private readonly replicaIdBytes: Uint8Array;
  private readonly max: number;
  private readonly job: Pick<Commit2Job, 'config' | 'phase1' | 'partitions'>;

  constructor(job: Pick<Commit2Job, 'config' | 'phase1' | 'partitions'>, options: VanillaCheckOptions) {
    this.job = job;
    this.graph = stackedGraph(job.config);
    this.replicaIdBytes = frToBytes(job.phase1.replica_id);
    this.max = options.maxIssues ?? MAX_ISSUES;
  }

  get full(): boolean {
    return this.issues.length >= this.max;
  }

  private report(path: JsonPath, message: string): void {
    if (!this.full) this.issues.push({ path, message });
  }

  /** A Merkle proof must hash to its root and open `node`; returns whether it does. */
  private merkle(proof: MerkleProof, kind: TreeKind, node: number, at: JsonPath, what: string): boolean {
    const data = [...at, 'data', proof.kind];
    const opened = pathIndex(proof);
    if (opened !== node) {
      this.report(data, `${what}: the path opens node ${opened}, expected node ${node}`);
      return false;
    }
    if (computeRoot(proof, kind, this.hasher) !== proof.root) {
      this.report([...data, 'root'], `${what}: the inclusion path does not hash to its root`);
      return false;
    }
    return true;
  }

  /** ColumnProof::verify: the column hashes to the leaf of a comm_c path opening `node`. */
  private column(c: ColumnProof, node: number, at: JsonPath, what: string): void {
    const rows = c.column.rows;
    if (rows.length !== 2 && rows.length !== 11) {
      this.report([...at, 'column', 'rows'], `${what}: no column hash for ${rows.length} layers (2 or 11)`);
      return;
    }
    if (this.hasher.poseidon(rows) !== c.inclusion_proof.leaf) {
      this.report([...at, 'column', 'rows'], `${what}: the column hash differs from the comm_c leaf`);
    }
    this.merkle(c.inclusion_proof, 'poseidon', node, [...at, 'inclusion_proof'], `${what} comm_c inclusion`);
  }

  /** The label parents of `layer` (1-based) as the circuit takes them from the parent columns. */
  private labelParents(p: VanillaProof, layer: number): bigint[] {
    const { drg_parents, exp_parents } = p.replica_column_proofs;
    const base = drg_parents.map((c) => c.column.rows[layer - 1]!);
    const own = layer === 1 ? base : [...base, ...exp_parents.map((c) => c.column.rows[layer - 2]!)];
    return Array.from({ length: TOTAL_PARENTS }, (_, i) => own[i % own.length]!);
  }

  challenge(p: VanillaProof, node: number, at: JsonPath, where: string): void {
    const { config } = this.job;
    const cols = [...at, 'replica_column_proofs'];
    // Data and replica openings of the challenged node.
    this.merkle(p.comm_d_proofs, 'sha256', node, [...at, 'comm_d_proofs'], `${where}: comm_d inclusion`);
    this.merkle(
      p.comm_r_last_proof,
      'poseidon',
      node,
      [...at, 'comm_r_last_proof'],
      `${where}: comm_r_last inclusion`,
    );
    this.column(p.replica_column_proofs.c_x, node, [...cols, 'c_x'], `${where}: c_x`);
    // The parents' columns open exactly the graph's parents.
    const parents = this.graph.parents(node, new Uint32Array(DEGREE));
    p.replica_column_proofs.drg_parents.forEach((c, i) =>
      this.column(
        c,
        parents[i]!,
        [...cols, 'drg_parents', i],
        `${where}: DRG parent ${i} (node ${parents[i]})`,
      ),
    );
    p.replica_column_proofs.exp_parents.forEach((c, i) =>
      this.column(
        c,
        parents[BASE_DEGREE + i]!,
        [...cols, 'exp_parents', i],
        `${where}: expander parent ${i} (node ${parents[BASE_DEGREE + i]})`,
      ),
    );
    // Labels: every layer's labeling proof against the challenged column.
    const rows = p.replica_column_proofs.c_x.column.rows;
    p.labeling_proofs.forEach((lp, l) => {
      const layer = l + 1;
      const lat = [...at, 'labeling_proofs', l];
      if (lp.layer_index !== layer || lp.node !== node) {
        this.report(
          lat,
          `${where}: labeling proof ${l} is for layer ${lp.layer_index} node ${lp.node}, expected layer ${layer} node ${node}`,
        );
        return;
      }
      const expected = this.labelParents(p, layer);
      if (lp.parents.length !== TOTAL_PARENTS || lp.parents.some((v, i) => v !== expected[i])) {
        this.report(
          [...lat, 'parents'],
          `${where}: layer ${layer} label parents differ from the parents' column rows`,
        );
        return;
      }
      if (createLabel(this.replicaIdBytes, layer, node, lp.parents) !== rows[l]) {
        this.report(
          [...cols, 'c_x', 'column', 'rows', l],
          `${where}: layer ${layer} label differs from SHA-256 of its parents`,
        );
      }
    });
    // Encoding: the last layer's label is the key, replica = key + data.
    const ep = p.encoding_proof;
    const eat = [...at, 'encoding_proof'];
    if (ep.layer_index !== config.layers || ep.node !== node) {
      this.report(
        eat,
        `${where}: encoding proof is for layer ${ep.layer_index} node ${ep.node}, expected layer ${config.layers} node ${node}`,
      );
      return;
    }
    const key = createLabel(this.replicaIdBytes, ep.layer_index, ep.node, ep.parents);
    if ((key + p.comm_d_proofs.leaf) % FR_MODULUS !== p.comm_r_last_proof.leaf) {
      this.report(eat, `${where}: encoding key + data leaf differs from the comm_r_last leaf`);
    }
  }

  partition(k: number, proofs: readonly VanillaProof[], at: JsonPath): void {
    const { config, phase1 } = this.job;
    const first = proofs[0];
    if (!first) return;
    const commC = first.replica_column_proofs.c_x.inclusion_proof.root;
    const commRLast = first.comm_r_last_proof.root;
    if (this.hasher.poseidon([commC, commRLast]) !== phase1.comm_r) {
      this.report(
        ['Phase1Out', 'comm_r'],
        `partition ${k}: comm_r is not Poseidon(comm_c, comm_r_last) of its proofs`,
      );
    }
    const derived = partitionChallenges(
      config,
      { replicaId: phase1.replica_id, commR: phase1.comm_r, seed: phase1.seed },
      k,
    );
    if (derived.length !== proofs.length) {
      this.report(at, `partition ${k}: ${proofs.length} challenge proofs for ${derived.length} challenges`);
    }
    proofs.forEach((p, j) => {
      if (this.full || j >= derived.length) return;
      const node = derived[j]!;
      const where = `partition ${k}, challenge ${j} (node ${node})`;
      const proven = p.labeling_proofs[0]?.node;
      if (proven !== node) {
        // Everything else would be checked against the wrong node: one issue says it all.
        this.report(
          [...at, j, 'labeling_proofs', 0, 'node'],
          `${where}: the proof is for node ${proven}, not the challenge derived from the seed`,
        );
        return;
      }
      this.challenge(p, node, [...at, j], where);
    });
  }
}

/**
 * Verifies the vanilla proofs of a parsed Commit2 job as rust-fil-proofs does before proving. Returns the
 * problems found (empty when the proofs are valid), with JSON paths into the Commit2In as
 * parseCommit2Input reports them.
 */
export function checkVanillaProofs(
  job: Pick<Commit2Job, 'config' | 'phase1' | 'partitions'>,
  options: VanillaCheckOptions = {},
): InputIssue[] {
  const checker = new Checker(job, options);
  const at = ['Phase1Out', 'vanilla_proofs', job.phase1.vanilla_proofs.kind];
  job.partitions.forEach((proofs, k) => {
    if (!checker.full && (options.partitions?.(k) ?? true)) checker.partition(k, proofs, [...at, k]);
  });
  return checker.issues;
}
