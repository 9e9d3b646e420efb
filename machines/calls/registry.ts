import { assign, fromPromise, not, raise, setup } from 'xstate';
import { produce } from 'immer';
import { msUntil, now } from '../clock.js';
import { instanceProblem, type InstanceDescriptor } from './instance-problem.js';

export type { InstanceDescriptor } from './instance-problem.js';
export { instanceProblem } from './instance-problem.js';

/**
 * A registry of service instances. Each instance is healthy ⇄ unhealthy (marked by callers and by
 * a background `GET /health` check) and becomes expired when neither a heartbeat nor a passing
 * health check was seen within `heartbeatTtlMs`; an expired instance is removed `expiredRetentionMs`
 * later (a heartbeat before that revives it). Two parallel regions keep the two clocks apart:
 * `expiry` sleeps until the earliest `expiresAt` in context (absolute, so a restore re-arms it),
 * `health` checks every `healthCheckIntervalMs` (0 = never) through the invoked `checkHealth` actor.
 * Both sleeps are named `after` delays read from context: the owner of a restored actor calls
 * `rearmDelays` (machines/xstate-internals.ts), which schedules the expiry for exactly the time left and the
 * next health check one full interval on (XState does not persist timers, statelyai/xstate#5331).
 *
 * Bad input never crashes the chart: an event that would register an invalid instance is counted in
 * `rejected` and dropped (the facade throws the typed error to its caller before sending).
 */
export type InstanceStatus = 'healthy' | 'unhealthy' | 'expired';

export interface InstanceRecord extends Required<InstanceDescriptor> {
  status: InstanceStatus;
  registeredAt: number;
  lastSeen: number;
  /** When the instance expires without a sign of life; null when expiry is off. */
  expiresAt: number | null;
}

export interface RegistryInput {
  /** An instance with no heartbeat (or passing check) for this long expires. 0 = never. Default 30 000 ms. */
  heartbeatTtlMs?: number;
  /** Period of the background health check. 0 = off. Default 10 000 ms. */
  healthCheckIntervalMs?: number;
  /**
   * How long an expired instance is kept (a heartbeat still revives it) before it is removed, so
   * instances that die without deregistering do not pile up. 0 = keep forever. Default 300 000 ms.
   */
  expiredRetentionMs?: number;
}

export interface RegistryContext {
  heartbeatTtlMs: number;
  healthCheckIntervalMs: number;
  expiredRetentionMs: number;
  instances: Record<string, InstanceRecord>;
  /** Events dropped as bad input (invalid instance, unknown id). */
  rejected: number;
  checks: number;
  checkErrors: number;
  expirations: number;
  /** Expired instances removed after `expiredRetentionMs`. */
  purged: number;
}

export interface HealthResult {
  id: string;
  ok: boolean;
}

export type RegistryEvent =
  | { type: 'instance.register'; instance: InstanceDescriptor }
  | { type: 'instance.deregister'; id: string }
  | { type: 'instance.heartbeat'; id: string }
  | { type: 'instance.markHealthy'; id: string }
  | { type: 'instance.markUnhealthy'; id: string }
  /** Internal (raised): a deadline earlier than the scheduled one may exist, schedule again. */
  | { type: 'expiry.reschedule' };

export const REGISTRY_DEFAULTS = { heartbeatTtlMs: 30_000, healthCheckIntervalMs: 10_000, expiredRetentionMs: 300_000 } as const;

/** When `record` is removed: `expiredRetentionMs` after it expired; null when it is kept. */
const purgeAt = (context: RegistryContext, record: InstanceRecord): number | null =>
  record.status === 'expired' && record.expiresAt !== null && context.expiredRetentionMs > 0 ? record.expiresAt + context.expiredRetentionMs : null;

/** The earliest deadline of the expiry region: a live instance expiring, or an expired one removed; or null. */
export function nextExpiry(context: RegistryContext): number | null {
  let earliest: number | null = null;
  for (const record of Object.values(context.instances)) {
    const deadline = record.status === 'expired' ? purgeAt(context, record) : record.expiresAt;
    if (deadline === null) continue;
    if (earliest === null || deadline < earliest) earliest = deadline;
  }
  return earliest;
}

const known = ({ context, event }: { context: RegistryContext; event: RegistryEvent }) =>
  'id' in event && Object.hasOwn(context.instances, event.id);

export const registryMachine = setup({
  types: {
    input: {} as RegistryInput | undefined,
    context: {} as RegistryContext,
    events: {} as RegistryEvent,
  },
  actors: {
    /** Pings every live instance; resolves each instance's result (never rejects per instance). */
    checkHealth: fromPromise<HealthResult[], { instances: Array<{ id: string; endpoint: string }> }>(async () => {
      throw new Error('not provided: checkHealth');
    }),
  },
  delays: {
    expiry: ({ context, system }) => msUntil(system, nextExpiry(context) ?? 0),
    healthInterval: ({ context }) => context.healthCheckIntervalMs,
  },
  guards: {
    validInstance: ({ context, event }) => event.type === 'instance.register' && instanceProblem(context.instances, event.instance) === null,
    known,
    hasDeadline: ({ context }) => nextExpiry(context) !== null,
    healthChecksOn: ({ context }) => context.healthCheckIntervalMs > 0,
  },
  actions: {
    register: assign(({ context, event, system }) => {
      if (event.type !== 'instance.register') return {};
      const at = now(system);
      const { instance } = event;
      return produce(context, (draft) => {
        const previous = draft.instances[instance.id];
        draft.instances[instance.id] = {
          id: instance.id,
          service: instance.service,
          endpoint: instance.endpoint,
          agents: [...(instance.agents ?? [])],
          metadata: { ...(instance.metadata ?? {}) },
          status: 'healthy',
          registeredAt: previous?.registeredAt ?? at,
          lastSeen: at,
          expiresAt: context.heartbeatTtlMs > 0 ? at + context.heartbeatTtlMs : null,
        };
      });
    }),
    deregister: assign(({ context, event }) =>
      produce(context, (draft) => {
        if ('id' in event) delete draft.instances[event.id];
      }),
    ),
    heartbeat: assign(({ context, event, system }) =>
      produce(context, (draft) => {
        const record = 'id' in event ? draft.instances[event.id] : undefined;
        if (!record) return;
        const at = now(system);
        record.lastSeen = at;
        record.expiresAt = context.heartbeatTtlMs > 0 ? at + context.heartbeatTtlMs : null;
        if (record.status === 'expired') record.status = 'healthy';
      }),
    ),
    mark: assign(({ context, event }) =>
      produce(context, (draft) => {
        const record = 'id' in event ? draft.instances[event.id] : undefined;
        // An expired instance comes back only through a heartbeat or a new registration.
        if (!record || record.status === 'expired') return;
        record.status = event.type === 'instance.markHealthy' ? 'healthy' : 'unhealthy';
      }),
    ),
    reject: assign({ rejected: ({ context }) => context.rejected + 1 }),
    expireDue: assign(({ context, system }) => {
      const at = now(system);
      let expired = 0;
      let purged = 0;
      const instances = produce(context.instances, (draft) => {
        for (const record of Object.values(draft)) {
          if (record.status !== 'expired' && record.expiresAt !== null && record.expiresAt <= at) {
            record.status = 'expired';
            expired++;
          }
          const removeAt = purgeAt(context, record);
          if (removeAt !== null && removeAt <= at) {
            delete draft[record.id];
            purged++;
          }
        }
      });
      return { instances, expirations: context.expirations + expired, purged: (context.purged ?? 0) + purged }; // ?? 0: snapshots from before the field
    }),
    applyHealth: assign(({ context, event, system }) => {
      const results = (event as unknown as { output: HealthResult[] }).output;
      const at = now(system);
      const instances = produce(context.instances, (draft) => {
        for (const { id, ok } of Array.isArray(results) ? results : []) {
          const record = draft[id];
          if (!record || record.status === 'expired') continue;
          record.status = ok ? 'healthy' : 'unhealthy';
          if (ok) {
            // A passing check is a sign of life, like a heartbeat.
            record.lastSeen = at;
            record.expiresAt = context.heartbeatTtlMs > 0 ? at + context.heartbeatTtlMs : null;
          }
        }
      });
      return { instances, checks: context.checks + 1 };
    }),
    countCheckError: assign({ checkErrors: ({ context }) => context.checkErrors + 1 }),
    reschedule: raise({ type: 'expiry.reschedule' }),
  },
}).createMachine({
  id: 'registry',
  context: ({ input }) => ({
    heartbeatTtlMs: Math.max(0, input?.heartbeatTtlMs ?? REGISTRY_DEFAULTS.heartbeatTtlMs),
    healthCheckIntervalMs: Math.max(0, input?.healthCheckIntervalMs ?? REGISTRY_DEFAULTS.healthCheckIntervalMs),
    expiredRetentionMs: Math.max(0, input?.expiredRetentionMs ?? REGISTRY_DEFAULTS.expiredRetentionMs),
    instances: {},
    rejected: 0,
    checks: 0,
    checkErrors: 0,
    expirations: 0,
    purged: 0,
  }),
  type: 'parallel',
  on: {
    // A new or revived instance may expire before the timer already set (a far-off removal): reschedule.
    'instance.register': [{ guard: 'validInstance', actions: ['register', 'reschedule'] }, { actions: 'reject' }],
    'instance.deregister': [{ guard: 'known', actions: 'deregister' }, { actions: 'reject' }],
    'instance.heartbeat': [{ guard: 'known', actions: ['heartbeat', 'reschedule'] }, { actions: 'reject' }],
    'instance.markHealthy': [{ guard: 'known', actions: 'mark' }, { actions: 'reject' }],
    'instance.markUnhealthy': [{ guard: 'known', actions: 'mark' }, { actions: 'reject' }],
  },
  states: {
    expiry: {
      initial: 'idle',
      states: {
        idle: {
          tags: ['ready'],
          always: { guard: 'hasDeadline', target: 'waiting' },
        },
        waiting: {
          tags: ['ready'],
          always: { guard: not('hasDeadline'), target: 'idle' },
          after: { expiry: { target: 'waiting', reenter: true, actions: 'expireDue' } },
          on: { 'expiry.reschedule': { target: 'waiting', reenter: true } },
        },
      },
    },
    health: {
      initial: 'waiting',
      states: {
        waiting: {
          // With checks off (interval 0) the timer fires once, the guard refuses, and nothing loops.
          after: { healthInterval: { guard: 'healthChecksOn', target: 'checking' } },
        },
        checking: {
          invoke: {
            id: 'checkHealth',
            src: 'checkHealth',
            input: ({ context }) => ({
              instances: Object.values(context.instances)
                .filter((record) => record.status !== 'expired')
                .map(({ id, endpoint }) => ({ id, endpoint })),
            }),
            onDone: { target: 'waiting', actions: 'applyHealth' },
            onError: { target: 'waiting', actions: 'countCheckError' },
          },
        },
      },
    },
  },
});
