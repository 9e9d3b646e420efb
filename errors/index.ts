export { ConfigError, StatewireError, describeError, isStatewireError } from './base.js';
export { DuplicateActorIdError, RuntimeStoppedError } from './runtime.js';
