/**
 * The GPU code an ELF shared object carries, as nvcc lays it out: the `.nv_fatbin` section holds one fat
 * binary per compiled file (magic 0xBA55ED50, a 16-byte header), each a run of entries, PTX (kind 1) or
 * SASS, a cubin ELF (kind 2), for one architecture, zstd-compressed where its flags say so. Read to check
 * what the addon will find on a GPU, which no test here can load.
 */
import { zstdDecompressSync } from 'node:zlib';

const FATBIN_MAGIC = 0xba55ed50;
// entry flags: how the payload is compressed (CUDA 13's nvcc compresses PTX with zstd by default)
const LZ4 = 0x2000n;
const ZSTD = 0x8000n;

export interface FatbinEntry {
  kind: 'ptx' | 'sass';
  /** sm_XX / compute_XX as the number XX */
  arch: number;
  /** PTX: its `.entry` kernels; SASS: the functions that have code (`.text.NAME` sections) */
  functions: Set<string>;
}

/** Section name -> contents of a little-endian ELF64 file. */
export function elfSections(file: Buffer): Map<string, Buffer> {
  if (file.readUInt32BE(0) !== 0x7f454c46 || file[4] !== 2 || file[5] !== 1)
    throw new Error('not a little-endian ELF64 file');
  const shoff = Number(file.readBigUInt64LE(0x28));
  const [shentsize, shnum, shstrndx] = [
    file.readUInt16LE(0x3a),
    file.readUInt16LE(0x3c),
    file.readUInt16LE(0x3e),
  ];
  const header = (i: number) => {
    const o = shoff + i * shentsize;
    return {
      name: file.readUInt32LE(o),
      offset: Number(file.readBigUInt64LE(o + 24)),
      size: Number(file.readBigUInt64LE(o + 32)),
    };
  };
  const strtab = header(shstrndx);
  const out = new Map<string, Buffer>();
  for (let i = 0; i < shnum; i++) {
    const h = header(i);
    const at = strtab.offset + h.name;
    const name = file.toString('latin1', at, file.indexOf(0, at));
    out.set(name, file.subarray(h.offset, h.offset + h.size));
  }
  return out;
}

function functionsOf(kind: FatbinEntry['kind'], payload: Buffer): Set<string> {
  if (kind === 'ptx') {
    return new Set([...payload.toString('latin1').matchAll(/\.entry\s+([\w$]+)/g)].map((m) => m[1]!));
  }
  return new Set(
    [...elfSections(payload).keys()]
      .filter((n) => n.startsWith('.text.'))
      .map((n) => n.slice('.text.'.length)),
  );
}

/** The fat binaries of an ELF file, one list of entries per compiled file; [] where it has none. */
export function fatbins(file: Buffer): FatbinEntry[][] {
  const section = elfSections(file).get('.nv_fatbin');
  if (!section) return [];
  const out: FatbinEntry[][] = [];
  for (let o = 0; o + 16 <= section.length;) {
    if (section.readUInt32LE(o) !== FATBIN_MAGIC) {
      o += 8; // blobs are 8-byte aligned, padding between them
      continue;
    }
    const headerSize = section.readUInt16LE(o + 6);
    const end = o + headerSize + Number(section.readBigUInt64LE(o + 8));
    const entries: FatbinEntry[] = [];
    for (let p = o + headerSize; p < end;) {
      const kindCode = section.readUInt16LE(p);
      const entryHeader = section.readUInt32LE(p + 4);
      const size = Number(section.readBigUInt64LE(p + 8));
      const compressedSize = section.readUInt32LE(p + 16);
      const arch = section.readUInt32LE(p + 28);
      const flags = section.readBigUInt64LE(p + 40);
      if (kindCode !== 1 && kindCode !== 2) throw new Error(`fatbin entry of unknown kind ${kindCode}`);
      let payload = section.subarray(p + entryHeader, p + entryHeader + size);
      if (flags & ZSTD) payload = zstdDecompressSync(payload.subarray(0, compressedSize));
      else if (flags & LZ4)
        throw new Error(`fatbin entry for ${arch} is LZ4-compressed, which this reader does not read`);
      const kind = kindCode === 1 ? 'ptx' : 'sass';
      entries.push({ kind, arch, functions: functionsOf(kind, payload) });
      p += entryHeader + size;
    }
    out.push(entries);
    o = end;
  }
  return out;
}
