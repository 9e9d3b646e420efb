import type { HostEnv } from '../../actors/host.js';
import { createLink, type Link } from '../../actors/link/link.js';
import { startAgentServer } from '../peers/agent-server.js';
import type { DemoPart } from './part.js';

/**
 * The link's share of the fleet demo: a reference agent server on loopback, two agents linked to
 * it, a few `build` tasks a second dispatched to them, and every 12 s the server drops every
 * connection so the table shows the links back off, reconnect and re-send. Memory retry queue
 * only (no files written).
 */
const AGENTS = ['agent-a', 'agent-b'];
const DISPATCH_EVERY_MS = 400;
const DROP_EVERY_MS = 12_000;
/** Tasks the demo keeps running at most per agent: the load stays light whatever happens. */
const MAX_RUNNING = 4;

export async function start(): Promise<DemoPart> {
  const server = await startAgentServer();
  const links = new Map<string, Link>();

  const create = (agentId: string) => (env: HostEnv) => {
    const link = createLink({
      ...env,
      serverAddress: server.url,
      agentId,
      agentKey: 'demo-key',
      pingIntervalMs: 5_000,
      logFlushIntervalMs: 200,
    });
    link.registerTaskHandler('build', async (params, ctx) => {
      const steps = (params as { steps?: number } | null)?.steps ?? 3;
      for (let step = 1; step <= steps; step++) {
        ctx.log(`step ${step}/${steps}`);
        await pause(150, ctx.signal);
      }
      return { artifacts: steps };
    });
    links.set(agentId, link);
    return link;
  };

  const dispatcher = setInterval(() => {
    for (const [agentId, link] of links) {
      if (!link.isConnected() || link.counters().tasks_running >= MAX_RUNNING) continue;
      try {
        server.dispatch({ type: 'build', params: { steps: 2 + Math.floor(Math.random() * 3) } }, agentId);
      } catch {
        // The agent dropped between the check and the send: the next tick tries again.
      }
    }
  }, DISPATCH_EVERY_MS);
  const dropper = setInterval(() => server.dropConnections(), DROP_EVERY_MS);

  return {
    staged: 'the agent server drops every connection every 12 s: back off, reconnect, re-send',
    actors: AGENTS.map((id) => ({ id, create: create(id) })),
    summary(id) {
      const link = links.get(id);
      if (!link) return 'not started';
      const c = link.counters();
      return `${link.status().state} tasks=${c.tasks_succeeded + c.tasks_failed} acked=${c.reports_acked} queued=${c.in_flight + c.queue_memory + c.queue_disk} opens=${c.opens}`;
    },
    async stop() {
      clearInterval(dispatcher);
      clearInterval(dropper);
      await Promise.all([...links.values()].map((link) => link.close()));
      await server.close();
    },
  };
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error('aborted'));
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new Error('aborted'));
    }, { once: true });
  });
}
