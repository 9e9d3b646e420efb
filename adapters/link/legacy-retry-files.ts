import { readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { RetryMessage } from './retry-store.js';

/**
 * Reports an earlier version of the link left in its retry-queue directory, one file each
 * (`<order>-<createdAt>.msg.json`): read once, so an upgrade loses none of them. `forget` removes
 * the files once the messages are durable in the log (a crash before that reads them again; the
 * log skips an order it already holds).
 */
const LEGACY = /^\d{16}-\d+\.msg\.json$/;
/** A write of the old store that a crash interrupted: never a whole message. */
const LEGACY_TMP = /^\d{16}-\d+\.msg\.json\.tmp$/;

export function readLegacyRetryFiles(dir: string): { messages: RetryMessage[]; files: number; forget(): void } {
  const all = readdirSync(dir);
  const names = all.filter((name) => LEGACY.test(name)).sort();
  const leftovers = all.filter((name) => LEGACY_TMP.test(name));
  const messages: RetryMessage[] = [];
  for (const name of names) {
    try {
      const m = JSON.parse(readFileSync(join(dir, name), 'utf8')) as RetryMessage;
      if (typeof m.id === 'string' && typeof m.order === 'number' && typeof m.frame === 'string') {
        messages.push({ id: m.id, order: m.order, frame: m.frame, attempt: m.attempt ?? 0, createdAt: m.createdAt ?? Date.now() });
      }
    } catch {
      // damaged: nothing to recover
    }
  }
  return {
    messages,
    files: names.length + leftovers.length,
    forget() {
      for (const name of [...names, ...leftovers]) {
        try {
          unlinkSync(join(dir, name));
        } catch {
          // already gone
        }
      }
    },
  };
}
