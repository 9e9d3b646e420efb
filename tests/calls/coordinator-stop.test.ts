import { test } from './helpers/uvu.js';
import * as assert from 'uvu/assert';
import { CallsStoppedError } from '../../errors/calls.js';
import { rejects, startPeers } from './helpers/peers.js';

test('stop while a retried call is in flight: the call rejects at once and leaves no backoff timer behind', async () => {
  // Long backoff: a sleep armed after stop would hold the call (and the process) for 20 s.
  const peers = await startPeers(1, { retry: { initialMs: 20_000, maxMs: 20_000, jitter: 'none' }, client: { requestTimeoutMs: 5000 } });
  try {
    peers.services[0]!.hang(true);
    const call = peers.coordinator.executeAgentWithRetry('agents', 'echo', { task: 'x' }, 3);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await peers.coordinator.stop();
    await rejects(call, CallsStoppedError);
    assert.ok(Date.now() - started < 2000, `settled after ${Date.now() - started} ms`);
  } finally {
    peers.services[0]!.hang(false);
    await peers.close();
  }
});

test('drain while a retried call is in flight: its backoff is refused, the call rejects, nothing lingers', async () => {
  const peers = await startPeers(1, { retry: { initialMs: 20_000, maxMs: 20_000, jitter: 'none' }, client: { requestTimeoutMs: 300 } });
  try {
    peers.services[0]!.hang(true);
    const call = peers.coordinator.executeAgentWithRetry('agents', 'echo', { task: 'x' }, 3);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    const outcome = rejects(call, CallsStoppedError);
    await peers.coordinator.drain();
    await outcome;
    assert.ok(Date.now() - started < 3000, `settled after ${Date.now() - started} ms`);
    assert.is(peers.coordinator.actor.getSnapshot().status, 'done');
  } finally {
    peers.services[0]!.hang(false);
    await peers.close();
  }
});

test('a coordinator stopped without drain refuses new calls with CallsStoppedError', async () => {
  const peers = await startPeers(1);
  await peers.coordinator.stop();
  try {
    await rejects(peers.coordinator.executeAgent('agents', 'echo', { task: 'x' }), CallsStoppedError);
    await rejects(peers.coordinator.executeParallel([{ service: 'agents', agent: 'echo', input: { task: 'x' } }]), CallsStoppedError);
  } finally {
    await peers.close();
  }
});

test.run();
