/** The reference oracle's committed fixtures (test/fixtures, see test/reference/FORMATS.md). */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { frFromBytes } from '../../src/shared/fr.ts';

export const FIXTURES = new URL('../fixtures/', import.meta.url);

/** Fixture folders like `2kib/v1_1-t01000-s1` that hold `file`, in a stable order. */
export function fixtureDirs(file = 'digest.json', groups = ['2kib', '8mib', 'shape']): string[] {
  const out: string[] = [];
  for (const group of groups) {
    const dir = new URL(`${group}/`, FIXTURES);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      if (existsSync(new URL(`${group}/${name}/${file}`, FIXTURES))) out.push(`${group}/${name}`);
    }
  }
  return out;
}

export function readFixture(dir: string, file: string): string {
  return readFileSync(new URL(`${dir}/${file}`, FIXTURES), 'utf8');
}

/** The oracle's public inputs of every partition (what rust-fil-proofs derives for verify_seal). */
export function oraclePublicInputs(dir: string): bigint[][] {
  const digest = JSON.parse(readFixture(dir, 'digest.json')) as { partitions: { public_inputs: string[] }[] };
  return digest.partitions.map((p) => p.public_inputs.map((h) => frFromBytes(Buffer.from(h, 'hex'))));
}
