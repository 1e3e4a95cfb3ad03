/**
 * WGSL sources from shaders/ at the repository root. WGSL has no include: a kernel's module is its file
 * after the libraries it uses. `fr.wgsl` and `fq.wgsl` (and their `-ops` test kernels) are not files but
 * instances of one field template, shaders/field.wgsl (field-ops.wgsl), as sppark templates its fields:
 * the names put to the field's and its limb count, modulus and Montgomery constant emitted in front.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FR_MODULUS } from '../../shared/fr.ts';
import { FQ_MODULUS } from './curve-program.ts';

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

/** The fields of the template: 16-bit limbs, enough for p < R/4. */
const FIELDS = {
  fr: { modulus: FR_MODULUS, limbs: 16 },
  fq: { modulus: FQ_MODULUS, limbs: 24 },
} as const;
type Field = keyof typeof FIELDS;

/** -p^-1 mod 2^16, by Newton's iteration (p is odd). */
function nprime(p: bigint): bigint {
  const m = 1n << 16n;
  let x = 1n;
  for (let i = 0; i < 5; i++) x = (x * (2n - p * x)) % m;
  return (m - (((x % m) + m) % m)) % m;
}

function instantiate(field: Field, template: string, withConstants: boolean): string {
  const { modulus, limbs } = FIELDS[field];
  const upper = field.toUpperCase();
  const type = upper[0] + field.slice(1);
  const words = Array.from(
    { length: limbs },
    (_, i) => `0x${((modulus >> BigInt(16 * i)) & 0xffffn).toString(16)}u`,
  );
  const prelude = [
    `const ${upper}_LIMBS = ${limbs}u;`,
    `const ${upper}_WORDS = ${limbs / 2}u;`,
    `const ${upper}_P = array<u32, ${limbs}>(${words.join(', ')});`,
    `const ${upper}_NPRIME = 0x${nprime(modulus).toString(16)}u;`,
    '',
  ].join('\n');
  return (
    (withConstants ? prelude : '') +
    file(template)
      .replace(/\bField\b/g, type)
      .replace(/\bfield_/g, `${field}_`)
      .replace(/\bFIELD_/g, `${upper}_`)
  );
}

function source(name: string): string {
  const m = /^(fr|fq)(-ops)?\.wgsl$/.exec(name);
  // the constants go with the field, not again with its test kernels
  if (m) return instantiate(m[1] as Field, m[2] ? 'field-ops.wgsl' : 'field.wgsl', !m[2]);
  return file(name);
}

export function wgsl(...files: string[]): string {
  return files.map(source).join('\n');
}
