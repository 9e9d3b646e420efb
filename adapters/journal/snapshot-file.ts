import { open } from 'node:fs/promises';
import { encodeLine } from './lines.js';
import type { JournalPosition } from './positions.js';

/** A live record for compaction: its JSON, and the position to move when it is to stay readable. */
export type SnapshotItem = string | { json: string; at: JournalPosition };

/** What a snapshot yields: records, or batches of them (an async snapshot pays one await per yield). */
export type SnapshotPart = SnapshotItem | readonly SnapshotItem[];

/** Where a snapshot record landed in the new file, for its position to move there at the swap. */
export interface Move {
  at: JournalPosition;
  offset: number;
  length: number;
  index: number;
}

/**
 * Writes the live records of `snapshot` to `path`, one line each, and syncs it: the new file of a
 * compaction, before it replaces the journal. Records with a position get a `Move` in `moves`.
 */
export async function writeSnapshotFile(
  path: string,
  snapshot: Iterable<SnapshotPart> | AsyncIterable<SnapshotPart>,
  moves: Move[],
): Promise<{ size: number; records: number }> {
  let size = 0;
  let records = 0;
  const out = await open(path, 'w');
  try {
    let chunk: string[] = [];
    let chunkBytes = 0;
    for await (const part of snapshot) {
      for (const item of Array.isArray(part) ? (part as readonly SnapshotItem[]) : [part as SnapshotItem]) {
        records++;
        const line = encodeLine(typeof item === 'string' ? item : item.json);
        const length = Buffer.byteLength(line);
        if (typeof item !== 'string') moves.push({ at: item.at, offset: size, length, index: -1 });
        size += length;
        chunk.push(line);
        chunkBytes += length;
      }
      if (chunkBytes > 1 << 20) {
        await out.write(chunk.join(''));
        chunk = [];
        chunkBytes = 0;
      }
    }
    await out.write(chunk.join(''));
    await out.sync();
  } finally {
    await out.close();
  }
  return { size, records };
}
