import { BodyTooLargeError, InvalidTaskError, InvalidUrlError, UnsupportedMethodError } from '../../errors/delivery.js';
import type { DeliveryMethod, NewDeliveryTask } from '../../machines/delivery/task.js';
import { scheduleProblem, type RetrySchedule } from '../../machines/delivery/schedule.js';

/**
 * Turning a call into a task draft, with every check made before anything is stored: a call
 * that fails here leaves no trace but a typed error (and the facade's `rejected` counter).
 */
export interface RequestSpec {
  businessType: string;
  businessId: string;
  url: string;
  method: string;
  headers?: Record<string, string>;
  body?: string;
  retry?: RetrySchedule;
}

const methods = new Set<DeliveryMethod>(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

export function draftTask(spec: RequestSpec, defaults: { retry: RetrySchedule; maxBodyBytes: number; now: number }): NewDeliveryTask {
  for (const field of ['businessType', 'businessId'] as const) {
    const value = spec[field];
    if (typeof value !== 'string' || value === '' || value.includes('\u0000')) {
      throw new InvalidTaskError(`${field} must be a non-empty string without NUL`, { [field]: value });
    }
  }
  let url: URL;
  try {
    url = new URL(spec.url);
  } catch {
    throw new InvalidUrlError(String(spec.url), 'not an absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidUrlError(spec.url, `protocol ${url.protocol} is not http(s)`);
  const method = String(spec.method).toUpperCase() as DeliveryMethod;
  if (!methods.has(method)) throw new UnsupportedMethodError(String(spec.method));
  const body = spec.body ?? '';
  if (typeof body !== 'string') throw new InvalidTaskError('body must be a string', { type: typeof body });
  const bytes = Buffer.byteLength(body);
  if (bytes > defaults.maxBodyBytes) throw new BodyTooLargeError(bytes, defaults.maxBodyBytes);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(spec.headers ?? {})) {
    if (typeof value !== 'string') throw new InvalidTaskError(`header ${name} must be a string`, { header: name });
    headers[name.toLowerCase()] = value;
  }
  const retry = spec.retry ?? defaults.retry;
  const problem = scheduleProblem(retry);
  if (problem) throw new InvalidTaskError(`invalid retry schedule: ${problem}`, { retry });
  return {
    businessType: spec.businessType,
    businessId: spec.businessId,
    url: url.href,
    method,
    headers,
    body,
    retry,
    retryCount: 0,
    attempts: 0,
    status: 'sending',
    requestTime: defaults.now,
    lastRetryTime: 0,
    nextRetryTime: defaults.now,
    successTime: 0,
    lastStatusCode: 0,
    lastError: '',
    lastErrorCode: '',
  };
}

/** JSON body, serialised once; `undefined` is refused rather than sent as an empty body. */
export function jsonBody(body: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(body);
  } catch (error) {
    // A BigInt, a circular structure or a throwing toJSON: the caller's data, so the caller's error.
    throw new InvalidTaskError(`postJson body is not JSON-serialisable: ${error instanceof Error ? error.message : String(error)}`, { type: typeof body });
  }
  if (text === undefined) throw new InvalidTaskError('postJson body is not JSON-serialisable', { type: typeof body });
  return text;
}

/** Form body from a record, URLSearchParams or a ready-made string. */
export function formBody(body: Record<string, string> | URLSearchParams | string | undefined): string {
  if (body === undefined) return '';
  if (typeof body === 'string') return body;
  return new URLSearchParams(body as Record<string, string>).toString();
}
