/**
 * The embedded job store: Node's own SQLite (node:sqlite) in one file under C2_DATA_DIR, in WAL mode with
 * full syncs, so a job acknowledged to a client survives a kill -9 or a power cut. One process owns the
 * file; every call is a short synchronous transaction, wrapped in the async JobStore interface.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { JobEventInput, JobEventKind } from './fsm.ts';
import {
  FAILURE_STATES,
  RUNNING_STATES,
  isFailureState,
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

/** Columns added after the first release: an older file gains them when opened. */
const ADDED_COLUMNS = ['lease_until INTEGER', 'cancel INTEGER NOT NULL DEFAULT 0'];

const SCHEMA = `
CREATE TABLE IF NOT EXISTS jobs (
  id TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  rank INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  record TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS nodes (name TEXT PRIMARY KEY, draining INTEGER NOT NULL DEFAULT 0, info TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS jobs_queue ON jobs (state, rank DESC, created_at);
CREATE TABLE IF NOT EXISTS inputs (id TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
  id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  kind TEXT NOT NULL,
  event TEXT NOT NULL,
  PRIMARY KEY (id, seq)
);
`;

export class SqliteJobStore implements JobStore {
  readonly #db: DatabaseSync;
  readonly #q: Record<string, StatementSync>;

  readonly path: string;
  constructor(path: string) {
    this.path = path;
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.#db = new DatabaseSync(path);
    this.#db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;');
    this.#db.exec(SCHEMA);
    const have = new Set(
      (this.#db.prepare('PRAGMA table_info(jobs)').all() as { name: string }[]).map((c) => c.name),
    );
    for (const col of ADDED_COLUMNS)
      if (!have.has(col.split(' ')[0]!)) this.#db.exec(`ALTER TABLE jobs ADD COLUMN ${col}`);
    const p = (sql: string): StatementSync => this.#db.prepare(sql);
    this.#q = {
      get: p('SELECT record FROM jobs WHERE id = ?'),
      insert: p('INSERT INTO jobs (id, state, rank, created_at, record) VALUES (?, ?, ?, ?, ?)'),
      update: p('UPDATE jobs SET state = ?, record = ? WHERE id = ?'),
      lease: p('SELECT lease_until, cancel FROM jobs WHERE id = ?'),
      setLease: p('UPDATE jobs SET lease_until = ?, cancel = ? WHERE id = ?'),
      input: p('SELECT body FROM inputs WHERE id = ?'),
      putInput: p('INSERT OR REPLACE INTO inputs (id, body) VALUES (?, ?)'),
      log: p('SELECT event FROM events WHERE id = ? ORDER BY seq'),
      lastSeq: p('SELECT COALESCE(MAX(seq), 0) AS seq FROM events WHERE id = ?'),
      addEvent: p('INSERT INTO events (id, seq, kind, event) VALUES (?, ?, ?, ?)'),
      countEvents: p('SELECT COUNT(*) AS n FROM events WHERE id = ? AND kind = ?'),
      next: p("SELECT id FROM jobs WHERE state = 'Queued' ORDER BY rank DESC, created_at, id LIMIT 1"),
    };
  }

  #tx<T>(fn: () => T): T {
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      const out = fn();
      this.#db.exec('COMMIT');
      return out;
    } catch (e) {
      this.#db.exec('ROLLBACK');
      throw e;
    }
  }

  #get(id: string): JobRecord | undefined {
    const row = this.#q.get!.get(id) as { record: string } | undefined;
    return row ? jobSchema.parse(JSON.parse(row.record)) : undefined;
  }

  /** Logs `e` and saves the job in the state it leads to. */
  #apply(job: JobRecord, id: string, e: JobEventInput, patch: JobPatch = {}, fresh = false): JobRecord {
    const now = new Date().toISOString();
    const seq = (this.#q.lastSeq!.get(id) as { seq: number }).seq + 1;
    const { next, event } = eventRow(fresh ? undefined : job.state, e, seq, now);
    this.#q.addEvent!.run(id, seq, e.kind, JSON.stringify(event));
    const updated: JobRecord = { ...job, ...patch, state: next, updatedAt: now };
    if (e.kind === 'Started') updated.attempts += 1;
    if (e.kind === 'Resubmitted') {
      delete updated.error;
      delete updated.progress;
    }
    if (e.kind === 'Started') updated.node = e.node;
    this.#q.update!.run(next, JSON.stringify(updated), id);
    const lease = this.#q.lease!.get(id) as { lease_until: number | null; cancel: number };
    const running = RUNNING_STATES.includes(next);
    const cancel =
      e.kind === 'CancelRequested' ? 1 : e.kind === 'Started' || e.kind === 'Resubmitted' ? 0 : lease.cancel;
    this.#q.setLease!.run(
      running
        ? e.kind === 'Started'
          ? Date.now() + this.#leaseMs
          : lease.lease_until
        : isFailureState(next)
          ? lease.lease_until
          : null,
      cancel,
      id,
    );
    return updated;
  }

  /** The lease a Started event takes through `apply` (a claim sets its own). */
  #leaseMs = 60_000;

  /** Whether `owner` holds the job: it runs, on that node. */
  #holds(job: JobRecord, owner: string): boolean {
    return job.node === owner && RUNNING_STATES.includes(job.state);
  }

  async submit(job: NewJob): Promise<{ job: JobRecord; joined: boolean }> {
    return this.#tx(() => {
      const existing = this.#get(job.id);
      if (existing) {
        if (existing.state !== 'Failed' && existing.state !== 'Cancelled')
          return { job: existing, joined: true };
        this.#q.putInput!.run(job.id, job.input);
        return { job: this.#apply(existing, job.id, { kind: 'Resubmitted' }), joined: false };
      }
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
      this.#q.insert!.run(job.id, 'Queued', PRIORITY_RANK[job.priority], now, JSON.stringify(record));
      this.#q.putInput!.run(job.id, job.input);
      return { job: this.#apply(record, job.id, { kind: 'Submitted' }, {}, true), joined: false };
    });
  }

  async get(id: string): Promise<JobRecord | undefined> {
    return this.#get(id);
  }

  async log(id: string): Promise<JobEvent[]> {
    return (this.#q.log!.all(id) as { event: string }[]).map((r) => JSON.parse(r.event) as JobEvent);
  }

  async input(id: string): Promise<string | undefined> {
    return (this.#q.input!.get(id) as { body: string } | undefined)?.body;
  }

  async list(opts: { states?: readonly JobState[]; limit?: number } = {}): Promise<JobRecord[]> {
    const states = opts.states ?? [];
    const where = states.length ? `WHERE state IN (${states.map(() => '?').join(', ')})` : '';
    const rows = this.#db
      .prepare(`SELECT record FROM jobs ${where} ORDER BY created_at DESC, id LIMIT ?`)
      .all(...states, opts.limit ?? 100) as { record: string }[];
    return rows.map((r) => jobSchema.parse(JSON.parse(r.record)));
  }

  async count(states: readonly JobState[]): Promise<number> {
    const row = this.#db
      .prepare(`SELECT COUNT(*) AS n FROM jobs WHERE state IN (${states.map(() => '?').join(', ')})`)
      .get(...states) as { n: number };
    return row.n;
  }

  async next(): Promise<JobRecord | undefined> {
    const row = this.#q.next!.get() as { id: string } | undefined;
    return row && this.#get(row.id);
  }

  async apply(
    id: string,
    e: JobEventInput,
    patch?: JobPatch,
    expect?: JobState,
    owner?: string,
  ): Promise<JobRecord | undefined> {
    return this.#tx(() => {
      const job = this.#get(id);
      if (!job || (expect !== undefined && job.state !== expect)) return undefined;
      if (owner !== undefined && !this.#holds(job, owner)) return undefined;
      return this.#apply(job, id, e, patch);
    });
  }

  async claim(opts: ClaimOptions): Promise<JobRecord | undefined> {
    if (opts.fits.length === 0) return undefined;
    // one process owns the file: no other node to leave a job to, so no cold delay
    const fits = opts.fits.map(Number).join(', ');
    const warm = opts.warm.length ? opts.warm.map(Number).join(', ') : 'NULL';
    const size = "json_extract(record, '$.request.sectorSize')";
    return this.#tx(() => {
      const row = this.#db
        .prepare(
          `SELECT id FROM jobs WHERE state = 'Queued' AND ${size} IN (${fits}) ORDER BY rank DESC, (${size} IN (${warm})) DESC, created_at, id LIMIT 1`,
        )
        .get() as { id: string } | undefined;
      if (!row) return undefined;
      const job = this.#apply(this.#get(row.id)!, row.id, {
        kind: 'Started',
        node: opts.node,
        backend: opts.backend,
      });
      this.#q.setLease!.run(Date.now() + opts.leaseMs, 0, row.id);
      return job;
    });
  }

  async heartbeat(
    node: string,
    ids: readonly string[],
    leaseMs: number,
  ): Promise<{ lost: string[]; cancel: string[] }> {
    return this.#tx(() => {
      const lost: string[] = [];
      const cancel: string[] = [];
      const now = Date.now();
      for (const id of ids) {
        const job = this.#get(id);
        const lease = this.#q.lease!.get(id) as { lease_until: number | null; cancel: number } | undefined;
        if (!job || !lease || !this.#holds(job, node) || (lease.lease_until ?? 0) < now) {
          lost.push(id);
          continue;
        }
        this.#q.setLease!.run(now + leaseMs, lease.cancel, id);
        if (lease.cancel) cancel.push(id);
      }
      return { lost, cancel };
    });
  }

  async reclaim(message: string, node?: string): Promise<JobRecord[]> {
    return this.#tx(() => {
      const lapsed = (states: readonly string[]): { id: string }[] =>
        this.#db
          .prepare(
            `SELECT id FROM jobs WHERE state IN (${states.map(() => '?').join(', ')}) AND (? OR lease_until IS NULL OR lease_until < ?) ORDER BY created_at, id`,
          )
          .all(...states, node === undefined ? 0 : 1, Date.now()) as { id: string }[];
      const stranded = lapsed(FAILURE_STATES).map((r) => this.#get(r.id)!);
      const lost = lapsed(RUNNING_STATES).map((r) =>
        this.#apply(this.#get(r.id)!, r.id, { kind: 'WorkerLost', message }),
      );
      return [...lost, ...stranded];
    });
  }

  async putNode(report: NodeReport): Promise<{ draining: boolean }> {
    return this.#tx(() => {
      const row = this.#db.prepare('SELECT draining FROM nodes WHERE name = ?').get(report.name) as
        { draining: number } | undefined;
      const info = JSON.stringify({ ...report, lastHeartbeat: new Date().toISOString() });
      this.#db
        .prepare('INSERT OR REPLACE INTO nodes (name, draining, info) VALUES (?, ?, ?)')
        .run(report.name, row?.draining ?? 0, info);
      return { draining: row?.draining === 1 };
    });
  }

  async nodes(): Promise<NodeInfo[]> {
    const rows = this.#db.prepare('SELECT draining, info FROM nodes ORDER BY name').all() as {
      draining: number;
      info: string;
    }[];
    return rows.map((r) => ({
      ...(JSON.parse(r.info) as Omit<NodeInfo, 'draining'>),
      draining: r.draining === 1,
    }));
  }

  async setDraining(name: string, draining: boolean): Promise<boolean> {
    return (
      this.#db.prepare('UPDATE nodes SET draining = ? WHERE name = ?').run(draining ? 1 : 0, name).changes > 0
    );
  }

  async countEvents(id: string, kind: JobEventKind): Promise<number> {
    return (this.#q.countEvents!.get(id, kind) as { n: number }).n;
  }

  async purge(before: Date, states: readonly JobState[]): Promise<number> {
    return this.#tx(() => {
      const marks = states.map(() => '?').join(', ');
      const ids = (
        this.#db.prepare(`SELECT id, record FROM jobs WHERE state IN (${marks})`).all(...states) as {
          id: string;
          record: string;
        }[]
      )
        .filter((r) => (JSON.parse(r.record) as JobRecord).updatedAt < before.toISOString())
        .map((r) => r.id);
      for (const table of ['jobs', 'inputs', 'events'])
        for (const id of ids) this.#db.prepare(`DELETE FROM ${table} WHERE id = ?`).run(id);
      return ids.length;
    });
  }

  async close(): Promise<void> {
    if (this.#db.isOpen) this.#db.close();
  }
}
