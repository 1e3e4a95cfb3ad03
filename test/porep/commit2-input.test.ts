/* eslint-disable @typescript-eslint/no-explicit-any -- the tests mutate raw fixture JSON into bad inputs */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Commit2InputError, parseCommit2Input } from '../../src/porep/commit2-input.ts';
import { formatPath } from '../../src/shared/json-path.ts';
import { porepConfig, SEAL_PROOF_NAMES } from '../../src/porep/registered-proof.ts';
import { FR_MODULUS } from '../../src/shared/fr.ts';
import { FIXTURES, fixtureDirs } from '../support/fixtures.ts';

function readFixture(dir: string): {
  envelope: Record<string, unknown>;
  p1: Record<string, any>;
  meta: Record<string, any>;
} {
  const envelope = JSON.parse(readFileSync(new URL(`${dir}/c2input.json`, FIXTURES), 'utf8')) as Record<
    string,
    unknown
  >;
  const p1 = JSON.parse(Buffer.from(envelope.Phase1Out as string, 'base64').toString('utf8')) as Record<
    string,
    any
  >;
  const meta = JSON.parse(readFileSync(new URL(`${dir}/meta.json`, FIXTURES), 'utf8')) as Record<string, any>;
  return { envelope, p1, meta };
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

function leHex(v: bigint): string {
  const b = new Uint8Array(32);
  for (let i = 0; i < 32; i++) b[i] = Number((v >> BigInt(8 * i)) & 0xffn);
  return hex(b);
}

/** Re-wraps a (possibly mutated) Phase1Out in the envelope. */
function wrap(envelope: Record<string, unknown>, p1: unknown): Record<string, unknown> {
  return { ...envelope, Phase1Out: Buffer.from(JSON.stringify(p1)).toString('base64') };
}

function issuesOf(fn: () => unknown): { path: string; message: string }[] {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof Commit2InputError, `expected Commit2InputError, got ${String(e)}`);
    return e.issues.map((i) => ({ path: formatPath(i.path), message: i.message }));
  }
  assert.fail('expected the input to be refused');
}

test('registered proofs: production settings', () => {
  assert.equal(SEAL_PROOF_NAMES.length, 20);
  const k2 = porepConfig('StackedDrg2KiBV1_1');
  assert.deepEqual([k2.nodes, k2.layers, k2.partitions, k2.challengesPerPartition], [64, 2, 1, 2]);
  assert.equal(hex(k2.porepId), '05' + '00'.repeat(31));
  const g32 = porepConfig('StackedDrg32GiBV1_1_Feat_SyntheticPoRep');
  assert.deepEqual(
    [g32.layers, g32.partitions, g32.challengesPerPartition, g32.tree.sub, g32.tree.top],
    [11, 10, 18, 8, 0],
  );
  assert.equal(g32.porepId[0], 13);
  const g64 = porepConfig('StackedDrg64GiBV1');
  assert.deepEqual([g64.tree.sub, g64.tree.top, g64.apiVersion], [8, 2, '1.0.0']);
});

const dirs = fixtureDirs();

test(
  'fixtures parse and agree with their meta.json',
  { skip: dirs.length === 0 && 'no fixtures yet' },
  () => {
    for (const dir of dirs) {
      const { meta } = readFixture(dir);
      const job = parseCommit2Input(readFileSync(new URL(`${dir}/c2input.json`, FIXTURES), 'utf8'));
      assert.equal(job.phase1.registered_proof, meta.registered_proof, dir);
      assert.equal(job.sectorNum, meta.sector_num, dir);
      assert.equal(job.config.sectorSize, meta.sector_size, dir);
      assert.equal(job.partitions.length, meta.partitions, dir);
      assert.equal(leHex(job.phase1.comm_r), meta.comm_r, dir);
      assert.equal(leHex(job.phase1.comm_d), meta.comm_d, dir);
      assert.equal(leHex(job.phase1.replica_id), meta.replica_id, dir);
      assert.equal(hex(job.phase1.seed), meta.seed, dir);
      assert.equal(hex(job.phase1.ticket), meta.ticket, dir);
      const p = job.partitions[0]![0]!;
      assert.equal(p.comm_d_proofs.kind, 'Single');
      assert.equal(p.comm_d_proofs.base.length, Math.log2(job.config.nodes));
      assert.equal(p.replica_column_proofs.drg_parents.length, 6);
      assert.equal(p.replica_column_proofs.exp_parents.length, 8);
    }
  },
);

const base = dirs.includes('2kib/v1_1-t01000-s1') ? readFixture('2kib/v1_1-t01000-s1') : null;

test(
  'bad inputs are refused with the JSON path of the problem',
  { skip: !base && 'no 2KiB fixture yet' },
  () => {
    const { envelope, p1 } = base!;
    const clone = (): Record<string, any> => structuredClone(p1);

    // Envelope problems.
    assert.deepEqual(
      issuesOf(() => parseCommit2Input('{')).map((i) => i.path),
      ['(root)'],
    );
    assert.match(
      issuesOf(() => parseCommit2Input({ ...envelope, SectorSize: 8388608 }))[0]!.message,
      /does not match registered_proof StackedDrg2KiBV1_1/,
    );
    assert.equal(issuesOf(() => parseCommit2Input({ ...envelope, SectorNum: -1 }))[0]!.path, 'SectorNum');
    assert.equal(
      issuesOf(() => parseCommit2Input({ ...envelope, Phase1Out: 'not base64!' }))[0]!.path,
      'Phase1Out',
    );
    assert.match(
      issuesOf(() =>
        parseCommit2Input({ ...envelope, Phase1Out: Buffer.from('{"a":').toString('base64') }),
      )[0]!.message,
      /invalid JSON/,
    );

    // Unknown registered proof, NI refused, wrong shape tag.
    let q = clone();
    q.registered_proof = 'StackedDrg2KiBV2';
    assert.equal(issuesOf(() => parseCommit2Input(wrap(envelope, q)))[0]!.path, 'Phase1Out.registered_proof');
    q = clone();
    q.registered_proof = 'StackedDrg2KiBV1_2_Feat_NonInteractivePoRep';
    assert.match(
      issuesOf(() => parseCommit2Input(wrap(envelope, q)))[0]!.message,
      /non-interactive PoRep.*SnarkPack/,
    );
    q = clone();
    q.vanilla_proofs = { StackedDrg8MiBV1: q.vanilla_proofs.StackedDrg2KiBV1 };
    assert.match(
      issuesOf(() => parseCommit2Input(wrap(envelope, q)))[0]!.message,
      /StackedDrg8MiBV1 proofs do not fit/,
    );
    q = clone();
    q.vanilla_proofs = { StackedDrg2KiBV1: q.vanilla_proofs.StackedDrg2KiBV1, Extra: [] };
    assert.match(
      issuesOf(() => parseCommit2Input(wrap(envelope, q)))[0]!.message,
      /exactly one of the variants/,
    );

    // A domain that is not a field element, deep inside.
    q = clone();
    const bad = Array.from({ length: 32 }, () => 255);
    q.vanilla_proofs.StackedDrg2KiBV1[0][1].comm_d_proofs.data.Single.path.path[3].hashes[0] = bad;
    let issues = issuesOf(() => parseCommit2Input(wrap(envelope, q)));
    assert.equal(
      issues[0]!.path,
      'Phase1Out.vanilla_proofs.StackedDrg2KiBV1[0][1].comm_d_proofs.data.Single.path.path[3].hashes[0]',
    );
    assert.match(issues[0]!.message, /not a canonical field element/);
    // r itself is not canonical; r - 1 is.
    const rBytes = (v: bigint): number[] =>
      Array.from({ length: 32 }, (_, i) => Number((v >> BigInt(8 * i)) & 0xffn));
    q = clone();
    q.comm_r = rBytes(FR_MODULUS);
    assert.equal(issuesOf(() => parseCommit2Input(wrap(envelope, q)))[0]!.path, 'Phase1Out.comm_r');
    q = clone();
    q.ticket = [1, 2, 3];
    assert.match(issuesOf(() => parseCommit2Input(wrap(envelope, q)))[0]!.message, /32 integers/);

    // Structural checks against the proof configuration.
    q = clone();
    q.vanilla_proofs.StackedDrg2KiBV1[0].pop();
    assert.match(
      issuesOf(() => parseCommit2Input(wrap(envelope, q)))[0]!.message,
      /expected 2 challenge proofs, found 1/,
    );
    q = clone();
    q.vanilla_proofs.StackedDrg2KiBV1.push(q.vanilla_proofs.StackedDrg2KiBV1[0]);
    assert.match(
      issuesOf(() => parseCommit2Input(wrap(envelope, q)))[0]!.message,
      /expected 1 partitions, found 2/,
    );
    q = clone();
    q.vanilla_proofs.StackedDrg2KiBV1[0][0].replica_column_proofs.exp_parents.pop();
    issues = issuesOf(() => parseCommit2Input(wrap(envelope, q)));
    assert.equal(
      issues[0]!.path,
      'Phase1Out.vanilla_proofs.StackedDrg2KiBV1[0][0].replica_column_proofs.exp_parents',
    );
    q = clone();
    q.vanilla_proofs.StackedDrg2KiBV1[0][0].replica_column_proofs.drg_parents[2].column.rows.pop();
    assert.match(issuesOf(() => parseCommit2Input(wrap(envelope, q)))[0]!.message, /expected 2 rows/);
    q = clone();
    const single = q.vanilla_proofs.StackedDrg2KiBV1[0][0].comm_r_last_proof.data.Single;
    q.vanilla_proofs.StackedDrg2KiBV1[0][0].comm_r_last_proof.data = {
      Sub: { base_proof: single.path, sub_proof: single.path, root: single.root, leaf: single.leaf },
    };
    issues = issuesOf(() => parseCommit2Input(wrap(envelope, q)));
    assert.equal(issues[0]!.path, 'Phase1Out.vanilla_proofs.StackedDrg2KiBV1[0][0].comm_r_last_proof.data');
    assert.match(issues[0]!.message, /expected a Single proof/);
    q = clone();
    q.vanilla_proofs.StackedDrg2KiBV1[0][0].comm_r_last_proof.data.Single.path.path[1].index = 8;
    assert.match(issuesOf(() => parseCommit2Input(wrap(envelope, q)))[0]!.message, /index 8 out of range/);
    q = clone();
    q.vanilla_proofs.StackedDrg2KiBV1[0][1].replica_column_proofs.c_x.inclusion_proof.data.Single.root =
      rBytes(5n);
    assert.match(issuesOf(() => parseCommit2Input(wrap(envelope, q)))[0]!.message, /comm_c\) differs/);
    q = clone();
    q.seed = Array.from({ length: 32 }, () => 0);
    assert.match(
      issuesOf(() => parseCommit2Input(wrap(envelope, q)))[0]!.message,
      /all-zero PoRep challenge seed/,
    );
  },
);
