/**
 * Model-based testing: walk a machine's graph with `xstate/graph`, replay every path against a
 * real actor, and fail unless every state and every transition of the machine definition was
 * exercised by the real actor.
 *
 * How a path runs: `start()` builds the system under test (a started actor of the same machine,
 * usually `.provide()`d with fakes, plus whatever harness the test needs) and hands the helper its
 * `inspect` callback; each step's event is then applied with `execute` (default: `actor.send`),
 * and `check` asserts the real actor is where the path says (default: same state value); on top of
 * any `check`, a real actor in `error` where the walk is not fails the path.
 * Coverage is read from the real actor's `@xstate.microstep` inspection events, so a transition
 * counts only when the real actor took it.
 *
 * Delayed transitions are walked by sending their `xstate.after.<delay>.<state id>` event, which
 * this helper adds to the events of every state that has one. Invoked actors are walked by the
 * `xstate.done.actor.<id>` / `xstate.error.actor.<id>` events the test lists in `events`; give the
 * real actor fakes that stay pending, so the path's events, not the fakes, decide.
 */
import { deepStrictEqual } from 'node:assert/strict';
import type { AnyActorRef, AnyEventObject, AnyMachineSnapshot, AnyStateMachine, AnyStateNode, InspectionEvent } from 'xstate';
import { transition } from 'xstate';
import { getShortestPaths, getSimplePaths, getStateNodes, type StatePath } from 'xstate/graph';

type Snap = AnyMachineSnapshot;
type Path = StatePath<Snap, AnyEventObject>;

export interface SystemUnderTest {
  readonly actor: AnyActorRef;
}

export interface ModelOptions<TSut extends SystemUnderTest> {
  /** The machine definition to walk (its states and transitions are the 100 % to reach). */
  machine: AnyStateMachine;
  input?: unknown;
  /** Events to try in a state. Delayed (`xstate.after.*`) events are added automatically. */
  events: (snapshot: Snap) => AnyEventObject[];
  /** What defines a state for the walk. Default: the state value. Keep counters and times out. */
  serializeState?: (snapshot: Snap) => string;
  /** Also walk simple paths (every loop-free path) on top of the shortest ones. Default false. */
  simplePaths?: boolean;
  /** Traversal limit handed to xstate/graph. Default 10 000. */
  limit?: number;
  /** Builds and starts the system under test; must create its actor with `{ inspect }`. */
  start: (inspect: (event: InspectionEvent) => void) => TSut | Promise<TSut>;
  /** Applies one event to the real system. Default: `sut.actor.send(event)`, then lets promises settle. */
  execute?: (sut: TSut, event: AnyEventObject) => void | Promise<void>;
  /** Asserts the real system matches the walked snapshot. Default: equal state values. */
  check?: (sut: TSut, expected: Snap) => void | Promise<void>;
  /** Tears the system down after each path. Default: `sut.actor.stop()`. */
  stop?: (sut: TSut) => void | Promise<void>;
  /** Print the coverage line (default true). */
  report?: boolean;
}

export interface ModelCoverage {
  machineId: string;
  paths: number;
  states: { covered: number; total: number; missing: string[] };
  transitions: { covered: number; total: number; missing: string[] };
}

/** Lets queued microtasks and immediate callbacks run (promise actors settle on microtasks). */
export async function settle(rounds = 3): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** The `xstate.after.*` events the active states of `snapshot` wait for. */
export function delayedEvents(snapshot: Snap): AnyEventObject[] {
  const events: AnyEventObject[] = [];
  for (const node of activeNodes(snapshot)) {
    for (const transition of node.after) events.push({ type: transition.eventType });
  }
  return events;
}

export async function runModel<TSut extends SystemUnderTest>(options: ModelOptions<TSut>): Promise<ModelCoverage> {
  const { machine } = options;
  const serializeState = options.serializeState ?? ((snapshot: Snap) => JSON.stringify(snapshot.value));
  const traversal = {
    input: options.input,
    events: (snapshot: Snap) => dedupeEvents([...options.events(snapshot), ...delayedEvents(snapshot)]),
    serializeState: (snapshot: Snap) => serializeState(snapshot),
    limit: options.limit ?? 10_000,
  };
  const shortest = getShortestPaths(machine, traversal as never) as Path[];
  const paths: Path[] = [...shortest, ...edgePaths(machine, shortest, traversal.events, serializeState)];
  if (options.simplePaths) paths.push(...(getSimplePaths(machine, traversal as never) as Path[]));

  const allStates = new Set(getStateNodes(machine).map((node) => node.id));
  const allTransitions = new Set(getStateNodes(machine).flatMap(transitionKeysOf));
  for (const key of transitionKeysOf(machine.root)) allTransitions.add(key);

  const seenStates = new Set<string>();
  const seenTransitions = new Set<string>();
  const execute = options.execute ?? (async (sut: TSut, event: AnyEventObject) => {
    sut.actor.send(event);
    await settle();
  });
  const check = options.check ?? ((sut: TSut, expected: Snap) => {
    deepStrictEqual(sut.actor.getSnapshot().value, expected.value);
  });

  for (const [index, path] of paths.entries()) {
    const steps = path.steps.filter((step) => step.event.type !== 'xstate.init');
    let root: AnyActorRef | undefined;
    const inspect = (event: InspectionEvent) => {
      if (event.actorRef !== root) return;
      if (event.type === '@xstate.microstep') {
        for (const transition of event._transitions) seenTransitions.add(transitionKey(transition));
      }
      if (event.type === '@xstate.microstep' || event.type === '@xstate.snapshot') {
        for (const node of activeNodes(event.snapshot as Snap)) seenStates.add(node.id);
      }
    };
    // Until start() returns, which actor is the system under test is unknown: hold its events, then
    // count only those of `sut.actor` (not of any other root the harness may have created and run).
    let held: InspectionEvent[] | undefined = [];
    const sut = await options.start((event) => (held ? held.push(event) : inspect(event)));
    root = sut.actor;
    for (const event of held) inspect(event);
    held = undefined;
    for (const node of activeNodes(sut.actor.getSnapshot() as Snap)) seenStates.add(node.id);
    const trail: string[] = [];
    try {
      for (const step of steps) {
        trail.push(step.event.type);
        await execute(sut, step.event);
        assertAlive(sut.actor, step.state);
        await check(sut, step.state);
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(`model path ${index + 1}/${paths.length} failed after [${trail.join(' → ')}]: ${message}`, { cause: error });
    } finally {
      await (options.stop ?? ((s: TSut) => s.actor.stop()))(sut);
    }
  }

  const missingStates = [...allStates].filter((id) => !seenStates.has(id));
  const missingTransitions = [...allTransitions].filter((key) => !seenTransitions.has(key));
  const coverage: ModelCoverage = {
    machineId: machine.id,
    paths: paths.length,
    states: { covered: allStates.size - missingStates.length, total: allStates.size, missing: missingStates },
    transitions: { covered: allTransitions.size - missingTransitions.length, total: allTransitions.size, missing: missingTransitions },
  };
  if (options.report !== false) console.log(`  ${formatCoverage(coverage)}`);
  if (missingStates.length || missingTransitions.length) {
    throw new Error(
      `${formatCoverage(coverage)}\n  states never entered: ${missingStates.join(', ') || '-'}\n  transitions never taken: ${missingTransitions.join(', ') || '-'}`,
    );
  }
  return coverage;
}

/**
 * Whatever `check` compares, a real actor that errored while the walk says it runs on has failed
 * the path: an action that throws on a self-transition leaves the state value as expected, and an
 * observer with an `error` callback (every facade has one) keeps XState from reporting it.
 */
function assertAlive(actor: AnyActorRef, expected: Snap): void {
  const snapshot = actor.getSnapshot() as { status: string; error?: unknown };
  if (snapshot.status === 'error' && expected.status !== 'error') {
    const reason = snapshot.error instanceof Error ? snapshot.error.message : String(snapshot.error);
    throw new Error(`the real actor errored (${reason}) where the model is ${expected.status}`, { cause: snapshot.error });
  }
}

export function formatCoverage(c: ModelCoverage): string {
  const all = c.states.total + c.transitions.total;
  const pct = all === 0 ? 100 : ((c.states.covered + c.transitions.covered) / all) * 100;
  return `model ${c.machineId}: ${c.paths} paths, states ${c.states.covered}/${c.states.total}, transitions ${c.transitions.covered}/${c.transitions.total} (${pct.toFixed(1)} %)`;
}

/**
 * Shortest paths reach every state; extending each by every event its end state accepts takes
 * every edge too (each (state, event) pair once), without the blow-up of all simple paths.
 */
function edgePaths(machine: AnyStateMachine, shortest: Path[], events: (s: Snap) => AnyEventObject[], serialize: (s: Snap) => string): Path[] {
  const extended: Path[] = [];
  const seen = new Set<string>();
  for (const path of shortest) {
    const key = serialize(path.state);
    if (seen.has(key)) continue;
    seen.add(key);
    for (const event of events(path.state)) {
      if (path.state.status !== 'active') continue;
      const [next] = transition(machine, path.state as never, event as never) as unknown as [Snap];
      if (next === path.state) continue;
      extended.push({ state: next, steps: [...path.steps, { event, state: next }], weight: path.weight + 1 });
    }
  }
  return extended;
}

function activeNodes(snapshot: Snap): AnyStateNode[] {
  return (snapshot as unknown as { _nodes: AnyStateNode[] })._nodes ?? [];
}

/** One key per transition definition of a state node: `<source id> on <event>#<index>`. */
function transitionKeysOf(node: AnyStateNode): string[] {
  const keys: string[] = [];
  for (const [eventType, list] of node.transitions) list.forEach((_, i) => keys.push(`${node.id} on ${eventType || '(always)'}#${i}`));
  (node.always ?? []).forEach((_, i) => keys.push(`${node.id} on (always)#${i}`));
  return keys;
}

function transitionKey(transition: { source: AnyStateNode; eventType: string }): string {
  const { source, eventType } = transition;
  const always = source.always ?? [];
  const alwaysIndex = always.indexOf(transition as never);
  if (alwaysIndex >= 0) return `${source.id} on (always)#${alwaysIndex}`;
  const list = source.transitions.get(eventType) ?? [];
  return `${source.id} on ${eventType || '(always)'}#${list.indexOf(transition as never)}`;
}

function dedupeEvents(events: AnyEventObject[]): AnyEventObject[] {
  const seen = new Set<string>();
  return events.filter((event) => {
    const key = JSON.stringify(event);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
