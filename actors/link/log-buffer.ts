import type { Clock } from '../../machines/clock.js';

/**
 * One task's log lines, batched (seed: 4 096 bytes or 1 s, whichever first) into one `task.log`
 * report, so a chatty task costs a few frames a second rather than one per line.
 */
export class LogBuffer {
  private lines: string[] = [];
  private bytes = 0;
  private timer: unknown = null;
  private closed = false;

  constructor(
    readonly requestId: string,
    readonly taskId: string,
    private readonly flushTo: (content: string) => void,
    private readonly clock: Clock,
    /** Bytes that trigger a flush. Default 4 096. */
    private readonly maxBytes = 4_096,
    /** Longest a line waits. Default 1 000 ms. */
    private readonly flushMs = 1_000,
  ) {}

  /** Adds a line; flushes when the buffer is full. Lines after `close()` are sent at once. */
  write(line: string): void {
    this.lines.push(line);
    this.bytes += Buffer.byteLength(line) + 1;
    if (this.closed || this.bytes >= this.maxBytes) {
      this.flush();
      return;
    }
    this.timer ??= this.clock.setTimeout(() => {
      this.timer = null;
      this.flush();
    }, this.flushMs);
  }

  /** Sends what is buffered as one report (lines joined by newlines). */
  flush(): void {
    if (this.timer !== null) {
      this.clock.clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.lines.length === 0) return;
    const content = this.lines.join('\n');
    this.lines = [];
    this.bytes = 0;
    this.flushTo(content);
  }

  /** Flushes and stops the timer for good. */
  close(): void {
    this.flush();
    this.closed = true;
  }

  get pendingBytes(): number {
    return this.bytes;
  }
}
