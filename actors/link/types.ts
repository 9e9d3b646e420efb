import type { Actor } from 'xstate';
import type { TaskResultPayload } from '../../adapters/link/protocol.js';
import type { linkMachine } from '../../machines/link/link.js';
import type { Facade } from '../host.js';
import type { LogBuffer } from './log-buffer.js';
import type { TaskHandler } from './task-handlers.js';

/** Counters and gauges of a link (flat snake_case names, for /metrics). */
export type LinkCounters = {
  [K in
    | 'reports_sent' | 'reports_acked' | 'reports_resent' | 'reports_queued' | 'reports_dropped' | 'write_failures'
    | 'in_flight' | 'queue_memory' | 'queue_disk' | 'invalid_frames' | 'frame_too_large' | 'reports_lost_after_close'
    | 'tasks_started' | 'tasks_succeeded' | 'tasks_failed' | 'tasks_unknown_type' | 'tasks_duplicate' | 'tasks_running'
    | 'opens' | 'disk_io_errors' | 'log_corrupt_records']: number;
};

export interface LinkStatus {
  id: string;
  agentId: string;
  serverAddress: string;
  /** `disconnected`, `connection.open`, `backoff`, `rejected`, `closed`, … */
  state: string;
  connected: boolean;
  /** Why the link is in this state: `welcome`, `socket closed 1006`, `ping.timeout`, `rejected: …`. */
  reason: string;
  closeCode: number | null;
  reconnectAttempt: number;
  counters: LinkCounters;
}

export interface Link extends Facade {
  readonly actor: Actor<typeof linkMachine>;
  /** Handles `task.run` frames of `type` (several tasks run at once). */
  registerTaskHandler(type: string, handler: TaskHandler): void;
  /** Starts connecting; resolves when the link is first open, rejects if it is rejected or closed. */
  connect(): Promise<void>;
  isConnected(): boolean;
  sendTaskConfirm(requestId: string, taskId: string): void;
  /** One `task.log` report now (`seq` counts per task from 1). */
  sendTaskLog(requestId: string, taskId: string, content: string): void;
  /** A log line through the task's buffer (flushed at `logBufferSize` bytes or `logFlushIntervalMs`). */
  sendTaskLogBuffered(requestId: string, taskId: string, content: string): void;
  getOrCreateLogBuffer(requestId: string, taskId: string): LogBuffer;
  /** Flushes and forgets a task's log buffer. */
  closeLogBuffer(taskId: string): void;
  /** The task's result, sent after its buffered logs. */
  sendTaskResult(requestId: string, taskId: string, result: TaskResultPayload): void;
  /** Resolves when every report made so far is acked (or dropped): nothing in flight or queued. */
  settled(): Promise<void>;
  /**
   * Flushes logs, waits for acks (up to `closeTimeoutMs`), syncs the log (the unacked reports stay
   * there for the next link over the same directory). Idempotent.
   */
  close(): Promise<void>;
  status(): LinkStatus;
  counters(): LinkCounters;
}
