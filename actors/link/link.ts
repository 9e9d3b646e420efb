import { randomBytes } from 'node:crypto';
import { createActor, fromPromise, type Actor } from 'xstate';
import { DiskRetryStore } from '../../adapters/link/disk-retry-store.js';
import { MemoryRetryStore } from '../../adapters/link/memory-retry-store.js';
import type { WebSocketConnection } from '../../adapters/link/websocket.js';
import { wsFactory } from '../../adapters/link/websocket.js';
import { silentLogger } from '../../adapters/logger.js';
import { LinkClosedError, LinkRejectedError } from '../../errors/link.js';
import { linkMachine } from '../../machines/link/link.js';
import type { Link } from './types.js';
import { resolveLinkOptions, type LinkOptions } from './options.js';
import { Outbox } from './outbox.js';
import { socketActor } from './socket.js';
import { Reports } from './reports.js';
import { TaskHandlers } from './task-handlers.js';
import { Every, realClock } from './timers.js';
import { hostActorOptions } from '../host.js';

export type { LinkOptions } from './options.js';
export type { TaskContext, TaskHandler } from './task-handlers.js';
export type { Link, LinkCounters, LinkStatus } from './types.js';
export { LogBuffer } from './log-buffer.js';

/** The agent's link to its server: `createLink(options)`, then `registerTaskHandler` and `connect()`. */
export function createLink(options: LinkOptions): Link {
  const o = resolveLinkOptions(options, silentLogger);
  const clock = o.clock ?? realClock;
  const now = () => (clock as { now?: () => number }).now?.() ?? Date.now();
  // Reports get ids `<prefix>r<order>` (the outbox finds acks by them); control frames `<prefix>c<n>`.
  const idPrefix = randomBytes(4).toString('hex');
  let idSeq = 0;
  const newId = () => `${idPrefix}c${(idSeq++).toString(36)}`;
  let invalidFrames = 0;
  let framesTooLarge = 0;
  let lostAfterClose = 0;
  let connection: WebSocketConnection | null = null;

  const notify = (event: Parameters<Actor<typeof linkMachine>['send']>[0]) => {
    if (actor.getSnapshot().status === 'active') actor.send(event);
  };
  const memory = new MemoryRetryStore(o.retryQueueMemorySize);
  // Opened before the first report can be made: every report is in the log before it is sent.
  let disk: DiskRetryStore | null = null;
  let openFailures = 0;
  if (o.retryQueueDir !== undefined) {
    try {
      disk = DiskRetryStore.openSync(o.retryQueueDir, {
        capacity: o.retryQueueDiskSize,
        syncWindowMs: o.durability === 'batch' ? o.durabilityWindowMs : 0,
      });
    } catch (error) {
      // Reports still flow and queue in memory; only their survival of a crash is lost.
      openFailures++;
      o.logger.error('link: cannot open the retry queue log, memory only', { dir: o.retryQueueDir, error: String(error) });
    }
  }
  const outbox = new Outbox({
    memory,
    disk,
    syncBeforeSend: o.durability === 'always',
    maxRetries: o.retryQueueMaxRetries,
    ttlMs: o.retryQueueDiskTtlMs,
    warningThreshold: o.retryQueueWarningThreshold,
    batchLoadSize: o.retryQueueBatchLoadSize,
    maxInFlight: o.maxInFlight,
    idPrefix: `${idPrefix}r`,
    now,
    onDropped: (message, reason) => {
      o.logger.warn('link: report dropped', { id: message.id, reason, attempt: message.attempt });
      notify({ type: 'report.dropped', reason, id: message.id });
    },
    onWarning: (size, threshold) => {
      o.logger.warn('link: disk retry queue above warning threshold', { size, threshold });
      notify({ type: 'queue.warning', size, threshold });
    },
    onWriteFailed: () => notify({ type: 'socket.error', message: 'write failed' }),
  });
  if (disk?.corruptRecords) o.logger.warn('link: torn or corrupt records skipped in the retry queue log', { count: disk.corruptRecords });

  const reports = new Reports(outbox, clock, o.logBufferSize, o.logFlushIntervalMs);

  const tasks = new TaskHandlers({
    confirm: (requestId, taskId) => reports.confirm(requestId, taskId),
    log: (requestId, taskId, line) => reports.logBuffered(requestId, taskId, line),
    lateLog: (requestId, taskId, line) => reports.log(requestId, taskId, line),
    result: (requestId, taskId, result) => reports.result(requestId, taskId, result),
    lost: (error) => {
      lostAfterClose++;
      o.logger.error('link: report refused after close', { error: String(error) });
    },
  });

  const drain = async () => {
    tasks.abortAll('link closing');
    await tasks.settled();
    reports.closeAllBuffers();
    await outbox.whenSettled();
  };

  const machine = linkMachine.provide({
    actors: {
      socket: socketActor({
        factory: o.socketFactory ?? wsFactory(),
        maxPayload: o.maxPayload,
        agentId: o.agentId,
        agentKey: o.agentKey,
        newId,
        opened: (c) => {
          connection = c;
        },
        gone: (c) => {
          if (connection === c) connection = null;
        },
        ack: (id) => outbox.ack(id),
        task: (frame) => tasks.run({ requestId: frame.requestId, taskId: frame.taskId, type: frame.payload.type, params: frame.payload.params }),
        invalid: (error) => {
          invalidFrames++;
          o.logger.warn('link: invalid frame', error.toJSON());
        },
        tooLarge: (error) => {
          framesTooLarge++;
          o.logger.warn('link: frame over maxPayload, reconnecting', error.toJSON());
        },
      }),
      drain: fromPromise(drain),
    },
  });
  const actor = createActor(machine, {
    id: o.id,
    input: {
      serverAddress: o.serverAddress,
      agentId: o.agentId,
      connectTimeoutMs: o.connectTimeoutMs,
      handshakeTimeoutMs: o.handshakeTimeoutMs,
      pingIntervalMs: o.pingIntervalMs,
      maxMissedPongs: o.maxMissedPongs,
      reconnectInitialMs: o.reconnectInitialMs,
      reconnectMaxMs: o.reconnectMaxMs,
      reconnectJitter: o.reconnectJitter,
      closeTimeoutMs: o.closeTimeoutMs,
    },
    ...hostActorOptions({ inspect: o.inspect, clock: o.clock }),
  });

  // Retry-queue loading and the TTL sweep, from connect() until the chart stops (closed, or
  // rejected: a rejected link arms no timer; its queue waits for close()).
  const background = new Every(clock, (error) => o.logger.error('link: background step failed', { error: String(error) }));

  // The writer is attached while the chart is open or closing (a close still flushes and waits
  // for acks): one subscription per state change, never per report.
  let attached = false;
  actor.subscribe({
    next: (snapshot) => {
      const writable = snapshot.matches({ connection: 'open' }) || snapshot.matches({ connection: 'closing' });
      if (writable && !attached && connection) {
        attached = true;
        outbox.attach(connection);
      } else if (!writable && attached) {
        attached = false;
        outbox.detach();
      }
      if (snapshot.status !== 'active') background.stop();
    },
    error: (error) => o.logger.error('link: chart failed', { error: String(error) }),
  });
  actor.start();

  const settledState = () =>
    new Promise<void>((resolve) => {
      const check = () => actor.getSnapshot().status !== 'active';
      if (check()) return resolve();
      const sub = actor.subscribe({ next: () => check() && (sub.unsubscribe(), resolve()), error: () => resolve(), complete: () => resolve() });
    });
  const firstOpen = () =>
    new Promise<void>((resolve, reject) => {
      const check = (): boolean => {
        const snapshot = actor.getSnapshot();
        if (snapshot.hasTag('ready')) return resolve(), true;
        if (snapshot.status !== 'active') {
          return reject(snapshot.matches('rejected') ? new LinkRejectedError(snapshot.context.reason.replace(/^rejected: /, '')) : new LinkClosedError('connect')), true;
        }
        return false;
      };
      if (check()) return;
      const sub = actor.subscribe({ next: () => check() && sub.unsubscribe(), error: (e) => reject(e) });
    });

  let connecting: Promise<void> | null = null;
  let closing: Promise<void> | null = null;

  const link: Link = {
    actor,
    registerTaskHandler: (type, handler) => tasks.register(type, handler),
    connect() {
      if (closing) return Promise.reject(new LinkClosedError('connect'));
      if (!connecting) {
        background.start(o.retryQueueLoadIntervalMs, () => outbox.pump(true));
        background.start(o.retryQueueCleanupIntervalMs, () => outbox.expire());
        void outbox.expire();
        actor.send({ type: 'link.connect' });
        connecting = Promise.resolve();
      }
      return connecting.then(firstOpen);
    },
    start() {
      link.connect().catch((error: unknown) => o.logger.warn('link: connect failed', { error: String(error) }));
    },
    isConnected: () => actor.getSnapshot().hasTag('ready'),
    sendTaskConfirm: (requestId, taskId) => reports.confirm(requestId, taskId),
    sendTaskLog: (requestId, taskId, content) => reports.log(requestId, taskId, content),
    sendTaskLogBuffered: (requestId, taskId, content) => reports.logBuffered(requestId, taskId, content),
    getOrCreateLogBuffer: (requestId, taskId) => reports.buffer(requestId, taskId),
    closeLogBuffer: (taskId) => reports.closeBuffer(taskId),
    sendTaskResult: (requestId, taskId, result) => reports.result(requestId, taskId, result),
    settled: () => outbox.whenSettled(),
    close() {
      closing ??= (async () => {
        tasks.abortAll('link closing');
        notify({ type: 'link.close' });
        await settledState();
        // Past the chart: tasks still running get until the close deadline to report (queued).
        if (tasks.active) {
          let timer: unknown;
          await Promise.race([tasks.settled(), new Promise<void>((r) => (timer = clock.setTimeout(r, o.closeTimeoutMs)))]);
          clock.clearTimeout(timer);
        }
        reports.close();
        background.stop();
        const lost = await outbox.keepForRestart();
        lostAfterClose += lost;
        if (lost) o.logger.warn('link: unacked reports not kept (no retryQueueDir, or its log not writable)', { lost });
        await disk?.close();
        actor.stop();
      })();
      return closing;
    },
    stop: () => link.close(),
    drain: () => link.close(),
    counters() {
      const gauges = outbox.gauges();
      return {
        reports_sent: outbox.counts.sent,
        reports_acked: outbox.counts.acked,
        reports_resent: outbox.counts.resent,
        reports_queued: outbox.counts.queued,
        reports_dropped: outbox.counts.dropped,
        write_failures: outbox.counts.writeFailures,
        in_flight: gauges.inFlight,
        queue_memory: gauges.memory,
        queue_disk: gauges.disk,
        invalid_frames: invalidFrames,
        frame_too_large: framesTooLarge,
        reports_lost_after_close: lostAfterClose,
        tasks_started: tasks.counts.started,
        tasks_succeeded: tasks.counts.succeeded,
        tasks_failed: tasks.counts.failed,
        tasks_unknown_type: tasks.counts.unknownType,
        tasks_duplicate: tasks.counts.duplicates,
        tasks_running: tasks.active,
        opens: actor.getSnapshot().context.opens,
        disk_io_errors: openFailures + (disk?.ioErrors ?? 0),
        log_corrupt_records: disk?.corruptRecords ?? 0,
      };
    },
    status() {
      const snapshot = actor.getSnapshot();
      return {
        id: o.id,
        agentId: o.agentId,
        serverAddress: o.serverAddress,
        state: stateName(snapshot.value),
        connected: snapshot.hasTag('ready'),
        reason: snapshot.context.reason,
        closeCode: snapshot.context.closeCode,
        reconnectAttempt: snapshot.context.attempt,
        counters: link.counters(),
      };
    },
  };
  return link;
}

function stateName(value: unknown): string {
  if (typeof value === 'string') return value;
  const [key, child] = Object.entries(value as Record<string, unknown>)[0] ?? ['?', ''];
  return child ? `${key}.${stateName(child)}` : key;
}
