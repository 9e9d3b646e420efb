/**
 * The logging port. Structured: a message plus fields, so hosts can route it to pino, winston or
 * the console without statewire choosing for them. Every option that takes a logger takes any
 * `HostLogger` — statewire's own shape, a pino-style logger (`info(fields, message)`) or the
 * console — and `toLogger` turns it into this one shape.
 */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** pino's calling convention (fields first, message second), which bunyan and others share. */
export interface PinoLikeLogger {
  debug(fields: object, message?: string): void;
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
  child(bindings: Record<string, unknown>): PinoLikeLogger;
}

/** What a host may pass wherever statewire takes a logger. */
export type HostLogger = Logger | PinoLikeLogger;

/** Drops everything: the default, so a library never writes to a host's console unasked. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

const levels = ['debug', 'info', 'warn', 'error'] as const;

/** Writes one line per record to the console, at `level` and above. */
export function consoleLogger(level: (typeof levels)[number] = 'info', name = 'statewire'): Logger {
  const min = levels.indexOf(level);
  const write = (at: (typeof levels)[number]) => (message: string, fields?: Record<string, unknown>) => {
    if (levels.indexOf(at) < min) return;
    const tail = fields && Object.keys(fields).length ? ` ${JSON.stringify(fields)}` : '';
    console[at === 'debug' ? 'log' : at](`[${name}] ${at} ${message}${tail}`);
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

/**
 * True for a pino-style logger. pino (and its child loggers) carry `bindings()` and a `levels`
 * table, which neither statewire's loggers nor the console have; checked once, when wrapped.
 */
export function isPinoLike(logger: unknown): logger is PinoLikeLogger {
  const candidate = logger as { bindings?: unknown; levels?: unknown; child?: unknown } | null;
  return typeof candidate?.child === 'function' && (typeof candidate.bindings === 'function' || typeof candidate.levels === 'object');
}

const adapted = new WeakMap<object, Logger>();

/** Any host logger as statewire's `Logger` (the same object for the same logger); silent when absent. */
export function toLogger(logger: HostLogger | undefined): Logger {
  if (!logger) return silentLogger;
  if (!isPinoLike(logger)) return logger;
  let wrapped = adapted.get(logger);
  if (!wrapped) {
    const pino = logger;
    wrapped = {
      debug: (message, fields) => pino.debug(fields ?? {}, message),
      info: (message, fields) => pino.info(fields ?? {}, message),
      warn: (message, fields) => pino.warn(fields ?? {}, message),
      error: (message, fields) => pino.error(fields ?? {}, message),
    };
    adapted.set(logger, wrapped);
  }
  return wrapped;
}

/**
 * A logger whose every record carries `bindings` (e.g. `{ actor: id }`): pino's own child logger
 * for a pino-style logger, else a wrapper that merges the bindings under the record's fields.
 */
export function childLogger(logger: HostLogger | undefined, bindings: Record<string, unknown>): Logger {
  if (!logger || logger === silentLogger) return silentLogger;
  if (isPinoLike(logger)) return toLogger(logger.child(bindings));
  const base = logger;
  const merge = (at: (typeof levels)[number]) => (message: string, fields?: Record<string, unknown>) => base[at](message, { ...bindings, ...fields });
  return { debug: merge('debug'), info: merge('info'), warn: merge('warn'), error: merge('error') };
}
