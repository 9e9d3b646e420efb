/**
 * A scripted sidecar-agent for the cases the reference agent cannot produce: each `GET` of the
 * watch path is answered by the next script (raw SSE text written in one `write`, then the stream
 * ends or stays open), every POST is recorded and answered 200. Paths are whatever the test asks.
 */
import type { IncomingMessage } from 'node:http';
import { readBody, startHttpServer, type TestHttpServer } from '../../helpers/servers.js';

export interface ScriptedCall {
  method: string;
  path: string;
  /** The raw bytes of the `Last-Event-ID` header, decoded as UTF-8 (null when absent). */
  lastEventId: string | null;
  body: string;
}

export interface ScriptedAgent {
  readonly url: string;
  readonly calls: ScriptedCall[];
  callsTo(path: string): ScriptedCall[];
  close(): Promise<void>;
}

/** `streams[i]` answers the i-th watch request (the last one repeats): `text` written at once, then `end` or keep open. */
export async function startScriptedAgent(options: {
  watchPath?: string;
  streams: Array<{ text: string; end: boolean }>;
}): Promise<ScriptedAgent> {
  const watchPath = options.watchPath ?? '/watch';
  const calls: ScriptedCall[] = [];
  let watches = 0;
  // Node decodes header bytes as latin1; turn them back into the UTF-8 text a Go agent would read.
  const lastEventId = (req: IncomingMessage) => {
    const raw = req.rawHeaders.findIndex((h, i) => i % 2 === 0 && h.toLowerCase() === 'last-event-id');
    return raw < 0 ? null : Buffer.from(req.rawHeaders[raw + 1]!, 'latin1').toString('utf8');
  };
  const server: TestHttpServer = await startHttpServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (req.method === 'GET' && path === watchPath) {
      calls.push({ method: 'GET', path, lastEventId: lastEventId(req), body: '' });
      const script = options.streams[Math.min(watches++, options.streams.length - 1)]!;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(script.text);
      if (script.end) res.end();
      return;
    }
    const body = await readBody(req);
    calls.push({ method: req.method ?? '', path, lastEventId: null, body });
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  return {
    url: server.url,
    calls,
    callsTo: (path) => calls.filter((c) => c.path === path),
    close: () => server.close(),
  };
}
