/**
 * Circuit structures kept in memory between jobs, one per sector size: a shape's later jobs neither read
 * its file again (7 GB at 32GiB) nor hand a GPU backend a new object, so the copy it placed on the GPU
 * for the last job (recent.ts, keyed by the structure) serves the next one without an upload.
 *
 * The runner counts an idle structure as held memory, and evicts it before parameters when a job needs
 * the room: reading it back costs seconds, loading parameters minutes. A structure in use is part of its
 * job's working set, as it was before it was kept.
 */
import { r1csBytes, type R1cs } from '../shared/r1cs.ts';

export interface StructureLease {
  readonly r1cs: R1cs;
  /** The job is done with it; once no job uses it, it is idle (kept, and evictable). */
  release(): void;
}

interface Held {
  shape: string;
  sectorSize: number;
  r1cs: R1cs;
  bytes: number;
  users: number;
  lastUsed: number;
  /** Jobs that found it here. */
  hits: number;
}

export class StructureKeeper {
  readonly #held = new Map<string, Held>();

  /**
   * The kept structure of `shape`, in use until released; undefined when none is kept. A miss lets go of
   * the size's idle structure of another shape: the job brings its own, and one a size is all the
   * runner's memory budget counts on.
   */
  acquire(shape: string, sectorSize: number): StructureLease | undefined {
    const h = this.#held.get(shape);
    if (!h) {
      this.#dropIdle((x) => x.sectorSize === sectorSize);
      return undefined;
    }
    h.hits++;
    return this.#lease(h);
  }

  /**
   * Keeps `r1cs` as `shape`'s structure (replacing the one kept, which its jobs still hold until they
   * release it), in use until released.
   */
  hold(shape: string, sectorSize: number, r1cs: R1cs): StructureLease {
    const old = this.#held.get(shape);
    if (old?.r1cs === r1cs) return this.#lease(old);
    this.#dropIdle((x) => x.sectorSize === sectorSize && x.shape !== shape);
    const h: Held = {
      shape,
      sectorSize,
      r1cs,
      bytes: r1csBytes(r1cs),
      users: 0,
      lastUsed: Date.now(),
      hits: 0,
    };
    this.#held.set(shape, h);
    return this.#lease(h);
  }

  /** Stops keeping `shape`'s structure (damaged, or a proof made with it was rejected). */
  forget(shape: string): void {
    this.#held.delete(shape);
  }

  /** Bytes of structures no job uses (of `sectorSize` only, when given). */
  idleBytes(sectorSize?: number): number {
    let n = 0;
    for (const h of this.#held.values())
      if (h.users === 0 && (sectorSize === undefined || h.sectorSize === sectorSize)) n += h.bytes;
    return n;
  }

  /**
   * Lets go of idle structures of other sizes than `keep`, least recently used first, until `bytes` are
   * freed; returns the bytes still wanted.
   */
  evictIdle(bytes: number, keep?: number): number {
    const idle = [...this.#held.values()]
      .filter((h) => h.users === 0 && h.sectorSize !== keep)
      .sort((a, b) => a.lastUsed - b.lastUsed);
    for (const h of idle) {
      if (bytes <= 0) break;
      this.#held.delete(h.shape);
      bytes -= h.bytes;
    }
    return Math.max(0, bytes);
  }

  /** What is kept, for /readyz. */
  status(): { sectorSize: number; bytes: number; inUse: number; hits: number }[] {
    return [...this.#held.values()].map((h) => ({
      sectorSize: h.sectorSize,
      bytes: h.bytes,
      inUse: h.users,
      hits: h.hits,
    }));
  }

  heldBytes(): number {
    let n = 0;
    for (const h of this.#held.values()) n += h.bytes;
    return n;
  }

  clear(): void {
    this.#held.clear();
  }

  #dropIdle(which: (h: Held) => boolean): void {
    for (const h of [...this.#held.values()]) if (h.users === 0 && which(h)) this.#held.delete(h.shape);
  }

  #lease(h: Held): StructureLease {
    h.users++;
    let released = false;
    return {
      r1cs: h.r1cs,
      release: () => {
        if (released) return;
        released = true;
        h.users--;
        h.lastUsed = Date.now();
      },
    };
  }
}
