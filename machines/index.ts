export { now, msUntil, type Clock } from './clock.js';
export { backoffDelay, type BackoffOptions } from './backoff.js';
export { leaseMachine, type LeaseContext, type LeaseEvent, type LeaseInput } from './lease.js';
