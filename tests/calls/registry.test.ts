import { test } from './helpers/uvu.js';
import * as assert from 'uvu/assert';
import { SimulatedClock } from 'xstate';
import { createRegistry } from '../../actors/calls/registry.js';
import { DuplicateInstanceError, InstanceNotFoundError, InvalidInstanceError } from '../../errors/calls.js';
import { settle } from '../helpers/model.js';
import { eventually } from '../helpers/ports.js';
import { startHttpServer } from '../helpers/servers.js';

const instance = (id: string, port: number, extra: { service?: string; agents?: string[] } = {}) => ({
  id,
  service: extra.service ?? 'users',
  endpoint: `http://127.0.0.1:${port}`,
  ...(extra.agents ? { agents: extra.agents } : {}),
});

function throws(fn: () => void, type: new (...args: never[]) => Error): void {
  try {
    fn();
  } catch (error) {
    assert.instance(error, type, `got ${String(error)}`);
    return;
  }
  throw new Error(`expected a ${type.name}`);
}

test('bad input is a typed error to the caller and a counted, dropped event for the chart', async () => {
  const registry = createRegistry({ clock: new SimulatedClock(), healthCheckIntervalMs: 0 });
  throws(() => registry.register({ ...instance('', 1) }), InvalidInstanceError);
  throws(() => registry.register({ ...instance('x', 1), endpoint: 'not a url' }), InvalidInstanceError);
  throws(() => registry.register({ ...instance('x', 1), endpoint: 'ftp://127.0.0.1:1' }), InvalidInstanceError);
  throws(() => registry.register({ ...instance('x', 1), service: ' ' }), InvalidInstanceError);
  registry.register(instance('a', 1));
  registry.register(instance('a', 1)); // same endpoint: a refresh
  throws(() => registry.register(instance('a', 2)), DuplicateInstanceError);
  throws(() => registry.deregister('nope'), InstanceNotFoundError);
  throws(() => registry.heartbeat('nope'), InstanceNotFoundError);
  registry.actor.send({ type: 'instance.register', instance: { id: '', service: 's', endpoint: 'x' } });
  registry.actor.send({ type: 'instance.register', instance: null as never });
  registry.actor.send({ type: 'instance.heartbeat', id: 'nope' });
  assert.is(registry.actor.getSnapshot().status, 'active');
  assert.is(registry.statistics().rejected, 3);
  assert.is(registry.statistics().instances, 1);
  await registry.stop();
});

test('lookups: healthy instances per service and agent, statistics, deregister', async () => {
  const registry = createRegistry({ clock: new SimulatedClock(), healthCheckIntervalMs: 0 });
  registry.register(instance('a', 1, { agents: ['ListUsers'] }));
  registry.register(instance('b', 2));
  registry.register(instance('c', 3, { service: 'orders' }));
  assert.equal(registry.listServices(), ['orders', 'users']);
  assert.equal(registry.getHealthyInstances('users').map((r) => r.id), ['a', 'b']);
  assert.equal(registry.getHealthyInstances('users', 'CreateUser').map((r) => r.id), ['b'], 'an empty agents list serves any agent');
  registry.markUnhealthy('a');
  assert.equal(registry.getHealthyInstances('users').map((r) => r.id), ['b']);
  assert.is(registry.getInstance('a')?.status, 'unhealthy');
  registry.markHealthy('a');
  assert.equal(registry.getHealthyInstances('users', 'ListUsers').map((r) => r.id), ['a', 'b']);
  registry.deregister('c');
  assert.equal(registry.listServices(), ['users']);
  const stats = registry.statistics();
  assert.equal([stats.services, stats.instances, stats.healthy, stats.byService.users], [1, 2, 2, { total: 2, healthy: 2 }]);
  await registry.stop();
});

test('an instance expires when no heartbeat arrives within the TTL; a heartbeat revives it', async () => {
  const clock = new SimulatedClock();
  const registry = createRegistry({ clock, heartbeatTtlMs: 1000, healthCheckIntervalMs: 0 });
  registry.register(instance('a', 1));
  registry.register(instance('b', 2));
  clock.increment(600);
  registry.heartbeat('a');
  clock.increment(399);
  assert.is(registry.getInstance('b')?.status, 'healthy');
  clock.increment(1);
  assert.is(registry.getInstance('b')?.status, 'expired');
  assert.equal(registry.getHealthyInstances('users').map((r) => r.id), ['a']);
  registry.markHealthy('b');
  assert.is(registry.getInstance('b')?.status, 'expired', 'only a sign of life revives an expired instance');
  clock.increment(600);
  assert.is(registry.getInstance('a')?.status, 'expired');
  registry.heartbeat('a');
  assert.is(registry.getInstance('a')?.status, 'healthy');
  assert.is(registry.statistics().expirations, 2);
  await registry.stop();
});

test('an expired instance is removed expiredRetentionMs after it expired (dead instances do not pile up)', async () => {
  const clock = new SimulatedClock();
  const registry = createRegistry({ clock, heartbeatTtlMs: 1000, expiredRetentionMs: 5000, healthCheckIntervalMs: 0 });
  registry.register(instance('a', 1));
  registry.register(instance('b', 2));
  clock.increment(1000);
  assert.is(registry.getInstance('a')?.status, 'expired');
  registry.heartbeat('b'); // a sign of life within the retention revives it
  assert.is(registry.getInstance('b')?.status, 'healthy');
  clock.increment(4999);
  assert.is(registry.getInstance('a')?.status, 'expired', 'kept (and revivable) during the retention');
  clock.increment(1);
  assert.is(registry.getInstance('a'), undefined);
  assert.is(registry.getInstance('b')?.status, 'expired', 'b expired again at 2000 and waits out its own retention');
  throws(() => registry.heartbeat('a'), InstanceNotFoundError);
  assert.is(registry.statistics().purged, 1);
  assert.is(registry.counters().purged, 1);
  // Churn: instances that die without deregistering leave nothing behind.
  for (let i = 0; i < 50; i++) registry.register(instance(`churn${i}`, 100 + i));
  clock.increment(7000);
  assert.equal(registry.getAllInstances('users').map((r) => r.id), []);
  assert.is(registry.statistics().purged, 52);
  await registry.stop();
});

test('an instance registered (or revived) while only a far-off removal is scheduled still expires on time', async () => {
  const clock = new SimulatedClock();
  const registry = createRegistry({ clock, heartbeatTtlMs: 1000, expiredRetentionMs: 300_000, healthCheckIntervalMs: 0 });
  registry.register(instance('a', 1));
  clock.increment(1000);
  assert.is(registry.getInstance('a')?.status, 'expired'); // the next deadline is a's removal, 300 s on
  clock.increment(1000);
  registry.register(instance('b', 2));
  clock.increment(1000);
  assert.is(registry.getInstance('b')?.status, 'expired', 'b expires at its own deadline, not at a removal far later');
  registry.heartbeat('a');
  clock.increment(1000);
  assert.is(registry.getInstance('a')?.status, 'expired', 'a revived, then expired again on time');
  await registry.stop();
});

test('expiredRetentionMs 0 keeps expired instances for good', async () => {
  const clock = new SimulatedClock();
  const registry = createRegistry({ clock, heartbeatTtlMs: 1000, expiredRetentionMs: 0, healthCheckIntervalMs: 0 });
  registry.register(instance('a', 1));
  clock.increment(1_000_000);
  assert.is(registry.getInstance('a')?.status, 'expired');
  await registry.stop();
});

test('an instance that leaves the registry releases the health check connection pool to its endpoint', async () => {
  let pings = 0;
  const server = await startHttpServer((_req, res) => {
    pings++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"status":"ok"}');
  });
  server.server.keepAliveTimeout = 60_000; // only the client closing its pool ends the connection
  const connections = () => new Promise<number>((resolve) => server.server.getConnections((_error, count) => resolve(count)));
  const registry = createRegistry({ healthCheckIntervalMs: 20, heartbeatTtlMs: 0 });
  try {
    registry.register({ id: 'p', service: 'users', endpoint: server.url });
    await eventually(() => pings > 0, 'a health check ping', 2000);
    assert.is(await connections(), 1);
    registry.deregister('p');
    const deadline = Date.now() + 3000;
    while ((await connections()) > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.is(await connections(), 0, 'the pool to a departed endpoint is closed');
  } finally {
    await registry.stop();
    await server.close();
  }
});

test('the background health check marks instances by their ping and counts as a sign of life', async () => {
  const clock = new SimulatedClock();
  const down = new Set<string>();
  const registry = createRegistry({
    clock,
    heartbeatTtlMs: 1000,
    healthCheckIntervalMs: 300,
    ping: async (endpoint) => {
      if (down.has(endpoint)) throw new Error('ECONNREFUSED');
    },
  });
  registry.register(instance('a', 1));
  registry.register(instance('b', 2));
  down.add('http://127.0.0.1:2');
  clock.increment(300);
  await settle();
  assert.is(registry.getInstance('b')?.status, 'unhealthy');
  assert.is(registry.getInstance('a')?.status, 'healthy');
  down.clear();
  for (let i = 0; i < 4; i++) {
    clock.increment(300);
    await settle();
  }
  assert.is(registry.getInstance('b')?.status, 'healthy');
  assert.is(registry.getInstance('a')?.status, 'healthy', 'passing checks kept it from expiring');
  assert.ok(registry.statistics().checks >= 5);
  await registry.stop();
});

test('a registry restored from a snapshot re-arms its expiry deadline', async () => {
  const clock = new SimulatedClock();
  const registry = createRegistry({ clock, heartbeatTtlMs: 1000, healthCheckIntervalMs: 0 });
  registry.register(instance('a', 1));
  clock.increment(700);
  const persisted = JSON.parse(JSON.stringify(registry.actor.getPersistedSnapshot()));
  await registry.stop();
  const clock2 = new SimulatedClock();
  clock2.set(700);
  const restored = createRegistry({ clock: clock2, heartbeatTtlMs: 1000, healthCheckIntervalMs: 0, snapshot: persisted });
  assert.is(restored.getInstance('a')?.status, 'healthy');
  clock2.increment(299);
  assert.is(restored.getInstance('a')?.status, 'healthy');
  clock2.increment(1);
  assert.is(restored.getInstance('a')?.status, 'expired');
  await restored.stop();
});

test.run();
