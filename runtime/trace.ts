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
  /** Flushes and closes the file. */
  close(): Promise<void>;
}

/**
 * Records the inspection stream as JSON lines for offline inspection: the same three event kinds
 * `@statelyai/inspect` forwards (actors, events, snapshots), reduced to what a reader needs.
 */
export function createTraceRecorder(options: TraceRecorderOptions): TraceRecorder {
  const kinds = new Set(options.kinds ?? ['actor', 'event', 'snapshot']);
  const stream: WriteStream | undefined = options.file ? createWriteStream(options.file, { flags: 'a' }) : undefined;
  let count = 0;
  const record = (entry: TraceRecord) => {
    if (!kinds.has(entry.kind)) return;
    count++;
    stream?.write(JSON.stringify(entry, jsonSafe) + '\n');
    options.onRecord?.(entry);
  };
  return {
    get count() {
      return count;
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
    close: () => new Promise<void>((resolve) => (stream ? stream.end(() => resolve()) : resolve())),
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

/** Errors become their message and code; functions and actor refs are dropped; cycles cut. */
function jsonSafe(this: unknown, _key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, code: (value as { code?: unknown }).code };
  if (typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (typeof value === 'bigint') return value.toString();
  if (value && typeof value === 'object' && 'sessionId' in value && 'send' in value) return { actor: (value as { id?: string }).id };
  return value;
}
