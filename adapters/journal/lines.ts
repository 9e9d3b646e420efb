import { crc32 } from 'node:zlib';

/**
 * The journal's line format: `<crc32 of the JSON, 8 hex> <json>\n`, one record per line. A torn
 * write (a crash mid-append) leaves at most one bad line, and any line whose checksum does not
 * match is skipped, so one torn or corrupt record never costs the others.
 */
export function encodeLine(json: string): string {
  return `${crc32(json).toString(16).padStart(8, '0')} ${json}\n`;
}

/**
 * `encodeLine` as the three pieces of one vectored write (no copy of a long JSON): its UTF-8
 * is made once, checksummed and written from the same buffer.
 */
export function encodeLineParts(json: string): [Buffer, Buffer, Buffer] {
  const body = Buffer.from(json);
  return [Buffer.from(`${crc32(body).toString(16).padStart(8, '0')} `), body, NEWLINE];
}

const NEWLINE = Buffer.from('\n');

/** The JSON of one line (without its newline) when its checksum matches, else undefined. */
export function checkedJson(line: string): string | undefined {
  if (line.indexOf(' ') !== 8) return undefined;
  const json = line.slice(9);
  return crc32(json).toString(16).padStart(8, '0') === line.slice(0, 8) ? json : undefined;
}

/** A record parsed from one line, or undefined when the line is torn, corrupt or not JSON. */
export function decodeLine<R>(line: string): R | undefined {
  const json = checkedJson(line);
  if (json === undefined) return undefined;
  try {
    return JSON.parse(json) as R;
  } catch {
    return undefined;
  }
}

export interface ReplayResult {
  /** Bytes up to the end of the last complete line: where appends continue. */
  end: number;
  /** Lines skipped: torn (the final line without its newline) or corrupt. */
  corrupt: number;
}

/**
 * Calls `visit` with every intact record of `text`, in file order, with the byte span of its
 * line and its place in it: a line holding a JSON array holds records written together (`index`
 * 0, 1, …), any other line one record (`index` -1). Works on bytes, not characters, so the spans
 * are file offsets (records may hold any UTF-8).
 */
export function replayLines<R>(text: Buffer, visit: (record: R, offset: number, length: number, index: number) => void): ReplayResult {
  let corrupt = 0;
  let start = 0;
  while (start < text.length) {
    const newline = text.indexOf(10, start);
    if (newline === -1) {
      corrupt++; // a final line without its newline is a torn write
      return { end: start, corrupt };
    }
    if (newline > start) {
      const record = decodeLine<R | R[]>(text.toString('utf8', start, newline));
      if (record === undefined) corrupt++;
      else if (Array.isArray(record)) record.forEach((each, index) => visit(each, start, newline + 1 - start, index));
      else visit(record, start, newline + 1 - start, -1);
    }
    start = newline + 1;
  }
  return { end: start, corrupt };
}
