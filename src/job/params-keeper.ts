/**
 * The service's Groth16 parameters: found in FIL_PROOFS_PARAMETER_CACHE under their parameters.json names,
 * told apart by digest (a file whose digest is parameters.json's is the trusted setup's own and vouched
 * for by it, as filecoin-proofs trusts fetched files; any other file is test parameters, refused unless
 * the node was told to use them, and point-checked once), loaded once per sector size and kept for later
 * jobs. Idle keys are evicted when a job needs their memory.
 */
import { existsSync, statSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Backend } from '../backends/backend.ts';
import { paramsDigest } from '../groth16/params-file.ts';
import { loadProvingKey, type ProvingKey } from '../groth16/proving-key.ts';
import { porepParamsFiles } from '../groth16/parameter-cache.ts';
import { CodedError } from './errors.ts';
import type { ParametersUsed } from './job-record.ts';

export interface Logger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** The size label lotus and curio take (`lotus fetch-params 32GiB`). */
export function sizeLabel(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (bytes >= 1024 && bytes % 1024 === 0 && i < units.length - 1) {
    bytes /= 1024;
    i++;
  }
  return `${bytes}${units[i]}`;
}

export class ParamsMissingError extends CodedError {
  readonly file: string;
  constructor(file: string, sectorSize: number) {
    const l = sizeLabel(sectorSize);
    super(
      'C2_PARAMS_MISSING',
      503,
      `the Groth16 parameters for ${l} sectors are missing: ${file}; fetch them into FIL_PROOFS_PARAMETER_CACHE with \`lotus fetch-params ${l}\` or \`curio fetch-params ${l}\``,
    );
    this.name = 'ParamsMissingError';
    this.file = file;
  }
}

export class TestParamsRefusedError extends CodedError {
  constructor(file: string, digest: string, expected: string) {
    super(
      'C2_TEST_PARAMS_REFUSED',
      503,
      `${file} is not the published parameter file (digest ${digest}, parameters.json says ${expected}): proofs made with it would be rejected by the network; fetch the real file, or start the service with --test-params to prove with test parameters`,
    );
    this.name = 'TestParamsRefusedError';
  }
}

export interface ParamsKeeperOptions {
  backend: Backend;
  /** FIL_PROOFS_PARAMETER_CACHE. */
  dir: string;
  /** Where test parameters are looked for when the production directory lacks a file (with allowTest). */
  testDir?: string;
  /** Prove with parameters that are not the published ones (test networks, CI). */
  allowTest: boolean;
  /** Remembers file digests across restarts (hashing a 32GiB file takes minutes). */
  digestCacheFile?: string;
  log: Logger;
}

interface Held {
  params: ParametersUsed;
  /** Whose memory the key's tables are in. */
  backend: Backend;
  bytes: number;
  key: Promise<ProvingKey>;
  users: number;
  lastUsed: number;
}

const fingerprint = (path: string): string => {
  const st = statSync(path);
  return `${resolve(path)}:${st.size}:${Math.trunc(st.mtimeMs)}`;
};

/** Where file digests are remembered by default (beside validated.json). */
export const DEFAULT_DIGEST_CACHE = join(homedir(), '.cache', 'c2prover', 'param-digests.json');

const digests = new Map<string, Promise<string>>();

async function readDigestFile(file: string): Promise<Record<string, string>> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Record<string, string>;
  } catch {
    return {};
  }
}

/** The file's digest, computed once per file version (path, size, mtime) and remembered in `cacheFile`. */
function digestOf(path: string, cacheFile: string, log: Logger): Promise<string> {
  const fp = fingerprint(path);
  let d = digests.get(fp);
  if (!d) {
    d = (async () => {
      const known = (await readDigestFile(cacheFile))[fp];
      if (known) return known;
      const t0 = performance.now();
      log.info({ file: path }, 'hashing parameter file (once per file)');
      const digest = await paramsDigest(path);
      log.info({ file: path, digest, ms: Math.round(performance.now() - t0) }, 'parameter file hashed');
      try {
        const all = await readDigestFile(cacheFile);
        all[fp] = digest;
        await mkdir(dirname(cacheFile), { recursive: true });
        await writeFile(cacheFile, JSON.stringify(all));
      } catch {
        // a read-only cache only costs a hash at the next start
      }
      return digest;
    })();
    d.catch(() => digests.delete(fp));
    digests.set(fp, d);
  }
  return d;
}

/** What a parameter file is: the published one of its sector size (by digest), or test parameters. */
export async function identifyParams(
  file: string,
  sectorSize: number,
  log: Logger,
  cacheFile = DEFAULT_DIGEST_CACHE,
): Promise<ParametersUsed> {
  if (!existsSync(file)) throw new ParamsMissingError(file, sectorSize);
  const expected = porepParamsFiles(sectorSize, dirname(file)).productionDigest;
  const digest = await digestOf(file, cacheFile, log);
  return { file, kind: digest === expected ? 'production' : 'test', digest, digestChecked: true };
}

/**
 * Loads an identified file: the published one without point checks (its digest vouches for its points),
 * any other with them, once per file version (remembered by loadProvingKey), logged section by section.
 */
export function loadIdentified(
  backend: Backend,
  params: ParametersUsed,
  log: Logger,
  validate = true,
): Promise<ProvingKey> {
  return loadProvingKey(backend, params.file, {
    validate: validate && params.kind === 'test',
    onSection: (section, i, of, validating) => {
      if (validating)
        log.info(
          { file: params.file, section, progress: `${i}/${of}` },
          'checking parameter points (once per file; slow)',
        );
    },
  });
}

export class ParamsKeeper {
  readonly #held = new Map<number, Held>();
  readonly #resolved = new Map<number, ParametersUsed>();
  readonly opts: ParamsKeeperOptions;
  constructor(opts: ParamsKeeperOptions) {
    this.opts = opts;
  }

  /**
   * Which file a job of this sector size proves with, and what it is: ParamsMissingError when there is
   * none, TestParamsRefusedError for a file that is not the published one on a production node.
   */
  async resolve(sectorSize: number): Promise<ParametersUsed> {
    const held = this.#held.get(sectorSize);
    if (held && existsSync(held.params.file)) return held.params;
    const files = porepParamsFiles(sectorSize, this.opts.dir);
    let file = files.params;
    if (!existsSync(file) && this.opts.allowTest && this.opts.testDir) {
      const test = porepParamsFiles(sectorSize, this.opts.testDir).params;
      if (existsSync(test)) file = test;
    }
    if (!existsSync(file)) throw new ParamsMissingError(files.params, sectorSize);
    const params = await identifyParams(file, sectorSize, this.opts.log, this.opts.digestCacheFile);
    if (params.kind === 'test' && !this.opts.allowTest)
      throw new TestParamsRefusedError(file, params.digest, files.productionDigest);
    this.#resolved.set(sectorSize, params);
    return params;
  }

  /** Bytes a key of this sector size takes once loaded (0 when it is loaded already). */
  bytesToLoad(params: ParametersUsed, sectorSize: number): number {
    return this.#held.get(sectorSize)?.params.file === params.file ? 0 : statSync(params.file).size;
  }

  /** Bytes loading this size's key would add now: 0 when held, else its last resolved file's size. */
  loadCost(sectorSize: number): number {
    if (this.#held.has(sectorSize)) return 0;
    const params = this.#resolved.get(sectorSize);
    return params && existsSync(params.file) ? statSync(params.file).size : 0;
  }

  /** Bytes held by loaded keys that no job uses now (but `keep`'s): what eviction could free. */
  idleBytes(keep?: number): number {
    let n = 0;
    for (const [size, h] of this.#held) if (h.users === 0 && size !== keep) n += h.bytes;
    return n;
  }

  heldBytes(): number {
    let n = 0;
    for (const h of this.#held.values()) n += h.bytes;
    return n;
  }

  /**
   * Frees idle keys, least recently used first, until `bytes` are free or none is idle; never the key of
   * `keep` (the size the memory is wanted for).
   */
  evictIdle(bytes: number, keep?: number): void {
    const idle = [...this.#held.entries()]
      .filter(([size, h]) => h.users === 0 && size !== keep)
      .sort((a, b) => a[1].lastUsed - b[1].lastUsed);
    let freed = 0;
    for (const [size, h] of idle) {
      if (freed >= bytes) break;
      this.#drop(size, h);
      freed += h.bytes;
      this.opts.log.info({ file: h.params.file }, 'parameters evicted (idle, memory needed)');
    }
  }

  /** Forgets a held key; it is freed now if idle, else when its last job releases it. */
  #drop(size: number, h: Held): void {
    if (this.#held.get(size) === h) this.#held.delete(size);
    if (h.users === 0)
      void h.key.then(
        (k) => k.free(),
        () => undefined,
      );
  }

  /**
   * The loaded key, shared by every job of the size; `release` when the job is done with it. `backend`
   * (default: the keeper's) is where its tables live: the backend chosen for the size.
   */
  async acquire(
    sectorSize: number,
    params: ParametersUsed,
    backend: Backend = this.opts.backend,
  ): Promise<{ key: ProvingKey; release: () => void }> {
    let h = this.#held.get(sectorSize);
    if (h && (h.params.file !== params.file || h.backend !== backend)) {
      // another file for this size now (parameters fetched since), or another backend chosen for it
      // (a GPU failed): the old key goes once unused
      this.#drop(sectorSize, h);
      h = undefined;
    }
    if (!h) {
      const t0 = performance.now();
      const key = loadIdentified(backend, params, this.opts.log);
      h = { params, backend, bytes: statSync(params.file).size, key, users: 0, lastUsed: Date.now() };
      const held = h;
      this.#held.set(sectorSize, held);
      key.then(
        () =>
          this.opts.log.info(
            { file: params.file, ms: Math.round(performance.now() - t0) },
            'parameters loaded',
          ),
        () => {
          if (this.#held.get(sectorSize) === held) this.#held.delete(sectorSize);
        },
      );
    }
    h.users++;
    const held = h;
    try {
      const key = await held.key;
      let released = false;
      return {
        key,
        release: () => {
          if (released) return;
          released = true;
          held.users--;
          held.lastUsed = Date.now();
          if (held.users === 0 && this.#held.get(sectorSize) !== held) this.#drop(sectorSize, held);
        },
      };
    } catch (e) {
      held.users--;
      throw e;
    }
  }

  /** What is held, for /readyz and /nodes. */
  status(): {
    sectorSize: number;
    file: string;
    kind: string;
    backend: string;
    bytes: number;
    inUse: number;
  }[] {
    return [...this.#held.entries()].map(([sectorSize, h]) => ({
      sectorSize,
      file: h.params.file,
      kind: h.params.kind,
      backend: h.backend.name,
      bytes: h.bytes,
      inUse: h.users,
    }));
  }

  /**
   * Forgets every key held in a backend that failed: its points live in that backend's memory (freed as
   * its last job releases it); the sizes load again into the backend chosen for them next.
   */
  dropBackend(backend: Backend): void {
    for (const [size, h] of [...this.#held.entries()]) if (h.backend === backend) this.#drop(size, h);
  }

  close(): void {
    for (const [size, h] of [...this.#held.entries()]) this.#drop(size, h);
  }
}
