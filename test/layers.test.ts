/**
 * The layer order of README.md ("Layers") holds because lint refuses a backward import: checked here on
 * imports written for the purpose, so that a change to eslint.config.js cannot drop the rule unnoticed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ESLint } from 'eslint';
import { LAYERS } from '../scripts/eslint/layers.js';

const eslint = new ESLint({ cwd: new URL('..', import.meta.url).pathname });

async function restricted(file: string, spec: string): Promise<boolean> {
  const code = `import type { X } from '${spec}';\nexport type Y = X;\n`;
  const [result] = await eslint.lintText(code, { filePath: file });
  return result!.messages.some((m) => m.ruleId === 'no-restricted-imports');
}

test('the layers are the folders of src, top first, shared at the bottom', () => {
  assert.deepEqual(LAYERS, ['cli', 'api', 'job', 'circuit', 'porep', 'groth16', 'backends', 'shared']);
});

test('an import from a layer above is refused, from the same layer or below accepted', async () => {
  const cases: [string, string, boolean][] = [
    ['src/shared/x.ts', '../backends/backend.ts', true],
    ['src/backends/x.ts', '../groth16/r1cs.ts', true],
    ['src/backends/cpu/x.ts', '../../groth16/r1cs.ts', true],
    ['src/groth16/x.ts', '../porep/commit2-input.ts', true],
    ['src/porep/x.ts', '../circuit/poseidon.ts', true],
    ['src/circuit/x.ts', '../job/commit2.ts', true],
    ['src/job/x.ts', '../api/server.ts', true],
    ['src/job/x.ts', '../cli.ts', true],
    ['src/api/x.ts', '../cli.ts', true],
    ['src/cli.ts', './api/server.ts', false],
    ['src/api/x.ts', '../job/commit2.ts', false],
    ['src/circuit/x.ts', '../porep/commit2-input.ts', false],
    ['src/groth16/x.ts', '../backends/backend.ts', false],
    ['src/backends/cpu/x.ts', '../backend.ts', false],
    ['src/shared/x.ts', './fr.ts', false],
  ];
  for (const [file, spec, refused] of cases) {
    assert.equal(await restricted(file, spec), refused, `${file} importing ${spec}`);
  }
});
