/**
 * A real PostgreSQL server for a test, on loopback, in a temporary directory (scripts/ci/postgres.sh: the
 * binaries from Debian's package, run as an unprivileged user). `pgSkip` says why none can start here.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SCRIPT = new URL('../../scripts/ci/postgres.sh', import.meta.url).pathname;

/** Why PostgreSQL tests cannot run on this machine (no server binaries), or false when they can. */
export function pgSkip(): string | false {
  try {
    execFileSync('bash', [SCRIPT, 'bindir'], { stdio: 'pipe' });
    return false;
  } catch {
    return 'PostgreSQL server binaries not found (apt-get install postgresql, or bash scripts/ci/postgres.sh install)';
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface PgServer {
  url: string;
  restart(): void;
  stop(): void;
}

export async function startPostgres(): Promise<PgServer> {
  const base = mkdtempSync(join(tmpdir(), 'c2-pg-'));
  const dir = join(base, 'db');
  const run = (...args: string[]): string =>
    execFileSync('bash', [SCRIPT, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  const url = run('start', dir, String(await freePort()));
  return {
    url,
    restart: () => void run('restart', dir),
    stop: () => {
      run('stop', dir);
      rmSync(base, { recursive: true, force: true });
    },
  };
}
