/**
 * A parameter file loaded into a backend: the verifying key plus the five point tables, ready for any
 * number of proofs. Point validation (curve and subgroup) is costly for multi-GB files, so a file that
 * passed once is remembered by path, size and mtime, in this process and in a small cache file.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Backend, PointTable } from '../backends/backend.ts';
import {
  SECTIONS,
  loadSection,
  paramsDigest,
  readParamsLayout,
  type ParamsLayout,
  type SectionName,
} from './params-file.ts';
import { ParamsFormatError, type VerifyingKey } from './verifying-key.ts';

export interface ProvingKey {
  path: string;
  /** The backend whose memory holds the tables: the one that proves with them. */
  backend: Backend;
  vk: VerifyingKey;
  layout: ParamsLayout;
  tables: Record<SectionName, PointTable>;
  free(): void;
}

export interface LoadOptions {
  /** Check every point on the curve and in the subgroup, unless this file already passed. */
  validate?: boolean;
  /** Expected digest (parameters.json's `digest`): the file is hashed and refused on a mismatch. */
  digest?: string;
  /** Where validated files are remembered; default ~/.cache/c2prover/validated.json. */
  cacheFile?: string;
  /** Told before each section is loaded, and whether its points are being checked (the slow case). */
  onSection?: (section: SectionName, index: number, of: number, validating: boolean) => void;
}

const validatedInProcess = new Set<string>();

// by absolute path: a file named relatively on one run and absolutely on the next is the same file
const fingerprint = (l: ParamsLayout): string => `${resolve(l.path)}:${l.size}:${Math.trunc(l.mtimeMs)}`;

async function readValidated(cacheFile: string): Promise<string[]> {
  try {
    const parsed: unknown = JSON.parse(await readFile(cacheFile, 'utf8'));
    return Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

async function rememberValidated(cacheFile: string, fp: string): Promise<void> {
  validatedInProcess.add(fp);
  try {
    const known = await readValidated(cacheFile);
    if (known.includes(fp)) return;
    await mkdir(dirname(cacheFile), { recursive: true });
    await writeFile(cacheFile, JSON.stringify([...known, fp].slice(-64)));
  } catch {
    // A read-only home only costs a re-validation next time.
  }
}

/**
 * Records a parameter file as validated without checking it: for files this process has just written
 * from points it computed itself (test parameters), where a check would only cost minutes.
 */
export async function markValidated(path: string, cacheFile = defaultCacheFile()): Promise<void> {
  await rememberValidated(cacheFile, fingerprint(await readParamsLayout(path)));
}

function defaultCacheFile(): string {
  return join(homedir(), '.cache', 'c2prover', 'validated.json');
}

export async function loadProvingKey(
  backend: Backend,
  path: string,
  opts: LoadOptions = {},
): Promise<ProvingKey> {
  const layout = await readParamsLayout(path);
  if (opts.digest !== undefined) {
    const actual = await paramsDigest(path);
    if (actual !== opts.digest) {
      throw new ParamsFormatError(`${path}: digest ${actual} does not match expected ${opts.digest}`);
    }
  }
  const cacheFile = opts.cacheFile ?? defaultCacheFile();
  const fp = fingerprint(layout);
  // A file whose digest matched parameters.json is the ceremony's own: its digest vouches for its points.
  const validate =
    (opts.validate ?? true) &&
    opts.digest === undefined &&
    !validatedInProcess.has(fp) &&
    !(await readValidated(cacheFile)).includes(fp);

  const tables: Partial<Record<SectionName, PointTable>> = {};
  const free = (): void => {
    for (const t of Object.values(tables)) backend.freeTable(t);
  };
  try {
    for (const [i, name] of SECTIONS.entries()) {
      opts.onSection?.(name, i, SECTIONS.length, validate);
      tables[name] = await loadSection(backend, layout, name, validate);
    }
    for (const t of Object.values(tables)) await backend.sealTable?.(t);
  } catch (e) {
    free();
    throw e;
  }
  if (validate) await rememberValidated(cacheFile, fp);
  return {
    path,
    backend,
    vk: layout.vk,
    layout,
    tables: tables as Record<SectionName, PointTable>,
    free,
  };
}
