import type { AnyActorLogic, AnyActorRef, Snapshot } from 'xstate';
import type { Facade } from '../actors/host.js';
import { describeError } from '../errors/base.js';
import type { ActorStatus, HostedStatus, Spawnable } from './types.js';

/** What `Hosted` keeps of one hosted actor across its incarnations, for its status. */
export interface Lifecycle {
  id: string;
  kind: ActorStatus['kind'];
  status: HostedStatus;
  restarts: number;
  errors: number;
  lastError: ActorStatus['lastError'];
  /** When the current incarnation started (ms, on the runtime's clock). */
  startedAt: number;
}

/**
 * The status of one hosted actor (what /status and /readyz serve): its lifecycle, what the current
 * incarnation's snapshot says (machine, state, `ready` tag), and a facade's own `status()` as
 * `details`; a facade whose `status()` throws shows the error there instead of failing the whole answer.
 */
export function actorStatus(lifecycle: Lifecycle, actor: AnyActorRef, facade: Facade | undefined): ActorStatus {
  const snapshot = actor.getSnapshot() as Snapshot<unknown> & { value?: unknown; machine?: { id: string }; hasTag?: (t: string) => boolean };
  const status: ActorStatus = {
    id: lifecycle.id,
    kind: lifecycle.kind,
    machineId: snapshot.machine?.id ?? null,
    state: (snapshot.value as ActorStatus['state']) ?? null,
    status: lifecycle.status,
    ready: lifecycle.status === 'running' && snapshot.status === 'active' && snapshot.hasTag?.('ready') === true,
    restarts: lifecycle.restarts,
    errors: lifecycle.errors,
    lastError: lifecycle.lastError,
    startedAt: new Date(lifecycle.startedAt).toISOString(),
  };
  if (facade) {
    try {
      status.details = facade.status();
    } catch (error) {
      status.details = { error: describeError(error).message };
    }
  }
  return status;
}

/** A facade factory, a state machine, or other logic (a promise, a callback, …). */
export function kindOf(spawnable: Spawnable): ActorStatus['kind'] {
  if (typeof spawnable === 'function') return 'facade';
  return isMachine(spawnable) ? 'machine' : 'logic';
}

function isMachine(logic: AnyActorLogic): boolean {
  return typeof (logic as { root?: unknown }).root === 'object' && typeof (logic as { provide?: unknown }).provide === 'function';
}
