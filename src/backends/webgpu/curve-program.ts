/// <reference types="@webgpu/types" />
/**
 * G1 and G2 point formulas as programs of Fq slot operations for shaders/curve.wgsl's interpreter, and the
 * constants the point shaders need, emitted as WGSL. A formula is written once, as lines `d = a op b` over
 * named field variables; for G1 a variable is one Fq slot, for G2 two (c0, c1) and each Fq2 operation is
 * expanded here into Fq ones (Karatsuba's three products for a multiplication, u^2 = -1). The shader runs
 * the program in a loop, so a kernel compiles one Fq multiplication however many formulas it uses (Mesa's
 * llvmpipe took minutes on inlined formulas).
 *
 * Points are homogeneous projective (X : Y : Z), x = X/Z, y = Y/Z, the identity (0 : 1 : 0), coordinates in
 * Montgomery form (R = 2^384). The formulas are Renes, Costello and Batina's complete ones for a = 0
 * ("Complete addition formulas for prime order elliptic curves", 2015, algorithms 7 and 9): no case of P, Q
 * (identity, P = Q, P = -Q) needs a branch, which keeps the lanes of a workgroup together.
 *
 * A bucket's table points are summed in XYZZ coordinates instead (X, Y, ZZ, ZZZ with x = X/ZZ, y = Y/ZZZ,
 * ZZ^3 = ZZZ^2; W1 holds ZZZ): adding an affine point costs 8 products and 2 squarings (add-2008-s's mixed
 * form) where the complete formula takes 12 and two by 3b. That formula is not complete: its first part
 * gives P = U2 - X1 and R = S2 - Y1, and the kernel branches on them (P = 0: the same point, doubled from
 * affine, or its opposite, the identity), which real bases make rare.
 */
import type { Group } from '../backend.ts';

/** q, BLS12-381's base field modulus. */
export const FQ_MODULUS =
  0x1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaabn;
export const FQ_LIMBS = 24;
export const MONT_R = (1n << 384n) % FQ_MODULUS;
/** 3b: 12 for G1's y^2 = x^3 + 4, 12 + 12u for G2's y^2 = x^3 + 4(1 + u); every component 12. */
const B3 = 12n;

export const modq = (x: bigint): bigint => ((x % FQ_MODULUS) + FQ_MODULUS) % FQ_MODULUS;

export function fqPow(b: bigint, e: bigint): bigint {
  let r = 1n;
  b = modq(b);
  for (; e > 0n; e >>= 1n, b = (b * b) % FQ_MODULUS) if (e & 1n) r = (r * b) % FQ_MODULUS;
  return r;
}

export const R_INV = fqPow(MONT_R, FQ_MODULUS - 2n);

/** Fq slots a coordinate takes: 1 for G1 (Fq), 2 for G2 (Fq2). */
export const COORD_FQ: Record<Group, number> = { g1: 1, g2: 2 };

/** The formulas' field variables, in slot order: P, Q, the result, temporaries, 3b and XYZZ's ZZZ. */
const VARS = ['X1', 'Y1', 'Z1', 'X2', 'Y2', 'Z2', 'X3', 'Y3', 'Z3', 't0', 't1', 't2', 't3', 't4', 'b3', 'W1'];

/** Slot numbers of a group: curve.wgsl's PT_P, PT_Q, ... are emitted from these. */
export function slots(group: Group) {
  const w = COORD_FQ[group];
  const vars = VARS.length * w;
  // Fq temporaries of the Fq2 multiplication (G2 only), then zero, then two points of the kernels' own
  const temps = group === 'g2' ? 4 : 0;
  const zero = vars + temps;
  return {
    w,
    variable: (name: string) => {
      const i = VARS.indexOf(name);
      if (i < 0) throw new Error(`unknown variable ${name}`);
      return i * w;
    },
    temp: vars,
    P: 0,
    Q: 3 * w,
    b3: VARS.indexOf('b3') * w,
    /** XYZZ's ZZZ, after P's X, Y, ZZ */
    w1: VARS.indexOf('W1') * w,
    /** where the XYZZ addition's first part leaves P and R */
    xyzzP: VARS.indexOf('t0') * w,
    xyzzR: VARS.indexOf('t1') * w,
    zero,
    A: zero + 1,
    B: zero + 1 + 3 * w,
    count: zero + 1 + 6 * w,
  };
}

const MUL = 0;
const ADD = 1;
const SUB = 2;
const COPY = 3;
const OPS = { '*': MUL, '+': ADD, '-': SUB } as const;

/** P = P + Q: algorithm 7 of Renes-Costello-Batina (a = 0), 12 multiplications. */
const ADD_FORMULA = `
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
const DOUBLE_FORMULA = `
t0 = Y1 * Y1; Z3 = t0 + t0; Z3 = Z3 + Z3
Z3 = Z3 + Z3; t1 = Y1 * Z1; t2 = Z1 * Z1
t2 = b3 * t2; X3 = t2 * Z3; Y3 = t0 + t2
Z3 = t1 * Z3; t1 = t2 + t2; t2 = t1 + t2
t0 = t0 - t2; Y3 = t0 * Y3; Y3 = X3 + Y3
t1 = X1 * Y1; X3 = t0 * t1; X3 = X3 + X3
X1 = X3; Y1 = Y3; Z1 = Z3`;

/** XYZZ (X1, Y1, ZZ = Z1, ZZZ = W1) += affine (X2, Y2), first part: t0 = P = U2 - X1, t1 = R = S2 - Y1. */
const XYZZ_ADD_FORMULA = `
t0 = X2 * Z1; t1 = Y2 * W1; t0 = t0 - X1; t1 = t1 - Y1`;

/** The rest where P != 0: 6 products and 2 squarings. */
const XYZZ_REST_FORMULA = `
t2 = t0 * t0; t3 = t0 * t2; t4 = X1 * t2
Z1 = Z1 * t2; W1 = W1 * t3
X3 = t1 * t1; X3 = X3 - t3; X3 = X3 - t4; X3 = X3 - t4
t4 = t4 - X3; t4 = t1 * t4; t3 = Y1 * t3
Y1 = t4 - t3; X1 = X3`;

/** XYZZ = 2 * affine (X2, Y2), for P = Q (mdbl-2008-s-1, a = 0): 4 products and 2 squarings. */
const XYZZ_DOUBLE_FORMULA = `
t0 = Y2 + Y2; t1 = t0 * t0; t2 = t0 * t1; t3 = X2 * t1
t4 = X2 * X2; X3 = t4 + t4; t4 = X3 + t4
X3 = t4 * t4; X3 = X3 - t3; X3 = X3 - t3
t3 = t3 - X3; t3 = t4 * t3; Y3 = t2 * Y2
Y1 = t3 - Y3; X1 = X3; Z1 = t1; W1 = t2`;

/** XYZZ (not the identity) as homogeneous projective: (X ZZZ : Y ZZ : ZZ ZZZ). */
const XYZZ_OUT_FORMULA = `
t0 = X1 * W1; t1 = Y1 * Z1; Z1 = Z1 * W1; X1 = t0; Y1 = t1`;

export interface Instruction {
  op: number;
  d: number;
  a: number;
  b: number;
}

/** A formula as Fq slot operations for `group`. */
export function assemble(source: string, group: Group): Instruction[] {
  const s = slots(group);
  const out: Instruction[] = [];
  const emit = (op: number, d: number, a: number, b = 0) => out.push({ op, d, a, b });
  for (const line of source.split(/[;\n]/).map((l) => l.trim())) {
    if (!line) continue;
    const m = /^(\w+) = (\w+)(?: ([*+-]) (\w+))?$/.exec(line);
    if (!m) throw new Error(`bad formula line: ${line}`);
    const d = s.variable(m[1]!);
    const a = s.variable(m[2]!);
    const op = m[3] ? OPS[m[3] as keyof typeof OPS] : COPY;
    const b = m[4] ? s.variable(m[4]) : 0;
    if (s.w === 1 || op === ADD || op === SUB || op === COPY) {
      for (let k = 0; k < s.w; k++) emit(op, d + k, a + k, op === COPY ? 0 : b + k);
      continue;
    }
    // (a0 + a1 u)(b0 + b1 u) = a0 b0 - a1 b1 + ((a0 + a1)(b0 + b1) - a0 b0 - a1 b1) u, through temporaries
    // so that d may be a or b
    const [t0, t1, t2, t3] = [s.temp, s.temp + 1, s.temp + 2, s.temp + 3];
    emit(MUL, t0, a, b);
    emit(MUL, t1, a + 1, b + 1);
    emit(ADD, t2, a, a + 1);
    emit(ADD, t3, b, b + 1);
    emit(MUL, t2, t2, t3);
    emit(SUB, t2, t2, t0);
    emit(SUB, t2, t2, t1);
    emit(SUB, d, t0, t1);
    emit(COPY, d + 1, t2);
  }
  return out;
}

export const programs = (group: Group) => ({
  add: assemble(ADD_FORMULA, group),
  double: assemble(DOUBLE_FORMULA, group),
  xyzzAdd: assemble(XYZZ_ADD_FORMULA, group),
  xyzzRest: assemble(XYZZ_REST_FORMULA, group),
  xyzzDouble: assemble(XYZZ_DOUBLE_FORMULA, group),
  xyzzOut: assemble(XYZZ_OUT_FORMULA, group),
});

/** A program's name as its WGSL constants': xyzzRest -> XYZZ_REST. */
const constName = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();

/**
 * Runs a program on bigint slots (canonical values, no Montgomery form needed since every operation is
 * a field operation): the formulas checked apart from the shader.
 */
export function interpret(program: Instruction[], slots: bigint[]): void {
  for (const { op, d, a, b } of program) {
    const x = slots[a]!;
    const y = slots[b]!;
    slots[d] = op === MUL ? modq(x * y) : op === ADD ? modq(x + y) : op === SUB ? modq(x - y) : x;
  }
}

/**
 * Invocations per workgroup of the point kernels: as many register files (the group's slots, 24 u32 each)
 * as the adapter's workgroup storage holds, at most 64.
 */
export function slotGroup(limits: GPUSupportedLimits, group: Group): number {
  const fit = Math.floor(limits.maxComputeWorkgroupStorageSize / (slots(group).count * FQ_LIMBS * 4));
  return Math.max(1, Math.min(64, fit, limits.maxComputeInvocationsPerWorkgroup));
}

/**
 * x as `count` WGSL u32 literals of `bits` bits each, least significant first (here, not in shaders.ts,
 * which imports this module's constants).
 */
export function u32Literals(x: bigint, bits: number, count: number): string[] {
  const mask = (1n << BigInt(bits)) - 1n;
  return Array.from({ length: count }, (_, i) => `0x${((x >> BigInt(bits * i)) & mask).toString(16)}u`);
}

const limbs = (x: bigint): string => `Fq(${u32Literals(x, 16, FQ_LIMBS).join(', ')})`;

const words = (x: bigint): string => `array<u32, 12>(${u32Literals(x, 32, 12).join(', ')})`;

/**
 * A program as one straight-line WGSL function over locals (`fn name(p: Pt, q: Pt) -> Pt`, q only for an
 * addition): each slot a program uses is a local Fq, the result P's slots. The registers form of
 * shaders/curve-registers.wgsl: the GPU's compiler keeps the locals in registers and sees every operand,
 * where the interpreter reads each from workgroup memory by number.
 */
function straightLine(name: string, program: Instruction[], group: Group, withQ: boolean): string {
  const s = slots(group);
  const n = 3 * s.w;
  const used = new Set<number>();
  for (const { op, d, a, b } of program)
    used
      .add(d)
      .add(a)
      .add(op === COPY ? a : b);
  const init = (k: number): string => {
    if (k < s.P + n) return `p[${k - s.P}]`;
    if (withQ && k >= s.Q && k < s.Q + n) return `q[${k - s.Q}]`;
    if (k >= s.b3 && k < s.b3 + s.w) return 'fq_from_words(FQ_B3_WORDS)';
    return 'Fq()';
  };
  const call = ['fq_mont_mul', 'fq_add', 'fq_sub'];
  return [
    `fn ${name}(p: Pt${withQ ? ', q: Pt' : ''}) -> Pt {`,
    ...[...used].sort((x, y) => x - y).map((k) => `  var s${k} = ${init(k)};`),
    ...program.map(({ op, d, a, b }) =>
      op === COPY ? `  s${d} = s${a};` : `  s${d} = ${call[op]}(s${a}, s${b});`,
    ),
    `  return Pt(${Array.from({ length: n }, (_, c) => `s${s.P + c}`).join(', ')});`,
    '}',
    '',
  ].join('\n');
}

/**
 * A program as a straight-line WGSL function over the whole slot file by value (`fn name(s: Xs) -> Xs`):
 * the XYZZ steps, between which the kernel branches on slots that the next step reads. Constant indices
 * only, so the compiler keeps the slots it touches in registers.
 */
function stateLine(name: string, program: Instruction[]): string {
  const call = ['fq_mont_mul', 'fq_add', 'fq_sub'];
  return [
    `fn ${name}(s: Xs) -> Xs {`,
    '  var r = s;',
    ...program.map(({ op, d, a, b }) =>
      op === COPY ? `  r[${d}] = r[${a}];` : `  r[${d}] = ${call[op]}(r[${a}], r[${b}]);`,
    ),
    '  return r;',
    '}',
    '',
  ].join('\n');
}

/** The XYZZ programs' names, in their order in PT_PROGRAM after the addition and doubling. */
const XYZZ = ['xyzzAdd', 'xyzzRest', 'xyzzDouble', 'xyzzOut'] as const;

/** The slot numbers both forms' XYZZ code names, as WGSL constants. */
function xyzzSlots(group: Group): string[] {
  const s = slots(group);
  return [
    `const SLOT_X1 = ${s.variable('X1')}u;`,
    `const SLOT_Y1 = ${s.variable('Y1')}u;`,
    `const SLOT_Z1 = ${s.variable('Z1')}u;`,
    `const SLOT_W1 = ${s.w1}u;`,
    `const SLOT_X2 = ${s.variable('X2')}u;`,
    `const SLOT_Y2 = ${s.variable('Y2')}u;`,
    `const SLOT_XYZZ_P = ${s.xyzzP}u;`,
    `const SLOT_XYZZ_R = ${s.xyzzR}u;`,
  ];
}

/**
 * The registers form's prelude for `group` (after an Fq layout of R = 2^384: limb16 or word32): the
 * workgroup size, Pt, the constants as canonical words of their Montgomery forms, and the addition and
 * doubling as straight-line functions `pt_add(p, q)` and `pt_double(p)`.
 */
export function registerPrelude(group: Group, workgroup: number): string {
  const p = programs(group);
  const w = COORD_FQ[group];
  return [
    `const PT_GROUP = ${workgroup}u;`,
    `const PT_W = ${w}u;`,
    `alias Pt = array<Fq, ${3 * w}>;`,
    `alias Xs = array<Fq, ${slots(group).zero}>;`,
    ...xyzzSlots(group),
    `const FQ_ONE_WORDS = ${words(MONT_R)};`,
    `const FQ_B3_WORDS = ${words((B3 * MONT_R) % FQ_MODULUS)};`,
    `const FQ_R2_WORDS = ${words((MONT_R * MONT_R) % FQ_MODULUS)};`,
    '',
    straightLine('pt_add', p.add, group, true),
    straightLine('pt_double', p.double, group, false),
    ...XYZZ.map((name) => stateLine(constName(name).toLowerCase(), p[name])),
  ].join('\n');
}

/**
 * WGSL constants of the point shaders of `group`: slots, workgroup size, programs
 * (op | d << 8 | a << 16 | b << 24) and Fq values.
 */
export function curvePrelude(group: Group, workgroup: number): string {
  const s = slots(group);
  const p = programs(group);
  const names = ['add', 'double', ...XYZZ] as const;
  const all = names.flatMap((name) => p[name]);
  const words = all.map((i) => `${(i.op | (i.d << 8) | (i.a << 16) | (i.b << 24)) >>> 0}u`);
  // each program's range of PT_PROGRAM: PT_ADD_START, PT_ADD_END, ...
  let at = 0;
  const ranges = names.flatMap((name) => {
    const c = constName(name);
    const r = [`const PT_${c}_START = ${at}u;`, `const PT_${c}_END = ${at + p[name].length}u;`];
    at += p[name].length;
    return r;
  });
  return [
    `const FQ_SLOTS = ${s.count}u;`,
    `const FS_GROUP = ${workgroup}u;`,
    `const PT_W = ${s.w}u;`,
    `const PT_P = ${s.P}u;`,
    `const PT_Q = ${s.Q}u;`,
    `const PT_A = ${s.A}u;`,
    `const PT_B = ${s.B}u;`,
    `const SLOT_B3 = ${s.b3}u;`,
    `const SLOT_ZERO = ${s.zero}u;`,
    `const PT_PROGRAM = array<u32, ${words.length}>(${words.join(', ')});`,
    ...ranges,
    ...xyzzSlots(group),
    `const FQ_ONE_MONT = ${limbs(MONT_R)};`,
    `const FQ_B3_MONT = ${limbs((B3 * MONT_R) % FQ_MODULUS)};`,
    `const FQ_R2_MONT = ${limbs((MONT_R * MONT_R) % FQ_MODULUS)};`,
    '',
  ].join('\n');
}
