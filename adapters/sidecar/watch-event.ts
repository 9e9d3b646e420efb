import { WatchEventParseError } from '../../errors/sidecar.js';
import type { ConnectionEvent, ConnectionEventType, SseFrame } from './types.js';

const eventTypes: ReadonlySet<string> = new Set<ConnectionEventType>(['connected', 'heartbeat', 'disconnected']);

/**
 * Turns one SSE frame into a `ConnectionEvent`, or a `WatchEventParseError` when the frame cannot
 * be used: an unknown `event:` type, or a `data:` that is not a JSON object. The caller counts the
 * error and keeps reading; one bad frame never ends the stream.
 *
 * Fields of the wrong JSON type are dropped, not fatal: the event type alone (`connected`) is what
 * drives the register replay, and a stray field must not cost a registration.
 */
export function parseWatchEvent(frame: SseFrame): ConnectionEvent | WatchEventParseError {
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
  const event: ConnectionEvent = { type: type as ConnectionEventType };
  if (frame.id) event.id = frame.id;
  const stringField = (key: string) => (typeof data[key] === 'string' ? (data[key] as string) : undefined);
  const message = stringField('message');
  const service = stringField('service');
  const status = stringField('status');
  const lifecycleState = stringField('lifecycle_state');
  const generatedAt = stringField('generated_at');
  if (message !== undefined) event.message = message;
  if (service !== undefined) event.service = service;
  if (status !== undefined) event.status = status;
  if (lifecycleState !== undefined) event.lifecycleState = lifecycleState;
  if (generatedAt !== undefined) event.generatedAt = generatedAt;
  if (typeof data.ready === 'boolean') event.ready = data.ready;
  return event;
}
