import { WatchEventParseError } from '../../errors/sidecar.js';
import type { ConnectionEventFields, ConnectionEventType, SseFrame } from './types.js';

const eventTypes: ReadonlySet<string> = new Set<ConnectionEventType>(['connected', 'heartbeat', 'disconnected']);

/** A usable frame: its type, and its fields apart (the watch hands the fields on as they are). */
export interface WatchFrameRead {
  type: ConnectionEventType;
  fields: ConnectionEventFields;
}

const stringOf = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/**
 * Reads one SSE frame, or says why it cannot be used (`WatchEventParseError`): an unknown `event:`
 * type, or a `data:` that is not a JSON object. The caller counts the error and keeps reading; one
 * bad frame never ends the stream.
 *
 * Fields of the wrong JSON type are dropped, not fatal: the event type alone (`connected`) is what
 * drives the register replay, and a stray field must not cost a registration.
 */
export function readWatchFrame(frame: SseFrame): WatchFrameRead | WatchEventParseError {
  const type = frame.event ?? '';
  if (!eventTypes.has(type)) return new WatchEventParseError(type || '(none)', frame.id, frame.data, 'unknown event type');
  let payload: unknown = {};
  const text = frame.data.trim();
  if (text !== '') {
    try {
      payload = JSON.parse(text);
    } catch (error) {
      return new WatchEventParseError(type, frame.id, frame.data, `data is not JSON (${(error as Error).message})`);
    }
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    return new WatchEventParseError(type, frame.id, frame.data, 'data is not a JSON object');
  }
  const data = payload as Record<string, unknown>;
  // Only the fields present are set: the chart keeps what it knew for an absent one.
  const fields: ConnectionEventFields = {};
  if (frame.id) fields.id = frame.id;
  const message = stringOf(data.message);
  const service = stringOf(data.service);
  const status = stringOf(data.status);
  const lifecycleState = stringOf(data.lifecycle_state);
  const generatedAt = stringOf(data.generated_at);
  if (message !== undefined) fields.message = message;
  if (service !== undefined) fields.service = service;
  if (status !== undefined) fields.status = status;
  if (lifecycleState !== undefined) fields.lifecycleState = lifecycleState;
  if (generatedAt !== undefined) fields.generatedAt = generatedAt;
  if (typeof data.ready === 'boolean') fields.ready = data.ready;
  return { type: type as ConnectionEventType, fields };
}
