/**
 * Structure files as earlier versions wrote them: the density maps taken out of a file written now (its
 * header without `densities`, its last three sections gone), whether a file holds them, and where.
 */
import { readFileSync, writeFileSync } from 'node:fs';

const pad8 = (n: number): number => (n + 7) & ~7;

function header(file: Buffer): { json: Record<string, unknown>; end: number } {
  const len = file.readUInt32LE(8);
  return {
    json: JSON.parse(file.subarray(12, 12 + len).toString()) as Record<string, unknown>,
    end: 12 + len,
  };
}

/** Where the density maps start in a file's bytes (they end it: A's aux, B's inputs, B's aux). */
export function densityMapsAt(file: Buffer): number {
  const { json } = header(file);
  if (json.densities !== true) throw new Error('no density maps in this file');
  return file.length - densityMapsBytes(json);
}

function densityMapsBytes(json: Record<string, unknown>): number {
  return 2 * pad8(json.numAux as number) + pad8(json.numInputs as number);
}

export function hasDensityMaps(path: string): boolean {
  return header(readFileSync(path)).json.densities === true;
}

/** Rewrites `path` as a file from before the density maps. */
export function dropDensityMaps(path: string): void {
  const file = readFileSync(path);
  const { json, end } = header(file);
  if (json.densities !== true) throw new Error(`${path} has no density maps`);
  const maps = densityMapsBytes(json);
  delete json.densities;
  const text = Buffer.from(JSON.stringify(json));
  const pre = Buffer.alloc(pad8(12 + text.length));
  file.copy(pre, 0, 0, 8);
  pre.writeUInt32LE(text.length, 8);
  text.copy(pre, 12);
  writeFileSync(path, Buffer.concat([pre, file.subarray(pad8(end), file.length - maps)]));
}
