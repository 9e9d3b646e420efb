import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWebSocketInspector } from '@statelyai/inspect';
import { leaseMachine } from '../../examples/charts/lease.js';
import { createRuntime, createTraceRecorder, readTrace, type TraceRecord } from '../../runtime/index.js';
import { eventually } from '../helpers/ports.js';
import { startWsServer } from '../helpers/servers.js';

test('trace recorder: the inspection stream as JSON lines, to a file and a callback', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'statewire-trace-'));
  try {
    const file = join(dir, 'trace.jsonl');
    const seen: TraceRecord[] = [];
    const recorder = createTraceRecorder({ file, onRecord: (r) => seen.push(r) });
    const runtime = createRuntime({ inspect: recorder.inspect });
    const lease = runtime.spawn(leaseMachine, { id: 'lease' });
    lease.send({ type: 'lease.acquire' });
    lease.send({ type: 'lease.release' });
    await runtime.stop({ deadlineMs: 100 });
    await recorder.close();

    const records = readTrace(file);
    assert.is(records.length, recorder.count);
    assert.equal(records, JSON.parse(JSON.stringify(seen)));
    assert.ok(records.some((r) => r.kind === 'actor' && r.actor === 'lease'));
    const events = records.filter((r) => r.kind === 'event' && r.actor === 'lease').map((r) => (r.event as { type: string }).type);
    assert.equal(events.filter((t) => t.startsWith('lease.') || t === 'drain'), ['lease.acquire', 'lease.release', 'drain']);
    const values = records.filter((r) => r.kind === 'snapshot' && r.actor === 'lease').map((r) => r.value);
    assert.equal(values, ['idle', 'held', 'idle', 'released']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('trace reader skips a torn last line', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'statewire-trace-'));
  try {
    const file = join(dir, 'trace.jsonl');
    const recorder = createTraceRecorder({ file, kinds: ['snapshot'] });
    const runtime = createRuntime({ inspect: recorder.inspect });
    runtime.spawn(leaseMachine, { id: 'lease' }).send({ type: 'lease.acquire' });
    await runtime.stop({ deadlineMs: 0 });
    await recorder.close();
    const { appendFile } = await import('node:fs/promises');
    await appendFile(file, '{"at":1,"kind":"snap');
    const records = readTrace(file);
    assert.ok(records.length >= 2);
    assert.ok(records.every((r) => r.kind === 'snapshot'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('trace recorder: a cyclic event is written with the cycle cut, and the actor still takes it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'statewire-trace-'));
  try {
    const file = join(dir, 'trace.jsonl');
    const recorder = createTraceRecorder({ file, kinds: ['event'] });
    const runtime = createRuntime({ inspect: recorder.inspect });
    const lease = runtime.spawn(leaseMachine, { id: 'lease' });
    const event: Record<string, unknown> = { type: 'lease.acquire', shared: { n: 1 } };
    event.self = event;
    event.again = event.shared; // seen twice, not a cycle
    lease.send(event as never);
    assert.is((lease.getSnapshot() as { value: unknown }).value, 'held', 'the recorder did not throw into the transition');
    await runtime.stop({ deadlineMs: 0 });
    await recorder.close();
    const line = readTrace(file).find((r) => (r.event as { type?: string }).type === 'lease.acquire');
    assert.equal(line?.event, { type: 'lease.acquire', shared: { n: 1 }, self: '[cycle]', again: { n: 1 } });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('trace recorder: an unwritable file and a throwing callback never reach the actors; close() reports the file error', async () => {
  const uncaught: unknown[] = [];
  const onUncaught = (e: unknown) => uncaught.push(e);
  process.on('uncaughtException', onUncaught);
  try {
    const recorder = createTraceRecorder({
      file: join(tmpdir(), 'statewire-no-such-dir', String(process.pid), 'trace.jsonl'),
      onRecord: () => {
        throw new Error('callback broke');
      },
    });
    const runtime = createRuntime({ inspect: recorder.inspect });
    const lease = runtime.spawn(leaseMachine, { id: 'lease' });
    lease.send({ type: 'lease.acquire' });
    assert.is((lease.getSnapshot() as { value: unknown }).value, 'held');
    await new Promise((resolve) => setTimeout(resolve, 50));
    await runtime.stop({ deadlineMs: 0 });
    let closeError: unknown;
    await recorder.close().catch((e: unknown) => (closeError = e));
    assert.match(String(closeError), 'ENOENT');
    assert.is((recorder.error as NodeJS.ErrnoException | undefined)?.code, 'ENOENT');
  } finally {
    process.off('uncaughtException', onUncaught);
  }
  assert.equal(uncaught.map(String), []);
});

test('@statelyai/inspect WebSocket inspector passed through the runtime delivers snapshot events to a local server', async () => {
  const server = await startWsServer();
  const frames: Array<{ type: string; snapshot?: { value?: unknown }; sessionId?: string }> = [];
  server.wss.on('connection', (socket) => socket.on('message', (data) => frames.push(JSON.parse(String(data)))));
  const inspector = createWebSocketInspector({ url: server.url });
  const runtime = createRuntime({ inspect: inspector.inspect });
  try {
    const lease = runtime.spawn(leaseMachine, { id: 'lease' });
    lease.send({ type: 'lease.acquire' });
    await eventually(
      () => frames.some((f) => f.type === '@xstate.snapshot' && f.snapshot?.value === 'held'),
      'a held snapshot at the inspector server',
      5000,
    );
    assert.ok(frames.some((f) => f.type === '@xstate.actor'), 'actor registered');
    assert.ok(frames.some((f) => f.type === '@xstate.event'), 'events forwarded');
  } finally {
    await runtime.stop({ deadlineMs: 0 });
    inspector.stop();
    await server.close();
  }
});

test.run();
