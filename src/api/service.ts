/**
 * The service assembled: configuration from flags and the environment, the backend, the synthesis pool,
 * the job store, the parameters, the runner and the HTTP application; and the orderly stop on SIGTERM
 * (no new work, running jobs finish or go back to the queue, everything closed).
 */
import { freemem, homedir, totalmem } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { openBackends, type Opened } from '../backends/index.ts';
import type { Backend } from '../backends/backend.ts';
import type { BackendProfile } from '../backends/profile.ts';
import { createCpuBackend } from '../backends/cpu/index.ts';
import {
  BackendChoice,
  measureProfile,
  parseBySize,
  profileCovers,
  readProfile,
} from '../job/backend-choice.ts';
import { parameterCacheDir } from '../groth16/parameter-cache.ts';
import { createSynthesisPool } from '../job/synthesis.ts';
import { ParamsKeeper } from '../job/params-keeper.ts';
import { JobRunner } from '../job/runner.ts';
import { PostgresJobStore } from '../job/postgres-store.ts';
import { SqliteJobStore } from '../job/sqlite-store.ts';
import type { JobStore } from '../job/store.ts';
import { testParamsDir } from '../job/test-params.ts';
import { buildApp, DEFAULT_BODY_LIMIT } from './app.ts';

export interface ServiceConfig {
  host: string;
  port: number;
  token?: string;
  dataDir: string;
  store: string;
  /** This node's name on a shared store (default host:pid). */
  node?: string;
  /** Seconds a claimed job stays with a node that stopped heartbeating. */
  leaseSeconds: number;
  paramsDir: string;
  allowTestParams: boolean;
  maxQueued: number;
  maxRunning: number;
  memoryBudget: number;
  retentionHours: number;
  bodyLimit: number;
  shutdownGraceSeconds: number;
  logLevel: string;
}

/** A byte count with an optional binary suffix: 64G, 512M, 1073741824. */
export function parseBytes(s: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([KMGT]i?B?)?$/i.exec(s.trim());
  if (!m) throw new RangeError(`not a byte count: ${JSON.stringify(s)} (like 64G or 512M)`);
  const unit = (m[2] ?? '').toUpperCase()[0];
  const exp = unit ? 'KMGT'.indexOf(unit) + 1 : 0;
  return Math.floor(Number(m[1]) * 1024 ** exp);
}

const positive = (name: string, v: string | undefined, fallback: number): number => {
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0)
    throw new RangeError(`${name} must be a positive number, got ${JSON.stringify(v)}`);
  return n;
};

/** A TCP port; 0 lets the system pick one (the address is logged). */
function port(v: string | undefined): number {
  if (v === undefined) return 7070;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new RangeError(`port must be 0..65535, got ${JSON.stringify(v)}`);
  return n;
}

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.C2_DATA_DIR || join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'c2prover');
}

/** The configuration from flags (`flags`, already parsed) over the environment over defaults. */
export function serviceConfig(
  flags: Partial<Record<string, string | boolean>>,
  env: NodeJS.ProcessEnv = process.env,
): ServiceConfig {
  const str = (flag: string, envName: string): string | undefined => {
    const f = flags[flag];
    return typeof f === 'string' ? f : env[envName] || undefined;
  };
  const dataDir = str('data-dir', 'C2_DATA_DIR') ?? defaultDataDir(env);
  return {
    host: str('host', 'C2_HOST') ?? '127.0.0.1',
    port: port(str('port', 'C2_PORT')),
    token: str('token', 'C2_TOKEN'),
    dataDir,
    store: str('store', 'C2_STORE') ?? `sqlite:${join(dataDir, 'jobs.sqlite')}`,
    node: str('node', 'C2_NODE'),
    leaseSeconds: positive('C2_LEASE_S', env.C2_LEASE_S, 30),
    paramsDir: parameterCacheDir(env),
    allowTestParams: flags['test-params'] === true || env.C2_ALLOW_TEST_PARAMS === '1',
    maxQueued: positive('C2_MAX_QUEUED', str('max-queued', 'C2_MAX_QUEUED'), 64),
    maxRunning: positive('C2_MAX_RUNNING', str('max-running', 'C2_MAX_RUNNING'), 1),
    memoryBudget: str('memory-budget', 'C2_MEMORY_BUDGET')
      ? parseBytes(str('memory-budget', 'C2_MEMORY_BUDGET')!)
      : Math.floor(totalmem() * 0.8),
    retentionHours: positive('C2_RESULT_RETENTION_HOURS', env.C2_RESULT_RETENTION_HOURS, 24 * 7),
    bodyLimit: env.C2_BODY_LIMIT ? parseBytes(env.C2_BODY_LIMIT) : DEFAULT_BODY_LIMIT,
    shutdownGraceSeconds: positive('C2_SHUTDOWN_GRACE_S', env.C2_SHUTDOWN_GRACE_S, 30),
    logLevel: env.C2_LOG_LEVEL || 'info',
  };
}

/** The embedded store (sqlite:PATH, one machine) or a shared one (postgres://..., many nodes on one queue). */
export async function openStore(
  url: string,
  onError: (e: Error) => void = () => undefined,
): Promise<JobStore> {
  if (url.startsWith('sqlite:')) return new SqliteJobStore(url.slice('sqlite:'.length));
  if (/^postgres(ql)?:\/\//.test(url)) return PostgresJobStore.open(url, { onError });
  throw new Error(
    `unknown job store ${JSON.stringify(url.replace(/\/\/[^@/]*@/, '//***@'))}: expected sqlite:PATH or postgres://USER@HOST/DB`,
  );
}

export interface Service {
  app: FastifyInstance;
  runner: JobRunner;
  url: string;
  /** The orderly stop: no new work, running jobs finish within the grace time or go back to the queue. */
  stop(): Promise<void>;
}

/**
 * The backends a service proves on (every one this machine has, or the forced one), the fallback it moves a
 * failed GPU's jobs to, and how it chooses per size: C2_BACKEND_BY_SIZE, the measured profile.
 */
export interface ServiceBackends {
  opened: Opened;
  fallback?: Backend;
  bySize?: Map<number, string>;
  profile?: BackendProfile;
  /** When a failed GPU is self-tested again (C2_GPU_RETRY_S). */
  retryMs?: number;
}

/** Where the measured profile is kept. */
export const profileFile = (config: Pick<ServiceConfig, 'dataDir'>): string =>
  join(config.dataDir, 'backend-profile.json');

/**
 * Opens the backends and reads how to choose between them; with several and no profile of them as they
 * are now, measures them once (seconds) and keeps the profile, unless `measure` is false (`c2prover info`).
 */
export async function serviceBackends(
  config: Pick<ServiceConfig, 'dataDir'>,
  log?: { info(o: object, msg: string): void },
  env: NodeJS.ProcessEnv = process.env,
  measure = true,
): Promise<ServiceBackends> {
  const opened = openBackends(env.C2_BACKEND || undefined);
  const kinds = opened.backends.map((b) => b.kind);
  const bySize = env.C2_BACKEND_BY_SIZE ? parseBySize(env.C2_BACKEND_BY_SIZE, kinds) : undefined;
  let profile = await readProfile(profileFile(config));
  if (measure && opened.backends.length > 1 && !profileCovers(profile, opened)) {
    log?.info({ backends: kinds, file: profileFile(config) }, 'measuring the backends (once)');
    profile = await measureProfile(opened, profileFile(config));
  }
  let fallback = opened.backends.find((b) => b.kind === 'cpu')?.backend;
  if (!fallback && opened.backends[0]?.kind !== 'cpu') {
    try {
      fallback = createCpuBackend();
    } catch {
      // no CPU addon: a failed GPU's jobs fail with its code
    }
  }
  const retry = positive('C2_GPU_RETRY_S', env.C2_GPU_RETRY_S, 300);
  return {
    opened,
    retryMs: retry * 1000,
    ...(fallback ? { fallback } : {}),
    ...(bySize ? { bySize } : {}),
    ...(profile ? { profile } : {}),
  };
}

export async function startService(config: ServiceConfig, given?: ServiceBackends): Promise<Service> {
  // one logger for the runner and the app: job events and requests in one structured stream
  const log = pino({
    level: config.logLevel,
    serializers: {
      req: (req: { method: string; url: string; ip?: string }) => ({
        method: req.method,
        url: req.url.replace(/([?&]token=)[^&]*/, '$1[redacted]'),
        ip: req.ip,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      err: pino.stdSerializers.err,
    },
  });
  // the backends first: a machine without one never opens the store
  const backends = given ?? (await serviceBackends(config, log));
  const choice = new BackendChoice({ ...backends, log });
  const store = await openStore(config.store, (e) =>
    log.warn({ err: e.message }, 'job store connection dropped: reconnecting'),
  );
  const pool = createSynthesisPool();
  const params = new ParamsKeeper({
    backend: choice.preferred,
    dir: config.paramsDir,
    testDir: testParamsDir(),
    allowTest: config.allowTestParams,
    digestCacheFile: join(config.dataDir, 'param-digests.json'),
    log,
  });
  const runner = new JobRunner({
    store,
    choice,
    params,
    pool,
    log,
    maxQueued: config.maxQueued,
    maxRunning: config.maxRunning,
    memoryBudget: config.memoryBudget,
    retentionMs: config.retentionHours * 3_600_000,
    leaseMs: config.leaseSeconds * 1000,
    ...(config.node ? { node: config.node } : {}),
  });
  const app = await buildApp({
    runner,
    store,
    params,
    token: config.token,
    bodyLimit: config.bodyLimit,
    logger: log,
  });
  for (const s of backends.opened.skipped)
    app.log.info({ backend: s.name, reason: s.reason }, 'backend unavailable');
  app.log.info(
    {
      backends: backends.opened.backends.map((b) => b.backend.name),
      node: runner.node,
      store: config.store.replace(/\/\/[^@/]*@/, '//***@'),
      params: config.paramsDir,
      testParams: config.allowTestParams,
      memoryBudget: config.memoryBudget,
      free: freemem(),
    },
    'c2prover starting',
  );
  if (config.allowTestParams)
    app.log.warn({}, 'test parameters allowed: proofs made with them are rejected by the network');
  await runner.start();
  const url = await app.listen({ host: config.host, port: config.port });
  // the registry shows where the node answers from its next heartbeat on
  runner.opts.url = url;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      app.log.info({ graceSeconds: config.shutdownGraceSeconds }, 'stopping: no new work');
      await runner.shutdown(config.shutdownGraceSeconds * 1000);
      await app.close();
      params.close();
      await pool.destroy();
      await store.close();
      app.log.info({}, 'stopped');
    })());
  return { app, runner, url, stop };
}
