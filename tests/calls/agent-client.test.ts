import { test } from './helpers/uvu.js';
import * as assert from 'uvu/assert';
import { createAgentClient, type BreakingAgentClient } from '../../actors/calls/agent-client.js';
import { startAgentService, type AgentService } from '../../examples/peers/agent-service.js';
import {
  AgentHttpStatusError,
  AgentNetworkError,
  AgentResponseError,
  InvalidInstanceError,
  AgentTaskFailedError,
  AgentTimeoutError,
  AgentWaitTimeoutError,
  ErrCircuitOpen,
} from '../../errors/calls.js';
import { parseRetryAfter } from '../../adapters/http/retry-after.js';
import { eventually, sleep } from '../helpers/ports.js';
import { startHttpServer } from '../helpers/servers.js';

let a: AgentService;
let b: AgentService;
let client: BreakingAgentClient;
const changes: string[] = [];

test.before(async () => {
  a = await startAgentService({ name: 'a' });
  b = await startAgentService({ name: 'b' });
  client = createAgentClient({
    requestTimeoutMs: 300,
    breaker: { maxFailures: 2, timeoutMs: 150, onStateChange: (endpoint, from, to) => changes.push(`${endpoint === a.url ? 'a' : 'b'}:${from}>${to}`) },
  });
});

test.after(async () => {
  await client.close();
  await a.close();
  await b.close();
});

async function rejects(promise: Promise<unknown>, type: new (...args: never[]) => Error): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    assert.instance(error, type, `got ${String(error)}`);
    return error as Error;
  }
  throw new Error(`expected a ${type.name}`);
}

test('execute, list agents and ping over the interface', async () => {
  const output = await client.executeAgent(a.url, 'echo', { task: 'hello', context: { n: 1 } });
  assert.equal(output, { result: 'hello', context: { n: 1 }, instance: 'a' });
  assert.equal(await client.listAgents(a.url), ['echo', 'sleep', 'fail']);
  await client.ping(a.url);
});

test('async execute, then poll until completed; a failed task is a typed error', async () => {
  const taskId = await client.executeAgentAsync(a.url, 'sleep', { task: 'later', context: { ms: 60 } });
  const first = await client.getAsyncResult(a.url, taskId);
  assert.equal(first, { status: 'running', completed: false });
  const output = await client.waitForAsyncResult(a.url, taskId, { pollIntervalMs: 10, deadlineMs: 2000 });
  assert.is(output.result, 'later');
  const failing = await client.executeAgentAsync(a.url, 'fail', { task: 'x', context: { ms: 10 } });
  await rejects(client.waitForAsyncResult(a.url, failing, { pollIntervalMs: 10, deadlineMs: 2000 }), AgentTaskFailedError);
});

test('waitForAsyncResult gives up at its overall deadline', async () => {
  const taskId = await client.executeAgentAsync(a.url, 'sleep', { task: 'slow', context: { ms: 1000 } });
  const started = Date.now();
  const error = await rejects(client.waitForAsyncResult(a.url, taskId, { pollIntervalMs: 20, deadlineMs: 100 }), AgentWaitTimeoutError);
  assert.ok(Date.now() - started < 600, 'stopped near the deadline');
  assert.is((error as AgentWaitTimeoutError).code, 'SW_AGENT_WAIT_TIMEOUT');
});

test('waitForAsyncResult keeps its deadline when the peer stops answering polls (no request timeout overshoot)', async () => {
  const patient = createAgentClient({ requestTimeoutMs: 10_000 });
  const taskId = await patient.executeAgentAsync(b.url, 'sleep', { task: 'slow', context: { ms: 5000 } });
  b.hang(true);
  try {
    const started = Date.now();
    await rejects(patient.waitForAsyncResult(b.url, taskId, { pollIntervalMs: 20, deadlineMs: 200 }), AgentWaitTimeoutError);
    assert.ok(Date.now() - started < 2000, `gave up after ${Date.now() - started} ms, deadline 200 ms`);
  } finally {
    b.hang(false);
    await patient.close();
  }
});

test('4xx is the caller fault: a typed error that never opens the breaker', async () => {
  for (let i = 0; i < 4; i++) {
    const error = await rejects(client.executeAgent(a.url, 'fail', { task: 'x', context: { status: 422 } }), AgentHttpStatusError);
    assert.is((error as AgentHttpStatusError).status, 422);
  }
  await rejects(client.executeAgent(a.url, 'no-such-agent', { task: 'x' }), AgentHttpStatusError);
  assert.is(client.breaker(a.url)?.state, 'closed');
});

test('a hanging peer times out per request', async () => {
  b.hang(true);
  try {
    const started = Date.now();
    await rejects(client.executeAgent(b.url, 'echo', { task: 'x' }), AgentTimeoutError);
    assert.ok(Date.now() - started < 1500);
  } finally {
    b.hang(false);
  }
  client.breaker(b.url)?.reset();
});

test('an answer trickled a byte at a time times out at requestTimeoutMs, however short each gap', async () => {
  const timers = new Set<NodeJS.Timeout>();
  const server = await startHttpServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"result":"');
    const timer = setInterval(() => res.write('x'), 30);
    timers.add(timer);
    res.once('close', () => clearInterval(timer));
  });
  const strict = createAgentClient({ requestTimeoutMs: 300 });
  try {
    const started = Date.now();
    // Bounded: without the whole-exchange deadline the call never settles.
    const outcome = await Promise.race([strict.executeAgent(server.url, 'echo', { task: 'x' }).catch((e: unknown) => e), sleep(3000).then(() => 'hung')]);
    assert.instance(outcome, AgentTimeoutError);
    const took = Date.now() - started;
    assert.ok(took >= 250 && took < 1500, `timed out after ${took} ms`);
  } finally {
    for (const timer of timers) clearInterval(timer);
    await strict.close();
    await server.close();
  }
});

test('a dead endpoint opens its own breaker only, fails fast, and closes after it comes back', async () => {
  await client.executeAgent(b.url, 'echo', { task: 'warm' });
  await a.down();
  await rejects(client.executeAgent(a.url, 'echo', { task: 'x' }), AgentNetworkError);
  await rejects(client.executeAgent(a.url, 'echo', { task: 'x' }), AgentNetworkError);
  assert.is(client.breaker(a.url)?.state, 'open');
  await rejects(client.executeAgent(a.url, 'echo', { task: 'x' }), ErrCircuitOpen);
  assert.is(client.breaker(b.url)?.state, 'closed');
  assert.is((await client.executeAgent(b.url, 'echo', { task: 'still' })).instance, 'b');
  await a.up();
  await eventually(() => client.breaker(a.url)?.state === 'halfOpen', 'halfOpen after timeoutMs', 2000);
  assert.is((await client.executeAgent(a.url, 'echo', { task: 'back' })).instance, 'a');
  assert.is(client.breaker(a.url)?.state, 'closed');
  assert.ok(changes.includes('a:closed>open') && changes.includes('a:open>halfOpen') && changes.includes('a:halfOpen>closed'), changes.join(','));
});

test('bad input: a malformed endpoint rejects with a typed error; a non-JSON answer is a typed error', async () => {
  const bad = client.executeAgent('not a url', 'echo', { task: 'x' });
  await rejects(bad, InvalidInstanceError);
  const garbage = await startHttpServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"result": oops');
  });
  try {
    const error = await rejects(client.executeAgent(garbage.url, 'echo', { task: 'x' }), AgentResponseError);
    assert.is((error as AgentResponseError).code, 'SW_AGENT_BAD_RESPONSE');
    await rejects(client.listAgents(garbage.url), AgentResponseError);
    assert.is(client.breaker(garbage.url)?.state, 'closed', 'the endpoint answered: not a breaker failure');
  } finally {
    await garbage.close();
  }
});

test('release forgets an endpoint: its breaker is stopped and dropped, a later call starts afresh', async () => {
  await client.executeAgent(b.url, 'echo', { task: 'warm' });
  const before = client.breaker(b.url) as unknown as { actor: { getSnapshot(): { status: string } } };
  assert.ok(before);
  await client.release(b.url);
  assert.is(client.breaker(b.url), undefined);
  assert.is(before.actor.getSnapshot().status, 'stopped', 'the standalone breaker actor is stopped');
  assert.ok(!(b.url in client.breakerStates()));
  assert.is((await client.executeAgent(b.url, 'echo', { task: 'again' })).instance, 'b');
  assert.is(client.breaker(b.url)?.state, 'closed');
  await client.release('http://127.0.0.1:1'); // never called: nothing to do
});

test('an oversized answer is a typed error, not read to the end, and no breaker failure', async () => {
  const big = JSON.stringify({ result: 'x'.repeat(2 << 20) });
  const server = await startHttpServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(big);
  });
  const small = createAgentClient({ maxResponseBytes: 1 << 20 });
  try {
    const error = await rejects(small.executeAgent(server.url, 'echo', { task: 'x' }), AgentResponseError);
    assert.match(error.message, /larger than 1048576 bytes/);
    assert.is(small.breaker(server.url)?.failures, 0);
    assert.is((await createAgentClientOnce(server.url)).result.length, 2 << 20, 'the default limit (16 MiB) lets it through');
  } finally {
    await small.close();
    await server.close();
  }
});

async function createAgentClientOnce(url: string) {
  const once = createAgentClient();
  try {
    return (await once.executeAgent(url, 'echo', { task: 'x' })) as { result: string };
  } finally {
    await once.close();
  }
}

test('Retry-After is read as seconds or as an HTTP date', () => {
  assert.is(parseRetryAfter('2', 0), 2000);
  assert.is(parseRetryAfter(new Date(10_000).toUTCString(), 4000), 6000);
  assert.is(parseRetryAfter('soon', 0), null);
  assert.is(parseRetryAfter(undefined, 0), null);
});

test.run();
