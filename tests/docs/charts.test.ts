import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { and, createMachine, fromPromise, not, or, setup, stateIn, type AnyStateMachine } from 'xstate';
import * as machines from '../../machines/index.js';
import { toMermaid } from '../../runtime/mermaid.js';
import { findCharts, staleMessage, writeCharts } from '../helpers/docs-charts.js';

const lines = (...rows: string[]) => rows.join('\n');

// ---- the repo's own docs

test('docs: every chart in README.md and docs/*.md is the one its machine renders', async () => {
  for (const chart of await findCharts()) assert.is(chart.actual, chart.expected, staleMessage(chart));
});

// ---- toMermaid on small machines, exact output

test('toMermaid: nested states, a final state, a state onDone, a history state', () => {
  const door = createMachine({
    id: 'door',
    initial: 'closed',
    states: {
      closed: { on: { 'door.open': 'opened', 'door.reopen': 'opened.hist' } },
      opened: {
        initial: 'ajar',
        on: { 'door.close': 'closed' },
        onDone: 'closed',
        states: {
          ajar: { on: { 'door.push': 'wide' } },
          wide: { type: 'final' },
          hist: { type: 'history' },
        },
      },
    },
  });
  assert.is(
    toMermaid(door),
    lines(
      'stateDiagram-v2',
      '  [*] --> door',
      '  state "door" as door {',
      '    [*] --> door_closed',
      '    state "closed" as door_closed',
      '    state "opened" as door_opened {',
      '      [*] --> door_opened_ajar',
      '      state "ajar" as door_opened_ajar',
      '      state "wide" as door_opened_wide',
      '      door_opened_wide --> [*]',
      '      state "hist (H)" as door_opened_hist',
      '    }',
      '  }',
      '  door_closed --> door_opened : door.open',
      '  door_closed --> door_opened_hist : door.reopen',
      '  door_opened --> door_closed : door.close<br/>onDone',
      '  door_opened_ajar --> door_opened_wide : door.push',
    ),
  );
});

test('toMermaid: parallel regions split by --, invoked actors by src (root, composite, atomic)', () => {
  const player = createMachine({
    id: 'player',
    type: 'parallel',
    invoke: { src: 'watcher' },
    states: {
      audio: {
        initial: 'muted',
        states: { muted: { on: { 'audio.toggle': 'loud' } }, loud: { on: { 'audio.toggle': 'muted' } } },
      },
      track: {
        initial: 'loading',
        // Inline logic has no name: it is shown by its invoke id.
        invoke: { id: 'ticker', src: fromPromise(async () => undefined) },
        states: {
          loading: { invoke: { src: 'fetch', onDone: 'playing', onError: 'failed' } },
          playing: {},
          failed: { type: 'final' },
        },
      },
    },
  });
  assert.is(
    toMermaid(player),
    lines(
      'stateDiagram-v2',
      '  [*] --> player',
      '  state "player (invoke watcher)" as player {',
      '    state "audio" as player_audio {',
      '      [*] --> player_audio_muted',
      '      state "muted" as player_audio_muted',
      '      state "loud" as player_audio_loud',
      '    }',
      '    --',
      '    state "track (invoke ticker)" as player_track {',
      '      [*] --> player_track_loading',
      '      state "loading" as player_track_loading',
      '      player_track_loading : invoke fetch',
      '      state "playing" as player_track_playing',
      '      state "failed" as player_track_failed',
      '      player_track_failed --> [*]',
      '    }',
      '  }',
      '  player_audio_muted --> player_audio_loud : audio.toggle',
      '  player_audio_loud --> player_audio_muted : audio.toggle',
      '  player_track_loading --> player_track_playing : onDone fetch',
      '  player_track_loading --> player_track_failed : onError fetch',
    ),
  );
});

test('toMermaid: guards by name, combinators spelled out, one arrow per pair of states', () => {
  const gate = setup({
    guards: { isAdmin: () => true, hasQuota: () => true, isBanned: () => false },
  }).createMachine({
    id: 'gate',
    initial: 'shut',
    states: {
      shut: {
        on: {
          'gate.enter': [
            { guard: 'isAdmin', target: 'open' },
            { guard: and(['hasQuota', not('isBanned')]), target: 'open' },
            { guard: or([{ type: 'hasQuota' }, and(['isAdmin', 'hasQuota'])]), target: 'queue' },
            { target: 'refused' },
          ],
          'gate.knock': { guard: function knockedTwice() { return true; }, target: 'queue' },
          'gate.peek': { guard: () => true, target: 'queue' },
          'gate.check': { guard: stateIn('#gate.open'), target: 'refused' },
          // No target: no state changes, nothing is drawn.
          'gate.ping': { guard: 'isAdmin', actions: () => undefined },
        },
      },
      open: {},
      queue: {},
      refused: {},
    },
  });
  assert.is(
    toMermaid(gate),
    lines(
      'stateDiagram-v2',
      '  [*] --> gate',
      '  state "gate" as gate {',
      '    [*] --> gate_shut',
      '    state "shut" as gate_shut',
      '    state "open" as gate_open',
      '    state "queue" as gate_queue',
      '    state "refused" as gate_refused',
      '  }',
      '  gate_shut --> gate_open : gate.enter [isAdmin]<br/>gate.enter [hasQuota && !isBanned]',
      '  gate_shut --> gate_queue : gate.enter [hasQuota || (isAdmin && hasQuota)]<br/>gate.knock [knockedTwice]<br/>gate.peek [inline]',
      '  gate_shut --> gate_refused : gate.enter<br/>gate.check [in #gate.open]',
    ),
  );
});

test('toMermaid: after (named and in ms), always, with and without guards', () => {
  const kettle = setup({ delays: { patience: 1000 }, guards: { tired: () => false } }).createMachine({
    id: 'kettle',
    initial: 'cold',
    states: {
      cold: { after: { 500: 'warm' } },
      warm: {
        always: { guard: 'tired', target: 'cold' },
        after: { patience: [{ guard: 'tired', target: 'cold' }, { target: 'boiling' }] },
      },
      boiling: { always: 'done' },
      done: { type: 'final' },
    },
  });
  assert.is(
    toMermaid(kettle),
    lines(
      'stateDiagram-v2',
      '  [*] --> kettle',
      '  state "kettle" as kettle {',
      '    [*] --> kettle_cold',
      '    state "cold" as kettle_cold',
      '    state "warm" as kettle_warm',
      '    state "boiling" as kettle_boiling',
      '    state "done" as kettle_done',
      '    kettle_done --> [*]',
      '  }',
      '  kettle_cold --> kettle_warm : after 500ms',
      '  kettle_warm --> kettle_cold : after patience [tired]<br/>always [tired]',
      '  kettle_warm --> kettle_boiling : after patience',
      '  kettle_boiling --> kettle_done : always',
    ),
  );
});

test('toMermaid: ids sanitised, unique and never a keyword; labels made safe; direction', () => {
  const odd = createMachine({
    id: 'state',
    initial: 'half-open',
    states: {
      'half-open': { on: { 'a;b': 'half_open' } },
      half_open: { on: { go: 'say "hi"' } },
      'say "hi"': {},
    },
  });
  assert.is(
    toMermaid(odd, { direction: 'LR' }),
    lines(
      'stateDiagram-v2',
      '  direction LR',
      '  [*] --> s_state',
      '  state "state" as s_state {',
      '    [*] --> state_half_open',
      '    state "half-open" as state_half_open',
      '    state "half_open" as state_half_open_2',
      '    state "say \'hi\'" as state_say__hi_',
      '  }',
      '  state_half_open --> state_half_open_2 : a,b',
      '  state_half_open_2 --> state_say__hi_ : go',
    ),
  );
});

test('toMermaid: every machine of machines/index.ts renders the same text twice, well formed', () => {
  const all = Object.entries(machines).filter((entry): entry is [string, AnyStateMachine] => typeof entry[1] === 'object' && entry[1] !== null && 'root' in entry[1]);
  assert.ok(all.length >= 9, `found ${all.map(([name]) => name).join(', ')}`);
  for (const [name, machine] of all) {
    const chart = toMermaid(machine);
    assert.is(toMermaid(machine), chart, `${name}: not deterministic`);
    const rows = chart.split('\n');
    assert.is(rows.filter((row) => row.endsWith('{')).length, rows.filter((row) => row.trim() === '}').length, `${name}: unbalanced braces`);
    const declared = new Set(rows.flatMap((row) => /^\s*state "[^"]*" as (\w+)( \{)?$/.exec(row)?.[1] ?? []));
    for (const row of rows.slice(1)) {
      const edge = /^\s*(\S+) --> (\S+)( : [^;]+)?$/.exec(row);
      assert.ok(edge || /^\s*(state "[^"]*" as \w+( \{)?|\w+ : invoke \w+|--|\})$/.test(row), `${name}: unexpected line ${JSON.stringify(row)}`);
      for (const end of edge ? [edge[1]!, edge[2]!] : []) {
        assert.ok(end === '[*]' || declared.has(end), `${name}: ${end} is not declared`);
      }
    }
  }
});

// ---- the finder and writer, on docs made in a temp dir

const render = (machine: AnyStateMachine) => toMermaid(machine);
const block = (chart: string, body: string) => `<!-- chart: ${chart} -->\n${body}<!-- /chart -->`;
const fenced = (diagram: string) => `\`\`\`mermaid\n${diagram}\n\`\`\`\n`;

async function withDocs(files: Record<string, string>, run: (root: string) => Promise<void>): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'statewire-docs-'));
  try {
    for (const [file, text] of Object.entries(files)) {
      await mkdir(join(root, file, '..'), { recursive: true });
      await writeFile(join(root, file), text);
    }
    await run(root);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

async function rejects(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  assert.instance(error, Error, `expected a rejection matching ${pattern}`);
  assert.match((error as Error).message, pattern);
}

test('docs charts: finds blocks in README.md and docs/*.md, tells stale from fresh, rewrites in place', async () => {
  const readme = [
    '# fixture',
    block('machines/worker/job.ts#jobMachine', fenced(render(machines.jobMachine))),
    'between',
    block('machines/calls/breaker.ts#breakerMachine', fenced('stateDiagram-v2\n  [*] --> old')),
    'the end\n',
  ].join('\n\n');
  const docs = `# a\n\n${block('machines/calls/coordinator.ts#coordinatorMachine', '\n')}\n`;
  await withDocs({ 'README.md': readme, 'docs/a.md': docs, 'docs/notes.txt': block('machines/nope.ts#x', '') }, async (root) => {
    const found = await findCharts(root);
    assert.equal(
      found.map(({ file, chart, actual, expected }) => [file, chart, actual === expected]),
      [
        ['README.md', 'machines/worker/job.ts#jobMachine', true],
        ['README.md', 'machines/calls/breaker.ts#breakerMachine', false],
        [join('docs', 'a.md'), 'machines/calls/coordinator.ts#coordinatorMachine', false],
      ],
    );
    assert.is(found[1]!.actual, 'stateDiagram-v2\n  [*] --> old');
    assert.is(found[2]!.actual, '');
    assert.is(staleMessage(found[1]!), 'README.md: chart of machines/calls/breaker.ts#breakerMachine is stale: run npm run docs');

    assert.equal(await writeCharts(root), ['README.md', join('docs', 'a.md')]);
    assert.ok((await findCharts(root)).every((chart) => chart.actual === chart.expected));
    assert.is(
      await readFile(join(root, 'README.md'), 'utf8'),
      readme.replace(fenced('stateDiagram-v2\n  [*] --> old'), fenced(render(machines.breakerMachine))),
    );
    assert.is(
      await readFile(join(root, 'docs', 'a.md'), 'utf8'),
      `# a\n\n${block('machines/calls/coordinator.ts#coordinatorMachine', fenced(render(machines.coordinatorMachine)))}\n`,
    );
    assert.equal(await writeCharts(root), [], 'a second run changes nothing');
  });
});

test('docs charts: no docs/ folder, or no docs at all', async () => {
  await withDocs({ 'README.md': block('machines/worker/job.ts#jobMachine', '') }, async (root) => {
    assert.equal((await findCharts(root)).map((chart) => chart.file), ['README.md']);
  });
  await withDocs({}, async (root) => {
    assert.equal(await findCharts(root), []);
    assert.equal(await writeCharts(root), []);
  });
});

test('docs charts: a marker naming a missing module, a missing export or no machine fails clearly', async () => {
  const fails = (marker: string, pattern: RegExp) => {
    // A stale chart before the bad one: the failed write leaves it as it was.
    const text = `${block('machines/worker/job.ts#jobMachine', '')}\n# x\n${block(marker, '')}\n`;
    return withDocs({ 'docs/x.md': text }, async (root) => {
      await rejects(findCharts(root), pattern);
      await rejects(writeCharts(root), pattern);
      assert.is(await readFile(join(root, 'docs', 'x.md'), 'utf8'), text);
    });
  };
  await fails('machines/nope.ts#nopeMachine', /^docs[/\\]x\.md:4: chart marker names machines\/nope\.ts, which does not exist/);
  await fails('machines/worker/job.ts#nopeMachine', /^docs[/\\]x\.md:4: .*machines\/worker\/job\.ts has no export nopeMachine/);
  await fails('machines/backoff.ts#backoffDelay', /^docs[/\\]x\.md:4: .*backoffDelay, which is not a state machine/);
});

test('docs charts: an opening marker without its closing one fails clearly', async () => {
  const text = `${block('machines/worker/job.ts#jobMachine', '')}\n\n<!-- chart: machines/calls/breaker.ts#breakerMachine -->\n`;
  await withDocs({ 'README.md': text }, async (root) => {
    await rejects(findCharts(root), /^README\.md:4: chart marker for machines\/calls\/breaker\.ts#breakerMachine has no <!-- \/chart --> after it/);
  });
});

test.run();
