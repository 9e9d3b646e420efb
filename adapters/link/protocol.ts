import { LinkFrameError } from '../../errors/link.js';

/**
 * Wire protocol v2 of the agent link: JSON text frames
 * `{"v":2,"id","type","requestId"?,"taskId"?,"seq"?,"payload"?}`.
 *
 * Shared by the link (agent side) and the reference agent server, so both ends validate alike.
 */
export const PROTOCOL_VERSION = 2;

export interface Frame {
  v: typeof PROTOCOL_VERSION;
  id: string;
  type: string;
  requestId?: string;
  taskId?: string;
  seq?: number;
  payload?: unknown;
}

export type TaskStatus = 'success' | 'failed';

export interface TaskResultPayload {
  status: TaskStatus;
  output?: unknown;
  error?: string;
}

/** Frames the server sends, as the link sees them once validated. */
export type ServerFrame =
  | { v: 2; id: string; type: 'welcome' }
  | { v: 2; id: string; type: 'reject'; payload: { reason: string } }
  | { v: 2; id: string; type: 'ping' }
  | { v: 2; id: string; type: 'pong' }
  | { v: 2; id: string; type: 'ack'; payload: { id: string } }
  | { v: 2; id: string; type: 'task.run'; requestId: string; taskId: string; payload: { type: string; params: unknown } };

/** Frames the agent sends, as the server sees them once validated. */
export type AgentFrame =
  | { v: 2; id: string; type: 'hello'; payload: { agentId: string; agentKey: string } }
  | { v: 2; id: string; type: 'ping' }
  | { v: 2; id: string; type: 'pong' }
  | { v: 2; id: string; type: 'task.confirm'; requestId: string; taskId: string }
  | { v: 2; id: string; type: 'task.log'; requestId: string; taskId: string; seq: number; payload: { content: string } }
  | { v: 2; id: string; type: 'task.result'; requestId: string; taskId: string; payload: TaskResultPayload };

export type ParseResult<T> = { ok: true; frame: T } | { ok: false; error: LinkFrameError };

type Obj = Record<string, unknown>;
const isObject = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);
const isText = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

function envelope(text: string): ParseResult<Obj> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail('not-json', 'frame is not JSON', text);
  }
  if (!isObject(value)) return fail('not-object', 'frame is not a JSON object', text);
  if (value.v !== PROTOCOL_VERSION) return fail('bad-version', `frame has version ${JSON.stringify(value.v)}, expected 2`, text);
  if (!isText(value.id)) return fail('missing-field', 'frame has no id', text);
  if (!isText(value.type)) return fail('missing-field', 'frame has no type', text);
  return { ok: true, frame: value };
}

function fail(problem: ConstructorParameters<typeof LinkFrameError>[0], message: string, text: string, extra: Obj = {}): { ok: false; error: LinkFrameError } {
  return { ok: false, error: new LinkFrameError(problem, message, { sample: text.slice(0, 120), ...extra }) };
}

const missing = (frame: Obj, field: string, text: string) =>
  fail('missing-field', `${String(frame.type)} frame misses ${field}`, text, { type: frame.type, field });

/** Validates a frame received by the agent. */
export function parseServerFrame(text: string): ParseResult<ServerFrame> {
  const parsed = envelope(text);
  if (!parsed.ok) return parsed;
  const f = parsed.frame;
  const payload = isObject(f.payload) ? f.payload : undefined;
  switch (f.type) {
    case 'welcome':
    case 'ping':
    case 'pong':
      return { ok: true, frame: f as ServerFrame };
    case 'reject':
      return { ok: true, frame: { v: 2, id: f.id as string, type: 'reject', payload: { reason: typeof payload?.reason === 'string' ? payload.reason : 'unspecified' } } };
    case 'ack':
      if (!isText(payload?.id)) return missing(f, 'payload.id', text);
      return { ok: true, frame: f as ServerFrame };
    case 'task.run':
      if (!isText(f.requestId)) return missing(f, 'requestId', text);
      if (!isText(f.taskId)) return missing(f, 'taskId', text);
      if (!isText(payload?.type)) return missing(f, 'payload.type', text);
      return { ok: true, frame: f as ServerFrame };
    default:
      return fail('unknown-type', `unknown frame type ${JSON.stringify(f.type)}`, text, { type: f.type });
  }
}

/** Validates a frame received by the server. */
export function parseAgentFrame(text: string): ParseResult<AgentFrame> {
  const parsed = envelope(text);
  if (!parsed.ok) return parsed;
  const f = parsed.frame;
  const payload = isObject(f.payload) ? f.payload : undefined;
  switch (f.type) {
    case 'ping':
    case 'pong':
      return { ok: true, frame: f as AgentFrame };
    case 'hello':
      if (!isText(payload?.agentId)) return missing(f, 'payload.agentId', text);
      if (typeof payload?.agentKey !== 'string') return missing(f, 'payload.agentKey', text);
      return { ok: true, frame: f as AgentFrame };
    case 'task.confirm':
    case 'task.log':
    case 'task.result':
      if (!isText(f.requestId)) return missing(f, 'requestId', text);
      if (!isText(f.taskId)) return missing(f, 'taskId', text);
      if (f.type === 'task.log' && (typeof f.seq !== 'number' || typeof payload?.content !== 'string')) return missing(f, 'seq/payload.content', text);
      if (f.type === 'task.result' && payload?.status !== 'success' && payload?.status !== 'failed') return missing(f, 'payload.status', text);
      return { ok: true, frame: f as AgentFrame };
    default:
      return fail('unknown-type', `unknown frame type ${JSON.stringify(f.type)}`, text, { type: f.type });
  }
}

/** A frame's JSON text. One `JSON.stringify`: this runs once per report on the hot path. */
export function encodeFrame(frame: Frame): string {
  return JSON.stringify(frame);
}
