import { encodeFrame, type TaskResultPayload } from '../../adapters/link/protocol.js';
import { LinkClosedError } from '../../errors/link.js';
import type { Clock } from '../../machines/clock.js';
import { LogBuffer } from './log-buffer.js';
import type { Outbox } from './outbox.js';

/**
 * The report API of a link (the seed's SendTaskConfirm / SendTaskLog / SendTaskLogBuffered /
 * SendTaskResult): builds protocol frames, numbers `task.log` per task, keeps one log buffer per
 * task, and hands every frame to the outbox. A task's result always follows its buffered logs.
 */
/** Tasks whose log `seq` is remembered. */
const REMEMBERED_TASKS = 10_000;

export class Reports {
  private readonly seqs = new Map<string, number>();
  /** The task of the last `log` (last in `seqs`' order). */
  private lastLogged: string | undefined;
  private readonly buffers = new Map<string, LogBuffer>();
  private closed = false;

  constructor(
    private readonly outbox: Outbox,
    private readonly clock: Clock,
    private readonly logBufferSize: number,
    private readonly logFlushIntervalMs: number,
  ) {}

  confirm(requestId: string, taskId: string): void {
    const order = this.reserve('sendTaskConfirm');
    const id = this.outbox.idFor(order);
    this.outbox.submit(order, encodeFrame({ v: 2, id, type: 'task.confirm', requestId, taskId }), id);
  }

  log(requestId: string, taskId: string, content: string): void {
    const order = this.reserve('sendTaskLog');
    const seq = (this.seqs.get(taskId) ?? 0) + 1;
    // Kept past the result (a late line still gets the next seq), bounded like the task memory:
    // the map's order is last use (a task logging again moves to the end; already there, it stays).
    if (taskId !== this.lastLogged) {
      this.seqs.delete(taskId);
      this.lastLogged = taskId;
    }
    this.seqs.set(taskId, seq);
    if (this.seqs.size > REMEMBERED_TASKS) this.seqs.delete(this.seqs.keys().next().value!);
    const id = this.outbox.idFor(order);
    this.outbox.submit(order, encodeFrame({ v: 2, id, type: 'task.log', requestId, taskId, seq, payload: { content } }), id);
  }

  logBuffered(requestId: string, taskId: string, content: string): void {
    this.buffer(requestId, taskId).write(content);
  }

  buffer(requestId: string, taskId: string): LogBuffer {
    // Refused at once: a buffer made now would flush from a timer, where a throw has no caller.
    if (this.closed) throw new LinkClosedError('sendTaskLogBuffered');
    let buffer = this.buffers.get(taskId);
    if (!buffer) {
      buffer = new LogBuffer(requestId, taskId, (content) => this.log(requestId, taskId, content), this.clock, this.logBufferSize, this.logFlushIntervalMs);
      this.buffers.set(taskId, buffer);
    }
    return buffer;
  }

  closeBuffer(taskId: string): void {
    const buffer = this.buffers.get(taskId);
    this.buffers.delete(taskId);
    buffer?.close();
  }

  /** Flushes every task's buffered lines (a closing link keeps no line behind). */
  closeAllBuffers(): void {
    for (const taskId of [...this.buffers.keys()]) this.closeBuffer(taskId);
  }

  result(requestId: string, taskId: string, result: TaskResultPayload): void {
    this.closeBuffer(taskId);
    const order = this.reserve('sendTaskResult');
    const id = this.outbox.idFor(order);
    this.outbox.submit(order, encodeFrame({ v: 2, id, type: 'task.result', requestId, taskId, payload: result }), id);
  }

  /** From now on every report is refused with `LinkClosedError`. */
  close(): void {
    this.closeAllBuffers();
    this.closed = true;
  }

  private reserve(operation: string): number {
    if (this.closed) throw new LinkClosedError(operation);
    return this.outbox.reserve();
  }
}
