import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import type { InspectionEvent } from 'xstate';

/** One line of a trace: what happened to which actor, and the state it ended in. */
export interface TraceRecord {
  /** Milliseconds since the epoch, wall clock. */
  at: number;
  kind: 'actor' | 'event' | 'snapshot';
  /** The actor's id (the runtime id for hosted actors, the invoke/spawn id for children). */
  actor: string;
  sessionId: string;
  /** The event received (`event`, `snapshot`) — its payload kept, made JSON-safe. */
  event?: unknown;
  /** The sending actor's id, for `event` records. */
  source?: string;
  /** State value and status after the event, for `snapshot` records. */
  value?: unknown;
  status?: string;
}

export interface TraceRecorderOptions {
  /** Append JSON lines to this file. */
  file?: string;
  /** Or hand each record to this callback (both may be given). */
  onRecord?: (record: TraceRecord) => void;
  /** Record kinds to keep. Default: all three. */
  kinds?: Array<TraceRecord['kind']>;
}

export interface TraceRecorder {
  /** Pass as `createRuntime({ inspect })` or `createActor(logic, { inspect })`. */
  inspect: (event: InspectionEvent) => void;
  /** Records written so far. */
  readonly count: number;
  /** The first error writing the file (then the recorder stops writing it); the actors never see it. */
  readonly error: Error | undefined;
  /** Flushes and closes the file; rejects with the write error when the trace could not be written. */
  close(): Promise<void>;
}

/**
 * Records the inspection stream as JSON lines for offline inspection: the same three event kinds
 * `@statelyai/inspect` forwards (actors, events, snapshots), reduced to what a reader needs.
 */
export function createTraceRecorder(options: TraceRecorderOptions): TraceRecorder {
  const kinds = new Set(options.kinds ?? ['actor', 'event', 'snapshot']);
  const stream: WriteStream | undefined = options.file ? createWriteStream(options.file, { flags: 'a' }) : undefined;
  // An unwritable file (missing directory, disk full) must not become an uncaught 'error' event.
  let error: Error | undefined;
  stream?.on('error', (e) => (error ??= e));
  let closed = false;
  let count = 0;
  // The recorder runs inside XState's transition: nothing it does may throw into the actor.
  const record = (entry: TraceRecord) => {
    if (!kinds.has(entry.kind)) return;
    count++;
    if (stream && !closed && !error) {
      try {
        stream.write(JSON.stringify(entry, jsonSafe()) + '\n');
      } catch (e) {
        error ??= e instanceof Error ? e : new Error(String(e));
      }
    }
    try {
      options.onRecord?.(entry);
    } catch {
      // a throwing callback loses its own record, nothing else
    }
  };
  return {
    get count() {
      return count;
    },
    get error() {
      return error;
    },
    inspect(event) {
      const actor = event.actorRef as { id?: string; sessionId: string };
      const base = { at: Date.now(), actor: actor.id ?? actor.sessionId, sessionId: actor.sessionId };
      switch (event.type) {
        case '@xstate.actor':
          return record({ ...base, kind: 'actor' });
        case '@xstate.event': {
          const source = event.sourceRef as { id?: string } | undefined;
          return record({ ...base, kind: 'event', event: event.event, ...(source?.id ? { source: source.id } : {}) });
        }
        case '@xstate.snapshot': {
          const snapshot = event.snapshot as { value?: unknown; status?: string };
          return record({ ...base, kind: 'snapshot', event: event.event, value: snapshot.value, status: snapshot.status });
        }
        default:
          return;
      }
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        const settle = () => (error ? reject(error) : resolve());
        if (!stream || closed) return settle();
        closed = true;
        if (stream.destroyed) return settle();
        stream.once('error', settle);
        stream.end(settle);
      }),
  };
}

/** Reads a trace file back, one record per line; a torn last line (a crash mid-write) is skipped. */
export function readTrace(file: string): TraceRecord[] {
  const records: TraceRecord[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    try {
      records.push(JSON.parse(line) as TraceRecord);
    } catch {
      // torn write: the rest of the trace is still good
    }
  }
  return records;
}

/**
 * A JSON.stringify replacer: errors become their message and code; functions and actor refs are
 * dropped; a value that refers back to one of its ancestors (a socket, a request) becomes "[cycle]".
 */
function jsonSafe(): (this: unknown, key: string, value: unknown) => unknown {
  const ancestors: unknown[] = [];
  return function (this: unknown, _key: string, value: unknown): unknown {
    if (value instanceof Error) return { name: value.name, message: value.message, code: (value as { code?: unknown }).code };
    if (typeof value === 'function' || typeof value === 'symbol') return undefined;
    if (typeof value === 'bigint') return value.toString();
    if (!value || typeof value !== 'object') return value;
    if ('sessionId' in value && 'send' in value) return { actor: (value as { id?: string }).id };
    // `this` is the object holding `value`: drop the ancestors that are no longer on the path.
    while (ancestors.length && ancestors[ancestors.length - 1] !== this) ancestors.pop();
    if (ancestors.includes(value)) return '[cycle]';
    ancestors.push(value);
    return value;
  };
}
