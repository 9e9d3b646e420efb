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
