import { test } from './helpers/uvu.js';
import * as assert from 'uvu/assert';
import { createActor } from 'xstate';
import { breakerMachine, breakerSettings, BREAKER_DEFAULTS, SAMPLING_DEFAULTS, type BreakerInput } from '../../machines/calls/breaker.js';
import { createBreaker } from '../../actors/calls/breaker.js';
import { createAgentClient } from '../../actors/calls/agent-client.js';
import { createCoordinator } from '../../actors/calls/coordinator.js';
import { ConfigError } from '../../errors/base.js';

// Every option is checked where it enters, with a typed ConfigError naming the field: each of these
// used to build a breaker that never opens (NaN), opens on the first failure (-1), turns every call
// into a probe (timeoutMs -5 or NaN) or refuses every probe (halfOpenMaxProbes 0).

const bad: Array<[string, BreakerInput & Record<string, unknown>]> = [
  ['maxFailures', { maxFailures: Number.NaN }],
  ['maxFailures', { maxFailures: -1 }],
  ['maxFailures', { maxFailures: 0 }],
  ['maxFailures', { maxFailures: 2.5 }],
  ['maxFailures', { maxFailures: Number.POSITIVE_INFINITY }],
  ['maxFailures', { maxFailures: '5' as never }],
  ['timeoutMs', { timeoutMs: -5 }],
  ['timeoutMs', { timeoutMs: Number.NaN }],
  ['timeoutMs', { timeoutMs: 2 ** 31 }],
  ['halfOpenMaxProbes', { halfOpenMaxProbes: 0 }],
  ['halfOpenMaxProbes', { halfOpenMaxProbes: 1.5 }],
  ['callTimeoutMs', { callTimeoutMs: -1 }],
  ['callTimeoutMs', { callTimeoutMs: Number.NaN }],
  ['name', { name: '' }],
  ['sampling', { sampling: 5 as never }],
  ['sampling.thresholdPercent', { sampling: { thresholdPercent: 100 } }],
  ['sampling.thresholdPercent', { sampling: { thresholdPercent: -1 } }],
  ['sampling.volumeThreshold', { sampling: { volumeThreshold: -1 } }],
  ['sampling.windowMs', { sampling: { windowMs: 0 } }],
  ['sampling.buckets', { sampling: { buckets: 0 } }],
  ['sampling.buckets', { sampling: { windowMs: 1000, buckets: 3 } }],
  ['maxFailures', { maxFailures: -1, sampling: {} }],
];

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    assert.instance(error, ConfigError, `got ${String(error)}`);
    assert.is((error as ConfigError).code, 'SW_CONFIG');
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

test('createBreaker refuses every option that cannot work, naming the field', () => {
  for (const [field, options] of bad) {
    const error = configError(() => createBreaker(options));
    assert.is(error.details.field, field, JSON.stringify(options));
  }
  configError(() => createBreaker({ isFailure: 'yes' as never }));
  configError(() => createBreaker({ onStateChange: 1 as never }));
});

test('the agent client and the coordinator refuse the same settings when created, not at the first call', () => {
  for (const [field, options] of bad.filter(([f]) => f !== 'name')) {
    assert.is(configError(() => createAgentClient({ breaker: options })).details.field, field);
    assert.is(configError(() => createCoordinator({ breaker: options })).details.field, field);
  }
  configError(() => createAgentClient({ breaker: { isFailure: 3 as never } }));
});

test('the bare chart refuses them too: its actor errors at start instead of running a breaker that cannot work', () => {
  const actor = createActor(breakerMachine, { input: { maxFailures: Number.NaN } });
  let failed: unknown;
  actor.subscribe({ error: (error) => (failed = error) });
  actor.start();
  assert.is(actor.getSnapshot().status, 'error');
  assert.instance(failed, ConfigError);
});

test('the defaults are the seed\'s; sampling alone drops the consecutive rule unless maxFailures is given', () => {
  assert.equal(breakerSettings({}), { ...BREAKER_DEFAULTS, sampling: null });
  assert.equal(breakerSettings({ sampling: {} }), { ...BREAKER_DEFAULTS, maxFailures: 0, sampling: { ...SAMPLING_DEFAULTS } });
  assert.is(breakerSettings({ sampling: {}, maxFailures: 3 }).maxFailures, 3);
  assert.is(breakerSettings({ timeoutMs: 0, callTimeoutMs: 0 }).timeoutMs, 0, '0 is a valid open time (halfOpen at once)');
});

test.run();
