import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Facade } from '../../actors/host.js';
import { start } from '../../examples/fleet/link.js';
import { eventually } from '../helpers/ports.js';

test('fleet demo part: hosts two links on embedded defaults, runs tasks, stops cleanly', async () => {
  const part = await start();
  const facades: Facade[] = [];
  try {
    assert.equal(part.actors.map((a) => a.id), ['agent-a', 'agent-b']);
    for (const { id, create } of part.actors) {
      const facade = create({ id });
      facades.push(facade);
      await facade.start();
    }
    await eventually(() => part.actors.every(({ id }) => /tasks=[1-9]/.test(part.summary(id))), 'tasks done by both agents', 8000);
    assert.match(part.summary('agent-a'), /^connection\.open tasks=\d+ acked=\d+ queued=\d+ opens=1$/);
    assert.ok(facades[0]!.actor.getSnapshot().hasTag('ready'));
  } finally {
    await part.stop();
  }
  assert.is(part.summary('agent-a').startsWith('closed'), true);
});

test.run();
