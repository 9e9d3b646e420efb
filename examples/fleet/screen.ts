import type { Logger } from '../../adapters/logger.js';

/**
 * Where the demo writes. On a terminal the frame (banner, table, recent log lines) is redrawn in
 * place once a second; elsewhere (a pipe, a file, CI, `--plain`) it prints plain lines: the table
 * every `plainEveryMs` and each log line as it comes, so a log stays short and readable.
 */
export interface DemoScreen {
  readonly live: boolean;
  /** The demo's logger: log lines go under the table (live) or straight out (plain). */
  readonly logger: Logger;
  /** Draws a frame: in place when live; printed when plain and `force` or `plainEveryMs` passed. */
  frame(text: string, force?: boolean): void;
  /** A line that must stay (startup, shutdown): printed below the frame. */
  say(line: string): void;
}

const RECENT_LINES = 8;

export function createScreen(options: { live: boolean; plainEveryMs?: number; out?: NodeJS.WriteStream }): DemoScreen {
  const out = options.out ?? process.stdout;
  const plainEveryMs = options.plainEveryMs ?? 5000;
  const recent: string[] = [];
  let lastPlain = 0;
  let drawn = false;
  const record = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    const tail = fields && Object.keys(fields).length ? ` ${JSON.stringify(fields)}` : '';
    const line = `${new Date().toISOString().slice(11, 19)} ${level} ${message}${tail}`;
    if (!options.live) {
      out.write(`[fleet] ${line}\n`);
      return;
    }
    recent.push(line);
    if (recent.length > RECENT_LINES) recent.shift();
  };
  return {
    live: options.live,
    logger: { debug() {}, info() {}, warn: record('warn'), error: record('error') },
    frame(text, force = false) {
      if (options.live) {
        const width = out.columns || 120;
        const log = recent.length ? ['', 'recent log (the staged faults above cause these):', ...recent.map((l) => `  ${l.slice(0, width - 3)}`)] : [];
        // Home, draw, clear what an earlier, longer frame left below.
        out.write(`${drawn ? '\x1b[H' : '\x1b[2J\x1b[H'}${[text, ...log].join('\n')}\n\x1b[J`);
        drawn = true;
        return;
      }
      const now = Date.now();
      if (!force && now - lastPlain < plainEveryMs) return;
      lastPlain = now;
      out.write(`${text}\n`);
    },
    say(line) {
      out.write(`${line}\n`);
    },
  };
}
