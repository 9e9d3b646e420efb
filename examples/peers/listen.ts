import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * Starts `server` on 127.0.0.1:`port` (0 = a free one) and tracks its sockets in `sockets`, so a
 * reference peer can "go down" by destroying every connection and come back on the same port.
 * Resolves with the port actually bound.
 */
export async function listenOnLoopback(server: Server, port: number, sockets: Set<Socket>): Promise<number> {
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return (server.address() as AddressInfo).port;
}
