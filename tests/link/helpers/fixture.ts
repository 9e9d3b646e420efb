import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLink, type Link, type LinkOptions } from '../../../actors/link/link.js';
import { startAgentServer, type AgentServer, type AgentServerOptions } from '../../../examples/peers/agent-server.js';

/**
 * A reference agent server plus the links and temp dirs a test file opens; `close()` releases all.
 * Each link gets its own agent id (`agent-1`, `agent-2`, …) so `dispatch(task, id)` reaches it.
 */
export interface LinkFixture {
  server: AgentServer;
  link(overrides?: Partial<LinkOptions>): Link;
  tempDir(): Promise<string>;
  close(): Promise<void>;
}

export async function linkFixture(serverOptions: AgentServerOptions = {}): Promise<LinkFixture> {
  const server = await startAgentServer(serverOptions);
  const links: Link[] = [];
  const dirs: string[] = [];
  let count = 0;
  return {
    server,
    link(overrides = {}) {
      const link = createLink({
        serverAddress: server.url,
        agentId: `agent-${++count}`,
        agentKey: 'secret',
        reconnectInitialMs: 20,
        reconnectMaxMs: 100,
        closeTimeoutMs: 1000,
        ...overrides,
      });
      links.push(link);
      return link;
    },
    async tempDir() {
      const dir = await mkdtemp(join(tmpdir(), 'sw-link-'));
      dirs.push(dir);
      return dir;
    },
    async close() {
      await Promise.all(links.map((l) => l.close()));
      await server.close();
      await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
    },
  };
}

/** The reports of one task as `type[:seq]` strings, to compare against an expected sequence. */
export function shape(reports: Array<{ type: string; seq?: number }>): string[] {
  return reports.map((r) => (r.type === 'task.log' ? `log:${r.seq}` : r.type.replace('task.', '')));
}
