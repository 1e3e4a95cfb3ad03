/**
 * Work over a list with at most `lanes` items in progress, started in the list's order (the prover's
 * partitions over a backend's GPUs: partition k + lanes starts when one of the first ones is done).
 */

/**
 * `fn` over `items`, at most `lanes` at once, each started in order; the results in the items' order.
 * After a failure no item starts, those in progress settle, and the first failure is thrown.
 */
export async function inLanes<T, R>(
  items: readonly T[],
  lanes: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  let failed: { error: unknown } | undefined;
  const lane = async () => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        out[i] = await fn(items[i]!, i);
      } catch (error) {
        failed ??= { error };
      }
    }
  };
  const n = Math.max(1, Math.min(Math.floor(lanes) || 1, items.length));
  await Promise.all(Array.from({ length: n }, lane));
  if (failed) throw failed.error;
  return out;
}
