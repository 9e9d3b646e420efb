import { test } from './helpers/uvu.js';
import * as assert from 'uvu/assert';
import { createActor, SimulatedClock, type InspectionEvent, type SnapshotFrom } from 'xstate';
import { createCoordinator } from '../../actors/calls/coordinator.js';
import { rearmDelays } from '../../machines/xstate-internals.js';
import { coordinatorMachine } from '../../machines/calls/coordinator.js';
import { startAgentService, type AgentService } from '../../examples/peers/agent-service.js';
import { AllInstancesFailedError, ErrCircuitOpen } from '../../errors/calls.js';

let service: AgentService;
test.before(async () => {
  service = await startAgentService({ name: 'r' });
});
test.after(() => service.close());

const options = () => ({ registry: { healthCheckIntervalMs: 0, heartbeatTtlMs: 5000 }, breaker: { maxFailures: 5, timeoutMs: 1000 } });

test('a successful call through the coordinator costs no chart event once the breaker exists', async () => {
  const events: string[] = [];
  const inspect = (event: InspectionEvent) => {
    if (event.type === '@xstate.event') events.push(event.event.type);
  };
  const coordinator = createCoordinator({ ...options(), inspect, instances: [{ id: 'r', service: 'svc', endpoint: service.url }] });
  try {
    await coordinator.executeAgent('svc', 'echo', { task: 'first' }); // spawns the endpoint's breaker
    const before = events.length;
    for (let i = 0; i < 20; i++) await coordinator.executeAgent('svc', 'echo', { task: `t${i}` });
    assert.equal(events.slice(before), []);
  } finally {
    await coordinator.stop();
  }
});

test('a coordinator restored from its snapshot keeps instances and breakers, and re-arms their deadlines', async () => {
  const clock = new SimulatedClock();
  const first = createCoordinator({ ...options(), clock, instances: [{ id: 'r', service: 'svc', endpoint: service.url }] });
  await first.executeAgent('svc', 'echo', { task: 'x' });
  // Open the breaker by hand through its chart (5 counted failures) at t = 0.
  const ref = first.actor.getSnapshot().children[`breaker:${service.url}`]!;
  for (let i = 0; i < 5; i++) (ref as { send(e: unknown): void }).send({ type: 'call.failed' });
  assert.is(first.breaker(service.url)!.state, 'open');
  clock.increment(600);
  const persisted = JSON.parse(JSON.stringify(first.actor.getPersistedSnapshot()));
  await first.stop();

  // One rearmDelays on the root reaches the children: registry expiry + health check, the open breaker.
  const bare = createActor(coordinatorMachine, { clock: new SimulatedClock(), input: {}, snapshot: persisted as SnapshotFrom<typeof coordinatorMachine> }).start();
  assert.is(rearmDelays(bare), 3);
  bare.stop();

  const clock2 = new SimulatedClock();
  clock2.set(600);
  const restored = createCoordinator({ ...options(), clock: clock2, snapshot: persisted });
  try {
    assert.is(restored.registry.getInstance('r')?.endpoint, service.url);
    const refused = await restored.executeAgent('svc', 'echo', { task: 'y' }).catch((error: unknown) => error);
    assert.instance(refused, AllInstancesFailedError);
    assert.instance((refused as AllInstancesFailedError).cause, ErrCircuitOpen);
    restored.registry.markHealthy('r');
    clock2.increment(399);
    assert.is(restored.breaker(service.url)!.state, 'open');
    clock2.increment(1);
    assert.is(restored.breaker(service.url)!.state, 'halfOpen');
    assert.is((await restored.executeAgent('svc', 'echo', { task: 'z' })).result, 'z');
    assert.is(restored.breaker(service.url)!.state, 'closed');
    // The registry's expiry deadline (registered at t = 0, TTL 5000) was re-armed too.
    clock2.increment(3999);
    assert.is(restored.registry.getInstance('r')?.status, 'healthy');
    clock2.increment(1);
    assert.is(restored.registry.getInstance('r')?.status, 'expired');
  } finally {
    await restored.stop();
  }
});

test('a coordinator restored with a breaker probe in flight lets a new probe through', async () => {
  const clock = new SimulatedClock();
  const first = createCoordinator({ ...options(), clock, instances: [{ id: 'r', service: 'svc', endpoint: service.url }] });
  await first.executeAgent('svc', 'echo', { task: 'x' });
  const ref = first.actor.getSnapshot().children[`breaker:${service.url}`]!;
  for (let i = 0; i < 5; i++) (ref as { send(e: unknown): void }).send({ type: 'call.failed' });
  clock.increment(1000);
  const breaker = first.breaker(service.url)!;
  assert.is(breaker.state, 'halfOpen');
  void breaker.execute(() => new Promise(() => {})); // the probe of a process about to die
  const persisted = JSON.parse(JSON.stringify(first.actor.getPersistedSnapshot()));
  await first.stop();

  const clock2 = new SimulatedClock();
  clock2.set(1000);
  const restored = createCoordinator({ ...options(), clock: clock2, snapshot: persisted });
  try {
    assert.is(restored.breaker(service.url), undefined, 'no handle until the endpoint is called');
    assert.is((await restored.executeAgent('svc', 'echo', { task: 'after' })).result, 'after');
    assert.is(restored.breaker(service.url)!.state, 'closed');
  } finally {
    await restored.stop();
  }
});

test.run();
