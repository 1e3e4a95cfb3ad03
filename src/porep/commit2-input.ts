/**
 * The Commit2 input: lotus' `Commit2In` envelope ({SectorNum, Phase1Out, SectorSize}) around the serde JSON of
 * filecoin-proofs-api 19.1's `SealCommitPhase1Output`, parsed and checked with zod.
 *
 * How serde writes the Rust types (the specification this follows):
 * - `[u8; 32]` (Commitment, Ticket, and the repr inside `PoseidonDomain` / `Sha256Domain`, both newtype
 *   structs, hence transparent) is a JSON array of 32 integers 0..255. Domains are field elements in canonical
 *   little-endian form: rust-fil-proofs converts every one of them to Fr with `from_repr(..).expect(..)`, so a
 *   value >= r is refused here rather than panicking there.
 * - enums are externally tagged: `"registered_proof":"StackedDrg2KiBV1_1"`, `"vanilla_proofs":{"StackedDrg2KiBV1":…}`,
 *   `"data":{"Single":{…}}` / `{"Sub":…}` / `{"Top":…}` for Merkle proofs.
 * - `PhantomData` fields that are not `#[serde(skip)]` (Column's `_h`) are written as `null`.
 * - unknown keys are ignored, as serde does without `deny_unknown_fields`.
 *
 * Domains come out as bigint (canonical Fr), byte strings that are not field elements (ticket, seed) as
 * Uint8Array. Merkle proofs are normalized to {root, leaf, base, sub, top} paths.
 */
import { z } from 'zod';
import { FR_MODULUS, bigintFromLe } from '../shared/fr.ts';
import { ProverError } from '../shared/errors.ts';
import { formatPath, type JsonPath } from '../shared/json-path.ts';
import {
  SEAL_PROOF_NAMES,
  VANILLA_PROOF_KEYS,
  porepConfig,
  registeredProofInfo,
  treeDepths,
  type PoRepConfig,
  type TreeShape,
} from './registered-proof.ts';

// ---------------------------------------------------------------------------------------------------------
// Leaves

function isBytes32(v: unknown): v is number[] {
  if (!Array.isArray(v) || v.length !== 32) return false;
  for (const b of v) if (typeof b !== 'number' || !Number.isInteger(b) || b < 0 || b > 255) return false;
  return true;
}

const BYTES32_ERROR = 'expected an array of 32 integers in 0..255';

/** A `[u8; 32]` that is not a field element. */
const bytes32 = z.custom<number[]>(isBytes32, { error: BYTES32_ERROR }).transform((a) => Uint8Array.from(a));

/** A domain element (PoseidonDomain, Sha256Domain, Fr repr): canonical little-endian field element. */
const fr = z.custom<number[]>(isBytes32, { error: BYTES32_ERROR }).transform((a, ctx) => {
  const v = bigintFromLe(a);
  if (v >= FR_MODULUS) {
    ctx.addIssue({ code: 'custom', message: 'not a canonical field element (value >= r)' });
    return z.NEVER;
  }
  return v;
});

const u32 = z.number().int().min(0).max(0xffffffff);
const u64 = z
  .number()
  .int()
  .min(0)
  .refine((n) => Number.isSafeInteger(n), { error: 'integer too large to be represented exactly' });

/**
 * serde's externally tagged enum: an object with exactly one key naming the variant. The output is
 * {kind, value}, typed from the variant schemas.
 */
function externallyTagged<S extends Record<string, z.ZodType>>(variants: S) {
  type Out = { [K in keyof S & string]: { kind: K; value: z.output<S[K]> } }[keyof S & string];
  const names = Object.keys(variants);
  return z
    .custom<Record<string, unknown>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), {
      error: `expected an object with one of the keys ${names.join(', ')}`,
    })
    .transform((obj, ctx): Out => {
      const keys = Object.keys(obj);
      if (keys.length !== 1 || !names.includes(keys[0]!)) {
        ctx.addIssue({
          code: 'custom',
          message: `expected exactly one of the variants ${names.join(', ')}, found ${keys.length ? keys.join(', ') : 'no key'}`,
        });
        return z.NEVER;
      }
      const kind = keys[0]!;
      const r = variants[kind]!.safeParse(obj[kind]);
      if (!r.success) {
        for (const issue of r.error.issues) ctx.addIssue({ ...issue, path: [kind, ...issue.path] } as never);
        return z.NEVER;
      }
      return { kind, value: r.data } as Out;
    });
}

// ---------------------------------------------------------------------------------------------------------
// Merkle proofs (storage-proofs-core merkle/proof.rs)

const pathElement = z.object({ hashes: z.array(fr), index: u64 });
const inclusionPath = z.object({ path: z.array(pathElement) });

const merkleProofSchema = z
  .object({
    data: externallyTagged({
      Single: z.object({ root: fr, leaf: fr, path: inclusionPath }),
      Sub: z.object({ base_proof: inclusionPath, sub_proof: inclusionPath, root: fr, leaf: fr }),
      Top: z.object({
        base_proof: inclusionPath,
        sub_proof: inclusionPath,
        top_proof: inclusionPath,
        root: fr,
        leaf: fr,
      }),
    }),
  })
  .transform(({ data }) => {
    const v = data.value;
    const base = 'path' in v ? v.path.path : v.base_proof.path;
    const sub = 'sub_proof' in v ? v.sub_proof.path : [];
    const top = 'top_proof' in v ? v.top_proof.path : [];
    return { kind: data.kind, root: v.root, leaf: v.leaf, base, sub, top };
  });
export type MerkleProof = z.output<typeof merkleProofSchema>;
export type PathElement = z.output<typeof pathElement>;

// ---------------------------------------------------------------------------------------------------------
// Stacked DRG vanilla proof (storage-proofs-porep stacked/vanilla)

const columnProofSchema = z.object({
  column: z.object({ index: u32, rows: z.array(fr), _h: z.null().optional() }),
  inclusion_proof: merkleProofSchema,
});
export type ColumnProof = z.output<typeof columnProofSchema>;

/** LabelingProof and EncodingProof serialize alike. */
const labelingProofSchema = z.object({ parents: z.array(fr), layer_index: u32, node: u64 });
export type LabelingProof = z.output<typeof labelingProofSchema>;

const vanillaProofSchema = z.object({
  comm_d_proofs: merkleProofSchema,
  comm_r_last_proof: merkleProofSchema,
  replica_column_proofs: z.object({
    c_x: columnProofSchema,
    drg_parents: z.array(columnProofSchema),
    exp_parents: z.array(columnProofSchema),
  }),
  labeling_proofs: z.array(labelingProofSchema),
  encoding_proof: labelingProofSchema,
});
export type VanillaProof = z.output<typeof vanillaProofSchema>;

const partitionsSchema = z.array(z.array(vanillaProofSchema));

const vanillaProofsSchema = externallyTagged(
  Object.fromEntries(VANILLA_PROOF_KEYS.map((k) => [k, partitionsSchema])) as Record<
    (typeof VANILLA_PROOF_KEYS)[number],
    typeof partitionsSchema
  >,
);

export const phase1OutSchema = z.object({
  registered_proof: z.enum(SEAL_PROOF_NAMES),
  vanilla_proofs: vanillaProofsSchema,
  comm_r: fr,
  comm_d: fr,
  replica_id: fr,
  seed: bytes32,
  ticket: bytes32,
});
export type Phase1Out = z.output<typeof phase1OutSchema>;

// ---------------------------------------------------------------------------------------------------------
// The envelope

/**
 * Standard padded base64, checked in one pass: a regular expression over the ~50 MB Phase1Out of a 64GiB
 * sector overflows V8's regexp stack.
 */
function isBase64(s: string): boolean {
  if (s.length % 4 !== 0) return false;
  const end = s.length - (s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0);
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i);
    const ok = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47;
    if (!ok) return false;
  }
  return true;
}

/** Test-only extension of the reference oracle (test/reference/FORMATS.md §1): a reduced circuit shape. */
const shapeOverrideSchema = z.object({
  shape: z.enum(['8-0-0', '8-8-0', '8-8-2']),
  sector_size: u64,
  layers: z.number().int().min(1).max(15),
  partitions: z.number().int().min(1).max(255),
  porep_id: z.string().regex(/^[0-9a-fA-F]{64}$/, { error: 'expected 64 hex digits' }),
  api_version: z.string().optional(),
});
export type ShapeOverride = z.output<typeof shapeOverrideSchema>;

export const commit2InSchema = z.object({
  SectorNum: u64,
  Phase1Out: z
    .string()
    .refine(isBase64, { error: 'expected standard base64 (A-Z a-z 0-9 + /, padded)' })
    .transform((s, ctx) => {
      const text = Buffer.from(s, 'base64').toString('utf8');
      try {
        return JSON.parse(text) as unknown;
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: `decodes to invalid JSON: ${(e as Error).message}` });
        return z.NEVER;
      }
    })
    .pipe(phase1OutSchema),
  SectorSize: u64,
  ShapeOverride: shapeOverrideSchema.optional(),
});
export type Commit2In = z.output<typeof commit2InSchema>;

// ---------------------------------------------------------------------------------------------------------
// Parsing and the checks that need the proof configuration

export interface InputIssue {
  readonly path: JsonPath;
  readonly message: string;
}

export class Commit2InputError extends ProverError {
  readonly issues: readonly InputIssue[];
  /** C2_BAD_INPUT, or C2_UNSUPPORTED_PROOF for a well-formed input of a proof kind not proved here. */
  constructor(issues: readonly InputIssue[], code: 'C2_BAD_INPUT' | 'C2_UNSUPPORTED_PROOF' = 'C2_BAD_INPUT') {
    const shown = issues.slice(0, 10).map((i) => `  ${formatPath(i.path)}: ${i.message}`);
    if (issues.length > 10) shown.push(`  … and ${issues.length - 10} more`);
    super(code, `invalid Commit2 input:\n${shown.join('\n')}`);
    this.name = 'Commit2InputError';
    this.issues = issues;
  }
}

/** A parsed, checked Commit2 input with the configuration its circuit is built from. */
export interface Commit2Job {
  readonly sectorNum: number;
  readonly config: PoRepConfig;
  readonly phase1: Phase1Out;
  /** vanilla_proofs[partition][challenge]. */
  readonly partitions: VanillaProof[][];
}

function hexToBytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g)!.map((h) => parseInt(h, 16)));
}

function configFor(input: Commit2In, issues: InputIssue[]): PoRepConfig | null {
  const name = input.Phase1Out.registered_proof;
  const info = registeredProofInfo(name);
  if (info.feature === 'NonInteractivePoRep') {
    issues.push({
      path: ['Phase1Out', 'registered_proof'],
      message: `${name} is a non-interactive PoRep: its Commit2 aggregates the partition proofs with SnarkPack, which this prover does not do`,
    });
    return null;
  }
  const production = porepConfig(name);
  const o = input.ShapeOverride;
  if (!o) {
    if (input.SectorSize !== production.sectorSize) {
      issues.push({
        path: ['SectorSize'],
        message: `${input.SectorSize} does not match registered_proof ${name} (sector size ${production.sectorSize})`,
      });
    }
    return production;
  }
  const [, sub, top] = o.shape.split('-').map(Number) as [number, number, number];
  const tree = { base: 8, sub, top } as TreeShape;
  if (tree.sub !== production.tree.sub || tree.top !== production.tree.top) {
    issues.push({
      path: ['ShapeOverride', 'shape'],
      message: `${o.shape} is not the tree shape of ${name}`,
    });
  }
  if (input.SectorSize !== o.sector_size && input.SectorSize !== production.sectorSize) {
    issues.push({
      path: ['SectorSize'],
      message: `${input.SectorSize} matches neither the override nor ${name}`,
    });
  }
  const config: PoRepConfig = {
    ...production,
    sectorSize: o.sector_size,
    nodes: o.sector_size / 32,
    layers: o.layers,
    partitions: o.partitions,
    challengesPerPartition: Math.ceil(2 / o.partitions),
    porepId: hexToBytes(o.porep_id),
    tree,
  };
  try {
    treeDepths(config);
  } catch (e) {
    issues.push({ path: ['ShapeOverride'], message: (e as Error).message });
    return null;
  }
  return config;
}

function checkPath(
  elements: readonly PathElement[],
  arity: number,
  length: number,
  path: JsonPath,
  issues: InputIssue[],
): void {
  if (elements.length !== length) {
    issues.push({ path, message: `expected ${length} path elements, found ${elements.length}` });
    return;
  }
  elements.forEach((e, i) => {
    if (e.hashes.length !== arity - 1) {
      issues.push({
        path: [...path, i, 'hashes'],
        message: `expected ${arity - 1} sibling hashes, found ${e.hashes.length}`,
      });
    }
    if (e.index >= arity)
      issues.push({ path: [...path, i, 'index'], message: `index ${e.index} out of range 0..${arity - 1}` });
  });
}

function checkMerkleProof(
  proof: MerkleProof,
  shape: TreeShape | 'binary',
  baseDepth: number,
  path: JsonPath,
  issues: InputIssue[],
): void {
  const kind =
    shape === 'binary' || (shape.sub === 0 && shape.top === 0) ? 'Single' : shape.top === 0 ? 'Sub' : 'Top';
  const data = [...path, 'data'];
  if (proof.kind !== kind) {
    issues.push({ path: data, message: `expected a ${kind} proof for this tree, found ${proof.kind}` });
    return;
  }
  const arity = shape === 'binary' ? 2 : shape.base;
  const base =
    kind === 'Single' ? [...data, 'Single', 'path', 'path'] : [...data, kind, 'base_proof', 'path'];
  checkPath(proof.base, arity, baseDepth, base, issues);
  if (shape !== 'binary' && shape.sub)
    checkPath(proof.sub, shape.sub, 1, [...data, kind, 'sub_proof', 'path'], issues);
  if (shape !== 'binary' && shape.top)
    checkPath(proof.top, shape.top, 1, [...data, kind, 'top_proof', 'path'], issues);
}

const DRG_PARENTS = 6;
const EXP_PARENTS = 8;

function checkVanillaProof(
  p: VanillaProof,
  config: PoRepConfig,
  path: JsonPath,
  issues: InputIssue[],
  commD: bigint,
): void {
  const { dataDepth, baseDepth } = treeDepths(config);
  checkMerkleProof(p.comm_d_proofs, 'binary', dataDepth, [...path, 'comm_d_proofs'], issues);
  if (p.comm_d_proofs.root !== commD) {
    issues.push({ path: [...path, 'comm_d_proofs', 'data'], message: 'root differs from comm_d' });
  }
  checkMerkleProof(p.comm_r_last_proof, config.tree, baseDepth, [...path, 'comm_r_last_proof'], issues);
  const cols = [...path, 'replica_column_proofs'];
  const column = (c: ColumnProof, at: JsonPath): void => {
    if (c.column.rows.length !== config.layers) {
      issues.push({
        path: [...at, 'column', 'rows'],
        message: `expected ${config.layers} rows (one per layer), found ${c.column.rows.length}`,
      });
    }
    checkMerkleProof(c.inclusion_proof, config.tree, baseDepth, [...at, 'inclusion_proof'], issues);
  };
  column(p.replica_column_proofs.c_x, [...cols, 'c_x']);
  const { drg_parents, exp_parents } = p.replica_column_proofs;
  if (drg_parents.length !== DRG_PARENTS) {
    issues.push({
      path: [...cols, 'drg_parents'],
      message: `expected ${DRG_PARENTS} column proofs, found ${drg_parents.length}`,
    });
  }
  if (exp_parents.length !== EXP_PARENTS) {
    issues.push({
      path: [...cols, 'exp_parents'],
      message: `expected ${EXP_PARENTS} column proofs, found ${exp_parents.length}`,
    });
  }
  drg_parents.forEach((c, i) => column(c, [...cols, 'drg_parents', i]));
  exp_parents.forEach((c, i) => column(c, [...cols, 'exp_parents', i]));
  if (p.labeling_proofs.length !== config.layers) {
    issues.push({
      path: [...path, 'labeling_proofs'],
      message: `expected ${config.layers} labeling proofs (one per layer), found ${p.labeling_proofs.length}`,
    });
  } else if (p.labeling_proofs[0]!.node >= config.nodes) {
    issues.push({
      path: [...path, 'labeling_proofs', 0, 'node'],
      message: `challenge ${p.labeling_proofs[0]!.node} is not a node of a ${config.nodes}-node sector`,
    });
  }
}

function fromZod(error: z.ZodError): InputIssue[] {
  return error.issues.map((i) => ({
    path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
    message: i.message,
  }));
}

/**
 * Parses a Commit2 input (JSON text or an already parsed value) and checks it against the configuration of
 * its registered proof: every problem found is reported with its JSON path in a Commit2InputError.
 */
export function parseCommit2Input(json: string | unknown): Commit2Job {
  let value: unknown = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json);
    } catch (e) {
      throw new Commit2InputError([{ path: [], message: `not JSON: ${(e as Error).message}` }]);
    }
  }
  const parsed = commit2InSchema.safeParse(value);
  if (!parsed.success) throw new Commit2InputError(fromZod(parsed.error));
  const input = parsed.data;
  const issues: InputIssue[] = [];
  const config = configFor(input, issues);
  if (!config) {
    const ni = registeredProofInfo(input.Phase1Out.registered_proof).feature === 'NonInteractivePoRep';
    throw new Commit2InputError(issues, ni ? 'C2_UNSUPPORTED_PROOF' : 'C2_BAD_INPUT');
  }
  const p1 = input.Phase1Out;
  const vp = ['Phase1Out', 'vanilla_proofs'];
  if (p1.vanilla_proofs.kind !== config.vanillaProofKey) {
    issues.push({
      path: vp,
      message: `${p1.vanilla_proofs.kind} proofs do not fit ${p1.registered_proof} (expected ${config.vanillaProofKey})`,
    });
    throw new Commit2InputError(issues);
  }
  for (const [name, v] of [
    ['comm_d', p1.comm_d],
    ['comm_r', p1.comm_r],
  ] as const) {
    if (v === 0n) issues.push({ path: ['Phase1Out', name], message: 'all-zero commitment' });
  }
  if (p1.seed.every((b) => b === 0))
    issues.push({ path: ['Phase1Out', 'seed'], message: 'all-zero PoRep challenge seed' });
  const partitions = p1.vanilla_proofs.value;
  const at = [...vp, p1.vanilla_proofs.kind];
  if (partitions.length !== config.partitions) {
    issues.push({
      path: at,
      message: `expected ${config.partitions} partitions, found ${partitions.length}`,
    });
  }
  partitions.forEach((challenges, k) => {
    if (challenges.length !== config.challengesPerPartition) {
      issues.push({
        path: [...at, k],
        message: `expected ${config.challengesPerPartition} challenge proofs, found ${challenges.length}`,
      });
    }
    challenges.forEach((proof, j) => checkVanillaProof(proof, config, [...at, k, j], issues, p1.comm_d));
    // StackedCompound::circuit: every challenge of a partition must agree on comm_r_last and comm_c.
    const first = challenges[0];
    challenges.forEach((proof, j) => {
      if (!first || j === 0) return;
      if (proof.comm_r_last_proof.root !== first.comm_r_last_proof.root) {
        issues.push({
          path: [...at, k, j, 'comm_r_last_proof'],
          message: 'root (comm_r_last) differs from challenge 0',
        });
      }
      if (
        proof.replica_column_proofs.c_x.inclusion_proof.root !==
        first.replica_column_proofs.c_x.inclusion_proof.root
      ) {
        issues.push({
          path: [...at, k, j, 'replica_column_proofs', 'c_x', 'inclusion_proof'],
          message: 'root (comm_c) differs from challenge 0',
        });
      }
    });
  });
  if (issues.length) throw new Commit2InputError(issues);
  return { sectorNum: input.SectorNum, config, phase1: p1, partitions };
}
