// Runs async work over many items with a bound on how many run at once: VMs packed on the cores there
// are, domains stopped or started on a host. Results keep the order of the items.
import { performance } from 'node:perf_hooks';

/** Runs `work` over `items` with at most `limit` at a time, keeping the order of results. */
export async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let yieldedAt = performance.now();
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!, index);
      // Native packing resolves its promises at once, so without this a build would never give the
      // event loop a turn: no timer would fire and Ctrl-C would wait for the last VM.
      if (performance.now() - yieldedAt > 50) {
        await new Promise((resolve) => setImmediate(resolve));
        yieldedAt = performance.now();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
