import { test } from './helpers/uvu.js';
import * as assert from 'uvu/assert';
import { SimulatedClock, type AnyEventObject, type AnyMachineSnapshot } from 'xstate';
import { breakerMachine, type BreakerContext } from '../../machines/calls/breaker.js';
import { createBreaker, type BreakerFacade } from '../../actors/calls/breaker.js';
import { runModel, settle } from '../helpers/model.js';
import { MODEL_INPUT, breakerEvents, breakerStateKey, observed } from './helpers/breaker-model.js';

/**
 * The chart's model walked against the FACADE, not a bare actor: every event of a path becomes
 * what a user of createBreaker does to cause it (start a call, settle one, let time pass on the
 * SimulatedClock, reset, listen), and the facade's own actor must end where the chart says, taking
 * every transition of the chart itself. So the facade is checked to ask the chart on every path,
 * including the ones its hot path skips events on.
 */

interface Call {
  epoch: number;
  deadline: number;
  settled: boolean;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

interface Harness {
  readonly actor: BreakerFacade['actor'];
  breaker: BreakerFacade;
  clock: SimulatedClock;
  calls: Call[];
  listeners: Array<{ unsubscribe(): void }>;
}

const timeoutMs = MODEL_INPUT.callTimeoutMs!;
const context = (h: Harness) => h.actor.getSnapshot().context as BreakerContext;

/** Starts a call through the facade; it is pending (admitted) or refused, as the chart says. */
function startCall(h: Harness): Call | undefined {
  // Distinct start times, so one call's deadline never fires another of the same period.
  h.clock.increment(1);
  let call: Call | undefined;
  void h.breaker
    .execute(
      () =>
        new Promise((resolve, reject) => {
          call = { epoch: context(h).epoch, deadline: h.clock.now() + timeoutMs, settled: false, resolve, reject };
        }),
    )
    .catch(() => undefined);
  if (call) h.calls.push(call);
  return call;
}

/** The oldest unsettled call of the current period; in closed a new one when there is none (it passes). */
function callToSettle(h: Harness): Call | undefined {
  const epoch = context(h).epoch;
  const pending = h.calls.find((call) => !call.settled && call.epoch === epoch);
  if (pending || h.actor.getSnapshot().value !== 'closed') return pending;
  return startCall(h);
}

async function execute(h: Harness, event: AnyEventObject): Promise<void> {
  switch (event.type) {
    case 'call.requested':
      startCall(h);
      break;
    case 'call.succeeded':
    case 'call.failed': {
      const call = callToSettle(h);
      if (call) {
        call.settled = true;
        if (event.type === 'call.succeeded') call.resolve('ok');
        else call.reject(new Error('refused'));
      }
      break;
    }
    case 'call.timedOut': {
      const call = callToSettle(h);
      if (call) {
        call.settled = true;
        h.clock.increment(call.deadline - h.clock.now());
      }
      break;
    }
    case 'breaker.reset':
      h.breaker.reset();
      break;
    case 'breaker.isolate':
      h.breaker.isolate();
      break;
    case 'breaker.observe':
      h.listeners.push(h.breaker.on('breaker.succeeded', () => undefined));
      break;
    case 'breaker.unobserve':
      h.listeners.pop()?.unsubscribe();
      break;
    case 'xstate.after.halfOpenAfter.breaker.open':
      h.clock.increment(context(h).openUntil! - h.clock.now());
      break;
    default:
      throw new Error(`no facade operation for ${event.type}`);
  }
  await settle();
}

test('breaker facade: every state and transition of the chart, reached through createBreaker on simulated time', async () => {
  const coverage = await runModel<Harness>({
    machine: breakerMachine,
    input: MODEL_INPUT,
    events: breakerEvents,
    serializeState: breakerStateKey,
    start: (inspect) => {
      const clock = new SimulatedClock();
      const breaker = createBreaker({ ...MODEL_INPUT, clock, inspect });
      return { actor: breaker.actor, breaker, clock, calls: [], listeners: [] };
    },
    execute,
    check: (h, expected) => {
      const actual = h.actor.getSnapshot() as AnyMachineSnapshot;
      assert.equal(actual.value, expected.value);
      assert.equal(observed(actual.context as BreakerContext), observed(expected.context as BreakerContext));
    },
    stop: (h) => h.breaker.stop(),
  });
  assert.is(coverage.states.covered, coverage.states.total);
  assert.is(coverage.transitions.covered, coverage.transitions.total);
});

test.run();
