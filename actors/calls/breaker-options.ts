import { breakerSettings, type BreakerInput } from '../../machines/calls/breaker.js';
import { ConfigError } from '../../errors/base.js';

/**
 * The facade half of the breaker's option checks (the chart's half, the numbers, is
 * `breakerSettings`): the functions a chart cannot hold. Each facade calls these before it creates
 * anything, so a bad option is a ConfigError at creation, never a TypeError at the first failure.
 */

/** isFailure and onStateChange, when given, must be functions. */
export function checkBreakerPolicy(policy: { isFailure?: unknown; onStateChange?: unknown }): void {
  for (const field of ['isFailure', 'onStateChange'] as const) {
    if (policy[field] !== undefined && typeof policy[field] !== 'function') throw new ConfigError(`breaker: ${field} must be a function`, { field });
  }
}

/** The settings every endpoint's breaker gets (agent client, coordinator), checked once: the name is each endpoint's own. */
export function checkAgentBreakerOptions(options: (Omit<BreakerInput, 'name'> & { isFailure?: unknown; onStateChange?: unknown }) | undefined): void {
  const { isFailure, onStateChange, ...settings } = options ?? {};
  breakerSettings({ ...settings, name: undefined });
  checkBreakerPolicy({ isFailure, onStateChange });
}
