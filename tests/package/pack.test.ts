import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

/**
 * The package as a user gets it: `npm pack` (which builds dist through `prepare`), the file list it
 * ships, then the tarball installed into a fresh app (offline: the dependencies come from npm's
 * cache, filled by this repo's own install) and used there — every entry point imported, a job run
 * on the embedded queue, and the types checked under `moduleResolution` node16 and bundler.
 */
const root = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../..');
const work = mkdtempSync(join(tmpdir(), 'sw-pack-'));
test.after(() => rmSync(work, { recursive: true, force: true }));

const npm = (args: string[], cwd: string) =>
  execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000, env: { ...process.env, npm_config_update_notifier: 'false' } });

const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, { types: string; default: string }> };
/**
 * The app's lockfile: statewire from the tarball, its dependencies pinned exactly as this repo's
 * lockfile has them (the production entries), so `npm ci --offline` finds every one in npm's cache.
 */
function appLockfile(spec: string) {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, Record<string, unknown>> };
  const { dependencies, peerDependencies, peerDependenciesMeta, engines, version, license } = lock.packages['']!;
  const packages: Record<string, unknown> = {
    '': { name: 'sw-pack-app', dependencies: { statewire: spec } },
    'node_modules/statewire': { version, resolved: spec, license, dependencies, peerDependencies, peerDependenciesMeta, engines },
  };
  for (const [path, entry] of Object.entries(lock.packages)) if (path !== '' && !entry.dev && !entry.link) packages[path] = entry;
  return { name: 'sw-pack-app', lockfileVersion: 3, requires: true, packages };
}

let tarball = '';
let files: string[] = [];

test('npm pack ships dist (built by prepare), LICENSE, README and docs, and nothing of tests, benches or examples', () => {
  const [packed] = JSON.parse(npm(['pack', '--json', '--pack-destination', work], root)) as Array<{ filename: string; files: Array<{ path: string }> }>;
  tarball = join(work, packed!.filename);
  files = packed!.files.map((f) => f.path);
  for (const must of ['LICENSE', 'README.md', 'package.json', 'dist/index.js', 'dist/index.d.ts', 'dist/adapters/worker/lua/pull-6.lua', 'docs/worker.md']) {
    assert.ok(files.includes(must), `${must} is shipped`);
  }
  const stray = files.filter((f) => /^(tests|bench|examples|node_modules|\.ci)\//.test(f) || f.endsWith('.map') || (f.endsWith('.ts') && !f.endsWith('.d.ts')));
  assert.equal(stray, [], 'no tests, benches, examples, sources or source maps without their sources');
  for (const [entry, target] of Object.entries(manifest.exports)) {
    for (const path of [target.types, target.default]) assert.ok(files.includes(path.replace(/^\.\//, '')), `export ${entry} → ${path} is in the package`);
  }
});

test('the tarball installs into a fresh app offline; every entry point loads and a job runs', () => {
  assert.ok(tarball, 'packed by the test before');
  const app = join(work, 'app');
  execFileSync('mkdir', ['-p', app]);
  const spec = `file:${tarball}`;
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'sw-pack-app', private: true, type: 'module', dependencies: { statewire: spec } }));
  writeFileSync(join(app, 'package-lock.json'), JSON.stringify(appLockfile(spec)));
  npm(['ci', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], app);
  const script = `
    const entries = ['statewire', 'statewire/machines', 'statewire/actors', 'statewire/adapters', 'statewire/runtime'];
    for (const entry of entries) await import(entry);
    const { createRunner, createRuntime, linkMachine, redisQueue } = await import('statewire');
    for (const [name, value] of Object.entries({ createRunner, createRuntime, linkMachine, redisQueue })) if (!value) throw new Error(name + ' missing');
    const runner = createRunner();
    let ran = 0;
    runner.registerWorker({ name: 'w', perform: () => { ran++; } });
    await runner.declare({ name: 'w' });
    runner.start();
    for (let i = 0; i < 200 && ran === 0; i++) await new Promise((r) => setTimeout(r, 10));
    await runner.stop();
    console.log(JSON.stringify({ ran }));
  `;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: app, encoding: 'utf8', timeout: 30_000 });
  assert.equal(JSON.parse(out.trim().split('\n').pop()!), { ran: 1 });
});

test('its types load under moduleResolution node16 and bundler', () => {
  const app = join(work, 'app');
  writeFileSync(
    join(app, 'index.ts'),
    `import { createRunner, type Runner } from 'statewire';
import { linkMachine } from 'statewire/machines';
import { createRuntime } from 'statewire/runtime';
const runner: Runner = createRunner({ threads: 2 });
const state: string = linkMachine.id;
export { runner, state, createRuntime };
`,
  );
  const tsc = join(root, 'node_modules', '.bin', 'tsc');
  for (const [module, moduleResolution] of [['node16', 'node16'], ['esnext', 'bundler']] as const) {
    const config = `tsconfig.${moduleResolution}.json`;
    writeFileSync(
      join(app, config),
      JSON.stringify({ compilerOptions: { module, moduleResolution, target: 'es2022', strict: true, noEmit: true, skipLibCheck: true, types: [] }, files: ['index.ts'] }),
    );
    try {
      execFileSync(tsc, ['-p', config], { cwd: app, encoding: 'utf8', timeout: 60_000 });
    } catch (error) {
      const { stdout } = error as { stdout?: string };
      assert.unreachable(`types under ${moduleResolution}: ${stdout ?? String(error)}`);
    }
  }
});

test.run();
