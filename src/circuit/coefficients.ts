/**
 * The distinct coefficients of a circuit, interned: PoRep circuits use about 1,500 distinct values over
 * hundreds of millions of terms, so a term stores the id of its coefficient in this table.
 */
import { FR_BYTES, FR_MODULUS, frToBytes } from '../shared/fr.ts';
import type { FrVector } from '../shared/fr-vector.ts';

const HALF = FR_MODULUS >> 1n;
const MINUS_ONE = FR_MODULUS - 1n;

/**
 * A cheap Map key for a coefficient. V8 hashes a BigInt by its lowest 64-bit digit only, so the powers of two
 * above 2^64 (every bit-packing LC has them) all fall into one hash bucket and a Map<bigint> lookup becomes a
 * linear scan. The double nearest to c (or to -(P - c) for the "negative" half) keeps the top 53 significant
 * bits instead: distinct for powers of two, small values and their negations, and for random field
 * elements; a rare collision is caught by comparing with the interned value.
 */
function coeffKey(c: bigint): number {
  return c > HALF ? -1 - Number(FR_MODULUS - c) : Number(c);
}

export class CoefficientTable {
  /** Distinct coefficients, in order of first use. */
  readonly values: bigint[] = [];
  /** coeffKey(c) → id of the first coefficient interned under that key. */
  private readonly byKey = new Map<number, number>();
  /** Exact index, only consulted when two coefficients share a key. */
  private readonly exact = new Map<bigint, number>();

  /** The ids of 1 and -1 once interned: most terms' coefficients, spared the key's BigInt arithmetic. */
  private one = -1;
  private minusOne = -1;

  /** The id of `c` (in [0, P)), interning it on first use. */
  id(c: bigint): number {
    if (c === 1n) return this.one >= 0 ? this.one : (this.one = this.keyed(c));
    if (c === MINUS_ONE) return this.minusOne >= 0 ? this.minusOne : (this.minusOne = this.keyed(c));
    return this.keyed(c);
  }

  private keyed(c: bigint): number {
    const key = coeffKey(c);
    const id = this.byKey.get(key);
    if (id !== undefined && this.values[id] === c) return id;
    return this.idSlow(c, key, id);
  }

  private idSlow(c: bigint, key: number, keyed: number | undefined): number {
    let id = this.exact.get(c);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(c);
      this.exact.set(c, id);
      if (keyed === undefined) this.byKey.set(key, id);
    }
    return id;
  }

  /** The table as the R1cs holds it. */
  toBytes(): FrVector {
    const out = new Uint8Array(this.values.length * FR_BYTES);
    this.values.forEach((c, i) => frToBytes(c, out, i * FR_BYTES));
    return out;
  }
}
