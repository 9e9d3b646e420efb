import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createConnection } from 'node:net';
import { freePort, sleep } from './ports.js';

export interface TestRedis {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Whether this helper owns the server (false when REDIS_URL was given). */
  readonly owned: boolean;
  /** Stops the server for good (SIGTERM, waits for exit). */
  stop(): Promise<void>;
  /** Sends a signal: `SIGKILL` to crash it, `SIGSTOP`/`SIGCONT` to freeze and thaw it. */
  kill(signal: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port (after `stop` or `kill('SIGKILL')`). */
  restart(): Promise<void>;
}

let warned = false;

/** True when a `redis-server` binary is on PATH. */
export function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Starts a private `redis-server` on a free loopback port, keeping nothing on disk.
 *
 * With REDIS_URL set, that server is used instead (and `kill`/`restart` are refused).
 * Without a redis-server binary it returns `undefined` after a loud notice, so callers skip;
 * under CI=true a missing binary throws instead: CI must never skip the Redis suites silently.
 */
export async function startRedis(): Promise<TestRedis | undefined> {
  const external = process.env.REDIS_URL;
  if (external) return externalRedis(external);
  if (!hasRedisServer()) {
    if (process.env.CI === 'true') throw new Error('redis-server is not installed, and CI=true: the Redis tests must run');
    if (!warned) {
      warned = true;
      console.warn('\n!!! redis-server not found on PATH: SKIPPING the Redis tests (install redis-server to run them) !!!\n');
    }
    return undefined;
  }
  // The free port can be taken by someone else before redis-server binds it (suites run beside
  // each other on a shared box): try a fresh one a few times.
  let port = 0;
  let first: ChildProcess | undefined;
  for (let attempt = 1; !first; attempt++) {
    port = await freePort();
    try {
      first = await launch(port);
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
  let child = first;
  // The child is unref'd so a forgotten server never holds a test process open; while we wait for
  // its exit it must hold the event loop, or the wait would end with the loop.
  const exited = (proc: ChildProcess) =>
    proc.exitCode !== null || proc.signalCode !== null
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          proc.ref();
          proc.once('exit', () => resolve());
        });
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    owned: true,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGCONT');
        child.kill('SIGTERM');
      }
      await exited(child);
    },
    async kill(signal) {
      child.kill(signal);
      if (signal === 'SIGKILL' || signal === 'SIGTERM') await exited(child);
    },
    async restart() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGCONT');
        child.kill('SIGKILL');
        await exited(child);
      }
      child = await launch(port);
    },
  };
}

async function launch(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--loglevel', 'warning'],
    { stdio: 'ignore' },
  );
  child.unref();
  // Give a killed test process no chance to leave a server behind.
  const reap = () => child.kill('SIGKILL');
  process.once('exit', reap);
  child.once('exit', () => process.off('exit', reap));
  const deadline = Date.now() + 5000;
  while (!(await answersPing(port))) {
    if (child.exitCode !== null) throw new Error(`redis-server on port ${port} exited with ${child.exitCode}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL'); // not left running until the test process exits
      throw new Error(`redis-server on port ${port} did not start within 5 s`);
    }
    await sleep(20);
  }
  return child;
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

function externalRedis(url: string): TestRedis {
  const refuse = async () => {
    throw new Error('REDIS_URL is set: this test needs a private redis-server it can kill and restart');
  };
  return { url, port: Number(new URL(url).port || 6379), owned: false, stop: async () => {}, kill: refuse, restart: refuse };
}
