/**
 * What a GPU backend keeps on the device for the few most recently used host objects (an R1CS structure
 * a job's partitions share): weakly keyed, so no host object outlives its job here, and at most `keep`
 * of them held; the least recently used beyond them is dropped (its device copy freed), its entry kept
 * so a later use places it again.
 */

/**
 * Structures kept on a GPU at once: a job's partitions share one, and a second covers a job of another
 * size beside it.
 */
export const RESIDENT_STRUCTURES = 2;

export class RecentlyUsed<K extends object, V> {
  readonly #entries = new WeakMap<K, V>();
  /** newest last */
  readonly #order: V[] = [];
  readonly #keep: number;
  readonly #make: () => V;
  readonly #drop: (value: V) => void;

  constructor(keep: number, make: () => V, drop: (value: V) => void) {
    this.#keep = keep;
    this.#make = make;
    this.#drop = drop;
  }

  /** key's value, made on first use, now the most recent; the oldest beyond `keep` dropped. */
  use(key: K): V {
    let v = this.#entries.get(key);
    if (v === undefined) {
      v = this.#make();
      this.#entries.set(key, v);
    }
    const at = this.#order.indexOf(v);
    if (at >= 0) this.#order.splice(at, 1);
    this.#order.push(v);
    while (this.#order.length > this.#keep) this.#drop(this.#order.shift()!);
    return v;
  }

  /** key's value without using it; undefined if it never was. */
  peek(key: K): V | undefined {
    return this.#entries.get(key);
  }
}
