import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readWatchFrame } from '../../adapters/sidecar/watch-event.js';
import type { ConnectionEvent, SseFrame } from '../../adapters/sidecar/types.js';
import { WatchEventParseError } from '../../errors/sidecar.js';

/** A frame read as the seed's ConnectionEvent shape (the type among the fields), or its error. */
function parseWatchEvent(frame: SseFrame): ConnectionEvent | WatchEventParseError {
  const read = readWatchFrame(frame);
  return read instanceof WatchEventParseError ? read : { type: read.type, ...read.fields };
}

test('a full connected frame maps every field', () => {
  const event = parseWatchEvent({
    event: 'connected',
    id: '7',
    data: JSON.stringify({ message: 'hi', service: 'agent', status: 'ready', lifecycle_state: 'running', ready: true, generated_at: '2026-01-01T00:00:00Z' }),
  });
  assert.equal(event, { type: 'connected', id: '7', message: 'hi', service: 'agent', status: 'ready', lifecycleState: 'running', ready: true, generatedAt: '2026-01-01T00:00:00Z' });
});

test('absent fields and empty data are fine; wrong-typed fields are dropped', () => {
  assert.equal(parseWatchEvent({ event: 'heartbeat', data: '' }), { type: 'heartbeat' });
  assert.equal(parseWatchEvent({ event: 'heartbeat', data: '{"ready":"yes","status":3,"message":"m"}' }), { type: 'heartbeat', message: 'm' });
});

test('non-JSON, non-object data and unknown types are WatchEventParseErrors', () => {
  for (const frame of [
    { event: 'heartbeat', id: '1', data: '{not json' },
    { event: 'connected', data: '[1,2]' },
    { event: 'connected', data: 'null' },
    { event: 'bogus', data: '{}' },
    { data: '{}' },
  ]) {
    const result = parseWatchEvent(frame);
    assert.instance(result, WatchEventParseError, JSON.stringify(frame));
    assert.is((result as WatchEventParseError).code, 'SW_WATCH_EVENT_PARSE');
  }
});

test('a huge garbage payload is cut in the error details', () => {
  const result = parseWatchEvent({ event: 'heartbeat', data: `{${'x'.repeat(10_000)}` }) as WatchEventParseError;
  assert.ok(String(result.details.payload).length < 300);
});

test.run();
