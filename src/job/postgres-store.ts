/**
 * The shared job store: PostgreSQL through the `pg` driver, for many proving nodes on one queue.
 *
 * The queue is pg-boss's: a job waiting for a node is a pg-boss job (a ticket) in the `commit2` queue, its
 * priority pg-boss's priority and its sector size pg-boss's group, so a node takes the next job it can hold
 * with one `fetch` that ignores the groups it cannot (pg-boss's `FOR UPDATE SKIP LOCKED` claim: two nodes
 * never take the same ticket). Every ticket is written, fetched and settled with pg-boss's `db` option
 * inside the transaction that moves the job's record, so the queue and the state machine never disagree:
 * a ticket exists exactly while its job is Queued.
 *
 * The job's record, event log, input, result and lease stay in our tables. The lease is ours rather than
 * pg-boss's job heartbeat: it fences the record (only the node holding it may settle the job, in the same
 * row as the state it guards), it is measured in milliseconds where pg-boss's heartbeat counts whole
 * seconds from 10 up, and a job whose lease ran out goes through the state machine's failure handler
 * (WorkerLost, retried within its limit) rather than pg-boss's retry policy, as on the embedded store.
 * Leases use the database's clock, so the nodes' clocks do not matter. A dropped connection (the database
 * restarting) is retried until the database answers again.
 */
import pg from 'pg';
import { PgBoss, type Db } from 'pg-boss';
import type { JobEventInput, JobEventKind } from './fsm.ts';
import {
  FAILURE_STATES,
  RUNNING_STATES,
  jobSchema,
  type JobEvent,
  type JobRecord,
  type JobState,
} from './job-record.ts';
import {
  PRIORITY_RANK,
  eventRow,
  type ClaimOptions,
  type JobPatch,
  type JobStore,
  type NewJob,
  type NodeInfo,
  type NodeReport,
} from './store.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS c2_jobs (
  id TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  rank INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  queued_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  sector_size BIGINT NOT NULL,
  node TEXT,
  lease_until TIMESTAMPTZ,
  cancel BOOLEAN NOT NULL DEFAULT false,
  record TEXT NOT NULL
);
ALTER TABLE c2_jobs ADD COLUMN IF NOT EXISTS ticket TEXT;
CREATE INDEX IF NOT EXISTS c2_jobs_queue ON c2_jobs (state, rank DESC, created_at);
CREATE TABLE IF NOT EXISTS c2_inputs (id TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS c2_events (
  id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  kind TEXT NOT NULL,
  event TEXT NOT NULL,
  PRIMARY KEY (id, seq)
);
CREATE TABLE IF NOT EXISTS c2_nodes (
  name TEXT PRIMARY KEY,
  draining BOOLEAN NOT NULL DEFAULT false,
  warm BIGINT[] NOT NULL DEFAULT '{}',
  heartbeat_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  info TEXT NOT NULL
);
`;

/** Errors of a connection, not of the statement: the database restarting, a network cut. */
const TRANSIENT_CODES = new Set([
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '53300',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
]);
export function isTransient(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  if (err?.code && TRANSIENT_CODES.has(err.code)) return true;
  return /connection terminated|connection (is )?closed|not queryable|timeout exceeded when trying to connect|the database system is (starting up|shutting down)/i.test(
    err?.message ?? '',
  );
}

/** pg-boss's queue of the jobs waiting for a node. */
const QUEUE = 'commit2';

interface Ticket {
  id: string;
  sectorSize: number;
}

/** pg-boss's statements run on this transaction's connection (its `db` option). */
const onClient = (c: pg.PoolClient): Db => ({ executeSql: (text, values) => c.query(text, values) });

/** A fetched ticket this claim may not take (a size it did not ask for): the transaction is rolled back. */
class StaleClaim extends Error {}
/** The claim withdrew a ticket without a queued job: it looks again. */
const AGAIN = Symbol('again');

export interface PostgresStoreOptions {
  /**
   * A schema of its own (created if missing), and `<schema>_queue` for pg-boss's: tests keep their data
   * apart this way. Without one, our tables go on the search path and pg-boss's into `c2_queue`.
   */
  schema?: string;
  /** How long a dropped connection is retried before the call fails (default 120 s). */
  retryMs?: number;
  onError?: (e: Error) => void;
}

type Q = pg.PoolClient | pg.Pool;

/** The NOTIFY channel a queued job is announced on (one per schema: tests share a server). */
const channelOf = (schema?: string): string => (schema ? `c2_work_${schema}` : 'c2_work');

/** How long a listener that lost its connection waits before it tries again, at most. */
const LISTEN_RETRY_MAX_MS = 30_000;

export class PostgresJobStore implements JobStore {
  readonly #pool: pg.Pool;
  readonly #retryMs: number;
  readonly #boss: PgBoss;
  readonly #url: string;
  readonly #channel: string;
  readonly #listeners = new Set<() => Promise<void>>();

  private constructor(pool: pg.Pool, retryMs: number, boss: PgBoss, url: string, schema?: string) {
    this.#pool = pool;
    this.#retryMs = retryMs;
    this.#boss = boss;
    this.#url = url;
    this.#channel = channelOf(schema);
  }

  /** Connects and creates the tables if missing (under a lock: nodes may start together). */
  static async open(url: string, opts: PostgresStoreOptions = {}): Promise<PostgresJobStore> {
    if (opts.schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(opts.schema))
      throw new RangeError(`not a schema name: ${opts.schema}`);
    const pool = new pg.Pool({
      connectionString: url,
      max: 4,
      connectionTimeoutMillis: 10_000,
      ...(opts.schema ? { options: `-c search_path=${opts.schema}` } : {}),
    });
    // an idle connection the server closed: the next query opens a new one
    pool.on('error', (e) => opts.onError?.(e));
    // pg-boss shares the pool; its upkeep (deleting settled tickets) runs on every node under its own lock
    const boss = new PgBoss({
      db: { executeSql: (text, values) => pool.query(text, values) },
      schema: opts.schema ? `${opts.schema}_queue` : 'c2_queue',
      schedule: false,
    });
    // pg-boss reports a failed upkeep round as an event; unheard, an EventEmitter error would end the process
    boss.on('error', (e) => opts.onError?.(e));
    const store = new PostgresJobStore(pool, opts.retryMs ?? 120_000, boss, url, opts.schema);
    try {
      await store.#retry(async () => {
        await boss.start();
        await boss.createQueue(QUEUE, { policy: 'standard', retryLimit: 0, deleteAfterSeconds: 86_400 });
      });
      await store.#tx(async (c) => {
        await c.query('SELECT pg_advisory_xact_lock(7070002)');
        if (opts.schema) await c.query(`CREATE SCHEMA IF NOT EXISTS ${opts.schema}`);
        await c.query(SCHEMA);
        // jobs queued by a version that kept its queue in c2_jobs alone get their tickets
        const orphans = await c.query<{ record: string }>(
          "SELECT record FROM c2_jobs WHERE state = 'Queued' AND ticket IS NULL ORDER BY created_at, id",
        );
        for (const row of orphans.rows) await store.#enqueue(c, jobSchema.parse(JSON.parse(row.record)));
      });
    } catch (e) {
      await store.close().catch(() => undefined);
      throw e;
    }
    return store;
  }

  /** Writes the job's ticket: its priority and size are pg-boss's priority and group. */
  async #enqueue(c: pg.PoolClient, job: JobRecord): Promise<void> {
    const ticket: Ticket = { id: job.id, sectorSize: job.request.sectorSize };
    const id = await this.#boss.send(QUEUE, ticket, {
      priority: PRIORITY_RANK[job.priority],
      group: { id: String(job.request.sectorSize) },
      db: onClient(c),
    });
    if (!id) throw new Error(`pg-boss refused the ticket of job ${job.id}`);
    await c.query('UPDATE c2_jobs SET ticket = $2 WHERE id = $1', [job.id, id]);
    // delivered to the listening nodes when the transaction commits, and not at all if it rolls back
    await c.query('SELECT pg_notify($1, $2)', [this.#channel, String(job.request.sectorSize)]);
  }

  /**
   * Listens for queued jobs on a connection of its own (LISTEN holds a session, the pool's connections
   * are shared): `onWork` runs when any node queues one, so an idle node takes it at once rather than at
   * its next poll. A lost connection is opened again (backing off to 30 s, `onError` told); `onWork` runs
   * each time listening starts, for what was queued meanwhile.
   */
  async watch(onWork: () => void, onError: (e: Error) => void): Promise<() => Promise<void>> {
    let client: pg.Client | undefined;
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    let wait = 500;
    const listen = async (): Promise<void> => {
      const c = new pg.Client({ connectionString: this.#url, connectionTimeoutMillis: 10_000 });
      let lost = false;
      const again = (e?: Error): void => {
        if (lost) return;
        lost = true;
        if (client === c) client = undefined;
        void c.end().catch(() => undefined);
        if (stopped) return;
        if (e) onError(e);
        timer = setTimeout(() => void listen(), wait);
        timer.unref();
        wait = Math.min(wait * 2, LISTEN_RETRY_MAX_MS);
      };
      c.on('error', again);
      c.on('end', () => again(new Error('the connection listening for queued jobs ended')));
      c.on('notification', () => onWork());
      try {
        await c.connect();
        await c.query(`LISTEN ${pg.escapeIdentifier(this.#channel)}`);
      } catch (e) {
        again(e as Error);
        return;
      }
      if (stopped || lost) return void c.end().catch(() => undefined);
      client = c;
      wait = 500;
      onWork();
    };
    await listen();
    const stop = async (): Promise<void> => {
      stopped = true;
      clearTimeout(timer);
      this.#listeners.delete(stop);
      await client?.end().catch(() => undefined);
    };
    this.#listeners.add(stop);
    return stop;
  }

  /** Settles the ticket of a job leaving Queued: taken by a node (completed) or withdrawn (cancelled). */
  async #settleTicket(c: pg.PoolClient, id: string, taken: boolean): Promise<void> {
    const ticket = (
      await c.query<{ ticket: string | null }>('SELECT ticket FROM c2_jobs WHERE id = $1', [id])
    ).rows[0]?.ticket;
    if (!ticket) return;
    await c.query('UPDATE c2_jobs SET ticket = NULL WHERE id = $1', [id]);
    const db = onClient(c);
    if (taken) await this.#boss.complete(QUEUE, ticket, null, { db });
    else await this.#boss.cancel(QUEUE, ticket, { db });
  }

  async #retry<T>(fn: () => Promise<T>): Promise<T> {
    const t0 = Date.now();
    for (let wait = 200; ; wait = Math.min(wait * 2, 2_000)) {
      try {
        return await fn();
      } catch (e) {
        if (!isTransient(e) || Date.now() - t0 > this.#retryMs) throw e;
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  #tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.#retry(async () => {
      const c = await this.#pool.connect();
      let broken = false;
      // the server ending the connection between two statements (a restart) is an 'error' event on the
      // checked-out client, which the pool does not listen for: unheard, it ends the process. Heard, the
      // next statement fails as transient and the transaction is retried on a new connection.
      const dropped = (): void => {
        broken = true;
      };
      c.on('error', dropped);
      try {
        await c.query('BEGIN');
        const out = await fn(c);
        await c.query('COMMIT');
        return out;
      } catch (e) {
        broken ||= isTransient(e);
        if (!broken) await c.query('ROLLBACK').catch(() => undefined);
        throw e;
      } finally {
        c.off('error', dropped);
        c.release(broken);
      }
    });
  }

  #q<R extends pg.QueryResultRow>(
    sql: string,
    values: unknown[] = [],
    on: Q = this.#pool,
  ): Promise<pg.QueryResult<R>> {
    return on === this.#pool ? this.#retry(() => this.#pool.query<R>(sql, values)) : on.query<R>(sql, values);
  }

  async #get(id: string, on: Q = this.#pool, lock = false): Promise<JobRecord | undefined> {
    const r = await this.#q<{ record: string }>(
      `SELECT record FROM c2_jobs WHERE id = $1${lock ? ' FOR UPDATE' : ''}`,
      [id],
      on,
    );
    return r.rows[0] ? jobSchema.parse(JSON.parse(r.rows[0].record)) : undefined;
  }

  /** Logs `e` and saves the job in the state it leads to, with its lease and cancel mark. */
  async #apply(
    c: pg.PoolClient,
    job: JobRecord,
    e: JobEventInput,
    patch: JobPatch = {},
    fresh = false,
    leaseMs = 60_000,
  ): Promise<JobRecord> {
    const now = new Date().toISOString();
    const seq =
      Number(
        (
          await c.query<{ seq: number }>('SELECT COALESCE(MAX(seq), 0) AS seq FROM c2_events WHERE id = $1', [
            job.id,
          ])
        ).rows[0]!.seq,
      ) + 1;
    const previous = fresh ? undefined : job.state;
    const { next, event } = eventRow(previous, e, seq, now);
    await c.query('INSERT INTO c2_events (id, seq, kind, event) VALUES ($1, $2, $3, $4)', [
      job.id,
      seq,
      e.kind,
      JSON.stringify(event),
    ]);
    const updated: JobRecord = { ...job, ...patch, state: next, updatedAt: now };
    if (e.kind === 'Started') {
      updated.attempts += 1;
      updated.node = e.node;
    }
    if (e.kind === 'Resubmitted') {
      delete updated.error;
      delete updated.progress;
    }
    await c.query(
      `UPDATE c2_jobs SET state = $2, record = $3,
         node = CASE WHEN $4 THEN $5 ELSE node END,
         lease_until = CASE WHEN $4 THEN now() + $7::double precision * interval '1 millisecond' WHEN $6 THEN lease_until ELSE NULL END,
         cancel = CASE WHEN $8 = 'CancelRequested' THEN true WHEN $8 IN ('Started', 'Resubmitted') THEN false ELSE cancel END,
         queued_at = CASE WHEN $2 = 'Queued' THEN now() ELSE queued_at END
       WHERE id = $1`,
      [
        job.id,
        next,
        JSON.stringify(updated),
        e.kind === 'Started',
        updated.node ?? null,
        // a failure state keeps the lease it failed under: see FAILURE_STATES
        [...RUNNING_STATES, ...FAILURE_STATES].includes(next),
        leaseMs,
        e.kind,
      ],
    );
    if (previous === 'Queued' && next !== 'Queued') await this.#settleTicket(c, job.id, e.kind === 'Started');
    else if (next === 'Queued' && previous !== 'Queued') await this.#enqueue(c, updated);
    return updated;
  }

  async submit(job: NewJob): Promise<{ job: JobRecord; joined: boolean }> {
    return this.#tx(async (c) => {
      const now = new Date().toISOString();
      const record: JobRecord = {
        id: job.id,
        state: 'Queued',
        priority: job.priority,
        createdAt: now,
        updatedAt: now,
        attempts: 0,
        request: job.request,
      };
      const inserted = await c.query(
        'INSERT INTO c2_jobs (id, state, rank, created_at, sector_size, record) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING',
        [job.id, 'Queued', PRIORITY_RANK[job.priority], now, job.request.sectorSize, JSON.stringify(record)],
      );
      const putInput = (): Promise<unknown> =>
        c.query(
          'INSERT INTO c2_inputs (id, body) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET body = EXCLUDED.body',
          [job.id, job.input],
        );
      if (inserted.rowCount === 1) {
        await putInput();
        return { job: await this.#apply(c, record, { kind: 'Submitted' }, {}, true), joined: false };
      }
      // the same content, submitted on any node: joined, or queued anew after a failure or a cancel
      const existing = (await this.#get(job.id, c, true))!;
      if (existing.state !== 'Failed' && existing.state !== 'Cancelled')
        return { job: existing, joined: true };
      await putInput();
      return { job: await this.#apply(c, existing, { kind: 'Resubmitted' }), joined: false };
    });
  }

  async get(id: string): Promise<JobRecord | undefined> {
    return this.#get(id);
  }

  async log(id: string): Promise<JobEvent[]> {
    const r = await this.#q<{ event: string }>('SELECT event FROM c2_events WHERE id = $1 ORDER BY seq', [
      id,
    ]);
    return r.rows.map((row) => JSON.parse(row.event) as JobEvent);
  }

  async input(id: string): Promise<string | undefined> {
    return (await this.#q<{ body: string }>('SELECT body FROM c2_inputs WHERE id = $1', [id])).rows[0]?.body;
  }

  async list(opts: { states?: readonly JobState[]; limit?: number } = {}): Promise<JobRecord[]> {
    const states = opts.states ?? [];
    const r = await this.#q<{ record: string }>(
      `SELECT record FROM c2_jobs ${states.length ? 'WHERE state = ANY($2)' : 'WHERE $2::text[] IS NOT NULL'} ORDER BY created_at DESC, id LIMIT $1`,
      [opts.limit ?? 100, states],
    );
    return r.rows.map((row) => jobSchema.parse(JSON.parse(row.record)));
  }

  async count(states: readonly JobState[]): Promise<number> {
    return Number(
      (await this.#q<{ n: string }>('SELECT COUNT(*) AS n FROM c2_jobs WHERE state = ANY($1)', [states]))
        .rows[0]!.n,
    );
  }

  async next(): Promise<JobRecord | undefined> {
    const r = await this.#q<{ record: string }>(
      "SELECT record FROM c2_jobs WHERE state = 'Queued' ORDER BY rank DESC, created_at, id LIMIT 1",
    );
    return r.rows[0] ? jobSchema.parse(JSON.parse(r.rows[0].record)) : undefined;
  }

  async apply(
    id: string,
    e: JobEventInput,
    patch?: JobPatch,
    expect?: JobState,
    owner?: string,
  ): Promise<JobRecord | undefined> {
    return this.#tx(async (c) => {
      const job = await this.#get(id, c, true);
      if (!job || (expect !== undefined && job.state !== expect)) return undefined;
      if (owner !== undefined && !(job.node === owner && RUNNING_STATES.includes(job.state)))
        return undefined;
      return this.#apply(c, job, e, patch);
    });
  }

  async claim(opts: ClaimOptions): Promise<JobRecord | undefined> {
    if (opts.fits.length === 0) return undefined;
    for (let round = 0; round < 8; round++) {
      try {
        const got = await this.#tx((c) => this.#claim(c, opts));
        if (got !== AGAIN) return got;
      } catch (e) {
        // a size submitted between the look at the queue and the fetch: look again
        if (!(e instanceof StaleClaim)) throw e;
      }
    }
    return undefined;
  }

  /**
   * Which groups the fetch may take from: the sizes the node fits, less those another live node holds
   * warm whose jobs have not waited `coldDelayMs` yet; within the top priority waiting, the node's warm
   * sizes alone when one of them has a job at that priority (pg-boss orders by priority, then age).
   */
  async #claim(c: pg.PoolClient, opts: ClaimOptions): Promise<JobRecord | undefined | typeof AGAIN> {
    const sizes = await c.query<{ size: string; top: number; aged: boolean; warm_elsewhere: boolean }>(
      `SELECT sector_size AS size, MAX(rank) AS top,
              bool_or(queued_at <= now() - $1::double precision * interval '1 millisecond') AS aged,
              EXISTS (SELECT 1 FROM c2_nodes n WHERE n.name <> $2 AND NOT n.draining
                        AND n.heartbeat_at > now() - $3::double precision * interval '1 millisecond'
                        AND j.sector_size = ANY(n.warm)) AS warm_elsewhere
         FROM c2_jobs j WHERE state = 'Queued' AND ticket IS NOT NULL GROUP BY sector_size`,
      [opts.coldDelayMs, opts.node, opts.leaseMs],
    );
    const waiting = sizes.rows.map((r) => ({ ...r, size: Number(r.size) }));
    const open = waiting.filter(
      (w) => opts.fits.includes(w.size) && (opts.warm.includes(w.size) || w.aged || !w.warm_elsewhere),
    );
    if (open.length === 0) return undefined;
    const top = Math.max(...open.map((w) => w.top));
    const warmTop = open.filter((w) => opts.warm.includes(w.size) && w.top === top);
    const take = new Set((warmTop.length ? warmTop : open).map((w) => w.size));
    const [ticket] = await this.#boss.fetch<Ticket>(QUEUE, {
      batchSize: 1,
      minPriority: top,
      ignoreGroups: waiting.filter((w) => !take.has(w.size)).map((w) => String(w.size)),
      db: onClient(c),
    });
    if (!ticket) return undefined;
    if (!take.has(ticket.data.sectorSize)) throw new StaleClaim();
    const job = await this.#get(ticket.data.id, c, true);
    if (!job || job.state !== 'Queued') {
      // a ticket outliving its job's Queued state (written by hand, or by another version): withdrawn
      await this.#boss.cancel(QUEUE, ticket.id, { db: onClient(c) });
      return AGAIN;
    }
    return this.#apply(
      c,
      job,
      { kind: 'Started', node: opts.node, backend: opts.backend },
      {},
      false,
      opts.leaseMs,
    );
  }

  async heartbeat(
    node: string,
    ids: readonly string[],
    leaseMs: number,
  ): Promise<{ lost: string[]; cancel: string[] }> {
    if (ids.length === 0) return { lost: [], cancel: [] };
    const r = await this.#q<{ id: string; cancel: boolean }>(
      `UPDATE c2_jobs SET lease_until = now() + $3::double precision * interval '1 millisecond'
        WHERE id = ANY($1) AND node = $2 AND state = ANY($4) AND lease_until >= now()
        RETURNING id, cancel`,
      [ids, node, leaseMs, RUNNING_STATES],
    );
    const held = new Set(r.rows.map((row) => row.id));
    return {
      lost: ids.filter((id) => !held.has(id)),
      cancel: r.rows.filter((row) => row.cancel).map((row) => row.id),
    };
  }

  async reclaim(message: string, node?: string): Promise<JobRecord[]> {
    return this.#tx(async (c) => {
      const r = await c.query<{ record: string }>(
        `SELECT record FROM c2_jobs WHERE state = ANY($1) AND (lease_until IS NULL OR lease_until < now() OR node = $2)
          ORDER BY created_at, id FOR UPDATE SKIP LOCKED`,
        [[...RUNNING_STATES, ...FAILURE_STATES], node ?? null],
      );
      const lost: JobRecord[] = [];
      const stranded: JobRecord[] = [];
      for (const row of r.rows) {
        const job = jobSchema.parse(JSON.parse(row.record));
        if (RUNNING_STATES.includes(job.state))
          lost.push(await this.#apply(c, job, { kind: 'WorkerLost', message }));
        else stranded.push(job);
      }
      return [...lost, ...stranded];
    });
  }

  async countEvents(id: string, kind: JobEventKind): Promise<number> {
    return Number(
      (
        await this.#q<{ n: string }>('SELECT COUNT(*) AS n FROM c2_events WHERE id = $1 AND kind = $2', [
          id,
          kind,
        ])
      ).rows[0]!.n,
    );
  }

  async purge(before: Date, states: readonly JobState[]): Promise<number> {
    return this.#tx(async (c) => {
      const r = await c.query<{ id: string }>(
        "DELETE FROM c2_jobs WHERE state = ANY($1) AND (record::jsonb ->> 'updatedAt') < $2 RETURNING id",
        [states, before.toISOString()],
      );
      const ids = r.rows.map((row) => row.id);
      await c.query('DELETE FROM c2_inputs WHERE id = ANY($1)', [ids]);
      await c.query('DELETE FROM c2_events WHERE id = ANY($1)', [ids]);
      return ids.length;
    });
  }

  async putNode(report: NodeReport): Promise<{ draining: boolean }> {
    const r = await this.#q<{ draining: boolean }>(
      `INSERT INTO c2_nodes (name, warm, heartbeat_at, info) VALUES ($1, $2, now(), $3)
       ON CONFLICT (name) DO UPDATE SET warm = EXCLUDED.warm, heartbeat_at = now(), info = EXCLUDED.info
       RETURNING draining`,
      [report.name, report.parameters.map((p) => p.sectorSize), JSON.stringify(report)],
    );
    return { draining: r.rows[0]!.draining };
  }

  async nodes(): Promise<NodeInfo[]> {
    const r = await this.#q<{ draining: boolean; heartbeat_at: Date; info: string }>(
      'SELECT draining, heartbeat_at, info FROM c2_nodes ORDER BY name',
    );
    return r.rows.map((row) => ({
      ...(JSON.parse(row.info) as NodeReport),
      draining: row.draining,
      lastHeartbeat: row.heartbeat_at.toISOString(),
    }));
  }

  async setDraining(name: string, draining: boolean): Promise<boolean> {
    return (
      ((await this.#q('UPDATE c2_nodes SET draining = $2 WHERE name = $1', [name, draining])).rowCount ?? 0) >
      0
    );
  }

  async close(): Promise<void> {
    await Promise.all([...this.#listeners].map((stop) => stop()));
    await this.#boss.stop({ graceful: false, close: false });
    await this.#pool.end();
  }
}
