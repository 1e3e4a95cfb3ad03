/**
 * WGSL sources from shaders/ at the repository root. WGSL has no include: a kernel's module is its file
 * after the libraries it uses. `fr.wgsl` and `fq.wgsl` (and their `-ops` test kernels) are not files but
 * instances of one field template, shaders/field.wgsl (field-ops.wgsl), as sppark templates its fields:
 * the names put to the field's and its limb count, modulus and Montgomery constant emitted in front, in
 * one of three limb layouts.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FR_MODULUS } from '../../shared/fr.ts';
import { FQ_MODULUS, u32Literals } from './curve-program.ts';

const DIR = new URL('../../../shaders/', import.meta.url);

const cache = new Map<string, string>();

function file(name: string): string {
  let s = cache.get(name);
  if (s === undefined) {
    s = readFileSync(fileURLToPath(new URL(name, DIR)), 'utf8');
    cache.set(name, s);
  }
  return s;
}

/**
 * The limb layouts of the field template, as sppark names its options: `limb16` (shaders/field.wgsl,
 * what the kernels use), `limb13` (lazy carries, field-limb13.wgsl) and `word32` (full words, four
 * partial products each, field-word32.wgsl). bench/webgpu.ts times them side by side.
 */
export const FIELD_LAYOUTS = ['limb16', 'limb13', 'word32'] as const;
export type FieldLayout = (typeof FIELD_LAYOUTS)[number];

/** Each layout's files, in order: the limb layouts share field-limbs.wgsl's select, add and sub. */
const LAYOUTS: Record<FieldLayout, { bits: number; templates: string[] }> = {
  limb16: { bits: 16, templates: ['field-limbs.wgsl', 'field.wgsl'] },
  limb13: { bits: 13, templates: ['field-limbs.wgsl', 'field-limb13.wgsl'] },
  word32: { bits: 32, templates: ['field-word32.wgsl'] },
};

const MODULI = { fr: FR_MODULUS, fq: FQ_MODULUS } as const;
type Field = keyof typeof MODULI;

function bitLength(x: bigint): number {
  return x.toString(2).length;
}

/** Limbs of the layout for p: enough that 2p < R, which keeps the Montgomery product below 2p. */
function limbCount(field: Field, layout: FieldLayout): number {
  const limbs = Math.ceil((bitLength(MODULI[field]) + 1) / LAYOUTS[layout].bits);
  // limb13's columns take 2 * limbs products of 26 bits and a carry without carrying (field-limb13.wgsl)
  if (layout === 'limb13' && limbs > 32) throw new RangeError(`${field} needs ${limbs} 13-bit limbs`);
  return limbs;
}

/** The layout's Montgomery R mod p (2^(limbs * bits)): what the kernels' products divide by. */
export function montgomeryR(field: Field, layout: FieldLayout = 'limb16'): bigint {
  return (1n << BigInt(limbCount(field, layout) * LAYOUTS[layout].bits)) % MODULI[field];
}

/** -p^-1 mod 2^bits, by Newton's iteration (p is odd). */
function nprime(p: bigint, bits: number): bigint {
  const m = 1n << BigInt(bits);
  let x = 1n;
  for (let i = 0; i < 6; i++) x = (x * (2n - p * x)) % m;
  return (m - (((x % m) + m) % m)) % m;
}

function instantiate(field: Field, layout: FieldLayout, ops: boolean): string {
  const { bits, templates } = LAYOUTS[layout];
  const modulus = MODULI[field];
  const limbs = limbCount(field, layout);
  const mask = (1n << BigInt(bits)) - 1n;
  const upper = field.toUpperCase();
  const type = upper[0] + field.slice(1);
  const words = u32Literals(modulus, bits, limbs);
  // the constants go with the field, not again with its test kernels
  const prelude = [
    `const ${upper}_LIMBS = ${limbs}u;`,
    `const ${upper}_WORDS = ${Math.ceil(bitLength(modulus) / 32)}u;`,
    `const ${upper}_P = array<u32, ${limbs}>(${words.join(', ')});`,
    `const ${upper}_NPRIME = 0x${nprime(modulus, bits).toString(16)}u;`,
    // field-limbs.wgsl's: a limb's width, base and mask (word32 has no spare bits to carry in)
    ...(bits < 32
      ? [
          `const ${upper}_BITS = ${bits}u;`,
          `const ${upper}_BASE = 0x${(mask + 1n).toString(16)}u;`,
          `const ${upper}_MASK = 0x${mask.toString(16)}u;`,
        ]
      : []),
    '',
  ].join('\n');
  return (
    (ops ? '' : prelude) +
    // the test kernels use only the template's interface, the same in every layout
    (ops ? [file('field-ops.wgsl')] : templates.map(file))
      .join('\n')
      .replace(/\bField\b/g, type)
      .replace(/\bfield_/g, `${field}_`)
      .replace(/\bFIELD_/g, `${upper}_`)
  );
}

/** `fr.wgsl`, `fq.wgsl` (limb16), `fr.limb13.wgsl` and the like; `fr-ops.wgsl`, `fq-ops.wgsl`: the test kernels. */
function source(name: string): string {
  const m = /^(fr|fq)(?:\.(limb16|limb13|word32)|(-ops))?\.wgsl$/.exec(name);
  if (m) return instantiate(m[1] as Field, (m[2] ?? 'limb16') as FieldLayout, m[3] !== undefined);
  return file(name);
}

/** The module name of a field in a layout, for `wgsl`. */
export function fieldSource(field: Field, layout: FieldLayout): string {
  return `${field}.${layout}.wgsl`;
}

export function wgsl(...files: string[]): string {
  return files.map(source).join('\n');
}
