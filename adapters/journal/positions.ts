import type { JournalFile } from './journal-file.js';
import { checkedJson } from './lines.js';

/**
 * Where a record is: its line, and its place in the line when it shares one (`index`, else -1).
 * Readable with `Journal.read`, moved by compactions (see above). `offset` is -1 until the
 * record is written; `generation` -1 once its write failed.
 */
export interface JournalPosition {
  generation: number;
  offset: number;
  length: number;
  index: number;
}

/** Reads of one batch are merged into one when the span they cover is at most this many bytes. */
const MERGED_READ_BYTES = 1 << 20;

/**
 * The JSON at each position of generation `generation` in `reader` (undefined where unreadable:
 * another generation, not written, or a line whose checksum fails). Neighbours are read with one
 * system call; a line shared by several records is parsed once.
 */
export async function readPositions(reader: JournalFile | undefined, generation: number, positions: readonly JournalPosition[]): Promise<Array<string | undefined>> {
  const out: Array<string | undefined> = new Array(positions.length).fill(undefined);
  if (!reader) return out;
  let i = 0;
  while (i < positions.length) {
    if (positions[i]!.generation !== generation) {
      i++;
      continue;
    }
    // The longest run from i that one read can cover.
    const from = positions[i]!.offset;
    let to = from + positions[i]!.length;
    let j = i + 1;
    for (; j < positions.length; j++) {
      const p = positions[j]!;
      if (p.generation !== generation || p.offset < from) break;
      const end = Math.max(to, p.offset + p.length);
      if (end - from > MERGED_READ_BYTES) break;
      to = end;
    }
    const bytes = await reader.read(from, to - from).catch(() => Buffer.alloc(0));
    const shared = new Map<number, unknown[] | undefined>();
    for (let k = i; k < j; k++) {
      const p = positions[k]!;
      if (p.generation !== generation) continue;
      const start = p.offset - from;
      if (start + p.length > bytes.length) continue;
      const json = () => checkedJson(bytes.toString('utf8', start, start + p.length - 1));
      if (p.index < 0) {
        out[k] = json();
        continue;
      }
      if (!shared.has(p.offset)) shared.set(p.offset, parseArray(json()));
      const record = shared.get(p.offset)?.[p.index];
      out[k] = record === undefined ? undefined : JSON.stringify(record);
    }
    i = j;
  }
  return out;
}

function parseArray(json: string | undefined): unknown[] | undefined {
  try {
    const value: unknown = json === undefined ? undefined : JSON.parse(json);
    return Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
