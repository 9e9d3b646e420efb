import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { memoryStore } from '../../adapters/delivery/memory.js';
import type { DeliveryTask } from '../../machines/delivery/task.js';
import { eventually } from '../helpers/ports.js';
import { fixtures } from './helpers/fixture.js';

const f = fixtures();
test.after(() => f.cleanup());

test('postJson: delivered on the first try, answered with the first attempt, not kept by default', async () => {
  const sink = await f.sink();
  const store = memoryStore<DeliveryTask>();
  const delivery = f.autoHttp({ store });
  const result = await delivery.postJson('order', 'o-1', `${sink.url}/hook`, { amount: 12 }, { 'x-trace': 't1' });
  assert.is(result.statusCode, 200);
  assert.is(result.body, '{"ok":true}');
  assert.is(result.status, 'success');
  assert.ok(result.created);
  assert.is(sink.requests.length, 1);
  const [request] = sink.requests;
  assert.is(request!.method, 'POST');
  assert.is(request!.path, '/hook');
  assert.is(request!.body, '{"amount":12}');
  assert.is(request!.headers['content-type'], 'application/json');
  assert.is(request!.headers['x-trace'], 't1');
  // The answer does not wait for the outcome's write; the write follows at once.
  await eventually(() => delivery.status().recorded.success === 1, 'success recorded');
  assert.is(await store.taskDetailByBusiness('order', 'o-1'), undefined, 'taskAddIfSuccess is off');
  assert.is(delivery.status().attempts, 1);
});

test('taskAddIfSuccess keeps the task, with its success recorded', async () => {
  const sink = await f.sink();
  const store = memoryStore<DeliveryTask>();
  const delivery = f.autoHttp({ store, taskAddIfSuccess: true });
  await delivery.postForm('order', 'o-2', sink.url, { a: '1', b: 'x y' });
  assert.is(sink.requests[0]!.body, 'a=1&b=x+y');
  assert.is(sink.requests[0]!.headers['content-type'], 'application/x-www-form-urlencoded');
  await eventually(async () => (await store.taskDetailByBusiness('order', 'o-2'))?.status === 'success', 'success recorded');
  const task = await store.taskDetailByBusiness('order', 'o-2');
  assert.is(task?.attempts, 1);
  assert.ok(task!.successTime > 0);
  assert.is(task?.status, 'success');
});

test('a second call with the same business key sends nothing and returns the existing task', async () => {
  const sink = await f.sink();
  const delivery = f.autoHttp({ taskAddIfSuccess: true });
  const first = await delivery.get('user', 'u-1', `${sink.url}/ping`);
  const second = await delivery.get('user', 'u-1', `${sink.url}/ping`);
  assert.is(second.created, false);
  assert.is(second.taskId, first.taskId);
  assert.is(second.status, 'success');
  assert.is(second.statusCode, 200);
  assert.is(sink.requests.length, 1);
  assert.is(sink.requests[0]!.method, 'GET');
  assert.is(delivery.status().duplicates, 1);
});

test('concurrent calls with one key: exactly one request reaches the receiver', async () => {
  const sink = await f.sink();
  const delivery = f.autoHttp();
  const results = await Promise.all(Array.from({ length: 10 }, () => delivery.postJson('order', 'same', sink.url, { n: 1 })));
  assert.is(results.filter((r) => r.created).length, 1);
  assert.is(sink.received(), 1);
});

test.run();
