import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Redis } from 'ioredis';
import { createRunner } from '../../actors/worker/worker.js';
import { redisQueue } from '../../adapters/worker/redis.js';
import type { Logger } from '../../adapters/logger.js';
import { eventually } from '../helpers/ports.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';

/**
 * A wake-up subscription Redis refuses (an ACL user without SUBSCRIBE): the runner keeps working
 * by polling, and the failure is logged and counted instead of passing in silence.
 */
let server: TestRedis | undefined;
const clients: Redis[] = [];
test.after(async () => {
  for (const client of clients) client.disconnect();
  await server?.stop();
});

test('a refused wake-up subscription is logged and counted; idle runners still find work by polling', async () => {
  server = await startRedis();
  if (!server || !server.owned) return; // an external REDIS_URL may not let us create ACL users
  const admin = new Redis(server.url);
  clients.push(admin);
  await admin.call('ACL', 'SETUSER', 'nosub', 'on', '>pw', '~*', '&*', '+@all', '-subscribe');
  const url = new URL(server.url);
  const redis = new Redis({ host: url.hostname, port: Number(url.port), username: 'nosub', password: 'pw' });
  clients.push(redis);
  const warnings: Array<{ message: string; fields?: Record<string, unknown> }> = [];
  const logger: Logger = { debug() {}, info() {}, error() {}, warn: (message, fields) => void warnings.push({ message, fields }) };
  const backend = redisQueue(redis, { name: 'nosub', logger });
  const ran: number[] = [];
  const runner = createRunner({ backend, idlePollMs: 50 });
  runner.registerWorker<number>({ name: 'w', perform: ({ payload }) => void ran.push(payload) });
  runner.start();
  await eventually(() => backend.diagnostics!().subscriptionFailures === 1, 'the failed subscription counted', 3000);
  assert.ok(warnings.some((w) => /subscription failed/.test(w.message) && /NOPERM|permission/i.test(String(w.fields?.error))), JSON.stringify(warnings));
  await runner.declare({ name: 'w', payload: 7 });
  await eventually(() => ran.includes(7), 'the job ran, found by polling', 3000);
  assert.is(runner.status().subscriptionFailures, 1);
  await runner.stop({ deadlineMs: 0 });
  await backend.close();
});

test.run();
