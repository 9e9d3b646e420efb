import { fromCallback } from 'xstate';
import { encodeFrame, parseServerFrame, type ServerFrame } from '../../adapters/link/protocol.js';
import type { WebSocketConnection, WebSocketFactory } from '../../adapters/link/websocket.js';
import { LinkFrameTooLargeError, type LinkFrameError } from '../../errors/link.js';
import type { LinkSocketCommand, LinkSocketInput } from '../../machines/link/link.js';

export interface SocketPorts {
  factory: WebSocketFactory;
  /** Largest frame accepted from the server. */
  maxPayload: number;
  agentId: string;
  agentKey: string;
  newId(): string;
  /** A connection attempt began. */
  opened(connection: WebSocketConnection): void;
  /** That connection is gone (closed by either side). */
  gone(connection: WebSocketConnection): void;
  /** Hot path: acks and tasks go straight to the facade, not through the chart. */
  ack(id: string): void;
  task(frame: Extract<ServerFrame, { type: 'task.run' }>): void;
  invalid(error: LinkFrameError): void;
  /** A frame over `maxPayload` arrived; the connection closes next. */
  tooLarge(error: LinkFrameTooLargeError): void;
}

/**
 * The chart's `socket` actor: one connection attempt, from open to close. Frames that change the
 * link's state (welcome, reject, pong) become chart events; acks and tasks do not.
 */
export function socketActor(ports: SocketPorts) {
  return fromCallback<LinkSocketCommand, LinkSocketInput>(({ sendBack, receive, input }) => {
    let live = true;
    const send = (event: Parameters<typeof sendBack>[0]) => {
      if (live) sendBack(event);
    };
    const connection = ports.factory(input.serverAddress, {
      open: () => send({ type: 'socket.opened' }),
      message: (text) => {
        const parsed = parseServerFrame(text);
        if (!parsed.ok) {
          ports.invalid(parsed.error);
          send({ type: 'frame.invalid', problem: String(parsed.error.details.problem), message: parsed.error.message });
          return;
        }
        const frame = parsed.frame;
        switch (frame.type) {
          case 'ack':
            return ports.ack(frame.payload.id);
          case 'task.run':
            return ports.task(frame);
          case 'welcome':
            return send({ type: 'frame.welcome' });
          case 'reject':
            return send({ type: 'frame.reject', reason: frame.payload.reason });
          case 'pong':
            return send({ type: 'frame.pong' });
          case 'ping':
            connection.send(encodeFrame({ v: 2, id: ports.newId(), type: 'pong' }));
            return;
        }
      },
      // The chart hears of it as a bad frame, then of the close that follows (→ backoff, reconnect).
      tooLarge: (maxPayload) => {
        const error = new LinkFrameTooLargeError(maxPayload);
        ports.tooLarge(error);
        send({ type: 'frame.invalid', problem: 'too-large', message: error.message });
      },
      close: (code, reason) => {
        ports.gone(connection);
        send({ type: 'socket.closed', code, reason });
      },
    }, { maxPayload: ports.maxPayload });
    ports.opened(connection);
    receive((command) => {
      if (command.type === 'socket.hello') {
        connection.send(encodeFrame({ v: 2, id: ports.newId(), type: 'hello', payload: { agentId: ports.agentId, agentKey: ports.agentKey } }));
      } else {
        connection.send(encodeFrame({ v: 2, id: ports.newId(), type: 'ping' }));
      }
    });
    return () => {
      live = false;
      ports.gone(connection);
      connection.close(1000, 'link closing');
    };
  });
}
