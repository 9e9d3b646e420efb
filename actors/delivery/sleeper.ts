import type { AutoHttpOptions } from './options.js';

/**
 * Sleeps on the host's clock (store backoffs of first attempts). `wakeAll` (close) wakes every
 * sleeper at once (they then give up) so no timer outlives the facade.
 */
export function createSleeper(clock: AutoHttpOptions['clock']) {
  const sleeping = new Set<() => void>();
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timers = clock ?? globalThis;
      const wake = () => {
        sleeping.delete(wake);
        timers.clearTimeout(handle);
        resolve();
      };
      const handle = timers.setTimeout(wake, ms);
      sleeping.add(wake);
    });
  const wakeAll = () => {
    for (const wake of [...sleeping]) wake();
  };
  return { sleep, wakeAll };
}
