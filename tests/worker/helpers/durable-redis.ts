import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, sleep } from '../../helpers/ports.js';
import { hasRedisServer } from '../../helpers/redis.js';

/**
 * A private redis-server that keeps its data across SIGKILL: AOF with `appendfsync always`, in a
 * temporary directory removed by `stop()`. The shared helper runs Redis without persistence, where
 * a restart empties the queue by design; "nothing queued before the restart is lost" is a property
 * of the queue *given* a durable Redis, so that is what this fault test runs against.
 */
export interface DurableRedis {
  url: string;
  kill(signal: NodeJS.Signals): Promise<void>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startDurableRedis(): Promise<DurableRedis | undefined> {
  if (!hasRedisServer()) {
    if (process.env.CI === 'true') throw new Error('redis-server is not installed, and CI=true: the durable Redis tests must run');
    return undefined;
  }
  const dir = mkdtempSync(join(tmpdir(), 'sw-worker-redis-'));
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child = await launch(port, dir);
  const exited = (proc: ChildProcess) =>
    proc.exitCode !== null || proc.signalCode !== null ? Promise.resolve() : new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  return {
    url,
    async kill(signal) {
      child.kill(signal);
      if (signal === 'SIGKILL') await exited(child);
    },
    async restart() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited(child);
      }
      child = await launch(port, dir);
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGCONT');
        child.kill('SIGKILL');
      }
      await exited(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function launch(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir, '--daemonize', 'no', '--loglevel', 'warning'],
    { stdio: 'ignore' },
  );
  child.unref();
  const reap = () => child.kill('SIGKILL');
  process.once('exit', reap);
  child.once('exit', () => process.off('exit', reap));
  const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => {});
  const deadline = Date.now() + 5000;
  try {
    for (;;) {
      try {
        if (probe.status !== 'ready') await probe.connect();
        if ((await probe.ping()) === 'PONG') break;
      } catch {
        // loading the AOF or not listening yet
      }
      if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
      if (Date.now() > deadline) throw new Error('durable redis-server did not start within 5 s');
      probe.disconnect();
      await sleep(30);
    }
  } finally {
    probe.disconnect();
  }
  return child;
}
