/**
 * Density maps: the word-wise count equals the count byte by byte wherever the map starts and ends, and a
 * structure's maps are kept in its file and read back with it (files written before them still read).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { densities, popcount } from '../../src/groth16/r1cs.ts';
import { readR1csFile, writeR1csFile } from '../../src/groth16/r1cs-file.ts';
import { randomR1cs } from '../support/random-r1cs.ts';
import { densityMapsAt, dropDensityMaps, hasDensityMaps } from '../support/r1cs-files.ts';

const bytewise = (d: Uint8Array): number => d.reduce((n, x) => n + x, 0);

test('popcount counts a 0/1 map at every alignment and length, across its 255-word folds', () => {
  let seed = 7;
  const bit = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 1;
  const big = new Uint8Array(4 * 255 * 3 + 64);
  for (let i = 0; i < big.length; i++) big[i] = bit();
  for (const offset of [0, 1, 2, 3, 5])
    for (const len of [0, 1, 3, 4, 7, 1019, 1020, 1021, 2040, 2041, 4 * 255 * 3 + 1]) {
      const d = big.subarray(offset, offset + len);
      assert.equal(popcount(d), bytewise(d), `offset ${offset}, length ${len}`);
    }
  // every lane full for whole folds: the most a lane holds before it is emptied
  const ones = new Uint8Array(4 * 255 * 2 + 9).fill(1);
  assert.equal(popcount(ones), ones.length);
  assert.equal(popcount(ones.subarray(3)), ones.length - 3);
});

test("a structure file keeps the structure's density maps; one written without them still reads", async () => {
  const { r1cs } = randomR1cs('densities', 257, 5, 301);
  const want = densities(r1cs);
  const dir = mkdtempSync(join(tmpdir(), 'c2-densities-'));
  const path = join(dir, 's.r1cs');
  await writeR1csFile(path, r1cs, 'k');
  const read = await readR1csFile(path, 'k');
  const got = densities(read);
  for (const key of ['aAuxDensity', 'bInputDensity', 'bAuxDensity'] as const)
    assert.deepEqual(got[key], want[key]);
  // read with the structure, not computed from its terms: a map changed in the file is what comes back
  const file = readFileSync(path);
  const aAuxAt = densityMapsAt(file);
  file[aAuxAt] = file[aAuxAt]! ^ 1;
  writeFileSync(path, file);
  assert.notEqual(densities(await readR1csFile(path, 'k')).aAuxDensity[0], want.aAuxDensity[0]);
  // as files were before the maps: the header without them, the file without their bytes
  dropDensityMaps(path);
  assert.equal(hasDensityMaps(path), false);
  const old = await readR1csFile(path, 'k');
  for (const key of ['aAuxDensity', 'bInputDensity', 'bAuxDensity'] as const)
    assert.deepEqual(densities(old)[key], want[key], `${key} computed for a file without maps`);
});
