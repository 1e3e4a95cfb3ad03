/// <reference types="@webgpu/types" />
/**
 * G1 point formulas as programs of Fq slot operations for shaders/g1.wgsl's interpreter, and the Fq
 * constants the G1 shaders need, emitted as WGSL. A formula is written here as lines `d = a op b` over named
 * slots and assembled to one u32 per operation; the shader runs it in a loop, so a kernel compiles one
 * multiplication however many formulas it uses (Mesa's llvmpipe took minutes on inlined formulas).
 *
 * Points are homogeneous projective (X : Y : Z), x = X/Z, y = Y/Z, the identity (0 : 1 : 0), coordinates in
 * Montgomery form (R = 2^384). The formulas are Renes, Costello and Batina's complete ones for a = 0
 * ("Complete addition formulas for prime order elliptic curves", 2015, algorithms 7 and 9): no case of P, Q
 * (identity, P = Q, P = -Q) needs a branch, which keeps the lanes of a workgroup together.
 */

/** q, BLS12-381's base field modulus. */
export const FQ_MODULUS =
  0x1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaabn;
export const FQ_LIMBS = 24;
export const MONT_R = (1n << 384n) % FQ_MODULUS;
/** 3b for G1's y^2 = x^3 + 4. */
const B3 = 12n;

export const modq = (x: bigint): bigint => ((x % FQ_MODULUS) + FQ_MODULUS) % FQ_MODULUS;

export function fqPow(b: bigint, e: bigint): bigint {
  let r = 1n;
  b = modq(b);
  for (; e > 0n; e >>= 1n, b = (b * b) % FQ_MODULUS) if (e & 1n) r = (r * b) % FQ_MODULUS;
  return r;
}

export const R_INV = fqPow(MONT_R, FQ_MODULUS - 2n);

/** Slot numbers; g1.wgsl's loads and stores use the same ones (G1_P, G1_Q, ...). */
export const SLOTS = {
  X1: 0,
  Y1: 1,
  Z1: 2,
  X2: 3,
  Y2: 4,
  Z2: 5,
  X3: 6,
  Y3: 7,
  Z3: 8,
  t0: 9,
  t1: 10,
  t2: 11,
  t3: 12,
  t4: 13,
  b3: 14,
  /** kept at zero, for negation */
  zero: 15,
} as const;
/** 16..21 hold two points of a kernel's own (accumulators). */
export const SLOT_COUNT = 22;

const OPS = { '*': 0, '+': 1, '-': 2 } as const;
const COPY = 3;

/** P = P + Q: algorithm 7 of Renes-Costello-Batina (a = 0), 12 multiplications. */
const ADD = `
t0 = X1 * X2; t1 = Y1 * Y2; t2 = Z1 * Z2
t3 = X1 + Y1; t4 = X2 + Y2; t3 = t3 * t4
t4 = t0 + t1; t3 = t3 - t4; t4 = Y1 + Z1
X3 = Y2 + Z2; t4 = t4 * X3; X3 = t1 + t2
t4 = t4 - X3; X3 = X1 + Z1; Y3 = X2 + Z2
X3 = X3 * Y3; Y3 = t0 + t2; Y3 = X3 - Y3
X3 = t0 + t0; t0 = X3 + t0; t2 = b3 * t2
Z3 = t1 + t2; t1 = t1 - t2; Y3 = b3 * Y3
X3 = t4 * Y3; t2 = t3 * t1; X3 = t2 - X3
Y3 = Y3 * t0; t1 = t1 * Z3; Y3 = t1 + Y3
t0 = t0 * t3; Z3 = Z3 * t4; Z3 = Z3 + t0
X1 = X3; Y1 = Y3; Z1 = Z3`;

/** P = 2P: algorithm 9 (a = 0), 6 multiplications and 2 squarings. */
const DOUBLE = `
t0 = Y1 * Y1; Z3 = t0 + t0; Z3 = Z3 + Z3
Z3 = Z3 + Z3; t1 = Y1 * Z1; t2 = Z1 * Z1
t2 = b3 * t2; X3 = t2 * Z3; Y3 = t0 + t2
Z3 = t1 * Z3; t1 = t2 + t2; t2 = t1 + t2
t0 = t0 - t2; Y3 = t0 * Y3; Y3 = X3 + Y3
t1 = X1 * Y1; X3 = t0 * t1; X3 = X3 + X3
X1 = X3; Y1 = Y3; Z1 = Z3`;

type Slot = keyof typeof SLOTS;
export interface Instruction {
  op: number;
  d: number;
  a: number;
  b: number;
}

function slot(name: string): number {
  const s = SLOTS[name as Slot];
  if (s === undefined) throw new Error(`unknown slot ${name}`);
  return s;
}

export function assemble(source: string): Instruction[] {
  return source
    .split(/[;\n]/)
    .map((l) => l.trim())
    .filter((l) => l)
    .map((line) => {
      const m = /^(\w+) = (\w+)(?: ([*+-]) (\w+))?$/.exec(line);
      if (!m) throw new Error(`bad formula line: ${line}`);
      const [, d, a, op, b] = m;
      if (!op) return { op: COPY, d: slot(d!), a: slot(a!), b: 0 };
      return { op: OPS[op as keyof typeof OPS], d: slot(d!), a: slot(a!), b: slot(b!) };
    });
}

export const G1_ADD = assemble(ADD);
export const G1_DOUBLE = assemble(DOUBLE);

/**
 * Runs a program on bigint slots (canonical values, no Montgomery form needed since every operation is
 * a field operation): the formulas checked apart from the shader.
 */
export function interpret(program: Instruction[], slots: bigint[]): void {
  for (const { op, d, a, b } of program) {
    const x = slots[a]!;
    const y = slots[b]!;
    slots[d] = op === 0 ? modq(x * y) : op === 1 ? modq(x + y) : op === 2 ? modq(x - y) : x;
  }
}

function limbs(x: bigint): string {
  const out: string[] = [];
  for (let i = 0; i < FQ_LIMBS; i++) out.push(`0x${((x >> BigInt(16 * i)) & 0xffffn).toString(16)}u`);
  return `Fq(${out.join(', ')})`;
}

/**
 * Invocations per workgroup of the G1 kernels: as many register files (SLOT_COUNT Fq of 24 u32) as the
 * adapter's workgroup storage holds, at most 64.
 */
export function slotGroup(limits: GPUSupportedLimits): number {
  const fit = Math.floor(limits.maxComputeWorkgroupStorageSize / (SLOT_COUNT * FQ_LIMBS * 4));
  return Math.max(1, Math.min(64, fit, limits.maxComputeInvocationsPerWorkgroup));
}

/**
 * WGSL constants of the G1 shaders: slots, workgroup size, programs (op | d << 8 | a << 16 | b << 24) and Fq
 * values.
 */
export function g1Prelude(group: number): string {
  const programs = [G1_ADD, G1_DOUBLE];
  const words = programs.flat().map((i) => `${(i.op | (i.d << 8) | (i.a << 16) | (i.b << 24)) >>> 0}u`);
  const addEnd = G1_ADD.length;
  return [
    `const FQ_SLOTS = ${SLOT_COUNT}u;`,
    `const FS_GROUP = ${group}u;`,
    `const G1_PROGRAM = array<u32, ${words.length}>(${words.join(', ')});`,
    `const G1_ADD_START = 0u;`,
    `const G1_ADD_END = ${addEnd}u;`,
    `const G1_DOUBLE_START = ${addEnd}u;`,
    `const G1_DOUBLE_END = ${words.length}u;`,
    `const FQ_ONE_MONT = ${limbs(MONT_R)};`,
    `const FQ_B3_MONT = ${limbs((B3 * MONT_R) % FQ_MODULUS)};`,
    `const FQ_R2_MONT = ${limbs((MONT_R * MONT_R) % FQ_MODULUS)};`,
    '',
  ].join('\n');
}
