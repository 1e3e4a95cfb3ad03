/**
 * WGSL sources from shaders/ at the repository root. WGSL has no include: a kernel's module is its file
 * after the libraries it uses.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const DIR = new URL('../../../shaders/', import.meta.url);

const cache = new Map<string, string>();

function source(name: string): string {
  let s = cache.get(name);
  if (s === undefined) {
    s = readFileSync(fileURLToPath(new URL(name, DIR)), 'utf8');
    cache.set(name, s);
  }
  return s;
}

export function wgsl(...files: string[]): string {
  return files.map(source).join('\n');
}
