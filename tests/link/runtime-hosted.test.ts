import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createLink } from '../../actors/link/link.js';
import { createRuntime, type Runtime } from '../../runtime/index.js';
import { eventually } from '../helpers/ports.js';
import { linkFixture, type LinkFixture } from './helpers/fixture.js';

let fx: LinkFixture;
let runtime: Runtime | undefined;
test.before(async () => {
  fx = await linkFixture();
});
test.after(async () => {
  await runtime?.stop({ deadlineMs: 2000 });
  await fx.close();
});

test('hosted by the runtime: ready while open, status shows the link, stop drains (results sent) before closing', async () => {
  runtime = createRuntime();
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  runtime.spawn(
    (env) => {
      const link = createLink({ ...env, serverAddress: fx.server.url, agentId: 'hosted', agentKey: 'k' });
      link.registerTaskHandler('slow', async (_params, ctx) => {
        ctx.log('working');
        await Promise.race([gate, new Promise((r) => ctx.signal.addEventListener('abort', r))]);
        return 'finished';
      });
      return link;
    },
    { id: 'link' },
  );
  await eventually(() => runtime!.isReady(), 'runtime ready (link open)');
  const [status] = runtime.status();
  assert.is(status!.kind, 'facade');
  assert.equal(status!.state, { connection: 'open' });
  assert.is((status!.details as { reason: string }).reason, 'welcome');
  const { taskId } = fx.server.dispatch({ type: 'slow' }, 'hosted');
  await eventually(() => fx.server.reportsFor(taskId).length === 1, 'confirm');
  await runtime.stop({ deadlineMs: 3000 });
  release();
  assert.equal(fx.server.reportsFor(taskId).map((r) => r.type), ['task.confirm', 'task.log', 'task.result']);
  await eventually(() => !fx.server.agents().includes('hosted'), 'the server saw the link go');
});

test.run();
