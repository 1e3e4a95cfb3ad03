/**
 * The CLI's HTTP side (undici): `submit` sends a Commit2In to a running service and prints what
 * `lotus-bench prove` prints; `jobs` lists jobs or shows one with its log.
 */
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { request } from 'undici';
import type { JobEvent, JobRecord } from './job/job-record.ts';
import type { Commit2Response } from './api/schemas.ts';

const DEFAULT_URL = 'http://127.0.0.1:7070';

interface Client {
  call<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: string): Promise<T>;
}

function client(url: string, token: string | undefined): Client {
  return {
    async call<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: string): Promise<T> {
      const headers: Record<string, string> = {};
      if (body !== undefined) headers['content-type'] = 'application/json';
      if (token) headers.authorization = `Bearer ${token}`;
      const res = await request(new URL(path, url), {
        method,
        headers,
        body,
        headersTimeout: 0,
        bodyTimeout: 0,
      });
      const text = await res.body.text();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = { code: 'C2_BAD_ANSWER', message: text.slice(0, 500) };
      }
      if (res.statusCode >= 400) {
        const e = parsed as { code?: string; message?: string };
        throw new Error(`${res.statusCode} ${e.code ?? ''}: ${e.message ?? text}`);
      }
      return parsed as T;
    },
  };
}

/** lotus' types.SizeStr: binary units, four significant digits. */
export function sizeStr(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (bytes >= 1024 && i < units.length - 1) {
    bytes /= 1024;
    i++;
  }
  return `${Number(bytes.toPrecision(4))} ${units[i]}`;
}

/** What `lotus-bench prove` prints, from a result's proof, size and total time. */
export function printProof(proofHex: string, sectorSize: number, totalMs: number): void {
  console.log(`proof: ${proofHex}`);
  console.log(
    `seal: commit phase 2: ${(totalMs / 1000).toFixed(9)}s (${sizeStr((sectorSize * 1000) / totalMs)}/s)`,
  );
}

const common = {
  url: { type: 'string', default: process.env.C2_URL ?? DEFAULT_URL },
  token: { type: 'string', default: process.env.C2_TOKEN },
} as const;

/** A line of progress: rewritten in place on a terminal, one line per change otherwise. */
function progress(line: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[2K${line}`);
  else console.error(line);
}

export async function submit(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...common,
      miner: { type: 'string' },
      priority: { type: 'string' },
      async: { type: 'boolean', default: false },
    },
  });
  if (positionals.length !== 1) throw new Error('submit needs one Commit2In file');
  const api = client(values.url, values.token);
  const input = JSON.parse(await readFile(positionals[0]!, 'utf8')) as Record<string, unknown>;
  const body = JSON.stringify({
    ...input,
    ...(values.miner ? { Miner: values.miner } : {}),
    ...(values.priority ? { Priority: values.priority } : {}),
  });
  const t0 = performance.now();
  if (!values.async) {
    const r = await api.call<Commit2Response>('POST', '/commit2', body);
    printProof(r.proof, r.sectorSize, r.stages.totalMs);
    console.error(
      `job ${r.id}${r.joined ? ' (joined)' : ''} on ${r.backend}, ${r.parameters.kind} parameters; wall ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    return;
  }
  const { job } = await api.call<{ job: JobRecord }>('POST', '/jobs', body);
  console.error(`job ${job.id}`);
  let last = '';
  for (;;) {
    const j = await api.call<JobRecord>('GET', `/jobs/${job.id}`);
    const line = `${j.state}${j.progress ? `: ${j.progress}` : ''} (${((performance.now() - t0) / 1000).toFixed(0)} s)`;
    if (line.replace(/\(\d+ s\)$/, '') !== last.replace(/\(\d+ s\)$/, '') || process.stderr.isTTY)
      progress(line);
    last = line;
    if (j.state === 'Done') {
      if (process.stderr.isTTY) process.stderr.write('\n');
      printProof(j.result!.proof, j.request.sectorSize, j.result!.stages.totalMs);
      return;
    }
    if (['BadInput', 'Failed', 'Cancelled'].includes(j.state)) {
      if (process.stderr.isTTY) process.stderr.write('\n');
      throw new Error(`job ${j.id} ended ${j.state}: ${j.error?.code}: ${j.error?.message}`);
    }
    await sleep(1000);
  }
}

export async function jobs(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...common, state: { type: 'string' }, cancel: { type: 'boolean', default: false } },
  });
  const api = client(values.url, values.token);
  const [id] = positionals;
  if (!id) {
    const q = values.state ? `?state=${encodeURIComponent(values.state)}` : '';
    const { jobs: list } = await api.call<{ jobs: JobRecord[] }>('GET', `/jobs${q}`);
    for (const j of list)
      console.log(
        `${j.id}  ${j.state.padEnd(13)} ${j.request.miner} sector ${j.request.sectorNum} ${j.request.registeredProof}  ${j.updatedAt}`,
      );
    return;
  }
  if (values.cancel) {
    const j = await api.call<JobRecord>('DELETE', `/jobs/${id}`);
    console.log(`${j.id} ${j.state}`);
    return;
  }
  const j = await api.call<JobRecord & { log: JobEvent[] }>('GET', `/jobs/${id}`);
  console.log(`job ${j.id}: ${j.state}${j.progress ? ` (${j.progress})` : ''}`);
  console.log(
    `  ${j.request.registeredProof}, miner ${j.request.miner}, sector ${j.request.sectorNum}, attempts ${j.attempts}`,
  );
  if (j.result) console.log(`  proof: ${j.result.proof}`);
  if (j.error) console.log(`  error: ${j.error.code}: ${j.error.message}`);
  console.log('log:');
  for (const e of j.log)
    console.log(
      `  ${e.at}  ${e.kind.padEnd(16)} ${e.state.padEnd(13)} ${e.message}${e.error ? ` [${e.error.code}]` : ''}`,
    );
}

interface NodeRow {
  name: string;
  backend: string;
  url?: string;
  parameters: { sectorSize: number; kind: string }[];
  running: string[];
  alive: boolean;
  draining: boolean;
  lastHeartbeat: string;
}

/** `c2prover nodes [--drain NAME | --undrain NAME]`: the nodes on the service's job store (GET /nodes). */
export async function nodes(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { ...common, drain: { type: 'string' }, undrain: { type: 'string' } },
  });
  const api = client(values.url, values.token);
  const name = values.drain ?? values.undrain;
  if (name !== undefined) {
    const r = await api.call<{ name: string; draining: boolean }>(
      values.drain ? 'POST' : 'DELETE',
      `/nodes/${encodeURIComponent(name)}/drain`,
    );
    console.log(`${r.name} ${r.draining ? 'draining: finishes its jobs, takes no new ones' : 'takes work'}`);
    return;
  }
  const { nodes: list } = await api.call<{ nodes: NodeRow[] }>('GET', '/nodes');
  for (const n of list) {
    const state = !n.alive ? 'gone' : n.draining ? 'draining' : 'up';
    const params =
      n.parameters.map((p) => `${p.sectorSize}${p.kind === 'test' ? '(test)' : ''}`).join(',') || '-';
    console.log(
      `${n.name.padEnd(16)} ${state.padEnd(8)} ${n.backend.padEnd(8)} params ${params.padEnd(16)} running ${n.running.join(',') || '-'}  heartbeat ${n.lastHeartbeat}${n.url ? `  ${n.url}` : ''}`,
    );
  }
}
