import { DuplicateInstanceError, InvalidInstanceError } from '../../errors/calls.js';

/** What a caller registers: the seed's ServiceInstance without the fields the registry keeps. */
export interface InstanceDescriptor {
  /** Unique across services; registering it again at the same endpoint refreshes it. */
  id: string;
  /** The service name instances are grouped and looked up by. */
  service: string;
  /** Base URL, `http://host:port` (http or https, no query or fragment). */
  endpoint: string;
  /** Agents this instance serves. Empty (the default) means any agent. */
  agents?: string[];
  metadata?: Record<string, unknown>;
}

/**
 * Why `candidate` cannot be registered next to `instances`, or null when it can. Pure, so the chart
 * (which drops the event) and the facade (which throws to its caller) agree on what is bad input.
 */
export function instanceProblem(
  instances: Readonly<Record<string, { endpoint: string }>>,
  candidate: unknown,
): InvalidInstanceError | DuplicateInstanceError | null {
  if (typeof candidate !== 'object' || candidate === null) return new InvalidInstanceError('not an object');
  const { id, service, endpoint, agents, metadata } = candidate as Record<string, unknown>;
  if (typeof id !== 'string' || id.trim() === '') return new InvalidInstanceError('empty id', { id });
  if (typeof service !== 'string' || service.trim() === '') return new InvalidInstanceError('empty service name', { id, service });
  if (typeof endpoint !== 'string' || !isBaseUrl(endpoint)) return new InvalidInstanceError(`malformed endpoint URL ${JSON.stringify(endpoint)}`, { id, endpoint });
  if (agents !== undefined && (!Array.isArray(agents) || agents.some((agent) => typeof agent !== 'string' || agent === ''))) {
    return new InvalidInstanceError('agents must be a list of non-empty names', { id });
  }
  if (metadata !== undefined && (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata))) {
    return new InvalidInstanceError('metadata must be an object', { id });
  }
  const existing = Object.hasOwn(instances, id) ? instances[id] : undefined;
  if (existing && existing.endpoint !== endpoint) return new DuplicateInstanceError(id, existing.endpoint, endpoint);
  return null;
}

function isBaseUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '' && url.search === '' && url.hash === '';
}
