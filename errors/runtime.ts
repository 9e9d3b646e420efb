import { StatewireError } from './base.js';

/** `spawn` with an id that another hosted actor already has. */
export class DuplicateActorIdError extends StatewireError {
  constructor(id: string) {
    super('SW_DUPLICATE_ACTOR_ID', `an actor with id "${id}" is already hosted`, { id });
  }
}

/** `spawn` (or `serveStatus`) on a runtime that is stopping or stopped. */
export class RuntimeStoppedError extends StatewireError {
  constructor(id: string, action = `spawn "${id}"`) {
    super('SW_RUNTIME_STOPPED', `cannot ${action}: the runtime is stopping or stopped`, { id });
  }
}

/**
 * `send` or `subscribe` on a hosted actor that was stopped (by `hosted.stop()` or `runtime.stop()`):
 * the event or listener would otherwise be dropped without a word.
 */
export class ActorStoppedError extends StatewireError {
  constructor(id: string, action: string) {
    super('SW_RUNTIME_ACTOR_STOPPED', `cannot ${action} "${id}": the actor was stopped`, { id, action });
  }
}

/**
 * `hosted.facade` of a facade actor whose factory failed to build one (it threw, or returned
 * something that is not a facade): there is no facade until a restart builds one. The build error
 * is the cause (and the actor's `lastError`).
 */
export class FacadeUnavailableError extends StatewireError {
  constructor(id: string, cause: unknown) {
    super('SW_RUNTIME_NO_FACADE', `actor "${id}" has no facade: its factory failed (see lastError)`, { id }, { cause });
  }
}
