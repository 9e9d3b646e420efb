import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createAutoHttp } from '../../actors/delivery/delivery.js';
import { startHttpServer } from '../helpers/servers.js';
import { tempDir } from './helpers/store-fixtures.js';

/**
 * The durability promise: the task is in the store — for the default file store, in its
 * journal on disk — before the first byte of its request is sent. The receiver itself looks.
 */
test('file store (the default): the receiver finds the task in the journal when its request arrives', async () => {
  const tmp = await tempDir();
  const seen: boolean[] = [];
  const server = await startHttpServer((req, res) => {
    const id = new URL(req.url ?? '/', 'http://x').searchParams.get('id') ?? '';
    seen.push(readFileSync(join(tmp.dir, 'journal.log'), 'utf8').includes(`"businessId":"${id}"`));
    req.resume();
    req.once('end', () => res.end('ok'));
  });
  const delivery = createAutoHttp({ storeDir: tmp.dir, loopIntervalMs: 50 });
  try {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => delivery.postJson('d', `k-${i}`, `${server.url}/hook?id=k-${i}`, { i })));
    assert.ok(results.every((r) => r.statusCode === 200));
    assert.is(seen.length, 20);
    assert.ok(seen.every(Boolean), 'every task was on disk before its request');
  } finally {
    await delivery.close();
    await server.close();
    await tmp.remove();
  }
});

test.run();
