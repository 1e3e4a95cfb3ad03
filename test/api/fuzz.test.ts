/**
 * Thousands of mutated Commit2 requests (bytes flipped, fields removed or retyped, numbers out of range,
 * deep nesting, truncation), each answered with a coded 4xx; none creates a job, the process stays up, and
 * a good input is proved afterwards. Seeded: a failure names the mutation that caused it.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Commit2Response } from '../../src/api/schemas.ts';
import type { ErrorBody } from '../../src/job/job-record.ts';
import { call, serverDirs, startServer, type ServerProcess } from '../support/service.ts';
import { body, sealVerifies, testVk } from './fixtures.ts';

const COUNT = Number(process.env.C2_FUZZ_COUNT ?? 2000);
const DIR = '2kib/v1_1-t01000-s2';
let server: ServerProcess;

before(async () => {
  await testVk();
  server = await startServer(serverDirs());
});
after(async () => {
  server?.proc.kill('SIGTERM');
  await server?.exited;
});

/** mulberry32: small, seeded, good enough to pick mutations. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every path to a value inside `v`, except PhantomData's `_h` (optional by design: removing it is no change). */
function paths(
  v: Json,
  at: (string | number)[] = [],
  out: (string | number)[][] = [],
): (string | number)[][] {
  out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...at, i], out));
  else if (v && typeof v === 'object')
    for (const k of Object.keys(v)) if (k !== '_h') paths(v[k]!, [...at, k], out);
  return out;
}

function getAt(v: Json, p: (string | number)[]): Json {
  return p.reduce<Json>((x, k) => (x as Record<string | number, Json>)[k]!, v);
}

function setAt(v: Json, p: (string | number)[], value: Json | undefined): void {
  const parent = getAt(v, p.slice(0, -1)) as Record<string | number, Json>;
  const k = p.at(-1)!;
  if (value === undefined) {
    if (Array.isArray(parent)) parent.splice(k as number, 1);
    else delete parent[k];
  } else parent[k] = value;
}

const nested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);

/** A mutated request body and what was done to it. */
function mutate(
  r: () => number,
  envelope: Record<string, Json>,
  p1Text: string,
): { what: string; text: string } {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const outer = JSON.stringify(envelope);
  const withP1 = (t: string) => JSON.stringify({ ...envelope, Phase1Out: Buffer.from(t).toString('base64') });
  const odd: Json[] = [
    null,
    true,
    -1,
    256,
    1.5,
    2 ** 64,
    -(2 ** 63),
    1e308,
    '',
    'x',
    [],
    {},
    [1, 2, 3],
    { a: 1 },
  ];
  switch (Math.floor(r() * 7)) {
    case 0: {
      // a byte of the request flipped (the envelope or the base64 inside it)
      const b = Buffer.from(outer);
      const i = Math.floor(r() * b.length);
      b[i] = b[i]! ^ (1 << Math.floor(r() * 7)) || 1;
      return { what: `request byte ${i} flipped`, text: b.toString('latin1') };
    }
    case 1: {
      // a byte of the decoded Phase1Out flipped
      const b = Buffer.from(p1Text);
      const i = Math.floor(r() * b.length);
      b[i] = b[i]! ^ (1 << Math.floor(r() * 7)) || 1;
      return {
        what: `Phase1Out byte ${i} flipped`,
        text: JSON.stringify({ ...envelope, Phase1Out: b.toString('base64') }),
      };
    }
    case 2: {
      // a value inside the Phase1Out removed or replaced by one of another type or out of range
      const v = JSON.parse(p1Text) as Json;
      const all = paths(v).filter((p) => p.length > 0);
      const p = pick(all);
      const before = JSON.stringify(getAt(v, p));
      const value = r() < 0.3 ? undefined : pick(odd);
      if (JSON.stringify(value) === before) return { what: 'no-op', text: '' };
      setAt(v, p, value);
      return {
        what: `Phase1Out ${p.join('.')} ${value === undefined ? 'removed' : `= ${JSON.stringify(value)}`}`,
        text: withP1(JSON.stringify(v)),
      };
    }
    case 3: {
      // a value of the envelope removed or replaced
      const k = pick(['SectorNum', 'Phase1Out', 'SectorSize', 'Miner', 'Priority']);
      const value = r() < 0.3 ? undefined : pick([...odd, 'f0', 't0x', '-5']);
      if (value === undefined && (k === 'Miner' || k === 'Priority')) return { what: 'no-op', text: '' };
      if (k === 'SectorSize' && value === 2048) return { what: 'no-op', text: '' };
      return {
        what: `${k} ${value === undefined ? 'removed' : `= ${JSON.stringify(value)}`}`,
        text: JSON.stringify({ ...envelope, [k]: value }),
      };
    }
    case 4: {
      // deep nesting in place of a value
      const depth = pick([100, 10_000, 100_000]);
      if (r() < 0.5)
        return {
          what: `SectorNum nested ${depth} deep`,
          text: outer.replace('"SectorNum":2', `"SectorNum":${nested(depth)}`),
        };
      // the first value that is a lone 0 (a byte of a hash, a path index)
      return {
        what: `a Phase1Out 0 nested ${depth} deep`,
        text: withP1(p1Text.replace(/(?<=[:[,])0(?=[,\]}])/, nested(depth))),
      };
    }
    case 5: {
      // truncated, of the request or of the Phase1Out
      if (r() < 0.5) {
        const n = Math.floor(r() * outer.length);
        return { what: `request cut at ${n}`, text: outer.slice(0, n) };
      }
      const n = Math.floor(r() * p1Text.length);
      return { what: `Phase1Out cut at ${n}`, text: withP1(p1Text.slice(0, n)) };
    }
    default: {
      // two challenge proofs or two path hashes swapped, a challenge duplicated
      const v = JSON.parse(p1Text) as { vanilla_proofs: { StackedDrg2KiBV1: Json[][] } };
      const part = v.vanilla_proofs.StackedDrg2KiBV1[0]!;
      if (r() < 0.5) part.reverse();
      else part[1] = part[0]!;
      return { what: 'challenges reordered or duplicated', text: withP1(JSON.stringify(v)) };
    }
  }
}

test(`${COUNT} mutated requests: each a coded 4xx, no job made, the process up; then a good input is proved`, async () => {
  const envelope = JSON.parse(body(DIR)) as Record<string, Json>;
  const p1Text = Buffer.from(envelope.Phase1Out as string, 'base64').toString('utf8');
  const r = rng(0xc2);
  const codes = new Map<string, number>();
  const t0 = performance.now();
  let sent = 0;
  while (sent < COUNT) {
    const m = mutate(r, envelope, p1Text);
    if (m.what === 'no-op' || m.text === JSON.stringify(envelope)) continue;
    sent++;
    const a = await call<ErrorBody>(server.url, 'POST', '/jobs', Buffer.from(m.text, 'latin1'));
    if (a.status === 202)
      await call(server.url, 'DELETE', `/jobs/${(a.body as unknown as { job: { id: string } }).job.id}`);
    assert.ok(
      a.status >= 400 && a.status < 500,
      `#${sent} (${m.what}): ${a.status} ${JSON.stringify(a.body).slice(0, 300)}`,
    );
    assert.match(a.body.code, /^C2_[A-Z_]+$/, m.what);
    codes.set(a.body.code, (codes.get(a.body.code) ?? 0) + 1);
  }
  const secs = ((performance.now() - t0) / 1000).toFixed(1);
  console.log(
    `fuzz: ${sent} requests in ${secs} s, answers by code: ${JSON.stringify(Object.fromEntries(codes))}`,
  );
  assert.equal(server.proc.exitCode, null, 'the process is up');
  assert.equal((await call(server.url, 'GET', '/healthz')).status, 200);
  const jobs = await call<{ jobs: unknown[] }>(server.url, 'GET', '/jobs');
  assert.equal(jobs.body.jobs.length, 0, 'no mutated input became a job');

  const good = await call<Commit2Response>(server.url, 'POST', '/commit2', body(DIR));
  assert.equal(good.status, 200, JSON.stringify(good.body));
  assert.equal(await sealVerifies(DIR, good.body.proof, 't01000'), true);
});
