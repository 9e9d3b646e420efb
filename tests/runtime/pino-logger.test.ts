import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createActor, createMachine } from 'xstate';
import { pino } from 'pino';
import type { Facade, HostEnv } from '../../actors/host.js';
import { createRuntime } from '../../runtime/index.js';

/** A host passes its pino logger to the runtime as it is; each facade logs as its actor. */
test('a pino logger given to the runtime receives the runtime\'s records and each facade\'s, tagged with its actor id', async () => {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'debug', base: undefined, timestamp: false }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  const runtime = createRuntime({ logger });
  const facade = (env: HostEnv): Facade => {
    const actor = createActor(createMachine({ id: 'quiet' }));
    return {
      actor,
      start: () => {
        actor.start();
        env.logger?.warn('facade started', { port: 7 });
      },
      stop: async () => void actor.stop(),
      status: () => ({}),
    };
  };
  runtime.spawn(facade, { id: 'edge-1' });
  runtime.on('actor.stopped', () => {
    throw new Error('listener bug');
  });
  await new Promise((resolve) => setTimeout(resolve, 10));
  await runtime.stop({ deadlineMs: 1000 });
  assert.ok(lines.some((l) => l.msg === 'facade started' && l.actor === 'edge-1' && l.port === 7 && l.level === 40), JSON.stringify(lines));
  assert.ok(lines.some((l) => l.msg === 'runtime listener threw' && l.level === 40), 'the runtime\'s own records reach pino too');
});

test.run();
