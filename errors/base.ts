/**
 * The root of every error statewire raises or reports.
 *
 * `code` is stable across versions (`SW_…`), so hosts branch on it rather than on messages;
 * `details` carries what a caller needs to act on the error. Like undici's errors, instances are
 * branded so `isStatewireError` works across duplicated copies of the package.
 */
const brand = Symbol.for('statewire.error');

export class StatewireError extends Error {
  readonly code: string;
  readonly details: Readonly<Record<string, unknown>>;
  readonly [brand] = true;

  constructor(code: string, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }

  /** Plain data for logs, events and persisted snapshots (context must stay serialisable). */
  toJSON(): { name: string; code: string; message: string; details: Readonly<Record<string, unknown>> } {
    return { name: this.name, code: this.code, message: this.message, details: this.details };
  }
}

export function isStatewireError(value: unknown): value is StatewireError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}

/** A configuration that cannot work: a missing required option, a value out of range. */
export class ConfigError extends StatewireError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('SW_CONFIG', message, details);
  }
}

/** The message and code of any thrown value, for status() and emitted events. */
export function describeError(error: unknown): { message: string; code: string } {
  if (isStatewireError(error)) return { message: error.message, code: error.code };
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { message: error.message, code: typeof code === 'string' ? code : 'SW_UNKNOWN' };
  }
  return { message: String(error), code: 'SW_UNKNOWN' };
}
