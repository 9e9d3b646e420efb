/**
 * The logging port. Structured: a message plus fields, so hosts can route it to pino, winston or
 * the console without statewire choosing for them.
 */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Drops everything: the default, so a library never writes to a host's console unasked. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** Writes one line per record to the console, at `level` and above. */
export function consoleLogger(level: 'debug' | 'info' | 'warn' | 'error' = 'info', name = 'statewire'): Logger {
  const order = ['debug', 'info', 'warn', 'error'] as const;
  const min = order.indexOf(level);
  const write = (at: (typeof order)[number]) => (message: string, fields?: Record<string, unknown>) => {
    if (order.indexOf(at) < min) return;
    const tail = fields && Object.keys(fields).length ? ` ${JSON.stringify(fields)}` : '';
    console[at === 'debug' ? 'log' : at](`[${name}] ${at} ${message}${tail}`);
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}
