import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkStatusServerOptions } from './options.js';
import type { ActorStatus } from './types.js';

export interface StatusServerOptions {
  /** Default 0: a free port. */
  port?: number;
  /** Default 127.0.0.1: status is for the host and its probes, not the world. */
  host?: string;
}

export interface StatusServer {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

interface StatusSource {
  status(): ActorStatus[];
  isReady(): boolean;
  metrics(): string;
}

/**
 * The runtime's status endpoint:
 * `GET /healthz` 200 while the process runs; `GET /readyz` 200 when every actor is ready, else 503
 * with the ones that are not; `GET /status` the JSON of `status()`; `GET /metrics` Prometheus text.
 * Unknown paths answer 404 JSON, other methods 405 with `Allow: GET, HEAD`, an unparsable target 400.
 * Rejects with ConfigError (SW_CONFIG) for a port that is not an integer 0–65535, an empty host or an
 * unknown option.
 */
export async function serveStatus(source: StatusSource, options: StatusServerOptions = {}): Promise<StatusServer> {
  checkStatusServerOptions(options);
  const routes: Record<string, (res: ServerResponse) => void> = {
    '/healthz': (res) => json(res, 200, { status: 'ok' }),
    '/readyz': (res) => {
      const notReady = source.status().filter((actor) => !actor.ready).map((actor) => ({ id: actor.id, state: actor.state, status: actor.status }));
      json(res, notReady.length === 0 ? 200 : 503, { ready: notReady.length === 0, notReady });
    },
    '/status': (res) => json(res, 200, { actors: source.status() }),
    '/metrics': (res) => text(res, 200, source.metrics(), 'text/plain; version=0.0.4; charset=utf-8'),
  };
  const server = createServer((req, res) => {
    let path: string;
    try {
      path = new URL(req.url ?? '/', 'http://status').pathname;
    } catch {
      // A request target URL cannot parse (`GET http://[ HTTP/1.1`): it threw out of the handler
      // and took the process down.
      return json(res, 400, { error: 'bad request target' });
    }
    const route = Object.hasOwn(routes, path) ? routes[path] : undefined;
    if (!route) return json(res, 404, { error: 'not found', path });
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return json(res, 405, { error: 'method not allowed', method: req.method });
    }
    try {
      route(res);
    } catch (error) {
      json(res, 500, { error: error instanceof Error ? error.message : String(error) });
    }
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  text(res, status, JSON.stringify(body), 'application/json');
}

function text(res: ServerResponse, status: number, body: string, type: string): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(body);
}
