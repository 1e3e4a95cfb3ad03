/**
 * Digests of a synthesized circuit in the reference oracle's format (test/reference/FORMATS.md §3), so that
 * our synthesis is compared with rust-fil-proofs' constraint by constraint, whole and per namespace.
 */
import { createHash, type Hash } from 'node:crypto';
import { FR_BYTES, frToBytes } from '../shared/fr.ts';
import { frVector } from '../shared/fr-vector.ts';
import type { R1cs } from '../shared/r1cs.ts';
import { AUX } from './lc.ts';
import type { SynthesisCs } from './synthesis-cs.ts';

export interface NamespaceDigest {
  path: string;
  depth: number;
  entered: number;
  constraints: number;
  aux: number;
  inputs: number;
  constraints_sha256: string;
  aux_sha256: string;
}

export interface CircuitDigest {
  inputs: number;
  aux: number;
  constraints: number;
  constraints_sha256: string;
  witness_sha256: string;
  public_inputs: string[];
  namespaces: NamespaceDigest[];
}

const CHUNK = 1 << 22;

/** One matrix's rows and coefficient table, over one variable numbering (ConstraintEncoder's `auxFrom`). */
interface Rows {
  rowPtr: Uint32Array;
  vars: Uint32Array;
  coeffIds: Uint32Array;
  coeffBytes: Uint8Array;
}

/** Streams the oracle's byte encoding of constraints [from, to) into `sinks`. */
class ConstraintEncoder {
  private readonly buf = Buffer.alloc(CHUNK + 64 * 1024);
  private readonly view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);

  private readonly matrices: readonly Rows[];
  /** variables from here on are aux (index - auxFrom), those below inputs */
  private readonly auxFrom: number;

  constructor(matrices: readonly Rows[], auxFrom: number) {
    this.matrices = matrices;
    this.auxFrom = auxFrom;
  }

  /** A synthesis' rows: variables tagged by lc.ts. */
  static of(cs: SynthesisCs): ConstraintEncoder {
    const coeffBytes = frVector(cs.coeffs);
    return new ConstraintEncoder(
      (['a', 'b', 'c'] as const).map((w) => ({ ...cs.matrix(w), coeffBytes })),
      AUX,
    );
  }

  /** An R1cs's rows: inputs, then aux. */
  static ofR1cs(r: R1cs): ConstraintEncoder {
    return new ConstraintEncoder(
      [r.a, r.b, r.c].map((m) => ({
        rowPtr: m.rowPtr,
        vars: m.cols,
        coeffIds: m.coeffIds,
        coeffBytes: m.coeffTable,
      })),
      r.numInputs,
    );
  }

  encode(from: number, to: number, sinks: readonly Hash[]): void {
    let o = 0;
    const flush = (): void => {
      const bytes = this.buf.subarray(0, o);
      for (const h of sinks) h.update(bytes);
      o = 0;
    };
    for (let r = from; r < to; r++) {
      for (const m of this.matrices) {
        const start = m.rowPtr[r]!;
        const end = m.rowPtr[r + 1]!;
        if (o + 4 + (end - start) * 37 > CHUNK) flush();
        if (4 + (end - start) * 37 > this.buf.length)
          throw new Error('linear combination too large to encode');
        this.view.setUint32(o, end - start, true);
        o += 4;
        for (let t = start; t < end; t++) {
          const v = m.vars[t]!;
          if (v >= this.auxFrom) {
            this.buf[o] = 1;
            this.view.setUint32(o + 1, v - this.auxFrom, true);
          } else {
            this.buf[o] = 0;
            this.view.setUint32(o + 1, v, true);
          }
          const id = m.coeffIds[t]!;
          this.buf.set(m.coeffBytes.subarray(id * FR_BYTES, (id + 1) * FR_BYTES), o + 5);
          o += 37;
        }
      }
    }
    flush();
  }
}

/** Counts and SHA-256 digests of a synthesized circuit, whole and per recorded namespace. */
export function digestCircuit(cs: SynthesisCs): CircuitDigest {
  const encoder = ConstraintEncoder.of(cs);
  const aux = cs.auxValues();
  const whole = createHash('sha256');

  interface Acc {
    entered: number;
    constraints: number;
    aux: number;
    inputs: number;
    ch: Hash;
    ah: Hash;
  }
  const acc: Acc[] = cs.paths.map(() => ({
    entered: 0,
    constraints: 0,
    aux: 0,
    inputs: 0,
    ch: createHash('sha256'),
    ah: createHash('sha256'),
  }));
  const order: number[] = [];
  const stack: number[] = [];
  let last = { constraints: 0, aux: 0, inputs: 1 };

  const advance = (to: { constraints: number; aux: number; inputs: number }): void => {
    const sinks = stack.map((p) => acc[p]!.ch);
    sinks.push(whole);
    encoder.encode(last.constraints, to.constraints, sinks);
    const auxBytes = aux.subarray(last.aux * FR_BYTES, to.aux * FR_BYTES);
    for (const p of stack) {
      const a = acc[p]!;
      a.constraints += to.constraints - last.constraints;
      a.aux += to.aux - last.aux;
      a.inputs += to.inputs - last.inputs;
      if (auxBytes.length) a.ah.update(auxBytes);
    }
    last = { constraints: to.constraints, aux: to.aux, inputs: to.inputs };
  };

  for (const e of cs.events) {
    advance(e);
    if (e.path >= 0) {
      if (acc[e.path]!.entered++ === 0) order.push(e.path);
      stack.push(e.path);
    } else stack.pop();
  }
  advance({ constraints: cs.numConstraints, aux: cs.numAux, inputs: cs.inputs.length });

  const witness = createHash('sha256');
  const fr = new Uint8Array(FR_BYTES);
  for (const x of cs.inputs) {
    fr.fill(0);
    frToBytes(x, fr, 0);
    witness.update(fr);
  }
  witness.update(aux);

  const hex = (x: bigint): string => Buffer.from(frToBytes(x)).toString('hex');
  return {
    inputs: cs.inputs.length,
    aux: cs.numAux,
    constraints: cs.numConstraints,
    constraints_sha256: whole.digest('hex'),
    witness_sha256: witness.digest('hex'),
    public_inputs: cs.inputs.slice(1).map(hex),
    namespaces: order.map((p) => {
      const a = acc[p]!;
      const path = cs.paths[p]!;
      return {
        path,
        depth: path.split('/').length,
        entered: a.entered,
        constraints: a.constraints,
        aux: a.aux,
        inputs: a.inputs,
        constraints_sha256: a.ch.digest('hex'),
        aux_sha256: a.ah.digest('hex'),
      };
    }),
  };
}

/** The oracle's digest of an R1cs's constraints (its `constraints_sha256`, the implied input constraints not included). */
export function constraintsDigest(r1cs: R1cs): string {
  const h = createHash('sha256');
  ConstraintEncoder.ofR1cs(r1cs).encode(0, r1cs.numConstraints, [h]);
  return h.digest('hex');
}
