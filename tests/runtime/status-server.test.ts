import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createConnection } from 'node:net';
import { request } from 'undici';
import { leaseMachine } from '../../examples/charts/lease.js';
import { createRuntime } from '../../runtime/index.js';

async function get(url: string, method = 'GET') {
  const res = await request(url, { method: method as 'GET' });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text };
}

test('status endpoint over real HTTP: healthz, readyz (503 then 200), status, metrics, 404, 405', async () => {
  const runtime = createRuntime();
  const lease = runtime.spawn(leaseMachine, { id: 'lease' });
  const server = await runtime.serveStatus({ port: 0 });
  try {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await get(`${server.url}/healthz`);
    assert.is(health.status, 200);
    assert.equal(JSON.parse(health.text), { status: 'ok' });

    const notReady = await get(`${server.url}/readyz`);
    assert.is(notReady.status, 503, 'idle lease has no ready tag');
    assert.equal(JSON.parse(notReady.text).notReady, [{ id: 'lease', state: 'idle', status: 'running' }]);
    lease.send({ type: 'lease.acquire' });
    const ready = await get(`${server.url}/readyz`);
    assert.is(ready.status, 200);

    const status = await get(`${server.url}/status`);
    assert.is(status.status, 200);
    assert.match(String(status.headers['content-type']), 'application/json');
    const [actor] = JSON.parse(status.text).actors;
    assert.is(actor.id, 'lease');
    assert.is(actor.machineId, 'lease');
    assert.is(actor.state, 'held');
    assert.is(actor.restarts, 0);

    const metrics = await get(`${server.url}/metrics`);
    assert.is(metrics.status, 200);
    assert.match(String(metrics.headers['content-type']), 'text/plain; version=0.0.4');
    assert.match(metrics.text, 'statewire_actor_info{actor="lease",machine="lease",status="running"} 1');
    assert.match(metrics.text, 'statewire_actor_state{actor="lease",region="",state="held"} 1');
    assert.not.match(metrics.text, /="\{/, 'no JSON inside a label');
    assert.match(metrics.text, 'statewire_actor_restarts_total{actor="lease"} 0');
    assert.match(metrics.text, 'statewire_actor_ready{actor="lease"} 1');

    const missing = await get(`${server.url}/nope`);
    assert.is(missing.status, 404);
    assert.equal(JSON.parse(missing.text), { error: 'not found', path: '/nope' });

    const post = await get(`${server.url}/status`, 'POST');
    assert.is(post.status, 405);
    assert.is(post.headers.allow, 'GET, HEAD');
  } finally {
    await runtime.stop({ deadlineMs: 100 });
  }
  // stop() closed the server too
  let refused = false;
  await get(`${server.url}/healthz`).catch(() => (refused = true));
  assert.ok(refused, 'server closed with the runtime');
});

test('metrics: counters an actor registers are exported per actor, label values escaped', async () => {
  const runtime = createRuntime();
  runtime.spawn(leaseMachine, { id: 'a"b', counters: (s) => ({ renewals_total: (s as unknown as { context: { renewals: number } }).context.renewals }) });
  runtime.get('a"b')!.send({ type: 'lease.acquire' });
  runtime.get('a"b')!.send({ type: 'lease.renew' });
  const text = runtime.metrics();
  assert.match(text, '# TYPE statewire_renewals_total counter');
  assert.match(text, 'statewire_renewals_total{actor="a\\"b"} 1');
  await runtime.stop({ deadlineMs: 0 });
});

test('metrics: a counter that would collide with a built-in family or another counter, or counters that are not an object, leave the exposition valid', async () => {
  const runtime = createRuntime();
  runtime.spawn(leaseMachine, { id: 'x', counters: () => ({ actor_restarts_total: 99, 'a.b_total': 1, a_b_total: 2 }) });
  runtime.spawn(leaseMachine, { id: 'y', counters: () => null as never });
  const text = runtime.metrics();
  assert.is(text.match(/^# TYPE statewire_actor_restarts_total /gm)?.length, 1);
  assert.not.match(text, ' 99');
  assert.is(text.match(/^statewire_a_b_total\{actor="x"\}/gm)?.length, 1, 'one series per actor and name');
  assert.match(text, 'statewire_actor_info{actor="y"');
  await runtime.stop({ deadlineMs: 0 });
});

test('status endpoint: a request target that is not a URL gets 400 and the server keeps serving', async () => {
  const runtime = createRuntime();
  const server = await runtime.serveStatus();
  try {
    const first = await new Promise<string>((resolve, reject) => {
      const socket = createConnection(server.port, '127.0.0.1');
      let data = '';
      socket.on('data', (chunk) => (data += chunk));
      socket.once('error', reject);
      socket.once('close', () => resolve(data));
      socket.write('GET http://[ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    });
    assert.match(first.split('\r\n')[0] ?? '', /^HTTP\/1\.1 400/);
    assert.is((await get(`${server.url}/healthz`)).status, 200, 'still up');
  } finally {
    await runtime.stop({ deadlineMs: 0 });
  }
});

test('metrics: one statewire_actor_state series per active region, plain labels', async () => {
  const { activeStates } = await import('../../runtime/metrics.js');
  assert.equal(activeStates({ running: { work: 'idle', liveness: 'alive' } }), [
    { region: 'running.work', state: 'idle' },
    { region: 'running.liveness', state: 'alive' },
  ]);
  assert.equal(activeStates('held'), [{ region: '', state: 'held' }]);
  assert.equal(activeStates({ watch: { open: {} }, run: 'idle' }), [
    { region: 'watch', state: 'open' },
    { region: 'run', state: 'idle' },
  ]);
  assert.equal(activeStates(null), []);
});

test.run();
