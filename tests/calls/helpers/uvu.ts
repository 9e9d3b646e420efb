import { suite, type Callback, type Test } from 'uvu';

/**
 * uvu's `test`, safe for statewire errors. uvu formats a failure with `err.details.split('\n')`,
 * and StatewireError's `details` is an object: the formatter throws, uvu's runner swallows it in a
 * `finally { return }`, skips the rest of the file and exits 0 — a failing test reads as passing.
 * Every handler and hook here rethrows such an error as a plain Error carrying code and details.
 */
export function plainError(error: unknown): unknown {
  if (typeof error !== 'object' || error === null || !('details' in error) || typeof error.details === 'string') return error;
  const { name, message, code, details, stack } = error as Error & { code?: unknown; details?: unknown };
  const plain = new Error(`${name}${typeof code === 'string' ? ` [${code}]` : ''}: ${message} ${safeJson(details)}`, { cause: error });
  plain.stack = `${plain.message}\n${(stack ?? '').split('\n').slice(1).join('\n')}`;
  return plain;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

const wrap =
  (fn: Callback) =>
  async (context: Parameters<Callback>[0]): Promise<void> => {
    try {
      await fn(context);
    } catch (error) {
      throw plainError(error);
    }
  };

function safeSuite(): Test {
  const base = suite();
  const test = ((name: string, fn: Callback) => base(name, wrap(fn))) as Test;
  test.only = (name, fn) => base.only(name, wrap(fn));
  test.skip = base.skip;
  test.before = Object.assign((fn: Callback) => base.before(wrap(fn)), { each: (fn: Callback) => base.before.each(wrap(fn)) });
  test.after = Object.assign((fn: Callback) => base.after(wrap(fn)), { each: (fn: Callback) => base.after.each(wrap(fn)) });
  test.run = () => base.run();
  return test;
}

export const test = safeSuite();
