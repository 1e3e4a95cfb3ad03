/**
 * The RegisteredSealProof variants of filecoin-proofs-api 19.1 and the PoRep settings each one implies
 * (what `RegisteredSealProof::as_v1_config` and filecoin-proofs' `setup_params` derive from them).
 */

export const SEAL_PROOF_NAMES = [
  'StackedDrg2KiBV1',
  'StackedDrg8MiBV1',
  'StackedDrg512MiBV1',
  'StackedDrg32GiBV1',
  'StackedDrg64GiBV1',
  'StackedDrg2KiBV1_1',
  'StackedDrg8MiBV1_1',
  'StackedDrg512MiBV1_1',
  'StackedDrg32GiBV1_1',
  'StackedDrg64GiBV1_1',
  'StackedDrg2KiBV1_1_Feat_SyntheticPoRep',
  'StackedDrg8MiBV1_1_Feat_SyntheticPoRep',
  'StackedDrg512MiBV1_1_Feat_SyntheticPoRep',
  'StackedDrg32GiBV1_1_Feat_SyntheticPoRep',
  'StackedDrg64GiBV1_1_Feat_SyntheticPoRep',
  'StackedDrg2KiBV1_2_Feat_NonInteractivePoRep',
  'StackedDrg8MiBV1_2_Feat_NonInteractivePoRep',
  'StackedDrg512MiBV1_2_Feat_NonInteractivePoRep',
  'StackedDrg32GiBV1_2_Feat_NonInteractivePoRep',
  'StackedDrg64GiBV1_2_Feat_NonInteractivePoRep',
] as const;
export type SealProofName = (typeof SEAL_PROOF_NAMES)[number];

/** The serde tags of the `vanilla_proofs` enum: one per tree shape, always spelled `…V1`. */
export const VANILLA_PROOF_KEYS = [
  'StackedDrg2KiBV1',
  'StackedDrg8MiBV1',
  'StackedDrg512MiBV1',
  'StackedDrg32GiBV1',
  'StackedDrg64GiBV1',
] as const;
export type VanillaProofKey = (typeof VANILLA_PROOF_KEYS)[number];

export type ApiVersion = '1.0.0' | '1.1.0' | '1.2.0';
export type ApiFeature = 'SyntheticPoRep' | 'NonInteractivePoRep';

/** Arities of the replica (comm_c / comm_r_last) trees: base, sub-tree (0 = none), top-tree (0 = none). */
export interface TreeShape {
  readonly base: 8;
  readonly sub: 0 | 8;
  readonly top: 0 | 2;
}

/** Everything the Commit2 circuit needs to know about a sector's proof type. */
export interface PoRepConfig {
  readonly sectorSize: number;
  /** Nodes of 32 bytes. */
  readonly nodes: number;
  readonly layers: number;
  readonly partitions: number;
  readonly challengesPerPartition: number;
  readonly porepId: Uint8Array;
  readonly apiVersion: ApiVersion;
  readonly feature: ApiFeature | null;
  readonly tree: TreeShape;
  /** The only `vanilla_proofs` tag a C1 output of this shape can carry. */
  readonly vanillaProofKey: VanillaProofKey;
}

const KIB = 1024;
const MIB = 1024 * KIB;
const GIB = 1024 * MIB;

interface SizeInfo {
  readonly bytes: number;
  readonly key: VanillaProofKey;
  readonly layers: number;
  readonly partitions: number;
  readonly interactiveChallenges: number;
  readonly niPartitions: number;
  readonly niChallenges: number;
  readonly tree: TreeShape;
}

const BASE_TREE: TreeShape = { base: 8, sub: 0, top: 0 };

const SIZES: Record<string, SizeInfo> = {
  '2KiB': {
    bytes: 2 * KIB,
    key: 'StackedDrg2KiBV1',
    layers: 2,
    partitions: 1,
    interactiveChallenges: 2,
    niPartitions: 13,
    niChallenges: 26,
    tree: BASE_TREE,
  },
  '8MiB': {
    bytes: 8 * MIB,
    key: 'StackedDrg8MiBV1',
    layers: 2,
    partitions: 1,
    interactiveChallenges: 2,
    niPartitions: 13,
    niChallenges: 26,
    tree: BASE_TREE,
  },
  '512MiB': {
    bytes: 512 * MIB,
    key: 'StackedDrg512MiBV1',
    layers: 2,
    partitions: 1,
    interactiveChallenges: 2,
    niPartitions: 13,
    niChallenges: 26,
    tree: BASE_TREE,
  },
  '32GiB': {
    bytes: 32 * GIB,
    key: 'StackedDrg32GiBV1',
    layers: 11,
    partitions: 10,
    interactiveChallenges: 176,
    niPartitions: 126,
    niChallenges: 2253,
    tree: { base: 8, sub: 8, top: 0 },
  },
  '64GiB': {
    bytes: 64 * GIB,
    key: 'StackedDrg64GiBV1',
    layers: 11,
    partitions: 10,
    interactiveChallenges: 176,
    niPartitions: 126,
    niChallenges: 2253,
    tree: { base: 8, sub: 8, top: 2 },
  },
};

export interface RegisteredSealProofInfo {
  readonly name: SealProofName;
  /** The u64 of REGISTERED_PROOF_IDS, the first 8 bytes (LE) of the porep id. */
  readonly id: number;
  readonly sizeLabel: string;
  readonly apiVersion: ApiVersion;
  readonly feature: ApiFeature | null;
}

export function registeredProofInfo(name: SealProofName): RegisteredSealProofInfo {
  const id = SEAL_PROOF_NAMES.indexOf(name);
  const m = /^StackedDrg(\d+[KMG]iB)V1(?:_(\d))?(?:_Feat_(\w+))?$/.exec(name);
  if (id < 0 || !m) throw new Error(`unknown registered seal proof ${name}`);
  const feature = (m[3] ?? null) as ApiFeature | null;
  const apiVersion: ApiVersion = feature !== null ? '1.2.0' : m[2] === '1' ? '1.1.0' : '1.0.0';
  return { name, id, sizeLabel: m[1]!, apiVersion, feature };
}

/** The porep id: LE u64 registered proof id, LE u64 nonce (always 0), zero padding. */
export function porepIdOf(id: number): Uint8Array {
  const out = new Uint8Array(32);
  new DataView(out.buffer).setBigUint64(0, BigInt(id), true);
  return out;
}

/** The production PoRep configuration of a registered seal proof. */
export function porepConfig(name: SealProofName): PoRepConfig {
  const info = registeredProofInfo(name);
  const size = SIZES[info.sizeLabel]!;
  const ni = info.feature === 'NonInteractivePoRep';
  const partitions = ni ? size.niPartitions : size.partitions;
  const minimum = ni ? size.niChallenges : size.interactiveChallenges;
  return {
    sectorSize: size.bytes,
    nodes: size.bytes / 32,
    layers: size.layers,
    partitions,
    challengesPerPartition: Math.ceil(minimum / partitions),
    porepId: porepIdOf(info.id),
    apiVersion: info.apiVersion,
    feature: info.feature,
    tree: size.tree,
    vanillaProofKey: size.key,
  };
}

/** Depth of the binary comm_d tree and of the base part of the replica trees. */
export function treeDepths(config: Pick<PoRepConfig, 'nodes' | 'tree'>): {
  dataDepth: number;
  baseDepth: number;
} {
  const dataDepth = Math.log2(config.nodes);
  const { sub, top } = config.tree;
  const baseLeaves = config.nodes / (sub || 1) / (top || 1);
  const baseDepth = Math.log2(baseLeaves) / 3;
  if (!Number.isInteger(dataDepth) || !Number.isInteger(baseDepth)) {
    throw new RangeError(
      `${config.nodes} nodes do not fit an oct-tree of shape ${config.tree.base}-${sub}-${top}`,
    );
  }
  return { dataDepth, baseDepth };
}

/** Partitions of an interactive PoRep of this sector size (undefined for a size not proved here). */
export function partitionsOfSize(bytes: number): number | undefined {
  return Object.values(SIZES).find((s) => s.bytes === bytes)?.partitions;
}
