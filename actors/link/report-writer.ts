import type { WebSocketConnection } from '../../adapters/link/websocket.js';

/**
 * The socket reports are written to: set while the chart says the link is open (or closing), so
 * the hot path writes straight to it without a chart event. A failed write is the one thing the
 * chart must hear: the socket died before the chart saw it close.
 */
export class ReportWriter {
  private socket: WebSocketConnection | null = null;

  constructor(
    /** Shared with the outbox's counters. */
    private readonly counts: { sent: number; writeFailures: number },
    private readonly onWriteFailed: () => void,
  ) {}

  /** The socket to write to, or null while the link is not open. */
  get current(): WebSocketConnection | null {
    return this.socket;
  }

  attach(socket: WebSocketConnection): void {
    this.socket = socket;
  }

  detach(): void {
    this.socket = null;
  }

  /**
   * Writes `frame` to `socket` (the caller's: a re-send loop keeps writing to the socket it began
   * with, and counts each failure, even after the first one detached it).
   */
  write(socket: WebSocketConnection, frame: string): void {
    if (socket.send(frame)) {
      this.counts.sent++;
      return;
    }
    // The report stays in flight for the re-send after the reconnect; the chart is told once.
    this.counts.writeFailures++;
    if (this.socket === socket) {
      this.socket = null;
      this.onWriteFailed();
    }
  }
}
