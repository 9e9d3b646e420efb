import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 in front of a real server, for fault tests: it can cut a connection
 * right after the server executed a request and before its reply reaches the client — the way a
 * reply is lost in production (a network cut, a load balancer's idle kill, a NIC reset).
 *
 * `cutReplyTo(match, times)` arms it: the next `times` client chunks for which `match` is true are
 * forwarded as usual, and the connection they came on is destroyed (both sides) when the server's
 * first bytes after them arrive, which are dropped. Nothing else is touched.
 */
export interface TcpProxy {
  readonly port: number;
  readonly url: string;
  /** Connections cut so far. */
  readonly cuts: number;
  cutReplyTo(match: (request: Buffer) => boolean, times?: number): void;
  /** Stops listening and destroys every open connection. */
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number, scheme = 'redis'): Promise<TcpProxy> {
  const pairs = new Set<{ client: Socket; upstream: Socket }>();
  let armed: { match: (request: Buffer) => boolean; left: number } | undefined;
  let cuts = 0;
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    const pair = { client, upstream };
    pairs.add(pair);
    let cutOnReply = false;
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (chunk: Buffer) => {
      if (armed && armed.left > 0 && armed.match(chunk)) {
        armed.left--;
        cutOnReply = true;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (cutOnReply) {
        cuts++;
        end();
        return;
      }
      client.write(chunk);
    });
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    url: `${scheme}://127.0.0.1:${port}`,
    get cuts() {
      return cuts;
    },
    cutReplyTo(match, times = 1) {
      armed = { match, left: times };
    },
    async close() {
      for (const { client, upstream } of pairs) {
        client.destroy();
        upstream.destroy();
      }
      pairs.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
