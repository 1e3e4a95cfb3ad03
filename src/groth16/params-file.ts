/**
 * bellperson's .params files, as they lie in FIL_PROOFS_PARAMETER_CACHE: the verifying key, then five
 * point sections, each a u32 BE count and uncompressed points: h, l, a (G1), b_g1 (G1), b_g2 (G2).
 *
 * Files reach 44 GiB (32GiB sectors), so nothing here holds a file or parses it into JS objects: the
 * layout is found by seeking over section headers, and sections stream in bounded chunks straight into
 * the backend's point tables.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readFile, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { POINT_BYTES, type Backend, type Group, type PointTable } from '../backends/backend.ts';
import {
  ParamsFormatError,
  VK_FIXED_BYTES,
  parseVerifyingKey,
  readIcCount,
  serializeVerifyingKey,
  vkByteLength,
  type VerifyingKey,
} from './verifying-key.ts';

export const SECTIONS = ['h', 'l', 'a', 'bG1', 'bG2'] as const;
export type SectionName = (typeof SECTIONS)[number];
export const SECTION_GROUP: Record<SectionName, Group> = { h: 'g1', l: 'g1', a: 'g1', bG1: 'g1', bG2: 'g2' };

export interface Section {
  /** Byte offset of the first point. */
  offset: number;
  count: number;
}

export interface ParamsLayout {
  path: string;
  size: number;
  mtimeMs: number;
  vk: VerifyingKey;
  sections: Record<SectionName, Section>;
}

/** Point bytes streamed per read: large enough to keep the disk busy, small beside any section. */
const CHUNK_POINTS = 1 << 18;

async function readExactly(fh: FileHandle, position: number, length: number, what: string): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buf, 0, length, position);
  if (bytesRead !== length)
    throw new ParamsFormatError(`truncated parameter file: ${what} ends past the end`);
  return buf;
}

/** Reads the verifying key and the section headers, checking that the sizes add up to the file's size. */
export async function readParamsLayout(path: string): Promise<ParamsLayout> {
  const st = await stat(path);
  const fh = await open(path, 'r');
  try {
    const head = await readExactly(fh, 0, VK_FIXED_BYTES, 'verifying key');
    const icCount = readIcCount(head);
    const vkBytes = await readExactly(fh, 0, vkByteLength(icCount), 'verifying key');
    const vk = parseVerifyingKey(vkBytes);
    let offset = vkBytes.length;
    const sections = {} as Record<SectionName, Section>;
    for (const name of SECTIONS) {
      const header = await readExactly(fh, offset, 4, `section ${name} header`);
      const count = header.readUInt32BE(0);
      offset += 4;
      sections[name] = { offset, count };
      offset += count * POINT_BYTES[SECTION_GROUP[name]];
      if (offset > st.size) {
        throw new ParamsFormatError(
          `truncated parameter file: section ${name} needs ${offset} bytes, file has ${st.size}`,
        );
      }
    }
    if (offset !== st.size) {
      throw new ParamsFormatError(`parameter file has ${st.size - offset} bytes after its last section`);
    }
    return { path, size: st.size, mtimeMs: st.mtimeMs, vk, sections };
  } finally {
    await fh.close();
  }
}

/** Streams one section into a new backend table; `validate` checks every point (curve and subgroup). */
export async function loadSection(
  backend: Backend,
  layout: ParamsLayout,
  name: SectionName,
  validate: boolean,
): Promise<PointTable> {
  const { offset, count } = layout.sections[name];
  const group = SECTION_GROUP[name];
  const table = backend.newTable(group, count);
  const fh = await open(layout.path, 'r');
  try {
    const chunk = Buffer.alloc(Math.min(count, CHUNK_POINTS) * POINT_BYTES[group]);
    for (let done = 0; done < count;) {
      const n = Math.min(CHUNK_POINTS, count - done);
      const len = n * POINT_BYTES[group];
      const { bytesRead } = await fh.read(chunk, 0, len, offset + done * POINT_BYTES[group]);
      if (bytesRead !== len) throw new ParamsFormatError(`truncated parameter file in section ${name}`);
      try {
        await backend.appendPoints(table, chunk.subarray(0, len), validate);
      } catch (e) {
        throw new ParamsFormatError(
          `corrupt parameter file ${layout.path}: section ${name}, points ${done}..${done + n}: ${(e as Error).message}`,
        );
      }
      done += n;
    }
    return table;
  } catch (e) {
    backend.freeTable(table);
    throw e;
  } finally {
    await fh.close();
  }
}

/** filecoin-proofs' parameters.json digest: the first 32 hex characters of the file's BLAKE2b-512. */
export async function paramsDigest(path: string): Promise<string> {
  const hash = createHash('blake2b512');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 22 })) hash.update(chunk as Buffer);
  return hash.digest('hex').slice(0, 32);
}

/** A section to write: its point count and its uncompressed points, whole or in chunks. */
export interface SectionSource {
  count: number;
  chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>;
}

export async function writeParams(
  path: string,
  vk: VerifyingKey,
  sections: Record<SectionName, SectionSource>,
): Promise<void> {
  const fh = await open(path, 'w');
  try {
    await fh.write(serializeVerifyingKey(vk));
    for (const name of SECTIONS) {
      const { count, chunks } = sections[name];
      const header = Buffer.alloc(4);
      header.writeUInt32BE(count, 0);
      await fh.write(header);
      let written = 0;
      for await (const chunk of chunks) {
        await fh.write(chunk);
        written += chunk.length;
      }
      const expected = count * POINT_BYTES[SECTION_GROUP[name]];
      if (written !== expected)
        throw new Error(`section ${name}: wrote ${written} bytes, expected ${expected}`);
    }
  } finally {
    await fh.close();
  }
}

export async function writeVerifyingKey(path: string, vk: VerifyingKey): Promise<void> {
  await writeFile(path, serializeVerifyingKey(vk));
}

/** A .vk file: the verifying key alone, exactly as at the head of its .params file. */
export async function readVerifyingKeyFile(path: string): Promise<VerifyingKey> {
  const bytes = new Uint8Array(await readFile(path));
  const vk = parseVerifyingKey(bytes);
  if (bytes.length !== vkByteLength(vk.ic.length)) {
    throw new ParamsFormatError(`${path}: ${bytes.length - vkByteLength(vk.ic.length)} bytes after the key`);
  }
  return vk;
}
