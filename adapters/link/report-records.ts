import type { RetryMessage } from './retry-store.js';

/**
 * The records of the link's write-ahead log (adapters/journal): a report, written before it is
 * sent, and a done mark, written once it is acked or given up, so a restart re-sends exactly the
 * reports with no mark.
 */
export type ReportRecord =
  /** order, createdAt, attempt, and the frame: as JSON (`f`, a protocol frame, its `id` the report's) or as text (`s`, with the id in `i`) */
  | { o: number; t: number; n: number; f?: { id?: unknown }; s?: string; i?: string }
  /** ranges [first, last] of the orders of reports acked or given up: never to be sent again */
  | { d: Array<[number, number]> };

export type ReportEntry = Extract<ReportRecord, { o: number }>;

/**
 * A report's record. A protocol frame (JSON text of an object, as the link makes them, holding
 * the report's id) goes in as it is: no second escaping of every quote, on the path of every
 * report; anything else as a JSON string, with the id beside it.
 */
export function reportJson(message: RetryMessage): string {
  const { frame, id } = message;
  const body = isLinkFrame(frame, id) ? `"f":${frame}` : `"s":${JSON.stringify(frame)},"i":${JSON.stringify(id)}`;
  return `{"o":${message.order},"t":${message.createdAt},"n":${message.attempt},${body}}`;
}

const LINK_FRAME_START = '{"v":2,"id":"';

/** A frame as `encodeFrame` makes it, for report `id` (checked without building a string). */
function isLinkFrame(frame: string, id: string): boolean {
  const end = LINK_FRAME_START.length + id.length;
  return frame.startsWith(LINK_FRAME_START) && frame.startsWith(id, LINK_FRAME_START.length) && frame.charCodeAt(end) === 34 && frame.charCodeAt(frame.length - 1) === 125;
}

/** A done record for `orders`, as ranges: a link's orders are consecutive, so most ticks need one. */
export function doneJson(orders: readonly number[]): string {
  const sorted = [...orders].sort((a, b) => a - b);
  const ranges: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1]! <= sorted[j]! + 1) j++;
    ranges.push(`[${sorted[i]},${sorted[j]}]`);
    i = j + 1;
  }
  return `{"d":[${ranges.join(',')}]}`;
}

export function isReport(record: ReportRecord): record is ReportEntry {
  const r = record as { o?: unknown; f?: { id?: unknown } | null; s?: unknown; i?: unknown };
  return typeof r.o === 'number' && ((typeof r.f === 'object' && r.f !== null && typeof r.f.id === 'string') || (typeof r.s === 'string' && typeof r.i === 'string'));
}

/** The report's id (the server acks it). */
export function idOf(record: ReportEntry): string {
  return record.i ?? (record.f!.id as string);
}

export function isDone(record: ReportRecord): record is Extract<ReportRecord, { d: unknown }> {
  return Array.isArray((record as { d?: unknown }).d);
}

/** Calls `each` for every order a done record names. */
export function forEachDone(record: Extract<ReportRecord, { d: unknown }>, each: (order: number) => void): void {
  for (const range of record.d) {
    if (!Array.isArray(range)) continue;
    const [first, last] = range;
    if (typeof first !== 'number' || typeof last !== 'number') continue;
    for (let order = first; order <= last; order++) each(order);
  }
}

/** The frame text of a report record (a frame that went in as JSON comes out as the same text). */
export function frameOf(record: ReportEntry): string {
  return record.s ?? JSON.stringify(record.f);
}

/** The message of a report record (its JSON, as read back from the log). */
export function messageOf(json: string): RetryMessage | undefined {
  try {
    const record = JSON.parse(json) as ReportRecord;
    return isReport(record) ? { id: idOf(record), order: record.o, frame: frameOf(record), attempt: record.n, createdAt: record.t } : undefined;
  } catch {
    return undefined;
  }
}
