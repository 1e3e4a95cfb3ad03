/**
 * Every backend kernel in plain TypeScript on @noble/curves and bigint Fr arithmetic: slow, and written to be
 * obviously correct rather than fast, so tests can hold the native and GPU backends against it.
 * The quotient follows bellperson's EvaluationDomain step by step (ifft, coset fft, a*b - c, divide by
 * Z on the coset, icoset fft).
 */
import { bls12_381 } from '@noble/curves/bls12-381.js';
import {
  POINT_BYTES,
  type FullBackend,
  type Group,
  type NttDirection,
  type PointTable,
} from '../../src/backends/backend.ts';
import { FR_BYTES, FR_MODULUS, frFromBytes, frInv, frPow, mod } from '../../src/shared/fr.ts';
import { frValues, frVector, type FrVector } from '../../src/shared/fr-vector.ts';
import type { SparseMatrix, R1cs } from '../../src/shared/r1cs.ts';
import { type Scalars, isCompact } from '../../src/shared/compact-witness.ts';
import { expandWitness } from '../../src/groth16/witness.ts';

/** Scalars as 32 bytes a value: a compact witness expanded by the plain JS loop. */
function bytesOf(s: Scalars): FrVector {
  return isCompact(s) ? expandWitness(s) : s;
}

const G1 = bls12_381.G1.Point;
const G2 = bls12_381.G2.Point;
const { Fp, Fp2 } = bls12_381.fields;
type AnyPoint = InstanceType<typeof G1> | InstanceType<typeof G2>;

/** Fr's two-adicity and bellperson's generators. */
export const FR_S = 32;
export const FR_GENERATOR = 7n;
export const FR_ROOT_OF_UNITY = frPow(FR_GENERATOR, (FR_MODULUS - 1n) >> BigInt(FR_S));

/** The primitive m-th root of unity bellperson uses for a domain of size m = 2^logM. */
export function domainOmega(logM: number): bigint {
  let w = FR_ROOT_OF_UNITY;
  for (let i = logM; i < FR_S; i++) w = (w * w) % FR_MODULUS;
  return w;
}

function bytesToBigint(b: Uint8Array): bigint {
  let v = 0n;
  for (const x of b) v = (v << 8n) | BigInt(x);
  return v;
}

function fpOf(b: Uint8Array, what: string): bigint {
  const v = bytesToBigint(b);
  if (v >= Fp.ORDER) throw new RangeError(`${what}: coordinate not below p`);
  return v;
}

/**
 * Decodes an uncompressed point: flags, coordinates below p, on the curve; with `subgroup` also the
 * prime-order subgroup. Throws a RangeError saying what is wrong.
 */
export function decodePoint(group: Group, bytes: Uint8Array, subgroup: boolean): AnyPoint {
  const size = POINT_BYTES[group];
  if (bytes.length !== size) throw new RangeError(`${group} point must be ${size} bytes`);
  const flags = bytes[0]! & 0xe0;
  if (flags & 0x80) throw new RangeError('has a bad encoding (compressed flag)');
  const body = bytes.slice();
  body[0]! &= 0x1f;
  if (flags & 0x40) {
    if (flags & 0x20 || body.some((x) => x !== 0))
      throw new RangeError('has a bad encoding (infinity with data)');
    return group === 'g1' ? G1.ZERO : G2.ZERO;
  }
  if (flags & 0x20) throw new RangeError('has a bad encoding (sort flag on an uncompressed point)');
  let p: AnyPoint;
  if (group === 'g1') {
    const x = fpOf(body.subarray(0, 48), 'x');
    const y = fpOf(body.subarray(48, 96), 'y');
    const rhs = Fp.add(Fp.mul(Fp.sqr(x), x), 4n);
    if (!Fp.eql(Fp.sqr(y), rhs)) throw new RangeError('is not on the curve');
    p = G1.fromAffine({ x, y });
  } else {
    const x = { c1: fpOf(body.subarray(0, 48), 'x.c1'), c0: fpOf(body.subarray(48, 96), 'x.c0') };
    const y = { c1: fpOf(body.subarray(96, 144), 'y.c1'), c0: fpOf(body.subarray(144, 192), 'y.c0') };
    const rhs = Fp2.add(Fp2.mul(Fp2.sqr(x), x), { c0: 4n, c1: 4n });
    if (!Fp2.eql(Fp2.sqr(y), rhs)) throw new RangeError('is not on the curve');
    p = G2.fromAffine({ x, y });
  }
  if (subgroup && !p.isTorsionFree()) throw new RangeError('is not in the prime-order subgroup');
  return p;
}

function zero(group: Group): AnyPoint {
  return group === 'g1' ? G1.ZERO : G2.ZERO;
}

function add(a: AnyPoint, b: AnyPoint): AnyPoint {
  return (a as InstanceType<typeof G1>).add(b as InstanceType<typeof G1>);
}

/** Uncompressed encoding; any representation of the identity becomes 0x40 and zeros. */
export function encodePoint(group: Group, p: AnyPoint): Uint8Array {
  return (p.is0() ? zero(group) : p).toBytes(false);
}

function mul(p: AnyPoint, k: bigint): AnyPoint {
  if (k === 0n || p.is0()) return p.multiplyUnsafe(0n);
  return p.multiplyUnsafe(k);
}

class RefTable implements PointTable {
  readonly group: Group;
  points: AnyPoint[] = [];
  constructor(group: Group) {
    this.group = group;
  }
  get length(): number {
    return this.points.length;
  }
}

function ref(table: PointTable): RefTable {
  if (!(table instanceof RefTable)) throw new TypeError('table was not created by the reference backend');
  return table;
}

function bitReverse(a: bigint[]): void {
  const n = a.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) [a[i], a[j]] = [a[j]!, a[i]!];
  }
}

/** In-place radix-2 transform: a[k] <- sum_j a[j] * omega^(jk). */
export function nttBigint(a: bigint[], omega: bigint): void {
  const n = a.length;
  bitReverse(a);
  for (let len = 2; len <= n; len <<= 1) {
    const wLen = frPow(omega, BigInt(n / len));
    for (let i = 0; i < n; i += len) {
      let w = 1n;
      for (let j = 0; j < len / 2; j++) {
        const u = a[i + j]!;
        const v = (a[i + j + len / 2]! * w) % FR_MODULUS;
        a[i + j] = (u + v) % FR_MODULUS;
        a[i + j + len / 2] = mod(u - v);
        w = (w * wLen) % FR_MODULUS;
      }
    }
  }
}

function log2Exact(n: number): number {
  const l = Math.log2(n);
  if (!Number.isInteger(l)) throw new RangeError(`NTT size ${n} is not a power of two`);
  if (l > FR_S) throw new RangeError(`NTT size 2^${l} exceeds 2^${FR_S}`);
  return l;
}

/** bellperson's ifft: transform with omega^-1, then scale by 1/m. */
function ifft(a: bigint[], omega: bigint): void {
  nttBigint(a, frInv(omega));
  const minv = frInv(BigInt(a.length));
  for (let i = 0; i < a.length; i++) a[i] = (a[i]! * minv) % FR_MODULUS;
}

function distributePowers(a: bigint[], g: bigint): void {
  let u = 1n;
  for (let i = 0; i < a.length; i++) {
    a[i] = (a[i]! * u) % FR_MODULUS;
    u = (u * g) % FR_MODULUS;
  }
}

function scalarArg(b: Uint8Array, what: string): bigint {
  if (b.length !== FR_BYTES) throw new RangeError(`${what}: expected ${FR_BYTES} bytes`);
  return frFromBytes(b);
}

function checkCsr(m: SparseMatrix, numCols: number, tableLen: number): number {
  const rows = m.rowPtr.length - 1;
  if (rows < 0) throw new RangeError('rowPtr must hold rows + 1 offsets');
  const terms = m.rowPtr[rows]!;
  if (m.rowPtr[0] !== 0 || terms > m.cols.length || terms > m.coeffIds.length) {
    throw new RangeError('rowPtr must run from 0 to at most the term count');
  }
  for (let r = 0; r < rows; r++)
    if (m.rowPtr[r]! > m.rowPtr[r + 1]!) throw new RangeError(`rowPtr decreases at row ${r}`);
  for (let k = 0; k < terms; k++) {
    if (m.cols[k]! >= numCols) throw new RangeError(`term ${k} names column ${m.cols[k]} of ${numCols}`);
    if (m.coeffIds[k]! >= tableLen)
      throw new RangeError(`term ${k} names coefficient ${m.coeffIds[k]} of ${tableLen}`);
  }
  return rows;
}

export function createReferenceBackend(): FullBackend {
  return {
    name: 'reference (TypeScript, @noble/curves)',

    newTable(group: Group, _capacity: number): PointTable {
      return new RefTable(group);
    },

    async appendPoints(table: PointTable, bytes: Uint8Array, validate: boolean): Promise<void> {
      const t = ref(table);
      const size = POINT_BYTES[t.group];
      if (bytes.length % size !== 0)
        throw new RangeError(`${bytes.length} bytes is not a whole number of ${t.group} points`);
      const decoded: AnyPoint[] = [];
      for (let i = 0; i < bytes.length / size; i++) {
        try {
          decoded.push(decodePoint(t.group, bytes.subarray(i * size, (i + 1) * size), validate));
        } catch (e) {
          throw new RangeError(
            `${t.group} point at index ${i} of the appended bytes (table index ${t.points.length + i}) ${(e as Error).message}`,
            { cause: e },
          );
        }
      }
      t.points.push(...decoded);
    },

    freeTable(table: PointTable): void {
      ref(table).points = [];
    },

    async msm(table: PointTable, start: number, scalars: Scalars, density?: Uint8Array): Promise<Uint8Array> {
      const t = ref(table);
      const s = frValues(bytesOf(scalars));
      if (density && density.length !== s.length)
        throw new RangeError('density map does not match the scalars');
      let acc = zero(t.group);
      let k = start;
      for (let i = 0; i < s.length; i++) {
        if (density && density[i] === 0) continue;
        const base = t.points[k++];
        if (!base) throw new RangeError(`msm reads base ${k - 1} but the table holds ${t.points.length}`);
        if (s[i] === 1n) acc = add(acc, base);
        else if (s[i] !== 0n) acc = add(acc, mul(base, s[i]!));
      }
      return encodePoint(t.group, acc);
    },

    async fixedBaseMul(group: Group, base: Uint8Array, scalars: FrVector): Promise<Uint8Array> {
      const b = decodePoint(group, base, true);
      const size = POINT_BYTES[group];
      const s = frValues(scalars);
      const out = new Uint8Array(s.length * size);
      s.forEach((k, i) => out.set(encodePoint(group, mul(b, k)), i * size));
      return out;
    },

    async quotient(a: FrVector, b: FrVector, c: FrVector): Promise<FrVector> {
      if (a.length !== b.length || a.length !== c.length) throw new RangeError('a, b, c differ in length');
      const n = a.length / FR_BYTES;
      let m = 1;
      while (m < n) m *= 2;
      const omega = domainOmega(log2Exact(m));
      const pad = (v: FrVector): bigint[] => {
        const x = frValues(v);
        while (x.length < m) x.push(0n);
        return x;
      };
      const [pa, pb, pc] = [pad(a), pad(b), pad(c)];
      for (const v of [pa, pb, pc]) {
        ifft(v, omega);
        distributePowers(v, FR_GENERATOR); // coset_fft
        nttBigint(v, omega);
      }
      const zInv = frInv(frPow(FR_GENERATOR, BigInt(m)) - 1n);
      for (let i = 0; i < m; i++) pa[i] = mod((pa[i]! * pb[i]! - pc[i]!) * zInv);
      ifft(pa, omega); // icoset_fft
      distributePowers(pa, frInv(FR_GENERATOR));
      return frVector(pa.slice(0, m - 1));
    },

    async ntt(values: FrVector, direction: NttDirection): Promise<void> {
      const a = frValues(values);
      if (a.length === 0) return;
      const omega = domainOmega(log2Exact(a.length));
      if (direction === 'inverse') ifft(a, omega);
      else nttBigint(a, omega);
      frVector(a, values);
    },

    async sparseMul(m: SparseMatrix, vec: FrVector): Promise<FrVector> {
      const table = frValues(m.coeffTable);
      const v = frValues(vec);
      const rows = checkCsr(m, v.length, table.length);
      const out: bigint[] = [];
      for (let r = 0; r < rows; r++) {
        let acc = 0n;
        for (let k = m.rowPtr[r]!; k < m.rowPtr[r + 1]!; k++) acc += table[m.coeffIds[k]!]! * v[m.cols[k]!]!;
        out.push(mod(acc));
      }
      return frVector(out);
    },

    async evaluateR1cs(r1cs: R1cs, inputs: FrVector, aux: FrVector) {
      const ins = frValues(inputs);
      const vars = [...ins, ...frValues(aux)];
      const evaluate = (m: SparseMatrix): bigint[] => {
        const table = frValues(m.coeffTable);
        const rows = checkCsr(m, vars.length, table.length);
        if (rows !== r1cs.numConstraints)
          throw new RangeError(`matrix has ${rows} rows, not ${r1cs.numConstraints}`);
        const out: bigint[] = [];
        for (let r = 0; r < rows; r++) {
          let acc = 0n;
          for (let k = m.rowPtr[r]!; k < m.rowPtr[r + 1]!; k++)
            acc += table[m.coeffIds[k]!]! * vars[m.cols[k]!]!;
          out.push(mod(acc));
        }
        return out;
      };
      const zeros = ins.map(() => 0n);
      return {
        a: frVector([...evaluate(r1cs.a), ...ins]),
        b: frVector([...evaluate(r1cs.b), ...zeros]),
        c: frVector([...evaluate(r1cs.c), ...zeros]),
      };
    },

    async quotientR1cs(r1cs: R1cs, inputs: FrVector, aux: Scalars): Promise<FrVector> {
      // the definition itself: the quotient of the evaluations
      const { a, b, c } = await this.evaluateR1cs(r1cs, inputs, bytesOf(aux));
      return this.quotient(a, b, c);
    },

    async sparseMulTransposed(m: SparseMatrix, vec: FrVector, numCols: number): Promise<FrVector> {
      const table = frValues(m.coeffTable);
      const v = frValues(vec);
      const rows = checkCsr(m, numCols, table.length);
      if (v.length < rows) throw new RangeError(`vec has ${v.length} entries for ${rows} rows`);
      const out = new Array<bigint>(numCols).fill(0n);
      for (let r = 0; r < rows; r++) {
        for (let k = m.rowPtr[r]!; k < m.rowPtr[r + 1]!; k++) {
          const c = m.cols[k]!;
          out[c] = out[c]! + table[m.coeffIds[k]!]! * v[r]!;
        }
      }
      return frVector(out.map(mod));
    },

    async linearCombine(
      a: FrVector,
      x: Uint8Array,
      b: FrVector,
      y: Uint8Array,
      z: FrVector,
      w: Uint8Array,
    ): Promise<FrVector> {
      if (a.length !== b.length || a.length !== z.length)
        throw new RangeError('linearCombine: lengths differ');
      const [xs, ys, ws] = [scalarArg(x, 'x'), scalarArg(y, 'y'), scalarArg(w, 'w')];
      const [va, vb, vz] = [frValues(a), frValues(b), frValues(z)];
      return frVector(va.map((ai, i) => mod((ai * xs + vb[i]! * ys + vz[i]!) * ws)));
    },

    async powers(base: Uint8Array, n: number, scale: Uint8Array): Promise<FrVector> {
      const b = scalarArg(base, 'base');
      let u = scalarArg(scale, 'scale');
      const out: bigint[] = [];
      for (let i = 0; i < n; i++) {
        out.push(u);
        u = (u * b) % FR_MODULUS;
      }
      return frVector(out);
    },
  };
}
