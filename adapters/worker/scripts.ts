import { readdirSync, readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

/**
 * Loads `lua/<name>-<numberOfKeys>.lua` (BullMQ's naming: the key count is in the file name),
 * inlines `--!include <name>` lines from `lua/includes/`, and defines each as an ioredis command
 * `sw<Name>`. ioredis runs them with EVALSHA and falls back to EVAL on NOSCRIPT, so a restarted
 * Redis (scripts flushed) needs nothing from us.
 */
const luaDir = new URL('./lua/', import.meta.url);

export interface ScriptSource {
  command: string;
  numberOfKeys: number;
  lua: string;
}

function inline(source: string): string {
  return source.replace(/^--!include (\w+)\s*$/gm, (_, name: string) => readFileSync(new URL(`includes/${name}.lua`, luaDir), 'utf8'));
}

let cached: ScriptSource[] | undefined;

export function scriptSources(): ScriptSource[] {
  cached ??= readdirSync(luaDir)
    .filter((file) => file.endsWith('.lua'))
    .map((file) => {
      const match = /^(\w+)-(\d+)\.lua$/.exec(file);
      if (!match) throw new Error(`lua script ${file} must be named <name>-<numberOfKeys>.lua`);
      const [, name, keys] = match as unknown as [string, string, string];
      return {
        command: `sw${name[0]!.toUpperCase()}${name.slice(1)}`,
        numberOfKeys: Number(keys),
        lua: inline(readFileSync(new URL(file, luaDir), 'utf8')),
      };
    });
  return cached;
}

/** The commands the scripts add to a client (or pipeline). */
export interface QueueCommands {
  swAdd(...args: Array<string | number>): Promise<number>;
  swPromote(...args: Array<string | number>): Promise<number>;
  swPull(...args: Array<string | number>): Promise<Array<string | null>>;
  swComplete(...args: Array<string | number>): Promise<number>;
  swFail(...args: Array<string | number>): Promise<[number, number]>;
  swRelease(...args: Array<string | number>): Promise<number>;
  swUnregister(...args: Array<string | number>): Promise<number>;
  swRecover(...args: Array<string | number>): Promise<Array<string | number>>;
  swRedrive(...args: Array<string | number>): Promise<number>;
  swState(...args: Array<string | number>): Promise<string | null>;
}

const defined = new WeakSet<Redis>();

/** Defines every script on `redis` once; returns it typed with the commands. */
export function withQueueScripts(redis: Redis): Redis & QueueCommands {
  if (!defined.has(redis)) {
    for (const script of scriptSources()) redis.defineCommand(script.command, { lua: script.lua, numberOfKeys: script.numberOfKeys });
    defined.add(redis);
  }
  return redis as Redis & QueueCommands;
}
