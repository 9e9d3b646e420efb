/**
 * Every relative link in README.md and docs/*.md points at a file or folder of the repo, and every
 * `#anchor` into a markdown file names one of its headings (GitHub's slugs). http(s) and mailto
 * links are not checked; neither is anything inside code (fenced blocks, inline code spans).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** GitHub's heading slug (github-slugger): lower case, punctuation removed, each space a '-'. */
export function slug(heading: string): string {
  return heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // a link in a heading counts by its text
    .replace(/<[^>]+>/g, '') // inline HTML
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
    .replace(/ /g, '-');
}

/** The markdown outside fenced code blocks, with inline code spans blanked out. */
function prose(markdown: string): string[] {
  const lines: string[] = [];
  let fence: string | null = null;
  for (const line of markdown.split('\n')) {
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence !== null) {
      if (marker && marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker) fence = null;
      lines.push('');
      continue;
    }
    if (marker) {
      fence = marker;
      lines.push('');
      continue;
    }
    lines.push(line.replace(/(`+)[^`]*?\1/g, (span) => ' '.repeat(span.length)));
  }
  return lines;
}

/** The anchors GitHub makes for a markdown file's ATX headings (a repeated slug gets -1, -2, …). */
export function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  let fence: string | null = null;
  for (const line of markdown.split('\n')) {
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence !== null) {
      if (marker && marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker) fence = null;
      continue;
    }
    if (marker) {
      fence = marker;
      continue;
    }
    const heading = /^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const base = slug(heading);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    result.add(count === 0 ? base : `${base}-${count}`);
  }
  return result;
}

export interface FoundLink {
  line: number;
  text: string;
  target: string;
}

/** Inline links and images, `[text](target)` or `[text](target "title")`, outside code. */
export function extractLinks(markdown: string): FoundLink[] {
  const found: FoundLink[] = [];
  const pattern = /!?\[((?:[^[\]]|\[[^[\]]*\])*)\]\(\s*(<[^>]*>|[^\s)]+)(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g;
  prose(markdown).forEach((line, index) => {
    for (const match of line.matchAll(pattern)) {
      const target = (match[2] ?? '').replace(/^<(.*)>$/, '$1');
      found.push({ line: index + 1, text: match[1] ?? '', target });
    }
  });
  return found;
}

const external = /^(?:https?:|mailto:)/i;

/** What is wrong with one link of `file` (a repo-relative path), or null when it resolves. */
function problem(file: string, target: string): string | null {
  if (external.test(target)) return null;
  const hash = target.indexOf('#');
  const pathPart = decodeURI(hash === -1 ? target : target.slice(0, hash));
  const anchor = hash === -1 ? null : decodeURIComponent(target.slice(hash + 1));
  const resolved = pathPart === '' ? join(root, file) : resolve(root, dirname(file), pathPart);
  if (relative(root, resolved).startsWith('..')) return `leaves the repo: ${target}`;
  if (!existsSync(resolved)) return `no such file or folder: ${relative(root, resolved)}`;
  if (anchor === null || anchor === '') return null;
  if (!resolved.endsWith('.md') || !statSync(resolved).isFile()) return null;
  const known = anchors(readFileSync(resolved, 'utf8'));
  return known.has(anchor) ? null : `no heading #${anchor} in ${relative(root, resolved)}`;
}

test('slug: GitHub rules (lower case, punctuation dropped, spaces to dashes)', () => {
  assert.is(slug('Quick start'), 'quick-start');
  assert.is(slug('Remote agent calls: `breaker`, `registry`, `coordinator`'), 'remote-agent-calls-breaker-registry-coordinator');
  assert.is(slug('worker — an at-least-once job queue (Redis or in-process)'), 'worker--an-at-least-once-job-queue-redis-or-in-process');
  assert.is(slug("link: the agent's WebSocket client"), 'link-the-agents-websocket-client');
  assert.is(slug('Options (defaults from the seed)'), 'options-defaults-from-the-seed');
  assert.is(slug('agent_shutdown stage'), 'agent_shutdown-stage');
  assert.is(slug('See [the docs](docs/x.md)'), 'see-the-docs');
});

test('anchors: headings outside code, repeated slugs numbered', () => {
  const markdown = ['# Title', '## Options', '```sh', '# not a heading', '```', '## Options', '### Done ##', 'text'].join('\n');
  assert.equal([...anchors(markdown)], ['title', 'options', 'options-1', 'done']);
});

test('extractLinks: inline links and images, not inside code', () => {
  const markdown = [
    'See [the runtime](docs/runtime.md#the-runtime) and ![chart](docs/a.png "A chart").',
    'External [site](https://example.com), [mail](mailto:a@b.c), [here](#quick-start).',
    'Inline `[not](a-link.md)` code.',
    '```ts',
    'const x = [a](b);',
    '```',
    'A [`code` text](<with space.md>) link.',
  ].join('\n');
  assert.equal(
    extractLinks(markdown).map(({ line, target }) => `${line}:${target}`),
    ['1:docs/runtime.md#the-runtime', '1:docs/a.png', '2:https://example.com', '2:mailto:a@b.c', '2:#quick-start', '7:with space.md'],
  );
});

test('problem: a missing file and a missing anchor are reported, good links are not', () => {
  assert.is(problem('README.md', 'docs/'), null);
  assert.is(problem('README.md', 'https://example.com/nowhere'), null);
  assert.match(problem('README.md', 'docs/no-such-page.md') ?? '', 'no such file');
  assert.match(problem('README.md', '#no-such-heading-anywhere') ?? '', 'no heading');
});

const pages = ['README.md', ...readdirSync(join(root, 'docs')).filter((name) => name.endsWith('.md')).sort().map((name) => `docs/${name}`)];

for (const file of pages) {
  test(`links resolve: ${file}`, () => {
    const links = extractLinks(readFileSync(join(root, file), 'utf8'));
    const broken = links.flatMap(({ line, target }) => {
      const why = problem(file, target);
      return why === null ? [] : [`${file}:${line}: ${why}`];
    });
    assert.equal(broken, [], broken.join('\n'));
  });
}

test('every docs page is linked from the README and links back to it', () => {
  const readme = extractLinks(readFileSync(join(root, 'README.md'), 'utf8')).map(({ target }) => target.split('#')[0]);
  for (const file of pages.slice(1)) {
    assert.ok(readme.includes(file), `README.md does not link to ${file}`);
    const back = extractLinks(readFileSync(join(root, file), 'utf8')).some(({ target }) => target.split('#')[0] === '../README.md');
    assert.ok(back, `${file} does not link back to the README`);
  }
});

test.run();
