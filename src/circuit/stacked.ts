/**
 * The StackedDRG PoRep circuit of one partition, synthesized in exactly the order rust-fil-proofs'
 * StackedCircuit does it (storage-proofs-porep stacked/circuit/proof.rs and params.rs): the same
 * namespaces, allocations and constraints, so that the R1CS and witness equal bellperson's.
 */
import type { Commit2Job, MerkleProof, VanillaProof } from '../porep/commit2-input.ts';
import type { PoRepConfig } from '../porep/registered-proof.ts';
import type { Bool } from './boolean.ts';
import type { SynthesisCs } from './synthesis-cs.ts';
import type { R1csCounts } from '../groth16/r1cs-file.ts';
import { Lc, ONE } from './lc.ts';
import { type AllocatedNum, allocNum, inputize, reverseBitNumbering, toBitsLe } from './num.ts';
import { createLabelCircuit } from './create-label.ts';
import { encode } from './encode.ts';
import { allocUInt64, packUInt64IntoInput } from './uint64.ts';
import { poseidonHash2Circuit } from './poseidon-hasher.ts';
import { hashSingleColumn } from './column-hash.ts';
import { enforceInclusion, type TreeKind } from './por.ts';

/** storage-proofs-core constraint::equal: a * 1 = b. */
function enforceEqual(cs: SynthesisCs, a: AllocatedNum, b: AllocatedNum): void {
  cs.enforce(Lc.of(a.v), Lc.of(ONE), Lc.of(b.v));
}

/** Column::alloc: one number per layer. */
function allocColumn(cs: SynthesisCs, rows: readonly bigint[]): AllocatedNum[] {
  return cs.ns('column', () => rows.map((r, i) => cs.ns(`column_num_row_${i}`, () => allocNum(cs, r))));
}

function parentBits(cs: SynthesisCs, name: string, value: AllocatedNum): Bool[] {
  return reverseBitNumbering(cs.ns(name, () => toBitsLe(cs, value)));
}

interface Shared {
  readonly config: PoRepConfig;
  readonly commD: AllocatedNum;
  readonly commC: AllocatedNum;
  readonly commRLast: AllocatedNum;
  readonly replicaIdBits: readonly Bool[];
}

function inclusion(
  cs: SynthesisCs,
  name: string,
  kind: TreeKind,
  config: PoRepConfig,
  proof: MerkleProof,
  root: AllocatedNum,
  leaf: AllocatedNum,
): void {
  cs.ns(name, () => enforceInclusion(cs, kind, config, proof, root, leaf));
}

/** params.rs Proof::synthesize for one challenge. */
function synthesizeChallenge(cs: SynthesisCs, s: Shared, proof: VanillaProof): void {
  const { config } = s;
  const dataLeaf = cs.ns('data_leaf', () => allocNum(cs, proof.comm_d_proofs.leaf));
  inclusion(cs, 'comm_d_inclusion', 'data', config, proof.comm_d_proofs, s.commD, dataLeaf);

  const columns = (
    list: VanillaProof['replica_column_proofs']['drg_parents'],
    prefix: string,
  ): AllocatedNum[][] =>
    list.map((parent, i) => {
      const column = cs.ns(`${prefix}_${i}_num`, () => allocColumn(cs, parent.column.rows));
      const hash = cs.ns(`${prefix}_${i}_constraint`, () => hashSingleColumn(cs, column));
      inclusion(cs, `${prefix}_${i}_inclusion`, 'replica', config, parent.inclusion_proof, s.commC, hash);
      return column;
    });
  const drg = columns(proof.replica_column_proofs.drg_parents, 'drg_parent');
  const exp = columns(proof.replica_column_proofs.exp_parents, 'exp_parent');

  const challenge = BigInt(proof.labeling_proofs[0]!.node);
  const challengeNum = cs.ns('challenge', () => allocUInt64(cs, challenge));
  cs.ns('challenge input', () => packUInt64IntoInput(cs, challengeNum));

  const layers = drg[0]!.length;
  const labels: AllocatedNum[] = [];
  for (let layer = 1; layer <= layers; layer++) {
    const label = cs.ns(`labeling_${layer}`, () => {
      const parents: Bool[][] = [];
      for (const column of drg)
        parents.push(parentBits(cs, `drg_parent_${parents.length}_bits`, column[layer - 1]!));
      if (layer > 1) {
        for (const column of exp)
          parents.push(parentBits(cs, `exp_parent_${parents.length}_bits`, column[layer - 2]!));
      }
      // The label hashes 37 parents: the base parents repeated (layer 1) or base and expander parents twice
      // and then the first 9 again.
      const expanded: Bool[][] =
        layer > 1
          ? [...parents, ...parents, ...parents.slice(0, 9)]
          : [...parents, ...parents, ...parents, ...parents, ...parents, ...parents, parents[0]!];
      return cs.ns('create_label', () =>
        createLabelCircuit(cs, s.replicaIdBits, expanded, layer, challengeNum),
      );
    });
    labels.push(label);
  }

  const encoded = cs.ns('encode_node', () => encode(cs, labels[labels.length - 1]!, dataLeaf));
  inclusion(
    cs,
    'comm_r_last_data_inclusion',
    'replica',
    config,
    proof.comm_r_last_proof,
    s.commRLast,
    encoded,
  );

  const columnHash = cs.ns('c_x_column_hash', () => hashSingleColumn(cs, labels));
  const cx = proof.replica_column_proofs.c_x;
  inclusion(cs, 'c_x_inclusion', 'replica', config, cx.inclusion_proof, s.commC, columnHash);
}

/** Challenges [from, to) of a partition. */
export interface ChallengeRange {
  from: number;
  to: number;
}

/**
 * proof.rs StackedCircuit::synthesize for partition k of a parsed Commit2 input. With `range`, only the
 * shared prefix and those challenges: every challenge reads the prefix's variables and nothing of another
 * challenge, and all have the same shape, so slices synthesized apart and joined after their prefixes
 * (synthesis-slices.ts) give the whole partition's witness. Returns what the part every challenge shares
 * (replica id, commitments, comm_r's hash) allocated.
 */
export function synthesizePartition(
  cs: SynthesisCs,
  job: Commit2Job,
  k: number,
  range?: ChallengeRange,
): R1csCounts {
  const { phase1, config } = job;
  const proofs = job.partitions[k];
  if (!proofs?.length) throw new RangeError(`partition ${k} has no vanilla proofs`);
  const from = range?.from ?? 0;
  const to = range?.to ?? proofs.length;
  if (!(Number.isInteger(from) && Number.isInteger(to) && 0 <= from && from < to && to <= proofs.length))
    throw new RangeError(`challenges [${from}, ${to}) are not within partition ${k}'s ${proofs.length}`);
  const commRLastValue = proofs[0]!.comm_r_last_proof.root;
  const commCValue = proofs[0]!.replica_column_proofs.c_x.inclusion_proof.root;

  const replicaId = cs.ns('replica_id', () => allocNum(cs, phase1.replica_id));
  cs.ns('replica_id_input', () => inputize(cs, replicaId));
  const replicaIdBits = reverseBitNumbering(cs.ns('replica_id_bits', () => toBitsLe(cs, replicaId)));

  const commD = cs.ns('comm_d', () => allocNum(cs, phase1.comm_d));
  cs.ns('comm_d_input', () => inputize(cs, commD));
  const commR = cs.ns('comm_r', () => allocNum(cs, phase1.comm_r));
  cs.ns('comm_r_input', () => inputize(cs, commR));
  const commRLast = cs.ns('comm_r_last', () => allocNum(cs, commRLastValue));
  const commC = cs.ns('comm_c', () => allocNum(cs, commCValue));

  const hash = cs.ns('H_comm_c_comm_r_last', () => poseidonHash2Circuit(cs, commC, commRLast));
  enforceEqual(cs, commR, hash);

  const prefix = { numInputs: cs.numInputs, numAux: cs.numAux, numConstraints: cs.numConstraints };
  const shared: Shared = { config, commD, commC, commRLast, replicaIdBits };
  for (let i = from; i < to; i++) cs.ns(`challenge_${i}`, () => synthesizeChallenge(cs, shared, proofs[i]!));
  return prefix;
}
