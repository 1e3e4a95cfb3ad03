/** Where in a JSON document something is: keys and array indices from the root. */
export type JsonPath = readonly (string | number)[];

/**
 * The path written out: `a.b[0]` in messages (`(root)` for the document itself), or with `$` as the root
 * (`$.a.b[0]`, JSONPath's form) in the API's issue lists, where clients may match on it.
 */
export function formatPath(path: JsonPath, root?: '$'): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : `.${p}`;
  if (root) return root + s;
  return s.replace(/^\./, '') || '(root)';
}
