/**
 * The layers of src/, top to bottom, and the lint rules that keep them so (eslint.config.js): a module may
 * import from its own layer and the layers below it, never from one above. README.md ("Layers") says
 * what each holds. A layer is a folder of src/, or a single file at its top (cli.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import process from 'node:process';

export const LAYERS = ['cli', 'api', 'job', 'circuit', 'porep', 'groth16', 'backends', 'shared'];

/** What a folder's files may not import: every layer above theirs, by relative path. */
export function layerRestrictions() {
  return LAYERS.map((layer, i) => {
    const above = LAYERS.slice(0, i);
    const files = layer === 'cli' ? ['src/cli.ts'] : [`src/${layer}/**/*.ts`];
    const names = above.map((l) => (l === 'cli' ? 'cli\\.ts$' : `${l}/`)).join('|');
    return {
      files,
      rules: {
        'no-restricted-imports':
          above.length === 0
            ? 'off'
            : [
                'error',
                {
                  patterns: [
                    {
                      regex: `^(\\.\\./)+(${names})`,
                      message: `${layer} may import only from ${[layer, ...LAYERS.slice(i + 1)].join(', ')}, never from ${above.join(', ')} above it (README.md, Layers)`,
                    },
                  ],
                },
              ],
      },
    };
  });
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/g;

/** The relative modules a file imports statically (type-only imports included: they tie modules too). */
function importsOf(file, cache) {
  let out = cache.get(file);
  if (out) return out;
  out = [];
  cache.set(file, out);
  if (!existsSync(file)) return out;
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(IMPORT)) out.push(resolve(dirname(file), m[1]));
  return out;
}

/** Flags an import that leads back to the importing file: a cycle, within a layer or across. */
export const noImportCycle = {
  meta: {
    type: 'problem',
    docs: { description: 'disallow static imports that lead back to the importing module' },
    schema: [],
    messages: { cycle: 'import cycle: {{path}}' },
  },
  create(context) {
    const cache = new Map();
    const self = resolve(context.filename);
    const root = process.cwd();
    return {
      ImportDeclaration(node) {
        const spec = node.source.value;
        if (typeof spec !== 'string' || !spec.startsWith('.')) return;
        const start = resolve(dirname(self), spec);
        const seen = new Set();
        const stack = [[start, [start]]];
        while (stack.length) {
          const [file, path] = stack.pop();
          if (file === self) {
            const shown = [self, ...path].map((f) => relative(root, f)).join(' -> ');
            context.report({ node, messageId: 'cycle', data: { path: shown } });
            return;
          }
          if (seen.has(file)) continue;
          seen.add(file);
          for (const next of importsOf(file, cache)) stack.push([next, [...path, next]]);
        }
      },
    };
  },
};
