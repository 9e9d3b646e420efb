import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createLink, type Link } from '../../actors/link/link.js';
import { startAgentServer, type AgentServer } from '../../examples/peers/agent-server.js';
import { eventually } from '../helpers/ports.js';

let server: AgentServer;
const links: Link[] = [];
test.before(async () => {
  server = await startAgentServer({ keys: { 'agent-r': 'secret' } });
});
test.after(async () => {
  await Promise.all(links.map((l) => l.close()));
  await server.close();
});

/** The wall clock, counting the timers armed on it and not yet fired or cleared. */
function countingClock() {
  const pending = new Set<NodeJS.Timeout>();
  return {
    pending,
    setTimeout: (fn: (...args: unknown[]) => void, ms: number) => {
      const handle = setTimeout(() => {
        pending.delete(handle);
        fn();
      }, ms);
      pending.add(handle);
      return handle;
    },
    clearTimeout: (handle: unknown) => {
      pending.delete(handle as NodeJS.Timeout);
      clearTimeout(handle as NodeJS.Timeout);
    },
  };
}

test('regression: a rejected link arms no more timers (it used to keep its retry-queue timers, and the process, alive)', async () => {
  const clock = countingClock();
  const link = createLink({ serverAddress: server.url, agentId: 'agent-r', agentKey: 'wrong', clock, retryQueueLoadIntervalMs: 20 });
  links.push(link);
  link.sendTaskLog('req', 'task-r', 'queued before the reject');
  await link.connect().catch(() => {});
  assert.is(link.status().state, 'rejected');
  await eventually(() => clock.pending.size === 0, 'no timer left armed', 1000);
  await new Promise((r) => setTimeout(r, 60));
  assert.is(clock.pending.size, 0, 'nothing re-armed');
  assert.is(link.counters().queue_memory, 1, 'the queued report stays until close()');
});

test.run();
