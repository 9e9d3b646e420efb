import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Redis } from 'ioredis';
import { fileStore } from '../../adapters/delivery/file.js';
import { memoryStore } from '../../adapters/delivery/memory.js';
import { redisStore } from '../../adapters/delivery/redis.js';
import type { TaskStore } from '../../adapters/delivery/task-store.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import { draft, tempDir, type SampleTask } from './helpers/store-fixtures.js';

/**
 * The TaskStore contract: the same cases against every implementation. Each case gets a fresh,
 * empty store from `fresh()`.
 */
interface Backend {
  name: string;
  setup(): Promise<boolean>;
  fresh(): Promise<TaskStore<SampleTask>>;
  teardown(): Promise<void>;
}

function contract(backend: Backend) {
  const t = suite(`TaskStore contract: ${backend.name}`);
  let available = true;
  t.before(async () => {
    available = await backend.setup();
  });
  t.after(() => backend.teardown());
  const it = (name: string, body: (store: TaskStore<SampleTask>) => Promise<void>) =>
    t(name, async () => {
      if (!available) return;
      const store = await backend.fresh();
      try {
        await body(store);
      } finally {
        await store.close();
      }
    });

  it('createTask assigns fresh ids and stores the whole task', async (store) => {
    const a = await store.createTask(draft('a'));
    const b = await store.createTask(draft('b'));
    assert.ok(a.created && b.created);
    assert.is.not(a.task.id, b.task.id);
    const read = await store.taskDetail(a.task.id);
    assert.equal(read, { ...draft('a'), id: a.task.id });
    assert.equal(await store.taskDetailByBusiness('order', 'b'), { ...draft('b'), id: b.task.id });
    assert.is(await store.taskDetail(999_999), undefined);
    assert.is(await store.taskDetailByBusiness('order', 'nope'), undefined);
  });

  it('a second create with the same business key returns the existing task and writes nothing', async (store) => {
    const first = await store.createTask(draft('dup', { url: 'http://first/' }));
    const second = await store.createTask(draft('dup', { url: 'http://second/' }));
    assert.is(second.created, false);
    assert.is(second.task.id, first.task.id);
    assert.is(second.task.url, 'http://first/');
    const other = await store.createTask(draft('dup', { businessType: 'invoice' }));
    assert.ok(other.created, 'the key is the pair (type, id)');
  });

  it('concurrent creates with one business key: exactly one is created', async (store) => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.createTask(draft('race', { url: `u${i}` }))));
    assert.is(results.filter((r) => r.created).length, 1);
    assert.is(new Set(results.map((r) => r.task.id)).size, 1);
  });

  it('updateTask replaces; it does not resurrect a deleted task', async (store) => {
    const { task } = await store.createTask(draft('u'));
    assert.ok(await store.updateTask({ ...task, status: 'failure', nextRetryTime: 5000, headers: { a: 'b' } }));
    assert.equal((await store.taskDetail(task.id))?.headers, { a: 'b' });
    await store.deleteTask(task.id);
    assert.is(await store.updateTask({ ...task, status: 'failure' }), false);
    assert.is(await store.taskDetail(task.id), undefined);
  });

  it('incompleteTaskIds: sending and failure tasks due by now, earliest first, limited', async (store) => {
    const ids: Record<string, number> = {};
    const specs = [
      ['late', 'failure', 3000],
      ['early', 'sending', 500],
      ['mid', 'failure', 2000],
      ['future', 'failure', 9000],
      ['done', 'success', 0],
      ['halted', 'stopped', 0],
    ] as const;
    for (const [id, status, next] of specs) {
      const { task } = await store.createTask(draft(id));
      ids[id] = task.id;
      await store.updateTask({ ...task, status, nextRetryTime: next });
    }
    assert.equal(await store.incompleteTaskIds(3000), [ids.early, ids.mid, ids.late]);
    assert.equal(await store.incompleteTaskIds(3000, 2), [ids.early, ids.mid]);
    assert.equal(await store.incompleteTaskIds(100), []);
  });

  it('taskIdsToClean: by status, created before the given time', async (store) => {
    const make = async (id: string, status: SampleTask['status'], requestTime: number) => {
      const { task } = await store.createTask(draft(id, { requestTime }));
      await store.updateTask({ ...task, status });
      return task.id;
    };
    const oldOk = await make('old-ok', 'success', 100);
    await make('new-ok', 'success', 5000);
    const oldStopped = await make('old-stopped', 'stopped', 100);
    await make('old-failed', 'failure', 100);
    assert.equal(await store.taskIdsToClean('success', 1000), [oldOk]);
    assert.equal(await store.taskIdsToClean('stopped', 1000), [oldStopped]);
    assert.equal((await store.taskIdsToClean('failure', 1000)).length, 1);
    assert.equal(await store.taskIdsToClean('success', 100), [], 'strictly before');
  });

  it('deleteTask removes it from every index and frees its business key; ids are not reused', async (store) => {
    const { task } = await store.createTask(draft('gone'));
    await store.deleteTask(task.id);
    await store.deleteTask(task.id);
    assert.is(await store.taskDetailByBusiness('order', 'gone'), undefined);
    assert.equal(await store.incompleteTaskIds(1e12), []);
    assert.equal(await store.taskIdsToClean('sending', 1e12), []);
    const again = await store.createTask(draft('gone'));
    assert.ok(again.created);
    assert.ok(again.task.id > task.id);
  });

  it('countByStatus follows creates, updates and deletes', async (store) => {
    assert.equal(await store.countByStatus(), { sending: 0, success: 0, failure: 0, stopped: 0 });
    const a = await store.createTask(draft('c1'));
    const b = await store.createTask(draft('c2'));
    await store.createTask(draft('c3'));
    await store.updateTask({ ...a.task, status: 'failure' });
    await store.updateTask({ ...b.task, status: 'success' });
    await store.updateTask({ ...b.task, status: 'stopped' });
    assert.equal(await store.countByStatus(), { sending: 1, success: 0, failure: 1, stopped: 1 });
    await store.deleteTask(a.task.id);
    assert.equal(await store.countByStatus(), { sending: 1, success: 0, failure: 0, stopped: 1 });
  });

  it('a task read back is a copy: changing it does not change the store', async (store) => {
    const input = draft('copy');
    const { task } = await store.createTask(input);
    input.headers['x-sign'] = 'changed';
    assert.is((await store.taskDetail(task.id))?.headers['x-sign'], 'abc');
  });

  t.run();
}

contract({
  name: 'memory',
  setup: async () => true,
  fresh: async () => memoryStore<SampleTask>(),
  teardown: async () => {},
});

{
  const dirs: Array<{ remove(): Promise<void> }> = [];
  contract({
    name: 'file',
    setup: async () => true,
    fresh: async () => {
      const tmp = await tempDir();
      dirs.push(tmp);
      return fileStore<SampleTask>(tmp.dir);
    },
    teardown: async () => {
      await Promise.all(dirs.map((d) => d.remove()));
    },
  });
}

{
  let server: TestRedis | undefined;
  const clients: Redis[] = [];
  let n = 0;
  contract({
    name: 'redis',
    setup: async () => {
      server = await startRedis();
      return server !== undefined;
    },
    fresh: async () => {
      const client = new Redis(server!.url, { lazyConnect: false });
      clients.push(client);
      return redisStore<SampleTask>(client, { prefix: `contract-${++n}` });
    },
    teardown: async () => {
      await Promise.all(clients.map((c) => c.quit().catch(() => c.disconnect())));
      await server?.stop();
    },
  });
}
