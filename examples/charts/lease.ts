import { assign, emit, setup } from 'xstate';
import { msUntil, now } from '../../machines/clock.js';

/**
 * A lease: held until an absolute deadline, renewed by its holder, expired when not renewed.
 *
 * The runtime's own demo chart, and the reference for how statewire charts keep time: the
 * deadline is an absolute `expiresAt` in context, and the `expiry` delay is computed from it, so an
 * actor restored from a persisted snapshot re-arms the timer for exactly the time that was left.
 */
export interface LeaseInput {
  /** How long one acquire or renew holds the lease. Default 10 000 ms. */
  ttlMs?: number;
}

export interface LeaseContext {
  ttlMs: number;
  expiresAt: number | null;
  renewals: number;
  expirations: number;
}

export type LeaseEvent =
  | { type: 'lease.acquire' }
  | { type: 'lease.renew' }
  | { type: 'lease.release' }
  | { type: 'drain' };

export type LeaseEmitted = { type: 'lease.expired'; expiredAt: number };

export const leaseMachine = setup({
  types: {
    input: {} as LeaseInput | undefined,
    context: {} as LeaseContext,
    events: {} as LeaseEvent,
    emitted: {} as LeaseEmitted,
  },
  delays: {
    expiry: ({ context, system }) => msUntil(system, context.expiresAt ?? 0),
  },
  actions: {
    extend: assign({ expiresAt: ({ context, system }) => now(system) + context.ttlMs }),
    countRenewal: assign({ renewals: ({ context }) => context.renewals + 1 }),
    forget: assign({ expiresAt: null }),
  },
}).createMachine({
  id: 'lease',
  context: ({ input }) => ({ ttlMs: input?.ttlMs ?? 10_000, expiresAt: null, renewals: 0, expirations: 0 }),
  initial: 'idle',
  states: {
    idle: {
      on: { 'lease.acquire': { target: 'held', actions: 'extend' }, drain: 'released' },
    },
    held: {
      tags: ['ready'],
      after: {
        expiry: {
          target: 'expired',
          actions: [
            assign({ expirations: ({ context }) => context.expirations + 1 }),
            emit(({ context }) => ({ type: 'lease.expired' as const, expiredAt: context.expiresAt ?? 0 })),
          ],
        },
      },
      on: {
        'lease.renew': { target: 'held', reenter: true, actions: ['extend', 'countRenewal'] },
        'lease.release': { target: 'idle', actions: 'forget' },
        drain: { target: 'released', actions: 'forget' },
      },
    },
    expired: {
      entry: 'forget',
      on: { 'lease.acquire': { target: 'held', actions: 'extend' }, drain: 'released' },
    },
    released: { type: 'final' },
  },
});
