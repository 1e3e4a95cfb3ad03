/**
 * A c2prover service as a real child process (`c2prover serve`), for tests that restart it, kill it or send
 * it signals: 2KiB test parameters allowed, a fresh data directory, a port of its own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { Agent, request } from 'undici';

const ROOT = new URL('../../', import.meta.url).pathname;

/**
 * Idle connections are dropped after a second: a test that waits on a long proof would otherwise reuse a
 * socket the server is closing at its keep-alive timeout (72 s), and a loaded machine loses that race
 * ("other side closed").
 */
const agent = new Agent({ keepAliveTimeout: 1_000, keepAliveMaxTimeout: 1_000 });

export interface ServerProcess {
  url: string;
  proc: ChildProcess;
  /** Everything it wrote to stderr and stdout so far (its logs). */
  output(): string;
  /** Resolves with the exit code (or signal) once it has exited. */
  exited: Promise<number | NodeJS.Signals>;
}

export interface ServerOptions {
  dataDir?: string;
  args?: string[];
  env?: Record<string, string>;
}

/**
 * Directories a test shares between restarts of its server: its own data, no production parameters, and
 * the circuit structures of every test's servers (keyed and checked by the cache, so sharing is safe).
 */
export function serverDirs(): { dataDir: string; structures: string; params: string } {
  const base = mkdtempSync(join(tmpdir(), 'c2-service-'));
  return {
    dataDir: join(base, 'data'),
    structures: join(tmpdir(), 'c2-test-structures'),
    params: join(base, 'no-production-params'),
  };
}

export async function startServer(
  opts: ServerOptions & { structures: string; params: string },
): Promise<ServerProcess> {
  const proc = spawn(
    process.execPath,
    [
      'src/cli.ts',
      'serve',
      '--port',
      '0',
      '--test-params',
      ...(opts.dataDir ? ['--data-dir', opts.dataDir] : []),
      ...(opts.args ?? []),
    ],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        C2_BACKEND: 'cpu',
        C2_STRUCTURE_CACHE: opts.structures,
        FIL_PROOFS_PARAMETER_CACHE: opts.params,
        ...opts.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | NodeJS.Signals>((resolve) =>
    proc.once('exit', (code, signal) => resolve(signal ?? code ?? -1)),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 120 s:\n${out}`)), 120_000);
    const onData = (): void => {
      const m = /c2prover listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    proc.stderr!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before listening:\n${out}`));
    });
  });
  return { url, proc, output: () => out, exited };
}

export interface Answer<T = unknown> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: T;
  bytes: Buffer;
}

/** One HTTP exchange (undici), the body parsed as JSON where it is JSON. */
export async function call<T = unknown>(
  url: string,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  body?: string | Buffer,
  headers: Record<string, string> = {},
): Promise<Answer<T>> {
  const res = await request(new URL(path, url), {
    method,
    body,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    headersTimeout: 0,
    bodyTimeout: 0,
    dispatcher: agent,
  });
  const bytes = Buffer.from(await res.body.arrayBuffer());
  const type = String(res.headers['content-type'] ?? '');
  return {
    status: res.statusCode,
    headers: res.headers,
    bytes,
    body: (type.includes('json') ? JSON.parse(bytes.toString('utf8')) : bytes) as T,
  };
}

/** Polls a job until `until` holds (default: it ended). */
export async function waitJob<T extends { state: string }>(
  url: string,
  id: string,
  until: (job: T) => boolean = (j) => ['Done', 'BadInput', 'Failed', 'Cancelled'].includes(j.state),
  headers: Record<string, string> = {},
  timeoutMs = 600_000,
): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const r = await call<T>(url, 'GET', `/jobs/${id}`, undefined, headers);
    if (r.status === 200 && until(r.body)) return r.body;
    if (Date.now() - t0 > timeoutMs) throw new Error(`job ${id} still ${r.body.state} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * A server for a test file's tests: started (after `setup`) before them, stopped with SIGTERM after
 * them. Returns a getter, as the server exists only once the tests run.
 */
export function serverForTests(setup: () => Promise<unknown>, args: string[] = []): () => ServerProcess {
  let server: ServerProcess | undefined;
  before(async () => {
    await setup();
    server = await startServer({ ...serverDirs(), args });
  });
  after(async () => {
    server?.proc.kill('SIGTERM');
    await server?.exited;
  });
  return () => server!;
}
