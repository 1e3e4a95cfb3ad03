/* eslint-disable @typescript-eslint/no-explicit-any -- the tests mutate raw fixture JSON into bad inputs */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseCommit2Input } from '../../src/porep/commit2-input.ts';
import { formatPath } from '../../src/shared/json-path.ts';
import { checkVanillaProofs } from '../../src/porep/vanilla-check.ts';
import { FIXTURES, fixtureDirs } from '../support/fixtures.ts';

function load(dir: string): { envelope: Record<string, unknown>; p1: Record<string, any> } {
  const envelope = JSON.parse(readFileSync(new URL(`${dir}/c2input.json`, FIXTURES), 'utf8')) as Record<
    string,
    unknown
  >;
  const p1 = JSON.parse(Buffer.from(envelope.Phase1Out as string, 'base64').toString('utf8')) as Record<
    string,
    any
  >;
  return { envelope, p1 };
}

/** Parses a mutated Phase1Out (it must pass the structural checks) and runs the vanilla checks. */
function check(dir: string, mutate: (p1: Record<string, any>, proofs: any[][]) => void): string[] {
  const { envelope, p1 } = load(dir);
  const key = Object.keys(p1.vanilla_proofs)[0]!;
  mutate(p1, p1.vanilla_proofs[key]);
  const job = parseCommit2Input({
    ...envelope,
    Phase1Out: Buffer.from(JSON.stringify(p1)).toString('base64'),
  });
  return checkVanillaProofs(job).map((i) => `${formatPath(i.path)}: ${i.message}`);
}

/** A different canonical field element in the same 32-byte array form. */
function bump(a: number[]): number[] {
  const b = a.slice();
  b[0] = (b[0]! + 1) % 256;
  return b;
}

function has(issues: string[], fragment: string): void {
  assert.ok(
    issues.some((i) => i.includes(fragment)),
    `expected an issue containing\n  ${fragment}\ngot\n  ${issues.join('\n  ')}`,
  );
}

const dirs = fixtureDirs();

test('every fixture passes the vanilla proof checks', { skip: !dirs.length && 'no fixtures' }, () => {
  for (const dir of dirs)
    assert.deepEqual(
      check(dir, () => {}),
      [],
      dir,
    );
  assert.ok(dirs.length >= 8);
});

const V11 = '2kib/v1_1-t01000-s1';
const P = 'Phase1Out.vanilla_proofs.StackedDrg2KiBV1[0]';

test(
  'tampered 2KiB proofs are refused with the path and the failed check',
  { skip: !dirs.includes(V11) && 'no fixture' },
  () => {
    // A sibling hash of the replica (comm_r_last) path.
    has(
      check(V11, (_, v) => {
        const e = v[0]![1]!.comm_r_last_proof.data.Single.path.path[1];
        e.hashes[0] = bump(e.hashes[0]);
      }),
      `${P}[1].comm_r_last_proof.data.Single.root: partition 0, challenge 1 (node`,
    );
    // A sibling of the binary SHA-256 comm_d path.
    has(
      check(V11, (_, v) => {
        const e = v[0]![0]!.comm_d_proofs.data.Single.path.path[3];
        e.hashes[0] = bump(e.hashes[0]);
      }),
      'comm_d inclusion: the inclusion path does not hash to its root',
    );
    // A row of a DRG parent's column: the column no longer hashes to its leaf, the labels' parents differ.
    const row = check(V11, (_, v) => {
      const c = v[0]![0]!.replica_column_proofs.drg_parents[2].column;
      c.rows[0] = bump(c.rows[0]);
    });
    has(row, `${P}[0].replica_column_proofs.drg_parents[2].column.rows: partition 0, challenge 0 (node`);
    has(row, 'DRG parent 2 (node');
    has(row, 'the column hash differs from the comm_c leaf');
    has(row, `${P}[0].labeling_proofs[0].parents: `);
    // Another seed derives other challenges: every proof is for the wrong node.
    const seed = check(V11, (p1) => {
      p1.seed = bump(p1.seed);
    });
    has(seed, `${P}[0].labeling_proofs[0].node: partition 0, challenge 0 (node`);
    has(seed, 'not the challenge derived from the seed');
    assert.equal(seed.length, 2);
    // comm_r is bound to the trees' roots.
    has(
      check(V11, (p1) => {
        p1.comm_r = bump(p1.comm_r);
      }),
      'Phase1Out.comm_r: partition 0: comm_r is not Poseidon(comm_c, comm_r_last)',
    );
    // Swapped challenge proofs.
    const swapped = check(V11, (_, v) => {
      [v[0]![0], v[0]![1]] = [v[0]![1], v[0]![0]];
    });
    has(swapped, `${P}[0].labeling_proofs[0].node: partition 0, challenge 0`);
    has(swapped, `${P}[1].labeling_proofs[0].node: partition 0, challenge 1`);
    // A label parent, a data leaf, and the encoding proof's parents.
    has(
      check(V11, (_, v) => {
        const lp = v[0]![0]!.labeling_proofs[1];
        lp.parents[7] = bump(lp.parents[7]);
      }),
      `${P}[0].labeling_proofs[1].parents: partition 0, challenge 0 (node`,
    );
    const data = check(V11, (_, v) => {
      const d = v[0]![1]!.comm_d_proofs.data.Single;
      d.leaf = bump(d.leaf);
    });
    has(data, `${P}[1].comm_d_proofs.data.Single.root`);
    has(data, `${P}[1].encoding_proof: partition 0, challenge 1`);
    has(
      check(V11, (_, v) => {
        const ep = v[0]![0]!.encoding_proof;
        ep.parents[0] = bump(ep.parents[0]);
      }),
      'encoding key + data leaf differs from the comm_r_last leaf',
    );
  },
);

const SHAPE = 'shape/8-8-2-t01000-s1';

test(
  'tampered sub/top tree proofs of the 8-8-2 shape are refused',
  { skip: !dirs.includes(SHAPE) && 'no fixture' },
  () => {
    const S = 'Phase1Out.vanilla_proofs.StackedDrg64GiBV1[1][0]';
    has(
      check(SHAPE, (_, v) => {
        const e = v[1]![0]!.replica_column_proofs.exp_parents[5].inclusion_proof.data.Top.top_proof.path[0];
        e.hashes[0] = bump(e.hashes[0]);
      }),
      `${S}.replica_column_proofs.exp_parents[5].inclusion_proof.data.Top.root: partition 1, challenge 0 (node`,
    );
    // A parent column opened at another leaf of the same tree (its sub-tree index moved).
    has(
      check(SHAPE, (_, v) => {
        const e = v[1]![0]!.replica_column_proofs.drg_parents[1].inclusion_proof.data.Top.sub_proof.path[0];
        e.index = (e.index + 1) % 8;
      }),
      `${S}.replica_column_proofs.drg_parents[1].inclusion_proof.data.Top: partition 1, challenge 0 (node`,
    );
  },
);
