import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createActor } from 'xstate';
import { resolveLinkOptions } from '../../actors/link/options.js';
import { silentLogger } from '../../adapters/logger.js';
import { linkMachine } from '../../machines/link/link.js';

const required = { serverAddress: 'ws://127.0.0.1:1', agentId: 'a', agentKey: 'k' };

test('options: the seed defaults (retry queue, log buffer, handshake), the rest as documented', () => {
  const o = resolveLinkOptions(required, silentLogger);
  assert.equal(
    {
      handshakeTimeoutMs: o.handshakeTimeoutMs,
      retryQueueMemorySize: o.retryQueueMemorySize,
      retryQueueDiskSize: o.retryQueueDiskSize,
      retryQueueMaxRetries: o.retryQueueMaxRetries,
      retryQueueDiskTtlMs: o.retryQueueDiskTtlMs,
      retryQueueWarningThreshold: o.retryQueueWarningThreshold,
      retryQueueLoadIntervalMs: o.retryQueueLoadIntervalMs,
      retryQueueBatchLoadSize: o.retryQueueBatchLoadSize,
      retryQueueCleanupIntervalMs: o.retryQueueCleanupIntervalMs,
      logBufferSize: o.logBufferSize,
      logFlushIntervalMs: o.logFlushIntervalMs,
    },
    {
      handshakeTimeoutMs: 5_000,
      retryQueueMemorySize: 1_000,
      retryQueueDiskSize: 10_000,
      retryQueueMaxRetries: 3,
      retryQueueDiskTtlMs: 24 * 3600_000,
      retryQueueWarningThreshold: 5_000,
      retryQueueLoadIntervalMs: 500,
      retryQueueBatchLoadSize: 100,
      retryQueueCleanupIntervalMs: 3600_000,
      logBufferSize: 4_096,
      logFlushIntervalMs: 1_000,
    },
  );
  assert.is(o.pingIntervalMs, 30_000);
  assert.is(o.maxMissedPongs, 2);
  assert.is(o.reconnectJitter, 'full');
  assert.is(o.retryQueueDir, undefined, 'memory only unless asked');
  assert.is(o.durability, 'none');
  assert.is(o.maxPayload, 1_048_576);
  assert.is(o.id, 'link:a');
});

test('options: durability is batch (5 ms window) once a directory is set; always on request; a mismatch is a config error', () => {
  const withDir = resolveLinkOptions({ ...required, retryQueueDir: '/tmp/q' }, silentLogger);
  assert.equal([withDir.durability, withDir.durabilityWindowMs], ['batch', 5]);
  assert.is(resolveLinkOptions({ ...required, retryQueueDir: '/tmp/q', durability: 'always' }, silentLogger).durability, 'always');
  for (const options of [{ durability: 'batch' }, { durability: 'always' }, { durability: 'none', retryQueueDir: '/tmp/q' }, { durability: 'sometimes', retryQueueDir: '/tmp/q' }] as const) {
    try {
      resolveLinkOptions({ ...required, ...(options as object) }, silentLogger);
      assert.unreachable(`${JSON.stringify(options)} must be refused`);
    } catch (error) {
      assert.is((error as { code: string }).code, 'SW_CONFIG');
      assert.is((error as { details: { field: string } }).details.field, 'durability');
    }
  }
});

test('options: the chart applies the same defaults when run bare', () => {
  const actor = createActor(linkMachine, { input: { serverAddress: 'ws://127.0.0.1:1', agentId: 'a' } }).start();
  const c = actor.getSnapshot().context;
  assert.equal(
    [c.connectTimeoutMs, c.handshakeTimeoutMs, c.pingIntervalMs, c.maxMissedPongs, c.reconnectInitialMs, c.reconnectMaxMs, c.reconnectJitter, c.closeTimeoutMs],
    [10_000, 5_000, 30_000, 2, 500, 30_000, 'full', 5_000],
  );
  actor.stop();
});

test('options: bad values are typed config errors naming the field', () => {
  for (const [field, value] of [['retryQueueMemorySize', 0], ['logFlushIntervalMs', Number.NaN], ['retryQueueMaxRetries', -1], ['reconnectJitter', 'some']] as const) {
    try {
      resolveLinkOptions({ ...required, [field]: value }, silentLogger);
      assert.unreachable(`${field}=${String(value)} must be refused`);
    } catch (error) {
      assert.is((error as { code: string }).code, 'SW_CONFIG');
      assert.is((error as { details: { field: string } }).details.field, field);
    }
  }
  assert.is(resolveLinkOptions({ ...required, retryQueueMaxRetries: 0 }, silentLogger).retryQueueMaxRetries, 0, 'zero retries is allowed');
});

test.run();
