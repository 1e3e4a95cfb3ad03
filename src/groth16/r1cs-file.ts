/**
 * An R1CS on disk. A circuit shape's constraints are the same for every proof of that shape, so they are
 * built once and kept in a file (like the parameters): later jobs, in this process or the next, synthesize
 * witnesses only and never hold the structure while they do; the prover reads it when it needs it.
 *
 * Layout, little-endian: 8-byte magic, u32 header length, the JSON header (counts, the caller's key and,
 * per matrix, its term and coefficient counts), zero padding to 8 bytes, then per matrix rowPtr, cols,
 * coeffIds (u32 each) and the coefficient table (32 bytes each), then (where the header says `densities`)
 * the A aux, B input and B aux density maps (a byte a variable), every section 8-byte aligned. Files
 * without the maps (written before them) are read as they are, the maps computed from the terms.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { FR_BYTES } from '../shared/fr.ts';
import type { SparseMatrix, R1cs } from '../shared/r1cs.ts';
import { densities, setDensities } from './r1cs.ts';

const MAGIC = Buffer.from('C2R1CS\x00\x01', 'latin1');

export interface R1csCounts {
  numInputs: number;
  numAux: number;
  numConstraints: number;
}

export function sameCounts(a: R1csCounts, b: R1csCounts): boolean {
  return a.numConstraints === b.numConstraints && a.numAux === b.numAux && a.numInputs === b.numInputs;
}

interface Header extends R1csCounts {
  key: string;
  matrices: { terms: number; coeffs: number }[];
  densities?: boolean;
}

const pad8 = (n: number): number => (n + 7) & ~7;

function sections(h: Header): number[] {
  const rows = h.numConstraints;
  const maps = h.densities ? [h.numAux, h.numInputs, h.numAux] : [];
  return [
    ...h.matrices.flatMap((m) => [4 * (rows + 1), 4 * m.terms, 4 * m.terms, FR_BYTES * m.coeffs]),
    ...maps,
  ];
}

/**
 * Writes `r1cs` to `path` atomically (a temporary file renamed into place). Asynchronous: a 32GiB
 * structure is gigabytes, and the event loop keeps serving meanwhile.
 */
export async function writeR1csFile(path: string, r1cs: R1cs, key: string): Promise<void> {
  const matrices = [r1cs.a, r1cs.b, r1cs.c];
  const header: Header = {
    numInputs: r1cs.numInputs,
    numAux: r1cs.numAux,
    numConstraints: r1cs.numConstraints,
    key,
    matrices: matrices.map((m) => ({
      terms: m.rowPtr[m.rowPtr.length - 1]!,
      coeffs: m.coeffTable.length / FR_BYTES,
    })),
    densities: true,
  };
  const head = Buffer.from(JSON.stringify(header));
  const pre = Buffer.alloc(pad8(12 + head.length));
  MAGIC.copy(pre, 0);
  pre.writeUInt32LE(head.length, 8);
  head.copy(pre, 12);
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  const file = await open(tmp, 'w');
  try {
    await file.write(pre);
    const zeros = new Uint8Array(8);
    const d = densities(r1cs);
    const parts = [
      ...matrices.flatMap((m) => {
        const terms = m.rowPtr[m.rowPtr.length - 1]!;
        return [m.rowPtr, m.cols.subarray(0, terms), m.coeffIds.subarray(0, terms), m.coeffTable];
      }),
      d.aAuxDensity,
      d.bInputDensity,
      d.bAuxDensity,
    ];
    for (const a of parts) {
      await file.write(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
      const extra = pad8(a.byteLength) - a.byteLength;
      if (extra) await file.write(zeros, 0, extra);
    }
    await file.close();
    await rename(tmp, path);
  } catch (e) {
    await file.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw e;
  }
}

function readHeader(fd: number): { header: Header; start: number } {
  const pre = Buffer.alloc(12);
  if (readSync(fd, pre, 0, 12, 0) !== 12 || !pre.subarray(0, 8).equals(MAGIC)) {
    throw new Error('not an R1CS file of this version');
  }
  const len = pre.readUInt32LE(8);
  const head = Buffer.alloc(len);
  if (readSync(fd, head, 0, len, 12) !== len) throw new Error('R1CS file header cut short');
  const header = JSON.parse(head.toString()) as Header;
  const start = pad8(12 + len);
  const size = sections(header).reduce((s, n) => s + pad8(n), start);
  if (fstatSync(fd).size !== size)
    throw new Error(`R1CS file is ${fstatSync(fd).size} bytes, expected ${size}`);
  return { header, start };
}

/**
 * The counts of the R1CS in `path`, when the file is there, whole, and made for `key`; undefined
 * otherwise (a missing or stale file is rebuilt, never an error).
 */
export function readR1csCounts(path: string, key: string): R1csCounts | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const { header } = readHeader(fd);
    if (header.key !== key) return undefined;
    return { numInputs: header.numInputs, numAux: header.numAux, numConstraints: header.numConstraints };
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/**
 * The R1CS in `path` (made for `key`), read asynchronously (stopped between two reads by `signal`). With
 * `shared`, its arrays live in SharedArrayBuffers, so posting it to worker threads shares it.
 */
export async function readR1csFile(
  path: string,
  key: string,
  shared = false,
  signal?: AbortSignal,
): Promise<R1cs> {
  const file = await open(path, 'r');
  try {
    const { header, start } = readHeader(file.fd);
    if (header.key !== key) throw new Error(`${path} holds the R1CS of ${header.key}, not ${key}`);
    let at = start;
    const take = async (bytes: number): Promise<Uint8Array> => {
      const out = new Uint8Array(shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
      for (let o = 0; o < bytes;) {
        signal?.throwIfAborted();
        const { bytesRead } = await file.read(out, o, Math.min(bytes - o, 1 << 26), at + o);
        if (bytesRead <= 0) throw new Error(`${path} cut short`);
        o += bytesRead;
      }
      at += pad8(bytes);
      return out;
    };
    const u32 = (b: Uint8Array): Uint32Array => new Uint32Array(b.buffer, b.byteOffset, b.byteLength / 4);
    const rows = header.numConstraints;
    const matrices: SparseMatrix[] = [];
    for (const m of header.matrices) {
      matrices.push({
        rowPtr: u32(await take(4 * (rows + 1))),
        cols: u32(await take(4 * m.terms)),
        coeffIds: u32(await take(4 * m.terms)),
        coeffTable: await take(FR_BYTES * m.coeffs),
      });
    }
    const [a, b, c] = matrices as [SparseMatrix, SparseMatrix, SparseMatrix];
    const r1cs: R1cs = {
      numInputs: header.numInputs,
      numAux: header.numAux,
      numConstraints: header.numConstraints,
      a,
      b,
      c,
    };
    if (header.densities) {
      const aAuxDensity = await take(header.numAux);
      const bInputDensity = await take(header.numInputs);
      setDensities(r1cs, { aAuxDensity, bInputDensity, bAuxDensity: await take(header.numAux) });
    }
    return r1cs;
  } finally {
    await file.close();
  }
}
