import { createActor } from 'xstate';
import type { Facade, HostEnv } from '../../actors/host.js';
import { leaseMachine } from '../charts/lease.js';
import type { DemoPart } from './part.js';

/**
 * The runtime's own demo actor: a lease (1 s) held by a holder that renews it every 400 ms but, in
 * three rounds out of every ten, stalls long enough for the lease to expire, then acquires it again,
 * so the table shows held → expired → held.
 */
function createLeaseHolder(env: HostEnv, ttlMs = 1000): Facade {
  const actor = createActor(leaseMachine, {
    id: env.id,
    input: { ttlMs },
    ...(env.inspect ? { inspect: env.inspect } : {}),
    ...(env.clock ? { clock: env.clock } : {}),
  });
  let timer: NodeJS.Timeout | undefined;
  let round = 0;
  const tick = () => {
    round++;
    const value = actor.getSnapshot().value;
    const stalled = round % 10 >= 7;
    if (stalled) return;
    if (value === 'held') actor.send({ type: 'lease.renew' });
    else actor.send({ type: 'lease.acquire' });
  };
  return {
    actor,
    start() {
      if (timer) return;
      actor.start();
      actor.send({ type: 'lease.acquire' });
      timer = setInterval(tick, 400);
    },
    async drain() {
      clearInterval(timer);
      actor.send({ type: 'drain' });
    },
    async stop() {
      clearInterval(timer);
      actor.stop();
    },
    status: () => actor.getSnapshot().context,
    counters: () => {
      const { renewals, expirations } = actor.getSnapshot().context;
      return { lease_renewals_total: renewals, lease_expirations_total: expirations };
    },
  };
}

export async function start(): Promise<DemoPart> {
  const holders = new Map<string, Facade>();
  return {
    staged: 'the holder stalls 3 rounds in 10: the lease expires and is acquired again',
    actors: [
      {
        id: 'lease',
        create: (env) => {
          const holder = createLeaseHolder(env);
          holders.set(env.id, holder);
          return holder;
        },
      },
    ],
    summary(id) {
      const counters = holders.get(id)?.counters?.() ?? {};
      return `renewals=${counters.lease_renewals_total ?? 0} expirations=${counters.lease_expirations_total ?? 0}`;
    },
    stop: async () => {},
  };
}
