import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { start } from '../../examples/fleet/sidecar.js';
import { eventually } from '../helpers/ports.js';

test('fleet part: hosts two services against its own agent, shows activity, stops cleanly', async () => {
  const part = await start();
  const facades = part.actors.map(({ id, create }) => create({ id }));
  try {
    assert.equal(part.actors.map((a) => a.id), ['sidecar-orders', 'sidecar-billing']);
    for (const facade of facades) await facade.start();
    await eventually(() => part.actors.every(({ id }) => /watch=registered replays=1 /.test(part.summary(id))), 'both registered');
    await eventually(() => part.actors.every(({ id }) => /replays=[2-9]/.test(part.summary(id))), 'a drop and a replay', 5000);
  } finally {
    await Promise.all(facades.map((facade) => facade.stop()));
    await part.stop();
  }
  assert.match(part.summary('sidecar-orders'), /watch=off/);
});

test.run();
