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
  /** The same data through a new store object (the file store replays its journal); closes the old one. */
  reopen(store: TaskStore<SampleTask>): Promise<TaskStore<SampleTask>>;
  /**
   * How the store orders tasks of one due time (or one age): by id for memory and file, by id as
   * text for Redis (a zset orders equal scores by member bytes: "10" before "9").
   */
  tie(a: number, b: number): number;
  teardown(): Promise<void>;
}

function contract(backend: Backend) {
  const t = suite(`TaskStore contract: ${backend.name}`);
  let available = true;
  t.before(async () => {
    available = await backend.setup();
  });
  t.after(() => backend.teardown());
  const it = (name: string, body: (store: TaskStore<SampleTask>, reopen: () => Promise<TaskStore<SampleTask>>) => Promise<void>) =>
    t(name, async () => {
      if (!available) return;
      let store = await backend.fresh();
      try {
        await body(store, async () => (store = await backend.reopen(store)));
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

  /** What a scan must answer, from the tasks' own fields: the reference the index is held to. */
  const expectedDue = (tasks: Iterable<SampleTask>, now: number, limit: number) =>
    [...tasks]
      .filter((task) => (task.status === 'sending' || task.status === 'failure') && task.nextRetryTime <= now)
      .sort((a, b) => a.nextRetryTime - b.nextRetryTime || backend.tie(a.id, b.id))
      .slice(0, limit)
      .map((task) => task.id);
  const expectedAged = (tasks: Iterable<SampleTask>, status: SampleTask['status'], before: number, limit: number) =>
    [...tasks]
      .filter((task) => task.status === status && task.requestTime < before)
      .sort((a, b) => a.requestTime - b.requestTime || backend.tie(a.id, b.id))
      .slice(0, limit)
      .map((task) => task.id);

  it('regression (issue 22): scans page by due time, ties in the store\'s order, through updates, deletes and a reopen', async (store, reopen) => {
    // 40 tasks over 5 due times (ties across the ids 9/10 boundary), created out of due order.
    const live = new Map<number, SampleTask>();
    const statuses: SampleTask['status'][] = ['sending', 'failure', 'success', 'sending', 'stopped'];
    for (let i = 0; i < 40; i++) {
      const { task } = await store.createTask(draft(`due-${i}`, { status: statuses[i % 5]!, nextRetryTime: 1000 + ((i * 3) % 5) * 100, requestTime: 50 + ((i * 7) % 4) * 10 }));
      live.set(task.id, task);
    }
    const check = async (label: string) => {
      for (const now of [999, 1000, 1200, 1400, 1e12]) {
        for (const limit of [1, 7, 16, 1000]) {
          assert.equal(await store.incompleteTaskIds(now, limit), expectedDue(live.values(), now, limit), `${label}: due at ${now}, page ${limit}`);
        }
      }
      for (const status of ['success', 'stopped', 'failure', 'sending'] as const) {
        for (const limit of [1, 5, 1000]) {
          assert.equal(await store.taskIdsToClean(status, 75, limit), expectedAged(live.values(), status, 75, limit), `${label}: ${status} before 75, page ${limit}`);
        }
      }
    };
    await check('created');
    // Move due times both ways, complete some, revive some, delete some.
    let n = 0;
    for (const task of [...live.values()]) {
      const k = n++;
      if (k % 6 === 0) {
        await store.deleteTask(task.id);
        live.delete(task.id);
        continue;
      }
      const changed: SampleTask = {
        ...task,
        status: k % 4 === 0 ? 'success' : k % 4 === 1 ? 'failure' : task.status,
        nextRetryTime: k % 3 === 0 ? 1000 : task.nextRetryTime + (k % 2 ? 300 : -100),
        requestTime: k % 5 === 0 ? 40 : task.requestTime,
      };
      assert.ok(await store.updateTask(changed));
      live.set(task.id, changed);
    }
    await check('updated');
    store = await reopen();
    await check('reopened');
  });

  it('regression (issue 22): a task changed in place and written back is scanned once, at its new time', async (store) => {
    const { task } = await store.createTask(draft('in-place', { nextRetryTime: 100 }));
    const other = (await store.createTask(draft('other', { nextRetryTime: 200 }))).task;
    const read = (await store.taskDetail(task.id))!;
    read.nextRetryTime = 300; // the store's own object, on the memory store: its index must not follow
    read.status = 'failure';
    assert.ok(await store.updateTask(read));
    assert.equal(await store.incompleteTaskIds(1000), [other.id, task.id]);
    assert.equal(await store.incompleteTaskIds(250), [other.id]);
    assert.equal(await store.countByStatus(), { sending: 1, success: 0, failure: 1, stopped: 0 });
    const done = (await store.taskDetail(task.id))!;
    done.status = 'success';
    assert.ok(await store.updateTask(done));
    assert.equal(await store.incompleteTaskIds(1000), [other.id]);
    assert.equal(await store.taskIdsToClean('success', 1e12), [task.id]);
    assert.equal(await store.taskIdsToClean('failure', 1e12), []);
  });

  it('taskIdsToClean pages oldest first; regression: a limit of 0 lists nothing (the memory store listed one)', async (store) => {
    const ids: number[] = [];
    for (const requestTime of [300, 100, 200, 100]) {
      const { task } = await store.createTask(draft(`age-${requestTime}-${ids.length}`, { requestTime, status: 'success' }));
      ids.push(task.id);
    }
    const tied = [ids[1]!, ids[3]!].sort(backend.tie);
    assert.equal(await store.taskIdsToClean('success', 1000), [...tied, ids[2], ids[0]]);
    assert.equal(await store.taskIdsToClean('success', 1000, 3), [...tied, ids[2]]);
    assert.equal(await store.incompleteTaskIds(1e12, 0), []);
    assert.equal(await store.taskIdsToClean('success', 1000, 0), []);
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
  // Nothing outlives a memory store: "reopening" keeps the same one.
  reopen: async (store) => store,
  tie: (a, b) => a - b,
  teardown: async () => {},
});

{
  const dirs: Array<{ remove(): Promise<void> }> = [];
  const dirOf = new Map<TaskStore<SampleTask>, string>();
  contract({
    name: 'file',
    setup: async () => true,
    fresh: async () => {
      const tmp = await tempDir();
      dirs.push(tmp);
      const store = fileStore<SampleTask>(tmp.dir);
      dirOf.set(store, tmp.dir);
      return store;
    },
    reopen: async (store) => {
      const dir = dirOf.get(store)!;
      await store.close();
      const again = fileStore<SampleTask>(dir);
      dirOf.set(again, dir);
      return again;
    },
    tie: (a, b) => a - b,
    teardown: async () => {
      await Promise.all(dirs.map((d) => d.remove()));
    },
  });
}

{
  let server: TestRedis | undefined;
  const clients: Redis[] = [];
  const clientOf = new Map<TaskStore<SampleTask>, { client: Redis; prefix: string }>();
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
      const store = redisStore<SampleTask>(client, { prefix: `contract-${++n}` });
      clientOf.set(store, { client, prefix: `contract-${n}` });
      return store;
    },
    reopen: async (store) => {
      const { client, prefix } = clientOf.get(store)!;
      const again = redisStore<SampleTask>(client, { prefix });
      clientOf.set(again, { client, prefix });
      return again;
    },
    tie: (a, b) => (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0),
    teardown: async () => {
      await Promise.all(clients.map((c) => c.quit().catch(() => c.disconnect())));
      await server?.stop();
    },
  });
}
