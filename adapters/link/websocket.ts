import type { Socket } from 'node:net';
import WebSocket from 'ws';

/**
 * The WebSocket port of the link: one connection, text frames in and out, and a close that always
 * comes (a refused connection, a reset and a clean close all end in `close`). Over `ws` here.
 */
export interface SocketHandlers {
  open(): void;
  message(text: string): void;
  /** Always called once, last. `reason` carries the error message when the socket failed. */
  close(code: number, reason: string): void;
  /**
   * The server sent a frame over `maxPayload` bytes: the socket closes (`close` follows, its
   * reason naming the limit), since the rest of that frame cannot be skipped.
   */
  tooLarge?(maxPayload: number): void;
}

/** What one connection may differ in from its factory's defaults. */
export interface ConnectOptions {
  /** Largest accepted incoming frame, in bytes (overrides the factory's). */
  maxPayload?: number;
}

export interface WebSocketConnection {
  /** Writes a text frame; false when the socket is not open (the caller keeps the report). */
  send(text: string): boolean;
  isOpen(): boolean;
  /** Bytes queued in the socket, not yet written to the kernel. */
  bufferedAmount(): number;
  close(code?: number, reason?: string): void;
  /** Drops the connection at once (no closing handshake). */
  terminate(): void;
}

/** Bytes of frames written per coalesced `writev`. */
const COALESCE_BYTES = 16 * 1024;

export type WebSocketFactory = (url: string, handlers: SocketHandlers, options?: ConnectOptions) => WebSocketConnection;

/** Largest accepted incoming frame unless told otherwise: 1 MiB. */
export const DEFAULT_MAX_PAYLOAD = 1 << 20;

export interface WsFactoryOptions {
  /** Largest accepted incoming frame, in bytes. Default 1 MiB (`DEFAULT_MAX_PAYLOAD`). */
  maxPayload?: number;
  /**
   * Frames sent in the same tick leave in one `writev` (the TCP socket is corked until the next
   * tick) instead of one syscall each. Adds no latency beyond the current tick. Default true.
   */
  coalesceWrites?: boolean;
  /**
   * How long `close()` waits for the peer's close frame before dropping the socket. Default
   * 1 000 ms (`ws` waits 30 s: a stuck peer kept a closed link's socket, and its process, alive).
   */
  closeTimeoutMs?: number;
}

/** The real factory, over the `ws` package. No compression: frames are small and latency matters. */
export function wsFactory(options: WsFactoryOptions = {}): WebSocketFactory {
  return (url, handlers, connect = {}) => {
    const maxPayload = connect.maxPayload ?? options.maxPayload ?? DEFAULT_MAX_PAYLOAD;
    // `closeTimeout` is a ws 8 client option its type definitions do not list yet.
    const ws = new WebSocket(url, {
      perMessageDeflate: false,
      maxPayload,
      closeTimeout: options.closeTimeoutMs ?? 1_000,
    } as WebSocket.ClientOptions);
    let lastError = '';
    ws.on('open', () => handlers.open());
    ws.on('message', (data, isBinary) => {
      handlers.message(isBinary ? '\u0000binary' : data.toString());
    });
    ws.on('error', (error) => {
      if ((error as NodeJS.ErrnoException).code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
        lastError = `frame too large (over maxPayload ${maxPayload} bytes)`;
        handlers.tooLarge?.(maxPayload);
        return;
      }
      lastError = error.message;
    });
    ws.on('close', (code, reason) => handlers.close(code, reason.toString() || lastError));
    const coalesce = options.coalesceWrites ?? true;
    let corked: Socket | null = null;
    let corkedBytes = 0;
    const uncork = () => {
      corked?.uncork();
      corked = null;
    };
    return {
      send(text) {
        if (ws.readyState !== WebSocket.OPEN) return false;
        if (coalesce && corked === null) {
          // `_socket` is ws's underlying net.Socket (stable across ws 8; absent in odd transports).
          const socket = (ws as unknown as { _socket?: Socket })._socket;
          if (socket) {
            corked = socket;
            corkedBytes = 0;
            socket.cork();
            process.nextTick(uncork);
          }
        }
        ws.send(text);
        // A long burst leaves in chunks, so the server starts reading (and acking) meanwhile.
        if (corked !== null && (corkedBytes += text.length) >= COALESCE_BYTES) {
          corked.uncork();
          corked.cork();
          corkedBytes = 0;
        }
        return true;
      },
      isOpen: () => ws.readyState === WebSocket.OPEN,
      bufferedAmount: () => ws.bufferedAmount,
      close(code = 1000, reason = '') {
        if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
        else if (ws.readyState === WebSocket.OPEN) ws.close(code, reason);
      },
      terminate: () => ws.terminate(),
    };
  };
}
