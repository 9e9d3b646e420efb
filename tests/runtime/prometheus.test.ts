import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as client from 'prom-client';
import { createActor, createMachine } from 'xstate';
import type { Facade, HostEnv } from '../../actors/host.js';
import { createRuntime, registerRuntimeMetrics } from '../../runtime/index.js';

/** statewire's series in the host's own prom-client registry, next to the app's metrics. */
test("the runtime's series join a prom-client registry the host owns, read at scrape time", async () => {
  const registry = new client.Registry();
  const appRequests = new client.Counter({ name: 'app_requests_total', help: 'app', registers: [registry] });
  appRequests.inc(3);
  const runtime = createRuntime();
  let sent = 0;
  const facade = (_env: HostEnv): Facade => {
    const actor = createActor(createMachine({ id: 'pump', initial: 'idle', states: { idle: { on: { go: 'busy' } }, busy: {} } }));
    return { actor, start: () => void actor.start(), stop: async () => void actor.stop(), status: () => ({}), counters: () => ({ pump_sent_total: sent, pump_queue: 2 }) };
  };
  const pump = runtime.spawn(facade, { id: 'pump-1' });
  await new Promise((resolve) => setTimeout(resolve, 10));
  const unregister = registerRuntimeMetrics(runtime, client, registry);
  sent = 5;
  let text = await registry.metrics();
  assert.match(text, 'app_requests_total 3');
  assert.match(text, 'statewire_actor_state{actor="pump-1",region="",state="idle"} 1');
  assert.match(text, 'statewire_actor_info{actor="pump-1",machine="pump",status="running"} 1');
  assert.match(text, 'statewire_pump_sent_total{actor="pump-1"} 5');
  assert.match(text, '# TYPE statewire_pump_sent_total counter');
  assert.match(text, 'statewire_pump_queue{actor="pump-1"} 2');
  pump.send({ type: 'go' });
  sent = 9;
  text = await registry.metrics();
  assert.match(text, 'statewire_actor_state{actor="pump-1",region="",state="busy"} 1', 'a new state at the next scrape');
  assert.not.match(text, 'state="idle"', 'the old state series is gone');
  assert.match(text, 'statewire_pump_sent_total{actor="pump-1"} 9');
  unregister();
  text = await registry.metrics();
  assert.not.match(text, 'statewire_');
  assert.match(text, 'app_requests_total 3', "the app's own series untouched");
  await runtime.stop({ deadlineMs: 1000 });
});

test.run();
