import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type ServerOptions } from 'ws';
import { listenOnLoopback } from '../../examples/peers/listen.js';

export interface TestHttpServer {
  readonly server: Server;
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Closes the server and destroys every open connection (so streams end at once). */
  close(): Promise<void>;
}

/** An HTTP server on a free loopback port. `port` reuses a port (to restart a peer in place). */
export async function startHttpServer(handler: RequestListener, port = 0): Promise<TestHttpServer> {
  const server = createServer(handler);
  const sockets = new Set<Socket>();
  const actual = await listenOnLoopback(server, port, sockets);
  return {
    server,
    port: actual,
    url: `http://127.0.0.1:${actual}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface TestWsServer {
  readonly wss: WebSocketServer;
  readonly port: number;
  /** `ws://127.0.0.1:<port>` */
  readonly url: string;
  /** Terminates every client and closes the server. */
  close(): Promise<void>;
}

/** A `ws` WebSocket server on a free loopback port (or `port`, to restart in place). */
export async function startWsServer(options: Omit<ServerOptions, 'port' | 'host' | 'server'> = {}, port = 0): Promise<TestWsServer> {
  const wss = new WebSocketServer({ ...options, port, host: '127.0.0.1' });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', () => resolve());
    wss.once('error', reject);
  });
  const actual = (wss.address() as AddressInfo).port;
  return {
    wss,
    port: actual,
    url: `ws://127.0.0.1:${actual}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  };
}

/** Reads a request body as text (for recording peers). */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.once('error', reject);
  });
}

/** Writes a JSON answer. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
